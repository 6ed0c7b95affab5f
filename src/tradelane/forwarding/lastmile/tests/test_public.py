"""The public page finds a provider's parcel by its waybill, tracking or last-mile number
(never the customer's reference) and shows the one timeline without private data."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from tradelane.forwarding.tests.factories import payload, provider
from tradelane.forwarding.waybills import services as waybills
from tradelane.logistics.carriers import contract as gateways
from tradelane.logistics.tracking import codes

from .. import assignment, tracking

pytestmark = pytest.mark.django_db


@pytest.fixture
def p():
    ns = provider()
    ns.w, _ = waybills.create_waybill(ns.acme_user, ns.acme, payload("REF-SECRET-1"))
    waybills.assign_numbers(ns.hub, ns.w, tracking_number="TRK000111")
    assignment.assign(ns.hub, ns.w, "USPS", "LM-PUBLIC-1")
    at = dt.datetime.now(dt.UTC) + dt.timedelta(hours=1)
    tracking.record_carrier_events(
        ns.w,
        [
            gateways.TrackEvent(
                occurred_at=at, status=codes.OUT_FOR_DELIVERY, raw_text="Out for delivery"
            )
        ],
    )
    ns.w.refresh_from_db()
    return ns


def test_found_by_any_of_its_three_numbers(p):
    c = Client()
    for number in (p.w.number, "TRK000111", "LM-PUBLIC-1"):
        r = c.get(f"/w/{number}", {"lang": "en"})
        body = r.content.decode()
        assert r.status_code == 200, number
        assert "Out for delivery" in body and "Last-mile number assigned" in body
        assert p.w.consignee_name not in body and "REF-SECRET-1" not in body
        assert p.w.consignee_address1 not in body


def test_the_reference_and_unknown_numbers_find_nothing(p):
    c = Client()
    assert c.get("/w/REF-SECRET-1").status_code == 404
    assert c.get("/w/NOPE").status_code == 404
