"""Formula injection: text from a store (a buyer's name) that a spreadsheet would compute is
exported neutralized, in CSV and .xlsx, and imported back exactly as it came."""

from __future__ import annotations

import csv
import io
import zipfile

import pytest
from openpyxl import load_workbook

from tradelane.api.testing import Api
from tradelane.catalog.models import Sku
from tradelane.inventory import services as inventory
from tradelane.orders.models import Order

from . import test_imports

pytestmark = pytest.mark.django_db

EVIL = {
    "buyer_name": '=HYPERLINK("http://x","y")',
    "ship_name": "@SUM(A1)",
    "ship_company": "+1+2",
    "ship_address2": "-5",
    "ship_city": "\t=1",
    "note": "\r=cmd|'/c calc'!A1",
    "title": '=IMPORTXML("http://x","//a")',
}


def _push(admin, make_sku):
    make_sku("A")
    order = {
        "store": "US1",
        "external_id": "EVIL-1",
        "placed_at": "2026-11-20T10:15:00Z",
        "buyer": {"name": EVIL["buyer_name"], "email": "jane@example.com"},
        "shipping_address": {
            "name": EVIL["ship_name"],
            "company": EVIL["ship_company"],
            "address1": "1 Main St",
            "address2": EVIL["ship_address2"],
            "city": EVIL["ship_city"],
            "postcode": "73301",
            "country": "US",
            "phone": "+1 512 555 0100",
        },
        "totals": {"shipping": "4.99"},
        "note": EVIL["note"],
        "lines": [{"store_sku": "A", "title": EVIL["title"], "quantity": 2, "unit_price": "12.90"}],
    }
    api = Api(admin)
    res = api.post("/push/orders", {"orders": [order]})
    assert res.status_code == 200 and res.json()["created"] == 1, res.json()
    return api


def _stored():
    o = Order.objects.get(external_id="EVIL-1")
    return {
        "buyer_name": o.buyer_name,
        "ship_name": o.ship_name,
        "ship_company": o.ship_company,
        "ship_address2": o.ship_address2,
        "ship_city": o.ship_city,
        "note": o.note,
        "title": o.lines.get().title,
    }


def _download(api: Api, entity: str, fmt: str) -> bytes:
    res = api.get(f"/spreadsheets/export/{entity}", {"format": fmt})
    assert res.status_code == 200
    return b"".join(res.streaming_content)


def test_store_text_is_neutralized_in_the_csv_export(admin, store, make_sku):
    api = _push(admin, make_sku)
    stored = _stored()
    # what the store sent, as it was (the importer strips the surrounding blanks of a cell)
    assert stored["buyer_name"] == EVIL["buyer_name"] and stored["ship_name"] == "@SUM(A1)"
    data = _download(api, "orders", "csv")
    (row,) = csv.DictReader(io.StringIO(data.decode("utf-8-sig")))
    for column, value in stored.items():
        assert row[column] == "'" + value, column
    assert row["buyer_phone"] == ""
    assert row["ship_phone"] == "'+1 512 555 0100"  # a spreadsheet computes "+1 512 555 0100"
    assert row["unit_price"] == "12.9" and row["quantity"] == "2"  # numbers stay numbers
    # imported again, nothing changes: the quotes come off
    report = test_imports._import(admin, "orders", data, name="orders.csv")
    assert (report["unchanged"], report["updated"], report["rejected"]) == (1, 0, 0), report
    assert _stored() == stored


def test_store_text_is_never_a_formula_in_the_xlsx_export(admin, store, make_sku):
    api = _push(admin, make_sku)
    stored = _stored()
    data = _download(api, "orders", "xlsx")
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        xml = b"".join(archive.read(n) for n in archive.namelist() if "worksheets/" in n)
    assert b"<f>" not in xml and b"<f " not in xml
    ws = load_workbook(io.BytesIO(data)).worksheets[0]
    header, row = list(ws.iter_rows())
    cells = {h.value: c for h, c in zip(header, row, strict=True)}
    assert not [h for h, c in cells.items() if c.data_type == "f"]
    for column, value in stored.items():
        assert cells[column].value == value, column
        assert cells[column].data_type == "s" and cells[column].quotePrefix, column
    assert not cells["store"].quotePrefix  # plain text is left alone
    report = test_imports._import(admin, "orders", data, name="orders.xlsx")
    assert (report["unchanged"], report["updated"], report["rejected"]) == (1, 0, 0), report
    assert _stored() == stored


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_products_and_stock_exports_are_neutralized_too(admin, wh_cn, make_sku, fmt):
    sku = make_sku("A1")
    Sku.objects.filter(pk=sku.pk).update(name="=1+1", variant="-5", declared_name_en="@cmd")
    inventory.receive(admin, sku_id=sku.pk, warehouse_id=wh_cn.pk, quantity=3)
    api = Api(admin)
    data = _download(api, "products", fmt)
    assert _cells(data, fmt, ["name", "variant", "declared_name_en"]) == ["=1+1", "-5", "@cmd"]
    report = test_imports._import(admin, "products", data, name=f"p.{fmt}")
    assert (report["unchanged"], report["rejected"]) == (1, 0), report["rows"]
    assert Sku.objects.values_list("name", "variant", "declared_name_en").get() == (
        "=1+1",
        "-5",
        "@cmd",
    )
    # codes cannot start so (the catalog refuses them), but an old row's would be neutralized
    Sku.objects.filter(pk=sku.pk).update(code="-A1")
    assert _cells(_download(api, "stock", fmt), fmt, ["sku"]) == ["-A1"]


def _cells(data: bytes, fmt: str, columns: list[str]) -> list[str]:
    """The first row's cells in ``columns``, each checked to be neutralized, without the
    quote (CSV) or the quote prefix (.xlsx)."""
    if fmt == "csv":
        (row, *_) = csv.DictReader(io.StringIO(data.decode("utf-8-sig")))
        assert all(row[c].startswith("'") for c in columns), row
        return [row[c][1:] for c in columns]
    ws = load_workbook(io.BytesIO(data)).worksheets[0]
    header, first, *_ = list(ws.iter_rows())
    cells = {h.value: c for h, c in zip(header, first, strict=True)}
    assert all(cells[c].data_type == "s" and cells[c].quotePrefix for c in columns)
    return [cells[c].value for c in columns]
