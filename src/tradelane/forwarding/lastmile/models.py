"""The last-mile switch (转单): which carrier and number a waybill goes on with, and how it
got them.

``LastMileAssignment`` is one assignment of a carrier and number to a waybill (by hand, from
the line's file, or bought through a carrier API); a re-assignment supersedes the current row
and keeps it, so the history stays. One current row per carrier and number (a partial unique
constraint): two waybills never share a carrier's number.

``LastMileRequest`` is one purchase of a last-mile label through a carrier account's API, run
by an outbox job: pending -> fetching -> assigned | failed (``states.REQUEST_TRANSITIONS``),
with its attempts, the last error and the label the carrier returned.

``LastMileEvent`` marks a timeline event (``WaybillEvent``) that came from the last-mile
carrier (polled or pushed), with a key that keeps the same status, time and text from being
written twice.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tradelane.logistics.models import CarrierAccount

from ..waybills.models import Waybill, WaybillEvent


class AssignmentSource(models.TextChoices):
    MANUAL = "manual", _("By hand")
    FILE = "file", _("From a file")
    API = "api", _("Carrier API")


class LastMileAssignment(models.Model):
    waybill = models.ForeignKey(Waybill, on_delete=models.CASCADE, related_name="last_mile_rows")
    carrier = models.CharField(max_length=60)
    number = models.CharField(max_length=60)
    source = models.CharField(max_length=8, choices=AssignmentSource.choices)
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip
    assigned_at = models.DateTimeField(default=timezone.now)
    superseded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["waybill", "assigned_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["carrier", "number"], condition=Q(superseded_at__isnull=True),
                name="lastmile_number_current_once",
            ),
            models.UniqueConstraint(
                fields=["waybill"], condition=Q(superseded_at__isnull=True),
                name="lastmile_one_current_per_waybill",
            ),
        ]  # fmt: skip

    def __str__(self) -> str:
        return f"{self.waybill_id}:{self.carrier}:{self.number}"

    @property
    def is_current(self) -> bool:
        return self.superseded_at is None


class RequestStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    FETCHING = "fetching", _("Fetching")
    ASSIGNED = "assigned", _("Assigned")
    FAILED = "failed", _("Failed")


class LastMileRequest(models.Model):
    waybill = models.ForeignKey(
        Waybill, on_delete=models.CASCADE, related_name="last_mile_requests"
    )
    carrier_account = models.ForeignKey(
        CarrierAccount, to_field="code", db_column="carrier_account_code",
        on_delete=models.PROTECT, related_name="+",
    )  # fmt: skip
    carrier = models.CharField(max_length=40)  # the account's carrier, as asked
    status = models.CharField(
        max_length=10, choices=RequestStatus.choices, default=RequestStatus.PENDING
    )
    idempotency_key = models.CharField(max_length=80, unique=True)
    round = models.PositiveSmallIntegerField(default=1)  # "retry now" after failed starts a new
    attempts = models.PositiveSmallIntegerField(default=0)
    max_attempts = models.PositiveSmallIntegerField()
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    last_error_code = models.CharField(max_length=60, blank=True)
    number = models.CharField(max_length=60, blank=True)
    label = models.BinaryField(blank=True, default=b"")
    label_format = models.CharField(max_length=4, blank=True)  # pdf | zpl
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["waybill"], condition=Q(status__in=["pending", "fetching"]),
                name="lastmile_one_open_request",
            ),
        ]  # fmt: skip
        indexes = [models.Index(fields=["status", "-created_at"], name="lastmile_request_status")]

    def __str__(self) -> str:
        return f"{self.waybill_id}:{self.carrier}:{self.status}"


class LastMileEvent(models.Model):
    """A timeline event that came from the last-mile carrier (``source`` last_mile)."""

    event = models.OneToOneField(WaybillEvent, on_delete=models.CASCADE, related_name="last_mile")
    waybill = models.ForeignKey(Waybill, on_delete=models.CASCADE, related_name="+")
    carrier = models.CharField(max_length=60)
    number = models.CharField(max_length=60)
    raw_code = models.CharField(max_length=60, blank=True)
    # sha256 of status, time and text: the same news polled twice is one event
    key = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["waybill", "key"], name="lastmile_event_once"),
        ]
