"""Webhooks, sync, fulfilment and stock against the fake Shopify server."""

from __future__ import annotations

import pytest
from django.db import connection as db
from django.test import Client

from tradelane.core.models import OutboxMessage, StateEvent
from tradelane.core.outbox import deliver_due, enqueue
from tradelane.integrations.stores import services, sync, webhooks
from tradelane.integrations.stores.fakes.shopify import make_order, rest_payload
from tradelane.integrations.stores.models import StoreConnection, SyncRun, WebhookDelivery
from tradelane.integrations.stores.shopify.connector import ShopifyConnector
from tradelane.orders.models import Order

from .conftest import SECRET
from .factories import ship

pytestmark = pytest.mark.django_db(transaction=True)


def _post(conn, fake, topic, payload, *, secret=SECRET, webhook_id=None, tamper=False):
    body, headers = fake.webhook_request(topic, payload, secret, webhook_id=webhook_id)
    if tamper:
        body = body.replace(b"Springfield", b"Shelbyville")
    extra = {"HTTP_" + k.upper().replace("-", "_"): v for k, v in headers.items()}
    extra.pop("HTTP_CONTENT_TYPE")
    return Client().post(
        f"/hooks/shopify/{conn.webhook_token}", data=body, content_type="application/json", **extra
    )


def _events(order):
    return StateEvent.objects.filter(
        entity="orders.order", object_id=order.pk, to_state="pending_review"
    )


def test_same_webhook_eight_times_is_one_row_one_order_one_event(conn, fake):
    payload = rest_payload(make_order(1))
    for _ in range(8):
        response = _post(conn, fake, "orders/create", payload, webhook_id="wh-1")
        assert response.status_code == 200
    assert WebhookDelivery.objects.count() == 1
    assert WebhookDelivery.objects.get().duplicates == 7
    webhooks.process_pending()
    webhooks.process_pending()  # nothing left to do the second time
    order = Order.objects.get()
    assert order.external_id == "5000001"
    assert order.source == "shopify"
    assert _events(order).count() == 1
    assert WebhookDelivery.objects.get().status == "processed"
    assert WebhookDelivery.objects.get().order_id == order.pk


def test_tampered_body_is_refused_and_nothing_stored(conn, fake):
    response = _post(conn, fake, "orders/create", rest_payload(make_order(1)), tamper=True)
    assert response.status_code == 401
    assert response.json()["code"] == "invalid_signature"
    assert WebhookDelivery.objects.count() == 0
    assert Order.objects.count() == 0
    wrong = _post(conn, fake, "orders/create", rest_payload(make_order(1)), secret="nope")
    assert wrong.status_code == 401
    assert (
        Client()
        .post("/hooks/shopify/unknown-token", data=b"{}", content_type="application/json")
        .status_code
        == 404
    )


def test_secret_rotation_accepts_old_and_new(admin, conn, fake):
    services.update_credentials(admin, conn, {"webhook_secrets": ["shpss_new", SECRET]})
    assert _post(conn, fake, "orders/create", rest_payload(make_order(1))).status_code == 200
    assert _post(conn, fake, "orders/create", rest_payload(make_order(2)),
                 secret="shpss_new").status_code == 200  # fmt: skip
    services.update_credentials(admin, conn, {"webhook_secrets": ["shpss_new"]})
    assert _post(conn, fake, "orders/create", rest_payload(make_order(3))).status_code == 401
    assert WebhookDelivery.objects.count() == 2


def test_updated_before_create_converges(conn, fake):
    original = make_order(5)
    fake.add_order(original)
    created_payload = rest_payload(original)
    changed = fake.touch(original["id"], financial_status="partially_refunded")
    changed["shipping_address"]["address1"] = "99 New Street"
    updated_payload = rest_payload(changed)
    _post(conn, fake, "orders/updated", updated_payload, webhook_id="u")
    webhooks.process_pending()
    _post(conn, fake, "orders/create", created_payload, webhook_id="c")
    webhooks.process_pending()
    order = Order.objects.get()
    assert order.ship_address1 == "99 New Street"
    assert order.payment_status == "partially_refunded"
    assert order.platform_updated_at.isoformat().startswith("2026-01-01T00:00:06")
    assert _events(order).count() == 1
    # a cancellation later cancels it
    cancelled = rest_payload(fake.touch(original["id"], cancelled_at="2026-01-01T00:01:00Z"))
    _post(conn, fake, "orders/cancelled", cancelled, webhook_id="x")
    webhooks.process_pending()
    order.refresh_from_db()
    assert order.status == "cancelled"


def test_refund_webhook_refetches_the_order(conn, fake):
    order = fake.add_order(make_order(3))
    _post(conn, fake, "orders/create", rest_payload(order))
    webhooks.process_pending()
    fake.touch(order["id"], financial_status="refunded")
    _post(conn, fake, "refunds/create", {"id": 1, "order_id": order["id"]})
    webhooks.process_pending()
    assert Order.objects.get().payment_status == "refunded"


def test_app_uninstalled_disconnects(conn, fake):
    _post(conn, fake, "app/uninstalled", {"id": 1, "domain": fake.shop})
    webhooks.process_pending()
    conn.refresh_from_db()
    assert conn.state == StoreConnection.State.DISCONNECTED


def test_full_import_then_nothing_new(conn, fake):
    for i in range(600):
        fake.add_order(make_order(i))
    run = sync.sync(conn)
    assert (run.status, run.fetched, run.created) == ("succeeded", 600, 600)
    assert Order.objects.count() == 600
    conn.refresh_from_db()
    assert conn.cursor == "2026-01-01T00:09:59Z"
    again = sync.sync(conn, "reconcile")
    assert again.created == 0 and again.status == "succeeded"
    assert Order.objects.count() == 600


START = "2025-12-31T00:00:00Z"  # a cursor before every fake order: incremental paging


def test_network_failure_mid_sync_resumes_from_the_cursor(conn, fake):
    for i in range(600):
        fake.add_order(make_order(i))
    StoreConnection.objects.filter(pk=conn.pk).update(cursor=START)
    conn.refresh_from_db()
    # a group of 250+ orders is 13 pages of 20; the 14th request (the first of the second
    # group) is cut mid-body
    fake.restore_rate = 1e6  # the bucket is not what this test is about
    fake.drop_on_request = 14
    fake.drop_after_bytes = 500
    connector = ShopifyConnector(conn, sleep=lambda s: None, retries=0)
    run = sync.sync(conn, connector=connector)
    assert run.status == "failed", run.error
    assert run.created == 260, (run.error, fake.requests)
    conn.refresh_from_db()
    assert conn.state == StoreConnection.State.ERROR
    committed = conn.cursor
    assert committed == run.cursor_after == "2026-01-01T00:04:19Z"
    run2 = sync.sync(conn)
    assert run2.status == "succeeded"
    assert run2.cursor_before == committed
    assert Order.objects.count() == 600
    assert Order.objects.values("external_id").distinct().count() == 600
    conn.refresh_from_db()
    assert conn.state == StoreConnection.State.CONNECTED


def test_store_down_records_a_failed_run(conn, fake):
    fake.stop()
    run = sync.sync(conn, connector=ShopifyConnector(conn, sleep=lambda s: None, retries=1))
    assert run.status == "failed"
    assert "ConnectError" in run.error or "Unavailable" in run.error


def _manual_clock(fake):
    now = [0.0]
    fake.clock = lambda: now[0]
    fake._at = 0.0
    slept = []

    def sleep(seconds):  # the fake's bucket refills only while the client sleeps
        slept.append(seconds)
        now[0] += seconds

    return slept, sleep, lambda: now[0]


def test_throttling_is_honoured(conn, fake):
    # a page asks for 942 points (queries.py) and costs 382 (20 orders of one line, no phone)
    fake.bucket_max = fake._available = 1000.0
    fake.restore_rate = 100.0
    slept, sleep, clock = _manual_clock(fake)
    for i in range(600):
        fake.add_order(make_order(i))
    StoreConnection.objects.filter(pk=conn.pk).update(cursor=START)
    conn.refresh_from_db()
    run = sync.sync(conn, connector=ShopifyConnector(conn, sleep=sleep, clock=clock))
    assert run.status == "succeeded", run.error
    assert run.created == 600
    assert len(fake.costs) == 30 and set(fake.costs) == {(942, 382)}
    # the second page waited for 942 - 618 points, each later one for 942 - 560
    assert sum(slept) == pytest.approx((942 - 618) / 100 + 28 * (942 - 560) / 100, abs=0.3)
    assert fake.throttled == 0  # the client waited before asking


def test_throttled_answer_is_retried_after_the_refill(conn, fake):
    from tradelane.integrations.stores.shopify import client as shopify_client
    from tradelane.integrations.stores.shopify import queries

    fake.bucket_max = fake._available = 1000.0
    fake.restore_rate = 100.0
    slept, sleep, clock = _manual_clock(fake)
    fake.add_order(make_order(1))
    connector = ShopifyConnector(conn, sleep=sleep, clock=clock)
    variables = {"first": 20, "after": None, "query": None, "lines": 10}
    connector.client.execute(queries.ORDERS, variables)  # 942 asked, 21 spent: 979 left
    fake._available = 500.0  # another app of ours spent points meanwhile
    shopify_client._buckets.clear()  # the client forgets: it meets THROTTLED
    data = connector.client.execute(queries.ORDERS, variables)
    assert fake.throttled == 1
    assert slept == [pytest.approx((942 - 500) / 100, abs=0.02)]
    assert len(data["orders"]["nodes"]) == 1


def test_fulfilment_meets_503_and_is_delivered_exactly_once(conn, fake):
    fake.add_order(make_order(1))
    sync.sync(conn)
    order = Order.objects.get()
    fake.fail_next(4, status=503)  # the first try and the client's 3 retries
    msg = ship(order)
    assert deliver_due()["retried"] == 1
    msg.refresh_from_db()
    assert msg.status == "pending" and "503" in msg.last_error
    assert fake.fulfillments == []
    OutboxMessage.objects.filter(pk=msg.pk).update(next_attempt_at=msg.created_at)
    assert deliver_due()["sent"] == 1
    assert len(fake.fulfillments) == 1
    assert fake.fulfillments[0]["trackingInfo"] == {
        "company": "YunExpress",
        "number": "LP123",
        "url": "https://t.example/LP123",
    }
    # the same push again (e.g. replayed) does not fulfil twice
    from tradelane.core.outbox import replay

    replay(msg.pk)
    deliver_due()
    assert len(fake.fulfillments) == 1
    # last-mile number changed: tracking updated, still one fulfilment
    ship(order, "LM999", update=True)
    deliver_due()
    assert len(fake.fulfillments) == 1
    assert fake.fulfillments[0]["trackingInfo"]["number"] == "LM999"


def test_stock_push(admin, conn, fake, make_sku, wh_us):
    from tradelane.inventory import services as inventory
    from tradelane.orders import services as order_services

    sku = make_sku("MUG-1")
    order_services.map_store_sku(admin, conn.store, "FK-SKU-001", [(sku, 1)])
    order_services.map_store_sku(admin, conn.store, "FK-BUNDLE", [(sku, 3)])
    items = {
        "FK-SKU-001": "gid://shopify/InventoryItem/1",
        "FK-BUNDLE": "gid://shopify/InventoryItem/2",
    }
    services.set_inventory_items(admin, conn, items)
    services.update_settings(admin, conn, {"push_stock": True,
                             "locations": {"LA": "gid://shopify/Location/9"}})  # fmt: skip
    inventory.receive(admin, sku_id=sku.pk, warehouse_id=wh_us.pk, quantity=10)
    enqueue("store.stock", {"store_id": conn.store_id}, dedupe_key="stock:1")
    deliver_due()
    assert len(fake.stock_pushes) == 1
    quantities = {q["inventoryItemId"]: q["quantity"] for q in fake.stock_pushes[0]["quantities"]}
    assert fake.stock_pushes[0]["name"] == "available"
    # 10 mugs in LA: 10 of the single SKU, 3 whole bundles of 3
    assert quantities == {"gid://shopify/InventoryItem/1": 10, "gid://shopify/InventoryItem/2": 3}
    assert {q["locationId"] for q in fake.stock_pushes[0]["quantities"]} == {
        "gid://shopify/Location/9"
    }
    assert SyncRun.objects.filter(kind="push", status="succeeded").count() == 1


def test_credentials_are_not_stored_in_clear_text(conn, fake):
    with db.cursor() as cursor:
        cursor.execute(
            "SELECT credentials_encrypted FROM stores_storeconnection WHERE id = %s", [conn.pk]
        )
        raw = cursor.fetchone()[0]
    assert fake.token not in raw and SECRET not in raw
    assert conn.credentials()["access_token"] == fake.token
