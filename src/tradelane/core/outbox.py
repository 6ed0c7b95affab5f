"""The outbox: outside effects are written as rows in the caller's transaction, then delivered.

``enqueue`` is called inside a service's ``transaction.atomic()``; after commit a delivery task
is queued. ``deliver_due`` claims due rows, calls the handler registered for the topic, and
marks them sent, or schedules a retry with exponential backoff, or after ``max_attempts``
moves them to the dead-letter state.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from .models import OutboxMessage

log = logging.getLogger(__name__)

Handler = Callable[[OutboxMessage], None]
_handlers: dict[str, Handler] = {}

LEASE = timedelta(minutes=5)
BASE_BACKOFF_S = 30
MAX_BACKOFF_S = 3600
WAIT_S = 900  # a ``Waiting`` handler without its own retry_after is asked again after this


class RetryLater(Exception):
    """A handler may raise this with ``retry_after`` seconds (e.g. from a Retry-After header)."""

    def __init__(self, message: str, retry_after: float | None = None):
        super().__init__(message)
        self.retry_after = retry_after


class Waiting(RetryLater):
    """The other side is not ready yet and says why (e.g. Shopify holds the order's
    fulfilment): the message stays pending with that reason in ``last_error`` and is tried again
    after ``retry_after`` seconds. The attempt is not counted, so a long wait never
    dead-letters it."""


class GiveUp(Exception):
    """A handler raises this when trying again cannot help (the other side refused the
    request for good): the message goes to the dead-letter state at once, to be looked at and
    replayed by a person (the dispatch center), instead of being retried for hours."""


def handler(topic: str) -> Callable[[Handler], Handler]:
    def register(fn: Handler) -> Handler:
        _handlers[topic] = fn
        return fn

    return register


def registered_topics() -> list[str]:
    return sorted(_handlers)


def enqueue(topic: str, payload: dict[str, Any], *, dedupe_key: str) -> OutboxMessage:
    """Write one outside effect; the same ``dedupe_key`` twice keeps the first row."""
    msg, created = OutboxMessage.objects.get_or_create(
        dedupe_key=dedupe_key, defaults={"topic": topic, "payload": payload}
    )
    if created:
        transaction.on_commit(_kick)
    return msg


def _kick(run_after=None) -> None:
    from .tasks import deliver_outbox

    try:
        (deliver_outbox.using(run_after=run_after) if run_after else deliver_outbox).enqueue()
    except Exception:  # the periodic sweep in the worker delivers it anyway
        log.exception("could not enqueue outbox delivery")


def backoff_seconds(attempts: int) -> int:
    return min(MAX_BACKOFF_S, BASE_BACKOFF_S * 2 ** max(0, attempts - 1))


def _claim(limit: int) -> list[OutboxMessage]:
    now = timezone.now()
    with transaction.atomic():
        qs = OutboxMessage.objects.filter(
            status=OutboxMessage.Status.PENDING, next_attempt_at__lte=now
        ).order_by("next_attempt_at", "id")
        if connection.features.has_select_for_update_skip_locked:
            qs = qs.select_for_update(skip_locked=True)
        rows = list(qs[:limit])
        if rows:
            OutboxMessage.objects.filter(pk__in=[r.pk for r in rows]).update(
                next_attempt_at=now + LEASE
            )
    return rows


def deliver_due(limit: int = 100) -> dict[str, int]:
    """Deliver what is due. Returns counts of sent, retried (waiting included) and dead rows."""
    counts = {"sent": 0, "retried": 0, "dead": 0}
    for msg in _claim(limit):
        fn = _handlers.get(msg.topic)
        attempts = msg.attempts + 1
        try:
            if fn is None:
                raise RuntimeError(f"no handler for topic {msg.topic!r}")
            fn(msg)
        except Waiting as exc:  # not a failure: wait, visibly, without using up attempts
            delay = exc.retry_after if exc.retry_after is not None else WAIT_S
            OutboxMessage.objects.filter(pk=msg.pk).update(
                last_error=f"Waiting: {exc}"[:2000],
                status=OutboxMessage.Status.PENDING,
                next_attempt_at=timezone.now() + timedelta(seconds=delay),
            )
            counts["retried"] += 1
            _kick(run_after=timezone.now() + timedelta(seconds=delay))
        except Exception as exc:  # any failure is recorded on the row, never lost
            retry_after = getattr(exc, "retry_after", None)
            delay = retry_after if retry_after is not None else backoff_seconds(attempts)
            dead = attempts >= msg.max_attempts or isinstance(exc, GiveUp)
            OutboxMessage.objects.filter(pk=msg.pk).update(
                attempts=attempts,
                last_error=f"{type(exc).__name__}: {exc}"[:2000],
                status=OutboxMessage.Status.DEAD if dead else OutboxMessage.Status.PENDING,
                next_attempt_at=timezone.now() + timedelta(seconds=delay),
            )
            counts["dead" if dead else "retried"] += 1
            if not dead:
                _kick(run_after=timezone.now() + timedelta(seconds=delay))
        else:
            OutboxMessage.objects.filter(pk=msg.pk).update(
                attempts=attempts,
                status=OutboxMessage.Status.SENT,
                sent_at=timezone.now(),
                last_error="",
            )
            counts["sent"] += 1
    return counts


def replay(message_id: int) -> None:
    """Send a dead-lettered message again (the dispatch center's replay button)."""
    OutboxMessage.objects.filter(pk=message_id).update(
        status=OutboxMessage.Status.PENDING, attempts=0, next_attempt_at=timezone.now()
    )
    transaction.on_commit(_kick)
