"""Follow-up work: a service names work to do once its transaction has committed.

Some changes set off more work in another app: stock arriving re-allocates the orders waiting
for it, an approved order is allocated, an allocated order is shipped. The app that causes
the change must not import the app that reacts (inventory does not know orders; orders does
not know logistics), so the reacting app registers one function under a name with
``@followup(name)`` and the cause calls ``after_commit(name, payload)`` inside its
transaction. After commit, the payload is handed to a task (``core.tasks.run_followup``),
which calls the function with the payload. Nothing runs if the transaction rolls back.

This is not a broadcast: one name has exactly one function, and the payload is plain JSON.
Functions must be idempotent (a task may run twice) and cheap to call with nothing to do.
``prepare`` (optional, registered with the function) runs in the on-commit callback, before
the task is queued: it may narrow or split the payload (``[]`` queues nothing), so work that
is switched off costs no task at all.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from django.db import transaction

log = logging.getLogger(__name__)

Payload = dict[str, Any]
Work = Callable[[Payload], object]
Prepare = Callable[[Payload], list[Payload]]
_work: dict[str, Work] = {}
_prepare: dict[str, Prepare] = {}


def followup(name: str, *, prepare: Prepare | None = None) -> Callable[[Work], Work]:
    def register(fn: Work) -> Work:
        _work[name] = fn
        if prepare is not None:
            _prepare[name] = prepare
        return fn

    return register


def registered() -> list[str]:
    return sorted(_work)


def after_commit(name: str, payload: Payload) -> None:
    """Queue ``name`` with ``payload`` once the current transaction commits."""
    transaction.on_commit(lambda: _queue(name, payload))


def _queue(name: str, payload: Payload) -> None:
    from .tasks import run_followup

    try:
        prepare = _prepare.get(name)
        for part in prepare(payload) if prepare else [payload]:
            run_followup.enqueue(name, part)
    except Exception:  # the change itself is committed; a person can still act by hand
        log.exception("could not queue follow-up %s", name)


def run(name: str, payload: Payload) -> object:
    fn = _work.get(name)
    if fn is None:
        raise LookupError(f"no follow-up registered as {name!r}")
    return fn(payload)
