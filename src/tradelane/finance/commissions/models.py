"""Commission agreements, their tiers, the statements of a period and their lines.

An agreement pays a beneficiary (a downstream ``Agent`` or a salesperson, a user) on the
waybills of the customers it brought or is bound to:

- ``basis``: a percentage of each waybill's margin (receivable net - payable net), a
  percentage of its revenue (receivable net), an amount per waybill, or an amount per
  chargeable kg;
- ``tier_measure``: none (``rate`` applies), or tiers by the month's volume of the waybills
  the agreement covers (waybills, chargeable kg or revenue). Stage performance (阶梯/阶段):
  the tier reached by the month's total applies to every waybill of that month (not
  progressively): tiers from 0 at 2.00 and from 1001 at 3.00, a month of 1,200 waybills earns
  1,200 x 3.00;
- ``channel``: an agreement for one channel wins over the beneficiary's general one;
- ``valid_from``/``valid_to``: the waybill's date (its creation day) picks the agreement.

A ``CommissionStatement`` is one beneficiary's period (a month) in sequence: the first run
writes sequence 1; a draft is replaced by a re-run; a confirmed or settled statement is never
changed: a later re-run writes the differences as delta lines in a new draft statement.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from tradelane.forwarding.partners.models import Agent
from tradelane.forwarding.waybills.models import Waybill
from tradelane.logistics.rates.models import Channel

from ..ledgers.models import LEDGER_MONEY, LedgerEntry

RATE = dict(max_digits=12, decimal_places=4)
VOLUME = dict(max_digits=18, decimal_places=4)


class Beneficiary(models.TextChoices):
    AGENT = "agent", "agent"
    SALESPERSON = "salesperson", "salesperson"


class Basis(models.TextChoices):
    MARGIN_PCT = "margin_pct", "percentage of margin"
    REVENUE_PCT = "revenue_pct", "percentage of revenue"
    PER_WAYBILL = "per_waybill", "amount per waybill"
    PER_KG = "per_kg", "amount per chargeable kg"


class TierMeasure(models.TextChoices):
    NONE = "none", "no tiers"
    WAYBILLS = "waybills", "waybills in the month"
    KG = "kg", "chargeable kg in the month"
    REVENUE = "revenue", "revenue in the month"


class StatementStatus(models.TextChoices):
    DRAFT = "draft", "draft"
    CONFIRMED = "confirmed", "confirmed"
    SETTLED = "settled", "settled"


def _one_beneficiary(prefix: str = "") -> Q:
    return Q(beneficiary=Beneficiary.AGENT, agent__isnull=False, salesperson__isnull=True) | Q(
        beneficiary=Beneficiary.SALESPERSON, agent__isnull=True, salesperson__isnull=False
    )


class CommissionAgreement(models.Model):
    beneficiary = models.CharField(max_length=12, choices=Beneficiary.choices)
    agent = models.ForeignKey(
        Agent, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    salesperson = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip
    channel = models.ForeignKey(
        Channel, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    basis = models.CharField(max_length=12, choices=Basis.choices)
    tier_measure = models.CharField(
        max_length=10, choices=TierMeasure.choices, default=TierMeasure.NONE
    )
    # percentage (12.5 = 12.5 %) or an amount in ``currency``; with tiers, the tiers' rates
    rate = models.DecimalField(**RATE, default=0)
    currency = models.CharField(max_length=3, default="CNY")
    valid_from = models.DateField()
    valid_to = models.DateField(null=True, blank=True)  # inclusive; None: open-ended
    note = models.CharField(max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["beneficiary", "agent_id", "salesperson_id", "channel_id", "valid_from"]
        permissions = [("manage_commission", "Can manage and settle commissions")]
        constraints = [
            models.CheckConstraint(condition=_one_beneficiary(), name="commission_one_beneficiary"),
            models.CheckConstraint(condition=Q(rate__gte=0), name="commission_rate_gte_0"),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=models.F("valid_from")),
                name="commission_valid_range",
            ),
        ]

    def __str__(self) -> str:
        who = self.agent or self.salesperson
        return f"{self.beneficiary} {who} {self.basis} {self.rate}"


class CommissionTier(models.Model):
    """From ``min_volume`` (inclusive) up to the next tier, ``rate`` applies to the month."""

    agreement = models.ForeignKey(CommissionAgreement, on_delete=models.CASCADE,
                                  related_name="tiers")  # fmt: skip
    min_volume = models.DecimalField(**VOLUME)
    rate = models.DecimalField(**RATE)

    class Meta:
        ordering = ["agreement_id", "min_volume"]
        constraints = [
            models.UniqueConstraint(
                fields=["agreement", "min_volume"], name="commission_tier_unique"
            ),
            models.CheckConstraint(
                condition=Q(min_volume__gte=0) & Q(rate__gte=0), name="commission_tier_gte_0"
            ),  # fmt: skip
        ]


class CommissionStatement(models.Model):
    beneficiary = models.CharField(max_length=12, choices=Beneficiary.choices)
    agent = models.ForeignKey(
        Agent, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    salesperson = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip
    period = models.DateField()  # the first day of the month
    sequence = models.PositiveSmallIntegerField(default=1)  # 2, 3...: deltas after confirming
    status = models.CharField(
        max_length=10, choices=StatementStatus.choices, default=StatementStatus.DRAFT
    )
    currency = models.CharField(max_length=3)
    total = models.DecimalField(**LEDGER_MONEY, default=0)
    waybill_count = models.PositiveIntegerField(default=0)
    computed_at = models.DateTimeField(default=timezone.now)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    settled_at = models.DateTimeField(null=True, blank=True)
    settled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip
    # an agent's settled statement: the credit on the agent's ledger account
    ledger_entry = models.ForeignKey(
        LedgerEntry, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-period", "beneficiary", "agent_id", "salesperson_id", "sequence"]
        constraints = [
            models.CheckConstraint(condition=_one_beneficiary(), name="commission_stmt_one_owner"),
            models.UniqueConstraint(
                fields=["agent", "period", "sequence"],
                condition=Q(agent__isnull=False),
                name="commission_stmt_agent_seq",
            ),  # fmt: skip
            models.UniqueConstraint(
                fields=["salesperson", "period", "sequence"],
                condition=Q(salesperson__isnull=False),
                name="commission_stmt_sales_seq",
            ),  # fmt: skip
        ]

    def __str__(self) -> str:
        return f"{self.beneficiary} {self.agent or self.salesperson} {self.period:%Y-%m}"

    @property
    def label(self) -> str:
        seq = f"-{self.sequence}" if self.sequence > 1 else ""
        return f"{self.period:%Y-%m}{seq}"


class CommissionLine(models.Model):
    """One waybill's commission on one statement, with its basis: the agreement, the base
    (margin, revenue, kg or 1 waybill), the month's volume, the tier and rate applied."""

    statement = models.ForeignKey(CommissionStatement, on_delete=models.CASCADE,
                                  related_name="lines")  # fmt: skip
    waybill = models.ForeignKey(Waybill, on_delete=models.PROTECT, related_name="+")
    agreement = models.ForeignKey(CommissionAgreement, null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="+")  # fmt: skip
    basis = models.CharField(max_length=12, choices=Basis.choices, blank=True)
    base = models.DecimalField(**VOLUME, default=0)  # margin/revenue in currency, kg, or 1
    volume = models.DecimalField(**VOLUME, default=0)  # the month's volume (tiers)
    tier_min = models.DecimalField(**VOLUME, null=True, blank=True)
    rate = models.DecimalField(**RATE, default=0)
    amount = models.DecimalField(**LEDGER_MONEY)  # this line; a delta line: the difference
    currency = models.CharField(max_length=3)
    is_delta = models.BooleanField(default=False)
    note = models.CharField(max_length=100, blank=True)  # e.g. "negative_margin"

    class Meta:
        ordering = ["statement_id", "waybill_id"]
        constraints = [
            models.UniqueConstraint(fields=["statement", "waybill"], name="commission_line_unique"),
        ]
        indexes = [models.Index(fields=["waybill"], name="commission_line_waybill")]
