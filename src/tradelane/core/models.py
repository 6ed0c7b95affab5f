"""Shared kernel tables: state events, audit trail, outbox, idempotency keys, FX rates."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class StateEvent(models.Model):
    """One row per state change of any entity: who, when, from, to, why."""

    entity = models.CharField(max_length=64)  # "orders.order"
    object_id = models.BigIntegerField()
    field = models.CharField(max_length=32, default="status")
    from_state = models.CharField(max_length=32, blank=True)
    to_state = models.CharField(max_length=32)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["entity", "object_id", "created_at"])]
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.entity}#{self.object_id}: {self.from_state} -> {self.to_state}"


class AuditLog(models.Model):
    """Who changed what: one row per write made through a service."""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    action = models.CharField(max_length=64)  # "catalog.sku.update"
    entity = models.CharField(max_length=64)
    object_id = models.CharField(max_length=64, blank=True)
    changes = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [
            models.Index(fields=["entity", "object_id"]),
            models.Index(fields=["created_at"]),
        ]
        ordering = ["-created_at", "-id"]


class OutboxMessage(models.Model):
    """An outside effect, written in the same transaction as the change that caused it."""

    class Status(models.TextChoices):
        PENDING = "pending", "pending"
        SENT = "sent", "sent"
        DEAD = "dead", "dead letter"

    topic = models.CharField(max_length=64)
    payload = models.JSONField(default=dict)
    dedupe_key = models.CharField(max_length=200, unique=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    max_attempts = models.PositiveIntegerField(default=8)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["status", "next_attempt_at"])]


class IdempotencyRecord(models.Model):
    """The first answer given to a POST with an ``Idempotency-Key``, replayed for repeats."""

    scope = models.CharField(max_length=80)  # the verified principal: "user:12"
    key = models.CharField(max_length=200)
    method = models.CharField(max_length=8)
    path = models.CharField(max_length=300)
    request_hash = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)  # null = in progress
    response_body = models.BinaryField(null=True, blank=True)
    content_type = models.CharField(max_length=100, blank=True)
    # the answer held a secret (Cache-Control: no-store): it is not kept and not replayed
    withheld = models.BooleanField(default=False)
    # while in progress: who holds the key, and until when (a crashed holder's lease runs out)
    lease_token = models.CharField(max_length=32, blank=True)
    leased_until = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["scope", "key"], name="idempotency_scope_key_unique")
        ]


class FxRate(models.Model):
    """1 ``base`` = ``rate`` ``quote`` on ``date``, from ``source`` (e.g. ECB, manual)."""

    base = models.CharField(max_length=3)
    quote = models.CharField(max_length=3)
    rate = models.DecimalField(max_digits=20, decimal_places=10)
    date = models.DateField()
    source = models.CharField(max_length=32, default="manual")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["base", "quote", "date", "source"], name="fxrate_unique_per_day"
            ),
            models.CheckConstraint(condition=models.Q(rate__gt=0), name="fxrate_positive"),
        ]
        indexes = [models.Index(fields=["base", "quote", "-date"])]


class Job(models.Model):
    """Long work (bulk review, allocation, imports) run by the task worker, with progress."""

    class Status(models.TextChoices):
        QUEUED = "queued", "queued"
        RUNNING = "running", "running"
        DONE = "done", "done"
        FAILED = "failed", "failed"

    kind = models.CharField(max_length=64)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.QUEUED)
    params = models.JSONField(default=dict, blank=True)
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    result = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    @property
    def percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        return int(100 * self.done / self.total) if self.total else 0
