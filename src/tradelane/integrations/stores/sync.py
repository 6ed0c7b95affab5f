"""Pulling orders from a platform: import (from the stored cursor) and reconcile (from the
cursor minus an overlap). Every page is applied and its cursor committed before the next
one is fetched, so a failure resumes from the last committed page; a store that is down
records a failed ``SyncRun`` and never stops the others."""

from __future__ import annotations

import logging
from datetime import timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from tradelane.core import audit
from tradelane.orders.platform import apply_platform_orders

from .contract import ConnectorError, connector_for
from .models import StoreConnection, SyncRun
from .settings_schema import settings_of
from .system import system_actor

log = logging.getLogger(__name__)

LEASE = timedelta(minutes=30)


def _claim(connection_id: int) -> bool:
    """One sync per connection at a time: a lease taken with one conditional UPDATE (atomic
    on SQLite and PostgreSQL alike), so a crashed worker does not block the store for long."""
    now = timezone.now()
    free = Q(sync_lease_until__isnull=True) | Q(sync_lease_until__lt=now)
    return bool(
        StoreConnection.objects.filter(free, pk=connection_id).update(sync_lease_until=now + LEASE)
    )


def sync(connection: StoreConnection, kind: str = SyncRun.Kind.IMPORT, *, connector=None):
    """Run one import or reconcile of ``connection``; returns the ``SyncRun`` (or None when
    another sync of this connection is running). Never raises for platform failures."""
    if connection.state == StoreConnection.State.DISCONNECTED:
        return None
    if not _claim(connection.pk):
        return None
    opts = settings_of(connection)
    actor = system_actor()
    stored = connection.cursor or ""
    run = SyncRun.objects.create(connection=connection, kind=kind, cursor_before=stored)
    try:
        connector = connector or connector_for(connection)
        since = stored or None
        if kind == SyncRun.Kind.RECONCILE:
            since = connector.cursor_minus(since, opts.reconcile_overlap_minutes * 60)
        for page in connector.fetch_orders(since):
            report = apply_platform_orders(
                actor,
                connection.store,
                page.orders,
                source=connection.platform,
                import_statuses=opts.import_statuses,
                platform_warehouse=opts.platform_warehouse,
            )
            run.fetched += len(page.orders)
            run.created += report.created
            run.updated += report.updated
            run.unchanged += report.unchanged + report.stale + report.filtered
            run.rejected += report.rejected
            cursor = max(stored, page.cursor or "")
            run.cursor_after = cursor
            with transaction.atomic():  # commit the page's cursor: resume from here
                StoreConnection.objects.filter(pk=connection.pk).update(
                    cursor=cursor, last_sync_at=timezone.now()
                )
                run.save(update_fields=["fetched", "created", "updated", "unchanged", "rejected",
                                        "cursor_after"])  # fmt: skip
            stored = cursor
    except (ConnectorError, OSError) as exc:
        return _finish(connection, run, f"{type(exc).__name__}: {exc}")
    except Exception as exc:  # a bug must not stop the other stores either
        log.exception("sync of %s failed", connection)
        return _finish(connection, run, f"{type(exc).__name__}: {exc}")
    return _finish(connection, run, "")


def _finish(connection: StoreConnection, run: SyncRun, error: str) -> SyncRun:
    now = timezone.now()
    run.status = SyncRun.Status.FAILED if error else SyncRun.Status.SUCCEEDED
    run.error = error[:4000]
    run.finished_at = now
    with transaction.atomic():
        run.save(update_fields=["status", "error", "finished_at"])
        StoreConnection.objects.filter(pk=connection.pk).update(sync_lease_until=None)
        values = {"last_error": error[:4000], "updated_at": now}
        if connection.state != StoreConnection.State.DISCONNECTED:
            values["state"] = (
                StoreConnection.State.ERROR if error else StoreConnection.State.CONNECTED
            )
        if not error:
            values["last_sync_at"] = now
        StoreConnection.objects.filter(pk=connection.pk).exclude(
            state=StoreConnection.State.DISCONNECTED
        ).update(**values)
        if run.created or run.updated or error:
            audit.record(
                None,
                f"stores.sync.{run.kind}",
                run,
                {"created": run.created, "updated": run.updated, "error": error[:500]},
            )
    return run


def due_connections() -> list[int]:
    """Connected stores whose sync interval has passed (or never synced)."""
    now = timezone.now()
    out = []
    for pk, last, opts in StoreConnection.objects.exclude(
        state=StoreConnection.State.DISCONNECTED
    ).values_list("id", "last_sync_at", "settings"):
        minutes = int((opts or {}).get("sync_interval_minutes") or 15)
        if last is None or last <= now - timedelta(minutes=minutes):
            out.append(pk)
    return out
