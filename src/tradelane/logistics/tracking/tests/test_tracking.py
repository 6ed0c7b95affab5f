"""Tracking services: events in, shipment and order states out, exceptions, last mile, expiry."""

from __future__ import annotations

import datetime as dt

import pytest

from tradelane.core.errors import Conflict, PermissionDenied, ValidationFailed
from tradelane.core.models import AuditLog, OutboxMessage
from tradelane.core.periodic import sweep
from tradelane.inventory.models import StockBalance, StockMovement
from tradelane.logistics.carriers.contract import TrackEvent, TrackResult
from tradelane.logistics.models import Shipment, TrackingEvent, TrackingException
from tradelane.logistics.tests.tracking_factories import (
    allocated_order,
    at,
    make_channel,
    make_shipment,
)
from tradelane.logistics.tracking import codes as tc
from tradelane.logistics.tracking import selectors as sel
from tradelane.logistics.tracking import services as tracking

pytestmark = pytest.mark.django_db


def ev(hours, status, code="", text="", city="", country=""):
    return TrackEvent(
        occurred_at=at(hours), status=status, raw_code=code or status.upper(),
        raw_text=text or status, city=city, country=country,
    )  # fmt: skip


EVENTS = [
    ev(0, tc.INFO_RECEIVED),
    ev(5, tc.PICKED_UP, city="Shenzhen", country="CN"),
    ev(30, tc.IN_TRANSIT, city="Frankfurt", country="DE"),
    ev(50, tc.OUT_FOR_DELIVERY, city="Berlin", country="DE"),
]


def test_out_of_order_events_converge_on_the_latest(wh_cn):
    a = make_shipment(wh_cn, status="shipped")
    b = make_shipment(wh_cn, status="shipped")
    tracking.record_events(None, a, EVENTS, "poll")
    for e in reversed(EVENTS):  # one at a time, newest first
        tracking.record_events(None, b, [e], "webhook")
    for s in (a, b):
        s.refresh_from_db()
        assert (s.tracking_status, s.tracking_status_at) == (tc.OUT_FOR_DELIVERY, at(50))
        assert s.events.count() == 4
    # an old event arriving late changes nothing
    tracking.record_events(None, a, [ev(1, tc.PICKED_UP, code="X1")], "poll")
    a.refresh_from_db()
    assert a.tracking_status == tc.OUT_FOR_DELIVERY


def test_duplicate_events_are_stored_once(wh_cn):
    s = make_shipment(wh_cn, status="shipped")
    result = TrackResult(s.tracking_number, tuple(EVENTS + EVENTS))
    first = tracking.record_track_results(None, "YT", [result, result])
    again = tracking.record_track_results(None, "YT", [result])
    assert first["events_new"] == 4
    assert again["events_new"] == 0
    assert TrackingEvent.objects.filter(shipment=s).count() == 4


def test_results_for_many_numbers_use_a_constant_number_of_lookups(
    wh_cn, django_assert_max_num_queries
):
    shipments = [make_shipment(wh_cn, status="shipped") for _ in range(3)]
    more = [make_shipment(wh_cn, status="shipped") for _ in range(12)]

    def results(ships):
        return [TrackResult(s.tracking_number, (ev(1, tc.IN_TRANSIT),)) for s in ships]

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as small:
        tracking.record_track_results(None, "YT", results(shipments))
    with CaptureQueriesContext(connection) as big:
        tracking.record_track_results(None, "YT", results(more))
    assert len(big) == len(small)  # set-based: 5x the numbers, the same queries


def test_unknown_numbers_are_reported_not_stored(wh_cn):
    out = tracking.record_track_results(None, "YT", [TrackResult("NOPE1", (ev(1, tc.IN_TRANSIT),))])
    assert out["unknown_numbers"] == ["NOPE1"]
    assert TrackingEvent.objects.count() == 0


def test_bad_status_or_naive_time_is_refused_and_nothing_written(wh_cn):
    s = make_shipment(wh_cn, status="shipped")
    with pytest.raises(ValidationFailed):
        tracking.record_events(None, s, [ev(1, "teleported")], "poll")
    naive = TrackEvent(occurred_at=dt.datetime(2025, 3, 1), status=tc.IN_TRANSIT)
    with pytest.raises(ValidationFailed):
        tracking.record_events(None, s, [ev(1, tc.IN_TRANSIT), naive], "poll")
    assert TrackingEvent.objects.count() == 0


def test_moving_event_hands_over_shipment_and_orders_with_stock_out(wh_cn, make_sku):
    order = allocated_order(make_sku, wh_cn, qty=2, on_hand=10)
    s = make_shipment(wh_cn, status="labelled", orders=[order])
    tracking.record_events(None, s, [ev(0, tc.INFO_RECEIVED)], "poll")
    s.refresh_from_db()
    order.refresh_from_db()
    assert (s.status, order.status) == ("labelled", "pending_shipment")  # data only: no move

    tracking.record_events(None, s, [ev(5, tc.PICKED_UP)], "poll")
    s.refresh_from_db()
    order.refresh_from_db()
    assert (s.status, s.shipped_at) == ("shipped", at(5))
    assert order.status == "shipped"
    balance = StockBalance.objects.get(warehouse=wh_cn)
    assert (balance.on_hand, balance.reserved) == (8, 0)
    shipped = StockMovement.objects.filter(kind="shipment", source_id=str(order.pk))
    assert list(shipped.values_list("on_hand_delta", "reserved_delta")) == [(-2, -2)]

    # one hand-over path (shipping.ship_shipment): the store is told the tracking number
    told = OutboxMessage.objects.get(topic="store.fulfillment")
    assert (told.payload["tracking_number"], told.payload["update"]) == (s.tracking_number, False)

    # the same news again moves nothing twice
    tracking.record_events(None, s, [ev(5, tc.PICKED_UP), ev(6, tc.IN_TRANSIT)], "poll")
    assert StockMovement.objects.filter(kind="shipment").count() == 1
    assert OutboxMessage.objects.filter(topic="store.fulfillment").count() == 1


def test_delivered_delivers_shipment_and_orders(wh_cn, make_sku):
    order = allocated_order(make_sku, wh_cn)
    s = make_shipment(wh_cn, status="labelled", orders=[order])
    # delivered arrives first, then the older moving events: the end state is the same
    tracking.record_events(None, s, [ev(60, tc.DELIVERED, city="Berlin", country="DE")], "poll")
    tracking.record_events(None, s, EVENTS, "poll")
    s.refresh_from_db()
    order.refresh_from_db()
    assert (s.status, s.delivered_at, s.tracking_status) == ("delivered", at(60), tc.DELIVERED)
    assert order.status == "delivered"
    assert StockMovement.objects.filter(kind="shipment").count() == 1


def test_returned_returns_the_shipment(wh_cn):
    s = make_shipment(wh_cn, status="shipped")
    tracking.record_events(None, s, [ev(1, tc.RETURNING), ev(9, tc.RETURNED)], "poll")
    s.refresh_from_db()
    assert (s.status, s.tracking_status) == ("returned", tc.RETURNED)
    assert list(TrackingException.objects.values_list("kind", flat=True)) == [tc.RETURNED]


def test_exception_opened_once_and_resolved(wh_cn, logistics, cs):
    s = make_shipment(wh_cn, status="shipped")
    tracking.record_events(None, s, [ev(1, tc.DELIVERY_FAILED, text="No one home")], "poll")
    tracking.record_events(None, s, [ev(1, tc.DELIVERY_FAILED, text="No one home")], "poll")
    tracking.record_events(None, s, [ev(2, tc.DELIVERY_FAILED, text="Again no one")], "poll")
    exc = TrackingException.objects.get()
    assert (exc.kind, exc.status, exc.detail) == (tc.DELIVERY_FAILED, "open", "No one home")
    assert sel.exception_counts() == {tc.DELIVERY_FAILED: 1}

    with pytest.raises(PermissionDenied):
        tracking.resolve_exception(cs, exc, "called")
    with pytest.raises(ValidationFailed):
        tracking.resolve_exception(logistics, exc, "  ")
    exc.refresh_from_db()
    assert exc.status == "open"

    tracking.resolve_exception(logistics, exc, "Called the buyer, redelivery booked")
    exc.refresh_from_db()
    assert (exc.status, exc.resolved_by, exc.resolution) == (
        "resolved", logistics, "Called the buyer, redelivery booked"
    )  # fmt: skip
    assert AuditLog.objects.filter(action="logistics.tracking.resolve").count() == 1
    with pytest.raises(Conflict):
        tracking.resolve_exception(logistics, exc, "twice")
    # a new failure after resolution opens a new one
    tracking.record_events(None, s, [ev(30, tc.DELIVERY_FAILED, text="Third try")], "poll")
    assert TrackingException.objects.filter(status="open").count() == 1


def test_exception_superseded_by_later_news_does_not_open(wh_cn):
    s = make_shipment(wh_cn, status="shipped")
    tracking.record_events(
        None, s, [ev(1, tc.DELIVERY_FAILED), ev(20, tc.DELIVERED)], "poll"
    )  # fmt: skip
    assert TrackingException.objects.count() == 0


def test_delivery_settles_a_failed_attempt(wh_cn):
    s = make_shipment(wh_cn, status="shipped")
    tracking.record_events(None, s, [ev(1, tc.DELIVERY_FAILED)], "poll")
    tracking.record_events(None, s, [ev(20, tc.DELIVERED)], "poll")
    assert list(TrackingException.objects.values_list("status", flat=True)) == ["resolved"]


def test_last_mile_switch_recorded_and_pushed_to_the_store_once(wh_cn, make_sku):
    order = allocated_order(make_sku, wh_cn)
    s = make_shipment(wh_cn, status="shipped", orders=[order])
    result = TrackResult(
        s.tracking_number, (ev(10, tc.IN_TRANSIT),),
        last_mile_carrier="DHL Paket", last_mile_tracking_number="00340434161234567890",
    )  # fmt: skip
    for _ in range(3):
        tracking.record_track_results(None, "YT", [result])
    s.refresh_from_db()
    assert (s.last_mile_carrier, s.last_mile_tracking_number) == (
        "DHL Paket",
        "00340434161234567890",
    )
    assert s.last_mile_at is not None
    system = s.events.filter(source="system")
    assert list(system.values_list("raw_code", flat=True)) == [tracking.LAST_MILE_CODE]
    assert s.tracking_status == tc.IN_TRANSIT  # the switch says nothing about the parcel
    msgs = OutboxMessage.objects.filter(topic="store.fulfillment")
    assert msgs.count() == 1
    assert msgs.get().payload == {
        "order_id": order.pk,
        "store_id": order.store_id,
        "tracking_company": "DHL Paket",
        "tracking_number": "00340434161234567890",
        "tracking_url": "",
        "update": True,
        "previous_number": s.tracking_number,  # what the store's fulfilments carry until now
    }
    # events reported under the last-mile number find the shipment too
    out = tracking.record_track_results(
        None, "DHL", [TrackResult("00340434161234567890", (ev(40, tc.DELIVERED),))]
    )
    assert out["matched"] == 1
    s.refresh_from_db()
    assert s.status == "delivered"


def test_set_last_mile_by_hand(wh_cn, logistics, cs, make_sku, settings):
    settings.TRADELANE_PUBLIC_URL = "https://tl.example"
    order = allocated_order(make_sku, wh_cn)
    s = make_shipment(wh_cn, status="shipped", orders=[order])
    with pytest.raises(PermissionDenied):
        tracking.set_last_mile(cs, s, "USPS", "9400100000000000000000")
    with pytest.raises(ValidationFailed):
        tracking.set_last_mile(logistics, s, "USPS", " ")
    assert OutboxMessage.objects.count() == 0
    tracking.set_last_mile(logistics, s, "USPS", "9400100000000000000000")
    tracking.set_last_mile(logistics, s, "USPS", "9400100000000000000000")
    tracking.set_last_mile(logistics, s, "USPS", "9400100000000000000001")  # corrected
    payloads = [m.payload for m in OutboxMessage.objects.order_by("id")]
    assert [p["tracking_number"] for p in payloads] == [
        "9400100000000000000000", "9400100000000000000001"
    ]  # fmt: skip
    # our public page for the new number, with the shipment's key (a last-mile number is the
    # carrier's: it does not open our page alone)
    key = s.public_key
    assert payloads[1]["tracking_url"] == f"https://tl.example/t/9400100000000000000001/{key}"


def test_manual_event(wh_cn, logistics, cs):
    s = make_shipment(wh_cn, status="shipped")
    with pytest.raises(PermissionDenied):
        tracking.add_manual_event(cs, s, tc.DAMAGED, "Box crushed", at(3))
    with pytest.raises(ValidationFailed):
        tracking.add_manual_event(logistics, s, tc.DAMAGED, "", at(3))
    with pytest.raises(ValidationFailed):
        tracking.add_manual_event(logistics, s, "smashed", "Box crushed", at(3))
    assert TrackingEvent.objects.count() == 0
    tracking.add_manual_event(logistics, s, tc.DAMAGED, "Box crushed", at(3))
    e = TrackingEvent.objects.get()
    assert (e.source, e.status, e.raw_text) == ("manual", tc.DAMAGED, "Box crushed")
    assert TrackingException.objects.get().kind == tc.DAMAGED


def test_system_actor_or_tracking_permission(wh_cn, cs, logistics):
    s = make_shipment(wh_cn, status="shipped")
    with pytest.raises(PermissionDenied):
        tracking.record_track_results(cs, "YT", [TrackResult(s.tracking_number, EVENTS_T)])
    assert TrackingEvent.objects.count() == 0
    out = tracking.record_track_results(logistics, "YT", [TrackResult(s.tracking_number, EVENTS_T)])
    assert out["events_new"] == 4


EVENTS_T = tuple(EVENTS)


def test_expiry_after_n_days_per_channel(wh_cn):
    postal = make_channel("POST", service_type="postal")  # 60 days
    express = make_channel("EXP", service_type="express")  # 30 days
    custom = make_channel("CUST", service_type="postal", expire_after_days=10)
    sp = make_shipment(wh_cn, status="shipped", channel=postal)
    se = make_shipment(wh_cn, status="shipped", channel=express)
    sc = make_shipment(wh_cn, status="shipped", channel=custom)
    done = make_shipment(wh_cn, status="shipped", channel=custom)
    for s in (sp, se, sc, done):
        tracking.record_events(None, s, [ev(0, tc.IN_TRANSIT)], "poll")
    tracking.record_events(None, done, [ev(1, tc.DELIVERED)], "poll")

    def expired_ids():
        return set(Shipment.objects.filter(tracking_status=tc.EXPIRED).values_list("pk", flat=True))

    assert tracking.expire_stale(at(24 * 10 - 1)) == {"expired": 0}
    assert tracking.expire_stale(at(24 * 10 + 1)) == {"expired": 1}
    assert expired_ids() == {sc.pk}
    assert tracking.expire_stale(at(24 * 31)) == {"expired": 1}
    assert expired_ids() == {sc.pk, se.pk}
    assert tracking.expire_stale(at(24 * 61)) == {"expired": 1}
    assert tracking.expire_stale(at(24 * 90)) == {"expired": 0}  # idempotent
    assert expired_ids() == {sc.pk, se.pk, sp.pk}
    assert TrackingException.objects.filter(kind=tc.EXPIRED, status="open").count() == 3
    assert TrackingEvent.objects.filter(status=tc.EXPIRED).count() == 3
    # news ends "no news": status follows the new event, the expiry exception is settled
    tracking.record_events(None, sc, [ev(24 * 100, tc.OUT_FOR_DELIVERY)], "poll")
    sc.refresh_from_db()
    assert sc.tracking_status == tc.OUT_FOR_DELIVERY
    assert TrackingException.objects.filter(kind=tc.EXPIRED, status="open").count() == 2


def test_expiry_runs_in_the_sweep(wh_cn):
    s = make_shipment(wh_cn, status="shipped")
    tracking.record_events(None, s, [ev(0, tc.IN_TRANSIT)], "poll")
    results = sweep()
    assert results["tracking_expiry"] == {"expired": 1}  # T0 is long ago


def test_public_view_and_search(wh_cn, make_sku):
    order = allocated_order(make_sku, wh_cn)
    s = make_shipment(wh_cn, status="labelled", orders=[order])
    tracking.record_events(None, s, EVENTS, "poll")
    assert sel.public_tracking(s.tracking_number) is None  # sequential: needs the key
    view = sel.public_tracking(s.tracking_number, s.public_key)
    assert view["status"] == tc.OUT_FOR_DELIVERY
    assert [e["status"] for e in view["events"]] == [
        tc.OUT_FOR_DELIVERY, tc.IN_TRANSIT, tc.PICKED_UP, tc.INFO_RECEIVED
    ]  # fmt: skip
    assert view["destination"] == {"city": "Berlin", "country": "DE"}
    assert sel.public_tracking("UNKNOWN123") is None
    assert sel.shipments_for_search(order.number) == [s]
    assert sel.shipments_for_search(s.tracking_number) == [s]
    assert sel.shipments_for_search("") == []
