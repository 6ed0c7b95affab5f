"""Compiled statements (``core.statements``): the same rows, instances and errors as the ORM
gives for the same queryset, the same SQL as a fresh compile, one query per use, and the
inserts and updates the hot paths make written exactly as ``save()`` and ``update()`` write."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.db import NotSupportedError, connection, models, transaction
from django.db.models import F, signals
from django.db.transaction import TransactionManagementError
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tradelane.core.models import AuditLog, FxRate, StateEvent
from tradelane.core.statements import Param, Select, _plans, insert, update_row

pytestmark = pytest.mark.django_db

BY_CODENAME = Select(lambda: Permission.objects.select_related("content_type").filter(
    codename=Param("codename")))  # fmt: skip
BY_MODEL = Select(lambda: Permission.objects.filter(content_type__model=Param("model"))
                  .order_by("codename").values("codename", "content_type__app_label"))  # fmt: skip
CODENAMES = Select(lambda: Permission.objects.filter(content_type__model=Param("model"))
                   .order_by("codename").values_list("codename", flat=True))  # fmt: skip
PAIRS = Select(lambda: Permission.objects.filter(content_type__model=Param("model"))
               .order_by("codename").values_list("codename", "content_type__model"))  # fmt: skip
FX_SINCE = Select(lambda: FxRate.objects.filter(
    date__gte=Param("since", models.DateField()), base=Param("base")).order_by("date"))  # fmt: skip
AUDIT_LOCKED = Select(lambda: AuditLog.objects.select_for_update().filter(pk=Param("pk")))


def test_an_instance_with_its_select_related_row_is_the_orms_and_needs_no_second_query():
    want = Permission.objects.select_related("content_type").get(codename="view_auditlog")
    with CaptureQueriesContext(connection) as ctx:
        got = BY_CODENAME.get(codename="view_auditlog")
        assert got.content_type.app_label == "core"  # loaded with it: no query
    assert len(ctx.captured_queries) == 1
    assert (got.pk, got.name, got.codename, got.content_type_id) == (
        want.pk, want.name, want.codename, want.content_type_id)  # fmt: skip
    assert got._state.db == "default" and got._state.adding is False
    assert got.content_type.model == "auditlog"


def test_values_value_lists_and_flat_lists_are_the_orms():
    qs = Permission.objects.filter(content_type__model="auditlog").order_by("codename")
    assert BY_MODEL.all(model="auditlog") == list(qs.values("codename", "content_type__app_label"))
    assert CODENAMES.all(model="auditlog") == list(qs.values_list("codename", flat=True))
    assert PAIRS.all(model="auditlog") == list(qs.values_list("codename", "content_type__model"))
    assert CODENAMES.all(model="auditlog") == [
        "add_auditlog", "change_auditlog", "delete_auditlog", "view_auditlog"]  # fmt: skip
    assert CODENAMES.all(model="no such model") == []


def test_get_raises_as_the_orm_and_first_is_none_when_nothing_matches():
    with pytest.raises(Permission.DoesNotExist):
        BY_CODENAME.get(codename="nothing")
    assert BY_CODENAME.first(codename="nothing") is None
    twice = Select(lambda: Permission.objects.filter(content_type__model=Param("model")))
    with pytest.raises(Permission.MultipleObjectsReturned):
        twice.get(model="auditlog")


def test_the_sql_is_a_fresh_compile_of_the_same_queryset():
    """If a Django release compiled differently, the kept SQL would drift: it must not."""
    BY_CODENAME.get(codename="view_auditlog")
    plan = _plans()[(id(BY_CODENAME), "default")][1]
    fresh = Permission.objects.select_related("content_type").filter(codename="view_auditlog")
    sql, params = fresh.query.get_compiler("default").as_sql()
    assert plan.sql.replace("(%s)", "%s") == sql
    assert [p.name for p in plan.params] == ["codename"] and tuple(params) == ("view_auditlog",)


def test_a_typed_value_is_prepared_as_its_field_prepares_it():
    FxRate.objects.create(base="USD", quote="CNY", rate=Decimal("7.1"), date=dt.date(2026, 12, 1))
    FxRate.objects.create(base="USD", quote="CNY", rate=Decimal("7.2"), date=dt.date(2026, 12, 4))
    rows = FX_SINCE.all(since=dt.date(2026, 12, 2), base="USD")
    assert [(r.date, r.rate) for r in rows] == [(dt.date(2026, 12, 4), Decimal("7.2000000000"))]


@pytest.mark.django_db(transaction=True)  # autocommit between statements, as in production
def test_a_locking_read_outside_a_transaction_is_refused_where_the_orm_refuses_it():
    row = AuditLog.objects.create(action="a", entity="e", object_id="1", changes={})
    if connection.features.has_select_for_update:  # PostgreSQL
        with pytest.raises(TransactionManagementError):
            AUDIT_LOCKED.get(pk=row.pk)
        with pytest.raises(TransactionManagementError):  # the ORM refuses it the same way
            AuditLog.objects.select_for_update().get(pk=row.pk)
    else:  # SQLite: no row locks (a writer holds the database), nothing to refuse
        assert AUDIT_LOCKED.get(pk=row.pk).pk == AuditLog.objects.select_for_update().get(
            pk=row.pk).pk == row.pk  # fmt: skip
    with transaction.atomic():
        assert AUDIT_LOCKED.get(pk=row.pk).pk == row.pk


def test_insert_writes_what_save_writes_and_sets_the_key(admin):
    before = timezone.now()
    row = insert(AuditLog(actor=admin, action="x.y", entity="core.thing", object_id="7",
                          changes={"a": [1, "b"], "n": None}))  # fmt: skip
    assert row.pk is not None and row._state.adding is False and row._state.db == "default"
    stored = AuditLog.objects.get(pk=row.pk)
    assert (stored.actor_id, stored.action, stored.entity, stored.object_id, stored.changes) == (
        admin.pk, "x.y", "core.thing", "7", {"a": [1, "b"], "n": None})  # fmt: skip
    assert before <= stored.created_at <= timezone.now()  # auto_now_add, as save() sets it
    assert stored.created_at == row.created_at


def test_insert_refuses_an_expression_and_writes_nothing():
    n = AuditLog.objects.count()
    with pytest.raises(NotSupportedError):
        insert(AuditLog(action=F("entity"), entity="e", object_id="1", changes={}))
    assert AuditLog.objects.count() == n


def test_update_row_changes_only_the_row_still_in_its_state(admin):
    event = StateEvent.objects.create(entity="e", object_id=1, field="status", from_state="a",
                                      to_state="b", reason="r")  # fmt: skip
    assert update_row(StateEvent, event.pk, {"reason": "moved", "actor": admin},
                      {"to_state": "b"}) == 1  # fmt: skip
    assert update_row(StateEvent, event.pk, {"reason": "again"}, {"to_state": "zz"}) == 0
    event.refresh_from_db()
    assert (event.reason, event.actor_id, event.to_state) == ("moved", admin.pk, "b")
    with pytest.raises(NotSupportedError):
        update_row(StateEvent, event.pk, {"reason": F("entity")})
    event.refresh_from_db()
    assert event.reason == "moved"


# the models the hot paths write with insert(): no save signal may listen to them, as insert()
# sends none
SIGNAL_FREE = ["core.AuditLog", "core.StateEvent", "forwarding.InboundScan",
               "forwarding.InboundPiece", "forwarding.WaybillEvent",
               "finance.LedgerEntry"]  # fmt: skip


@pytest.mark.parametrize("label", SIGNAL_FREE)
def test_no_save_signal_listens_to_a_model_written_with_insert(label):
    from django.apps import apps

    model = apps.get_model(label)
    assert not signals.pre_save.has_listeners(model)
    assert not signals.post_save.has_listeners(model)
