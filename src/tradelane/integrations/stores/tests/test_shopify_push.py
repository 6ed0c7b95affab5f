"""What leaves for Shopify: stock (changeFromQuantity and one idempotency key per push) and
split parcels (their own lines, one fulfilment per location, held fulfilment orders wait)."""

from __future__ import annotations

import pytest

from tradelane.core.models import OutboxMessage
from tradelane.core.outbox import deliver_due, enqueue
from tradelane.integrations.stores import services, sync
from tradelane.integrations.stores.contract import (
    Fulfillment,
    FulfillmentLine,
    FulfillmentWaiting,
    StockLevel,
)
from tradelane.integrations.stores.fakes.shopify import make_order
from tradelane.integrations.stores.handlers import package_lines
from tradelane.integrations.stores.shopify import queries
from tradelane.integrations.stores.shopify.connector import ShopifyConnector
from tradelane.inventory import services as inventory
from tradelane.orders import services as order_services
from tradelane.orders.models import Order, Package, PackageLine

from .factories import ship

pytestmark = pytest.mark.django_db(transaction=True)

LA, NY = "gid://shopify/Location/1", "gid://shopify/Location/2"
ITEM = "gid://shopify/InventoryItem/1"


# --- stock ----------------------------------------------------------------------------------


def test_stock_push_sends_change_from_quantity_and_is_applied_once_on_retry(
    admin, conn, fake, make_sku, wh_us
):
    sku = make_sku("MUG-1")
    order_services.map_store_sku(admin, conn.store, "FK-SKU-001", [(sku, 1)])
    services.set_inventory_items(admin, conn, {"FK-SKU-001": ITEM})
    services.update_settings(admin, conn, {"push_stock": True, "locations": {"LA": LA}})
    inventory.receive(admin, sku_id=sku.pk, warehouse_id=wh_us.pk, quantity=7)
    fake.drop_after_bytes = 40  # the answer to the applied mutation is lost: the client retries
    msg = enqueue("store.stock", {"store_id": conn.store_id}, dedupe_key="stock:once")
    assert deliver_due()["sent"] == 1
    assert fake.requests == 2  # sent twice with one idempotency key ...
    assert len(fake.stock_pushes) == 1  # ... applied once
    assert fake.inventory == {(ITEM, LA): 7}
    quantity = fake.stock_pushes[0]["quantities"][0]
    assert quantity == {"inventoryItemId": ITEM, "locationId": LA, "quantity": 7,
                        "changeFromQuantity": None}  # fmt: skip
    assert "ignoreCompareQuantity" not in fake.stock_pushes[0]
    msg.refresh_from_db()
    assert msg.status == "sent"


def test_another_push_is_a_new_operation(conn, fake):
    connector = ShopifyConnector(conn)
    connector.push_stock([StockLevel(ITEM, LA, 3)], idempotency_key="outbox-1")
    connector.push_stock([StockLevel(ITEM, LA, 3)], idempotency_key="outbox-1")  # a retry
    connector.push_stock([StockLevel(ITEM, LA, 5)], idempotency_key="outbox-2")
    assert len(fake.stock_pushes) == 2
    assert fake.inventory == {(ITEM, LA): 5}


def test_fake_refuses_inventory_set_without_the_2026_04_rules(conn, fake):
    variables = {"input": {"name": "available", "reason": "correction",
                           "quantities": [{"inventoryItemId": ITEM, "locationId": LA,
                                           "quantity": 4}]},
                 "idempotencyKey": "k1"}  # fmt: skip
    without_directive = queries.INVENTORY_SET.replace(" @idempotent(key: $idempotencyKey)", "")
    status, body = fake.execute(without_directive, variables)
    assert body["errors"][0]["message"] == (
        "The @idempotent directive is required for this mutation."
    )
    status, body = fake.execute(queries.INVENTORY_SET, variables)  # no changeFromQuantity
    errors = body["data"]["inventorySetQuantities"]["userErrors"]
    assert [e["field"] for e in errors] == [["input", "quantities", "0", "changeFromQuantity"]]
    variables["idempotencyKey"] = "k2"
    variables["input"]["quantities"][0]["changeFromQuantity"] = 9  # stale: Shopify has 0
    status, body = fake.execute(queries.INVENTORY_SET, variables)
    errors = body["data"]["inventorySetQuantities"]["userErrors"]
    assert [e["code"] for e in errors] == ["CHANGE_FROM_QUANTITY_STALE"]
    assert fake.stock_pushes == [] and fake.inventory == {}


# --- split parcels --------------------------------------------------------------------------


@pytest.fixture
def two_line_order(conn, fake):
    """Order 5000001 with lines FK-SKU-001 x2 and FK-SKU-002 x2, imported."""
    order = fake.add_order(make_order(1, lines=2))
    assert sync.sync(conn).status == "succeeded"
    return order


def _f(lines=(), number="LP1"):
    return Fulfillment("5000001", "YunExpress", number, f"https://t.example/{number}",
                       lines=tuple(FulfillmentLine(s, q) for s, q in lines))  # fmt: skip


def test_a_package_sends_its_own_lines_one_fulfilment_per_location(conn, fake, two_line_order):
    oid = two_line_order["id"]
    fake.fo.split(oid, [(LA, "OPEN", [(0, 2)]), (NY, "OPEN", [(1, 2)])])
    connector = ShopifyConnector(conn)
    # the first parcel: one of line 1 only
    result = connector.push_fulfillment(_f([("FK-SKU-001", 1)], "LP1"))
    assert result.count == 1
    assert [(f["location"], f["lines"]) for f in fake.fulfillments] == [
        (LA, [("gid://shopify/LineItem/9000001", "FK-SKU-001", 1)])
    ]
    assert [fo["status"] for fo in fake.fo.of(oid)] == ["IN_PROGRESS", "OPEN"]
    # the second parcel holds the rest of both lines: two locations, two fulfilments
    result = connector.push_fulfillment(_f([("FK-SKU-001", 1), ("FK-SKU-002", 2)], "LP2"))
    assert result.count == 2
    assert [
        (f["location"], f["trackingInfo"]["number"], f["lines"]) for f in fake.fulfillments[1:]
    ] == [  # noqa: E501
        (LA, "LP2", [("gid://shopify/LineItem/9000001", "FK-SKU-001", 1)]),
        (NY, "LP2", [("gid://shopify/LineItem/9001001", "FK-SKU-002", 2)]),
    ]
    assert [fo["status"] for fo in fake.fo.of(oid)] == ["CLOSED", "CLOSED"]
    # the same parcel again (a retry after a lost answer) sends nothing
    assert connector.push_fulfillment(_f([("FK-SKU-001", 1), ("FK-SKU-002", 2)], "LP2")).count == 0
    assert len(fake.fulfillments) == 3


def test_fake_refuses_fulfilment_orders_of_two_locations_in_one_fulfilment(fake, two_line_order):
    fos = fake.fo.split(two_line_order["id"], [(LA, "OPEN", [(0, 2)]), (NY, "OPEN", [(1, 2)])])
    answer = fake.fo.create({"lineItemsByFulfillmentOrder": [
        {"fulfillmentOrderId": fos[0]["id"]}, {"fulfillmentOrderId": fos[1]["id"]}]})  # fmt: skip
    assert answer["userErrors"][0]["message"].startswith("All fulfillment orders in one")
    assert fake.fulfillments == [] and [fo["status"] for fo in fos] == ["OPEN", "OPEN"]


def test_a_held_fulfilment_order_waits_visibly_until_released(conn, fake, two_line_order):
    oid = two_line_order["id"]
    hold = {"reason": "HIGH_RISK_OF_FRAUD", "reasonNotes": "check"}
    fos = fake.fo.split(oid, [(LA, "OPEN", [(0, 2)]), (NY, "ON_HOLD", [(1, 2)])], holds=[hold])
    msg = ship(Order.objects.get(external_id="5000001"), "LP9")
    assert deliver_due()["retried"] == 1
    msg.refresh_from_db()
    assert msg.status == "pending" and msg.attempts == 0
    assert msg.last_error == (
        f"Waiting: fulfillment order {fos[1]['id']} is ON_HOLD: HIGH_RISK_OF_FRAUD (check)"
    )
    assert [f["location"] for f in fake.fulfillments] == [LA]  # the open part went out
    # the merchant releases the hold; the next try fulfils the rest with the same tracking
    fake.fo.set_status(fos[1]["id"], "OPEN")
    OutboxMessage.objects.filter(pk=msg.pk).update(next_attempt_at=msg.created_at)
    assert deliver_due()["sent"] == 1
    assert [(f["location"], f["trackingInfo"]["number"]) for f in fake.fulfillments] == [
        (LA, "LP9"), (NY, "LP9")]  # fmt: skip
    msg.refresh_from_db()
    assert msg.status == "sent" and msg.last_error == ""


def test_a_scheduled_fulfilment_order_is_not_fulfilled(conn, fake, two_line_order):
    fake.fo.split(two_line_order["id"], [(LA, "SCHEDULED", [(0, 2), (1, 2)])],
                  fulfill_at="2027-02-01T00:00:00Z")  # fmt: skip
    with pytest.raises(FulfillmentWaiting, match="SCHEDULED for 2027-02-01T00:00:00Z"):
        ShopifyConnector(conn).push_fulfillment(_f())
    assert fake.fulfillments == []


def test_package_lines_are_the_parcels_store_lines(conn, fake, two_line_order, wh_us):
    order = Order.objects.get(external_id="5000001")
    line1, line2 = order.lines.order_by("line_no")
    package = Package.objects.create(kind=Package.Kind.SPLIT, warehouse=wh_us)
    PackageLine.objects.create(package=package, order_line=line2, quantity=1)
    assert package_lines(order.pk, package.pk) == (FulfillmentLine(line2.store_sku, 1),)
    assert package_lines(order.pk, None) == ()


def test_a_new_last_mile_number_reaches_every_fulfilment_of_the_parcel(conn, fake, two_line_order):
    fake.fo.split(two_line_order["id"], [(LA, "OPEN", [(0, 2)]), (NY, "OPEN", [(1, 2)])])
    connector = ShopifyConnector(conn)
    connector.push_fulfillment(_f(number="LP1"))  # two locations: two fulfilments
    update = Fulfillment("5000001", "DHL", "LM7", "", previous_tracking_number="LP1")
    result = connector.update_tracking(update)
    assert result.count == 2
    assert [f["trackingInfo"]["number"] for f in fake.fulfillments] == ["LM7", "LM7"]
    assert connector.update_tracking(update).count == 0  # again: nothing to change
