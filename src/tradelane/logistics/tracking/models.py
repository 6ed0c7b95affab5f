"""Tracking events, the exception queue and raw inbound tracking webhooks."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from ..rates.models import value_choices
from ..shipping.models import Shipment
from ..tracking import codes as tracking_codes


class TrackingEvent(models.Model):
    """One carrier event, normalized (``status``) with the carrier's own code and text kept."""

    shipment = models.ForeignKey(Shipment, on_delete=models.CASCADE, related_name="events")
    tracking_number = models.CharField(max_length=64)
    occurred_at = models.DateTimeField()
    status = models.CharField(max_length=24, choices=value_choices(tracking_codes.STATUSES))
    raw_code = models.CharField(max_length=64, blank=True)
    raw_text = models.CharField(max_length=500, blank=True)
    city = models.CharField(max_length=100, blank=True)
    country = models.CharField(max_length=2, blank=True)
    location = models.CharField(max_length=200, blank=True)
    source = models.CharField(max_length=12, default="poll")  # poll, webhook, manual, system
    fingerprint = models.CharField(max_length=64)  # of (number, time, raw code, text)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["shipment", "occurred_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["shipment", "fingerprint"], name="tracking_event_unique"
            ),
        ]
        indexes = [models.Index(fields=["shipment", "occurred_at"])]


class TrackingException(models.Model):
    """The logistics team's exception queue: delivery failed, returned, no news for N days..."""

    class Status(models.TextChoices):
        OPEN = "open", "open"
        RESOLVED = "resolved", "resolved"

    shipment = models.ForeignKey(Shipment, on_delete=models.CASCADE, related_name="exceptions")
    kind = models.CharField(max_length=24, choices=value_choices(tracking_codes.STATUSES))
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    detail = models.CharField(max_length=500, blank=True)
    opened_at = models.DateTimeField(default=timezone.now)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    resolution = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-opened_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["shipment", "kind"],
                condition=Q(status="open"),
                name="tracking_exception_one_open",
            ),
        ]


class InboundTracking(models.Model):
    """A carrier's tracking webhook, stored raw before anything else, deduplicated by the
    carrier's delivery id (or a digest of the body when it sends none)."""

    class Status(models.TextChoices):
        RECEIVED = "received", "received"
        PROCESSED = "processed", "processed"
        IGNORED = "ignored", "ignored"
        FAILED = "failed", "failed"

    source = models.CharField(max_length=40)  # carrier account code
    delivery_id = models.CharField(max_length=128)
    headers = models.JSONField(default=dict, blank=True)
    body = models.BinaryField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.RECEIVED)
    error = models.TextField(blank=True)
    received_at = models.DateTimeField(default=timezone.now)
    processed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["source", "delivery_id"], name="inbound_tracking_once"),
        ]
