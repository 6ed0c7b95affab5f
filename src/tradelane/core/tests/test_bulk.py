"""core.bulk: update_in and bulk_transition find their rows by primary key; values are prepared
as their fields prepare them; a batch can pause the cyclic garbage collector."""

import gc
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, models, transaction

from tradelane.core.bulk import _prepared, collector_paused, off_index, update_in
from tradelane.core.errors import InvalidTransition
from tradelane.core.models import StateEvent
from tradelane.core.states import bulk_transition
from tradelane.inventory.models import Warehouse

pytestmark = pytest.mark.django_db

TABLE = {"a": {"b"}}


def make(name: str) -> Warehouse:
    """Warehouses have no status; the tests borrow ``name`` as the state field."""
    return Warehouse.objects.create(code=f"W{Warehouse.objects.count()}", name=name, country="CN")


def test_update_in_changes_only_the_ids_in_the_state_asked_for():
    w1, w2, w3, w4 = make("a"), make("a"), make("b"), make("a")
    changed = update_in(Warehouse, {"name": "c", "priority": 7}, [w1.pk, w2.pk, w3.pk],
                        where={"name": "a"})  # fmt: skip
    assert changed == 2
    rows = dict(Warehouse.objects.values_list("pk", "name"))
    assert rows == {w1.pk: "c", w2.pk: "c", w3.pk: "b", w4.pk: "a"}
    assert Warehouse.objects.get(pk=w4.pk).priority != 7
    assert update_in(Warehouse, {"name": "d"}, []) == 0


def test_update_in_takes_a_related_object_for_a_foreign_key(admin):
    wh = make("a")
    event = StateEvent.objects.create(entity="x", object_id=wh.pk, field="name", to_state="a")
    assert update_in(StateEvent, {"actor": admin}, [event.pk], where={"to_state": "a"}) == 1
    event.refresh_from_db()
    assert event.actor_id == admin.pk


def test_bulk_transition_moves_many_ids_in_one_statement_with_their_events(admin):
    whs = [make("a") for _ in range(1200)]  # more than SQLite's 999 variables
    ids = [w.pk for w in whs]
    with transaction.atomic():
        moved = bulk_transition(Warehouse, ids, "a", "b", table=TABLE, actor=admin,
                                field="name", reasons={ids[0]: "first"}, reason="bulk")  # fmt: skip
    assert moved == 1200
    assert set(Warehouse.objects.values_list("name", flat=True)) == {"b"}
    events = StateEvent.objects.filter(entity="inventory.warehouse")
    assert events.count() == 1200
    assert events.get(object_id=ids[0]).reason == "first"
    assert set(events.exclude(object_id=ids[0]).values_list("reason", flat=True)) == {"bulk"}


def test_bulk_transition_refuses_when_one_row_moved_meanwhile_and_changes_nothing():
    w1, w2 = make("a"), make("a")
    Warehouse.objects.filter(pk=w2.pk).update(name="b")  # someone else moved it
    with pytest.raises(InvalidTransition) as err, transaction.atomic():
        bulk_transition(Warehouse, [w1.pk, w2.pk], "a", "b", table=TABLE, field="name")
    assert err.value.code == "stale_state"
    assert Warehouse.objects.get(pk=w1.pk).name == "a"
    assert StateEvent.objects.count() == 0


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's planner")
def test_a_state_condition_off_its_index_leaves_sqlite_on_the_primary_key():
    """With ``status = ?`` SQLite (no table statistics) searched the status index and read
    every order in that state per statement: review and allocation grew with N squared."""
    table = connection.ops.quote_name("orders_order")
    ids = "SELECT value FROM json_each('[1, 2, 3]')"

    def plan(condition: str) -> str:
        with connection.cursor() as cursor:
            cursor.execute(
                f"EXPLAIN QUERY PLAN UPDATE {table} SET status = 'x' "
                f"WHERE id IN ({ids}) AND {condition} = 'approved'"
            )
            return " ".join(str(row[-1]) for row in cursor.fetchall())

    assert "status" in plan('"status"')  # the trap: an index on status is searched
    fixed = plan(off_index('"status"'))
    assert "INTEGER PRIMARY KEY" in fixed and "status" not in fixed


def test_decimals_are_prepared_as_the_field_prepares_them():
    field = models.DecimalField(max_digits=12, decimal_places=2)
    values = [Decimal("1.50"), None, Decimal("-0"), Decimal("0E-7"), "2.5", 3, 1.25]
    rows = list(_prepared([field], ([v] for v in values)))
    expected = [field.get_db_prep_save(v, connection) for v in values]
    assert [r[0] for r in rows] == expected
    assert [str(r[0]) for r in rows] == [str(v) for v in expected]
    with pytest.raises(ValidationError):
        list(_prepared([field], [[Decimal("NaN")]]))


def test_collector_paused_nests_and_leaves_it_as_it_found_it():
    assert gc.isenabled()
    with collector_paused():
        assert not gc.isenabled()
        with collector_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()
    with pytest.raises(RuntimeError), collector_paused():
        raise RuntimeError("a batch that fails")
    assert gc.isenabled()
    gc.disable()
    try:
        with collector_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    finally:
        gc.enable()


@collector_paused()
def _paused_call():
    return gc.isenabled()


def test_collector_paused_as_a_decorator_pauses_each_call():
    assert _paused_call() is False
    assert _paused_call() is False
    assert gc.isenabled()
