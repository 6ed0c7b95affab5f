"""Reads of the account ledgers: balances, the credit an account may draw on, its entries."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import QuerySet

from tradelane.core.money import Money
from tradelane.forwarding.partners.models import CustomerAccount

from .models import Account, LedgerEntry, OwnerKind


def balance_of(account: Account) -> Money:
    return Money(account.balance, account.currency)


def sum_of_entries(account: Account) -> Decimal:
    """The balance derived from the entries alone (what the stored balance must equal),
    added up in Decimal here: SQLite's SUM of a decimal column is a float."""
    amounts = LedgerEntry.objects.filter(account=account).values_list("amount", flat=True)
    return sum(amounts.iterator(chunk_size=5000), Decimal(0))


def credit_limit_of(account: Account) -> Money:
    """The credit the account's owner may draw on: a customer's credit limit
    (``forwarding.partners``, in the customer's currency) on its account in that currency,
    when it is on credit terms; nothing on other accounts nor for a prepaid customer."""
    if account.owner_kind != OwnerKind.CUSTOMER:
        return Money.zero(account.currency)
    row = (
        CustomerAccount.objects.filter(pk=account.customer_id)
        .values_list("credit_limit", "currency", "payment_terms")
        .first()
    )
    if row is None or row[1] != account.currency or row[0] is None or row[2] != "credit":
        return Money.zero(account.currency)
    return Money(row[0], account.currency)


def entries_of(account: Account) -> QuerySet[LedgerEntry]:
    return LedgerEntry.objects.filter(account=account).order_by("id")


def account_of(owner, currency: str) -> Account | None:
    """The owner's account in ``currency``, if it has one."""
    field = {"CustomerAccount": "customer", "Agent": "agent", "UpstreamLine": "upstream_line"}
    lookup = {field[type(owner).__name__]: owner, "currency": currency}
    return Account.objects.filter(**lookup).first()
