"""The ECCANG TMS compatible endpoint, called as seller ERPs call it.

Request shapes: createOrder's paramsJson as ERP carrier adapters build it (Consignee, Shipper,
ItemArr, Volume: yiier/yii2-cross-border-express src/platforms/EccangPlatform.php
formatOrder; bestope2021/logisticsApi src/Api/WeiShi/WeiShi.php createOrder, which also posts
the four fields as JSON with paramsJson as an object); getLabelUrl with reference_no and
label_type (both files); cancelOrder with reference_no and getCargoTrack with codes[]
(WeiShi.php); the answer fields read back (ask, message, Error.errCode/errMessage, url,
reference_no, shipping_method_no, order_code, track_status, WayBillNumber, TrackingNumber).
"""

from __future__ import annotations

import copy
import json

import pytest

from tradelane.core.models import AuditLog
from tradelane.forwarding.models import Waybill, WaybillItem, WaybillPiece, WaybillStatus
from tradelane.forwarding.waybills import services as waybills

from .. import eccang, services
from ..models import VendorCredential

pytestmark = pytest.mark.django_db

ORDER = {
    "reference_no": "ERP-1001",
    "shipping_method": "USLINE",
    "country_code": "US",
    "order_weight": 1.2,
    "order_pieces": "1",
    "mail_cargo_type": 4,
    "Consignee": {
        "consignee_street": "350 Fifth Avenue",
        "consignee_street2": "",
        "consignee_name": "Jane Doe",
        "consignee_telephone": "+1 212 555 0100",
        "consignee_postcode": "10118",
        "consignee_province": "NY",
        "consignee_city": "New York",
        "consignee_email": "jane@example.com",
    },
    "Shipper": {
        "shipper_countrycode": "CN",
        "shipper_province": "GUANGDONG",
        "shipper_city": "SHENZHEN",
        "shipper_street": "Pinghu 55",
        "shipper_postcode": "518000",
        "shipper_name": "Acme Trading",
        "shipper_telephone": "13800138000",
        "shipper_mobile": "13800138000",
    },
    "ItemArr": [{
        "invoice_cnname": "棉T恤", "invoice_enname": "Cotton T-shirt", "invoice_weight": 0.6,
        "invoice_quantity": "2", "invoice_unitcharge": 12.5, "hs_code": "610910",
        "sku": "TS-01", "invoice_url": "https://shop.example.com/p/1",
    }],
    "Volume": [{"length": 30, "width": 20, "height": 10, "weight": 1.2}],
}  # fmt: skip


def order(**over):
    data = copy.deepcopy(ORDER)
    data.update(over)
    return data


def counts():
    return (Waybill.objects.count(), WaybillPiece.objects.count(), WaybillItem.objects.count(),
            AuditLog.objects.filter(action="waybill.create").count())  # fmt: skip


def test_create_order_number_later_then_number_after_assign(world):
    answer = world.acme.call("createOrder", ORDER)
    w = Waybill.objects.get()
    assert answer == {
        "ask": "Success", "message": "Success", "reference_no": "ERP-1001",
        "shipping_method_no": "", "order_code": w.number, "track_status": "2",
        "data": {"reference_no": "ERP-1001", "shipping_method_no": "", "order_code": w.number,
                 "track_status": "2"},
    }  # fmt: skip
    assert (w.customer, w.created_by, w.source, w.channel.code) == (
        world.p.acme,
        world.p.acme_user,
        "eccang",
        "USLINE",
    )
    assert (w.forecast_weight_g, w.pieces, w.consignee_country, w.consignee_phone) == (
        1200,
        1,
        "US",
        "+12125550100",
    )
    assert (w.shipper["state"], w.shipper["city"], w.shipper["country"]) == (
        "广东省",
        "深圳市",
        "CN",
    )
    piece = w.piece_rows.get()
    assert (piece.weight_g, piece.length_mm, piece.width_mm, piece.height_mm) == (
        1200,
        300,
        200,
        100,
    )
    item = w.items.get()
    assert (item.name_en, item.name_zh, item.quantity, str(item.unit_value), item.currency,
            item.unit_weight_g, item.hs_code, item.sku) == (
        "Cotton T-shirt", "棉T恤", 2, "12.5000", "USD", 600, "610910", "TS-01")  # fmt: skip

    pending = world.acme.call("getTrackNumber", {"reference_no": ["ERP-1001"]})
    assert pending["data"] == [{
        "reference_no": "ERP-1001", "shipping_method_no": "", "order_code": w.number,
        "track_status": "2", "WayBillNumber": w.number, "TrackingNumber": "",
    }]  # fmt: skip
    label = world.acme.call("getLabelUrl", {"reference_no": "ERP-1001", "label_type": "2"})
    assert label["ask"] == "Failure"
    assert label["Error"]["errCode"] == eccang.NUMBER_LATER
    assert label["message"].startswith("跟踪号稍后生成")

    waybills.assign_numbers(world.p.hub, w, tracking_number="LX123456785CN")
    given = world.acme.call("getTrackNumber", {"reference_no": "ERP-1001"})
    assert given["data"][0]["track_status"] == "1"
    assert given["data"][0]["TrackingNumber"] == "LX123456785CN"
    assert given["data"][0]["shipping_method_no"] == "LX123456785CN"

    label = world.acme.call("getLabelUrl", {"reference_no": "ERP-1001", "label_type": "2"})
    assert label["ask"] == "Success" and label["type"] == "pdf"
    assert label["url"] == label["data"][0]["url"]
    assert label["url"].startswith("http://testserver/tms-labels/")
    pdf = world.client.get(label["url"].removeprefix("http://testserver"))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    # a token changed by one character is no label, nor one of revoked credentials
    path = label["url"].removeprefix("http://testserver")
    assert world.client.get(path[:-6] + "x.pdf").status_code == 404
    services.revoke(world.p.sales1, VendorCredential.objects.get(identifier=world.acme.token))
    assert world.client.get(path).status_code == 404


def test_wrong_credentials_are_refused_in_the_envelope_and_write_nothing(world):
    for kw in ({"key": "0" * 32}, {"token": "f" * 32}, {"key": world.bolt.key}):
        answer = world.acme.call("createOrder", ORDER, **kw)
        assert answer == {
            "ask": "Failure", "message": "appToken或appKey错误 The appToken or appKey is wrong",
            "Error": {"errCode": "1001",
                      "errMessage": "appToken或appKey错误 The appToken or appKey is wrong"},
        }  # fmt: skip
    assert counts() == (0, 0, 0, 0)


def test_same_reference_again_is_the_same_order_another_body_a_duplicate(world):
    first = world.acme.call("createOrder", ORDER)
    again = world.acme.call("createOrder", ORDER)
    assert again == first
    other = world.acme.call("createOrder", order(order_weight=2.5, Volume=[]))
    assert other["ask"] == "Failure" and other["reference_no"] == "ERP-1001"
    assert other["Error"]["errCode"] == eccang.DUPLICATE_REFERENCE
    number = first["order_code"]
    assert other["Error"]["errMessage"] == (
        "reference: 该客户单号已存在且内容不同。 Waybill "
        f"{number} already has reference ERP-1001 with other contents"
    )
    assert counts() == (1, 1, 1, 1)
    # the same reference for another customer is that customer's own order
    assert world.bolt.call("createOrder", ORDER)["ask"] == "Success"


def test_a_refused_order_writes_nothing_and_says_why_in_both_languages(world):
    bad = order(country_code="XX", ItemArr=[{**ORDER["ItemArr"][0], "invoice_unitcharge": "x"}])
    bad["Consignee"]["consignee_name"] = ""
    answer = world.acme.call("createOrder", bad)
    assert answer["ask"] == "Failure"
    assert answer["Error"]["errCode"] == eccang.INVALID_ORDER
    message = answer["Error"]["errMessage"]
    assert message == answer["message"]
    assert "consignee.name: " in message and "items[0].unit_value: " in message
    assert "consignee.country: " in message
    assert "必须是数字" in message or "数字" in message
    assert counts() == (0, 0, 0, 0)
    # a channel the customer may not use is refused too (BATT is BOLT's only)
    refused = world.acme.call("createOrder", order(shipping_method="BATT"))
    assert refused["Error"]["errCode"] == eccang.NO_CHANNEL
    assert counts() == (0, 0, 0, 0)


def test_another_customers_order_is_not_found(world):
    mine = world.acme.call("createOrder", ORDER)
    number = mine["order_code"]
    for service, params in (
        ("getTrackNumber", {"reference_no": [number]}),
        ("getLabelUrl", {"reference_no": number}),
        ("cancelOrder", {"reference_no": "ERP-1001"}),
        ("interceptOrder", {"reference_no": number, "reason": "x"}),
        ("getCargoTrack", {"codes": [number]}),
    ):
        answer = world.bolt.call(service, params)
        assert answer["ask"] == "Failure", service
        assert answer["Error"]["errCode"] == eccang.NOT_FOUND, service
        assert answer["message"].startswith("订单不存在 No such order: "), service
    w = Waybill.objects.get()
    assert (w.status, w.intercept_requested_at) == (WaybillStatus.CREATED, None)


def test_cancel_before_inbound_intercept_after(world):
    number = world.acme.call("createOrder", ORDER)["order_code"]
    too_early = world.acme.call("interceptOrder", {"reference_no": number, "reason": "wrong"})
    assert too_early["Error"]["errCode"] == eccang.WRONG_STATE
    assert too_early["message"].startswith("运单尚未入库")
    assert world.acme.call("cancelOrder", {"reference_no": "ERP-1001"}) == {
        "ask": "Success", "message": "Success",
        "data": {"reference_no": "ERP-1001", "order_code": number, "status": "cancelled"},
    }  # fmt: skip
    assert Waybill.objects.get().status == WaybillStatus.CANCELLED

    second = world.acme.call("createOrder", order(reference_no="ERP-1002"))["order_code"]
    w = Waybill.objects.get(number=second)
    waybills.receive(world.p.hub, w, weight_g=1250)
    late = world.acme.call("cancelOrder", {"reference_no": "ERP-1002"})
    assert late["Error"]["errCode"] == eccang.WRONG_STATE
    stop = world.acme.call("interceptOrder", {"reference_no": "ERP-1002",
                                              "reason": "buyer cancelled"})  # fmt: skip
    assert stop == {"ask": "Success", "message": "Success",
                    "data": {"reference_no": "ERP-1002", "order_code": second}}  # fmt: skip
    w.refresh_from_db()
    # the hub holds an intercepted parcel at once (a customer_intercept hold, 扣件)
    assert (w.status, w.intercept_reason) == (WaybillStatus.HELD, "buyer cancelled")
    assert w.intercept_requested_at is not None


def test_cargo_track_shipping_methods_and_fee_trail(world):
    number = world.acme.call("createOrder", ORDER)["order_code"]
    track = world.acme.call("getCargoTrack", {"codes": [number, "NOPE"]})
    assert track["ask"] == "Success" and track["Data"] == track["data"]
    (row,) = track["Data"]
    assert (row["Code"], row["Country_code"], row["Status"]) == (number, "US", "IR")
    assert row["Detail"][0]["Comment"] == "Waybill created, waiting for the parcel"

    methods = world.acme.call("getShippingMethod", {})
    assert [(m["code"], m["track_status"]) for m in methods["data"]] == [
        ("EUPOST", "2"),
        ("USLINE", "2"),
    ]
    bolt = world.bolt.call("getShippingMethod", {})
    assert [m["code"] for m in bolt["data"]] == ["BATT", "EUPOST", "USLINE"]

    fees = world.acme.call("feeTrail", {"country_code": "US", "weight": "1.2", "length": 30,
                                        "width": 20, "height": 10})  # fmt: skip
    assert fees["ask"] == "Success"
    (usline,) = fees["data"]  # EUPOST does not go to the US
    assert (
        usline["ServiceCode"],
        usline["TotalFee"],
        usline["currency"],
        usline["ChargeWeight"],
    ) == ("USLINE", "76.00", "CNY", "1.200")  # ACME's own sheet
    assert "cost" not in json.dumps(fees).lower()
    none = world.acme.call("feeTrail", {"country_code": "JP", "weight": 1})
    assert none["Error"]["errCode"] == eccang.NO_CHANNEL


def test_form_and_json_posts_get_the_bare_envelope(world):
    # WeiShi.php posts appToken, appKey, service and paramsJson (an object) as JSON
    body = {"appToken": world.acme.token, "appKey": world.acme.key,
            "service": "getShippingMethod", "paramsJson": {}}  # fmt: skip
    response = world.client.post("/default/svc/web-service", data=json.dumps(body),
                                 content_type="application/json")  # fmt: skip
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response.json()["ask"] == "Success"
    form = world.client.post("/default/svc/web-service", data={
        "appToken": world.acme.token, "appKey": world.acme.key,
        "service": "createOrder", "paramsJson": json.dumps(ORDER),
    })  # fmt: skip
    assert form.json()["track_status"] == "2"
    assert Waybill.objects.count() == 1


def test_unknown_service_bad_params_and_hostile_xml(world):
    assert world.acme.call("deleteEverything", {})["Error"]["errCode"] == eccang.UNKNOWN_SERVICE
    assert world.acme.call("createOrder", "{not json")["Error"]["errCode"] == eccang.BAD_PARAMS
    bomb = (b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]>'
            b"<x><service>&b;</service></x>")  # fmt: skip
    response = world.acme.raw(bomb)
    assert response.json()["Error"]["errCode"] == eccang.BAD_PARAMS
    assert world.client.get("/default/svc/web-service").json()["ask"] == "Failure"


def test_wsdl_describes_call_service_and_a_client_built_from_it_is_answered(world):
    from defusedxml import ElementTree

    response = world.client.get("/default/svc/wsdl")
    assert response["Content-Type"] == "text/xml; charset=utf-8"
    root = ElementTree.fromstring(response.content)
    ns = {"w": "http://schemas.xmlsoap.org/wsdl/", "s": "http://schemas.xmlsoap.org/wsdl/soap/",
          "x": "http://www.w3.org/2001/XMLSchema"}  # fmt: skip
    (address,) = root.findall(".//s:address", ns)
    assert address.get("location") == "http://testserver/default/svc/web-service"
    fields = [e.get("name") for e in root.findall(".//x:element[@name='callService']//x:element",
                                                  ns)]  # fmt: skip
    assert fields == ["paramsJson", "appToken", "appKey", "service"]
    # what PHP's SoapClient sends from this WSDL: the elements in the target namespace's
    # prefix, no indentation
    body = (
        '<?xml version="1.0" encoding="UTF-8"?>\n<SOAP-ENV:Envelope xmlns:SOAP-ENV='
        '"http://schemas.xmlsoap.org/soap/envelope/" xmlns:ns1="http://www.example.org/Ec/">'
        "<SOAP-ENV:Body><ns1:callService><paramsJson>{}</paramsJson>"
        f"<appToken>{world.acme.token}</appToken><appKey>{world.acme.key}</appKey>"
        "<service>getShippingMethod</service></ns1:callService></SOAP-ENV:Body>"
        "</SOAP-ENV:Envelope>\n"
    ).encode()
    from .conftest import envelope

    assert envelope(world.acme.raw(body).content)["ask"] == "Success"
