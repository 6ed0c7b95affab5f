"""The dispatch center: panels, alert, tabs, buttons through services, permissions, API,
query bounds; and the store connection screens."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from tradelane.accounts import roles
from tradelane.core.errors import Conflict, PermissionDenied
from tradelane.core.models import AuditLog, Job, OutboxMessage
from tradelane.core.outbox import deliver_due, enqueue
from tradelane.integrations.stores import sync, webhooks
from tradelane.integrations.stores.dispatch import selectors as dispatch
from tradelane.integrations.stores.dispatch import services as dispatch_services
from tradelane.integrations.stores.fakes.shopify import make_order, rest_payload
from tradelane.integrations.stores.models import StoreConnection, SyncRun, WebhookDelivery
from tradelane.orders import services as order_services
from tradelane.orders.models import Order

from .conftest import SECRET

pytestmark = pytest.mark.django_db(transaction=True)


def _post_hook(conn, fake, topic, payload, webhook_id=None):
    body, headers = fake.webhook_request(topic, payload, SECRET, webhook_id=webhook_id)
    extra = {"HTTP_" + k.upper().replace("-", "_"): v for k, v in headers.items()}
    extra.pop("HTTP_CONTENT_TYPE")
    return Client().post(
        f"/hooks/shopify/{conn.webhook_token}", data=body, content_type="application/json", **extra
    )


def _client(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


@pytest.fixture
def boss(make_user):
    return make_user(roles.BOSS, "boss_zhang")


@pytest.fixture
def flow(conn, fake):
    """Three orders pulled by a sync, one webhook processed, one failed; two pushes."""
    now = timezone.now().replace(microsecond=0)
    for i in range(3):
        fake.add_order(make_order(i, base=now - timedelta(minutes=10)))
    run = sync.sync(conn)
    assert run.status == "succeeded" and run.created == 3
    _post_hook(conn, fake, "orders/create", rest_payload(make_order(7, base=now)), "wh-ok")
    webhooks.process_pending()
    bad = WebhookDelivery.objects.create(
        connection=conn, delivery_id="wh-bad", topic="orders/create", body=b"{not json",
        status="failed", error="ValueError: bad json", attempts=1,
    )  # fmt: skip
    order = Order.objects.get(external_id="5000000")
    pending = enqueue(
        "store.fulfillment",
        {"order_id": order.pk, "store_id": conn.store_id, "tracking_company": "UPS",
         "tracking_number": "1Z999", "tracking_url": ""},
        dedupe_key="ful-1",
    )  # fmt: skip
    dead = enqueue(
        "store.fulfillment",
        {"order_id": Order.objects.get(external_id="5000001").pk, "store_id": conn.store_id,
         "tracking_company": "UPS", "tracking_number": "1Z111", "tracking_url": ""},
        dedupe_key="ful-2",
    )  # fmt: skip
    OutboxMessage.objects.filter(pk=dead.pk).update(
        status="dead", attempts=8, last_error="Unavailable: HTTP 503"
    )
    return {"run": run, "bad": bad, "pending": pending, "dead": dead, "now": now}


def test_store_panel_counts_what_flowed_today(conn, flow):
    (panel,) = dispatch.store_panels()
    assert panel.connection.pk == conn.pk
    assert panel.orders_today == 4  # 3 pulled + 1 by webhook
    assert (panel.webhooks_today, panel.webhooks_failed_today) == (2, 1)
    assert (panel.pushes_pending, panel.pushes_dead) == (1, 1)
    assert panel.last_run.pk == flow["run"].pk
    assert panel.alert is False
    counts = dispatch.tab_counts(dispatch.ListFilters())
    assert counts["runs"] == {"total": 1, "attention": 0}
    assert counts["webhooks"] == {"total": 2, "attention": 1}
    assert counts["outbox"] == {"total": 2, "attention": 1}


def test_alert_after_the_stores_minutes_without_a_sync(admin, conn):
    services_update = __import__(
        "tradelane.integrations.stores.services", fromlist=["update_settings"]
    ).update_settings
    services_update(admin, conn, {"alert_after_minutes": 30})
    synced = timezone.now().replace(microsecond=0) - timedelta(hours=5)
    StoreConnection.objects.filter(pk=conn.pk).update(last_sync_at=synced)
    (quiet,) = dispatch.store_panels(now=synced + timedelta(minutes=29))
    assert quiet.alert is False and quiet.minutes_since_sync == 29
    (loud,) = dispatch.store_panels(now=synced + timedelta(minutes=31))
    assert loud.alert is True and loud.alert_after == 30
    # a disconnected store never alarms
    StoreConnection.objects.filter(pk=conn.pk).update(state="disconnected")
    (off,) = dispatch.store_panels(now=synced + timedelta(minutes=90))
    assert off.alert is False


def test_page_opens_before_any_store_is_connected(admin):
    """pygal raised on the orders chart without any series: /dispatch/ answered 500."""
    assert not StoreConnection.objects.exists()
    page = _client(admin).get("/dispatch/")
    assert page.status_code == 200
    assert "<svg" in page.content.decode()


def test_page_shows_the_alert_and_every_tab(admin, conn, flow):
    StoreConnection.objects.filter(pk=conn.pk).update(
        last_sync_at=timezone.now() - timedelta(hours=3), last_error="Unavailable: HTTP 503"
    )
    c = _client(admin)
    page = c.get("/dispatch/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-testid="dispatch-alerts"' in html and 'data-alert-store="SHOP1"' in html
    assert "<svg" in html and "<script" not in html.split("<svg", 1)[1].split("</svg>")[0]
    for tab, marker in (
        ("runs", "retry-run"),
        ("webhooks", f"replay-webhook-{flow['bad'].pk}"),
        ("outbox", f"replay-outbox-{flow['dead'].pk}"),
        ("jobs", "这些筛选条件下没有记录"),
    ):
        body = c.get("/dispatch/tab/", {"tab": tab, "since": 0}).content.decode()
        if tab != "runs":
            assert marker in body, tab
    failed_only = c.get("/dispatch/tab/", {"tab": "outbox", "status": "dead"}).content.decode()
    assert f'data-row="{flow["dead"].pk}"' in failed_only
    assert f'data-row="{flow["pending"].pk}"' not in failed_only
    payload = c.get(f"/dispatch/payload/webhook/{flow['bad'].pk}/").content.decode()
    assert "{not json" in payload and "ValueError: bad json" in payload
    payload = c.get(f"/dispatch/payload/outbox/{flow['dead'].pk}/").content.decode()
    assert "1Z111" in payload


def test_dead_outbox_message_replayed_gets_delivered(logistics, conn, fake, flow):
    dead = flow["dead"]
    response = _client(logistics).post(
        "/dispatch/action/", {"action": "replay_outbox", "id": dead.pk}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    assert response["HX-Trigger"] == "dispatchChanged"
    dead.refresh_from_db()
    assert (dead.status, dead.attempts) == ("pending", 0)
    assert AuditLog.objects.filter(action="core.outbox.replay", object_id=str(dead.pk)).count() == 1
    deliver_due()
    dead.refresh_from_db()
    assert dead.status == "sent"
    assert sorted(f["trackingInfo"]["number"] for f in fake.fulfillments) == ["1Z111", "1Z999"]
    # replaying a sent message is refused and changes nothing
    with pytest.raises(Conflict):
        dispatch_services.replay_outbox(logistics, dead.pk)
    dead.refresh_from_db()
    assert dead.status == "sent"


def test_failed_webhook_is_processed_again_from_its_stored_body(logistics, conn, fake):
    payload = rest_payload(make_order(42, base=timezone.now()))
    _post_hook(conn, fake, "orders/create", payload, "wh-42")
    row = WebhookDelivery.objects.get(delivery_id="wh-42")
    # it failed the first time (say the database was down); nothing was imported
    WebhookDelivery.objects.filter(pk=row.pk).update(status="failed", error="OperationalError")
    assert not Order.objects.exists()
    queued = DBTaskResult.objects.count()
    dispatch_services.replay_webhook(logistics, row.pk)
    row.refresh_from_db()
    assert (row.status, row.error) == ("received", "")
    assert DBTaskResult.objects.count() == queued + 1  # the processing task is queued
    webhooks.process(row.pk)  # what the worker runs
    row.refresh_from_db()
    assert row.status == "processed"
    assert Order.objects.get().external_id == "5000042"
    with pytest.raises(Conflict):
        dispatch_services.replay_webhook(logistics, row.pk)  # processed: nothing to redo


def test_retry_failed_run_and_sync_now_queue_a_sync(logistics, conn, fake):
    fake.fail_next(20, status=503)
    from tradelane.integrations.stores.shopify import connector as shopify_connector

    run = sync.sync(conn, connector=shopify_connector.ShopifyConnector(conn, retries=0))
    assert run.status == "failed"
    queued = DBTaskResult.objects.count()
    dispatch_services.retry_run(logistics, run.pk)
    dispatch_services.sync_now(logistics, conn.pk)
    tasks = list(DBTaskResult.objects.order_by("id")[queued:])
    assert [t.args_kwargs["args"] for t in tasks] == [[conn.pk, "import"], [conn.pk, "import"]]
    actions = set(AuditLog.objects.values_list("action", flat=True))
    assert {"stores.dispatch.retry_run", "stores.dispatch.sync_now"} <= actions
    ok = SyncRun.objects.create(connection=conn, kind="import", status="succeeded")
    with pytest.raises(Conflict):
        dispatch_services.retry_run(logistics, ok.pk)


def test_permissions_refuse_and_change_nothing(cs, boss, conn, flow):
    dead = flow["dead"]
    audits = AuditLog.objects.count()
    assert _client(cs).get("/dispatch/").status_code == 403
    assert _client(cs).get("/api/v1/dispatch/stores").status_code == 403
    boss_client = _client(boss)
    assert boss_client.get("/dispatch/").status_code == 200  # the boss reads ...
    assert "replay-outbox" not in boss_client.get("/dispatch/tab/?tab=outbox").content.decode()
    for user in (cs, boss):  # ... but presses no button
        for action, pk in (("replay_outbox", dead.pk), ("replay_webhook", flow["bad"].pk),
                           ("sync_now", conn.pk), ("retry_run", flow["run"].pk)):  # fmt: skip
            response = _client(user).post("/dispatch/action/", {"action": action, "id": pk},
                                          HTTP_HX_REQUEST="true")  # fmt: skip
            assert response.status_code == 403, (user, action)
        with pytest.raises(PermissionDenied):
            dispatch_services.replay_outbox(user, dead.pk)
    assert _client(boss).post(f"/api/v1/dispatch/outbox/{dead.pk}/replay").status_code == 403
    dead.refresh_from_db()
    flow["bad"].refresh_from_db()
    assert dead.status == "dead" and flow["bad"].status == "failed"
    assert AuditLog.objects.count() == audits


def test_api_lists_and_replays(logistics, conn, fake, flow):
    c = _client(logistics)
    (store,) = c.get("/api/v1/dispatch/stores").json()
    assert store["orders_today"] == 4 and store["pushes_dead"] == 1 and store["alert"] is False
    page = c.get("/api/v1/dispatch/outbox", {"status": "dead"}).json()
    assert page["count"] == 1 and page["items"][0]["id"] == flow["dead"].pk
    hooks = c.get("/api/v1/dispatch/webhooks", {"status": "failed"}).json()
    assert [h["delivery_id"] for h in hooks["items"]] == ["wh-bad"]
    detail = c.get(f"/api/v1/dispatch/webhooks/{flow['bad'].pk}").json()
    assert detail["body"] == "{not json"
    runs = c.get("/api/v1/dispatch/sync-runs").json()
    assert runs["items"][0]["created"] == 3
    hourly = c.get("/api/v1/dispatch/hourly").json()
    assert len(hourly["hours"]) == 24 and sum(hourly["orders"]["SHOP1"]) == 4
    replay = c.post(f"/api/v1/dispatch/outbox/{flow['dead'].pk}/replay")
    assert replay.status_code == 202 and replay.json()["status"] == "pending"
    again = c.post(f"/api/v1/dispatch/outbox/{flow['dead'].pk}/replay")
    assert again.status_code == 409 and again.json()["code"] == "not_dead"
    assert c.post("/api/v1/dispatch/outbox/999999/replay").status_code == 404


def _many(conn, n):
    for i in range(n):
        WebhookDelivery.objects.create(
            connection=conn,
            delivery_id=f"bulk-{i}",
            topic="orders/create",
            body=b"{}",
            status="failed",
        )
        SyncRun.objects.create(connection=conn, kind="import", status="failed", error="x")
        enqueue("store.stock", {"store_id": conn.store_id}, dedupe_key=f"stock-{i}")
        Job.objects.create(kind="orders.review", total=10, done=i % 10)


@pytest.mark.parametrize("n", [3, 40])
def test_page_and_tabs_run_a_bounded_number_of_queries(
    admin, conn, django_assert_max_num_queries, n
):
    other = order_services.create_store(
        admin, code="SHOP2", name="Shop 2", platform="shopify", currency="USD", country="US"
    )
    StoreConnection.objects.create(store=other, platform="shopify", shop_domain="b.example")
    _many(conn, n)
    c = _client(admin)
    c.get("/dispatch/")  # warm the session and caches
    with django_assert_max_num_queries(30):
        assert c.get("/dispatch/").status_code == 200
    for tab in dispatch.TABS:
        with django_assert_max_num_queries(16):
            assert c.get("/dispatch/tab/", {"tab": tab}).status_code == 200
    with django_assert_max_num_queries(12):
        assert c.get("/api/v1/dispatch/stores").status_code == 200


# --- the store connection screens -----------------------------------------------------------


def test_connect_form_stores_credentials_encrypted_and_shows_last_four(admin, fake):
    store = order_services.create_store(
        admin, code="NEW1", name="New shop", platform="shopify", currency="USD", country="US"
    )
    c = _client(admin)
    form = c.get(f"/stores/{store.pk}/connect/")
    assert form.status_code == 200
    response = c.post(f"/stores/{store.pk}/connect/", {
        "shop_domain": "new-shop.myshopify.com", "base_url": fake.base_url,
        "access_token": "shpat_secret_ABCD", "webhook_secrets": "shpss_hook_WXYZ",
        "import_statuses": ["paid"], "warehouse_priority": "", "ioss_number": "",
        "sync_interval_minutes": "5", "alert_after_minutes": "30",
    })  # fmt: skip
    assert response.status_code == 302
    conn = StoreConnection.objects.get(store=store)
    assert "shpat_secret_ABCD" not in conn.credentials_encrypted
    assert conn.credentials()["access_token"] == "shpat_secret_ABCD"
    assert (
        conn.settings["import_statuses"] == ["paid"] and conn.settings["alert_after_minutes"] == 30
    )
    listing = c.get("/stores/").content.decode()
    assert "••••ABCD" in listing and "••••WXYZ" in listing
    assert "shpat_secret" not in listing and "shpss_hook" not in listing


def test_connect_with_missing_credentials_is_refused(admin):
    store = order_services.create_store(
        admin, code="NEW2", name="New shop 2", platform="woocommerce", currency="EUR", country="DE"
    )
    response = _client(admin).post(f"/stores/{store.pk}/connect/", {
        "shop_domain": "shop.example", "consumer_key": "ck_1",
        "sync_interval_minutes": "15", "alert_after_minutes": "120",
    })  # fmt: skip
    assert response.status_code == 422
    assert not StoreConnection.objects.filter(store=store).exists()


@pytest.mark.parametrize(
    "lang, text", [("zh-hans", "IOSS 编号是 IM 加 10 位数字"), ("en", "IM followed by 10 digits")]
)
def test_settings_form_shows_errors_in_both_languages(admin, conn, lang, text):
    c = _client(admin)
    c.cookies["django_language"] = lang
    before = dict(StoreConnection.objects.get(pk=conn.pk).settings)
    response = c.post(f"/stores/connections/{conn.pk}/settings/", {
        "import_statuses": ["paid"], "warehouse_priority": "NOPE", "ioss_number": "IM12",
        "sync_interval_minutes": "5", "alert_after_minutes": "1",
    }, HTTP_ACCEPT_LANGUAGE=lang)  # fmt: skip
    assert response.status_code == 422
    html = response.content.decode()
    assert text in html
    assert "NOPE" in html
    assert StoreConnection.objects.get(pk=conn.pk).settings == before


def test_settings_form_saves_through_the_service(admin, conn, wh_cn):
    response = _client(admin).post(f"/stores/connections/{conn.pk}/settings/", {
        "import_statuses": ["paid", "authorized"], "warehouse_priority": wh_cn.code.lower(),
        "ioss_number": "im1234567890", "push_stock": "on",
        "sync_interval_minutes": "7", "alert_after_minutes": "45",
    })  # fmt: skip
    assert response.status_code == 302
    conn.refresh_from_db()
    assert conn.settings["ioss_number"] == "IM1234567890"
    assert conn.settings["warehouse_priority"] == [wh_cn.code]
    assert conn.settings["push_stock"] is True and conn.settings["sync_interval_minutes"] == 7
    assert AuditLog.objects.filter(action="stores.connection.settings").exists()


def test_store_screens_refuse_roles_without_the_permission(cs, logistics, conn):
    assert _client(cs).get("/stores/").status_code == 403
    assert _client(logistics).get("/stores/").status_code == 200  # sees, cannot change
    response = _client(logistics).post(f"/stores/connections/{conn.pk}/disconnect/")
    assert response.status_code == 403
    conn.refresh_from_db()
    assert conn.state == "connected"
