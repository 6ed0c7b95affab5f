"""Departures and space on them: ports checked by mode, capacity in grams and cm³, bookings
refused after the cut-off or past the capacity with nothing changed, cancelling frees space,
waybills of the same customer only, each customer sees its own bookings."""

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
from tradelane.forwarding.models import Departure, SpaceBooking
from tradelane.forwarding.tests.factories import payload, provider
from tradelane.forwarding.waybills import services as waybills

from .factories import departure

pytestmark = pytest.mark.django_db
M3 = 1_000_000  # cm³


@pytest.fixture
def p():
    return provider()


def left(d: Departure) -> tuple[int, int]:
    d.refresh_from_db()
    return d.remaining_g, d.remaining_cm3


def book(user, d, *, kg: int = 500, m3: float = 2, **kw):
    return services.book_space(user, d, pieces=kw.pop("pieces", 10), weight_g=kg * 1000,
                               volume_cm3=int(m3 * M3), **kw)  # fmt: skip


def test_staff_publish_a_departure_in_grams_and_cubic_centimetres(p):
    d = departure(p.sales1, mode="air", origin="szx", destination="LAX", vessel="CZ327",
                  capacity_g=5_000_000, capacity_cm3=30 * M3)  # fmt: skip
    assert (d.mode, d.origin, d.destination, d.vessel, d.status) == (
        "air", "SZX", "LAX", "CZ327", "published")  # fmt: skip
    assert (d.capacity_g, d.capacity_cm3, d.booked_g, d.booked_cm3) == (5_000_000, 30 * M3, 0, 0)
    assert list(StateEvent.objects.filter(entity="forwarding.departure").values_list(
        "from_state", "to_state")) == [("draft", "published")]  # fmt: skip
    assert AuditLog.objects.filter(action="forwarding.departure.create",
                                   object_id=str(d.pk)).count() == 1  # fmt: skip
    draft = departure(p.admin, publish=False)
    assert draft.status == "draft" and list(selectors.departures(p.acme_user)) == [d]
    assert list(selectors.departures(p.admin)) == [d, draft]


@pytest.mark.parametrize(
    "over,errors",
    [
        ({"mode": "air", "origin": "CNSZX", "destination": "LAX"},
         [("origin", "invalid_port_code")]),
        ({"origin": "SZX"}, [("origin", "invalid_port_code")]),
        ({"origin": "XXSZX"}, [("origin", "invalid_port_code")]),
        ({"destination": "CNSZX"}, [("destination", "same_port")]),
        ({"mode": "rail"}, [("mode", "invalid_choice")]),
        ({"vessel": " "}, [("vessel", "required")]),
        ({"departure_date": dt.date(2020, 1, 1)}, [("departure_date", "date_in_past"),
                                                   ("cutoff_at", "cutoff_after_departure")]),
        ({"cutoff_at": dt.datetime(2030, 1, 1, 12)}, [("cutoff_at", "required")]),
        ({"capacity_g": 0, "capacity_cm3": "lots"}, [("capacity_g", "out_of_range"),
                                                     ("capacity_cm3", "invalid_number")]),
    ],
)  # fmt: skip
def test_a_departure_is_checked_field_by_field(p, over, errors):
    with pytest.raises(ValidationFailed) as exc:
        departure(p.admin, **over)
    assert [(e["field"], e["code"]) for e in exc.value.details["errors"]] == errors
    assert Departure.objects.count() == 0


@pytest.mark.parametrize("who", ["acme_user", "service", "hub", "agent_user"])
def test_only_staff_who_manage_partners_publish_departures(p, who):
    with pytest.raises(PermissionDenied):
        departure(getattr(p, who))
    d = departure(p.admin)
    with pytest.raises(PermissionDenied):
        services.set_departure_status(getattr(p, who), d, "closed")
    assert Departure.objects.get().status == "published"


def test_a_customer_books_space_and_what_does_not_fit_is_refused_unchanged(p):
    d = departure(p.admin, capacity_g=2_000_000, capacity_cm3=10 * M3)  # 2 t, 10 m³
    b = book(p.acme_user, d, kg=800, m3=6, reference="PO-7", note="pallets")
    assert (b.customer, b.status, b.pieces, b.weight_g, b.volume_cm3, b.reference) == (
        p.acme, "booked", 10, 800_000, 6 * M3, "PO-7")  # fmt: skip
    assert left(d) == (1_200_000, 4 * M3)
    audits = AuditLog.objects.count()
    # too much volume, then too much weight: refused with what is left, nothing written
    with pytest.raises(Conflict) as exc:
        book(p.bolt_user, d, kg=100, m3=4.5)
    assert exc.value.code == "departure_full_volume"
    assert exc.value.details == {"remaining_g": 1_200_000, "remaining_cm3": 4 * M3,
                                 "asked_g": 100_000, "asked_cm3": 4_500_000}  # fmt: skip
    with pytest.raises(Conflict) as exc:
        book(p.bolt_user, d, kg=1_201, m3=1)
    assert exc.value.code == "departure_full_weight"
    assert left(d) == (1_200_000, 4 * M3)
    assert SpaceBooking.objects.count() == 1 and AuditLog.objects.count() == audits
    # exactly what is left fits
    book(p.bolt_user, d, kg=1_200, m3=4)
    assert left(d) == (0, 0)


def test_no_booking_after_the_cut_off_or_on_a_closed_departure(p):
    d = departure(p.admin)
    Departure.objects.filter(pk=d.pk).update(cutoff_at=timezone.now() - dt.timedelta(minutes=1))
    with pytest.raises(Conflict) as exc:
        book(p.acme_user, d)
    assert exc.value.code == "cutoff_passed"
    assert left(d) == (20_000_000, 10 * M3) and SpaceBooking.objects.count() == 0
    # and customers no longer see it; staff still do
    assert list(selectors.departures(p.acme_user)) == []
    assert list(selectors.departures(p.service)) == [d]
    with pytest.raises(NotFound):
        selectors.departure(p.acme_user, d.pk)

    open_one = departure(p.admin)
    services.set_departure_status(p.admin, open_one, "closed")
    with pytest.raises(Conflict) as exc:
        book(p.acme_user, open_one)
    assert exc.value.code == "departure_closed" and left(open_one) == (20_000_000, 10 * M3)
    with pytest.raises(InvalidTransition):
        services.set_departure_status(p.admin, open_one, "published")


def test_cancelling_frees_the_space_once(p):
    d = departure(p.admin, capacity_cm3=10 * M3)
    b = book(p.acme_user, d, kg=300, m3=7)
    with pytest.raises(Conflict):
        book(p.bolt_user, d, m3=4)
    services.cancel_space(p.acme_user, b, reason="goods late")
    assert b.status == "cancelled" and left(d) == (20_000_000, 10 * M3)
    with pytest.raises(InvalidTransition):
        services.cancel_space(p.acme_user, SpaceBooking.objects.get(pk=b.pk))
    assert left(d) == (20_000_000, 10 * M3)
    book(p.bolt_user, d, m3=4)
    assert left(d) == (19_500_000, 6 * M3)


def test_a_booking_links_waybills_of_its_own_customer_only(p):
    d = departure(p.admin)
    mine, _ = waybills.create_waybill(p.acme_user, p.acme, payload("A1"))
    theirs, _ = waybills.create_waybill(p.bolt_user, p.bolt, payload("B1"))
    b = book(p.acme_user, d, waybills=[mine.number])
    assert list(b.waybills.all()) == [mine]
    with pytest.raises(NotFound) as exc:
        book(p.acme_user, d, waybills=[mine.number, theirs.number])
    assert exc.value.code == "waybill_not_found"
    assert exc.value.details == {"numbers": [theirs.number]}
    assert SpaceBooking.objects.count() == 1 and left(d) == (19_500_000, 8 * M3)
    with pytest.raises(NotFound):
        services.link_waybills(p.acme_user, b, [theirs.number])
    assert list(b.waybills.all()) == [mine]
    services.link_waybills(p.acme_user, b, [])
    assert list(b.waybills.all()) == []


def test_each_customer_sees_its_own_bookings(p):
    d = departure(p.admin)
    a = book(p.acme_user, d, m3=1)
    b = book(p.bolt_user, d, m3=2)
    assert list(selectors.space_bookings(p.acme_user)) == [a]
    assert list(selectors.space_bookings(p.bolt_user)) == [b]
    assert list(selectors.space_bookings(p.sales2)) == [b]
    assert set(selectors.space_bookings(p.service, departure_id=d.pk)) == {a, b}
    with pytest.raises(NotFound):
        selectors.space_booking(p.bolt_user, a.pk)
    with pytest.raises(NotFound):
        services.cancel_space(p.bolt_user, a)
    assert selectors.booked_totals(p.service, d.pk) == {
        "count": 2,
        "pieces": 20,
        "weight_g": 1_000_000,
        "volume_cm3": 3 * M3,
    }
    assert selectors.booked_totals(p.acme_user, d.pk)["volume_cm3"] == M3
    assert (selectors.m3(left(d)[1]), selectors.kg(left(d)[0])) == ("7.000", "19000.000")


def test_the_database_refuses_more_than_the_capacity(p):
    d = departure(p.admin)
    with pytest.raises(IntegrityError), transaction.atomic():
        Departure.objects.filter(pk=d.pk).update(booked_cm3=F("capacity_cm3") + 1)
    assert left(d) == (20_000_000, 10 * M3)
