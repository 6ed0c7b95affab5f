"""Hubs, their drop-off slots and pickup requests: who may do what, capacity never exceeded,
cancelling gives it back, states through the transition table, refusals that write nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from tradelane.core.errors import (
    Conflict,
    InvalidTransition,
    NotFound,
    PermissionDenied,
    ValidationFailed,
)
from tradelane.core.models import AuditLog, StateEvent
from tradelane.forwarding.bookings import selectors, services
from tradelane.forwarding.models import Hub, HubSlot, PickupRequest
from tradelane.forwarding.partners import services as partners
from tradelane.forwarding.tests.factories import provider

from .factories import HUB_ADDRESS, PICKUP_ADDRESS, hub, slot, tomorrow

pytestmark = pytest.mark.django_db


@pytest.fixture
def p():
    return provider()


def booked(s: HubSlot) -> tuple[int, int]:
    s.refresh_from_db()
    return s.booked, s.remaining


def drop_off(user, s, pieces=4, **kw):
    return services.book_slot(user, s, pieces=pieces, estimated_weight_g=12_000,
                              contact_name="Li Lei", contact_phone="13800138000", **kw)  # fmt: skip


def test_staff_create_a_hub_and_its_slots(p):
    h = hub(p.admin)
    assert (h.code, h.city, h.country, h.phone) == ("SZX1", "深圳市", "CN", "+8675588880000")
    s = slot(p.sales1, h, capacity=12)
    assert (s.hub_id, s.capacity, s.booked, s.unit, s.published) == (h.pk, 12, 0, "pieces", True)
    assert list(AuditLog.objects.filter(action__in=["forwarding.hub.create",
                "forwarding.slot.create"]).order_by("pk").values_list("action", "object_id")) == [
        ("forwarding.hub.create", str(h.pk)), ("forwarding.slot.create", str(s.pk))]  # fmt: skip
    # the same start time at the same hub on the same day: a conflict, nothing written
    with pytest.raises(Conflict) as exc:
        slot(p.admin, h, capacity=5)
    assert exc.value.code == "slot_exists"
    assert HubSlot.objects.count() == 1
    with pytest.raises(Conflict) as exc:
        hub(p.admin)
    assert exc.value.code == "hub_exists" and Hub.objects.count() == 1


@pytest.mark.parametrize("who", ["acme_user", "service", "hub", "agent_user"])
def test_only_staff_who_manage_partners_create_hubs_and_slots(p, who):
    with pytest.raises(PermissionDenied):
        hub(getattr(p, who))
    h = hub(p.admin)
    with pytest.raises(PermissionDenied):
        slot(getattr(p, who), h)
    assert (Hub.objects.count(), HubSlot.objects.count()) == (1, 0)


def test_a_hub_address_and_a_slot_are_checked_field_by_field(p):
    with pytest.raises(ValidationFailed) as exc:
        services.create_hub(p.admin, code="bad code!", name="",
                            address={**HUB_ADDRESS, "city": "", "phone": "12"})  # fmt: skip
    fields = {(e["field"], e["code"]) for e in exc.value.details["errors"]}
    assert {("code", "invalid_code"), ("name", "required"), ("address.city", "required"),
            ("address.phone", "invalid_phone")} <= fields  # fmt: skip
    h = hub(p.admin)
    with pytest.raises(ValidationFailed) as exc:
        services.create_slot(p.admin, h, date=timezone.localdate() - dt.timedelta(days=1),
                             start_time=dt.time(11), end_time=dt.time(9), capacity=0)  # fmt: skip
    assert [(e["field"], e["code"]) for e in exc.value.details["errors"]] == [
        ("date", "date_in_past"), ("window", "invalid_time_window"), ("capacity", "out_of_range"),
    ]  # fmt: skip
    assert HubSlot.objects.count() == 0 and Hub.objects.count() == 1


def test_a_customer_books_a_drop_off_and_the_slot_is_never_overbooked(p):
    s = slot(p.admin, hub(p.admin), capacity=10)
    first = drop_off(p.acme_user, s, pieces=4, note="two cartons")
    assert (first.customer, first.kind, first.status, first.slot_units) == (
        p.acme, "drop_off", "scheduled", 4)  # fmt: skip
    assert (first.date, first.window_start, first.window_end) == (
        tomorrow(), dt.time(9), dt.time(11))  # fmt: skip
    assert first.contact_phone == "+8613800138000"
    assert booked(s) == (4, 6)
    audits = AuditLog.objects.count()
    # 7 more pieces do not fit in the 6 left: refused, the slot and the bookings unchanged
    with pytest.raises(Conflict) as exc:
        drop_off(p.bolt_user, s, pieces=7)
    assert exc.value.code == "slot_full"
    assert exc.value.details == {"capacity": 10, "booked": 4, "remaining": 6, "asked": 7}
    assert booked(s) == (4, 6)
    assert PickupRequest.objects.count() == 1 and AuditLog.objects.count() == audits
    # exactly what is left fits
    drop_off(p.bolt_user, s, pieces=6)
    assert booked(s) == (10, 0)
    with pytest.raises(Conflict) as exc:
        drop_off(p.acme_user, s, pieces=1)
    assert exc.value.code == "slot_full" and booked(s) == (10, 0)


def test_a_slot_counted_in_bookings_takes_one_per_booking(p):
    s = slot(p.admin, hub(p.admin), capacity=2, unit="bookings")
    a = drop_off(p.acme_user, s, pieces=30)
    drop_off(p.bolt_user, s, pieces=1)
    assert a.slot_units == 1 and booked(s) == (2, 0)
    with pytest.raises(Conflict) as exc:
        drop_off(p.acme_user, s, pieces=1)
    assert exc.value.code == "slot_full" and PickupRequest.objects.count() == 2


def test_cancelling_a_drop_off_frees_its_capacity_once(p):
    s = slot(p.admin, hub(p.admin), capacity=10)
    b = drop_off(p.acme_user, s, pieces=4)
    services.cancel_pickup(p.acme_user, b, reason="no goods yet")
    assert b.status == "cancelled" and booked(s) == (0, 10)
    event = StateEvent.objects.get(entity="forwarding.pickuprequest", object_id=b.pk)
    assert (event.from_state, event.to_state, event.reason, event.actor) == (
        "scheduled", "cancelled", "no goods yet", p.acme_user)  # fmt: skip
    with pytest.raises(InvalidTransition):
        services.cancel_pickup(p.acme_user, PickupRequest.objects.get(pk=b.pk))
    assert booked(s) == (0, 10)


def test_another_customer_neither_sees_nor_cancels_a_booking(p):
    s = slot(p.admin, hub(p.admin), capacity=10)
    b = drop_off(p.acme_user, s)
    with pytest.raises(NotFound):
        services.cancel_pickup(p.bolt_user, b)
    with pytest.raises(NotFound):
        selectors.pickup(p.bolt_user, b.pk)
    assert list(selectors.pickups(p.bolt_user)) == []
    assert list(selectors.pickups(p.acme_user)) == [b]
    assert list(selectors.pickups(p.sales1)) == [b] and list(selectors.pickups(p.sales2)) == []
    assert list(selectors.pickups(p.agent_user)) == [b]  # ACME came through the agent
    assert PickupRequest.objects.get(pk=b.pk).status == "scheduled" and booked(s) == (4, 6)


def test_who_books_for_whom(p):
    s = slot(p.admin, hub(p.admin), capacity=10)
    # a portal customer books for itself only: naming another is "not found"
    with pytest.raises(NotFound) as exc:
        drop_off(p.acme_user, s, customer="BOLT")
    assert exc.value.code == "customer_not_found"
    # staff must say which customer, and only one in their scope
    with pytest.raises(PermissionDenied) as exc:
        drop_off(p.service, s)
    assert exc.value.code == "customer_required"
    with pytest.raises(NotFound):
        drop_off(p.sales2, s, customer="ACME")
    # an agent's portal user only reads
    with pytest.raises(PermissionDenied):
        drop_off(p.agent_user, s, customer="ACME")
    assert booked(s) == (0, 10) and PickupRequest.objects.count() == 0
    b = drop_off(p.service, s, customer="BOLT")
    assert b.customer == p.bolt and b.created_by == p.service and booked(s) == (4, 6)


def test_a_suspended_customer_cannot_book(p):
    s = slot(p.admin, hub(p.admin), capacity=10)
    partners.set_customer_status(p.admin, p.acme, "suspended")
    with pytest.raises(PermissionDenied) as exc:
        drop_off(p.acme_user, s)
    assert exc.value.code == "customer_suspended" and booked(s) == (0, 10)


def test_a_closed_or_past_slot_takes_no_booking(p):
    s = slot(p.admin, hub(p.admin), capacity=10)
    HubSlot.objects.filter(pk=s.pk).update(published=False)
    with pytest.raises(Conflict) as exc:
        drop_off(p.acme_user, s)
    assert exc.value.code == "slot_closed"
    HubSlot.objects.filter(pk=s.pk).update(
        published=True, date=timezone.localdate() - dt.timedelta(days=1)
    )
    with pytest.raises(Conflict) as exc:
        drop_off(p.acme_user, s)
    assert exc.value.code == "slot_closed" and booked(s) == (0, 10)
    assert PickupRequest.objects.count() == 0
    assert list(selectors.slots(p.acme_user)) == [] and list(selectors.slots(p.admin)) == [s]


def test_the_database_refuses_an_overbooked_slot(p):
    s = slot(p.admin, hub(p.admin), capacity=3)
    with pytest.raises(IntegrityError), transaction.atomic():
        HubSlot.objects.filter(pk=s.pk).update(booked=F("capacity") + 1)
    assert booked(s) == (0, 3)


def test_a_pickup_is_requested_scheduled_and_collected(p):
    pickup = services.request_pickup(
        p.acme_user, date=tomorrow(), window_start=dt.time(14), window_end=dt.time(17),
        pieces=3, estimated_weight_g=25_500, address=PICKUP_ADDRESS, note="gate 2",
    )  # fmt: skip
    assert (pickup.kind, pickup.status, pickup.customer, pickup.slot) == (
        "pickup", "requested", p.acme, None)  # fmt: skip
    assert (pickup.contact_name, pickup.contact_phone, pickup.postcode, pickup.country) == (
        "Li Lei", "+8613800138000", "518057", "CN")  # fmt: skip
    assert (pickup.pieces, pickup.estimated_weight_g, pickup.note) == (3, 25_500, "gate 2")
    # the customer cannot schedule it; another salesperson does not see it
    with pytest.raises(PermissionDenied):
        services.schedule_pickup(p.acme_user, pickup)
    with pytest.raises(NotFound):
        services.schedule_pickup(p.sales2, pickup)
    # collected before it is scheduled: refused by the table
    with pytest.raises(InvalidTransition):
        services.record_outcome(p.hub, pickup, collected=True)
    assert PickupRequest.objects.get(pk=pickup.pk).status == "requested"
    pickup = services.schedule_pickup(p.sales1, pickup, note="van 3")
    pickup = services.record_outcome(p.hub, pickup, collected=True, note="3 cartons")
    assert PickupRequest.objects.values_list("status", "outcome_note").get(pk=pickup.pk) == (
        "collected", "3 cartons")  # fmt: skip
    assert list(StateEvent.objects.filter(entity="forwarding.pickuprequest").values_list(
        "from_state", "to_state", "actor__username").order_by("pk")) == [
        ("requested", "scheduled", "sales1"), ("scheduled", "collected", "hub1")]  # fmt: skip
    with pytest.raises(InvalidTransition):
        services.cancel_pickup(p.acme_user, pickup)
    assert PickupRequest.objects.get(pk=pickup.pk).status == "collected"


def test_a_failed_pickup_keeps_why(p):
    pickup = services.request_pickup(
        p.service, customer="BOLT", date=tomorrow(), window_start=dt.time(9),
        window_end=dt.time(12), pieces=1, estimated_weight_g=800, address=PICKUP_ADDRESS,
    )  # fmt: skip
    services.schedule_pickup(p.admin, pickup)
    done = services.record_outcome(p.admin, pickup, collected=False, note="nobody there")
    assert (done.status, done.outcome_note) == ("failed", "nobody there")


def test_a_pickup_request_is_checked_and_a_refused_one_writes_nothing(p):
    before = (PickupRequest.objects.count(), AuditLog.objects.count())
    with pytest.raises(ValidationFailed) as exc:
        services.request_pickup(
            p.acme_user, date=timezone.localdate() - dt.timedelta(days=2),
            window_start=dt.time(17), window_end=dt.time(14), pieces=0,
            estimated_weight_g="heavy",
            address={**PICKUP_ADDRESS, "postcode": "ABC", "phone": "", "address1": ""},
        )  # fmt: skip
    got = [(e["field"], e["code"]) for e in exc.value.details["errors"]]
    assert got[:4] == [
        ("date", "date_in_past"),
        ("window", "invalid_time_window"),
        ("pieces", "out_of_range"),
        ("estimated_weight_g", "invalid_number"),
    ]
    assert ("address.address1", "required") in got
    assert ("address.postcode", "address_invalid") in got
    assert got[-1] == ("address.phone", "required")
    assert (PickupRequest.objects.count(), AuditLog.objects.count()) == before
