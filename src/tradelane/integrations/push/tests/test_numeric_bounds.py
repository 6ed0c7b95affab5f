"""The push API and the spreadsheet import reach the SKU columns: their numbers are bounded."""

from __future__ import annotations

import pytest

from tradelane.api.testing import Api
from tradelane.catalog.models import Product, Sku
from tradelane.integrations.spreadsheets import services

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "item, field",
    [
        ({"weight_kg": "1e30"}, "items.0.weight_kg"),
        ({"weight_kg": 1e30}, "items.0.weight_kg"),
        ({"length_cm": "1000000"}, "items.0.length_cm"),
        ({"cost": "1e17"}, "items.0.cost"),
    ],
)
def test_push_products_refuses_numbers_no_column_holds(admin, item, field):
    r = Api(admin).post(
        "/push/products", {"items": [{"product_code": "P", "product_name": "p", "code": "S",
                                      **item}]},
    )  # fmt: skip
    assert r.status_code == 422, r.json()
    assert [d["field"] for d in r.json()["details"]] == [field]
    assert not Sku.objects.exists() and not Product.objects.exists()


def test_a_spreadsheet_row_with_an_impossible_weight_is_rejected_not_a_server_error(admin):
    """The file's weight is converted to grams (kg x 1000) before the SKU service sees it:
    1e30 kg used to overflow the decimal context there (a 500)."""
    data = (
        "产品编码,产品名称,SKU,SKU名称,重量(kg)\r\nP1,一,S1,one,1e30\r\nP1,一,S2,two,0.5\r\n"
    ).encode()
    upload = services.upload_file(admin, entity="products", filename="p.csv", data=data)
    report = services.run_import(admin, upload)
    assert report["written"] is False
    (row,) = [r for r in report["rows"] if r["result"] == "rejected"]
    assert row["row"] == 2
    assert [(e["field"], e["code"]) for e in row["errors"]] == [("weight_kg", "invalid_weight")]
    assert not Sku.objects.exists()
