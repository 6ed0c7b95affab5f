"""Amazon against the stricter fake: v0 without a Restricted Data Token withholds the address
and v2026-01-01 gives it; one confirmShipment per parcel; stock per marketplace through
patchListingsItem; the fake's body rules."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest

from tradelane.core.models import OutboxMessage
from tradelane.core.outbox import deliver_due, enqueue
from tradelane.integrations.stores import services, stock_push, sync
from tradelane.integrations.stores.amazon import client as amazon_client
from tradelane.integrations.stores.amazon.connector import AmazonConnector
from tradelane.integrations.stores.amazon.mapping import package_reference
from tradelane.integrations.stores.contract import (
    Fulfillment,
    FulfillmentLine,
    PlatformError,
    StockLevel,
)
from tradelane.integrations.stores.fakes.amazon import MARKETPLACE, FakeAmazon, make_order
from tradelane.inventory import services as inventory
from tradelane.inventory.models import Warehouse
from tradelane.orders import services as order_services
from tradelane.orders.models import Order, Package, PackageLine

pytestmark = pytest.mark.django_db(transaction=True)

BASE = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=1)
UK = "A1F83G8C2ARO7P"


@pytest.fixture
def fake():
    amazon_client.reset_caches()
    server = FakeAmazon().start()
    yield server
    server.stop()
    amazon_client.reset_caches()


@pytest.fixture
def conn(admin, fake):
    store = order_services.create_store(
        admin, code="AMZ2", name="Amazon US+UK", platform="amazon", currency="USD", country="US"
    )
    return services.connect(
        admin, store, shop_domain="sellingpartnerapi-na.amazon.com", base_url=fake.base_url,
        credentials=fake.credentials(), settings={"marketplace_ids": [MARKETPLACE, UK]},
    )  # fmt: skip


def _two_items(i: int):
    """An order of two items: AMZ-SKU-A x 1 and AMZ-SKU-B x 2."""
    order, [item] = make_order(i, base=BASE)
    price = {"CurrencyCode": "USD", "Amount": "20.00"}
    other = {**item, "SellerSKU": "AMZ-SKU-B", "OrderItemId": f"{item['OrderItemId']}9",
             "QuantityOrdered": 2, "ItemPrice": price}  # fmt: skip
    return order, [{**item, "SellerSKU": "AMZ-SKU-A", "QuantityOrdered": 1}, other]


def test_v0_without_rdt_lacks_the_address_and_v2026_brings_it(conn, fake):
    order, items = make_order(1, base=BASE)
    fake.add_order(order, items)
    connector = AmazonConnector(conn)
    # what the old import read: v0 getOrders, no Restricted Data Token
    v0 = connector.client.call("getOrders", "GET", "/orders/v0/orders", params={
        "MarketplaceIds": MARKETPLACE, "LastUpdatedAfter": "2020-01-01T00:00:00Z"})  # fmt: skip
    [seen] = v0["payload"]["Orders"]
    v0_calls = len(fake.log)
    assert seen["ShippingAddress"] == {"City": "Seattle", "StateOrRegion": "WA",
                                       "PostalCode": "98109", "CountryCode": "US"}  # fmt: skip
    assert seen["BuyerInfo"] == {}
    run = sync.sync(conn)
    assert (run.status, run.created) == ("succeeded", 1), run.error
    got = Order.objects.get()
    assert (got.ship_name, got.ship_address1, got.ship_city, got.ship_postcode) == (
        "Buyer 1", "1 Main St", "Seattle", "98109",
    )  # fmt: skip
    assert got.buyer_email == "buyer1@marketplace.amazon.com"
    imported = [p for _, p in fake.log[v0_calls:] if p.startswith("/orders/")]
    assert imported == ["/orders/2026-01-01/orders"]  # items, buyer and address in one call
    assert fake.included_seen == [frozenset({"FULFILLMENT", "BUYER", "RECIPIENT", "PROCEEDS"})]


def test_search_orders_rules_of_the_fake(conn, fake):
    client = AmazonConnector(conn).client
    now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    refused = [
        {"marketplaceIds": MARKETPLACE},  # neither createdAfter nor lastUpdatedAfter
        {"marketplaceIds": MARKETPLACE, "createdAfter": now, "lastUpdatedAfter": now},
        {"marketplaceIds": MARKETPLACE, "lastUpdatedAfter": now, "lastUpdatedBefore": now},
        {"marketplaceIds": MARKETPLACE, "lastUpdatedAfter": now, "maxResultsPerPage": 101},
        {"lastUpdatedAfter": now},
        {"marketplaceIds": MARKETPLACE, "lastUpdatedAfter": now, "includedData": "ADDRESS"},
    ]
    for params in refused:
        with pytest.raises(PlatformError, match="HTTP 400"):
            client.call("searchOrders", "GET", "/orders/2026-01-01/orders", params=params)


def _ship_package(order: Order, lines: dict[str, int], number: str, wh: Warehouse):
    package = Package.objects.create(kind=Package.Kind.SPLIT, warehouse=wh)
    for line in order.lines.all():
        if lines.get(line.store_sku):
            PackageLine.objects.create(package=package, order_line=line,
                                       quantity=lines[line.store_sku])  # fmt: skip
    return enqueue(
        "store.fulfillment",
        {"order_id": order.pk, "store_id": order.store_id, "tracking_company": "UPS",
         "tracking_number": number, "tracking_url": "", "update": False,
         "package_id": package.pk},
        dedupe_key=f"ful:{order.pk}:{number}",
    )  # fmt: skip


def test_second_parcel_reaches_amazon_with_its_own_package(conn, fake, wh_us):
    amazon_order, items = _two_items(1)
    fake.add_order(amazon_order, items)
    sync.sync(conn)
    order = Order.objects.get()
    oid = amazon_order["AmazonOrderId"]
    _ship_package(order, {"AMZ-SKU-A": 1, "AMZ-SKU-B": 1}, "1ZFIRST", wh_us)
    assert deliver_due()["sent"] == 1
    assert fake.orders[oid]["OrderStatus"] == "PartiallyShipped"
    _ship_package(order, {"AMZ-SKU-B": 1}, "1ZSECOND", wh_us)
    assert deliver_due()["sent"] == 1
    first, second = fake.confirmations
    assert (first["packageReferenceId"], first["trackingNumber"]) == (
        package_reference("1ZFIRST"), "1ZFIRST")  # fmt: skip
    assert first["orderItems"] == [
        {"orderItemId": items[0]["OrderItemId"], "quantity": 1},
        {"orderItemId": items[1]["OrderItemId"], "quantity": 1},
    ]
    assert (second["packageReferenceId"], second["trackingNumber"], second["update"]) == (
        package_reference("1ZSECOND"), "1ZSECOND", False)  # fmt: skip
    assert second["orderItems"] == [{"orderItemId": items[1]["OrderItemId"], "quantity": 1}]
    assert fake.orders[oid]["OrderStatus"] == "Shipped"
    assert len(fake.packages) == 2 and fake.refused == []
    # a third push of the same parcel (a lost answer, retried): Amazon has it, nothing sent
    connector = AmazonConnector(conn)
    again = connector.push_fulfillment(
        Fulfillment(oid, "UPS", "1ZSECOND", lines=(FulfillmentLine("AMZ-SKU-B", 1),))
    )
    assert again.count == 0 and len(fake.confirmations) == 2
    # the order is shipped, and a later parcel's new number still reaches its own package
    moved = connector.update_tracking(
        Fulfillment(oid, "Royal Mail", "LM2", previous_tracking_number="1ZSECOND")
    )
    assert moved.count == 1
    last = fake.confirmations[-1]
    assert (last["packageReferenceId"], last["trackingNumber"], last["update"]) == (
        package_reference("1ZSECOND"), "LM2", True)  # fmt: skip
    assert last["orderItems"] == second["orderItems"]
    assert fake.packages[(oid, package_reference("1ZFIRST"))]["trackingNumber"] == "1ZFIRST"
    assert OutboxMessage.objects.filter(status="sent").count() == 2


def test_update_without_previous_number_among_several_packages_is_refused(conn, fake):
    amazon_order, items = _two_items(2)
    fake.add_order(amazon_order, items)
    oid = amazon_order["AmazonOrderId"]
    connector = AmazonConnector(conn)
    for number, sku in (("P1", "AMZ-SKU-A"), ("P2", "AMZ-SKU-B")):
        connector.push_fulfillment(Fulfillment(oid, "UPS", number,
                                               lines=(FulfillmentLine(sku, 1),)))  # fmt: skip
    before = [dict(c) for c in fake.confirmations]
    with pytest.raises(PlatformError, match="2 packages"):
        connector.update_tracking(Fulfillment(oid, "UPS", "P3"))
    assert fake.confirmations == before  # nothing sent


def test_confirm_shipment_rules_of_the_fake(conn, fake):
    amazon_order, items = make_order(3, base=BASE)
    fake.add_order(amazon_order, items)
    client = AmazonConnector(conn).client
    path = f"/orders/v0/orders/{amazon_order['AmazonOrderId']}/shipmentConfirmation"
    row = {"orderItemId": items[0]["OrderItemId"], "quantity": 1}
    good = {"packageReferenceId": "12", "carrierCode": "UPS", "trackingNumber": "1Z",
            "shipDate": "2026-01-01T00:00:00Z", "orderItems": [row]}  # fmt: skip
    bad = [
        {k: v for k, v in good.items() if k != "packageReferenceId"},
        {**good, "packageReferenceId": "PKG-1"},
        {**good, "packageReferenceId": "0"},
        {**good, "carrierCode": "Other"},  # no carrierName
        {**good, "orderItems": []},
        {**good, "orderItems": [{**row, "quantity": 5}]},  # more than ordered
    ]
    for detail in bad:
        with pytest.raises(PlatformError, match="HTTP 400"):
            body = {"marketplaceId": MARKETPLACE, "packageDetail": detail}
            client.call("confirmShipment", "POST", path, json_body=body)
    assert [op for op, _ in fake.refused] == ["confirmShipment"] * len(bad)
    assert fake.confirmations == [] and fake.packages == {}
    client.call("confirmShipment", "POST", path,
                json_body={"marketplaceId": MARKETPLACE, "packageDetail": good})  # fmt: skip
    assert list(fake.packages) == [(amazon_order["AmazonOrderId"], "12")]


def test_stock_push_sets_the_quantity_per_marketplace(conn, fake):
    fake.add_listing("AMZ-SKU-A", [MARKETPLACE, UK], product_type="LUGGAGE")
    fake.add_listing("AMZ-SKU-B", [UK], product_type="SHOES")  # not listed in the US
    result = AmazonConnector(conn).push_stock([
        StockLevel("AMZ-SKU-A", "DEFAULT", 7), StockLevel("AMZ-SKU-A", "DEFAULT", 3),
        StockLevel("AMZ-SKU-B", "DEFAULT", 0),
    ])  # fmt: skip
    assert result.count == 3
    assert sorted(result.platform_ids) == sorted(
        [f"AMZ-SKU-A@{MARKETPLACE}", f"AMZ-SKU-A@{UK}", f"AMZ-SKU-B@{UK}"]
    )
    assert fake.listings[("AMZ-SKU-A", MARKETPLACE)]["quantity"] == {"DEFAULT": 10}
    assert fake.listings[("AMZ-SKU-A", UK)]["quantity"] == {"DEFAULT": 10}
    assert fake.listings[("AMZ-SKU-B", UK)]["quantity"] == {"DEFAULT": 0}
    bodies = {(p["sku"], p["marketplace"]): p["body"] for p in fake.listing_patches}
    assert bodies[("AMZ-SKU-B", UK)] == {"productType": "SHOES", "patches": [{
        "op": "merge", "path": "/attributes/fulfillment_availability",
        "value": [{"fulfillment_channel_code": "DEFAULT", "quantity": 0}]}]}  # fmt: skip
    assert fake.refused == []


def test_stock_push_honours_the_patch_rate_limit(conn, fake):
    for i in range(4):
        fake.add_listing(f"SKU-{i}", [MARKETPLACE, UK])
    fake.set_limit("patchListingsItem", 5.0, 1)
    slept = []

    def sleep(seconds):
        slept.append(seconds)
        time.sleep(seconds)

    connector = AmazonConnector(conn, sleep=sleep)
    result = connector.push_stock([StockLevel(f"SKU-{i}", "DEFAULT", i) for i in range(4)])
    assert result.count == 8
    assert connector.client.bucket("patchListingsItem").rate == 5.0  # learned from the header
    assert slept and (fake.throttled >= 1 or connector.client.paced_sleeps)
    assert {k: v["quantity"] for k, v in fake.listings.items()} == {
        (f"SKU-{i}", m): {"DEFAULT": i} for i in range(4) for m in (MARKETPLACE, UK)
    }


def test_stock_push_needs_the_seller_id_and_reports_refusals(admin, conn, fake):
    fake.add_listing("AMZ-SKU-A", [MARKETPLACE, UK], product_type="LUGGAGE")
    fake.listings[("AMZ-SKU-A", UK)]["productType"] = "SHOES"  # changed on Amazon meanwhile
    connector = AmazonConnector(conn)
    connector._product_type = lambda seller, sku, market: "LUGGAGE"  # a stale product type
    with pytest.raises(PlatformError, match=f"AMZ-SKU-A@{UK}: INVALID productType"):
        connector.push_stock([StockLevel("AMZ-SKU-A", "DEFAULT", 4)])
    assert fake.listings[("AMZ-SKU-A", MARKETPLACE)]["quantity"] == {"DEFAULT": 4}
    assert fake.listings[("AMZ-SKU-A", UK)]["quantity"] == {}
    creds = {k: v for k, v in fake.credentials().items() if k != "seller_id"}
    services.update_credentials(admin, conn, {**creds, "seller_id": ""})
    conn.refresh_from_db()
    with pytest.raises(PlatformError, match="seller_id"):
        AmazonConnector(conn).push_stock([StockLevel("AMZ-SKU-A", "DEFAULT", 1)])


def test_listings_patch_rules_of_the_fake(conn, fake):
    fake.add_listing("AMZ-SKU-A", [MARKETPLACE])
    client = AmazonConnector(conn).client
    path = f"/listings/2021-08-01/items/{fake.seller_id}/AMZ-SKU-A"
    value = [{"fulfillment_channel_code": "DEFAULT", "quantity": 3}]
    op = {"op": "merge", "path": "/attributes/fulfillment_availability", "value": value}
    bad = [
        {"patches": [op]},  # no productType
        {"productType": "LUGGAGE", "patches": []},
        {"productType": "LUGGAGE", "patches": [{**op, "op": "move"}]},
        {"productType": "LUGGAGE", "patches": [{**op, "path": "/attributes/x/0/quantity"}]},
        {"productType": "LUGGAGE", "patches": [{**op, "value": {"quantity": 3}}]},
        {"productType": "LUGGAGE", "patches": [{**op, "value": [{"quantity": 3}]}]},
        {"productType": "LUGGAGE", "patches": [{**op, "value": [{**value[0], "quantity": -1}]}]},
    ]
    for body in bad:
        with pytest.raises(PlatformError, match="HTTP 400"):
            client.call("patchListingsItem", "PATCH", path,
                        params={"marketplaceIds": MARKETPLACE}, json_body=body)  # fmt: skip
    assert len(fake.refused) == len(bad) and fake.listing_patches == []
    assert fake.listings[("AMZ-SKU-A", MARKETPLACE)]["quantity"] == {}


def test_stock_sweep_pushes_mapped_skus_without_inventory_items(admin, conn, fake, make_sku, wh_us):
    mug = make_sku("MUG-1")
    order_services.map_store_sku(admin, conn.store, "AMZ-MUG", [(mug, 1)])
    order_services.map_store_sku(admin, conn.store, "AMZ-MUG-3", [(mug, 3)])  # a bundle of 3
    services.update_settings(admin, conn, {"push_stock": True, "locations": {"LA": "DEFAULT"}})
    fake.add_listing("AMZ-MUG", [MARKETPLACE, UK])
    fake.add_listing("AMZ-MUG-3", [UK])
    inventory.receive(admin, sku_id=mug.pk, warehouse_id=wh_us.pk, quantity=10)
    assert stock_push.queue_changed()["queued"] == 1
    assert deliver_due()["sent"] == 1
    assert {k: v["quantity"] for k, v in fake.listings.items()} == {
        ("AMZ-MUG", MARKETPLACE): {"DEFAULT": 10}, ("AMZ-MUG", UK): {"DEFAULT": 10},
        ("AMZ-MUG-3", UK): {"DEFAULT": 3},
    }  # fmt: skip
