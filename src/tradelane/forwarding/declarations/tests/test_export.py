"""Export declaration data: the documented header, the exact rows of a two-line waybill, the
weight rule, the per-waybill check, Excel and CSV."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest

from tradelane.forwarding.models import Waybill, WaybillItem
from tradelane.forwarding.tests.factories import provider

from .. import export
from .helpers import DE, TWO_ITEMS, items_in, received

pytestmark = pytest.mark.django_db
D = Decimal
ON = dt.date(2026, 12, 4)


@pytest.fixture
def p():
    return provider()


def test_header_row_in_both_languages():
    assert export.HEADER == (
        "序号/Line", "运单号/Waybill", "跟踪号/Tracking number", "客户单号/Customer reference",
        "中文品名/Name (zh)", "英文品名/Name (en)", "HS编码/HS code", "数量/Quantity",
        "单价/Unit value", "总价/Total value", "币种/Currency", "原产国/Origin",
        "重量(kg)/Weight (kg)", "收件国家/Consignee country", "IOSS", "收件人/Consignee",
        "收件地址/Consignee address", "收件城市/Consignee city", "收件邮编/Consignee postcode",
        "贸易条款/Incoterm", "渠道/Channel",
    )  # fmt: skip


def test_rows_of_a_two_item_waybill_share_the_measured_weight_by_value(p):
    w = received(p, "X1", items=TWO_ITEMS, weight_g=1500)
    rows = export.export_rows(Waybill.objects.filter(pk=w.pk), ON)
    common = {
        "waybill": w.number, "tracking_number": "", "reference": "X1",
        "currency": "USD", "origin": "CN", "consignee_country": "US", "ioss": "",
        "consignee": "Jane Doe", "consignee_address": "350 Fifth Avenue",
        "consignee_city": "New York", "consignee_postcode": "10118", "incoterm": "DDU",
        "channel": "USLINE",
    }  # fmt: skip
    assert rows == [
        {**common, "line": 1, "name_zh": "棉T恤", "name_en": "Cotton T-shirt",
         "hs_code": "610910", "quantity": 2, "unit_value": D("12.50"),
         "total_value": D("25.00"), "weight_kg": D("1.250")},
        {**common, "line": 2, "name_zh": "陶瓷杯", "name_en": "Ceramic mug",
         "hs_code": "691200", "quantity": 1, "unit_value": D("5.00"),
         "total_value": D("5.00"), "weight_kg": D("0.250")},
    ]  # fmt: skip


def test_shared_weights_sum_to_the_parcel_and_declared_weights_win(p):
    w = received(p, "X2", weight_g=1001,
                 items=items_in("USD", ("A", 1, "1.00", "610910"), ("B", 1, "1.00", "620520"),
                                ("C", 1, "1.00", "691200")))  # fmt: skip
    items = list(w.items.all())
    grams = export.item_weights_g(w, items)
    assert (grams, sum(grams)) == ([334, 334, 333], 1001)
    WaybillItem.objects.filter(waybill=w).update(unit_weight_g=200)
    w = Waybill.objects.get(pk=w.pk)
    assert export.item_weights_g(w, list(w.items.all())) == [200, 200, 200]


def test_a_waybill_lacking_declaration_data_is_listed_with_its_reasons(p):
    ok = received(p, "OK1", items=TWO_ITEMS)
    bad = received(p, "BAD1", items=TWO_ITEMS)
    WaybillItem.objects.filter(waybill=bad, seq=1).update(hs_code="")
    WaybillItem.objects.filter(waybill=bad, seq=2).update(unit_value=D("0"))
    eu = received(p, "EU1", channel="EUPOST", consignee=DE, incoterm="DDP",
                  items=items_in("EUR", ("Scarf", 1, "20.00", "611710")))  # fmt: skip
    result = export.export(Waybill.objects.filter(pk__in=[ok.pk, bad.pk, eu.pk]), ON)
    assert [w.number for w in result.exported] == [ok.number]
    assert [r["line"] for r in result.rows] == [1, 2]
    assert [(w.number, [r.code for r in found]) for w, found in result.refused] == [
        (bad.number, ["hs_code_missing", "item_value_missing"]),
        (eu.number, ["ioss_missing"]),
    ]


def test_excel_has_the_header_the_rows_and_the_refused_sheet(p):
    from openpyxl import load_workbook

    ok = received(p, "OK1", items=TWO_ITEMS)
    bad = received(p, "BAD1", items=TWO_ITEMS)
    WaybillItem.objects.filter(waybill=bad, seq=1).update(hs_code="")
    data = export.export_xlsx(Waybill.objects.filter(pk__in=[ok.pk, bad.pk]), "CB-1", ON)
    wb = load_workbook(io.BytesIO(data))
    sheet, refused = wb.worksheets
    values = list(sheet.iter_rows(values_only=True))
    assert values[0][0] == "CB-1"
    assert values[1] == export.HEADER
    assert values[2][:10] == (1, ok.number, None, "OK1", "棉T恤", "Cotton T-shirt", "610910", 2,
                              12.5, 25)  # fmt: skip
    assert values[3][12] == 0.25
    assert len(values) == 4
    assert list(refused.iter_rows(values_only=True)) == [
        export.REFUSED_HEADER, (bad.number, "hs_code_missing",
                                "Line 1 (Cotton T-shirt) has no HS code"),
    ]  # fmt: skip


def test_csv_has_the_header_and_one_line_per_item(p):
    w = received(p, "C1", items=TWO_ITEMS)
    text = export.export_csv(Waybill.objects.filter(pk=w.pk), ON)
    lines = list(csv.reader(io.StringIO(text)))
    assert lines[0] == list(export.HEADER)
    assert lines[1][:13] == ["1", w.number, "", "C1", "棉T恤", "Cotton T-shirt", "610910", "2",
                             "12.50", "25.00", "USD", "CN", "1.250"]  # fmt: skip
    assert len(lines) == 3
