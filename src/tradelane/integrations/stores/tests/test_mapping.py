"""Pure mapping functions: Shopify shapes -> the neutral order that orders.importing takes."""

from tradelane.integrations.stores.fakes.shopify import graphql_node, make_order, rest_payload
from tradelane.integrations.stores.shopify import mapping


def test_webhook_and_graphql_map_to_the_same_order():
    order = make_order(7)
    a = mapping.from_webhook(rest_payload(order))
    b = mapping.from_graphql(graphql_node(order))
    assert a == b
    assert a["external_id"] == "5000007"
    assert a["number"] == "#1007"
    assert a["payment_status"] == "paid"
    assert a["shipping_address"]["country"] == "US"
    assert a["shipping_address"]["state"] == "IL"
    assert a["totals"]["shipping"] == "5.00"
    assert a["lines"] == [
        {"store_sku": "FK-SKU-007", "title": "Fake product 7", "quantity": 2, "unit_price": "17.50"}
    ]
    assert a["cancelled"] is False


def test_financial_status_and_cancel():
    order = make_order(1)
    order.update(financial_status="partially_refunded", cancelled_at="2026-01-02T00:00:00Z")
    neutral = mapping.from_webhook(rest_payload(order))
    assert neutral["payment_status"] == "partially_refunded"
    assert neutral["cancelled"] is True
    assert (
        mapping.from_graphql({**graphql_node(order), "displayFinancialStatus": "EXPIRED"})[
            "payment_status"
        ]
        == "voided"
    )


def test_line_without_sku_gets_a_stable_store_sku():
    payload = rest_payload(make_order(2))
    payload["line_items"][0]["sku"] = None
    assert mapping.from_webhook(payload)["lines"][0]["store_sku"] == "shopify-line-9000002"


def test_cursor_and_search():
    assert mapping.cursor_of("2026-01-01T08:00:00+08:00") == "2026-01-01T00:00:00Z"
    assert mapping.search_since("2026-01-01T00:00:00Z") == "updated_at:>='2026-01-01T00:00:00Z'"
    assert mapping.search_since(None) is None
