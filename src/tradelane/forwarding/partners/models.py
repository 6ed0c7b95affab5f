"""The provider's partners: customer levels, customer accounts, downstream agents (同行/分销),
upstream lines (上游/代理: the carriers and forwarders it buys from), and portal memberships.

Two kinds of "agent" exist in the trade (DOMAIN.md): the downstream agent who brings customers
and earns a commission is ``Agent``; the upstream line the provider pays is ``UpstreamLine``.
Money terms are stored here (credit limit, commission); the money itself is the finance app's.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from tradelane.logistics.models import MONEY, Channel


class PartnerStatus(models.TextChoices):
    ACTIVE = "active", "active"
    SUSPENDED = "suspended", "suspended"


class SettlementMode(models.TextChoices):
    PER_WAYBILL = "per_waybill", "per waybill"
    WEEKLY = "weekly", "weekly"
    HALF_MONTHLY = "half_monthly", "half-monthly"
    MONTHLY = "monthly", "monthly"


class PaymentTerms(models.TextChoices):
    PREPAID = "prepaid", "prepaid"
    CREDIT = "credit", "credit"


class CommissionMode(models.TextChoices):
    PER_WAYBILL = "per_waybill", "per waybill"
    PER_KG = "per_kg", "per kg"
    MARGIN_SHARE = "margin_share", "share of margin"


def customer_sheet_level(customer_code: str) -> str:
    """The ``RateSheet.customer_level`` of a customer's own sale sheet: it is looked up before
    the customer's level's sheet, which comes before the standard sale sheet."""
    return f"customer:{customer_code}"


class CustomerLevel(models.Model):
    """等级: decides the sale sheet a customer is priced with (``RateSheet.customer_level`` =
    ``code``) and the channels open to its customers."""

    code = models.CharField(max_length=30, unique=True)
    name = models.CharField(max_length=100)
    channels = models.ManyToManyField(Channel, blank=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class TradePartner(models.Model):
    """What an agent and an upstream line both have: a code, a name, a contact, a currency
    and a status (distinct models all the same: one brings customers, the other is paid)."""

    code = models.CharField(max_length=30, unique=True)
    name = models.CharField(max_length=200)
    contact_name = models.CharField(max_length=100, blank=True)
    email = models.CharField(max_length=254, blank=True)
    phone = models.CharField(max_length=40, blank=True)
    currency = models.CharField(max_length=3, default="CNY")
    status = models.CharField(
        max_length=10, choices=PartnerStatus.choices, default=PartnerStatus.ACTIVE
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        abstract = True
        ordering = ["code"]


class Agent(TradePartner):
    """A downstream agent (同行/分销) who brings customers and earns a commission on them."""

    country = models.CharField(max_length=2, default="CN")
    commission_mode = models.CharField(
        max_length=16, choices=CommissionMode.choices, default=CommissionMode.PER_WAYBILL
    )
    # per waybill: an amount; per kg: an amount per chargeable kg; margin share: a percentage
    commission_rate = models.DecimalField(**MONEY, default=0)

    class Meta(TradePartner.Meta):
        constraints = [
            models.CheckConstraint(condition=Q(commission_rate__gte=0), name="agent_rate_gte_0")
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class UpstreamLine(TradePartner):
    """An upstream line (上游, itdida's 代理): a carrier or forwarder the provider buys from and
    pays; its channels' cost sheets are what it charges."""

    class Kind(models.TextChoices):
        CARRIER = "carrier", "carrier"
        FORWARDER = "forwarder", "forwarder"
        POSTAL = "postal", "postal operator"

    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.FORWARDER)
    channels = models.ManyToManyField(Channel, blank=True, related_name="upstream_lines")

    class Meta(TradePartner.Meta):
        pass

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class CustomerAccount(models.Model):
    """客户: a seller who ships through the provider."""

    code = models.CharField(max_length=30, unique=True)
    company = models.CharField(max_length=200)
    contact_name = models.CharField(max_length=100, blank=True)
    email = models.CharField(max_length=254, blank=True)
    phone = models.CharField(max_length=40, blank=True)
    country = models.CharField(max_length=2, default="CN")
    currency = models.CharField(max_length=3, default="CNY")
    level = models.ForeignKey(CustomerLevel, on_delete=models.PROTECT, related_name="customers")
    salesperson = models.ForeignKey(  # 业务员
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="sales_customers",
    )
    agent = models.ForeignKey(
        Agent, null=True, blank=True, on_delete=models.PROTECT, related_name="customers"
    )
    settlement_mode = models.CharField(
        max_length=14, choices=SettlementMode.choices, default=SettlementMode.PER_WAYBILL
    )
    payment_terms = models.CharField(
        max_length=8, choices=PaymentTerms.choices, default=PaymentTerms.PREPAID
    )
    credit_limit = models.DecimalField(**MONEY, null=True, blank=True)
    # channels beyond those of the level; ``channels_restricted``: only these (not the level's)
    extra_channels = models.ManyToManyField(Channel, blank=True, related_name="+")
    channels_restricted = models.BooleanField(default=False)
    # the shipper printed on labels when a waybill does not give one
    shipper = models.JSONField(default=dict, blank=True)
    # signed webhooks to the customer (status, weight, fees, last-mile number)
    webhook_url = models.CharField(max_length=500, blank=True)
    webhook_secret = models.CharField(max_length=64, blank=True)
    status = models.CharField(
        max_length=10, choices=PartnerStatus.choices, default=PartnerStatus.ACTIVE
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["code"]
        permissions = [
            ("view_all_customers", "Can see every customer, not only one's own"),
            ("use_portal", "Can use the customer or agent portal (own account only)"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(credit_limit__isnull=True) | Q(credit_limit__gte=0),
                name="customer_credit_gte_0",
            ),
            models.CheckConstraint(
                condition=~Q(payment_terms="credit") | Q(credit_limit__isnull=False),
                name="customer_credit_needs_limit",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.company}"

    @property
    def sheet_levels(self) -> tuple[str, str]:
        """Sale sheet levels in the order they are tried: the customer's own, its level's."""
        return (customer_sheet_level(self.code), self.level.code)


class PortalMembership(models.Model):
    """A portal user belongs to exactly one customer or one agent account."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="portal_membership"
    )
    customer = models.ForeignKey(
        CustomerAccount, null=True, blank=True, on_delete=models.CASCADE, related_name="members"
    )
    agent = models.ForeignKey(
        Agent, null=True, blank=True, on_delete=models.CASCADE, related_name="members"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=(Q(customer__isnull=False) & Q(agent__isnull=True))
                | (Q(customer__isnull=True) & Q(agent__isnull=False)),
                name="portal_membership_one_account",
            )
        ]
