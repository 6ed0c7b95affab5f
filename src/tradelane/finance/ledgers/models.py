"""Accounts and their append-only ledger entries.

An ``Account`` belongs to one owner (a customer account, a downstream agent or an upstream
line, ``forwarding.partners``) in one currency; an owner has at most one account per currency.
Its ``balance`` is the sum of its entries, kept by ``services.post`` in the same transaction as
the entry, under the account's row lock.

The balance is the owner's standing with the provider: positive, the owner is in credit (money
paid in advance, or owed to it); negative, it owes. A charge takes from it, a receipt, a credit
note and a write-off add to it, an adjustment goes either way (the sign of ``amount`` says).

Entries are never changed nor deleted (``save`` of a stored entry, ``delete`` and the queryset's
``update``/``delete`` refuse): a mistake is corrected by a new entry.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from tradelane.forwarding.partners.models import Agent, CustomerAccount, UpstreamLine

from ..fx.models import ConvertedFrom

# amounts in the account's currency: at most 3 minor units (BHD, KWD...), kept with 4
LEDGER_MONEY = dict(max_digits=18, decimal_places=4)


class OwnerKind(models.TextChoices):
    CUSTOMER = "customer", "customer"
    AGENT = "agent", "agent"
    UPSTREAM_LINE = "upstream_line", "upstream line"


class EntryKind(models.TextChoices):
    CHARGE = "charge", "charge"
    RECEIPT = "receipt", "receipt"
    CREDIT_NOTE = "credit_note", "credit note"
    ADJUSTMENT = "adjustment", "adjustment"
    WRITE_OFF = "write_off", "write-off"


# the sign an entry of each kind has (adjustments: either, never zero)
TAKES_FROM_BALANCE = frozenset({EntryKind.CHARGE})
ADDS_TO_BALANCE = frozenset({EntryKind.RECEIPT, EntryKind.CREDIT_NOTE, EntryKind.WRITE_OFF})


class Account(models.Model):
    owner_kind = models.CharField(max_length=16, choices=OwnerKind.choices)
    customer = models.ForeignKey(
        CustomerAccount, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    agent = models.ForeignKey(
        Agent, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    upstream_line = models.ForeignKey(
        UpstreamLine, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    currency = models.CharField(max_length=3)
    balance = models.DecimalField(**LEDGER_MONEY, default=0)
    opened_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["owner_kind", "id"]
        permissions = [("manage_credit", "Can release parcels held for arrears by hand")]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(
                        owner_kind=OwnerKind.CUSTOMER,
                        customer__isnull=False,
                        agent__isnull=True,
                        upstream_line__isnull=True,
                    )
                    | Q(
                        owner_kind=OwnerKind.AGENT,
                        customer__isnull=True,
                        agent__isnull=False,
                        upstream_line__isnull=True,
                    )
                    | Q(
                        owner_kind=OwnerKind.UPSTREAM_LINE,
                        customer__isnull=True,
                        agent__isnull=True,
                        upstream_line__isnull=False,
                    )
                ),
                name="finance_account_one_owner",
            ),  # fmt: skip
            models.UniqueConstraint(
                fields=["customer", "currency"],
                condition=Q(customer__isnull=False),
                name="finance_account_one_per_customer_currency",
            ),  # fmt: skip
            models.UniqueConstraint(
                fields=["agent", "currency"],
                condition=Q(agent__isnull=False),
                name="finance_account_one_per_agent_currency",
            ),  # fmt: skip
            models.UniqueConstraint(
                fields=["upstream_line", "currency"],
                condition=Q(upstream_line__isnull=False),
                name="finance_account_one_per_line_currency",
            ),  # fmt: skip
        ]

    def __str__(self) -> str:
        return f"{self.owner_kind} {self.owner} {self.currency}"

    @property
    def owner(self) -> CustomerAccount | Agent | UpstreamLine:
        return self.customer or self.agent or self.upstream_line


class AppendOnly(Exception):
    """A ledger entry is never changed nor deleted: post a correcting entry instead."""


class LedgerEntryQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnly("Ledger entries are append-only: post a correcting entry")

    def delete(self):
        raise AppendOnly("Ledger entries are append-only: post a correcting entry")


class LedgerEntry(ConvertedFrom):
    """One posting. ``amount`` is signed, in the account's currency; an amount given in
    another currency keeps what it came from, the rate, its source and date
    (``ConvertedFrom``)."""

    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="entries")
    kind = models.CharField(max_length=12, choices=EntryKind.choices)
    amount = models.DecimalField(**LEDGER_MONEY)
    balance_after = models.DecimalField(**LEDGER_MONEY)
    booked_on = models.DateField()
    # what it is for: a waybill, a statement, a bank receipt...
    reference = models.CharField(max_length=100, blank=True)
    source_type = models.CharField(max_length=40, blank=True)
    source_id = models.CharField(max_length=64, blank=True)
    memo = models.CharField(max_length=500, blank=True)
    # a retried post with the same key changes nothing (unique per account)
    idempotency_key = models.CharField(max_length=100, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip
    created_at = models.DateTimeField(default=timezone.now)

    objects = LedgerEntryQuerySet.as_manager()

    class Meta:
        ordering = ["account", "id"]
        permissions = [("post_ledgerentry", "Can post to the partners' account ledgers")]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(kind=EntryKind.CHARGE, amount__lt=0)
                    | Q(
                        kind__in=[EntryKind.RECEIPT, EntryKind.CREDIT_NOTE, EntryKind.WRITE_OFF],
                        amount__gt=0,
                    )
                    | (Q(kind=EntryKind.ADJUSTMENT) & ~Q(amount=0))
                ),
                name="finance_entry_sign_by_kind",
            ),  # fmt: skip
            models.UniqueConstraint(
                fields=["account", "idempotency_key"],
                condition=~Q(idempotency_key=""),
                name="finance_entry_idempotency_key_unique",
            ),  # fmt: skip
        ]
        indexes = [models.Index(fields=["source_type", "source_id"])]

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnly("Ledger entries are append-only: post a correcting entry")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnly("Ledger entries are append-only: post a correcting entry")

    def __str__(self) -> str:
        return f"{self.kind} {self.amount} {self.account.currency}"
