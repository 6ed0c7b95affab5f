"""The Hualei TMS compatible endpoint, called as seller ERPs call it.

Request shapes: littlebossERP/erp_opensource common/api/carrierAPI/HuaLeiBaseConfig.php
(selectAuth.htm?username=&password= by GET and the quotes swapped before json_decode;
createOrderApi.htm posted as the form field param=json_encode($postdata) with customer_id,
customer_userid, order_customerinvoicecode, product_id, consignee_*, orderInvoiceParam[];
urldecode of the message and the 无法获取转单号 test for "number later";
getOrderTrackingNumber.htm?documentCode=<reference> comparing order_customerinvoicecode with
order_serveinvoicecode; order/FastRpt/PDF_NEW.aspx?Format=&PrintType=&order_id= followed to
the PDF) and bestope2021/logisticsApi src/Api/Kjyt/Kjyt.php (the param as a one-item list
with JSON_UNESCAPED_UNICODE, getOrderTrackingNumber.htm?order_id=,
selectTrack.htm?documentCode=a,b read as [0].data[].trackDetails, getProductList.htm decoded
from GBK).
"""

from __future__ import annotations

import json
from urllib.parse import quote

import pytest

from tradelane.core.models import AuditLog
from tradelane.forwarding.models import Waybill, WaybillItem, WaybillPiece
from tradelane.forwarding.waybills import services as waybills

from .. import hualei, label_links, services
from ..selectors import user_token
from .conftest import gbk_json, hualei_message, php_json

pytestmark = pytest.mark.django_db


def auth(client, username, password) -> dict:
    response = client.get(f"/selectAuth.htm?username={username}&password={password}",
                          content_type="text/xml;charset=utf-8")  # fmt: skip
    assert response.status_code == 200
    return json.loads(response.content.decode().replace("'", '"'))


def param(world, cred=None, **over) -> dict:
    cred = cred or world.hl_acme
    data = {
        "buyerid": "", "consignee_address": "350 Fifth Avenue", "consignee_city": "New York",
        "consignee_mobile": "", "consignee_name": "Jane Doe", "trade_type": "ZYXT",
        "consignee_postcode": "10118", "consignee_state": "NY",
        "consignee_telephone": "+1 212 555 0100", "country": "US",
        "customer_id": str(cred.pk), "customer_userid": user_token(cred),
        "order_customerinvoicecode": "HL-2001", "product_id": "USLINE",
        "weight": 1.2, "order_piece": 1,
        "orderInvoiceParam": [{
            "invoice_amount": 25, "invoice_pcs": 2, "invoice_title": "Cotton T-shirt",
            "invoice_weight": 0.6, "item_id": "", "item_transactionid": "", "sku": "棉T恤",
            "sku_code": "TS-01", "hs_code": "610910",
        }],
    }  # fmt: skip
    data.update(over)
    return data


def create(world, data, *, php_default=True):
    text = (json.dumps(data, separators=(",", ":")).replace("/", "\\/") if php_default
            else php_json([data]))  # fmt: skip
    response = world.client.post("/createOrderApi.htm", data={"param": text})
    assert response.status_code == 200
    return response.json()


def counts():
    return (Waybill.objects.count(), WaybillPiece.objects.count(), WaybillItem.objects.count(),
            AuditLog.objects.filter(action="waybill.create").count())  # fmt: skip


def test_select_auth_answers_single_quoted_ids(world):
    response = world.client.get(f"/selectAuth.htm?username=acme-erp&password={world.pw_acme}")
    body = response.content.decode()
    assert body == (f"{{'ack':'true','customer_id':'{world.hl_acme.pk}',"
                    f"'customer_userid':'{user_token(world.hl_acme)}'}}")  # fmt: skip
    assert response["Content-Type"] == "text/plain; charset=GBK"
    wrong = auth(world.client, "acme-erp", world.pw_bolt)
    assert (wrong["ack"], wrong["customer_id"], wrong["customer_userid"]) == ("false", "", "")
    assert hualei_message(wrong["message"]) == hualei.AUTH_FAILED
    assert auth(world.client, "nobody", "x")["ack"] == "false"


def test_create_order_number_later_then_the_number(world):
    ids = auth(world.client, "acme-erp", world.pw_acme)
    data = param(world, customer_id=ids["customer_id"], customer_userid=ids["customer_userid"])
    answer = create(world, data)
    w = Waybill.objects.get()
    assert answer == {
        "ack": "true", "message": hualei.encoded(hualei.NUMBER_LATER),
        "order_id": label_links.order_id(w), "reference_number": "HL-2001",
        "tracking_number": "", "order_transfercode": "",
    }  # fmt: skip
    assert "无法获取转单号" in hualei_message(answer["message"])
    assert (w.customer, w.created_by, w.source, w.channel.code, w.forecast_weight_g) == (
        world.p.acme,
        world.p.acme_user,
        "hualei",
        "USLINE",
        1200,
    )
    item = w.items.get()
    assert (item.name_en, item.name_zh, item.quantity, str(item.unit_value), item.unit_weight_g,
            item.sku) == ("Cotton T-shirt", "棉T恤", 2, "12.5000", 600, "TS-01")  # fmt: skip

    by_ref = world.client.post(
        f"/getOrderTrackingNumber.htm?documentCode=HL-2001&customer_id={ids['customer_id']}"
        f"&customer_userid={ids['customer_userid']}", content_type="text/xml;charset-utf-8"
    ).json()  # fmt: skip
    by_id = world.client.get(f"/getOrderTrackingNumber.htm?order_id={answer['order_id']}")
    assert by_ref == by_id.json() == {
        "ack": "true", "status": "true", "order_id": answer["order_id"],
        "order_customerinvoicecode": "HL-2001", "order_serveinvoicecode": "HL-2001",
        "order_transfercode": "",
    }  # fmt: skip
    label = world.client.get(f"/order/FastRpt/PDF_NEW.aspx?Format=&PrintType=lab10+10"
                             f"&order_id={answer['order_id']}")  # fmt: skip
    assert label.status_code == 404

    waybills.assign_numbers(world.p.hub, w, tracking_number="LX123456785CN")
    after = world.client.get(f"/getOrderTrackingNumber.htm?order_id={answer['order_id']}")
    assert after.json()["order_serveinvoicecode"] == "LX123456785CN"
    label = world.client.get(f"/order/FastRpt/PDF_NEW.aspx?Format=&PrintType=lab10+10"
                             f"&order_id={answer['order_id']}")  # fmt: skip
    assert label.status_code == 302
    pdf = world.client.get(label["Location"].removeprefix("http://testserver"))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    # once the number is there, createOrderApi again answers it (same body: same order)
    again = create(world, data, php_default=False)
    assert (again["ack"], again["tracking_number"], again["message"]) == (
        "true",
        "LX123456785CN",
        "",
    )
    assert counts() == (1, 1, 1, 1)


def test_wrong_ids_are_refused_and_write_nothing(world):
    for over in ({"customer_userid": "0" * 32}, {"customer_id": str(world.hl_bolt.pk)},
                 {"customer_id": "", "customer_userid": ""}):  # fmt: skip
        answer = create(world, param(world, **over))
        assert (answer["ack"], answer["order_id"], answer["reference_number"]) == (
            "false",
            "",
            "HL-2001",
        )
        assert hualei_message(answer["message"]) == hualei.NOT_AUTHORISED
    bad_json = world.client.post("/createOrderApi.htm", data={"param": "{oops"}).json()
    assert hualei_message(bad_json["message"]) == hualei.BAD_PARAM
    assert counts() == (0, 0, 0, 0)


def test_a_refused_order_writes_nothing_and_its_gbk_message_decodes(world):
    answer = create(world, param(world, consignee_name="", country="ZZ"))
    assert answer["ack"] == "false"
    text = hualei_message(answer["message"])
    assert text.startswith("consignee.name: ")
    assert "必填" in text and "consignee.name is required" in text
    assert "consignee.country: " in text
    # the bytes on the wire are GBK: 必 is B1 D8 there (E5 BF 85 in UTF-8)
    assert "%B1%D8" in answer["message"] and "%E5%BF%85" not in answer["message"]
    assert counts() == (0, 0, 0, 0)


def test_duplicate_reference_with_another_body_is_refused(world):
    assert create(world, param(world))["ack"] == "true"
    other = create(world, param(world, weight=3))
    assert other["ack"] == "false" and other["order_id"] == ""
    number = Waybill.objects.get().number
    assert hualei_message(other["message"]) == (
        f"reference: 该客户单号已存在且内容不同。 Waybill {number} already has reference "
        "HL-2001 with other contents"
    )
    assert counts() == (1, 1, 1, 1)


def test_another_customers_order_is_not_found(world):
    mine = create(world, param(world))
    bolt = f"customer_id={world.hl_bolt.pk}&customer_userid={user_token(world.hl_bolt)}"
    number = Waybill.objects.get().number
    for code in ("HL-2001", number):
        answer = world.client.get(f"/getOrderTrackingNumber.htm?documentCode={code}&{bolt}")
        assert answer.json()["order_id"] == "" and answer.json()["status"] == "false"
        assert hualei_message(answer.json()["msg"]) == hualei.NOT_FOUND.format(code)
        track = gbk_json(world.client.get(f"/selectTrack.htm?documentCode={code}&{bolt}"))
        assert track == [
            {"ack": "false", "message": hualei.encoded(hualei.NOT_FOUND.format(code)), "data": []}
        ]
    # a reference alone, without who asks, names nothing; a forged order_id neither
    anon = world.client.get("/getOrderTrackingNumber.htm?documentCode=HL-2001").json()
    assert anon["status"] == "false"
    forged = mine["order_id"][:-1] + ("A" if mine["order_id"][-1] != "A" else "B")
    assert (
        world.client.get(f"/getOrderTrackingNumber.htm?order_id={forged}").json()["status"]
        == "false"
    )
    assert world.client.get(f"/order/FastRpt/PDF_NEW.aspx?order_id={forged}").status_code == 404
    # revoking the credentials closes the order_id too
    services.revoke(world.p.admin, world.hl_acme)
    revoked = world.client.get(f"/getOrderTrackingNumber.htm?order_id={mine['order_id']}")
    assert revoked.json()["status"] == "false"


def test_select_track_in_gbk(world):
    mine = create(world, param(world))
    number = Waybill.objects.get().number
    response = world.client.get(f"/selectTrack.htm?documentCode={number},NOPE"
                                f"&username=acme-erp&password={world.pw_acme}")  # fmt: skip
    (block,) = gbk_json(response)
    assert (block["ack"], block["message"]) == ("true", "")
    (row,) = block["data"]
    assert (row["trackingNumber"], row["referenceNumber"], row["trackContent"]) == (
        number,
        "HL-2001",
        "Waybill created, waiting for the parcel",
    )
    assert [(d["track_kind"], d["track_content"]) for d in row["trackDetails"]] == [
        ("info_received", "Waybill created, waiting for the parcel")
    ]
    by_id = gbk_json(world.client.get(f"/selectTrack.htm?documentCode={mine['order_id']}"))
    assert by_id[0]["data"] == block["data"]


def test_product_list_in_gbk(world):
    from tradelane.logistics.models import Channel

    Channel.objects.filter(code="EUPOST").update(name="欧洲邮政")
    mine = gbk_json(
        world.client.get(f"/getProductList.htm?username=acme-erp&password={world.pw_acme}")
    )
    assert [(x["product_id"], x["product_shortname"]) for x in mine] == [
        ("EUPOST", "欧洲邮政"),
        ("USLINE", "USLINE line"),
    ]
    raw = world.client.get("/getProductList.htm").content
    assert "欧洲邮政".encode("gbk") in raw
    assert [x["product_id"] for x in gbk_json(world.client.get("/getProductList.htm"))] == [
        "BATT",
        "EUPOST",
        "USLINE",
    ]


def test_encoded_is_gbk_url_encoding():
    assert hualei.encoded("订单 ok") == quote("订单 ok".encode("gbk"), safe="")
    assert hualei_message(hualei.encoded("无法获取转单号")) == "无法获取转单号"


def test_credentials_keep_only_a_digest(world):
    assert world.hl_acme.secret_digest == services.digest(world.pw_acme)
    assert world.pw_acme not in world.hl_acme.secret_digest
    assert not type(world.hl_acme).objects.filter(secret_digest=world.pw_acme).exists()
