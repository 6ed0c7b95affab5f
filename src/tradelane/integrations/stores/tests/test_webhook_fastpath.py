"""``/hooks/`` through the early dispatch (``stores.middleware.WebhookFastPath``) and the
single ``INSERT ... ON CONFLICT DO NOTHING`` of ``webhooks.receive``."""

from __future__ import annotations

import pytest
from django.db import connection as db
from django.test import Client
from django_tasks_db.backend import DatabaseBackend
from django_tasks_db.models import DBTaskResult

from tradelane.integrations.stores import webhooks
from tradelane.integrations.stores.fakes.shopify import make_order, rest_payload
from tradelane.integrations.stores.models import WebhookDelivery

from .conftest import SECRET

pytestmark = pytest.mark.django_db(transaction=True)


def _post(conn, fake, *, secret=SECRET, webhook_id=None, client=None, **extra):
    body, headers = fake.webhook_request(
        "orders/create", rest_payload(make_order(1)), secret, webhook_id=webhook_id
    )
    meta = {"HTTP_" + k.upper().replace("-", "_"): v for k, v in headers.items()}
    meta.pop("HTTP_CONTENT_TYPE")
    meta.update(extra)
    response = (client or Client()).post(
        f"/hooks/shopify/{conn.webhook_token}", data=body, content_type="application/json", **meta
    )
    response.sent_body = body
    return response


def test_hooks_skip_the_middleware_stack_and_store_one_row_and_no_task(conn, fake):
    response = _post(conn, fake, webhook_id="d-1")
    assert response.status_code == 200
    assert response.json() == {"ok": True, "duplicate": False}
    # sessions, clickjacking and the rest did not run for it
    assert "X-Frame-Options" not in response.headers
    assert "Set-Cookie" not in response.headers
    row = WebhookDelivery.objects.get()
    assert (row.connection_id, row.delivery_id, row.topic) == (conn.pk, "d-1", "orders/create")
    assert row.status == "received"
    assert (row.attempts, row.duplicates, row.error) == (0, 0, "")
    assert row.headers["X-Shopify-Webhook-Id"] == "d-1"
    assert bytes(row.body) == response.sent_body
    # the row is the queue: the worker drains received rows (webhooks.drain_received)
    assert DBTaskResult.objects.count() == 0
    # other paths still go through the whole stack
    assert "X-Frame-Options" in Client().get("/login/").headers


def test_duplicates_are_counted_on_the_first_row_and_queue_nothing(conn, fake):
    assert _post(conn, fake, webhook_id="d-1").status_code == 200
    for _ in range(3):
        again = _post(conn, fake, webhook_id="d-1")
        assert again.status_code == 200
        assert again.json() == {"ok": True, "duplicate": True}
    assert _post(conn, fake, webhook_id="d-2").status_code == 200
    rows = dict(WebhookDelivery.objects.values_list("delivery_id", "duplicates"))
    assert rows == {"d-1": 3, "d-2": 0}
    assert DBTaskResult.objects.count() == 0


def test_bad_signature_is_401_and_stores_and_queues_nothing(conn, fake):
    response = _post(conn, fake, secret="not-the-secret", webhook_id="d-1")
    assert response.status_code == 401
    assert response.json()["code"] == "invalid_signature"
    assert WebhookDelivery.objects.count() == 0
    assert DBTaskResult.objects.count() == 0


def test_refusals_on_the_fast_path(conn, fake):
    # a host outside ALLOWED_HOSTS: refused as the full stack would (CommonMiddleware)
    assert _post(conn, fake, webhook_id="d-1", HTTP_HOST="evil.example").status_code == 400
    # not POST
    assert Client().get(f"/hooks/shopify/{conn.webhook_token}").status_code == 405
    # unknown token, unknown shape under /hooks/
    assert Client().post("/hooks/shopify/nope", data=b"{}", content_type="x").status_code == 404
    assert Client().post("/hooks/shopify", data=b"{}", content_type="x").status_code == 404
    assert WebhookDelivery.objects.count() == 0
    assert DBTaskResult.objects.count() == 0


def test_a_failed_queue_insert_keeps_the_row_for_the_sweep(conn, fake, monkeypatch):
    def broken(*args, **kwargs):
        with db.cursor() as cursor:  # a failed statement (PostgreSQL: aborts the transaction)
            cursor.execute("INSERT INTO no_such_queue_table (id) VALUES (1)")

    monkeypatch.setattr(webhooks, "drained_by_worker", lambda: False)  # tasks queued per row
    monkeypatch.setattr(DatabaseBackend, "_task_to_db_task", broken)
    response = _post(conn, fake, webhook_id="d-1")
    assert response.status_code == 200
    assert WebhookDelivery.objects.get().status == "received"
    assert DBTaskResult.objects.count() == 0
    monkeypatch.undo()
    assert webhooks.process_pending() == 1
    assert WebhookDelivery.objects.get().status == "processed"
