"""Scheduled store work on every sweep (core.periodic): queue reconciliation of the stores
whose interval passed (each store in its own task: one down store never blocks another), and
re-process webhook deliveries whose task was lost."""

from __future__ import annotations

import logging

from tradelane.core.periodic import every_sweep

log = logging.getLogger(__name__)


@every_sweep("stores.reconcile")
def reconcile_due() -> dict:
    from . import sync
    from .tasks import sync_store

    queued = 0
    for pk in sync.due_connections():
        try:
            sync_store.enqueue(pk, "reconcile")
            queued += 1
        except Exception:
            log.exception("could not queue the reconciliation of connection %s", pk)
    return {"queued": queued}


@every_sweep("stores.webhooks")
def webhooks_left_behind() -> dict:
    from . import webhooks

    return {"processed": webhooks.process_pending(limit=200, older_than_s=60)}


@every_sweep("store_stock_push")
def stock_push() -> dict:
    from . import stock_push

    return stock_push.queue_changed()
