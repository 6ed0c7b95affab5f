"""Scheduled work that every worker runs: deliver due outbox rows and forget old
idempotency keys. Safe with many workers at once: outbox rows are claimed with a lease
(SKIP LOCKED on PostgreSQL) and pruning is idempotent. Later issues add store pulls and
reconciliation here.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from django.db import close_old_connections

log = logging.getLogger(__name__)

INTERVAL_S = 30.0

_jobs: list[tuple[str, Callable[[], object]]] = []


def every_sweep(name: str) -> Callable[[Callable[[], object]], Callable[[], object]]:
    def register(fn: Callable[[], object]) -> Callable[[], object]:
        _jobs.append((name, fn))
        return fn

    return register


@every_sweep("outbox")
def _deliver_outbox() -> object:
    from . import outbox

    return outbox.deliver_due()


@every_sweep("idempotency")
def _prune_idempotency() -> object:
    from . import idempotency

    return idempotency.prune()


def sweep() -> dict[str, object]:
    """Run every scheduled job once; one failing job does not stop the others."""
    results: dict[str, object] = {}
    for name, fn in _jobs:
        try:
            results[name] = fn()
        except Exception as exc:  # logged and retried on the next sweep
            log.exception("scheduled job %s failed", name)
            results[name] = f"failed: {type(exc).__name__}: {exc}"
    return results


def run_in_background(stop: threading.Event, interval: float = INTERVAL_S) -> threading.Thread:
    """Sweep every ``interval`` seconds in a daemon thread until ``stop`` is set."""

    def loop() -> None:
        while not stop.wait(interval):
            close_old_connections()  # this thread's own connection, like a request's
            sweep()
            close_old_connections()

    thread = threading.Thread(target=loop, name="tradelane-sweep", daemon=True)
    thread.start()
    return thread
