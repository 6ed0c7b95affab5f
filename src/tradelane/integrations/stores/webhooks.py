"""Inbound webhooks: verify, store raw (deduplicated by the platform's delivery id), answer
fast; processing happens later (``process``), idempotently.

With a task worker (the database or Redis queue) the stored row is the queue: the worker
drains received rows in batches (``drain_received``) and the ack writes nothing else (the
plain case is answered in front of Django by ``webhook_intake``). With tasks run inline
(``TRADELANE_TASKS_BACKEND=immediate``) ``receive`` queues the processing task.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping
from datetime import timedelta

from django.db import connection as dj_connection
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from tradelane.orders.platform import apply_platform_orders

from . import privacy
from .contract import ConnectorError, EventKind, Unavailable, connector_for
from .models import StoreConnection, WebhookDelivery
from .services import mark_disconnected
from .settings_schema import settings_of
from .system import system_actor

log = logging.getLogger(__name__)

KEPT_HEADERS = ("content-type", "user-agent")
MAX_ATTEMPTS = 10


def kept_headers(headers: Mapping[str, str]) -> dict[str, str]:
    return {
        k: v
        for k, v in headers.items()
        if k.lower().startswith(("x-shopify-", "x-wc-", "x-amz-")) or k.lower() in KEPT_HEADERS
    }


def connection_for_address(platform: str, token: str) -> StoreConnection | None:
    """The connection a webhook address ``/hooks/<platform>/<token>`` names, or None.

    One raw SELECT: compiling the same ORM query on every delivery (``.filter().first()``)
    cost 0.4-0.7 ms, a fifth or more of a delivery's CPU; this costs 0.1-0.2 ms."""
    meta = StoreConnection._meta
    quote = dj_connection.ops.quote_name
    sql = "SELECT * FROM {} WHERE {} = %s AND {} = %s".format(
        quote(meta.db_table),
        quote(meta.get_field("webhook_token").column),
        quote(meta.get_field("platform").column),
    )
    return next(iter(StoreConnection.objects.raw(sql, [token, platform])), None)


def receive(
    connection: StoreConnection, body: bytes, headers: Mapping[str, str]
) -> tuple[WebhookDelivery | None, bool]:
    """Verify and store one delivery. Returns (row, created). Raises ``WebhookRejected``.

    The same delivery id again stores nothing new (it counts a duplicate on the first row).
    One transaction, one commit: the row (and its processing task when no worker drains the
    rows: the task runner sees both or neither), or the duplicate count.
    """
    envelope = _verifier(connection).verify_webhook(body, headers)
    kept = kept_headers(headers)
    with transaction.atomic():
        row = _insert(connection, envelope, body, kept)
        if row is None:
            WebhookDelivery.objects.filter(
                connection=connection, delivery_id=envelope.delivery_id
            ).update(duplicates=F("duplicates") + 1)
            return None, False
        if not drained_by_worker():
            _enqueue(row.pk)
    return row, True


def drained_by_worker() -> bool:
    """Does a task worker drain the received rows (the database or Redis queue)? Otherwise
    (inline tasks) each delivery queues its own processing task."""
    from django.conf import settings

    backend = settings.TASKS.get("default", {}).get("BACKEND")
    return backend in (settings.TASK_BACKENDS["db"], settings.TASK_BACKENDS["rq"])


_INSERT_FIELDS = (
    "connection", "delivery_id", "topic", "body", "headers", "received_at", "triggered_at",
    "status", "error", "attempts", "duplicates",
)  # fmt: skip
_insert_sql: dict[str, str] = {}


def insert_sql(db) -> str:
    """The intake's ``INSERT ... ON CONFLICT DO NOTHING RETURNING id`` (``%s`` parameters)."""
    sql = _insert_sql.get(db.vendor)
    if sql is None:
        fields = [WebhookDelivery._meta.get_field(name) for name in _INSERT_FIELDS]
        quote = db.ops.quote_name
        sql = _insert_sql[db.vendor] = (
            "INSERT INTO {} ({}) VALUES ({}) ON CONFLICT ({}, {}) DO NOTHING RETURNING {}".format(
                quote(WebhookDelivery._meta.db_table),
                ", ".join(quote(f.column) for f in fields),
                ", ".join(["%s"] * len(fields)),
                quote(fields[0].column),
                quote(fields[1].column),
                quote(WebhookDelivery._meta.pk.column),
            )
        )
    return sql


def _insert(connection, envelope, body: bytes, headers: dict) -> WebhookDelivery | None:
    """``INSERT ... ON CONFLICT (connection, delivery id) DO NOTHING RETURNING id`` (SQLite
    3.35+ and PostgreSQL): one statement, no failed insert and savepoint rollback for a
    duplicate, and only this unique constraint is waived (``bulk_create(ignore_conflicts=True)``
    is ``INSERT OR IGNORE`` on SQLite, which would also swallow other violations). The stored
    row, or None when its delivery id was already stored."""
    db = dj_connection
    fields = [WebhookDelivery._meta.get_field(name) for name in _INSERT_FIELDS]
    sql = insert_sql(db)
    values = {
        "connection": connection.pk,
        "delivery_id": envelope.delivery_id,
        "topic": envelope.topic,
        "body": body,
        "headers": headers,
        "received_at": timezone.now(),
        "triggered_at": envelope.triggered_at,
        "status": WebhookDelivery.Status.RECEIVED.value,
        "error": "",
        "attempts": 0,
        "duplicates": 0,
    }
    params = [f.get_db_prep_save(values[f.name], db) for f in fields]
    with db.cursor() as cursor:
        cursor.execute(sql, params)
        found = cursor.fetchone()
    if found is None:
        return None
    values.pop("connection")
    row = WebhookDelivery(pk=found[0], connection=connection, **values)
    row._state.adding = False
    return row


PRIVACY_KINDS = (EventKind.DATA_REQUEST, EventKind.REDACT_CUSTOMER, EventKind.REDACT_SHOP)
_verifiers: dict[tuple[int, str], object] = {}


def _verifier(connection: StoreConnection):
    """The connector, kept per process for each (connection, encrypted credentials): the
    credentials are decrypted once, not on every delivery; new credentials make a new key."""
    key = (connection.pk, connection.credentials_encrypted, connection.shop_domain)
    found = _verifiers.get(key)
    if found is None:
        if len(_verifiers) > 1000:
            _verifiers.clear()
        found = _verifiers[key] = connector_for(connection)
    return found


def _enqueue(delivery_id: int) -> None:
    from .tasks import process_webhook

    try:
        # a savepoint: a failed queue insert must not abort the row's transaction (PostgreSQL)
        with transaction.atomic():
            process_webhook.enqueue(delivery_id)
    except Exception:  # the periodic sweep picks it up
        log.exception("could not enqueue webhook %s", delivery_id)


def process(delivery_id: int, *, attempts: int | None = None) -> str:
    """Apply one stored delivery; idempotent (a processed row is not applied again).

    ``attempts``: the attempt count the caller read; the row is claimed only if it still has
    it, so two workers draining the same rows never both apply one (``drain_received``)."""
    claim = WebhookDelivery.objects.filter(pk=delivery_id, status=WebhookDelivery.Status.RECEIVED)
    if attempts is not None:
        claim = claim.filter(attempts=attempts)
    claimed = claim.update(attempts=F("attempts") + 1)
    if not claimed:
        return "skipped"
    row = WebhookDelivery.objects.select_related("connection__store").get(pk=delivery_id)
    connection = row.connection
    headers = row.headers
    status, error, order_id = WebhookDelivery.Status.PROCESSED, "", None
    try:
        connector = connector_for(connection)
        event = connector.parse_webhook(bytes(row.body), headers)
        actor = system_actor()
        if event.kind == EventKind.UNINSTALLED:
            with transaction.atomic():
                mark_disconnected(connection, "app uninstalled on the platform", actor=actor)
        elif event.kind in PRIVACY_KINDS:
            privacy.apply(actor, connection, event, row.received_at)
        elif event.kind in (EventKind.ORDER, EventKind.REFUND):
            order = event.order
            if event.kind == EventKind.REFUND:
                order = connector.fetch_order(event.order_external_id)
            if order is None:
                status = WebhookDelivery.Status.IGNORED
                error = "order not found on the platform"
            else:
                report = apply_platform_orders(
                    actor,
                    connection.store,
                    [order],
                    source=connection.platform,
                    import_statuses=settings_of(connection).import_statuses,
                    platform_warehouse=settings_of(connection).platform_warehouse,
                )
                order_id = report.order_ids.get(order["external_id"])
                if report.errors:
                    error = str(report.errors)[:2000]
                    if report.rejected:
                        status = WebhookDelivery.Status.FAILED
                elif report.filtered:
                    status = WebhookDelivery.Status.IGNORED
                    error = "payment status not imported (store settings)"
        else:
            status = WebhookDelivery.Status.IGNORED
    except Unavailable as exc:  # try again later (the sweep re-queues received rows)
        WebhookDelivery.objects.filter(pk=delivery_id).update(error=str(exc)[:2000])
        if row.attempts + 1 >= MAX_ATTEMPTS:
            WebhookDelivery.objects.filter(pk=delivery_id).update(
                status=WebhookDelivery.Status.FAILED
            )
        return "retry"
    except (ConnectorError, ValueError, KeyError) as exc:
        status, error = WebhookDelivery.Status.FAILED, f"{type(exc).__name__}: {exc}"[:2000]
    WebhookDelivery.objects.filter(pk=delivery_id).update(
        status=status, error=error, processed_at=timezone.now(), order_id=order_id
    )
    return status


DRAIN_BATCH = 100


def drain_received(limit: int = DRAIN_BATCH, pause: float = 0.0) -> int:
    """Process up to ``limit`` rows never tried yet, oldest first (the task worker's webhook
    loop, ``webhook_drain``). Each row is claimed and applied in its own short transactions,
    so the SQLite write lock is never held across a batch and the ack waits at most for one
    row's. Rows that failed to apply (the platform unavailable) wait for the sweep
    (``process_pending``). Returns how many rows it took."""
    rows = list(
        WebhookDelivery.objects.filter(status=WebhookDelivery.Status.RECEIVED, attempts=0)
        .order_by("id")
        .values_list("id", flat=True)[:limit]
    )
    for pk in rows:
        started = time.monotonic()
        try:
            process(pk, attempts=0)
        except Exception:
            log.exception("webhook %s failed", pk)
            WebhookDelivery.objects.filter(pk=pk).update(status=WebhookDelivery.Status.FAILED)
        if pause:
            time.sleep(pause * (time.monotonic() - started))
    return len(rows)


def process_pending(limit: int = 500, older_than_s: int = 0) -> int:
    """Process received rows (the sweep's safety net when a task was lost); returns the count."""
    cutoff = timezone.now() - timedelta(seconds=older_than_s)
    ids = list(
        WebhookDelivery.objects.filter(
            status=WebhookDelivery.Status.RECEIVED, received_at__lte=cutoff
        )
        .order_by("received_at", "id")
        .values_list("id", flat=True)[:limit]
    )
    for pk in ids:
        try:
            process(pk)
        except Exception:
            log.exception("webhook %s failed", pk)
            WebhookDelivery.objects.filter(pk=pk).update(status=WebhookDelivery.Status.FAILED)
    return len(ids)


DRAIN_PAUSE_ENV = "TRADELANE_WEBHOOK_DRAIN_PAUSE"
# After each row the loop sleeps this many times the row's processing time: the worker takes
# at most half a core for webhooks, so on a 2-core machine the ack keeps its CPU and the
# SQLite write lock is free most of the time. benchmarks/sync.py at 500 webhooks/s: without a
# pause the worker took a whole core and the ack's p99 was 983 ms; with 1, 21 ms (34 rows/s
# processed); with 2, 19 ms (25 rows/s).
DRAIN_PAUSE_DEFAULT = 1.0


def run_drain(stop, idle_seconds: float = 0.2) -> None:
    """The task worker's webhook loop (a thread): drain received rows until ``stop`` is set,
    waiting ``idle_seconds`` whenever none is waiting."""
    import os

    from django.db import close_old_connections

    try:
        pause = float(os.environ.get(DRAIN_PAUSE_ENV, "") or DRAIN_PAUSE_DEFAULT)
    except ValueError:
        pause = DRAIN_PAUSE_DEFAULT
    while not stop.is_set():
        try:
            taken = drain_received(pause=pause)
        except Exception:  # the database went away: try again after a pause
            log.exception("webhook drain failed")
            close_old_connections()
            dj_connection.close()
            taken = 0
        if taken < DRAIN_BATCH:
            stop.wait(idle_seconds)
