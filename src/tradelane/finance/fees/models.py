"""The fee catalogue and each waybill's fee lines.

A ``WaybillFeeLine`` is one amount of one fee item on one side of one waybill: receivable
(billed to the customer, from its sale sheet) or payable (owed to the upstream line, from the
channel's cost sheet). Lines are append-only: a price that changes posts a delta line
(+24.80), never an overwrite, so the net of a (side, item, currency) is the sum of its lines
and a line once on an issued statement (``statement_id`` set) is as it was when issued. The
one change a line ever takes is that mark, once (``services.mark_on_statement``).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from tradelane.forwarding.models import Waybill
from tradelane.logistics.rates.models import MONEY


class FeeSide(models.TextChoices):
    RECEIVABLE = "receivable", "receivable"  # 应收: the customer pays it
    PAYABLE = "payable", "payable"  # 应付: the provider pays the upstream line


class FeeStage(models.TextChoices):
    """What posted a line: the forecast's price, the hub's measured weight, a fuel rate of a
    later date, a channel change, or a person (with a reason)."""

    ESTIMATED = "estimated", "estimated"
    ACTUAL = "actual", "actual"
    FUEL = "fuel", "fuel change"
    CHANNEL_CHANGE = "channel_change", "channel change"
    MANUAL = "manual", "manual"


class FeeItem(models.Model):
    """费用项: one kind of fee, from ``catalogue.FEE_ITEMS`` (seeded after every migrate)."""

    code = models.CharField(max_length=30, primary_key=True)
    name_zh = models.CharField(max_length=60)
    name_en = models.CharField(max_length=60)
    receivable = models.BooleanField(default=True)
    payable = models.BooleanField(default=True)
    taxable = models.BooleanField(default=False)
    sort_order = models.PositiveSmallIntegerField(default=0)

    # reference data written after every migrate: the demo's reset keeps it
    set_up_by_migrate = True

    class Meta:
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return self.code


class AppendOnly(Exception):
    """A fee line was about to be changed or deleted."""


class FeeLineQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnly("Fee lines are append-only: post a delta line instead")

    def delete(self):
        raise AppendOnly("Fee lines are append-only: post a delta line instead")

    def mark_on_statement(self, statement_id: int) -> int:
        """The one update a line takes: onto a statement, once (``services.mark_on_statement``
        checks and records it). Lines already on one are left as they are."""
        unmarked = self.filter(statement_id__isnull=True)
        return models.QuerySet.update(unmarked, statement_id=statement_id)


class WaybillFeeLine(models.Model):
    waybill = models.ForeignKey(Waybill, on_delete=models.PROTECT, related_name="fee_lines")
    fee_item = models.ForeignKey(FeeItem, on_delete=models.PROTECT, related_name="+")
    side = models.CharField(max_length=10, choices=FeeSide.choices)
    amount = models.DecimalField(**MONEY)  # this line's change: + charged, - taken back
    currency = models.CharField(max_length=3)
    stage = models.CharField(max_length=16, choices=FeeStage.choices)
    # the basis: the chargeable weight, channel, sheet and zone that priced it
    chargeable_g = models.PositiveIntegerField(default=0)
    channel_code = models.CharField(max_length=40, blank=True)
    sheet_id = models.PositiveBigIntegerField(null=True, blank=True)
    zone = models.CharField(max_length=40, blank=True)
    basis = models.JSONField(default=dict, blank=True)  # sheet label, level, date, charge codes
    reason = models.CharField(max_length=300, blank=True)  # required for a manual line
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    # set once by the statements part when the line is issued; a placeholder id until then
    statement_id = models.PositiveBigIntegerField(null=True, blank=True)

    objects = FeeLineQuerySet.as_manager()

    class Meta:
        ordering = ["waybill", "id"]
        permissions = [("adjust_waybillfeeline", "Can add manual fee lines to waybills")]
        constraints = [
            models.CheckConstraint(condition=~Q(amount=0), name="fee_line_amount_not_zero"),
            models.CheckConstraint(
                condition=Q(side__in=FeeSide.values), name="fee_line_side_valid"
            ),
            models.CheckConstraint(
                condition=Q(stage__in=FeeStage.values), name="fee_line_stage_valid"
            ),
            models.CheckConstraint(
                condition=~Q(stage=FeeStage.MANUAL) | ~Q(reason=""),
                name="fee_line_manual_has_reason",
            ),
        ]
        indexes = [
            models.Index(fields=["waybill", "side", "fee_item"], name="fee_line_waybill_item"),
            models.Index(fields=["statement_id"], name="fee_line_statement"),
        ]

    def __str__(self) -> str:
        return f"{self.waybill_id} {self.side} {self.fee_item_id} {self.amount} {self.currency}"

    def save(self, *args, **kwargs):
        # data integrity, not workflow: a line is written once and never changed
        if not self._state.adding:
            raise AppendOnly("Fee lines are append-only: post a delta line instead")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnly("Fee lines are append-only: post a delta line instead")
