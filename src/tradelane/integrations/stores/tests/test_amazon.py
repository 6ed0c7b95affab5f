"""Pulls, FBA, LWA tokens, rate limits and shipment confirmation against the fake Amazon."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest
from django.test import Client

from tradelane.core.models import AuditLog, OutboxMessage, StateEvent
from tradelane.core.outbox import deliver_due, replay
from tradelane.integrations.stores import services, sync
from tradelane.integrations.stores.amazon import client as amazon_client
from tradelane.integrations.stores.amazon import connector as amazon_connector
from tradelane.integrations.stores.amazon.connector import AmazonConnector
from tradelane.integrations.stores.amazon.mapping import package_reference
from tradelane.integrations.stores.fakes.amazon import MARKETPLACE, FakeAmazon, make_order
from tradelane.integrations.stores.models import WebhookDelivery
from tradelane.inventory.models import StockMovement, Warehouse
from tradelane.orders import services as order_services
from tradelane.orders.models import Order

from .factories import ship

pytestmark = pytest.mark.django_db(transaction=True)

BASE = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=1)


def _order(i, **kw):
    return make_order(i, base=BASE, **kw)


@pytest.fixture
def fake():
    amazon_client.reset_caches()
    server = FakeAmazon().start()
    yield server
    server.stop()
    amazon_client.reset_caches()


@pytest.fixture
def fba(db):
    return Warehouse.objects.create(code="FBA-US", name="Amazon FBA US", kind="platform",
                                    country="US")  # fmt: skip


@pytest.fixture
def conn(admin, fake, fba):
    store = order_services.create_store(
        admin, code="AMZ1", name="Amazon US", platform="amazon", currency="USD", country="US"
    )
    return services.connect(
        admin,
        store,
        shop_domain="sellingpartnerapi-na.amazon.com",
        base_url=fake.base_url,
        credentials=fake.credentials(),
        settings={"marketplace_ids": [MARKETPLACE], "platform_warehouse": "FBA-US"},
    )


def test_mfn_imported_for_shipping_fba_recorded_as_platform_fulfilled(conn, fake, fba):
    for i in range(3):
        fake.add_order(*_order(i))
    fake.add_order(*_order(10, channel="AFN", status="Shipped"))
    fake.add_order(*_order(11, channel="AFN", status="Unshipped"))
    fake.add_order(*_order(12, channel="AFN", status="Pending"))  # not taken on yet: skipped
    run = sync.sync(conn)
    assert (run.status, run.fetched, run.created) == ("succeeded", 5, 5), run.error
    mfn = Order.objects.filter(external_id__in=[_order(i)[0]["AmazonOrderId"] for i in range(3)])
    assert "shipped" not in set(mfn.values_list("status", flat=True))
    assert all(o.warehouse_id is None for o in mfn)
    line = mfn.get(external_id=_order(1)[0]["AmazonOrderId"]).lines.get()
    assert (line.store_sku, line.store_quantity, str(line.unit_price)) == (
        "AMZ-SKU-001",
        2,
        "16.0000",
    )  # ItemPrice 32.00 for 2
    fbas = Order.objects.filter(external_id__in=[_order(i)[0]["AmazonOrderId"] for i in (10, 11)])
    assert [(o.status, o.warehouse_id) for o in fbas] == [("shipped", fba.pk)] * 2
    for o in fbas:
        moves = StateEvent.objects.filter(entity="orders.order", object_id=o.pk)
        assert [(e.from_state, e.to_state) for e in moves.order_by("id")] == [
            ("", "pending_review"), ("pending_review", "shipped"),
        ]  # fmt: skip
    assert StockMovement.objects.count() == 0  # nothing left our own warehouses
    assert AuditLog.objects.filter(action="orders.order.platform_fulfilled").count() == 2
    assert not Order.objects.filter(external_id=_order(12)[0]["AmazonOrderId"]).exists()
    assert fake.grants == 1  # one LWA token for the whole run


def test_fba_without_platform_warehouse_waits_in_review_until_configured(admin, conn, fake):
    services.update_settings(admin, conn, {"platform_warehouse": ""})
    order, items = _order(1, channel="AFN", status="Shipped")
    fake.add_order(order, items)
    sync.sync(conn)
    found = Order.objects.get()
    assert found.status == "pending_review" and found.warehouse_id is None
    services.update_settings(admin, conn, {"platform_warehouse": "FBA-US"})
    fake.touch(order["AmazonOrderId"])
    sync.sync(conn)
    found.refresh_from_db()
    assert found.status == "shipped" and found.warehouse.code == "FBA-US"


def test_platform_warehouse_setting_must_be_a_platform_warehouse(admin, conn, wh_us):
    from tradelane.core.errors import ValidationFailed

    with pytest.raises(ValidationFailed) as err:
        services.update_settings(admin, conn, {"platform_warehouse": "LA"})
    assert err.value.code == "invalid_platform_warehouse"
    conn.refresh_from_db()
    assert conn.settings["platform_warehouse"] == "FBA-US"


def test_next_token_paging_and_cursor(conn, fake, monkeypatch):
    monkeypatch.setattr(amazon_connector, "PAGE_SIZE", 10)
    for i in range(25):
        fake.add_order(*_order(i))
    run = sync.sync(conn)
    assert (run.status, run.created) == ("succeeded", 25), run.error
    searches = [p for m, p in fake.log if p == "/orders/2026-01-01/orders"]
    assert searches == ["/orders/2026-01-01/orders"] * 3
    assert not [p for m, p in fake.log if "/orders/v0/" in p]  # items come with the orders
    assert fake.page_size_seen == [10, 10, 10]
    conn.refresh_from_db()
    assert conn.cursor > BASE.strftime("%Y-%m-%dT%H:%M:%SZ")
    again = sync.sync(conn)
    assert (again.status, again.created, again.fetched) == ("succeeded", 0, 0)


def test_network_failure_mid_sync_resumes_from_the_cursor_without_duplicates(
    conn, fake, monkeypatch
):
    monkeypatch.setattr(amazon_connector, "PAGE_SIZE", 10)
    for i in range(25):
        fake.add_order(*_order(i))
    # requests: 1 token, 2 the first searchOrders page, 3 the second: cut mid-body
    fake.drop_on_request = 3
    fake.drop_after_bytes = 300
    run = sync.sync(conn, connector=AmazonConnector(conn, sleep=lambda s: None, retries=0))
    assert (run.status, run.created) == ("failed", 10)
    conn.refresh_from_db()
    assert conn.cursor == ""  # the window was not read to its end: it is read again
    run2 = sync.sync(conn)
    assert run2.status == "succeeded", run2.error
    assert (run2.created, run2.unchanged) == (15, 10)
    assert Order.objects.count() == 25
    assert Order.objects.values("external_id").distinct().count() == 25


def test_lwa_token_is_cached_and_refreshed_when_expired(conn, fake):
    fake.add_order(*_order(1))
    sync.sync(conn)
    assert fake.grants == 1
    fake.add_order(*_order(2))
    sync.sync(conn)
    assert fake.grants == 1  # the cached token served the second run
    fake.expire_tokens()  # expired on Amazon's side: 403, refreshed once, retried
    fake.add_order(*_order(3))
    run = sync.sync(conn)
    assert run.status == "succeeded" and fake.grants == 2
    assert Order.objects.count() == 3
    # expired by our own clock: renewed before the call, without a 403
    later = AmazonConnector(conn, clock=lambda: time.monotonic() + 7200)
    later.fetch_order(_order(1)[0]["AmazonOrderId"])
    assert fake.grants == 3 and later.client.lwa.refreshes == 1


def test_lwa_refusal_fails_the_run(admin, conn, fake):
    services.update_credentials(admin, conn, {"refresh_token": "Atzr|revoked"})
    run = sync.sync(conn)
    assert run.status == "failed" and "invalid_grant" in run.error


def test_429_is_honoured(conn, fake, monkeypatch):
    monkeypatch.setattr(amazon_connector, "PAGE_SIZE", 2)
    fake.set_limit("searchOrders", 2.0, 1)  # stricter than the default plan's burst of 20
    for i in range(5):
        fake.add_order(*_order(i))
    slept = []

    def sleep(seconds):
        slept.append(seconds)
        time.sleep(seconds)

    connector = AmazonConnector(conn, sleep=sleep)
    run = sync.sync(conn, connector=connector)
    assert run.status == "succeeded", run.error
    assert run.created == 5
    assert fake.throttled >= 1
    assert connector.client.throttled_sleeps  # waited after the 429 ...
    assert connector.client.bucket("searchOrders").rate == 2.0  # ... and learned the plan


def test_429_that_does_not_end_fails_the_run_for_a_later_retry(conn, fake, monkeypatch):
    monkeypatch.setattr(amazon_connector, "PAGE_SIZE", 1)
    fake.set_limit("searchOrders", 0.001, 1)
    for i in range(2):
        fake.add_order(*_order(i))
    run = sync.sync(conn, connector=AmazonConnector(conn, sleep=lambda s: None))
    assert run.status == "failed" and "kept throttling searchOrders" in run.error
    assert run.created == 1


def test_webhooks_are_refused(conn):
    response = Client().post(
        f"/hooks/amazon/{conn.webhook_token}", data=b"{}", content_type="application/json"
    )
    assert response.status_code == 401
    assert WebhookDelivery.objects.count() == 0


def _ship(order, number="LP123", update=False):
    return ship(order, number, update, tracking_url="")


def test_shipment_confirmation_meets_503_and_is_delivered_exactly_once(conn, fake):
    amazon_order, items = _order(1)
    fake.add_order(amazon_order, items)
    sync.sync(conn)
    order = Order.objects.get()
    fake.fail_next(4, status=503, method="POST", path_contains="shipmentConfirmation")
    msg = _ship(order)
    assert deliver_due()["retried"] == 1
    assert fake.confirmations == []
    OutboxMessage.objects.filter(pk=msg.pk).update(next_attempt_at=msg.created_at)
    assert deliver_due()["sent"] == 1
    [confirmed] = fake.confirmations
    assert confirmed["order_id"] == amazon_order["AmazonOrderId"]
    assert (confirmed["packageReferenceId"], confirmed["carrierCode"], confirmed["carrierName"],
            confirmed["trackingNumber"]) == (package_reference("LP123"), "Other", "YunExpress",
                                             "LP123")  # fmt: skip
    assert confirmed["orderItems"] == [{"orderItemId": items[0]["OrderItemId"], "quantity": 2}]
    assert fake.orders[amazon_order["AmazonOrderId"]]["OrderStatus"] == "Shipped"
    replay(msg.pk)
    deliver_due()
    assert len(fake.confirmations) == 1
    # a new last-mile number: the same package confirmed again with it
    _ship(order, "LM999", update=True)
    deliver_due()
    assert len(fake.confirmations) == 2
    assert fake.confirmations[-1]["update"] is True
    assert fake.confirmations[-1]["trackingNumber"] == "LM999"
    assert fake.confirmations[-1]["packageReferenceId"] == package_reference("LP123")
    assert fake.confirmations[-1]["orderItems"] == confirmed["orderItems"]
    assert len(fake.packages) == 1


def test_fba_order_is_not_confirmed_by_us(conn, fake):
    fake.add_order(*_order(1, channel="AFN", status="Shipped"))
    sync.sync(conn)
    order = Order.objects.get()
    msg = _ship(order)
    deliver_due()
    msg.refresh_from_db()
    assert msg.status != "sent" and "fulfilled by Amazon" in msg.last_error
    assert fake.confirmations == []
