"""Every write of the account ledgers: opening an account, posting an entry, charging within
the credit an account may draw on.

``post`` locks the account's row (``select_for_update``; on SQLite every write transaction
begins IMMEDIATE, so writers queue), replays a retried post (same idempotency key, same kind
and amount) without writing anything, converts an amount given in another currency (the rate,
its source and date stay on the entry), appends the entry and moves the stored balance by its
amount, all in one transaction. ``charge_within_credit`` does the same after checking, under
the same lock, that the balance plus the credit limit covers the charge: concurrent charges
against one balance can never overspend it.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from tradelane.accounts.permissions import require
from tradelane.accounts.roles import P
from tradelane.core import audit
from tradelane.core.errors import Conflict, ValidationFailed
from tradelane.core.money import Money, check_currency, quantize
from tradelane.forwarding.partners.models import Agent, CustomerAccount, UpstreamLine

from ..fx.conversion import Conversion, convert
from ..fx.models import ConvertedFrom
from .models import TAKES_FROM_BALANCE, Account, EntryKind, LedgerEntry
from .models import OwnerKind as K
from .selectors import credit_limit_of

_OWNER_FIELD = {
    CustomerAccount: (K.CUSTOMER, "customer"),
    Agent: (K.AGENT, "agent"),
    UpstreamLine: (K.UPSTREAM_LINE, "upstream_line"),
}


class CreditExceeded(Conflict):
    code = "credit_exceeded"


def open_account(actor, owner, currency: str | None = None) -> Account:
    """The owner's account in ``currency`` (the owner's own currency by default), opened the
    first time it is asked for; asking again (or at the same moment) gives the same one."""
    require(actor, P.LEDGER_POST)
    if type(owner) not in _OWNER_FIELD:
        raise ValidationFailed(
            "Only a customer, an agent or an upstream line has an account",
            code="ledger_owner_invalid",
        )
    kind, field = _OWNER_FIELD[type(owner)]
    currency = check_currency(currency or owner.currency)
    lookup = {field: owner, "currency": currency}
    found = Account.objects.filter(**lookup).first()
    if found is not None:
        return found
    try:
        with transaction.atomic():
            account = Account.objects.create(owner_kind=kind, **lookup)
            audit.record(actor, "finance.account_opened", account,
                         {"owner": kind, "owner_id": owner.pk, "currency": currency})  # fmt: skip
    except IntegrityError:  # opened by someone else a moment ago
        return Account.objects.get(**lookup)
    return account


def _signed(kind: str, amount: Decimal) -> Decimal:
    if kind in TAKES_FROM_BALANCE:
        return -amount
    return amount


def _check_amount(kind: str, money: Money) -> None:
    if kind not in EntryKind.values:
        raise ValidationFailed(f"Unknown entry kind {kind!r}", code="ledger_kind_invalid")
    if quantize(money.amount, money.currency) != money.amount:
        raise ValidationFailed(
            f"{money.amount} {money.currency} has more decimals than {money.currency} has",
            code="ledger_amount_invalid",
        )
    if kind == EntryKind.ADJUSTMENT:
        if money.amount == 0:
            raise ValidationFailed("An adjustment is never zero", code="ledger_amount_invalid")
    elif money.amount <= 0:
        raise ValidationFailed(
            f"A {kind} is a positive amount (its kind gives the sign), not {money.amount}",
            code="ledger_amount_invalid",
        )


def _replay(entry: LedgerEntry, kind: str, money: Money, currency: str) -> LedgerEntry:
    """The entry a retried post made already, if it asked for the same thing."""
    if entry.original_currency:
        given = (entry.original_amount, entry.original_currency)
    else:
        given = (_signed(entry.kind, entry.amount), currency)
    if entry.kind != kind or given != (money.amount, money.currency):
        raise Conflict(
            "This idempotency key was used for another entry on this account",
            code="idempotency_key_reused",
            details={"entry": entry.pk},
        )
    return entry


def post(
    actor,
    account: Account,
    kind: str,
    money: Money,
    *,
    on: dt.date | None = None,
    reference: str = "",
    source_type: str = "",
    source_id: str = "",
    memo: str = "",
    idempotency_key: str = "",
    within_credit: bool = False,
) -> LedgerEntry:
    """Append an entry of ``kind`` for ``money`` (positive; an adjustment signed) to the
    account and move its balance, in one transaction. ``money`` in another currency is
    converted at the rate of ``on`` (today by default). ``within_credit``: refuse a charge
    that the balance plus the credit limit would not cover (``CreditExceeded``)."""
    require(actor, P.LEDGER_POST)
    _check_amount(kind, money)
    on = on or timezone.localdate()
    key = (idempotency_key or "").strip()
    if len(key) > 100:
        raise ValidationFailed("An idempotency key has at most 100 characters",
                               code="ledger_key_too_long")  # fmt: skip
    with transaction.atomic():
        locked = Account.objects.select_for_update().get(pk=account.pk)
        if key:
            done = LedgerEntry.objects.filter(account=locked, idempotency_key=key).first()
            if done is not None:
                return _replay(done, kind, money, locked.currency)
        conversion: Conversion | None = None
        value = money
        if money.currency != locked.currency:
            conversion = convert(money, locked.currency, on=on)
            value = conversion.converted
            if value.amount == 0:
                raise ValidationFailed(
                    f"{money} is nothing in {locked.currency}", code="ledger_amount_invalid"
                )
        amount = _signed(kind, value.amount)
        after = locked.balance + amount
        if within_credit and amount < 0:
            limit = credit_limit_of(locked).amount
            if after < -limit:
                cur = locked.currency
                balance, limit = quantize(locked.balance, cur), quantize(limit, cur)
                raise CreditExceeded(
                    f"The balance {balance} {cur} and the credit limit {limit} {cur} do not "
                    f"cover {-amount} {cur}",
                    details={"balance": str(balance), "credit_limit": str(limit),
                             "available": str(balance + limit), "amount": str(-amount),
                             "currency": cur},
                )  # fmt: skip
        entry = LedgerEntry.objects.create(
            account=locked, kind=kind, amount=amount, balance_after=after, booked_on=on,
            reference=reference[:100], source_type=source_type[:40], source_id=source_id[:64],
            memo=memo[:500], idempotency_key=key,
            created_by=actor if getattr(actor, "pk", None) else None,
            **ConvertedFrom.conversion_fields(conversion),
        )  # fmt: skip
        Account.objects.filter(pk=locked.pk).update(
            balance=F("balance") + amount, updated_at=timezone.now()
        )
        audit.record(actor, f"finance.{kind}", entry,
                     {"account": locked.pk, "amount": amount, "balance": after,
                      "currency": locked.currency, "reference": reference})  # fmt: skip
    account.balance = after
    return entry


def charge_within_credit(actor, account: Account, money: Money, **fields) -> LedgerEntry:
    """A charge only if the balance plus the account's credit limit covers it; otherwise
    ``CreditExceeded`` (code ``credit_exceeded``) and nothing is written."""
    return post(actor, account, EntryKind.CHARGE, money, within_credit=True, **fields)
