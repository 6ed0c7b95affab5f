"""Every write of credit control: the charge of a parcel received at the hub (or its arrears
hold), a customer's top-up (a receipt) that releases its held parcels as far as the money
goes, and an arrears hold released by hand with a reason.

The charge at inbound (``on_receipt``, registered with the hub's receipt checks in
``FinanceConfig.ready``) runs inside the scan's transaction, with the waybill locked: it reads
the customer's account in the parcel's currency under the account's row lock (on SQLite the
scan's transaction is IMMEDIATE: writers queue), and either appends the charge and moves the
stored balance, or answers an arrears hold. Check and charge are one step under one lock, so
parallel scans never spend the same balance twice (``charge_within_credit``'s rule, on three
compiled statements: the locked read, the entry's insert, the balance's update; the ledger
entry, with who, when and for which waybill, is the record of it).

What a parcel costs is its sale price as quoted on the measured weight (``Waybill.sale_amount``,
the net of the receivable lines the pricing just posted for the rated items); each waybill is
charged once (idempotency key ``waybill:<id>``).

Lock order, everywhere here: the account, then the waybills (a top-up and a release by hand);
the scan locks its waybill and then the account, but a held waybill's scan stops before it
reads the account, so the two orders never meet on one pair of rows.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tradelane.accounts.permissions import require
from tradelane.accounts.roles import P
from tradelane.core import audit
from tradelane.core.errors import Conflict, NotFound, ValidationFailed
from tradelane.core.money import Money, check_currency, quantize
from tradelane.core.statements import Param, Select, insert, update_row
from tradelane.forwarding.hub import holds
from tradelane.forwarding.hub.models import ProblemOutcome, ProblemParcel, ProblemReason
from tradelane.forwarding.partners import scoping
from tradelane.forwarding.partners.models import CustomerAccount, PaymentTerms
from tradelane.forwarding.waybills.models import Waybill, WaybillStatus

from ..ledgers.models import Account, EntryKind, LedgerEntry, OwnerKind
from ..ledgers.services import open_account, post
from . import config

# how a customer paid (the receipt's ``source_id``; its ``source_type`` is ``payment``)
BANK_TRANSFER, ALIPAY, WECHAT, CASH, OFFSET = "bank_transfer", "alipay", "wechat", "cash", "offset"
PAYMENT_METHODS = (BANK_TRANSFER, ALIPAY, WECHAT, CASH, OFFSET)
PAYMENT = "payment"
WAYBILL = "waybill"
MAX_AMOUNT = Decimal(10) ** 12

# the scan's read of the customer's account in the parcel's currency, under its row lock
_ACCOUNT = Select(lambda: Account.objects.select_for_update()
                  .filter(customer_id=Param("customer"), currency=Param("currency"))
                  .order_by().values_list("pk", "balance"))  # fmt: skip


def credit_limit(customer: CustomerAccount, currency: str) -> Decimal:
    """The credit a customer may draw on in ``currency``: its limit when it is on credit terms
    and the currency is its own; nothing for a prepaid customer (it spends what it paid in)."""
    if (
        customer.payment_terms != PaymentTerms.CREDIT
        or customer.credit_limit is None
        or currency != customer.currency
    ):
        return Decimal(0)
    return customer.credit_limit


def _key(w: Waybill) -> str:
    return f"{WAYBILL}:{w.pk}"


def _locked_account(customer: CustomerAccount, currency: str) -> tuple[int, Decimal]:
    """(id, balance) of the customer's account in ``currency``, locked; opened (empty) the
    first time, by the system: a parcel received is what opens it."""
    row = _ACCOUNT.first(customer=customer.pk, currency=currency)
    if row is not None:
        return row[0], row[1]
    try:
        with transaction.atomic():
            made = Account.objects.create(owner_kind=OwnerKind.CUSTOMER, customer=customer,
                                          currency=currency)  # fmt: skip
            audit.record(None, "finance.account_opened", made,
                         {"owner": OwnerKind.CUSTOMER, "owner_id": customer.pk,
                          "currency": currency})  # fmt: skip
        return made.pk, Decimal(0)
    except IntegrityError:  # opened by another scan a moment ago
        row = _ACCOUNT.first(customer=customer.pk, currency=currency)
        return row[0], row[1]


def _amount_of(w: Waybill) -> Decimal | None:
    if w.sale_amount is None or not w.sale_currency:
        return None
    amount = quantize(Decimal(w.sale_amount), w.sale_currency)
    return amount if amount > 0 else None


def _charge(actor, w: Waybill, account_id: int, balance: Decimal, amount: Decimal) -> Decimal:
    """Append the waybill's charge and move the balance (the account is locked); the new
    balance."""
    now = timezone.now()
    after = balance - amount
    insert(LedgerEntry(
        account_id=account_id, kind=EntryKind.CHARGE, amount=-amount, balance_after=after,
        booked_on=timezone.localdate(), reference=w.number[:100], source_type=WAYBILL,
        source_id=str(w.pk), idempotency_key=_key(w),
        created_by_id=actor.pk if getattr(actor, "pk", None) else None, created_at=now,
    ))  # fmt: skip
    update_row(Account, account_id, {"balance": after, "updated_at": now})
    return after


def _arrears_note(balance: Decimal, limit: Decimal, amount: Decimal, cur: str) -> str:
    return _("Arrears: balance %(balance)s + credit %(limit)s %(cur)s do not cover "
             "%(amount)s %(cur)s") % {
        "balance": quantize(balance, cur), "limit": quantize(limit, cur),
        "amount": amount, "cur": cur,
    }  # fmt: skip


def on_receipt(actor, w: Waybill) -> dict | None:
    """The hub's receipt check (``holds.register_receipt_check``): charge the parcel just
    received (``w`` locked, its customer loaded) if the balance plus the credit limit covers
    it; else nothing is charged and the answer is an arrears hold."""
    if not config.holds_on():
        return None
    amount = _amount_of(w)
    if amount is None:  # nothing priced: nothing to charge
        return None
    cur = w.sale_currency
    account_id, balance = _locked_account(w.customer, cur)
    limit = credit_limit(w.customer, cur)
    if balance - amount < -limit:
        note = _arrears_note(balance, limit, amount, cur)
        return {"reason": ProblemReason.ARREARS_HOLD, "note": note}
    _charge(actor, w, account_id, balance, amount)
    return None


def _already_charged(account_id: int, w: Waybill) -> bool:
    return LedgerEntry.objects.filter(account_id=account_id, idempotency_key=_key(w)).exists()


def _chargeable(w: Waybill) -> Decimal | None:
    """What releasing ``w`` from an arrears hold charges: its price once received (a parcel
    held before inbound is charged by its inbound scan, on its measured weight)."""
    if w.status == WaybillStatus.CREATED:
        return None
    return _amount_of(w)


def _charge_released(actor, w: Waybill) -> Decimal | None:
    """Charge ``w``, released from an arrears hold, beyond the credit limit if need be (the
    account locked first); the amount charged, or None (nothing to charge, or charged)."""
    amount = _chargeable(w)
    if amount is None:
        return None
    account_id, balance = _locked_account(w.customer, w.sale_currency)
    if _already_charged(account_id, w):
        return None
    _charge(actor, w, account_id, balance, amount)
    return amount


def on_release(actor, problem: ProblemParcel) -> None:
    """The hub's release hook (``holds.register_release_hook``): an arrears hold released
    from the problem queue charges the parcel, as a release by hand does; the lock order
    stays the account's, then the waybill's."""
    if problem.reason != ProblemReason.ARREARS_HOLD or not problem.waybill_id:
        return
    if not config.holds_on():
        return
    w = Waybill.objects.select_related("customer").get(pk=problem.waybill_id)
    _charge_released(actor, w)


def _open_arrears(customer: CustomerAccount, currency: str):
    return (ProblemParcel.objects.filter(
        reason=ProblemReason.ARREARS_HOLD, resolved_at__isnull=True,
        waybill__customer=customer, waybill__sale_currency=currency,
    ).select_related("waybill").order_by("opened_at", "id"))  # fmt: skip


def _release_paid(actor, customer: CustomerAccount, currency: str, note: str) -> list[str]:
    """Release the customer's parcels held for arrears in ``currency``, the oldest hold
    first, each charged, as long as the balance and the credit cover the next one; the
    numbers released. The account is locked by the caller's transaction."""
    account_id, balance = _locked_account(customer, currency)
    limit = credit_limit(customer, currency)
    released = []
    for problem in _open_arrears(customer, currency):
        w = problem.waybill
        amount = _chargeable(w) or Decimal(0)
        if amount and not _already_charged(account_id, w):
            if balance - amount < -limit:
                break  # the oldest first: a later, smaller parcel waits its turn
            balance = _charge(actor, w, account_id, balance, amount)
        holds.resolve(actor, problem, ProblemOutcome.RELEASED, note, perm=P.LEDGER_POST)
        released.append(w.number)
    return released


@dataclass(frozen=True)
class TopUp:
    entry: LedgerEntry
    balance: Money
    released: list[str]  # the waybills released by it, oldest hold first


def _money(value, currency: str) -> Money:
    currency = check_currency(currency)
    try:
        amount = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        amount = None
    if (amount is None or not amount.is_finite() or amount <= 0 or amount >= MAX_AMOUNT
            or quantize(amount, currency) != amount):  # fmt: skip
        raise ValidationFailed(
            "The amount must be a number above 0, in the currency's minor units",
            code="ledger_amount_invalid", details={"field": "amount"},
        )  # fmt: skip
    return Money(amount, currency)


def top_up(
    actor,
    customer: CustomerAccount,
    *,
    amount,
    currency: str,
    method: str,
    reference: str = "",
    on: dt.date | None = None,
    memo: str = "",
    idempotency_key: str = "",
) -> TopUp:
    """A customer's payment (充值): a receipt on its account in ``currency`` (bank transfer,
    Alipay, WeChat Pay, cash or an offset), then its arrears holds released, the oldest first,
    as far as the money goes. A retried top-up with the same key posts nothing again."""
    require(actor, P.LEDGER_POST)
    if not scoping.sees_customer(actor, customer):
        raise NotFound(f"No customer {customer.code}", code="customer_not_found")
    if method not in PAYMENT_METHODS:
        raise ValidationFailed(
            f"Unknown payment method {method!r}", code="payment_method_invalid",
            details={"field": "method", "choices": list(PAYMENT_METHODS)},
        )  # fmt: skip
    money = _money(amount, currency)
    reference = " ".join(str(reference or "").split())[:100]
    with transaction.atomic():
        account = open_account(actor, customer, money.currency)
        entry = post(actor, account, EntryKind.RECEIPT, money, on=on, reference=reference,
                     source_type=PAYMENT, source_id=method, memo=memo,
                     idempotency_key=idempotency_key)  # fmt: skip
        note = _("Paid: %(amount)s %(cur)s %(ref)s") % {
            "amount": money.amount, "cur": money.currency, "ref": reference}  # fmt: skip
        released = _release_paid(actor, customer, money.currency, note.strip())
        if released:
            audit.record(actor, "finance.credit.released_on_payment", entry,
                         {"waybills": released, "customer": customer.code})  # fmt: skip
        balance = Account.objects.values_list("balance", flat=True).get(pk=account.pk)
    return TopUp(entry, Money(balance, money.currency), released)


def release_by_hand(actor, problem: ProblemParcel, note: str) -> ProblemParcel:
    """Release a parcel held for arrears although the balance does not cover it (a finance
    decision, with its reason): the parcel is charged all the same, beyond the credit limit,
    and the hold is closed with who, when and why."""
    require(actor, P.CREDIT_MANAGE)
    note = " ".join(str(note or "").split())
    if not note:
        raise ValidationFailed("Say why the parcel is released", code="reason_required",
                               details={"field": "note"})  # fmt: skip
    if problem.reason != ProblemReason.ARREARS_HOLD or problem.waybill_id is None:
        raise Conflict("This is not an arrears hold", code="not_an_arrears_hold")
    w = Waybill.objects.select_related("customer").get(pk=problem.waybill_id)
    if not scoping.sees_customer(actor, w.customer):
        raise NotFound(f"No waybill {w.number}", code="waybill_not_found")
    with transaction.atomic():
        charged = _charge_released(actor, w)
        problem = holds.resolve(actor, problem, ProblemOutcome.RELEASED, note,
                                perm=P.CREDIT_MANAGE)  # fmt: skip
        audit.record(actor, "finance.credit.released_by_hand", problem, {
            "waybill": w.number, "note": note, "charged": str(charged) if charged else None,
            "currency": w.sale_currency,
        })  # fmt: skip
    return problem
