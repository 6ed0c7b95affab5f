"""Onboarding against the fakes: the test call, scopes granted against needed, webhooks
created on connect and removed on disconnect, re-verify, and a refused registration."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tradelane.core.models import AuditLog
from tradelane.integrations.stores import services
from tradelane.integrations.stores.fakes import shopify_onboarding
from tradelane.integrations.stores.models import StoreConnection, WebhookDelivery
from tradelane.integrations.stores.onboarding import health, verification
from tradelane.orders import services as order_services

pytestmark = pytest.mark.django_db(transaction=True)

PUBLIC = "https://tl.example"
SHOPIFY_TOPICS = ["APP_UNINSTALLED", "ORDERS_CANCELLED", "ORDERS_CREATE", "ORDERS_UPDATED",
                  "REFUNDS_CREATE"]  # fmt: skip


@pytest.fixture(autouse=True)
def public_url(settings):
    settings.TRADELANE_PUBLIC_URL = PUBLIC


def _shopify(admin, fake, code="SHOPV"):
    store = order_services.create_store(
        admin, code=code, name="Shop V", platform="shopify", currency="USD", country="US"
    )
    return services.connect(
        admin, store, shop_domain=fake.shop, base_url=fake.base_url,
        credentials={"access_token": fake.token, "webhook_secrets": ["s1"]}, onboard=True,
    )  # fmt: skip


def _address(conn):
    return f"{PUBLIC}/hooks/{conn.platform}/{conn.webhook_token}"


def test_shopify_connect_verifies_and_registers_then_disconnect_removes(admin, fake):
    conn = _shopify(admin, fake)
    record = StoreConnection.objects.get(pk=conn.pk).verification
    assert record["ok"] is True and record["error"] == ""
    assert (record["shop_name"], record["shop_domain"], record["plan"], record["currency"]) == (
        "Fake Shop",
        fake.shop,
        "Grow",
        "USD",
    )
    assert record["api_version"] == "2026-10" and record["api_supported_until"] == "2027-10-01"
    assert record["token_expires_at"] == ""  # a static Admin API token does not expire
    assert {s["name"]: s["granted"] for s in record["scopes"]} == {
        "read_orders": True,
        "read_all_orders": True,
        "write_merchant_managed_fulfillment_orders": True,
        "write_inventory": True,
        "read_products": True,
        "read_locations": True,
    }
    assert fake.onboarding.pairs() == [(t, _address(conn)) for t in SHOPIFY_TOPICS]
    assert sorted(record["webhooks"]["created"]) == SHOPIFY_TOPICS
    assert AuditLog.objects.filter(action="stores.connection.verify").count() == 1

    services.disconnect(admin, conn)
    assert fake.onboarding.pairs() == []
    conn.refresh_from_db()
    assert conn.state == "disconnected"
    assert conn.verification["webhooks"]["removal"] == {"removed": SHOPIFY_TOPICS, "error": ""}


def test_shopify_missing_read_all_orders_is_flagged(admin, fake):
    fake.onboarding.scopes = ["read_orders", "write_merchant_managed_fulfillment_orders"]
    record = _shopify(admin, fake).verification
    scopes = {s["name"]: s for s in record["scopes"]}
    assert scopes["read_all_orders"]["granted"] is False and scopes["read_all_orders"]["needed"]
    assert scopes["write_inventory"]["granted"] is False
    assert scopes["write_inventory"]["needed"] is False  # push_stock is off
    assert [n["level"] for n in record["notes"]] == ["warning", "info"]
    assert "60 days" in record["notes"][0]["text"]


def test_reverify_recreates_a_deleted_subscription(admin, fake):
    conn = _shopify(admin, fake)
    fake.onboarding.drop("ORDERS_UPDATED")
    report = health.health_of(conn)
    assert report.missing == ["ORDERS_UPDATED"]
    record = verification.verify(admin, conn)
    assert record["webhooks"]["created"] == ["ORDERS_UPDATED"]
    assert fake.onboarding.pairs() == [(t, _address(conn)) for t in SHOPIFY_TOPICS]
    assert health.health_of(conn).missing == []


def test_a_refused_subscription_leaves_none_behind(admin, fake, monkeypatch):
    # the fake stops knowing REFUNDS_CREATE (4th of 5): the three created before are removed
    monkeypatch.setattr(shopify_onboarding, "TOPICS",
                        shopify_onboarding.TOPICS - {"REFUNDS_CREATE"})  # fmt: skip
    conn = _shopify(admin, fake)
    hooks = StoreConnection.objects.get(pk=conn.pk).verification["webhooks"]
    assert hooks["error_code"] == "refused" and "REFUNDS_CREATE" in hooks["error"]
    assert hooks["created"] == [] and hooks["left_over"] == []
    assert fake.onboarding.pairs() == []
    assert StoreConnection.objects.get(pk=conn.pk).state == "connected"  # still saved


def test_shopify_refuses_a_non_https_address(admin, fake, settings):
    settings.TRADELANE_PUBLIC_URL = "http://tl.example"
    conn = _shopify(admin, fake)
    hooks = conn.verification["webhooks"]
    assert hooks["error_code"] == "refused"
    assert "Address protocol http:// is not supported" in hooks["error"]
    assert fake.onboarding.pairs() == []


def test_shopify_duplicate_topic_and_address_is_refused_by_the_fake(admin, fake):
    conn = _shopify(admin, fake)
    status, body = fake.execute(
        "mutation C($t: WebhookSubscriptionTopic!, $s: WebhookSubscriptionInput!) { "
        "webhookSubscriptionCreate(topic: $t, webhookSubscription: $s) { "
        "userErrors { field message } } }",
        {"t": "ORDERS_CREATE", "s": {"uri": _address(conn), "format": "JSON"}},
    )
    assert body["data"]["webhookSubscriptionCreate"]["userErrors"] == [
        {"field": ["webhookSubscription", "uri"],
         "message": "Address for this topic has already been taken"}]  # fmt: skip
    assert len(fake.onboarding.pairs()) == 5


def test_no_public_address_registers_nothing(admin, fake, settings):
    settings.TRADELANE_PUBLIC_URL = ""
    conn = _shopify(admin, fake)
    assert conn.verification["ok"] is True
    assert conn.verification["webhooks"]["error_code"] == "no_public_url"
    assert fake.onboarding.pairs() == []


def test_health_shows_the_last_delivery_per_topic(admin, fake):
    conn = _shopify(admin, fake)
    older = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
    newer = datetime(2026, 12, 2, 9, 30, tzinfo=UTC)
    for i, moment in enumerate((older, newer)):
        WebhookDelivery.objects.create(
            connection=conn,
            delivery_id=f"d{i}",
            topic="orders/create",
            body=b"{}",
            received_at=moment,
        )
    WebhookDelivery.objects.create(connection=conn, delivery_id="d9", topic="app/uninstalled",
                                   body=b"{}", received_at=older)  # fmt: skip
    report = health.health_of(conn)
    last = {t.topic: t.last_delivery_at for t in report.topics}
    assert last == {"ORDERS_CREATE": newer, "ORDERS_UPDATED": None, "ORDERS_CANCELLED": None,
                    "REFUNDS_CREATE": None, "APP_UNINSTALLED": older}  # fmt: skip
    assert all(t.present and t.active for t in report.topics)


# --- WooCommerce ------------------------------------------------------------------------------


def _woo(admin, woo):
    store = order_services.create_store(
        admin, code="WOOV", name="Woo V", platform="woocommerce", currency="EUR", country="DE"
    )
    return services.connect(
        admin, store, shop_domain=woo.site, base_url=woo.base_url,
        credentials={"consumer_key": woo.consumer_key, "consumer_secret": woo.consumer_secret,
                     "webhook_secrets": ["wc_secret"]}, onboard=True,
    )  # fmt: skip


def test_woo_connect_registers_with_the_secret_and_disconnect_removes(admin, woo):
    conn = _woo(admin, woo)
    record = conn.verification
    assert (record["ok"], record["shop_name"], record["currency"], record["plan"]) == (
        True,
        woo.site,
        "EUR",
        "WooCommerce 9.8.0",
    )
    assert {s["name"]: s["granted"] for s in record["scopes"]} == {"read": True, "write": True}
    address = _address(conn)
    assert woo.onboarding.pairs() == [("order.created", address), ("order.deleted", address),
                                      ("order.updated", address)]  # fmt: skip
    assert {w["secret"] for w in woo.onboarding.webhooks.values()} == {"wc_secret"}
    services.disconnect(admin, conn)
    assert woo.onboarding.pairs() == []


def test_woo_read_only_key_changes_nothing_and_is_shown(admin, woo, client):
    woo.onboarding.permissions = "read"
    conn = _woo(admin, woo)
    record = StoreConnection.objects.get(pk=conn.pk).verification
    assert record["ok"] is True
    assert {s["name"]: s["granted"] for s in record["scopes"]} == {"read": True, "write": False}
    assert record["notes"][0]["level"] == "error"
    hooks = record["webhooks"]
    assert hooks["error_code"] == "refused" and "write permissions" in hooks["error"]
    assert woo.onboarding.pairs() == [] and woo.onboarding.webhooks == {}
    client.force_login(admin)
    page = client.get(f"/stores/connections/{conn.pk}/health/").content.decode()
    assert 'data-scope="write" class="row-failed"' in page and "data-missing" in page
    assert 'data-testid="hooks-state"' in page


# --- Amazon -----------------------------------------------------------------------------------


def _amazon(admin, amazon):
    from tradelane.integrations.stores.fakes.amazon import MARKETPLACE

    store = order_services.create_store(
        admin, code="AMZV", name="Amazon V", platform="amazon", currency="USD", country="US"
    )
    return services.connect(
        admin, store, shop_domain="sellingpartnerapi-na.amazon.com", base_url=amazon.base_url,
        credentials=amazon.credentials(), settings={"marketplace_ids": [MARKETPLACE]},
        onboard=True,
    )  # fmt: skip


def test_amazon_reports_sections_and_is_polled(admin, amazon, client):
    amazon.roles = {"listings"}  # no Orders role
    conn = _amazon(admin, amazon)
    record = conn.verification
    assert (record["ok"], record["shop_name"], record["currency"]) == (
        True,
        "Fake Seller Store",
        "USD",
    )
    assert {s["name"]: s["granted"] for s in record["scopes"]} == {
        "sellers": True,
        "orders": False,
        "listings": True,
    }
    assert record["webhooks_supported"] is False
    assert record["webhooks"]["error_code"] == "polled"
    client.force_login(admin)
    page = client.get(f"/stores/connections/{conn.pk}/health/").content.decode()
    assert "每 15 分钟拉取一次（无 Webhook）。" in page  # zh-Hans is the default language


def test_reverify_button_and_permission(admin, fake, client, cs):
    conn = _shopify(admin, fake)
    fake.onboarding.drop("APP_UNINSTALLED")
    client.force_login(cs)
    assert client.post(f"/stores/connections/{conn.pk}/verify/").status_code == 403
    assert len(fake.onboarding.pairs()) == 4  # refused: nothing changed
    client.force_login(admin)
    response = client.post(f"/stores/connections/{conn.pk}/verify/")
    assert response.status_code == 302
    assert response["Location"] == f"/stores/connections/{conn.pk}/health/"
    assert len(fake.onboarding.pairs()) == 5
    page = client.get(response["Location"]).content.decode()
    assert "Fake Shop" in page and page.count("✓ 已订阅") == 5
