"""One timeline: the last-mile carrier's events (polled through the carrier contract or
pushed) written once beside ours, exceptions opening a problem, delivered moving the waybill,
and the open API's tracking endpoint showing each event's source."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from tradelane.core import periodic
from tradelane.forwarding.models import LastMileEvent, ProblemParcel, Waybill, WaybillEvent
from tradelane.forwarding.tests.factories import payload, provider
from tradelane.forwarding.waybills import services as waybills
from tradelane.logistics.carriers import contract as gateways
from tradelane.logistics.models import CarrierAccount
from tradelane.logistics.tracking import codes

from .. import assignment, tracking

pytestmark = pytest.mark.django_db
T0 = dt.datetime(2026, 12, 1, 8, 0, tzinfo=dt.UTC)


def ev(status, hours, text):
    return gateways.TrackEvent(occurred_at=T0 + dt.timedelta(hours=hours), status=status,
                               raw_code=status.upper(), raw_text=text, city="New York",
                               country="US")  # fmt: skip


class Tracker:
    def __init__(self):
        self.asked, self.events = [], {}

    def track(self, account, numbers):
        self.asked.append(list(numbers))
        return [gateways.TrackResult(n, tuple(self.events.get(n, ()))) for n in numbers]


@pytest.fixture
def p():
    ns = provider()
    ns.w, _ = waybills.create_waybill(ns.acme_user, ns.acme, payload("R1"))
    waybills.receive(ns.hub, ns.w, weight_g=1200)
    assignment.assign(ns.hub, ns.w, "usps", "9400100000000000000001")
    waybills.move(ns.hub, ns.w, "in_transit")
    ns.w.refresh_from_db()
    return ns


def test_events_are_written_once_and_merged_with_ours(p):
    events = [ev(codes.IN_TRANSIT, 30 * 24, "Arrived at USPS facility"),
              ev(codes.OUT_FOR_DELIVERY, 31 * 24, "Out for delivery")]  # fmt: skip
    assert tracking.record_carrier_events(p.w, events) == 2
    assert tracking.record_carrier_events(p.w, events) == 0  # polled again: nothing new
    assert LastMileEvent.objects.filter(waybill=p.w).count() == 2
    line = tracking.merged_timeline(p.w)
    assert [(e["source"], e["description"]) for e in line][-2:] == [
        ("last_mile", "Arrived at USPS facility"),
        ("last_mile", "Out for delivery"),
    ]
    assert {e["source"] for e in line[:-2]} == {"provider"}
    assert line[-1]["location"] == "New York, US"


def test_an_exception_opens_a_problem_and_delivered_moves_the_waybill(p):
    tracking.record_carrier_events(p.w, [ev(codes.DELIVERY_FAILED, 1, "No one at home")])
    prob = ProblemParcel.objects.get(waybill=p.w)
    assert (prob.reason, prob.note) == ("tracking_exception", "usps: No one at home")
    tracking.record_carrier_events(p.w, [ev(codes.DELIVERED, 2, "Delivered, front door")])
    p.w.refresh_from_db()
    assert p.w.status == "delivered"
    # delivered once: a repeat of the news moves nothing and writes nothing
    count = WaybillEvent.objects.filter(waybill=p.w).count()
    tracking.record_carrier_events(p.w, [ev(codes.DELIVERED, 2, "Delivered, front door")])
    assert WaybillEvent.objects.filter(waybill=p.w).count() == count


def test_polling_asks_the_carrier_account_through_the_contract(p):
    gw = Tracker()
    gw.events["9400100000000000000001"] = [ev(codes.IN_TRANSIT, 5, "Departed")]
    gateways.register("usps", lambda: gw)
    try:
        CarrierAccount.objects.create(code="USPS1", name="USPS", carrier="usps")
        assert tracking.poll_last_mile() == {"waybills": 1, "events": 1, "failed": 0,
                                             "no_account": 0}  # fmt: skip
        assert tracking.poll_last_mile()["waybills"] == 0  # just asked: not due yet
        later = timezone.now() + tracking.poll_interval() + dt.timedelta(seconds=1)
        assert tracking.poll_last_mile(later) == {"waybills": 1, "events": 0, "failed": 0,
                                                  "no_account": 0}  # fmt: skip
    finally:
        gateways._factories.pop("usps", None)
    assert gw.asked == [["9400100000000000000001"]] * 2


def _on_the_way(p, reference, number):
    w, _ = waybills.create_waybill(p.acme_user, p.acme, payload(reference))
    waybills.receive(p.hub, w, weight_g=1200)
    assignment.assign(p.hub, w, "usps", number)
    waybills.move(p.hub, w, "in_transit")
    w.refresh_from_db()
    return w


@pytest.fixture
def usps():
    gw = Tracker()
    gateways.register("usps", lambda: gw)
    CarrierAccount.objects.create(code="USPS1", name="USPS", carrier="usps")
    yield gw
    gateways._factories.pop("usps", None)


def test_the_worker_sweep_polls_the_due_waybills_and_leaves_the_others(p, usps, settings):
    settings.TRADELANE_LASTMILE_POLL_INTERVAL_S = 3600
    now = timezone.now()
    stale = _on_the_way(p, "R2", "9400100000000000000002")
    fresh = _on_the_way(p, "R3", "9400100000000000000003")
    Waybill.objects.filter(pk=stale.pk).update(last_mile_polled_at=now - dt.timedelta(hours=2))
    asked_recently = now - dt.timedelta(minutes=10)
    Waybill.objects.filter(pk=fresh.pk).update(last_mile_polled_at=asked_recently)
    for n in ("9400100000000000000001", "9400100000000000000002", "9400100000000000000003"):
        usps.events[n] = [ev(codes.IN_TRANSIT, 5, f"Departed {n[-1]}")]

    results = periodic.sweep()

    assert results["lastmile_tracking_poll"] == {"waybills": 2, "events": 2, "failed": 0,
                                                 "no_account": 0}  # fmt: skip
    # never asked first, then the longest unasked; the one asked ten minutes ago is not asked
    assert usps.asked == [["9400100000000000000001", "9400100000000000000002"]]
    polled = dict(Waybill.objects.values_list("pk", "last_mile_polled_at"))
    assert polled[p.w.pk] >= now and polled[stale.pk] >= now
    assert polled[fresh.pk] == asked_recently
    assert sorted(LastMileEvent.objects.values_list("waybill_id", flat=True)) == sorted(
        [p.w.pk, stale.pk]
    )
    assert not WaybillEvent.objects.filter(waybill=fresh, description__startswith="Departed")
    # the next sweep has nothing due: the carrier is not asked again
    assert periodic.sweep()["lastmile_tracking_poll"]["waybills"] == 0
    assert len(usps.asked) == 1


def test_a_carrier_down_or_without_an_account_is_asked_after_the_interval(p, settings):
    class Down:
        def track(self, account, numbers):
            raise gateways.CarrierError("USPS is down", code="carrier_unavailable")

    gateways.register("usps", Down)
    other = _on_the_way(p, "R2", "JJD0000000000001")
    Waybill.objects.filter(pk=other.pk).update(last_mile_carrier="nowhere")
    events = WaybillEvent.objects.count()
    try:
        CarrierAccount.objects.create(code="USPS1", name="USPS", carrier="usps")
        assert tracking.poll_last_mile() == {"waybills": 0, "events": 0, "failed": 1,
                                             "no_account": 1}  # fmt: skip
        # both marked asked, so neither is asked again every sweep
        assert tracking.poll_last_mile() == {"waybills": 0, "events": 0, "failed": 0,
                                             "no_account": 0}  # fmt: skip
    finally:
        gateways._factories.pop("usps", None)
    assert WaybillEvent.objects.count() == events
    assert not ProblemParcel.objects.exists()
    p.w.refresh_from_db()
    assert p.w.status == "in_transit"


def test_the_open_api_tracking_shows_the_source(p):
    from tradelane.accounts import services as accounts
    from tradelane.api.testing import Api

    tracking.record_carrier_events(p.w, [ev(codes.IN_TRANSIT, 24 * 365, "Departed")])
    _key, raw = accounts.create_api_key(p.acme_user, user=p.acme_user, name="erp")
    api = Api(key=raw)
    for number in (p.w.number, "9400100000000000000001"):
        track = api.get(f"/provider/waybills/{number}/tracking").json()
        assert [(e["source"], e["description"]) for e in track["events"]] == [
            ("provider", "Waybill created, waiting for the parcel"),
            ("provider", "Received at the hub and weighed"),
            ("provider", "Last-mile number assigned: usps 9400100000000000000001"),
            ("provider", "Left the hub"),
            ("last_mile", "Departed"),
        ]
