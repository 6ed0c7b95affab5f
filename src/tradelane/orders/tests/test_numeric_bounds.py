"""Order totals computed from the lines must fit their columns, like the totals given."""

from __future__ import annotations

import pytest

from tradelane.api.testing import Api
from tradelane.orders.models import Order
from tradelane.orders.tests.factories import make_store

pytestmark = pytest.mark.django_db


def _order(quantity: int, price: str) -> dict:
    return {
        "store": "US1",
        "external_id": "BIG-1",
        "shipping_address": {"name": "Jane", "address1": "1 Main St", "country": "US"},
        "lines": [{"store_sku": "A", "quantity": quantity, "unit_price": price}],
    }


def test_lines_adding_up_to_more_than_a_total_holds_are_refused(admin, company):
    """100,000 x 99,999,999,999 is 10**16: more than DecimalField(18, 4) holds. On SQLite it
    was stored and every later read of the order failed; on PostgreSQL the write was a 500."""
    make_store()
    api = Api(admin)
    r = api.post("/orders", _order(100_000, "99999999999"))
    assert r.status_code == 422, r.json()
    assert r.json()["code"] == "order_rejected"
    assert [(e["field"], e["code"]) for e in r.json()["details"]] == [
        ("totals.items", "invalid_amount"),
        ("totals.grand", "invalid_amount"),
    ]
    r = api.post("/orders/import", {"orders": [_order(1_000_000, "99999999999999")]})
    assert r.status_code == 200 and r.json()["rejected"] == 1
    assert not Order.objects.exists()
    assert api.get("/orders").status_code == 200
    assert api.post("/orders", _order(2, "12.50")).status_code == 201


def test_a_bundle_that_multiplies_a_line_past_its_column_refuses_the_order(
    admin, company, make_sku
):
    """1,000,000 store units of a bundle of 100,000 is 10**11 units: more than the line's
    integer column holds (a 500 on PostgreSQL). The order is refused, its neighbour lands."""
    from tradelane.orders.models import StoreSkuMapping

    store = make_store()
    sku = make_sku("PIN")
    StoreSkuMapping.objects.create(store=store, store_sku="A", sku=sku, quantity=100_000)
    api = Api(admin)
    small = {**_order(2, "1.00"), "external_id": "SMALL-1"}
    r = api.post("/orders/import", {"orders": [_order(1_000_000, "1.00"), small]})
    assert r.status_code == 200
    body = r.json()
    assert (body["created"], body["rejected"]) == (1, 1)
    rejected = [row for row in body["rows"] if row["result"] == "rejected"]
    assert [e["code"] for e in rejected[0]["errors"]] == ["quantity_too_large"]
    assert list(Order.objects.values_list("external_id", flat=True)) == ["SMALL-1"]
