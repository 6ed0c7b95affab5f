"""The dispatch center's buttons: sync a store now, push its stock now, retry a failed sync
run, re-process a failed webhook from its stored raw body, replay a dead outbox message.
Each checks the permission, refuses what does not apply (nothing changes), writes an audit
row, and queues the work after commit (the worker does it)."""

from __future__ import annotations

import logging
import uuid

from django.db import transaction
from django.utils import timezone

from tradelane.accounts.permissions import require
from tradelane.accounts.roles import P
from tradelane.core import audit, outbox
from tradelane.core.errors import Conflict, NotFound
from tradelane.core.models import OutboxMessage

from ..models import StoreConnection, SyncRun, WebhookDelivery
from ..settings_schema import settings_of

log = logging.getLogger(__name__)


def _queue_sync(connection_id: int, kind: str) -> None:
    from ..tasks import sync_store

    def go():
        try:
            sync_store.enqueue(connection_id, kind)
        except Exception:  # the periodic sweep syncs it when its interval passes
            log.exception("could not queue a sync of connection %s", connection_id)

    transaction.on_commit(go)


def _queue_webhook(delivery_id: int) -> None:
    from ..tasks import process_webhook

    def go():
        try:
            process_webhook.enqueue(delivery_id)
        except Exception:  # the sweep re-processes received rows
            log.exception("could not queue webhook %s", delivery_id)

    transaction.on_commit(go)


def _connection(connection_id: int) -> StoreConnection:
    conn = StoreConnection.objects.select_related("store").filter(pk=connection_id).first()
    if conn is None:
        raise NotFound("No such store connection")
    return conn


def sync_now(actor, connection_id: int) -> StoreConnection:
    """Queue an import of one store now (from its stored cursor)."""
    require(actor, P.DISPATCH_OPERATE)
    conn = _connection(connection_id)
    if conn.state == StoreConnection.State.DISCONNECTED:
        raise Conflict("The store is disconnected", code="disconnected")
    with transaction.atomic():
        audit.record(actor, "stores.dispatch.sync_now", conn, {"kind": SyncRun.Kind.IMPORT})
        _queue_sync(conn.pk, SyncRun.Kind.IMPORT)
    return conn


def push_stock_now(actor, connection_id: int) -> OutboxMessage:
    """Queue a push of the available stock of every mapped SKU of one store now (the
    ``store.stock`` outbox message; the worker delivers it)."""
    require(actor, P.DISPATCH_OPERATE)
    conn = _connection(connection_id)
    if conn.state != StoreConnection.State.CONNECTED:
        raise Conflict(
            "The store is not connected", code="not_connected", details={"state": conn.state}
        )
    opts = settings_of(conn)
    if not opts.push_stock:
        raise Conflict("Stock push is off in the store's settings", code="push_stock_off")
    if not opts.locations:
        raise Conflict("No warehouse is mapped to a platform location", code="no_locations")
    with transaction.atomic():
        msg = outbox.enqueue(
            "store.stock",
            {"store_id": conn.store_id, "manual": True},
            dedupe_key=f"store.stock:{conn.store_id}:manual:{uuid.uuid4().hex}",
        )
        audit.record(actor, "stores.dispatch.push_stock", conn, {"message_id": msg.pk})
    return msg


def retry_run(actor, run_id: int) -> SyncRun:
    """Queue the same kind of sync again for a failed run's store."""
    require(actor, P.DISPATCH_OPERATE)
    run = SyncRun.objects.select_related("connection").filter(pk=run_id).first()
    if run is None:
        raise NotFound("No such sync run")
    if run.status != SyncRun.Status.FAILED:
        raise Conflict("Only a failed sync run can be retried", code="not_failed")
    if run.connection.state == StoreConnection.State.DISCONNECTED:
        raise Conflict("The store is disconnected", code="disconnected")
    kind = run.kind if run.kind in (SyncRun.Kind.IMPORT, SyncRun.Kind.RECONCILE) else "reconcile"
    with transaction.atomic():
        audit.record(actor, "stores.dispatch.retry_run", run, {"kind": kind})
        _queue_sync(run.connection_id, kind)
    return run


REPLAYABLE_WEBHOOKS = (WebhookDelivery.Status.FAILED, WebhookDelivery.Status.IGNORED)


def replay_webhook(actor, delivery_id: int) -> WebhookDelivery:
    """Process a failed (or ignored) delivery again from its stored raw body."""
    require(actor, P.DISPATCH_OPERATE)
    with transaction.atomic():
        row = (
            WebhookDelivery.objects.select_for_update().defer("body").filter(pk=delivery_id).first()
        )
        if row is None:
            raise NotFound("No such webhook delivery")
        if row.status not in REPLAYABLE_WEBHOOKS:
            raise Conflict(
                "Only a failed or ignored webhook can be processed again",
                code="not_failed",
                details={"status": row.status},
            )
        previous = {"status": row.status, "error": row.error[:500]}
        WebhookDelivery.objects.filter(pk=row.pk).update(
            status=WebhookDelivery.Status.RECEIVED, error="", processed_at=None
        )
        row.status = WebhookDelivery.Status.RECEIVED
        audit.record(actor, "stores.dispatch.replay_webhook", row, previous)
        _queue_webhook(row.pk)
    return row


def replay_outbox(actor, message_id: int) -> OutboxMessage:
    """Send a dead-lettered outbox message again (``core.outbox.replay``)."""
    require(actor, P.DISPATCH_OPERATE)
    with transaction.atomic():
        msg = OutboxMessage.objects.select_for_update().filter(pk=message_id).first()
        if msg is None:
            raise NotFound("No such outbox message")
        if msg.status != OutboxMessage.Status.DEAD:
            raise Conflict(
                "Only a dead message can be replayed",
                code="not_dead",
                details={"status": msg.status},
            )
        audit.record(
            actor,
            "core.outbox.replay",
            msg,
            {"topic": msg.topic, "attempts": msg.attempts, "error": msg.last_error[:500]},
        )
        outbox.replay(msg.pk)
        msg.status = OutboxMessage.Status.PENDING
        msg.attempts = 0
        msg.next_attempt_at = timezone.now()
    return msg
