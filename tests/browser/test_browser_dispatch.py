"""The dispatch center (调度中心) and the store settings form in a real Chromium."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tradelane.accounts import roles
from tradelane.core.models import OutboxMessage
from tradelane.core.outbox import enqueue
from tradelane.integrations.stores import services, sync, webhooks
from tradelane.integrations.stores.fakes.shopify import make_order
from tradelane.integrations.stores.models import StoreConnection, SyncRun, WebhookDelivery
from tradelane.orders import services as order_services
from tradelane.orders.models import Order
from tradelane.web.tests.browser_login import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "pw-Test-123"


@pytest.fixture
def flow(make_user, fake, wh_cn):
    """Two connected stores with a day of traffic; the second has stopped syncing."""
    admin = make_user(roles.ADMIN, "ops_admin")
    make_user(roles.BOSS, "boss_zhang")
    conns = []
    for code, name in (("SHOP-US", "Shopify 美国站"), ("SHOP-EU", "Shopify 欧洲站")):
        store = order_services.create_store(
            admin, code=code, name=name, platform="shopify", currency="USD", country="US"
        )
        conns.append(
            services.connect(
                admin, store, shop_domain=f"{code.lower()}.myshopify.com",
                base_url=fake.base_url,
                credentials={"access_token": fake.token, "webhook_secrets": ["shpss_1234"]},
                settings={"alert_after_minutes": 30},
            )
        )  # fmt: skip
    now = datetime.now(UTC).replace(microsecond=0)
    for i in range(30):
        fake.add_order(make_order(i, base=now - timedelta(minutes=5)))
    run = sync.sync(conns[0])
    assert run.status == "succeeded", run.error
    # spread the imported orders over the last day, as a day of traffic looks
    rng = random.Random(3)
    for order in Order.objects.all():
        Order.objects.filter(pk=order.pk).update(
            created_at=timezone.now() - timedelta(minutes=rng.randint(0, 23 * 60))
        )
    other = Order.objects.order_by("id")[:8]
    Order.objects.filter(pk__in=[o.pk for o in other]).update(store=conns[1].store)
    fake.fail_next(10, status=503)
    from tradelane.integrations.stores.shopify.connector import ShopifyConnector

    failed = sync.sync(conns[1], connector=ShopifyConnector(conns[1], retries=0))
    assert failed.status == "failed"
    StoreConnection.objects.filter(pk=conns[1].pk).update(
        last_sync_at=timezone.now() - timedelta(minutes=47)
    )
    for i in range(6):
        WebhookDelivery.objects.create(
            connection=conns[0], delivery_id=f"b1c7-{i:04d}", topic="orders/updated",
            body=b'{"id": 5000001, "financial_status": "paid"}', status="processed",
            attempts=1, processed_at=timezone.now(),
        )  # fmt: skip
    bad = WebhookDelivery.objects.create(
        connection=conns[1], delivery_id="e5f0-0001", topic="orders/create",
        body=b'{"id": 5000099, "name": "#1099", "line_items": [{"sku": "MUG-WHT-350"}]}',
        status="failed", error="KeyError: 'admin_graphql_api_id'", attempts=3,
    )  # fmt: skip
    order = Order.objects.order_by("id").last()
    dead = enqueue(
        "store.fulfillment",
        {"order_id": order.pk, "store_id": conns[0].store_id, "tracking_company": "UPS",
         "tracking_number": "1Z999AA10123456784", "tracking_url": ""},
        dedupe_key="ful-dead",
    )  # fmt: skip
    OutboxMessage.objects.filter(pk=dead.pk).update(
        status="dead", attempts=8, last_error="Unavailable: HTTP 503 Service Unavailable"
    )
    enqueue("store.stock", {"store_id": conns[0].store_id}, dedupe_key="stock-1")
    webhooks.process_pending()
    return {"conns": conns, "bad": bad, "dead": dead, "failed": failed}


def test_dispatch_center_alert_tabs_payload_and_replay(
    page, live_server, shot, flow, fake, settled
):
    log_in(page, live_server, "ops_admin")
    page.goto(f"{live_server.url}/dispatch/")
    alert = page.locator('[data-alert-store="SHOP-EU"]')
    expect(alert).to_be_visible()
    expect(alert).to_contain_text("47")
    expect(page.locator('[data-alert-store="SHOP-US"]')).to_have_count(0)
    from tradelane.integrations.stores.dispatch import selectors as dispatch

    today = dispatch.start_of_day(timezone.now())
    expected = Order.objects.filter(store__code="SHOP-US", created_at__gte=today).count()
    expect(page.locator('.store-card[data-store="SHOP-US"] [data-metric="orders"]')).to_have_text(
        str(expected)
    )
    expect(page.locator('[data-testid="orders-chart"] svg')).to_be_visible()
    shot(page, "dispatch-center", full_page=True)

    # tabs switch without a page load; the failed run can be retried
    page.locator('.dispatch-tabs a[data-tab="webhooks"]').click()
    expect(page.locator('table[data-tab-table="webhooks"]')).to_be_visible()
    settled(page)
    page.get_by_test_id(f"payload-webhook-{flow['bad'].pk}").click()
    dialog = page.locator("#payload-dialog")
    expect(dialog).to_be_visible()
    expect(dialog.get_by_test_id("payload-text")).to_contain_text('"sku": "MUG-WHT-350"')
    shot(page, "dispatch-payload")
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()

    page.locator('.dispatch-tabs a[data-tab="outbox"]').click()
    row = page.locator(f'tr[data-row="{flow["dead"].pk}"]')
    expect(row).to_have_attribute("data-status", "dead")
    settled(page)
    shot(page, "dispatch-outbox")
    page.get_by_test_id(f"replay-outbox-{flow['dead'].pk}").click()
    expect(page.locator("#dispatch-msg .alert-success")).to_be_visible()
    expect(page.locator(f'tr[data-row="{flow["dead"].pk}"]')).to_have_attribute(
        "data-status", "pending"
    )
    assert OutboxMessage.objects.get(pk=flow["dead"].pk).status == "pending"

    page.locator('.dispatch-tabs a[data-tab="runs"]').click()
    expect(page.locator('table[data-tab-table="runs"]')).to_be_visible()
    settled(page)  # the new filter form listens for changes only once the swap has settled
    with page.expect_response(lambda r: "status=failed" in r.url):
        page.get_by_test_id("filter-status").select_option("failed")
    expect(page.locator('table[data-tab-table="runs"] tbody tr')).to_have_count(1)
    settled(page)
    page.get_by_test_id(f"retry-run-{flow['failed'].pk}").click()
    expect(page.locator("#dispatch-msg .alert-success")).to_be_visible()
    assert not page.js_errors


def test_boss_reads_without_buttons(page, live_server, flow):
    log_in(page, live_server, "boss_zhang")
    page.goto(f"{live_server.url}/dispatch/?tab=outbox")
    expect(page.locator(f'tr[data-row="{flow["dead"].pk}"]')).to_be_visible()
    expect(page.get_by_test_id(f"replay-outbox-{flow['dead'].pk}")).to_have_count(0)
    expect(page.locator(".alarm .btn-alarm")).to_have_count(0)


def test_store_settings_form_shows_errors_then_saves(page, live_server, shot, flow):
    log_in(page, live_server, "ops_admin")
    page.goto(f"{live_server.url}/stores/")
    expect(page.locator('tr[data-store="SHOP-US"] [data-masked]').first).to_have_text("••••fake")
    shot(page, "stores-list")
    page.get_by_test_id("settings-SHOP-US").click()
    page.get_by_test_id("setting-ioss").fill("IM12")
    page.get_by_test_id("setting-alert").fill("2")
    page.get_by_test_id("settings-save").click()
    expect(page.get_by_test_id("error-ioss")).to_have_text("IOSS 编号是 IM 加 10 位数字。")
    expect(page.get_by_test_id("error-alert")).to_be_visible()
    shot(page, "store-settings-errors", full_page=True)
    page.get_by_test_id("setting-ioss").fill("IM1234567890")
    page.get_by_test_id("setting-alert").fill("45")
    page.get_by_test_id("settings-save").click()
    page.wait_for_url(f"{live_server.url}/stores/")
    conn = StoreConnection.objects.get(store__code="SHOP-US")
    assert conn.settings["ioss_number"] == "IM1234567890"
    assert conn.settings["alert_after_minutes"] == 45
    assert SyncRun.objects.filter(connection=conn).exists()
