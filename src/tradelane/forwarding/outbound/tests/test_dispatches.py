"""Dispatches: air (MAWB checked) or truck, sealed bags of its channel only, load scan with
strays refused and missing listed, reconcile, and the handover moving every parcel."""

from __future__ import annotations

import datetime as dt

import pytest

from tradelane.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from tradelane.core.models import OutboxMessage
from tradelane.forwarding.hub.models import ProblemReason
from tradelane.forwarding.hub.problems import open_problem
from tradelane.forwarding.models import Bag, Dispatch, Waybill, WaybillEvent
from tradelane.forwarding.outbound import bags, dispatches
from tradelane.forwarding.tests.factories import provider

from .factories import received
from .test_bags import refused

pytestmark = pytest.mark.django_db
DAY = dt.date(2026, 12, 5)


def air(p, **over):
    fields = {"channel": "USLINE", "mode": "air", "mawb": "176-12345675", "flight": "ek 303",
              "departure_date": DAY, "origin_airport": "pvg", "destination_airport": "JFK",
              **over}  # fmt: skip
    return dispatches.create_dispatch(p.hub, **fields)


def sealed_bag(p, refs, weight_g=1000):
    bag = bags.open_bag(p.hub, channel="USLINE", destination="US")
    for ref in refs:
        bags.scan_into_bag(p.hub, bag, received(p, ref, weight_g=weight_g).number)
    return bags.seal_bag(p.hub, bag)


def test_an_air_dispatch_checks_its_mawb_flight_and_airports():
    p = provider()
    d = air(p)
    assert (d.mawb, d.flight, d.origin_airport, d.destination_airport, d.status) == (
        "176-12345675",
        "EK303",
        "PVG",
        "JFK",
        "open",
    )
    assert d.number.startswith("DP") and len(d.number) == 13
    refused(ValidationFailed, "invalid_mawb_check_digit", air, p, mawb="176-12345671")
    refused(ValidationFailed, "invalid_flight", air, p, flight="")
    refused(ValidationFailed, "invalid_airport", air, p, destination_airport="PVG")
    refused(ValidationFailed, "departure_date_required", air, p, departure_date=None)
    refused(ValidationFailed, "truck_plate_required", dispatches.create_dispatch, p.hub,
            channel="USLINE", mode="truck")  # fmt: skip
    refused(PermissionDenied, "permission_denied", dispatches.create_dispatch, p.service,
            channel="USLINE", mode="truck", truck_plate="粤B12345")  # fmt: skip
    truck = dispatches.create_dispatch(
        p.hub, channel="USLINE", mode="truck", truck_plate="粤b 12345", receiving_depot="HK depot"
    )
    assert (truck.truck_plate, truck.receiving_depot) == ("粤B 12345", "HK depot")
    assert Dispatch.objects.count() == 2


def test_only_sealed_bags_of_its_channel_go_on_and_load_scan_finds_strays_and_missing():
    p = provider()
    d = air(p)
    one, two = sealed_bag(p, ["A1", "A2"]), sealed_bag(p, ["B1"])
    open_one = bags.open_bag(p.hub, channel="USLINE", destination="US")
    eu = bags.open_bag(p.hub, channel="EUPOST", destination="GB")
    refused(Conflict, "bag_not_sealed", dispatches.add_bag, p.hub, d, open_one)
    gb = received(p, "G1", channel="EUPOST", consignee={
        "name": "J S", "address1": "1 High St", "city": "London", "postcode": "N1 1AA",
        "country": "GB"})  # fmt: skip
    bags.scan_into_bag(p.hub, eu, gb.number)
    eu = bags.seal_bag(p.hub, eu)
    refused(Conflict, "bag_wrong_line", dispatches.add_bag, p.hub, d, eu.number)
    dispatches.add_bag(p.hub, d, one.number)
    assert dispatches.add_bag(p.hub, d, one).dispatch == d  # again: the same
    dispatches.add_bag(p.hub, d, two)
    other = air(p)
    refused(Conflict, "bag_on_other_dispatch", dispatches.add_bag, p.hub, other, two)

    third = sealed_bag(p, ["C1"])
    err = refused(Conflict, "stray_bag", dispatches.load_scan, p.hub, d, third.number)
    assert err.details == {"code": third.number, "dispatch": None}
    refused(NotFound, "stray_bag", dispatches.load_scan, p.hub, d, "BG000000")
    scan = dispatches.load_scan(p.hub, d, one.number)
    assert (scan.first, scan.scanned, scan.total) == (True, 1, 2)
    assert not dispatches.load_scan(p.hub, d, one.number).first
    assert dispatches.missing_bags(d) == [two]
    err = refused(Conflict, "bags_not_loaded", dispatches.hand_over, p.hub, d)
    assert err.details == {"missing": [two.number]}
    assert Waybill.objects.filter(status="in_transit").count() == 0
    dispatches.remove_bag(p.hub, d, two)
    assert dispatches.missing_bags(d) == [] and Bag.objects.get(pk=two.pk).dispatch is None


def test_reconcile_adds_up_bags_and_parcels_and_finds_a_counter_that_drifted():
    p = provider()
    d = air(p)
    one = sealed_bag(p, ["A1", "A2"], weight_g=1500)
    two = sealed_bag(p, ["B1"], weight_g=800)
    for b in (one, two):
        dispatches.add_bag(p.hub, d, b)
    r = dispatches.reconcile(d)
    chargeable = sum(Waybill.objects.values_list("chargeable_weight_g", flat=True))
    assert (r.bags, r.parcels, r.pieces, r.gross_weight_g, r.parcels_weight_g) == (
        2,
        3,
        3,
        3800,
        3800,
    )
    assert r.chargeable_weight_g == chargeable and r.ok
    assert r.counted == {"parcels": 3, "pieces": 3, "weight_g": 3800, "chargeable_g": chargeable}
    Bag.objects.filter(pk=two.pk).update(parcel_count=2)
    r = dispatches.reconcile(d)
    assert not r.ok and r.differences == [
        {"bag": two.number, "field": "parcels", "counter": 2, "counted": 1}
    ]
    for b in (one, two):
        dispatches.load_scan(p.hub, d, b.number)
    refused(Conflict, "dispatch_does_not_reconcile", dispatches.hand_over, p.hub, d)
    assert Dispatch.objects.get(pk=d.pk).status == "open"


def test_the_handover_moves_every_parcel_to_in_transit_and_closes_everything():
    p = provider()
    p.acme.webhook_url = "https://acme.example/hook"
    p.acme.save(update_fields=["webhook_url"])
    d = air(p)
    one, two = sealed_bag(p, ["A1", "A2"]), sealed_bag(p, ["B1"])
    refused(ValidationFailed, "dispatch_empty", dispatches.hand_over, p.hub, d)
    for b in (one, two):
        dispatches.add_bag(p.hub, d, b)
        dispatches.load_scan(p.hub, d, b.number)
    # a hold opened after the bag was sealed stops the whole dispatch
    held = one.items.first().waybill
    problem, _ = open_problem(p.hub, held, ProblemReason.CUSTOMS_HOLD, "docs")
    err = refused(Conflict, "dispatch_has_held_parcels", dispatches.hand_over, p.hub, d)
    assert err.details == {"parcels": [held.number]}
    assert Waybill.objects.filter(status="in_transit").count() == 0
    from tradelane.forwarding.hub.problems import resolve_problem

    resolve_problem(p.hub, problem, "released", "docs came")
    hooks = OutboxMessage.objects.count()
    done = dispatches.hand_over(p.hub, d)
    assert (done.status, done.handed_over_by) == ("handed_over", p.hub)
    assert set(Waybill.objects.values_list("status", flat=True)) == {"in_transit"}
    assert set(Bag.objects.values_list("status", flat=True)) == {"dispatched"}
    texts = set(WaybillEvent.objects.filter(description__startswith="Handed over")
                .values_list("description", "location"))  # fmt: skip
    assert texts == {("Handed over to the line (MAWB 176-12345675, EK303 PVG-JFK)", "PVG")}
    assert WaybillEvent.objects.filter(description__startswith="Handed over").count() == 3
    assert OutboxMessage.objects.count() == hooks + 3
    refused(Conflict, "dispatch_closed", dispatches.hand_over, p.hub, d)
    refused(Conflict, "dispatch_closed", dispatches.load_scan, p.hub, d, one.number)
    late = received(p, "LATE")
    refused(Conflict, "bag_sealed", bags.scan_into_bag, p.hub, one, late.number)
