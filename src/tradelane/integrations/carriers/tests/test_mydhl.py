"""DHL Express over the MyDHL API: what the gateway sends, and what the fake (like the real
API) refuses."""

from __future__ import annotations

import base64
import json
import urllib.error
import urllib.request
from dataclasses import replace

import pytest

from tradelane.logistics.carriers import contract as g

from .conftest import _setup


@pytest.fixture
def dhl():
    return _setup("dhl_express")


def _call(dhl, path: str, body: dict | None, auth: bool = True) -> tuple[int, dict]:
    headers = {"Content-Type": "application/json"}
    if auth:
        c = dhl.account.credentials
        pair = base64.b64encode(f"{c['username']}:{c['password']}".encode()).decode()
        headers["Authorization"] = f"Basic {pair}"
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(dhl.fake.url + path, data=data, headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=5) as resp:
            return resp.status, json.loads(resp.read())
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read())


def test_the_fake_refuses_a_call_without_basic_auth(dhl):
    status, body = _call(dhl, "/rates", {}, auth=False)
    assert status == 401
    assert body == {"instance": "/expressapi/rates", "detail": "Invalid Credentials",
                    "title": "Unauthorized", "status": "401"}  # fmt: skip


def test_the_fake_refuses_a_rate_or_shipment_without_the_required_fields(dhl):
    status, body = _call(dhl, "/rates", {"packages": [{"weight": 1.2}]})
    assert status == 400
    assert (body["title"], body["status"]) == ("Validation error", "400")
    missing = " ".join(body["additionalDetails"])
    for field in ("request.plannedShippingDateAndTime", "request.unitOfMeasurement",
                  "request.isCustomsDeclarable", "accounts", "customerDetails.shipperDetails",
                  "customerDetails.receiverDetails", "packages[0].dimensions"):  # fmt: skip
        assert field in missing
    status, body = _call(dhl, "/shipments", {"plannedShippingDateAndTime": "2026-11-20"})
    assert status == 400
    missing = " ".join(body["additionalDetails"])
    for field in ("request.productCode", "accounts", "content.packages",
                  "customerDetails.shipperDetails.contactInformation"):  # fmt: skip
        assert field in missing
    assert dhl.fake.labels_created == 0


def test_what_the_gateway_sends_to_mydhl(dhl):
    label = dhl.gateway.create_label(dhl.account, dhl.label_request("SH2611300001-1"))
    lookup, post = dhl.fake.requests
    # first the idempotency lookup: MyDHL's track by shipment reference
    assert (lookup.method, lookup.path) == ("GET", "/tracking")
    query = {k: v[0] for k, v in lookup.query.items()}
    assert query["shipmentReference"] == "SH2611300001-1"
    assert query["shipmentReferenceType"] == "CU"
    assert query["shipperAccountNumber"] == "630000000"
    assert query["dateRangeFrom"] < query["dateRangeTo"]
    # then the purchase, with the reference karrio-mydhl itself leaves out
    assert (post.method, post.path) == ("POST", "/shipments")
    pair = base64.b64encode(b"dhl-api-key:dhl-api-secret").decode()
    assert post.headers["authorization"] == f"Basic {pair}"
    body = post.json()
    assert body["customerReferences"] == [{"value": "SH2611300001-1", "typeCode": "CU"}]
    assert body["productCode"] == "P"
    assert body["accounts"] == [{"typeCode": "shipper", "number": "630000000"}]
    assert body["plannedShippingDateAndTime"]
    [package] = body["content"]["packages"]
    assert package["weight"] == 1.2
    assert package["dimensions"] == {"length": 30, "width": 20, "height": 10}
    assert body["content"]["isCustomsDeclarable"] is True
    [line] = body["content"]["exportDeclaration"]["lineItems"]
    assert (line["description"], line["quantity"]["value"]) == ("Cotton T-shirt", 2)
    [bought] = dhl.fake.labels.values()
    assert label.tracking_number == label.carrier_shipment_id == bought.tracking_number
    assert label.piece_tracking_numbers == (f"JD01{bought.tracking_number}",)


def test_a_refused_shipment_buys_nothing_and_is_not_retried(dhl):
    request = replace(dhl.label_request(), pieces=(g.PieceSpec(1200),))  # no dimensions
    with pytest.raises(g.CarrierError) as err:
        dhl.gateway.create_label(dhl.account, request)
    assert err.value.code == "carrier_refused"
    assert err.value.retryable is False and err.value.outcome_unknown is False
    assert str(err.value) == (
        "Multiple problems found, see Additional Details: object has missing required "
        "properties (content.packages[0].dimensions)"
    )
    assert dhl.fake.labels_created == 0
    assert [r.path for r in dhl.fake.requests] == ["/tracking", "/shipments"]
    assert dhl.sleeps == []


def test_xml_pi_service_names_on_old_channels_still_work(dhl):
    request = dhl.rate_request()
    request = g.RateRequest("dhl_express_worldwide_nondoc", request.shipper, request.recipient,
                            request.pieces)  # fmt: skip
    [rate] = dhl.gateway.rate(dhl.account, request)
    assert (rate.service_code, str(rate.total.amount)) == ("mydhl_express_worldwide", "101.2")
    assert dhl.fake.requests[-1].json()["productCode"] == "P"

    legacy = replace(dhl.label_request(), service_code="dhl_express_12_00")
    dhl.gateway.create_label(dhl.account, legacy)
    assert dhl.fake.requests[-1].json()["productCode"] == "T"


def test_tracking_by_reference_needs_the_account_and_a_date_window(dhl):
    status, body = _call(dhl, "/tracking?shipmentReference=X&shipmentReferenceType=CU", None)
    assert status == 400
    assert " ".join(body["additionalDetails"]).count("missing required") == 3
    status, body = _call(dhl, "/tracking?shipmentTrackingNumber=5700000000999", None)
    assert (status, body["title"]) == (404, "No shipments found")


def test_a_label_with_wrong_credentials_fails_as_auth_without_retry(dhl):
    with pytest.raises(g.CarrierError) as err:
        dhl.gateway.create_label(dhl.bad_account(), dhl.label_request())
    assert err.value.code == "carrier_auth_failed"
    assert err.value.retryable is False and err.value.outcome_unknown is False
    assert [r.path for r in dhl.fake.requests] == ["/tracking"]  # nothing bought
    assert dhl.fake.labels_created == 0 and dhl.sleeps == []
