"""Pure mapping: WooCommerce and Amazon shapes -> the neutral order; tracking, confirmation."""

import json
from datetime import UTC, datetime
from decimal import Decimal

from tradelane.integrations.stores.amazon import mapping as amz
from tradelane.integrations.stores.fakes.amazon import make_order as amazon_order
from tradelane.integrations.stores.fakes.amazon_shapes import (
    confirmation_problem,
    listings_patch_problem,
    order_2026,
)
from tradelane.integrations.stores.fakes.woocommerce import make_order as woo_order
from tradelane.integrations.stores.wire_formats import cursor_minus, unit_price
from tradelane.integrations.stores.woocommerce import mapping as woo
from tradelane.integrations.stores.woocommerce.connector import delivery_key


def _as_sent(order: dict) -> dict:
    """Through JSON as WooCommerce sends it (prices as numbers, read back as Decimal)."""
    return json.loads(json.dumps(order, default=str), parse_float=Decimal)


def test_woocommerce_order():
    n = woo.from_rest(_as_sent(woo_order(7)))
    assert (n["external_id"], n["number"], n["currency"]) == ("707", "707", "EUR")
    assert n["placed_at"] == n["platform_updated_at"] == "2026-01-01T00:00:07+00:00"
    assert (n["payment_status"], n["cancelled"]) == ("paid", False)
    assert n["platform_status"] == "processing"
    assert n["shipping_address"] == {
        "name": "Käufer 7", "company": "", "address1": "Hauptstraße 7", "address2": "",
        "city": "Berlin", "state": "", "postcode": "10115", "country": "DE",
        "phone": "+4930123456",
    }  # fmt: skip
    assert n["lines"] == [{"store_sku": "WC-SKU-007", "title": "Fake product 7", "quantity": 2,
                           "unit_price": "17.50"}]  # fmt: skip
    assert n["totals"] == {"items": "35.00", "shipping": "4.90", "tax": "0.00",
                           "discount": "0.00", "grand": "39.90"}  # fmt: skip
    assert n["buyer"]["email"] == "kunde7@example.com"


def test_woocommerce_statuses_refunds_and_fallbacks():
    order = woo_order(1)
    order["refunds"] = [{"id": 5, "total": "-5.00"}]
    assert woo.from_rest(order)["payment_status"] == "partially_refunded"
    cases = [
        ("on-hold", "pending", False),
        ("refunded", "refunded", False),
        ("cancelled", "voided", True),
        ("trash", "voided", True),
        ("failed", "voided", False),
    ]
    for status, payment, cancelled in cases:
        n = woo.from_rest({**woo_order(1), "status": status})
        assert (n["payment_status"], n["cancelled"]) == (payment, cancelled), status
    virtual = woo_order(2)
    virtual["shipping"] = {k: "" for k in virtual["shipping"]}
    virtual["line_items"][0].update(sku="", variation_id=55)
    n = woo.from_rest(virtual)
    assert n["shipping_address"]["address1"] == "Hauptstraße 2"  # the billing address
    assert n["lines"][0]["store_sku"] == "woocommerce-102-55"


def test_woocommerce_tracking_and_dedupe_key():
    body = woo.plugin_tracking(
        "Yun Express", "YT1", "https://t/YT1", datetime(2026, 1, 1, tzinfo=UTC), replace=True
    )
    assert body == {
        "tracking_provider": "Yun Express", "custom_tracking_provider": "Yun Express",
        "custom_tracking_link": "https://t/YT1", "tracking_number": "YT1",
        "date_shipped": "2026-01-01", "status_shipped": 1, "replace_tracking": 1,
    }  # fmt: skip
    assert woo.has_tracking([{"tracking_number": "YT1"}], "YT1")
    assert not woo.has_tracking([{"tracking_number": "YT10"}], "YT1")
    assert woo.has_note_for([{"note": "Shipped: Yun Express YT1"}], "YT1")
    assert woo.stock_target("12") == (12, None) and woo.stock_target("12:34") == (12, 34)
    assert delivery_key("abc", b"1") != delivery_key("abc", b"2")
    assert delivery_key("abc", b"1") == delivery_key("abc", b"1")


ALL = {"FULFILLMENT", "BUYER", "RECIPIENT", "PROCEEDS"}


def _v2026(order, items, included=ALL):
    return order_2026(order, items, [], set(included))


def test_amazon_order_and_items():
    order, items = amazon_order(3)
    n = amz.from_sp(_v2026(order, items))
    assert n["external_id"] == n["number"] == order["AmazonOrderId"]
    assert (n["payment_status"], n["fulfilled_by_platform"], n["cancelled"]) == ("paid", False,
                                                                                 False)  # fmt: skip
    assert n["lines"] == [
        {
            "store_sku": "AMZ-SKU-003",
            "title": "Fake Amazon product 3",
            "quantity": 2,
            "unit_price": "18.00",
        }
    ]  # unitPrice 18.00; the ITEM proceeds 36.00 for 2
    assert n["totals"]["items"] == "36.00" and n["totals"]["shipping"] == "4.99"
    assert n["totals"]["discount"] == "0.00" and n["totals"]["tax"] == "0.00"
    assert n["totals"]["grand"] == "40.99" and n["currency"] == "USD"
    assert n["shipping_address"] == {
        "name": "Buyer 3", "company": "", "address1": "3 Main St", "address2": "",
        "city": "Seattle", "state": "WA", "postcode": "98109", "country": "US",
        "phone": "+1 206-555-0100",
    }  # fmt: skip
    assert n["buyer"]["email"] == "buyer3@marketplace.amazon.com"


def test_amazon_without_address_fba_and_pending():
    order, items = amazon_order(1)
    bare = _v2026(order, items, ALL - {"RECIPIENT"})  # no address given (role not granted)
    assert amz.from_sp(bare)["shipping_address"]["address1"] == ""  # MFN: not made up
    fba = amz.from_sp(_v2026({**order, "FulfillmentChannel": "AFN"}, items, ALL - {"RECIPIENT"}))
    assert fba["fulfilled_by_platform"] is True
    assert fba["shipping_address"]["address1"] == "(fulfilled by Amazon)"
    assert not amz.wanted(_v2026({**order, "FulfillmentChannel": "AFN", "OrderStatus": "Pending"},
                                 items))  # fmt: skip
    assert amz.wanted(_v2026({**order, "OrderStatus": "Pending"}, items))
    cancelled = amz.from_sp(_v2026({**order, "OrderStatus": "Canceled"}, items))
    assert (cancelled["cancelled"], cancelled["payment_status"]) == (True, "voided")


def test_amazon_confirmation_rows_and_reference():
    order, items = amazon_order(1)  # one item, 2 ordered
    items[0]["QuantityShipped"] = 1
    view = _v2026(order, items)
    item_id = items[0]["OrderItemId"]
    assert amz.package_rows(view["orderItems"], None) == [{"orderItemId": item_id, "quantity": 1}]
    assert amz.package_rows(view["orderItems"], [("AMZ-SKU-001", 5)]) == [
        {"orderItemId": item_id, "quantity": 1}
    ]  # capped to what is left
    assert amz.package_rows(view["orderItems"], [("OTHER", 1)]) == []
    ref = amz.package_reference("1Z9")
    assert ref.isdigit() and int(ref) > 0 and ref == amz.package_reference(" 1Z9 ")
    assert amz.package_reference("1Z9") != amz.package_reference("1Z8")
    at = datetime(2026, 2, 1, 8, 0, tzinfo=UTC)
    body = amz.confirmation("M1", ref, [{"orderItemId": item_id, "quantity": 1}], "ups", "1Z9", at)
    assert body == {"marketplaceId": "M1", "packageDetail": {
        "packageReferenceId": ref, "carrierCode": "UPS", "trackingNumber": "1Z9",
        "shipDate": "2026-02-01T08:00:00Z",
        "orderItems": [{"orderItemId": item_id, "quantity": 1}]}}  # fmt: skip
    assert confirmation_problem(body) is None
    other = amz.confirmation("M1", "7", [{"orderItemId": item_id, "quantity": 1}], "YunExpress",
                             "YT1", at)  # fmt: skip
    assert other["packageDetail"]["carrierCode"] == "Other"
    assert other["packageDetail"]["carrierName"] == "YunExpress"


def test_amazon_quantity_patch_meets_the_listings_rules():
    body = amz.quantity_patch("LUGGAGE", 7)
    assert body == {"productType": "LUGGAGE", "patches": [{
        "op": "merge", "path": "/attributes/fulfillment_availability",
        "value": [{"fulfillment_channel_code": "DEFAULT", "quantity": 7}]}]}  # fmt: skip
    assert listings_patch_problem(body) is None


def test_common_helpers():
    assert unit_price("10", 3) == "3.3333" and unit_price("36.00", 2) == "18.00"
    assert cursor_minus("2026-01-01T00:00:00Z", 1) == "2025-12-31T23:59:59Z"
    assert cursor_minus(None, 5) is None
