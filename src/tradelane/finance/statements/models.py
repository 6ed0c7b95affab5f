"""Statements (对账单) of a customer's receivable fee lines per settlement cycle, the disputes
a customer opens on them, and the receipts that pay them.

A ``Statement`` is a draft until issued; issuing freezes it: its ``StatementLine`` rows (one
per fee line, in the statement's currency, the conversion kept) are never changed again, the
fee lines are marked (``fees.services.mark_on_statement``) and one ledger charge of the total
is posted. A fee line posted later (a re-rating's delta) is on no statement yet, so the next
one picks it up as an adjustment. A ``Receipt`` is a ledger entry (kind receipt) and its
``ReceiptAllocation`` rows to statements; what is not allocated stays as the customer's credit.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from tradelane.forwarding.partners.models import CustomerAccount
from tradelane.forwarding.waybills.models import Waybill

from ..fees.models import FeeItem
from ..fx.models import ConvertedFrom
from ..ledgers.models import LEDGER_MONEY, LedgerEntry


class StatementStatus(models.TextChoices):
    DRAFT = "draft", "draft"
    ISSUED = "issued", "issued"
    CONFIRMED = "confirmed", "confirmed"
    DISPUTED = "disputed", "disputed"
    SETTLED = "settled", "settled"


class Statement(models.Model):
    number = models.CharField(max_length=40, unique=True)
    customer = models.ForeignKey(
        CustomerAccount, on_delete=models.PROTECT, related_name="statements"
    )
    currency = models.CharField(max_length=3)
    cycle = models.CharField(max_length=14)  # the settlement mode that cut the period
    period_start = models.DateField()
    period_end = models.DateField()  # inclusive
    status = models.CharField(
        max_length=10, choices=StatementStatus.choices, default=StatementStatus.DRAFT
    )
    total = models.DecimalField(**LEDGER_MONEY, default=0)
    credited = models.DecimalField(**LEDGER_MONEY, default=0)  # credit notes of disputes
    allocated = models.DecimalField(**LEDGER_MONEY, default=0)  # receipts allocated to it
    ledger_entry = models.ForeignKey(
        LedgerEntry, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    issued_at = models.DateTimeField(null=True, blank=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip
    confirmed_at = models.DateTimeField(null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip
    settled_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-period_start", "id"]
        permissions = [("manage_statement", "Can generate and issue statements, resolve disputes")]
        constraints = [
            models.UniqueConstraint(
                fields=["customer", "currency", "period_start", "period_end"],
                name="finance_statement_one_per_period",
            ),
            models.CheckConstraint(
                condition=Q(period_end__gte=models.F("period_start")),
                name="finance_statement_period_order",
            ),
            models.CheckConstraint(
                condition=Q(allocated__gte=0) & Q(credited__gte=0),
                name="finance_statement_paid_gte_0",
            ),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def due(self):
        """What is still to pay: the total less credit notes and receipts allocated."""
        return self.total - self.credited - self.allocated


class StatementLine(ConvertedFrom):
    """One fee line on one statement, in the statement's currency (a line in another
    currency keeps its original amount, the rate, its source and date)."""

    statement = models.ForeignKey(Statement, on_delete=models.CASCADE, related_name="lines")
    fee_line_id = models.PositiveBigIntegerField()
    waybill = models.ForeignKey(Waybill, on_delete=models.PROTECT, related_name="+")
    fee_item = models.ForeignKey(FeeItem, on_delete=models.PROTECT, related_name="+")
    stage = models.CharField(max_length=16)
    amount = models.DecimalField(**LEDGER_MONEY)
    # a change to a waybill billed on an earlier statement (a delta after issue)
    adjustment = models.BooleanField(default=False)
    posted_at = models.DateTimeField()

    class Meta:
        ordering = ["statement", "waybill", "id"]
        indexes = [models.Index(fields=["fee_line_id"], name="finance_stmt_line_fee_line")]


class DisputeStatus(models.TextChoices):
    OPEN = "open", "open"
    CREDITED = "credited", "credited"  # a credit note was posted
    REJECTED = "rejected", "rejected"


class StatementDispute(models.Model):
    """A customer's objection to lines of a statement: a case for finance, resolved with a
    credit note on the ledger or a rejection, with who and when."""

    statement = models.ForeignKey(Statement, on_delete=models.PROTECT, related_name="disputes")
    lines = models.ManyToManyField(StatementLine, related_name="disputes")
    reason = models.CharField(max_length=500)
    status = models.CharField(
        max_length=10, choices=DisputeStatus.choices, default=DisputeStatus.OPEN
    )
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    opened_at = models.DateTimeField(default=timezone.now)
    outcome_note = models.CharField(max_length=500, blank=True)
    credit_amount = models.DecimalField(**LEDGER_MONEY, null=True, blank=True)
    credit_entry = models.ForeignKey(
        LedgerEntry, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip
    resolved_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-opened_at", "id"]


class ReceiptMethod(models.TextChoices):
    BANK_TRANSFER = "bank_transfer", "bank transfer"
    ALIPAY = "alipay", "Alipay"
    WECHAT = "wechat", "WeChat Pay"
    CASH = "cash", "cash"
    OFFSET = "offset", "offset"


class Receipt(models.Model):
    """Money received from a customer: one ledger entry (kind receipt) in the account's
    currency; ``unallocated`` is what no statement took (the customer's credit)."""

    customer = models.ForeignKey(CustomerAccount, on_delete=models.PROTECT, related_name="+")
    currency = models.CharField(max_length=3)
    amount = models.DecimalField(**LEDGER_MONEY)
    unallocated = models.DecimalField(**LEDGER_MONEY)
    method = models.CharField(max_length=14, choices=ReceiptMethod.choices)
    reference = models.CharField(max_length=100, blank=True)
    received_on = models.DateField()
    ledger_entry = models.ForeignKey(LedgerEntry, on_delete=models.PROTECT, related_name="+")
    idempotency_key = models.CharField(max_length=100)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-received_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["customer", "idempotency_key"], name="finance_receipt_key_unique"
            ),
            models.CheckConstraint(
                condition=Q(amount__gt=0)
                & Q(unallocated__gte=0)
                & Q(unallocated__lte=models.F("amount")),
                name="finance_receipt_amounts",
            ),  # fmt: skip
        ]


class ReceiptAllocation(models.Model):
    receipt = models.ForeignKey(Receipt, on_delete=models.PROTECT, related_name="allocations")
    statement = models.ForeignKey(Statement, on_delete=models.PROTECT, related_name="allocations")
    amount = models.DecimalField(**LEDGER_MONEY)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="finance_allocation_gt_0"),
        ]
