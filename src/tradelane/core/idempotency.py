"""Remembered answers for ``Idempotency-Key``: claim a key, finish it, replay it, forget it.

The HTTP side (who the caller is, hashing the body) is ``tradelane.api.idempotency``; this module
keeps the records and their rules, so every entry point follows the same ones:

- A key belongs to one verified principal (``scope``), never to what a caller merely claims.
- A claim is a lease: a request that died (kill -9, a lost worker) leaves its record in
  progress, and after ``lease`` a retry may take it over and run the work again. The write it
  protects must itself be safe to repeat after a crash (its own transaction rolled back, or an
  upsert); the lease only stops a key from being stuck for a day.
- Only the lease holder may finish or release a record (``token``), so a request that outlived
  its lease cannot overwrite the answer of the retry that took over.
- A response marked ``Cache-Control: no-store`` (a new API key's secret) is never kept: its
  record remembers that the work was done, and a repeat is told so instead of being shown it.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from .models import IdempotencyRecord

KEEP = timedelta(hours=24)  # how long a key is remembered (Stripe keeps theirs 24 hours too)


def lease() -> timedelta:
    return timedelta(seconds=getattr(settings, "TRADELANE_IDEMPOTENCY_LEASE_SECONDS", 60))


@dataclass(frozen=True)
class Claimed:
    """This caller holds the key: run the work, then ``finish`` or ``release``."""

    pk: int
    token: str


@dataclass(frozen=True)
class Replay:
    status_code: int
    body: bytes
    content_type: str


@dataclass(frozen=True)
class Refused:
    """The key cannot be used now: answer ``status`` with ``code`` and ``message``."""

    status: int
    code: str
    message: str


REUSED = Refused(
    422, "idempotency_key_reused", "This Idempotency-Key was used with another request body"
)
IN_PROGRESS = Refused(
    409,
    "idempotency_in_progress",
    "A request with this Idempotency-Key is still being processed; retry later",
)
WITHHELD = Refused(
    409,
    "idempotency_response_withheld",
    "A request with this Idempotency-Key was already carried out; its answer held a secret "
    "that is shown only once and is not replayed",
)


def claim(
    scope: str, key: str, *, method: str, path: str, request_hash: str
) -> Claimed | Replay | Refused:
    """Take ``key`` for ``scope``, or say what a repeat gets."""
    now = timezone.now()
    token = secrets.token_hex(16)
    try:
        with transaction.atomic():
            record = IdempotencyRecord.objects.create(
                scope=scope,
                key=key,
                method=method,
                path=path,
                request_hash=request_hash,
                lease_token=token,
                leased_until=now + lease(),
            )
        return Claimed(record.pk, token)
    except IntegrityError:
        pass
    existing = IdempotencyRecord.objects.filter(scope=scope, key=key).first()
    if existing is None:  # released meanwhile (the first answer was a 5xx): try once more
        return claim(scope, key, method=method, path=path, request_hash=request_hash)
    if existing.request_hash != request_hash:
        return REUSED
    if existing.status_code is None:
        if existing.leased_until is not None and existing.leased_until > now:
            return IN_PROGRESS
        # The holder's lease ran out (it crashed or hangs): take it over, one retry only.
        taken = IdempotencyRecord.objects.filter(
            pk=existing.pk, status_code=None, lease_token=existing.lease_token
        ).update(lease_token=token, leased_until=now + lease())
        return Claimed(existing.pk, token) if taken else IN_PROGRESS
    if existing.withheld:
        return WITHHELD
    return Replay(
        existing.status_code,
        bytes(existing.response_body or b""),
        existing.content_type or "application/json",
    )


def finish(
    claimed: Claimed, *, status_code: int, body: bytes, content_type: str, withhold: bool
) -> bool:
    """Remember the answer (or, with ``withhold``, only that there was one)."""
    return bool(
        IdempotencyRecord.objects.filter(
            pk=claimed.pk, lease_token=claimed.token, status_code=None
        ).update(
            status_code=status_code,
            response_body=None if withhold else body,
            content_type=content_type,
            withheld=withhold,
            leased_until=None,
        )
    )


def release(claimed: Claimed) -> None:
    """Forget the claim (the answer is not to be remembered: a 5xx, a refused login)."""
    IdempotencyRecord.objects.filter(
        pk=claimed.pk, lease_token=claimed.token, status_code=None
    ).delete()


def prune(older_than: timedelta = KEEP) -> int:
    """Forget keys older than ``older_than``; run by the worker's periodic sweep."""
    deleted, _ = IdempotencyRecord.objects.filter(
        created_at__lt=timezone.now() - older_than
    ).delete()
    return deleted
