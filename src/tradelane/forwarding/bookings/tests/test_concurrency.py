"""Space and slots cannot be overbooked, whatever the interleaving, on SQLite and PostgreSQL.

50 workers (threads, each with its own database connection) race to book 0.3 m³ each of the
last 10 m³ of a departure through ``services.book_space``: exactly the 33 that fit win and
0.1 m³ stays free; 20 race for the last 5 pieces of a slot: exactly 5 win. On PostgreSQL a
second booking waits for the first one's transaction and is then refused on what it left.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections import Counter
from collections.abc import Callable

import pytest
from django.db import connections, transaction

from tradelane.core.errors import Conflict
from tradelane.core.tests import racing
from tradelane.forwarding.bookings import services
from tradelane.forwarding.models import Departure, PickupRequest, SpaceBooking
from tradelane.forwarding.tests.factories import provider

from .factories import departure, hub, slot

M3 = 1_000_000  # cm³


def race(workers: int, book: Callable[[int], object]) -> Counter[str]:
    return racing.race(workers, book, refused=(Conflict,), won="booked")


@pytest.mark.django_db(transaction=True)
def test_fifty_bookings_race_for_the_last_ten_cubic_metres():
    p = provider()
    d = departure(p.admin, capacity_g=100_000_000, capacity_cm3=30 * M3)
    services.book_space(p.acme_user, d, pieces=40, weight_g=5_000_000, volume_cm3=20 * M3)
    customers = [p.acme_user, p.bolt_user]

    outcomes = race(
        50,
        lambda n: services.book_space(
            customers[n % 2], d, pieces=1, weight_g=50_000, volume_cm3=300_000, reference=f"R{n}"
        ),
    )
    assert outcomes == {"booked": 33, "departure_full_volume": 17}

    d.refresh_from_db()
    assert (d.booked_cm3, d.remaining_cm3) == (30 * M3 - 100_000, 100_000)
    assert d.booked_g == 5_000_000 + 33 * 50_000
    raced = SpaceBooking.objects.filter(departure=d).exclude(reference="")
    assert raced.count() == 33 and len(set(raced.values_list("reference", flat=True))) == 33
    assert sum(raced.values_list("volume_cm3", flat=True)) == 33 * 300_000


@pytest.mark.django_db(transaction=True)
def test_twenty_drop_offs_race_for_the_last_five_pieces_of_a_slot():
    p = provider()
    s = slot(p.admin, hub(p.admin), capacity=5)
    outcomes = race(20, lambda n: services.book_slot(
        [p.acme_user, p.bolt_user][n % 2], s, pieces=1, estimated_weight_g=1000,
        contact_name="Li Lei", contact_phone="13800138000"))  # fmt: skip
    assert outcomes == {"booked": 5, "slot_full": 15}
    s.refresh_from_db()
    assert (s.booked, s.remaining) == (5, 0)
    assert PickupRequest.objects.filter(slot=s, status="scheduled").count() == 5


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_a_second_booking_waits_for_the_first_and_sees_what_it_left():
    """READ COMMITTED: the second UPDATE blocks on the first one's row lock, then checks its
    condition again on the committed row (not on the snapshot it started with)."""
    p = provider()
    d = departure(p.admin, capacity_cm3=10 * M3)
    first_in = threading.Event()
    release = threading.Event()
    log: list[str] = []

    def first() -> None:
        try:
            with transaction.atomic():
                services.book_space(p.acme_user, d, pieces=1, weight_g=1000, volume_cm3=6 * M3)
                first_in.set()
                release.wait(timeout=30)
                log.append("first commits")
        finally:
            connections.close_all()

    def second() -> None:
        try:
            first_in.wait(timeout=30)
            try:
                services.book_space(p.bolt_user, d, pieces=1, weight_g=1000, volume_cm3=6 * M3)
                log.append("second booked")
            except Conflict as exc:
                log.append(f"second refused: {exc.code}")
        finally:
            connections.close_all()

    a, b = threading.Thread(target=first), threading.Thread(target=second)
    a.start()
    b.start()
    first_in.wait(timeout=30)
    b.join(timeout=1.5)
    assert b.is_alive(), "the second booking did not wait for the first one's lock"
    release.set()
    a.join(timeout=30)
    b.join(timeout=30)
    assert log == ["first commits", "second refused: departure_full_volume"]
    d.refresh_from_db()
    assert (d.booked_cm3, SpaceBooking.objects.filter(departure=d).count()) == (6 * M3, 1)
    assert Departure.objects.filter(pk=d.pk, booked_cm3__lte=10 * M3).exists()


@pytest.mark.django_db(transaction=True)
def test_two_dispatchers_assigning_one_day_at_once_assign_each_pickup_once():
    """Both press "assign this day by area": one wins all the day's pickups, the other is
    refused whole (nothing half-assigned), and each pickup has one task."""
    from tradelane.accounts import roles
    from tradelane.core.errors import InvalidTransition
    from tradelane.forwarding.bookings import pickup_tasks
    from tradelane.forwarding.models import PickupTask
    from tradelane.forwarding.tests.factories import user

    from .factories import PICKUP_ADDRESS, tomorrow

    p = provider()
    driver = user("drv1", roles.HUB_DRIVER)
    pickup_tasks.create_area(p.hub, code="NS", name="南山", postcodes="5180", driver=driver)
    for i in range(10):
        services.request_pickup(
            p.acme_user, date=tomorrow(), window_start=dt.time(9), window_end=dt.time(12),
            pieces=i + 1, estimated_weight_g=1000, address=PICKUP_ADDRESS,
        )  # fmt: skip
    outcomes = racing.race(2, lambda n: pickup_tasks.auto_assign([p.hub, p.service][n],
                                                                 tomorrow()),
                           refused=(Conflict, InvalidTransition))  # fmt: skip
    tasks = list(PickupTask.objects.values_list("pickup_id", "sequence"))
    assert len(tasks) == 10 and len({t[0] for t in tasks}) == 10
    assert sorted(s for _, s in tasks) == list(range(1, 11))
    assert set(PickupRequest.objects.values_list("status", flat=True)) == {"scheduled"}
    # the second either found nothing left (it read after the first committed) or was refused
    assert outcomes["won"] + sum(v for k, v in outcomes.items() if k != "won") == 2
