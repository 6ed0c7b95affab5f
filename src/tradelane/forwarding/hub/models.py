"""The hub's problem parcels (问题件) and holds (扣件).

A ``ProblemParcel`` is one reason a waybill cannot go on as forecast: no forecast, a weight
difference, a channel change, an address the channel refuses, dangerous goods undeclared, a
last-mile number that never came, a customs hold, the customer's intercept, arrears. Each has
an owner, a due time and, once dealt with, an outcome (released, returned to the customer,
destroyed, re-routed) with who and when. A waybill has at most one open problem per reason
(a partial unique constraint), so two stations raising the same problem make one row.

Some reasons are holds (``HOLD_REASONS``): while one is open, the next scan refuses the parcel.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tradelane.logistics.models import Channel

from ..partners.models import CustomerAccount
from ..waybills.models import Waybill


class ProblemReason(models.TextChoices):
    NO_FORECAST = "no_forecast", _("No forecast")
    WEIGHT_DIFFERENCE = "weight_difference", _("Weight difference")
    CHANNEL_CHANGE = "channel_change", _("Channel change")
    ADDRESS = "address", _("Address")
    DANGEROUS_GOODS = "dangerous_goods", _("Prohibited or battery goods undeclared")
    LAST_MILE_FAILED = "last_mile_failed", _("Last-mile number failed")
    CUSTOMS_HOLD = "customs_hold", _("Customs hold")
    CUSTOMER_INTERCEPT = "customer_intercept", _("Customer intercept")
    ARREARS_HOLD = "arrears_hold", _("Arrears hold")
    TRACKING_EXCEPTION = "tracking_exception", _("Tracking exception")


# an open problem with one of these reasons stops the parcel at its next scan
HOLD_REASONS = frozenset({
    ProblemReason.CUSTOMS_HOLD, ProblemReason.CUSTOMER_INTERCEPT, ProblemReason.ARREARS_HOLD,
})  # fmt: skip


class ProblemOutcome(models.TextChoices):
    RELEASED = "released", _("Released")
    RETURNED = "returned", _("Returned to the customer")
    DESTROYED = "destroyed", _("Destroyed")
    REROUTED = "rerouted", _("Re-routed")


class ProblemParcel(models.Model):
    # null for a parcel that came with no forecast until customer service attaches it
    waybill = models.ForeignKey(
        Waybill, null=True, blank=True, on_delete=models.PROTECT, related_name="problems"
    )
    reason = models.CharField(max_length=20, choices=ProblemReason.choices)
    note = models.CharField(max_length=500, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip
    due_at = models.DateTimeField()
    outcome = models.CharField(max_length=10, choices=ProblemOutcome.choices, blank=True)
    outcome_note = models.CharField(max_length=500, blank=True)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip
    opened_at = models.DateTimeField(default=timezone.now)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["due_at", "id"]
        permissions = [("handle_problemparcel", "Can work the problem queue and holds")]
        constraints = [
            models.UniqueConstraint(
                fields=["waybill", "reason"], condition=Q(resolved_at__isnull=True),
                name="problem_one_open_per_reason",
            ),
            models.CheckConstraint(
                condition=Q(resolved_at__isnull=True, outcome="")
                | (Q(resolved_at__isnull=False) & ~Q(outcome="")),
                name="problem_resolved_has_outcome",
            ),
        ]  # fmt: skip
        indexes = [models.Index(fields=["resolved_at", "due_at"], name="problem_open_due")]

    def __str__(self) -> str:
        return f"{self.waybill_id}:{self.reason}"

    @property
    def is_open(self) -> bool:
        return self.resolved_at is None

    @property
    def is_hold(self) -> bool:
        return self.reason in HOLD_REASONS


# --- inbound (入库): the pieces as measured, every scan, parcels without a forecast ----------


class WeighedAtStation(models.Model):
    """What a station's scan records of a carton it weighed and measured: where, the weight
    and sides, who and when (abstract: the columns stay in each table)."""

    station = models.CharField(max_length=40)
    weight_g = models.PositiveIntegerField()
    length_mm = models.PositiveIntegerField(default=0)
    width_mm = models.PositiveIntegerField(default=0)
    height_mm = models.PositiveIntegerField(default=0)
    scanned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip
    scanned_at = models.DateTimeField(default=timezone.now)

    class Meta:
        abstract = True


class InboundPiece(WeighedAtStation):
    """One carton of a waybill as the hub weighed and measured it, with where, who and when.
    One row per piece: the second scan of a piece finds it and says "already in"."""

    waybill = models.ForeignKey(Waybill, on_delete=models.CASCADE, related_name="inbound_pieces")
    seq = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["waybill", "seq"]
        constraints = [models.UniqueConstraint(fields=["waybill", "seq"], name="inbound_piece_seq")]


class ScanResult(models.TextChoices):
    OK = "ok", _("Received")
    PROBLEM = "problem", _("Problem")
    HELD = "held", _("Held")
    UNKNOWN = "unknown", _("No forecast")
    ALREADY_IN = "already_in", _("Already in")
    PIECE_IN = "piece_in", _("Piece in")


class InboundScan(models.Model):
    """Every scan a station made and what it answered: the scan screen's list of the last
    scans of the station, and the record of who scanned what where."""

    station = models.CharField(max_length=40)
    code = models.CharField(max_length=80)
    result = models.CharField(max_length=12, choices=ScanResult.choices)
    waybill = models.ForeignKey(
        Waybill, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    number = models.CharField(max_length=40, blank=True)  # the waybill's, as answered
    piece = models.PositiveSmallIntegerField(default=0)
    weight_g = models.PositiveIntegerField(default=0)
    reason = models.CharField(max_length=20, blank=True)  # the problem or hold reason
    scanned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip
    scanned_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-scanned_at", "-id"]
        indexes = [models.Index(fields=["station", "-scanned_at"], name="inbound_scan_station")]


class UnknownParcel(WeighedAtStation):
    """无预报件: a parcel whose code matched no waybill, as it was scanned and weighed, until
    customer service attaches it to a customer (and, once there is one, to its waybill)."""

    code = models.CharField(max_length=80)
    note = models.CharField(max_length=500, blank=True)
    problem = models.OneToOneField(
        ProblemParcel, on_delete=models.PROTECT, related_name="unknown_parcel"
    )
    customer = models.ForeignKey(
        CustomerAccount, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    waybill = models.ForeignKey(
        Waybill, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    attached_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip
    attached_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-scanned_at", "-id"]
        indexes = [models.Index(fields=["code"], name="unknown_parcel_code")]

    def __str__(self) -> str:
        return self.code


class WeightTolerance(models.Model):
    """How far the chargeable weight may move from the forecast before inbound calls it a
    weight difference: a customer's own, or a channel's default (the hub's setting below
    both). The larger of ``grams`` and ``percent`` of the forecast chargeable weight."""

    customer = models.OneToOneField(
        CustomerAccount, null=True, blank=True, on_delete=models.CASCADE,
        related_name="weight_tolerance",
    )  # fmt: skip
    channel = models.OneToOneField(
        Channel, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    grams = models.PositiveIntegerField(default=0)
    percent = models.DecimalField(max_digits=5, decimal_places=2, default=0)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(customer__isnull=False, channel__isnull=True)
                | Q(customer__isnull=True, channel__isnull=False),
                name="weight_tolerance_one_owner",
            ),
            models.CheckConstraint(
                condition=Q(percent__gte=0, percent__lte=100), name="weight_tolerance_percent"
            ),
        ]  # fmt: skip
