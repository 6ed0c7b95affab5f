"""Bags: open for a sort key, scan received parcels in (and every refusal, which changes
nothing), take one out, weigh, seal (a postal bag's S9 id), and the Bagged events."""

from __future__ import annotations

import pytest
from django.utils import timezone

from tradelane.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from tradelane.forwarding.hub.models import ProblemReason
from tradelane.forwarding.hub.problems import open_problem, resolve_problem
from tradelane.forwarding.models import Bag, BagItem, WaybillEvent
from tradelane.forwarding.outbound import bags
from tradelane.forwarding.tests.factories import payload, provider
from tradelane.forwarding.waybills import services

from .factories import make_postal, received

pytestmark = pytest.mark.django_db

GB = {"name": "John Smith", "address1": "10 Downing Street", "city": "London",
      "postcode": "SW1A 2AA", "country": "GB"}  # fmt: skip


def snapshot(bag):
    bag.refresh_from_db()
    return (bag.status, bag.parcel_count, bag.piece_count, bag.parcels_weight_g,
            bag.receptacle_id, BagItem.objects.count(),
            WaybillEvent.objects.filter(description__startswith="Bagged").count())  # fmt: skip


def refused(exc_type, code, fn, *args, **kw):
    with pytest.raises(exc_type) as exc:
        fn(*args, **kw)
    assert exc.value.code == code, exc.value.code
    return exc.value


def test_a_bag_takes_received_parcels_of_its_sort_key_and_a_second_scan_is_the_same():
    p = provider()
    a = received(p, "A1", weight_g=1500)
    b = received(p, "A2", weight_g=700, pieces=[{"weight_g": 400}, {"weight_g": 300}])
    bag = bags.open_bag(p.hub, channel="USLINE", destination="us")
    assert (bag.sort_key, bag.status, bag.kind, bag.is_postal) == ("USLINE/US", "open", "air",
                                                                  False)  # fmt: skip
    assert bag.number.startswith("BG") and len(bag.number) == 13 and bag.number.endswith("00001")
    first = bags.scan_into_bag(p.hub, bag, a.number)
    assert first.added and first.bag.parcel_count == 1
    again = bags.scan_into_bag(p.hub, bag, a.number)
    assert not again.added and again.bag.parcel_count == 1
    by_carton = bags.scan_into_bag(p.hub, bag, f"{b.number}-2")
    assert by_carton.added and by_carton.waybill == b
    bag.refresh_from_db()
    assert (bag.parcel_count, bag.piece_count, bag.parcels_weight_g) == (2, 3, 2200)
    assert bag.chargeable_weight_g == a.chargeable_weight_g + b.chargeable_weight_g


def test_every_refused_scan_says_why_and_changes_nothing():
    p = provider()
    ok = received(p, "OK1")
    bag = bags.open_bag(p.hub, channel="USLINE", destination="US")
    bags.scan_into_bag(p.hub, bag, ok.number)
    before = snapshot(bag)

    created, _ = services.create_waybill(p.acme_user, p.acme, payload("NEW1"))
    refused(Conflict, "parcel_not_received", bags.scan_into_bag, p.hub, bag, created.number)

    held = received(p, "HELD1")
    problem, _ = open_problem(p.hub, held, ProblemReason.CUSTOMER_INTERCEPT, "stop it")
    err = refused(Conflict, "parcel_on_hold", bags.scan_into_bag, p.hub, bag, held.number)
    assert err.details["reason"] == "customer_intercept"

    eu_bag = bags.open_bag(p.hub, channel="EUPOST", destination="GB")
    gb = received(p, "GB1", channel="EUPOST", consignee=GB)
    err = refused(Conflict, "wrong_bag", bags.scan_into_bag, p.hub, bag, gb.number)
    assert err.details == {"needs": "EUPOST/GB", "bag": "USLINE/US", "open_bag": eu_bag.number}
    assert "EUPOST/GB" in str(err)

    other = bags.open_bag(p.hub, channel="USLINE", destination="US")
    err = refused(Conflict, "already_bagged", bags.scan_into_bag, p.hub, other, ok.number)
    assert err.details == {"bag": bag.number}
    refused(NotFound, "parcel_not_found", bags.scan_into_bag, p.hub, bag, "NOPE123")
    refused(PermissionDenied, "permission_denied", bags.scan_into_bag, p.acme_user, bag, ok.number)
    assert snapshot(bag) == before
    assert other.items.count() == 0

    # the hold released: the parcel goes in
    resolve_problem(p.hub, problem, "released", "customer agreed")
    assert bags.scan_into_bag(p.hub, bag, held.number).added


def test_remove_weigh_and_seal_then_a_sealed_bag_refuses_everything():
    p = provider()
    a, b = received(p, "A1", weight_g=1000), received(p, "A2", weight_g=2000)
    bag = bags.open_bag(p.hub, channel="USLINE", destination="US")
    refused(ValidationFailed, "bag_empty", bags.seal_bag, p.hub, bag)
    bags.scan_into_bag(p.hub, bag, a.number)
    bags.scan_into_bag(p.hub, bag, b.number)
    bag = bags.remove_from_bag(p.hub, bag, b.number)
    assert (bag.parcel_count, bag.parcels_weight_g) == (1, 1000)
    refused(NotFound, "not_in_bag", bags.remove_from_bag, p.hub, bag, b.number)
    refused(ValidationFailed, "invalid_weight", bags.weigh_bag, p.hub, bag, 0)
    bag = bags.weigh_bag(p.hub, bag, 1180)
    events = WaybillEvent.objects.count()
    sealed = bags.seal_bag(p.hub, bag)
    assert (sealed.status, sealed.gross_weight_g, sealed.receptacle_id) == ("sealed", 1180, "")
    assert sealed.label_id == bag.number and sealed.sealed_by == p.hub
    assert WaybillEvent.objects.count() == events + 1
    ev = WaybillEvent.objects.filter(waybill=a).order_by("-id").first()
    assert (ev.status, ev.description) == ("in_transit", f"Bagged ({bag.number})")
    assert not WaybillEvent.objects.filter(waybill=b, description__startswith="Bagged").exists()
    before = snapshot(bag)
    refused(Conflict, "bag_sealed", bags.scan_into_bag, p.hub, bag, b.number)
    refused(Conflict, "bag_sealed", bags.remove_from_bag, p.hub, bag, a.number)
    refused(Conflict, "bag_sealed", bags.weigh_bag, p.hub, bag, 900)
    assert bags.seal_bag(p.hub, bag).sealed_at == sealed.sealed_at  # a second seal: as it was
    assert snapshot(bag) == before


def test_a_postal_bag_gets_its_s9_id_at_the_seal_and_the_route_counts_receptacles():
    p = provider()
    make_postal(p)
    refused(ValidationFailed, "postal_route_missing", bags.open_bag, p.hub, channel="EUPOST",
            destination="DE")  # fmt: skip
    parcels = [received(p, f"G{i}", weight_g=1234, channel="EUPOST", consignee=GB)
               for i in range(3)]  # fmt: skip
    year = str(timezone.localdate().year % 10)  # 2468 g in the first bag: 24.68 hg -> 0025
    first = bags.open_bag(p.hub, channel="EUPOST", destination="GB", kind="air")
    bags.scan_into_bag(p.hub, first, parcels[0].number)
    bags.scan_into_bag(p.hub, first, parcels[1].number)
    first = bags.seal_bag(p.hub, first)
    assert first.receptacle_id == f"CNSHAAGBLONAAUN{year}0001" + "001" + "0" + "0" + "0025"
    assert len(first.receptacle_id) == 29 and first.label_id == first.receptacle_id
    second = bags.open_bag(p.hub, channel="EUPOST", destination="GB", kind="air")
    bags.scan_into_bag(p.hub, second, parcels[2].number)
    bags.weigh_bag(p.hub, second, 15_049)
    second = bags.seal_bag(p.hub, second, last=True)
    assert second.receptacle_id == f"CNSHAAGBLONAAUN{year}0001" + "002" + "1" + "0" + "0150"
    assert bags.find_bag(second.receptacle_id) == second
    assert bags.find_bag(second.number.lower()) == second
    route = first.postal_route
    route.refresh_from_db()
    assert (route.dispatch_serial, route.next_receptacle) == (2, 1)
    assert Bag.objects.filter(receptacle_id__startswith=f"CNSHAAGBLONAAUN{year}0001").count() == 2


def test_the_inbound_scan_names_the_open_bag_of_the_parcels_sort_key():
    from tradelane.forwarding.hub import inbound

    p = provider()
    w, _ = services.create_waybill(p.acme_user, p.acme, payload("SORT1"))
    other, _ = services.create_waybill(p.acme_user, p.acme, payload("SORT2"))
    first = inbound.scan(p.hub, code=w.number, station="S1", weight_g=1200)
    assert (first["sort_key"], first["bag"]) == ("USLINE/US", None)  # no bag open yet
    bag = bags.open_bag(p.hub, channel="USLINE", destination="US")
    bags.open_bag(p.hub, channel="EUPOST", destination="GB")  # another key's bag
    second = inbound.scan(p.hub, code=other.number, station="S1", weight_g=1200)
    assert (second["sort_key"], second["bag"]) == ("USLINE/US", bag.label_id)
