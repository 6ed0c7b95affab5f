"""Bulk upload of waybills (批量下单) through the spreadsheet machinery: Chinese headers mapped,
one row per goods line grouped by reference, kg/cm converted, a per-row report pointing at the
row and column, all-or-nothing writing nothing, valid-rows-only, a customer uploading only for
itself, idempotent re-upload, and the scoped export."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tradelane.core.errors import PermissionDenied
from tradelane.forwarding.models import Waybill, WaybillItem
from tradelane.forwarding.tests.factories import provider
from tradelane.integrations.spreadsheets import exports, services
from tradelane.integrations.spreadsheets.fields import suggest_mapping

from .conftest import csv_bytes, xlsx_bytes

pytestmark = pytest.mark.django_db

HEAD = ["客户单号", "渠道", "收件人", "电话", "地址", "城市", "州/省", "邮编", "国家", "件数",
        "重量(kg)", "长", "宽", "高", "英文品名", "中文品名", "数量", "申报单价", "币种",
        "海关编码", "带电"]  # fmt: skip
NY = ["Jane Doe", "+1 212 555 0100", "350 Fifth Avenue", "New York", "NY", "10118", "US"]


def rows(*, bad_phone=False, customer=None):
    phone = "12" if bad_phone else NY[1]
    body = [
        ["U1", "USLINE", *NY, 2, "2.5", 30, 20, 10, "T-shirt", "T恤", 2, "12.50", "USD",
         "610910", ""],
        ["U1", "", "", "", "", "", "", "", "", "", "", "", "", "", "Cap", "帽子", 1, "5", "USD",
         "650500", ""],
        ["U2", "USLINE", NY[0], phone, *NY[2:], 1, "1.2", "", "", "", "Mug", "杯子", 1, "8",
         "USD", "691200", "否"],
    ]  # fmt: skip
    head = HEAD
    if customer:
        head = ["客户代码", *HEAD]
        body = [[customer, *r] for r in body]
    return [head, *body]


def upload(user, data, name="w.csv", **options):
    up = services.upload_file(user, entity="waybills", filename=name, data=data)
    return services.run_import(user, up, **options)


@pytest.fixture
def p():
    return provider()


def test_chinese_headers_map_to_waybill_fields():
    m = suggest_mapping("waybills", HEAD)
    assert m["reference"] == "客户单号" and m["weight_kg"] == "重量(kg)"
    assert m["consignee_state"] == "州/省" and m["item_hs_code"] == "海关编码"
    assert m["battery"] == "带电" and m["item_name_zh"] == "中文品名"


def test_partial_upload_writes_valid_waybills_and_reports_rows(p):
    report = upload(p.acme_user, csv_bytes(rows(bad_phone=True)), mode="partial")
    assert (report["created"], report["rejected"]) == (1, 1)
    bad = [r for r in report["rows"] if r["result"] == "rejected"]
    assert [(r["row"], r["key"]) for r in bad] == [(4, "U2")]
    assert [(e["field"], e["code"], e["row"], e["column"]) for e in bad[0]["errors"]] == [
        ("consignee_phone", "invalid_phone", 4, "电话")
    ]
    w = Waybill.objects.get(reference="U1")
    assert (w.customer, w.source, w.pieces, w.forecast_weight_g) == (p.acme, "upload", 2, 2500)
    assert [(x.weight_g, x.length_mm) for x in w.piece_rows.all()] == [(1250, 300), (1250, 300)]
    assert [(i.name_en, i.name_zh, i.quantity) for i in w.items.all()] == [
        ("T-shirt", "T恤", 2),
        ("Cap", "帽子", 1),
    ]
    assert w.declared_value == Decimal("30.00")


def test_all_or_nothing_writes_nothing_when_a_row_is_refused(p):
    report = upload(p.acme_user, xlsx_bytes(rows(bad_phone=True)), name="w.xlsx")
    assert report["written"] is False and report["rejected"] == 1 and report["valid"] == 1
    assert Waybill.objects.count() == 0 and WaybillItem.objects.count() == 0


def test_reupload_is_unchanged_and_a_customer_uploads_only_for_itself(p):
    assert upload(p.acme_user, csv_bytes(rows()))["created"] == 2
    again = upload(p.acme_user, csv_bytes(rows()))
    assert (again["created"], again["unchanged"], Waybill.objects.count()) == (0, 2, 2)
    other = upload(p.acme_user, csv_bytes(rows(customer="BOLT")), mode="partial")
    assert other["rejected"] == 2 and other["created"] == 0
    assert {e["code"] for r in other["rows"] for e in r["errors"]} == {"customer_not_found"}
    assert not Waybill.objects.filter(customer=p.bolt).exists()
    # staff name the customer per row
    staff = upload(p.service, csv_bytes(rows(customer="BOLT")))
    assert staff["created"] == 2 and Waybill.objects.filter(customer=p.bolt).count() == 2


def test_export_is_scoped_and_reads_back(p):
    upload(p.acme_user, csv_bytes(rows()))
    upload(p.service, csv_bytes(rows(customer="BOLT")))
    mine = list(exports.rows_for(p.acme_user, "waybills"))
    assert {r["customer"] for r in mine} == {"ACME"} and len(mine) == 3
    assert mine[0]["number"].startswith("TL") and mine[0]["price"] is not None
    assert len(list(exports.rows_for(p.service, "waybills"))) == 6


def test_portal_users_use_but_do_not_write_templates(p):
    with pytest.raises(PermissionDenied) as exc:
        services.save_template(p.acme_user, name="mine", entity="waybills",
                               mapping={"reference": "客户单号"})  # fmt: skip
    assert exc.value.code == "templates_staff_only"
    services.save_template(p.service, name="provider", entity="waybills",
                           mapping={"reference": "客户单号"})  # fmt: skip


def test_the_upload_page_offers_a_portal_user_waybills_only(p):
    from django.test import Client

    c = Client()
    c.force_login(p.acme_user)
    html = c.get("/io/?entity=waybills", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert '<option value="waybills" selected>运单</option>' in html
    assert 'value="orders"' not in html and 'href="/io/export/waybills/?format=xlsx"' in html
