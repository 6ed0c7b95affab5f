"""An upstream line's saved column mapping, its imported bills and their lines.

A bill is written once (all rows, or the valid ones when asked) and never re-imported: its
``digest`` (a hash of the mapped rows) is unique per upstream line. Each line keeps what the
line billed (their numbers, chargeable grams, charge, currency, fee item, date), the waybill
it matched and our figures for it (chargeable grams, payable net), the differences, and its
audit state (``states.LINE_TRANSITIONS``) with who decided, when and why.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from tradelane.forwarding.partners.models import UpstreamLine
from tradelane.forwarding.waybills.models import Waybill
from tradelane.logistics.rates.models import MONEY

from ..ledgers.models import LedgerEntry

# the ledger entries' ``source_type``: an accepted bill line, a payment to the line
LINE_SOURCE = "payables.bill_line"
PAYMENT_SOURCE = "payables.payment"


class WeightUnit(models.TextChoices):
    KG = "kg", "kg"
    G = "g", "g"


class ImportMode(models.TextChoices):
    ALL_OR_NOTHING = "all_or_nothing", "all or nothing"
    VALID_ONLY = "valid_only", "valid rows only"


class LineStatus(models.TextChoices):
    OPEN = "open", "open"
    ACCEPTED = "accepted", "accepted"
    DISPUTED = "disputed", "disputed"
    WRITTEN_OFF = "written_off", "written off"


class PayableMapping(models.Model):
    """Which of the line's column headers holds each of our fields (``reading.FIELDS``), the
    unit of its weights and the currency of a row without one: saved once, reused by every
    later bill of the line."""

    upstream_line = models.OneToOneField(UpstreamLine, on_delete=models.PROTECT, related_name="+")
    columns = models.JSONField(default=dict)  # our field -> their header
    weight_unit = models.CharField(max_length=2, choices=WeightUnit.choices, default="kg")
    default_currency = models.CharField(max_length=3, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip
    updated_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"mapping of {self.upstream_line_id}"


class UpstreamBill(models.Model):
    upstream_line = models.ForeignKey(UpstreamLine, on_delete=models.PROTECT, related_name="+")
    filename = models.CharField(max_length=200, blank=True)
    digest = models.CharField(max_length=64)  # sha256 of the mapped rows
    mode = models.CharField(max_length=16, choices=ImportMode.choices)
    row_count = models.PositiveIntegerField(default=0)  # data rows in the file
    refused_count = models.PositiveIntegerField(default=0)  # not imported (valid_only)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip
    imported_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-imported_at", "-id"]
        permissions = [("manage_upstreambill", "Can import and audit upstream bills")]
        constraints = [
            models.UniqueConstraint(
                fields=["upstream_line", "digest"], name="upstream_bill_once_per_line"
            ),
        ]

    def __str__(self) -> str:
        return f"bill {self.pk} of {self.upstream_line_id}"


class UpstreamBillLine(models.Model):
    bill = models.ForeignKey(UpstreamBill, on_delete=models.PROTECT, related_name="lines")
    row_number = models.PositiveIntegerField()
    # their numbers, as given
    waybill_number = models.CharField(max_length=60, blank=True)
    last_mile_number = models.CharField(max_length=60, blank=True)
    reference = models.CharField(max_length=60, blank=True)
    their_weight_g = models.PositiveIntegerField(null=True, blank=True)
    their_amount = models.DecimalField(**MONEY)
    currency = models.CharField(max_length=3)
    fee_item = models.CharField(max_length=60, blank=True)
    billed_on = models.DateField(null=True, blank=True)
    # the match: ``match_code`` says why there is none ("" when matched)
    waybill = models.ForeignKey(
        Waybill, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    match_code = models.CharField(max_length=40, blank=True)
    # our figures, on the waybill's first row of the bill (a waybill billed on several rows,
    # one per fee item, is compared once, on their total)
    compared = models.BooleanField(default=False)
    their_total = models.DecimalField(**MONEY, null=True, blank=True)
    our_weight_g = models.PositiveIntegerField(null=True, blank=True)
    our_amount = models.DecimalField(**MONEY, null=True, blank=True)
    weight_diff_g = models.IntegerField(null=True, blank=True)  # theirs - ours
    price_diff = models.DecimalField(**MONEY, null=True, blank=True)  # theirs - ours
    # the audit
    status = models.CharField(max_length=12, choices=LineStatus.choices, default="open")
    reason = models.CharField(max_length=300, blank=True)  # a dispute's or write-off's why
    outcome = models.CharField(max_length=300, blank=True)  # how a dispute ended
    settled_amount = models.DecimalField(**MONEY, null=True, blank=True)
    ledger_entry = models.ForeignKey(
        LedgerEntry, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip
    decided_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["bill", "row_number"]
        constraints = [
            models.UniqueConstraint(fields=["bill", "row_number"], name="upstream_bill_line_row"),
            models.CheckConstraint(
                condition=Q(status__in=LineStatus.values), name="upstream_bill_line_status"
            ),
        ]
        indexes = [models.Index(fields=["waybill"], name="upstream_bill_line_waybill")]

    def __str__(self) -> str:
        return f"row {self.row_number} of bill {self.bill_id}"

    @property
    def has_difference(self) -> bool:
        return bool(self.weight_diff_g) or bool(self.price_diff) or self.waybill_id is None
