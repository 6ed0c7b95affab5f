"""Customs batches: made of received waybills in no other batch; refusals write nothing;
declared, then cleared with one event per waybill."""

from __future__ import annotations

import pytest

from tradelane.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from tradelane.core.models import AuditLog
from tradelane.forwarding.models import CustomsBatch, CustomsBatchWaybill, WaybillEvent
from tradelane.forwarding.tests.factories import payload, provider, user
from tradelane.forwarding.waybills import services as waybills
from tradelane.logistics.tracking import codes

from .. import batches, holds
from .helpers import DE, TWO_ITEMS, received

pytestmark = pytest.mark.django_db


@pytest.fixture
def p():
    return provider()


def test_selectable_filters_by_channel_destination_and_received_day(p):
    from django.utils import timezone

    us = received(p, "U1", items=TWO_ITEMS)
    de = received(p, "D1", channel="EUPOST", consignee=DE)
    waybills.create_waybill(p.acme_user, p.acme, payload("N1"))  # not received
    assert [w.number for w in batches.selectable(p.hub)] == [us.number, de.number]
    assert [w.number for w in batches.selectable(p.hub, channel="EUPOST")] == [de.number]
    assert [w.number for w in batches.selectable(p.hub, destination="us")] == [us.number]
    today = timezone.localdate()
    assert batches.selectable(p.hub, received_on=today).count() == 2
    assert batches.selectable(p.hub, received_on=today.replace(year=2020)).count() == 0


def test_create_batch_numbers_it_and_takes_the_waybills_out_of_the_selection(p):
    from django.utils import timezone

    a, b = received(p, "A1"), received(p, "B1")
    made = batches.create_batch(p.hub, [a.pk, b.pk], name="USLINE Friday", channel="USLINE")
    assert made.number == f"CB{timezone.localdate():%Y%m%d}-001"
    assert (made.status, made.channel.code, made.name) == ("open", "USLINE", "USLINE Friday")
    assert [w.number for w in batches.batch_waybills(p.hub, made)] == [a.number, b.number]
    assert batches.selectable(p.hub).count() == 0
    c = received(p, "C1")
    assert batches.create_batch(p.hub, [c.pk]).number.endswith("-002")
    assert AuditLog.objects.filter(action="forwarding.customs_batch.create").count() == 2


def test_refusals_write_nothing(p):
    a = received(p, "A1")
    fresh, _ = waybills.create_waybill(p.acme_user, p.acme, payload("F1"))
    with pytest.raises(ValidationFailed) as e:
        batches.create_batch(p.hub, [])
    assert e.value.code == "no_waybill_selected"
    with pytest.raises(Conflict) as e:
        batches.create_batch(p.hub, [a.pk, fresh.pk])
    assert (e.value.code, e.value.details) == ("not_received", {"numbers": [fresh.number]})
    with pytest.raises(NotFound) as e:
        batches.create_batch(p.hub, [a.pk, 999999])
    assert e.value.code == "waybill_not_found"
    with pytest.raises(PermissionDenied):
        batches.create_batch(p.service, [a.pk])
    assert CustomsBatch.objects.count() == 0
    batches.create_batch(p.hub, [a.pk])
    b = received(p, "B1")
    with pytest.raises(Conflict) as e:
        batches.create_batch(p.hub, [b.pk, a.pk])
    assert (e.value.code, e.value.details) == ("already_in_batch", {"numbers": [a.number]})
    assert (CustomsBatch.objects.count(), CustomsBatchWaybill.objects.count()) == (1, 1)


def test_boss_reads_batches_and_writes_none(p):
    from tradelane.accounts import roles

    boss = user("boss1", roles.BOSS)
    a = received(p, "A1")
    made = batches.create_batch(p.hub, [a.pk])
    assert batches.batch(boss, made.number) == made
    with pytest.raises(PermissionDenied):
        batches.mark_declared(boss, made)
    with pytest.raises(NotFound) as e:
        batches.batch(boss, "CB-NONE")
    assert e.value.code == "customs_batch_not_found"


def test_declare_then_clear_writes_one_cleared_event_per_waybill(p):
    a, b = received(p, "A1"), received(p, "B1")
    made = batches.create_batch(p.hub, [a.pk, b.pk])
    batches.mark_declared(p.hub, made)
    assert made.status == "declared"
    assert batches.clear_batch(p.hub, made) == 2
    made.refresh_from_db()
    assert made.status == "cleared"
    events = WaybillEvent.objects.filter(status=codes.CUSTOMS_RELEASED)
    assert sorted(events.values_list("waybill_id", "description")) == [
        (a.pk, holds.CLEARED_TEXT),
        (b.pk, holds.CLEARED_TEXT),
    ]
    with pytest.raises(Conflict) as e:
        batches.clear_batch(p.hub, made)
    assert e.value.code == "invalid_transition"
    assert events.count() == 2


def test_a_dispatch_gets_its_customs_batch_once(p):
    import datetime as dt

    from tradelane.forwarding.outbound import dispatches
    from tradelane.forwarding.outbound.tests.test_dispatches import sealed_bag

    d = dispatches.create_dispatch(
        p.hub, channel="USLINE", mode="air", mawb="176-12345675", flight="EK303",
        departure_date=dt.date(2026, 12, 5), origin_airport="PVG", destination_airport="JFK",
    )  # fmt: skip
    with pytest.raises(ValidationFailed) as e:
        batches.batch_for_dispatch(p.hub, d.pk)
    assert e.value.code == "dispatch_empty"
    bag = sealed_bag(p, ["D1", "D2"])
    dispatches.add_bag(p.hub, d, bag)
    with pytest.raises(PermissionDenied):
        batches.batch_for_dispatch(p.acme_user, d.pk)
    assert CustomsBatch.objects.count() == 0
    b = batches.batch_for_dispatch(p.hub, d.pk)
    numbers = sorted(CustomsBatchWaybill.objects.filter(batch=b)
                     .values_list("waybill__reference", flat=True))  # fmt: skip
    assert (b.name, b.channel.code, b.departure_date, numbers) == (
        f"{d.number} 176-12345675",
        "USLINE",
        dt.date(2026, 12, 5),
        ["D1", "D2"],
    )
    assert batches.batch_for_dispatch(p.hub, d.pk).pk == b.pk  # asked again: the same batch
    with pytest.raises(NotFound) as e:
        batches.batch_for_dispatch(p.hub, 999999)
    assert e.value.code == "dispatch_not_found"
