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
