"""Webhooks, sync, reconciliation, fulfilment and stock against the fake WooCommerce server."""

from __future__ import annotations

import pytest
from django.test import Client

from tradelane.core.models import OutboxMessage, StateEvent
from tradelane.core.outbox import deliver_due, enqueue, replay
from tradelane.integrations.stores import periodic, services, sync, webhooks
from tradelane.integrations.stores.contract import PlatformError
from tradelane.integrations.stores.fakes.woocommerce import FakeWooCommerce, make_order
from tradelane.integrations.stores.models import StoreConnection, SyncRun, WebhookDelivery
from tradelane.integrations.stores.woocommerce.client import WooCommerceClient
from tradelane.integrations.stores.woocommerce.connector import WooCommerceConnector
from tradelane.orders import services as order_services
from tradelane.orders.models import Order

from .factories import ship

pytestmark = pytest.mark.django_db(transaction=True)

SECRET = "wc_webhook_secret"


@pytest.fixture
def fake():
    server = FakeWooCommerce(orders=0).start()
    yield server
    server.stop()


@pytest.fixture
def conn(admin, fake):
    store = order_services.create_store(
        admin, code="WOO1", name="Woo 1", platform="woocommerce", currency="EUR", country="DE"
    )
    return services.connect(
        admin,
        store,
        shop_domain=fake.site,
        base_url=fake.base_url,
        credentials={"consumer_key": fake.consumer_key, "consumer_secret": fake.consumer_secret,
                     "webhook_secrets": [SECRET]},
        settings={"reconcile_overlap_minutes": 5},
    )  # fmt: skip


def _post(conn, fake, topic, payload, *, secret=SECRET, delivery_id=None, tamper=False):
    body, headers = fake.webhook_request(topic, payload, secret, delivery_id=delivery_id)
    if tamper:
        body = body.replace(b"Berlin", b"Hamburg")
    extra = {"HTTP_" + k.upper().replace("-", "_"): v for k, v in headers.items()}
    extra.pop("HTTP_CONTENT_TYPE")
    return Client().post(
        f"/hooks/woocommerce/{conn.webhook_token}",
        data=body,
        content_type="application/json",
        **extra,
    )


def _created_events(order):
    return StateEvent.objects.filter(
        entity="orders.order", object_id=order.pk, to_state="pending_review"
    )


def test_same_webhook_eight_times_is_one_row_one_order_one_event(conn, fake):
    payload = make_order(1)
    for _ in range(8):
        response = _post(conn, fake, "order.created", payload, delivery_id="d" * 32)
        assert response.status_code == 200
    assert WebhookDelivery.objects.count() == 1
    assert WebhookDelivery.objects.get().duplicates == 7
    webhooks.process_pending()
    webhooks.process_pending()
    order = Order.objects.get()
    assert (order.external_id, order.number, order.source) == ("701", "701", "woocommerce")
    assert order.ship_city == "Berlin" and order.ship_country == "DE"
    assert _created_events(order).count() == 1
    row = WebhookDelivery.objects.get()
    assert (row.status, row.order_id, row.topic) == ("processed", order.pk, "order.created")


def test_weak_delivery_id_two_events_in_one_second_are_both_kept(conn, fake):
    """WooCommerce's delivery id is a hash of (webhook id, second): two different orders in
    the same second share it, and neither may be dropped."""
    same = fake.delivery_id()
    assert _post(conn, fake, "order.created", make_order(1), delivery_id=same).status_code == 200
    assert _post(conn, fake, "order.created", make_order(2), delivery_id=same).status_code == 200
    assert WebhookDelivery.objects.count() == 2
    webhooks.process_pending()
    assert sorted(Order.objects.values_list("external_id", flat=True)) == ["701", "702"]


def test_tampered_body_is_refused_and_nothing_stored(conn, fake):
    response = _post(conn, fake, "order.created", make_order(1), tamper=True)
    assert response.status_code == 401
    assert response.json()["code"] == "invalid_signature"
    assert _post(conn, fake, "order.created", make_order(1), secret="nope").status_code == 401
    assert WebhookDelivery.objects.count() == 0
    assert Order.objects.count() == 0


def test_ping_when_the_webhook_is_saved_is_answered_and_not_stored(conn, fake, live_server):
    url = f"{live_server.url}/hooks/woocommerce/{conn.webhook_token}"
    assert fake.send_ping(url) == 200
    assert WebhookDelivery.objects.count() == 0
    # a real delivery through the network is stored
    assert fake.send_webhook(url, "order.created", make_order(3), SECRET) == 200
    assert WebhookDelivery.objects.count() == 1


def test_webhook_from_another_site_is_refused(conn, fake):
    fake.site = "evil.example"
    assert _post(conn, fake, "order.created", make_order(1)).status_code == 401
    assert WebhookDelivery.objects.count() == 0


def test_updated_before_created_converges_and_cancel_cancels(conn, fake):
    original = fake.add_order(make_order(5))
    created_payload = fake.touch(original["id"], when=None)  # 00:00:06
    changed = fake.touch(original["id"], status="processing")  # 00:00:07
    changed["shipping"]["address_1"] = "Neue Straße 9"
    fake.orders[original["id"]]["shipping"]["address_1"] = "Neue Straße 9"
    _post(conn, fake, "order.updated", changed)
    webhooks.process_pending()
    _post(conn, fake, "order.created", created_payload)
    webhooks.process_pending()
    order = Order.objects.get()
    assert order.ship_address1 == "Neue Straße 9"
    assert order.platform_updated_at.isoformat() == "2026-01-01T00:00:07+00:00"
    assert _created_events(order).count() == 1
    assert WebhookDelivery.objects.filter(status="processed").count() == 2
    cancelled = fake.touch(original["id"], status="cancelled")
    _post(conn, fake, "order.updated", cancelled)
    webhooks.process_pending()
    order.refresh_from_db()
    assert order.status == "cancelled"


def test_deleted_webhook_refetches_the_trashed_order(conn, fake):
    order = fake.add_order(make_order(3))
    _post(conn, fake, "order.created", order)
    webhooks.process_pending()
    fake.touch(order["id"], status="trash")
    _post(conn, fake, "order.deleted", {"id": order["id"]})
    webhooks.process_pending()
    assert Order.objects.get().status == "cancelled"


def test_full_import_pages_then_nothing_new(conn, fake):
    for i in range(250):
        fake.add_order(make_order(i))
    run = sync.sync(conn)
    assert (run.status, run.fetched, run.created) == ("succeeded", 250, 250), run.error
    pages = [p for m, p in fake.log if p.endswith("/orders") and m == "GET"]
    assert len(pages) == 3  # 100 + 100 + 50, X-WP-TotalPages = 3
    conn.refresh_from_db()
    assert conn.cursor == "2026-01-01T00:04:09Z"
    again = sync.sync(conn, "reconcile")
    assert (again.status, again.created) == ("succeeded", 0)
    assert Order.objects.count() == 250


def test_network_failure_mid_sync_resumes_from_the_cursor(conn, fake):
    for i in range(250):
        fake.add_order(make_order(i))
    fake.drop_on_request = 2  # the second page is cut mid-body
    fake.drop_after_bytes = 500
    run = sync.sync(conn, connector=WooCommerceConnector(conn, sleep=lambda s: None, retries=0))
    assert (run.status, run.created) == ("failed", 100)
    conn.refresh_from_db()
    assert conn.state == StoreConnection.State.ERROR
    committed = conn.cursor
    assert committed == run.cursor_after == "2026-01-01T00:01:39Z"
    run2 = sync.sync(conn)
    assert run2.status == "succeeded" and run2.cursor_before == committed
    assert run2.created == 150
    assert Order.objects.count() == 250
    assert Order.objects.values("external_id").distinct().count() == 250


def test_lost_webhook_is_caught_by_the_scheduled_reconciliation(conn, fake, monkeypatch):
    fake.add_order(make_order(1))
    sync.sync(conn)
    # WooCommerce does not retry: this change's webhook never arrives
    fake.touch(701, status="cancelled")
    queued = []
    from tradelane.integrations.stores import tasks

    class Recorder:
        def enqueue(self, pk, kind):
            queued.append((pk, kind))

    monkeypatch.setattr(tasks, "sync_store", Recorder())
    StoreConnection.objects.filter(pk=conn.pk).update(last_sync_at=None)
    assert periodic.reconcile_due() == {"queued": 1}
    assert queued == [(conn.pk, "reconcile")]
    run = sync.sync(conn, "reconcile")
    assert run.status == "succeeded"
    assert Order.objects.get().status == "cancelled"


def test_bad_credentials_fail_the_run(admin, conn, fake):
    services.update_credentials(admin, conn, {"consumer_secret": "wrong"})
    run = sync.sync(conn)
    assert run.status == "failed"
    assert "woocommerce_rest_authentication_error" in run.error
    assert Order.objects.count() == 0


def test_basic_auth_needs_https_except_on_loopback():
    with pytest.raises(PlatformError):
        WooCommerceClient("shop.example", "ck", "cs", base_url="http://shop.example")
    WooCommerceClient("shop.example", "ck", "cs").close()  # https://shop.example


def test_fulfilment_meets_503_and_is_delivered_exactly_once(conn, fake):
    """No tracking plugin: core WooCommerce has no tracking field, so the buyer is told in a
    customer note (emailed by WooCommerce), and nothing is written to the order's meta."""
    fake.add_order(make_order(1))
    sync.sync(conn)
    order = Order.objects.get()
    fake.fail_next(4, status=503)  # the first try and the client's 3 retries
    msg = ship(order)
    assert deliver_due()["retried"] == 1
    msg.refresh_from_db()
    assert msg.status == "pending" and "503" in msg.last_error
    assert fake.note_posts == [] and fake.completions == []
    OutboxMessage.objects.filter(pk=msg.pk).update(next_attempt_at=msg.created_at)
    assert deliver_due()["sent"] == 1
    assert fake.completions == [{"order_id": 701}]
    assert [(n["note"], n["customer_note"]) for n in fake.note_posts] == [
        ("Shipped: YunExpress LP123 https://t.example/LP123", True)
    ]
    assert fake.meta_writes == [] and fake.tracking_of(701) == []
    assert ("GET", "/wp-json/") in fake.log  # asked once whether a tracking plugin is there
    assert fake.orders[701]["status"] == "completed"
    replay(msg.pk)
    deliver_due()
    assert len(fake.completions) == 1 and len(fake.note_posts) == 1
    # the last-mile number changes: a new customer note, still one completion
    ship(order, "LM999", update=True)
    deliver_due()
    assert [n["note"] for n in fake.note_posts][-1] == (
        "Tracking updated: YunExpress LM999 https://t.example/LM999"
    )
    assert len(fake.completions) == 1 and len(fake.note_posts) == 2


@pytest.fixture
def plugin_fake(request):
    server = FakeWooCommerce(tracking_plugin=request.param).start()
    yield server
    server.stop()


def _plugin_conn(admin, fake):
    store = order_services.create_store(
        admin, code="WOO2", name="Woo 2", platform="woocommerce", currency="EUR", country="DE"
    )
    return services.connect(
        admin, store, shop_domain=fake.site, base_url=fake.base_url,
        credentials={"consumer_key": fake.consumer_key, "consumer_secret": fake.consumer_secret,
                     "webhook_secrets": [SECRET]},
    )  # fmt: skip


@pytest.mark.parametrize("plugin_fake", ["shipment_tracking"], indirect=True)
def test_fulfilment_goes_to_the_shipment_tracking_plugin_when_there_is_one(admin, plugin_fake):
    fake = plugin_fake
    conn = _plugin_conn(admin, fake)
    fake.add_order(make_order(1))
    sync.sync(conn)
    order = Order.objects.get()
    msg = ship(order)
    assert deliver_due()["sent"] == 1
    [item] = fake.tracking_of(701)
    assert (item["tracking_number"], item["custom_tracking_provider"], item["tracking_link"]) == (
        "LP123",
        "YunExpress",
        "https://t.example/LP123",
    )
    assert fake.note_posts == [] and fake.meta_writes == []
    assert fake.completions == [{"order_id": 701}]
    replay(msg.pk)  # a second delivery finds the number in the plugin's list: nothing written
    deliver_due()
    assert len(fake.tracking_of(701)) == 1 and len(fake.completions) == 1
    ship(order, "LM999", update=True)
    deliver_due()
    assert [i["tracking_number"] for i in fake.tracking_of(701)] == ["LP123", "LM999"]
    assert fake.note_posts == [] and len(fake.completions) == 1


@pytest.mark.parametrize("plugin_fake", ["ast"], indirect=True)
def test_advanced_shipment_tracking_marks_shipped_itself_and_refusals_fall_back_to_a_note(
    admin, plugin_fake
):
    fake = plugin_fake
    conn = _plugin_conn(admin, fake)
    fake.add_order(make_order(1))
    fake.add_order(make_order(2))
    sync.sync(conn)
    first, second = Order.objects.order_by("external_id")
    ship(first)
    assert deliver_due()["sent"] == 1
    assert [i["tracking_number"] for i in fake.tracking_of(701)] == ["LP123"]
    # status_shipped=1 completed it: no second "completed" from us (no second email)
    assert fake.completions == [{"order_id": 701}] and fake.note_posts == []
    # a carrier the shop has not enabled in the plugin: refused there, told in a note instead
    fake.ast_providers.discard("YunExpress")
    ship(second, "LP456")
    assert deliver_due()["sent"] == 1
    assert fake.tracking_of(702) == []
    assert [(n["order_id"], n["customer_note"]) for n in fake.note_posts] == [(702, True)]
    assert fake.completions == [{"order_id": 701}, {"order_id": 702}]


def test_fulfilment_retried_after_the_note_landed_does_not_write_it_twice(conn, fake):
    fake.add_order(make_order(1))
    sync.sync(conn)
    order = Order.objects.get()
    fake.fail_next(4, status=503, method="PUT")  # the note is written, the completion is not
    msg = ship(order)
    assert deliver_due()["retried"] == 1
    assert len(fake.note_posts) == 1 and fake.completions == []
    OutboxMessage.objects.filter(pk=msg.pk).update(next_attempt_at=msg.created_at)
    assert deliver_due()["sent"] == 1
    assert len(fake.note_posts) == 1 and fake.completions == [{"order_id": 701}]


def test_stock_push_per_product_and_variation(admin, conn, fake, make_sku, wh_us, wh_cn):
    from tradelane.inventory import services as inventory

    mug, cup = make_sku("MUG-1"), make_sku("CUP-1")
    order_services.map_store_sku(admin, conn.store, "WC-MUG", [(mug, 1)])
    order_services.map_store_sku(admin, conn.store, "WC-CUP-RED", [(cup, 2)])
    fake.add_product(100)
    fake.add_product(200, variations=[201])
    services.set_inventory_items(admin, conn, {"WC-MUG": "100", "WC-CUP-RED": "200:201"})
    services.update_settings(admin, conn, {"push_stock": True,
                             "locations": {"LA": "default", "SZ": "default"}})  # fmt: skip
    inventory.receive(admin, sku_id=mug.pk, warehouse_id=wh_us.pk, quantity=10)
    inventory.receive(admin, sku_id=mug.pk, warehouse_id=wh_cn.pk, quantity=5)
    inventory.receive(admin, sku_id=cup.pk, warehouse_id=wh_us.pk, quantity=7)
    enqueue("store.stock", {"store_id": conn.store_id}, dedupe_key="stock:1")
    deliver_due()
    # one stock figure per product or variation: the warehouses summed; 7 cups = 3 pairs
    assert fake.products[100]["stock_quantity"] == 15
    assert fake.products[100]["manage_stock"] is True
    assert fake.variations[(200, 201)]["stock_quantity"] == 3
    assert [b["parent"] for b in fake.stock_batches] == [None, 200]
    assert SyncRun.objects.filter(kind="push", status="succeeded").get().updated == 2


def test_stock_push_for_an_unknown_product_fails_the_push_run(admin, conn, fake, make_sku, wh_us):
    from tradelane.inventory import services as inventory

    mug = make_sku("MUG-1")
    order_services.map_store_sku(admin, conn.store, "WC-MUG", [(mug, 1)])
    services.set_inventory_items(admin, conn, {"WC-MUG": "999"})
    services.update_settings(admin, conn, {"push_stock": True, "locations": {"LA": "default"}})
    inventory.receive(admin, sku_id=mug.pk, warehouse_id=wh_us.pk, quantity=1)
    enqueue("store.stock", {"store_id": conn.store_id}, dedupe_key="stock:2")
    deliver_due()
    run = SyncRun.objects.get(kind="push")
    assert run.status == "failed" and "Invalid ID" in run.error


def test_store_settings_say_that_completing_an_order_emails_the_buyer(admin, conn):
    client = Client()
    client.force_login(admin)
    page = client.get(f"/stores/connections/{conn.pk}/settings/", HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200
    assert 'WooCommerce then emails the buyer its "Completed order" email' in page.text.replace(
        "&quot;", '"'
    )
    zh = client.get(f"/stores/connections/{conn.pk}/settings/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert "WooCommerce 随即向买家发送“订单已完成”邮件" in zh.text
