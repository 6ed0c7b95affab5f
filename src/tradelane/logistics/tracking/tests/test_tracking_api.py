"""Tracking through the HTTP API, including the public lookup and refusals that change nothing."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from tradelane.accounts import roles
from tradelane.api.testing import Api, role_clients
from tradelane.core.models import OutboxMessage
from tradelane.logistics.carriers.contract import TrackEvent
from tradelane.logistics.models import TrackingEvent, TrackingException
from tradelane.logistics.tests.tracking_factories import (
    RECEIVER,
    allocated_order,
    at,
    make_channel,
    make_shipment,
)
from tradelane.logistics.tracking import codes as tc
from tradelane.logistics.tracking import services as tracking

pytestmark = pytest.mark.django_db


@pytest.fixture
def api_as(make_user):
    return role_clients(make_user)


@pytest.fixture
def order(make_sku, wh_cn):
    return allocated_order(make_sku, wh_cn)


@pytest.fixture
def shipment(wh_cn, order):
    s = make_shipment(wh_cn, status="labelled", tracking="YT2600000001", orders=[order])
    tracking.record_events(
        None,
        s,
        [
            TrackEvent(at(0), tc.PICKED_UP, "PU", "Picked up", "Shenzhen", "CN"),
            TrackEvent(at(30), tc.IN_TRANSIT, "AR", "Arrived at hub", "Leipzig", "DE"),
            TrackEvent(at(40), tc.DELIVERY_FAILED, "DF", "Receiver absent", "Berlin", "DE"),
        ],
        "poll",
    )
    s.refresh_from_db()
    return s


def test_shipment_tracking_and_permissions(api_as, shipment):
    r = api_as(roles.LOGISTICS).get(f"/shipments/{shipment.pk}/tracking")
    assert r.status_code == 200, r.content
    body = r.json()
    assert (body["status"], body["tracking_status"]) == ("shipped", tc.DELIVERY_FAILED)
    assert [e["status"] for e in body["events"]] == [
        tc.DELIVERY_FAILED,
        tc.IN_TRANSIT,
        tc.PICKED_UP,
    ]
    assert api_as(roles.WAREHOUSE).get(f"/shipments/{shipment.pk}/tracking").status_code == 200
    # customer service reads tracking (buyers ask where their parcel is), but not shipments
    assert (
        api_as(roles.CUSTOMER_SERVICE).get(f"/shipments/{shipment.pk}/tracking").status_code == 200
    )
    assert api_as(roles.CUSTOMER_SERVICE).get(f"/shipments/{shipment.pk}").status_code == 403
    assert api_as(roles.SALES).get(f"/shipments/{shipment.pk}/tracking").status_code == 403
    assert api_as(roles.LOGISTICS).get("/shipments/999999/tracking").status_code == 404


def test_manual_event_and_last_mile(api_as, shipment, order):
    logistics, warehouse = api_as(roles.LOGISTICS), api_as(roles.WAREHOUSE)
    event = {"status": tc.OUT_FOR_DELIVERY, "text": "Carrier called: out again", "city": "Berlin"}
    assert warehouse.post(f"/shipments/{shipment.pk}/tracking/events", event).status_code == 403
    bad = logistics.post(f"/shipments/{shipment.pk}/tracking/events", {**event, "status": "zzz"})
    assert (bad.status_code, bad.json()["code"]) == (422, "unknown_tracking_status")
    assert TrackingEvent.objects.filter(source="manual").count() == 0
    event["occurred_at"] = (at(45)).isoformat()
    r = logistics.post(f"/shipments/{shipment.pk}/tracking/events", event)
    assert r.status_code == 201, r.content
    assert r.json()["tracking_status"] == tc.OUT_FOR_DELIVERY

    lm = {"carrier": "DHL Paket", "tracking_number": "JJD000390007"}
    assert warehouse.post(f"/shipments/{shipment.pk}/tracking/last-mile", lm).status_code == 403
    # an S10 number with a wrong check digit is refused, and nothing changes
    bad = {"carrier": "Deutsche Post", "tracking_number": "RR123456789DE"}
    r = logistics.post(f"/shipments/{shipment.pk}/tracking/last-mile", bad)
    assert (r.status_code, r.json()["code"]) == (422, "invalid_s10_check_digit")
    assert r.json()["details"]["expected"] == "5"
    shipment.refresh_from_db()
    assert shipment.last_mile_tracking_number == ""
    assert not OutboxMessage.objects.filter(payload__update=True).exists()
    assert not TrackingEvent.objects.filter(raw_code="last_mile").exists()
    r = logistics.post(f"/shipments/{shipment.pk}/tracking/last-mile", lm)
    assert r.status_code == 200, r.content
    assert r.json()["last_mile_tracking_number"] == "JJD000390007"
    # the hand-over told the store the provider's number, the switch the last-mile one
    msgs = OutboxMessage.objects.filter(topic="store.fulfillment").order_by("id")
    assert [(m.payload["tracking_number"], m.payload["update"]) for m in msgs] == [
        ("YT2600000001", False), ("JJD000390007", True)
    ]  # fmt: skip
    assert msgs[1].payload["order_id"] == order.pk


def test_exception_queue_filters_and_resolve(api_as, shipment, wh_cn):
    other = make_shipment(wh_cn, status="shipped", channel=make_channel("OTHER"))
    tracking.record_events(None, other, [TrackEvent(at(1), tc.LOST, "LS", "Lost")], "poll")
    logistics = api_as(roles.LOGISTICS)
    r = logistics.get("/tracking/exceptions")
    assert r.status_code == 200
    # oldest first (opened when the carrier reported it)
    assert [e["kind"] for e in r.json()["items"]] == [tc.LOST, tc.DELIVERY_FAILED]
    assert r.json()["count"] == 2
    lost = logistics.get("/tracking/exceptions", {"kind": "lost"}).json()["items"]
    assert [e["kind"] for e in lost] == ["lost"]
    assert logistics.get("/tracking/exceptions", {"channel": "OTHER"}).json()["count"] == 1
    assert logistics.get("/tracking/exceptions", {"min_age_days": 3650}).json()["count"] == 0
    exc = TrackingException.objects.get(kind=tc.LOST)
    url = f"/tracking/exceptions/{exc.pk}/resolve"
    assert api_as(roles.WAREHOUSE).post(url, {"resolution": "x"}).status_code == 403
    assert logistics.post(url, {"resolution": ""}).status_code == 422
    assert TrackingException.objects.get(pk=exc.pk).status == "open"
    r = logistics.post(url, {"resolution": "Claim filed with the carrier"})
    assert r.status_code == 200, r.content
    assert (r.json()["status"], r.json()["resolved_by"]) == ("resolved", "api_logistics")
    again = logistics.post(url, {"resolution": "again"})
    assert (again.status_code, again.json()["code"]) == (409, "already_resolved")
    assert logistics.get("/tracking/exceptions").json()["count"] == 1
    assert logistics.get("/tracking/exceptions", {"status": "resolved"}).json()["count"] == 1
    assert (
        logistics.post("/tracking/exceptions/99999/resolve", {"resolution": "x"}).status_code == 404
    )


def test_public_json_has_no_personal_data(shipment, order):
    tracking.set_last_mile(
        _admin(), shipment, "DHL Paket", "JJD000390009"
    )  # a last-mile number works too, with the shipment's key
    anonymous = Api()
    for number in ("YT2600000001", "JJD000390009"):
        r = anonymous.get(f"/tracking/{number}", {"key": shipment.public_key})
        assert r.status_code == 200, r.content
        body = r.json()
        assert body["destination"] == {"city": "Berlin", "country": "DE"}
        assert [e["status"] for e in body["events"]] == [
            tc.DELIVERY_FAILED, tc.IN_TRANSIT, tc.PICKED_UP
        ]  # fmt: skip
        text = json.dumps(body)
        for secret in (
            RECEIVER["ship_name"], RECEIVER["ship_address1"], RECEIVER["ship_address2"],
            RECEIVER["ship_phone"], RECEIVER["ship_email"], RECEIVER["ship_postcode"],
            RECEIVER["ship_company"], order.number, shipment.number, "Jane",
        ):  # fmt: skip
            assert secret not in text
    r = anonymous.get("/tracking/NOSUCH0001")
    assert (r.status_code, r.json()["code"]) == (404, "tracking_not_found")
    # a sequential number without its key is not answered, exactly like an unknown one
    assert anonymous.get("/tracking/YT2600000001").json() == r.json()


def test_public_json_needs_no_login_and_exceptions_do(shipment):
    client = Client()
    url = f"/api/v1/tracking/YT2600000001?key={shipment.public_key}"
    assert client.get(url).status_code == 200
    assert client.get("/api/v1/tracking/exceptions").status_code == 401


def _admin():
    from django.contrib.auth.models import Group

    from tradelane.accounts.models import User

    user = User.objects.create_user("tl_admin_for_test", password="x")
    user.groups.set(Group.objects.filter(name=roles.ADMIN))
    return User.objects.get(pk=user.pk)
