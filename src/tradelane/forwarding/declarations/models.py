"""Customs declaration batches (报关批次), destination tax rates and DDP duty/VAT lines.

- ``CustomsBatch``: a named set of waybills the hub declares together (e.g. one departure
  date and channel); its export rows, validation report and documents are read from it. A
  waybill is in at most one batch (``customs_batch_one_per_waybill``).
- ``DestinationTaxRate``: dated VAT and duty rates per destination (a country, or EU for the
  union), configuration beside the kernel's ``CustomsThreshold``.
- ``WaybillDutyLine``: the duty and the VAT a DDP waybill carries (finance bills them), with
  the base, rate, rule and date used; ``duties.refresh_duty_lines`` writes them.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tradelane.logistics.models import MONEY, Channel

from ..waybills.models import Waybill

RATE = {"max_digits": 7, "decimal_places": 4}  # 0.2000 is 20 %


class CustomsBatchStatus(models.TextChoices):
    OPEN = "open", _("Open")
    DECLARED = "declared", _("Declared")
    CLEARED = "cleared", _("Cleared")


class CustomsBatch(models.Model):
    number = models.CharField(max_length=40, unique=True)
    name = models.CharField(max_length=200, blank=True)
    channel = models.ForeignKey(
        Channel, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    destination = models.CharField(max_length=2, blank=True)  # blank: several
    departure_date = models.DateField(null=True, blank=True)
    status = models.CharField(
        max_length=10, choices=CustomsBatchStatus.choices, default=CustomsBatchStatus.OPEN
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-id"]
        permissions = [("declare_customs", "Can make customs batches, hold and clear parcels")]

    def __str__(self) -> str:
        return self.number


class CustomsBatchWaybill(models.Model):
    batch = models.ForeignKey(CustomsBatch, on_delete=models.CASCADE, related_name="entries")
    waybill = models.ForeignKey(Waybill, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["batch", "id"]
        constraints = [
            models.UniqueConstraint(fields=["waybill"], name="customs_batch_one_per_waybill"),
        ]


class TaxKind(models.TextChoices):
    DUTY = "duty", _("Duty")
    VAT = "vat", _("VAT")


class DestinationTaxRate(models.Model):
    """A dated ad valorem rate: ``rate`` 0.2000 is 20 % of the base."""

    destination = models.CharField(max_length=2)
    kind = models.CharField(max_length=4, choices=TaxKind.choices)
    rate = models.DecimalField(**RATE)
    effective_from = models.DateField()
    effective_to = models.DateField(null=True, blank=True)
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["destination", "kind", "-effective_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["destination", "kind", "effective_from"], name="tax_rate_unique_from"
            ),
        ]


class WaybillDutyLine(models.Model):
    waybill = models.ForeignKey(Waybill, on_delete=models.CASCADE, related_name="duty_lines")
    kind = models.CharField(max_length=4, choices=TaxKind.choices)
    base_amount = models.DecimalField(**MONEY)
    base_currency = models.CharField(max_length=3)
    rate = models.DecimalField(**RATE, null=True, blank=True)  # None: a flat amount
    amount = models.DecimalField(**MONEY)
    currency = models.CharField(max_length=3)
    rule = models.CharField(max_length=60)  # e.g. "ioss:EU:2021-07-01", "vat:DE:2007-01-01"
    on_date = models.DateField()  # the date the thresholds and rates were read for
    basis = models.CharField(max_length=80)  # country|value|currency it was computed from
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["waybill", "kind", "id"]
        constraints = [
            models.UniqueConstraint(fields=["waybill", "kind"], name="duty_line_one_per_kind"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="duty_line_amount_gte_0"),
        ]
