"""A bag sealed while scans are in flight never holds a parcel after its seal, and one parcel
raced into two bags lands in one; on SQLite and PostgreSQL."""

from __future__ import annotations

import threading

import pytest
from django.db import connections, transaction

from tradelane.core.errors import Conflict
from tradelane.core.tests import racing
from tradelane.forwarding.models import Bag, BagItem, WaybillEvent
from tradelane.forwarding.outbound import bags
from tradelane.forwarding.tests.factories import provider

from .factories import received


@pytest.mark.django_db(transaction=True)
def test_scans_racing_a_seal_land_before_it_and_are_counted_or_are_refused():
    p = provider()
    parcels = [received(p, f"R{i}") for i in range(16)]
    bag = bags.open_bag(p.hub, channel="USLINE", destination="US")
    bags.scan_into_bag(p.hub, bag, parcels[0].number)

    def act(n: int):
        if n == 0:
            return bags.seal_bag(p.hub, bag)
        return bags.scan_into_bag(p.hub, bag, parcels[n].number)

    outcomes = racing.race(16, act, refused=(Conflict,))
    bag.refresh_from_db()
    inside = set(BagItem.objects.filter(bag=bag).values_list("waybill_id", flat=True))
    assert bag.status == "sealed"
    assert outcomes["won"] == len(inside)  # the seal and every scan that landed (1 was before)
    assert outcomes["won"] + outcomes["bag_sealed"] == 16
    assert bag.parcel_count == len(inside)
    assert BagItem.objects.filter(bag=bag, scanned_at__gt=bag.sealed_at).count() == 0
    bagged = WaybillEvent.objects.filter(description__startswith="Bagged")
    assert set(bagged.values_list("waybill_id", flat=True)) == inside and bagged.count() == len(
        inside
    )


@pytest.mark.django_db(transaction=True)
def test_one_parcel_raced_into_two_bags_lands_in_one():
    p = provider()
    w = received(p, "ONE")
    two = [bags.open_bag(p.hub, channel="USLINE", destination="US") for _ in range(2)]
    outcomes = racing.race(2, lambda n: bags.scan_into_bag(p.hub, two[n], w.number),
                           refused=(Conflict,))  # fmt: skip
    assert outcomes == {"won": 1, "already_bagged": 1}
    assert BagItem.objects.filter(waybill=w).count() == 1
    assert sorted(Bag.objects.values_list("parcel_count", flat=True)) == [0, 1]


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_a_seal_waits_for_the_scan_holding_the_bag_and_counts_its_parcel():
    p = provider()
    a, b = received(p, "A"), received(p, "B")
    bag = bags.open_bag(p.hub, channel="USLINE", destination="US")
    bags.scan_into_bag(p.hub, bag, a.number)
    scan_in, release, log = threading.Event(), threading.Event(), []

    def scanner():
        try:
            with transaction.atomic():
                bags.scan_into_bag(p.hub, bag, b.number)
                scan_in.set()
                release.wait(timeout=30)
                log.append("scan commits")
        finally:
            connections.close_all()

    def sealer():
        try:
            scan_in.wait(timeout=30)
            sealed = bags.seal_bag(p.hub, bag)
            log.append(f"sealed with {sealed.parcel_count}")
        finally:
            connections.close_all()

    s1, s2 = threading.Thread(target=scanner), threading.Thread(target=sealer)
    s1.start()
    s2.start()
    scan_in.wait(timeout=30)
    s2.join(timeout=1.5)
    assert s2.is_alive(), "the seal did not wait for the scan's lock on the bag"
    release.set()
    s1.join(timeout=30)
    s2.join(timeout=30)
    assert log == ["scan commits", "sealed with 2"]
