"""Tracking webhooks: signature, raw storage first, dedupe, processing by a task, mapping."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from tradelane.integrations.tracking_hooks import hooks, mapping
from tradelane.logistics.models import InboundTracking, Shipment, TrackingEvent
from tradelane.logistics.tests.tracking_factories import (
    allocated_order,
    make_account,
    make_shipment,
)
from tradelane.logistics.tracking import codes as tc

SECRET = "whsec-test-123"


def push(number: str, *events: dict, last_mile: dict | None = None) -> bytes:
    data = {
        "number": number,
        "carrier": 3011,
        "track_info": {
            "latest_status": {"status": "InTransit", "sub_status": "InTransit_Other"},
            "tracking": {
                "providers": [
                    {"provider": {"key": 3011, "name": "China Post"}, "events": list(events)}
                ]
            },
        },
    }
    if last_mile:
        data["last_mile"] = last_mile
    return json.dumps({"event": "TRACKING_UPDATED", "data": data}).encode()


def event(time_iso, stage, sub_status, description, city="", country=""):
    return {
        "time_iso": time_iso,
        "time_utc": None,
        "description": description,
        "location": f"{city} {country}".strip(),
        "stage": stage,
        "sub_status": sub_status,
        "address": {"country": country, "state": None, "city": city, "street": None},
    }


EVENTS = (
    event("2025-03-01T10:00:00+08:00", "PickedUp", "InTransit_PickedUp", "Accepted",
          "Shenzhen", "CN"),
    event("2025-03-03T09:30:00+01:00", "Arrival", "InTransit_CustomsProcessing", "Customs",
          "Leipzig", "DE"),
    event("2025-03-05T14:00:00+01:00", "Delivered", "Delivered_Other", "Delivered",
          "Berlin", "DE"),
)  # fmt: skip


@pytest.fixture
def immediate_tasks(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def post(client, django_capture_on_commit_callbacks):
    """POST a push as the carrier would; after-commit work (the task) runs as in production."""

    def send(body: bytes, *, secret=SECRET, account="T17", signature=None, delivery=None):
        sig = signature if signature is not None else hooks.sign(body, secret)
        headers = {"X-Tradelane-Signature": sig}
        if delivery:
            headers["X-Tradelane-Delivery-Id"] = delivery
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(
                f"/hooks/tracking/{account}",
                data=body,
                content_type="application/json",
                headers=headers,
            )

    return send


# --- the pure mapping ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "stage, sub_status, expected",
    [
        ("InfoReceived", "InfoReceived", tc.INFO_RECEIVED),
        ("PickedUp", "InTransit_PickedUp", tc.PICKED_UP),
        ("PickedUp", "InTransit_Other", tc.PICKED_UP),  # the milestone says more
        ("Departure", "InTransit_Departure", tc.IN_TRANSIT),
        (None, "InTransit_CustomsProcessing", tc.CUSTOMS),
        ("Arrival", "InTransit_CustomsReleased", tc.CUSTOMS_RELEASED),
        (None, "InTransit_CustomsRequiringInformation", tc.CUSTOMS),
        ("AvailableForPickup", "AvailableForPickup_Other", tc.AVAILABLE_FOR_PICKUP),
        ("OutForDelivery", "OutForDelivery_Other", tc.OUT_FOR_DELIVERY),
        (None, "DeliveryFailure_InvalidAddress", tc.DELIVERY_FAILED),
        ("Delivered", "Delivered_Other", tc.DELIVERED),
        ("Returning", "Exception_Returning", tc.RETURNING),
        ("Returned", "Exception_Returned", tc.RETURNED),
        (None, "Exception_Damage", tc.DAMAGED),
        (None, "Exception_Lost", tc.LOST),
        (None, "Exception_Delayed", tc.DELAYED),
        (None, "Exception_Security", tc.EXCEPTION),
        (None, "Expired_Other", tc.EXPIRED),
        (None, "NotFound_InvalidCode", tc.UNKNOWN),
        (None, "DeliveryFailure_SomethingNew", tc.DELIVERY_FAILED),  # main part still known
        ("Teleported", "Warp_Speed", tc.UNKNOWN),  # never guessed
        (None, None, tc.UNKNOWN),
    ],
)
def test_status_mapping(stage, sub_status, expected):
    assert mapping.status_of(stage, sub_status) == expected


def test_every_mapped_status_is_ours():
    for table in (mapping.SUB_STATUS, mapping.STAGE, mapping.MAIN_STATUS):
        assert set(table.values()) <= set(tc.STATUSES)


def test_push_parses_to_results():
    [result] = mapping.results_from_push(
        json.loads(push("RR1", *EVENTS, last_mile={"carrier": "DHL", "number": "JJD1"}))
    )
    assert result.tracking_number == "RR1"
    assert [e.status for e in result.events] == [tc.PICKED_UP, tc.CUSTOMS, tc.DELIVERED]
    first = result.events[0]
    assert first.occurred_at == dt.datetime(2025, 3, 1, 2, 0, tzinfo=dt.UTC)
    assert (first.city, first.country, first.raw_code, first.raw_text) == (
        "Shenzhen", "CN", "InTransit_PickedUp", "Accepted"
    )  # fmt: skip
    assert (result.last_mile_carrier, result.last_mile_tracking_number) == ("DHL", "JJD1")
    assert mapping.results_from_push({"event": "TRACKING_STOPPED", "data": {}}) is None
    with pytest.raises(mapping.PayloadError):
        mapping.results_from_push({"event": "TRACKING_UPDATED", "data": {"number": ""}})
    with pytest.raises(mapping.PayloadError):
        mapping.results_from_push([1, 2])


# --- the endpoint ----------------------------------------------------------------------------


@pytest.fixture
def shipment(db, wh_cn, make_sku):
    make_account("T17", SECRET)
    order = allocated_order(make_sku, wh_cn)
    return make_shipment(wh_cn, status="labelled", tracking="RR123456785CN", orders=[order])


def test_eight_deliveries_store_one_row_and_one_set_of_events(post, shipment, immediate_tasks):
    body = push("RR123456785CN", *EVENTS)
    answers = [post(body) for _ in range(8)]
    assert [a.status_code for a in answers] == [200] * 8
    assert [a.json()["duplicate"] for a in answers] == [False] + [True] * 7
    row = InboundTracking.objects.get()
    assert (row.source, row.status, bytes(row.body)) == ("T17", "processed", body)
    assert row.delivery_id.startswith("sha256:")
    assert TrackingEvent.objects.filter(shipment=shipment).count() == 3
    assert set(TrackingEvent.objects.values_list("source", flat=True)) == {"webhook"}
    shipment.refresh_from_db()
    assert (shipment.status, shipment.tracking_status) == ("delivered", tc.DELIVERED)
    # the task running again does nothing twice
    assert hooks.process(row.pk) == "processed"
    assert TrackingEvent.objects.count() == 3


def test_delivery_id_header_is_the_dedupe_key(post, shipment, immediate_tasks):
    a = push("RR123456785CN", EVENTS[0])
    b = push("RR123456785CN", EVENTS[0], EVENTS[1])
    post(a, delivery="d-1")
    post(a, delivery="d-1")
    post(b, delivery="d-2")
    assert sorted(InboundTracking.objects.values_list("delivery_id", flat=True)) == ["d-1", "d-2"]
    assert TrackingEvent.objects.count() == 2


def test_bad_signature_is_refused_and_nothing_stored(post, client, shipment, immediate_tasks):
    body = push("RR123456785CN", *EVENTS)
    tampered = body.replace(b"Delivered_Other", b"Exception_Lost")
    assert post(tampered, signature=hooks.sign(body, SECRET)).status_code == 401
    assert post(body, secret="wrong").status_code == 401
    assert post(body, signature="").status_code == 401
    assert post(body, account="NOPE").status_code == 401
    assert client.get("/hooks/tracking/T17").status_code == 405
    assert InboundTracking.objects.count() == 0
    assert TrackingEvent.objects.count() == 0
    assert Shipment.objects.get().status == "labelled"


def test_stored_first_then_processed_by_the_task(post, shipment, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    answer = post(push("RR123456785CN", *EVENTS))
    assert answer.status_code == 200
    row = InboundTracking.objects.get()
    assert row.status == "received"  # acknowledged before any processing
    assert TrackingEvent.objects.count() == 0
    assert hooks.process(row.pk) == "processed"
    assert TrackingEvent.objects.count() == 3


def test_unparseable_and_other_events(post, shipment, immediate_tasks):
    post(b"not json")
    post(json.dumps({"event": "TRACKING_STOPPED", "data": {"number": "X"}}).encode())
    rows = dict(InboundTracking.objects.values_list("status", "error"))
    assert set(rows) == {"failed", "ignored"}
    assert "JSONDecodeError" in rows["failed"]


def test_last_mile_in_a_push_reaches_the_store(post, shipment, immediate_tasks):
    from tradelane.core.models import OutboxMessage

    body = push("RR123456785CN", EVENTS[0], last_mile={"carrier": "DHL Paket", "number": "JJD01"})
    post(body)
    post(body)
    shipment.refresh_from_db()
    assert shipment.last_mile_tracking_number == "JJD01"
    updates = [
        m.payload["tracking_number"]
        for m in OutboxMessage.objects.filter(topic="store.fulfillment")
        if m.payload["update"]
    ]
    assert updates == ["JJD01"]
