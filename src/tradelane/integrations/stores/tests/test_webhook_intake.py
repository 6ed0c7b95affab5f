"""The WSGI-level webhook ack (``stores.webhook_intake``) answers exactly as the Django view
(``views/webhooks.py``, reached with the test client) does, stores the same rows, and a
delivery it acknowledged is committed."""

from __future__ import annotations

import io
import sys

import pytest
from django.db import connections
from django.test import Client
from django_tasks_db.models import DBTaskResult

from tradelane.integrations.stores import services, webhooks
from tradelane.integrations.stores.fakes.shopify import make_order, rest_payload
from tradelane.integrations.stores.fakes.woocommerce import FakeWooCommerce
from tradelane.integrations.stores.models import WebhookDelivery
from tradelane.orders import services as order_services
from tradelane.wsgi import application

from .conftest import SECRET

pytestmark = pytest.mark.django_db(transaction=True)


def _environ(path: str, body: bytes, headers: dict, **extra) -> dict:
    environ = {
        "REQUEST_METHOD": "POST", "PATH_INFO": path, "SCRIPT_NAME": "", "QUERY_STRING": "",
        "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "8000", "HTTP_HOST": "127.0.0.1:8000",
        "SERVER_PROTOCOL": "HTTP/1.1", "wsgi.url_scheme": "http", "wsgi.input": io.BytesIO(body),
        "wsgi.errors": sys.stderr, "CONTENT_LENGTH": str(len(body)),
    }  # fmt: skip
    for name, value in headers.items():
        if name.lower() == "content-type":
            environ["CONTENT_TYPE"] = value
        else:
            environ["HTTP_" + name.upper().replace("-", "_")] = value
    environ.update(extra)
    return environ


def _wsgi(path: str, body: bytes, headers: dict, **extra) -> tuple[int, dict, bytes]:
    """One request through ``tradelane.wsgi.application``, as the web server sends it."""
    started = {}

    def start_response(status, response_headers, exc_info=None):
        started["status"] = int(status.split()[0])
        started["headers"] = dict(response_headers)

    result = application(_environ(path, body, headers, **extra), start_response)
    try:
        content = b"".join(result)
    finally:
        getattr(result, "close", lambda: None)()
    return started["status"], started["headers"], content


def _view(path: str, body: bytes, headers: dict) -> tuple[int, bytes]:
    """The same request through the Django view (the test client skips the WSGI intake)."""
    meta = {"HTTP_" + k.upper().replace("-", "_"): v for k, v in headers.items()}
    content_type = meta.pop("HTTP_CONTENT_TYPE", "application/json")
    response = Client().post(path, data=body, content_type=content_type, **meta)
    return response.status_code, response.content


def _signed(fake, secret=SECRET, webhook_id="d-1", number=1):
    return fake.webhook_request(
        "orders/create", rest_payload(make_order(number)), secret, webhook_id=webhook_id
    )


def _committed_rows() -> list[tuple]:
    """The stored deliveries as another connection sees them (so: committed)."""
    other = connections.create_connection("default")
    try:
        with other.cursor() as cursor:
            cursor.execute(
                f"SELECT delivery_id, duplicates FROM {WebhookDelivery._meta.db_table} ORDER BY id"
            )
            return [tuple(row) for row in cursor.fetchall()]
    finally:
        other.close()


def test_a_good_delivery_is_stored_once_committed_and_answered_as_the_view(conn, fake):
    path = f"/hooks/shopify/{conn.webhook_token}"
    body, headers = _signed(fake, webhook_id="d-1")
    status, response_headers, content = _wsgi(path, body, headers)
    assert (status, content) == (200, b'{"ok": true, "duplicate": false}')
    assert response_headers == {"Content-Type": "application/json", "Content-Length": "32"}
    assert _committed_rows() == [("d-1", 0)]  # read right after the answer, elsewhere
    fast = WebhookDelivery.objects.get()
    assert (fast.connection_id, fast.topic, fast.status) == (conn.pk, "orders/create", "received")
    assert (fast.attempts, fast.duplicates, fast.error) == (0, 0, "")
    assert bytes(fast.body) == body
    assert DBTaskResult.objects.count() == 0  # the worker drains the row itself

    # the view stores the same row for the same delivery (under another id)
    body2, headers2 = _signed(fake, webhook_id="d-2")
    assert _view(path, body2, headers2) == (200, b'{"ok": true, "duplicate": false}')
    slow = WebhookDelivery.objects.get(delivery_id="d-2")
    headers2["X-Shopify-Webhook-Id"] = "d-1"
    assert slow.headers == {**fast.headers, "X-Shopify-Webhook-Id": "d-2",
                            "X-Shopify-Triggered-At": headers2["X-Shopify-Triggered-At"],
                            "X-Shopify-Event-Id": headers2["X-Shopify-Event-Id"]}  # fmt: skip
    assert slow.triggered_at is not None and fast.triggered_at is not None
    assert set(fast.headers) == set(slow.headers)


def test_a_duplicate_is_counted_on_the_first_row_and_answered_as_the_view(conn, fake):
    path = f"/hooks/shopify/{conn.webhook_token}"
    body, headers = _signed(fake, webhook_id="d-1")
    assert _wsgi(path, body, headers)[0] == 200
    again = _wsgi(path, body, headers)
    assert (again[0], again[2]) == (200, b'{"ok": true, "duplicate": true}')
    assert _view(path, body, headers) == (200, b'{"ok": true, "duplicate": true}')
    assert _committed_rows() == [("d-1", 2)]


def test_a_bad_signature_is_401_as_the_view_and_stores_nothing(conn, fake):
    path = f"/hooks/shopify/{conn.webhook_token}"
    body, headers = _signed(fake, secret="not-the-secret")
    status, _headers, content = _wsgi(path, body, headers)
    assert (status, content) == _view(path, body, headers)
    assert (status, content) == (
        401, b'{"code": "invalid_signature", "message": "signature does not match"}'
    )  # fmt: skip
    assert WebhookDelivery.objects.count() == 0


def test_an_unknown_address_is_404_as_the_view(conn, fake):
    body, headers = _signed(fake)
    for path in ("/hooks/shopify/not-a-token", f"/hooks/woocommerce/{conn.webhook_token}"):
        status, _headers, content = _wsgi(path, body, headers)
        assert (status, content) == _view(path, body, headers)
        assert (status, content) == (
            404, b'{"code": "not_found", "message": "Unknown webhook address"}'
        )  # fmt: skip
    assert WebhookDelivery.objects.count() == 0


def test_a_body_above_the_limit_is_refused_as_the_view(conn, fake):
    path = f"/hooks/shopify/{conn.webhook_token}"
    _body, headers = _signed(fake)
    body = b"x" * (6 << 20)  # above MAX_BODY (5 MiB): Django answers it, as before
    status, _headers, content = _wsgi(path, body, headers)
    assert (status, content) == _view(path, body, headers)
    assert status in (400, 413)
    assert WebhookDelivery.objects.count() == 0


def test_a_host_outside_allowed_hosts_is_refused_by_django(conn, fake):
    path = f"/hooks/shopify/{conn.webhook_token}"
    body, headers = _signed(fake)
    assert _wsgi(path, body, headers, HTTP_HOST="evil.example")[0] == 400
    assert WebhookDelivery.objects.count() == 0


def test_a_woocommerce_ping_is_200_as_the_view_and_stores_nothing(admin):
    woo = FakeWooCommerce(orders=0)
    store = order_services.create_store(
        admin, code="WOO1", name="Woo 1", platform="woocommerce", currency="EUR", country="DE"
    )
    conn = services.connect(
        admin, store, shop_domain=woo.site, base_url="http://127.0.0.1:9",
        credentials={"consumer_key": "ck", "consumer_secret": "cs", "webhook_secrets": ["w"]},
    )  # fmt: skip
    path = f"/hooks/woocommerce/{conn.webhook_token}"
    body = f"webhook_id={woo.webhook_id}".encode()
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    status, _headers, content = _wsgi(path, body, headers)
    assert (status, content) == _view(path, body, headers)
    assert (status, content) == (200, b'{"ok": true, "ping": true}')
    assert WebhookDelivery.objects.count() == 0


def test_a_disconnected_store_and_new_secrets_are_seen_on_the_next_delivery(admin, conn, fake):
    path = f"/hooks/shopify/{conn.webhook_token}"
    assert _wsgi(path, *_signed(fake, webhook_id="d-1"))[0] == 200  # the verifier is cached
    services.update_credentials(admin, conn, {"webhook_secrets": ["shpss_next"]})
    old = _signed(fake, webhook_id="d-2")
    assert _wsgi(path, *old)[0] == _view(path, *old)[0] == 401
    assert _wsgi(path, *_signed(fake, "shpss_next", webhook_id="d-3"))[0] == 200
    services.disconnect(admin, conn)
    after = _signed(fake, "shpss_next", webhook_id="d-4")
    status, _headers, content = _wsgi(path, *after)
    view = _view(path, *_signed(fake, "shpss_next", webhook_id="d-5"))
    # as the view: a disconnected store's signed delivery is still kept (and answered 200)
    assert (status, content) == view == (200, b'{"ok": true, "duplicate": false}')
    assert [r[0] for r in _committed_rows()] == ["d-1", "d-3", "d-4", "d-5"]


def test_without_a_worker_django_answers_and_queues_the_task(conn, fake, settings):
    path = f"/hooks/shopify/{conn.webhook_token}"
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    assert not webhooks.drained_by_worker()
    status, _headers, content = _wsgi(path, *_signed(fake, webhook_id="d-1"))
    assert (status, content) == (200, b'{"ok": true, "duplicate": false}')
    assert _committed_rows() == [("d-1", 0)]
    from django_tasks import default_task_backend

    assert [r.args for r in default_task_backend.results] == [
        [WebhookDelivery.objects.get().pk]
    ]  # queued by the view's receive()


def test_the_worker_drains_received_rows_once(conn, fake):
    path = f"/hooks/shopify/{conn.webhook_token}"
    for number in (1, 2, 3):
        assert _wsgi(path, *_signed(fake, webhook_id=f"d-{number}", number=number))[0] == 200
    first = WebhookDelivery.objects.order_by("id").first()
    # another worker claimed the first row meanwhile: this one must not apply it again
    WebhookDelivery.objects.filter(pk=first.pk).update(attempts=1)
    assert webhooks.process(first.pk, attempts=0) == "skipped"
    assert webhooks.drain_received() == 2
    statuses = dict(WebhookDelivery.objects.values_list("delivery_id", "status"))
    assert statuses == {"d-1": "received", "d-2": "processed", "d-3": "processed"}
    assert webhooks.drain_received() == 0
