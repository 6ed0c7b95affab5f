"""Every write of statements and receipts.

``generate_statements`` drafts, for every active customer, the statement of its last closed
cycle (``cycles``): set-based, one read of the unbilled receivable lines per group of
customers that share a cut-off (500 customers a query), one insert of the statements and one
of their lines. ``issue_statement`` takes the draft's lines afresh (what is unbilled up to the
period's end), freezes them, marks the fee lines and posts one ledger charge of the total
(idempotency key ``statement:<id>``). A fee line posted after that is on no statement, so the
next statement takes it (``adjustment``: its waybill was billed before). An issued statement's
lines and total never change; a dispute is settled by a credit note, not by an edit.

``record_receipt`` posts one ledger receipt and allocates it to statements (named, or the
oldest open ones first); what is left over stays unallocated, the customer's credit, and can be
allocated later (``allocate_receipt``). A statement whose due reaches zero is settled. Every
refusal has a code and writes nothing.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from tradelane.accounts.permissions import require
from tradelane.accounts.roles import P
from tradelane.core import audit
from tradelane.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from tradelane.core.money import Money, check_currency, quantize
from tradelane.core.states import transition
from tradelane.forwarding.partners import scoping
from tradelane.forwarding.partners.models import CustomerAccount, PartnerStatus

from ..fees import services as fees
from ..fees.models import FeeSide, WaybillFeeLine
from ..fx.conversion import rate_on
from ..ledgers import services as ledgers
from ..ledgers.models import EntryKind
from . import cycles
from .models import (
    DisputeStatus,
    Receipt,
    ReceiptAllocation,
    ReceiptMethod,
    Statement,
    StatementDispute,
    StatementLine,
)
from .models import StatementStatus as S
from .states import OPEN, STATEMENT_TRANSITIONS

CHUNK = 500
MAX_TEXT = 500
_LINE_COLUMNS = ("pk", "waybill_id", "waybill__customer_id", "fee_item_id", "stage", "amount",
                 "currency", "created_at")  # fmt: skip


def _cutoff(period_end: dt.date) -> dt.datetime:
    """The first moment after the period (local time): lines before it belong to it."""
    nxt = dt.datetime.combine(period_end + dt.timedelta(days=1), dt.time.min)
    return timezone.make_aware(nxt)


class _Rates:
    """Rates looked up once per (currency, date) in one run."""

    def __init__(self) -> None:
        self.found: dict = {}

    def line(self, amount: Decimal, currency: str, to: str, on: dt.date) -> dict:
        if currency == to:
            return {"amount": amount}
        key = (currency, to, on)
        if key not in self.found:
            self.found[key] = rate_on(currency, to, on)
        r = self.found[key]
        return {"amount": quantize(amount * r.rate, to), "original_amount": amount,
                "original_currency": currency, "fx_rate": r.rate, "fx_rate_source": r.source,
                "fx_rate_date": r.date}  # fmt: skip


def _unbilled(customer_ids: Sequence[int], cutoff: dt.datetime) -> dict[int, list[tuple]]:
    """{customer id: rows} of the receivable lines on no statement, posted before ``cutoff``,
    and whether each one's waybill was billed before (one query each per ``CHUNK``)."""
    out: dict[int, list[tuple]] = defaultdict(list)
    ids = sorted(set(customer_ids))
    for i in range(0, len(ids), CHUNK):
        rows = list(
            WaybillFeeLine.objects.filter(
                side=FeeSide.RECEIVABLE, statement_id__isnull=True, created_at__lt=cutoff,
                waybill__customer_id__in=ids[i : i + CHUNK],
            ).order_by("waybill_id", "pk").values_list(*_LINE_COLUMNS)
        )  # fmt: skip
        waybills = sorted({r[1] for r in rows})
        billed: set[int] = set()
        for j in range(0, len(waybills), CHUNK):
            billed.update(
                WaybillFeeLine.objects.filter(
                    waybill_id__in=waybills[j : j + CHUNK], statement_id__isnull=False
                ).values_list("waybill_id", flat=True).distinct()
            )  # fmt: skip
        for r in rows:
            out[r[2]].append((*r, r[1] in billed))
    return out


def _lines_of(statement: Statement, rows: Iterable[tuple], rates: _Rates) -> list[StatementLine]:
    lines = []
    for pk, waybill_id, _c, item, stage, amount, currency, created_at, adjustment in rows:
        on = timezone.localtime(created_at).date()
        lines.append(StatementLine(
            statement=statement, fee_line_id=pk, waybill_id=waybill_id, fee_item_id=item,
            stage=stage, adjustment=adjustment, posted_at=created_at,
            **rates.line(amount, currency, statement.currency, on),
        ))  # fmt: skip
    return lines


def _total(lines: Iterable[StatementLine], currency: str) -> Decimal:
    return quantize(sum((x.amount for x in lines), Decimal(0)), currency)


def statement_number(customer: CustomerAccount, start: dt.date, currency: str) -> str:
    return f"ST-{customer.code}-{start:%Y%m%d}-{currency}"[:40]


def generate_statements(
    actor, *, today: dt.date | None = None, customers: Sequence[CustomerAccount] | None = None
) -> list[Statement]:
    """Draft the statement of the last closed cycle of every active customer (or of
    ``customers``) that has unbilled lines and no statement for that period yet. Running it
    again drafts nothing new. Returns the statements drafted."""
    require(actor, P.STATEMENT_MANAGE)
    today = today or timezone.localdate()
    qs = CustomerAccount.objects.filter(status=PartnerStatus.ACTIVE)
    if customers is not None:
        qs = qs.filter(pk__in=[c.pk for c in customers])
    accounts = list(qs.only("pk", "code", "currency", "settlement_mode"))
    periods = {c.pk: cycles.last_closed_period(c.settlement_mode, today) for c in accounts}
    by_cutoff: dict[dt.date, list[int]] = defaultdict(list)
    for c in accounts:
        by_cutoff[periods[c.pk][1]].append(c.pk)
    have = set(
        Statement.objects.filter(customer_id__in=list(periods))
        .values_list("customer_id", "currency", "period_start", "period_end")
    )  # fmt: skip
    rates = _Rates()
    made: list[Statement] = []
    lines: list[StatementLine] = []
    with transaction.atomic():
        for end, ids in sorted(by_cutoff.items()):
            found = _unbilled(ids, _cutoff(end))
            for c in accounts:
                start, stop = periods[c.pk]
                rows = found.get(c.pk)
                if stop != end or not rows or (c.pk, c.currency, start, stop) in have:
                    continue
                s = Statement(number=statement_number(c, start, c.currency), customer=c,
                              currency=c.currency, cycle=c.settlement_mode, period_start=start,
                              period_end=stop)  # fmt: skip
                s_lines = _lines_of(s, rows, rates)
                s.total = _total(s_lines, c.currency)
                made.append(s)
                lines.extend(s_lines)
        Statement.objects.bulk_create(made)
        for x in lines:
            x.statement_id = x.statement.pk
        StatementLine.objects.bulk_create(lines, batch_size=1000)
        audit.record_many(actor, "finance.statement.drafted", "finance.statement",
                          [s.pk for s in made])  # fmt: skip
    return made


def _locked(statement: Statement) -> Statement:
    return Statement.objects.select_for_update().select_related("customer").get(pk=statement.pk)


def issue_statement(actor, statement: Statement) -> Statement:
    """Freeze a draft: its lines taken afresh, the fee lines marked, one ledger charge of the
    total. Refused (``statement_not_draft``, ``statement_empty``) with nothing written."""
    require(actor, P.STATEMENT_MANAGE)
    with transaction.atomic():
        s = _locked(statement)
        if s.status != S.DRAFT:
            raise Conflict(f"Statement {s.number} is {s.status}, not a draft",
                           code="statement_not_draft")  # fmt: skip
        rows = _unbilled([s.customer_id], _cutoff(s.period_end)).get(s.customer_id, [])
        if not rows:
            raise ValidationFailed(f"Statement {s.number} has no lines to bill",
                                   code="statement_empty")  # fmt: skip
        StatementLine.objects.filter(statement=s).delete()  # a draft's lines, taken afresh
        lines = _lines_of(s, rows, _Rates())
        StatementLine.objects.bulk_create(lines, batch_size=1000)
        total = _total(lines, s.currency)
        fees.mark_on_statement(actor, [x.fee_line_id for x in lines], s.pk)
        entry = None
        if total:
            account = ledgers.open_account(actor, s.customer, s.currency)
            # a negative total (more taken back than billed) adds to the balance
            kind = EntryKind.CHARGE if total > 0 else EntryKind.ADJUSTMENT
            amount = abs(total)
            entry = ledgers.post(
                actor, account, kind, Money(amount, s.currency), on=timezone.localdate(),
                reference=s.number, source_type="finance.statement", source_id=str(s.pk),
                memo=f"{s.period_start} – {s.period_end}", idempotency_key=f"statement:{s.pk}",
            )  # fmt: skip
        now = timezone.now()
        transition(s, S.ISSUED, table=STATEMENT_TRANSITIONS, actor=actor,
                   extra={"total": total, "issued_at": now, "issued_by": actor,
                          "ledger_entry": entry})  # fmt: skip
        audit.record(actor, "finance.statement.issued", s,
                     {"number": s.number, "total": str(total), "currency": s.currency,
                      "lines": len(lines)})  # fmt: skip
        if total <= 0:
            transition(s, S.SETTLED, table=STATEMENT_TRANSITIONS, actor=actor,
                       extra={"settled_at": now})  # fmt: skip
    statement.refresh_from_db()
    return statement


def issue_many(actor, statements: Iterable[Statement]) -> list[Statement]:
    return [issue_statement(actor, s) for s in statements]


# --- the customer's answer ------------------------------------------------------------------


def _customer_side(actor, statement: Statement) -> None:
    """The customer's own user (portal, through scoping) or finance staff; another customer's
    statement, or a draft, is "not found"."""
    if scoping.is_portal_user(actor):
        require(actor, P.PORTAL_USE)
        if not scoping.sees_customer(actor, statement.customer) or statement.status == S.DRAFT:
            raise NotFound(f"No statement {statement.number}", code="statement_not_found")
        if scoping.membership(actor).customer_id is None:
            raise PermissionDenied("Only the customer answers its statement",
                                   code="statement_customer_only")  # fmt: skip
    else:
        require(actor, P.STATEMENT_MANAGE)


def confirm_statement(actor, statement: Statement) -> Statement:
    """The customer agrees with an issued statement (对账确认)."""
    _customer_side(actor, statement)
    with transaction.atomic():
        s = _locked(statement)
        if s.status != S.ISSUED:
            raise Conflict(f"Statement {s.number} is {s.status}: it cannot be confirmed now",
                           code="statement_not_confirmable")  # fmt: skip
        transition(s, S.CONFIRMED, table=STATEMENT_TRANSITIONS, actor=actor,
                   extra={"confirmed_at": timezone.now(), "confirmed_by": actor})  # fmt: skip
    statement.refresh_from_db()
    return statement


def dispute_statement(actor, statement: Statement, line_ids: Sequence[int], reason: str):
    """The customer objects to lines of an issued (or confirmed) statement: a case for
    finance. Refused: no line, a line of another statement, no reason."""
    _customer_side(actor, statement)
    reason = " ".join(str(reason or "").split())
    if not reason:
        raise ValidationFailed("Say what is wrong", code="dispute_reason_required",
                               details={"field": "reason"})  # fmt: skip
    if len(reason) > MAX_TEXT:
        raise ValidationFailed(
            f"The reason has at most {MAX_TEXT} characters",
            code="dispute_reason_required",
            details={"field": "reason"},
        )
    try:
        ids = sorted({int(x) for x in line_ids})
    except (TypeError, ValueError):
        ids = []
    with transaction.atomic():
        s = _locked(statement)
        if s.status not in (S.ISSUED, S.CONFIRMED):
            raise Conflict(f"Statement {s.number} is {s.status}: it cannot be disputed now",
                           code="statement_not_disputable")  # fmt: skip
        lines = list(StatementLine.objects.filter(statement=s, pk__in=ids))
        if not ids or len(lines) != len(ids):
            raise ValidationFailed(
                "Choose the lines of this statement you dispute",
                code="dispute_lines_invalid",
                details={"field": "lines"},
            )
        case = StatementDispute.objects.create(statement=s, reason=reason, opened_by=actor)
        case.lines.set(lines)
        transition(s, S.DISPUTED, table=STATEMENT_TRANSITIONS, actor=actor, reason=reason)
        audit.record(actor, "finance.statement.disputed", case,
                     {"statement": s.number, "lines": ids, "reason": reason})  # fmt: skip
    statement.refresh_from_db()
    return case


def _amount(value, currency: str, code: str) -> Decimal:
    try:
        amount = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        amount = None
    if (amount is None or not amount.is_finite() or amount <= 0
            or quantize(amount, currency) != amount or amount >= Decimal(10) ** 12):  # fmt: skip
        raise ValidationFailed(
            f"The amount must be a positive number in {currency}'s minor units",
            code=code,
            details={"field": "amount"},
        )
    return amount


def _settle_if_paid(actor, s: Statement) -> None:
    s.refresh_from_db()
    if s.status in OPEN and s.due <= 0:
        transition(s, S.SETTLED, table=STATEMENT_TRANSITIONS, actor=actor,
                   extra={"settled_at": timezone.now()})  # fmt: skip


def resolve_dispute(actor, dispute: StatementDispute, *, outcome: str, amount=None,
                    note: str = "") -> StatementDispute:  # fmt: skip
    """Finance's answer to a case: ``credit`` posts a credit note (at most what the disputed
    lines come to) on the customer's ledger; ``reject`` posts nothing. Who and when are kept;
    the statement goes back to the customer (issued) when no case of it is left open."""
    require(actor, P.STATEMENT_MANAGE)
    note = " ".join(str(note or "").split())[:MAX_TEXT]
    if outcome not in ("credit", "reject"):
        raise ValidationFailed(
            "The outcome is a credit note or a rejection",
            code="dispute_outcome_invalid",
            details={"field": "outcome"},
        )
    with transaction.atomic():
        s = _locked(dispute.statement)
        case = StatementDispute.objects.select_for_update().get(pk=dispute.pk)
        if case.status != DisputeStatus.OPEN:
            raise Conflict("This case is resolved already", code="dispute_resolved")
        values = {"resolved_by": actor, "resolved_at": timezone.now(), "outcome_note": note,
                  "updated_at": timezone.now()}  # fmt: skip
        if outcome == "credit":
            credit = _amount(amount, s.currency, "dispute_amount_invalid")
            disputed = sum(case.lines.values_list("amount", flat=True), Decimal(0))
            if credit > disputed or credit > s.total - s.credited:
                raise ValidationFailed(
                    f"A credit note of {credit} {s.currency} is more than the disputed lines "
                    f"({quantize(disputed, s.currency)} {s.currency})",
                    code="dispute_amount_invalid",
                    details={"field": "amount"},
                )
            account = ledgers.open_account(actor, s.customer, s.currency)
            entry = ledgers.post(
                actor, account, EntryKind.CREDIT_NOTE, Money(credit, s.currency),
                reference=s.number, source_type="finance.statementdispute",
                source_id=str(case.pk), memo=note or case.reason,
                idempotency_key=f"dispute:{case.pk}",
            )  # fmt: skip
            values.update(status=DisputeStatus.CREDITED, credit_amount=credit,
                          credit_entry=entry)  # fmt: skip
            Statement.objects.filter(pk=s.pk).update(credited=F("credited") + credit)
        else:
            values["status"] = DisputeStatus.REJECTED
        StatementDispute.objects.filter(pk=case.pk).update(**values)
        audit.record(actor, "finance.statement.dispute_resolved", case,
                     {"statement": s.number, "outcome": outcome, "amount": str(amount or ""),
                      "note": note})  # fmt: skip
        still_open = StatementDispute.objects.filter(statement=s, status=DisputeStatus.OPEN)
        if s.status == S.DISPUTED and not still_open.exists():
            transition(s, S.ISSUED, table=STATEMENT_TRANSITIONS, actor=actor, reason=note)
        _settle_if_paid(actor, s)
    dispute.refresh_from_db()
    return dispute


# --- receipts -------------------------------------------------------------------------------


def _allocate(actor, receipt: Receipt, wanted: Sequence[tuple[Statement, Decimal]]) -> None:
    """Allocate parts of ``receipt`` (locked by the caller) to statements; all or nothing."""
    ids = sorted({s.pk for s, _ in wanted})
    if len(ids) != len(wanted):
        raise ValidationFailed("A statement is named twice", code="allocation_invalid")
    locked = {s.pk: s for s in Statement.objects.select_for_update().filter(pk__in=ids)}
    total = Decimal(0)
    for s, amount in wanted:
        row = locked.get(s.pk)
        if row is None or row.customer_id != receipt.customer_id:
            raise NotFound(f"No statement {s.number}", code="statement_not_found")
        if row.status not in OPEN:
            raise Conflict(
                f"Statement {row.number} is {row.status}: nothing to pay on it",
                code="statement_not_payable",
                details={"statement": row.number},
            )
        if row.currency != receipt.currency:
            raise ValidationFailed(
                f"Statement {row.number} is in {row.currency}",
                code="receipt_currency",
                details={"statement": row.number},
            )
        if amount > row.due:
            raise ValidationFailed(
                f"{amount} {row.currency} is more than the {quantize(row.due, row.currency)} "
                f"due on {row.number}",
                code="allocation_exceeds_due",
                details={"statement": row.number},
            )
        total += amount
    if total > receipt.unallocated:
        raise ValidationFailed(
            f"{total} {receipt.currency} is more than the receipt's unallocated "
            f"{quantize(receipt.unallocated, receipt.currency)}",
            code="allocation_exceeds_receipt",
        )
    ReceiptAllocation.objects.bulk_create(
        [ReceiptAllocation(receipt=receipt, statement_id=s.pk, amount=a, created_by=actor)
         for s, a in wanted]
    )  # fmt: skip
    for s, amount in wanted:
        Statement.objects.filter(pk=s.pk).update(
            allocated=F("allocated") + amount, updated_at=timezone.now()
        )
    Receipt.objects.filter(pk=receipt.pk).update(unallocated=F("unallocated") - total)
    for s, _ in wanted:
        _settle_if_paid(actor, locked[s.pk])


def _oldest_first(customer_id: int, currency: str, money: Decimal):
    out, left = [], money
    for s in (Statement.objects.filter(customer_id=customer_id, currency=currency, status__in=OPEN)
              .order_by("period_start", "id")):  # fmt: skip
        if left <= 0:
            break
        take = min(left, s.due)
        if take > 0:
            out.append((s, take))
            left -= take
    return out


def _parse_allocations(customer, currency: str, allocations) -> list[tuple[Statement, Decimal]]:
    wanted = []
    numbers = [str(n) for n, _ in allocations]
    found = {s.number: s for s in Statement.objects.filter(customer=customer, number__in=numbers)}
    for number, amount in allocations:
        s = found.get(str(number)) if not isinstance(number, Statement) else number
        if s is None or s.customer_id != customer.pk:
            raise NotFound(f"No statement {number}", code="statement_not_found")
        wanted.append((s, _amount(amount, currency, "allocation_invalid")))
    return wanted


def record_receipt(
    actor,
    customer: CustomerAccount,
    *,
    amount,
    currency: str,
    method: str,
    received_on: dt.date | None = None,
    reference: str = "",
    allocations: Sequence[tuple] | None = None,
    idempotency_key: str,
) -> Receipt:
    """Money received from ``customer``: one ledger receipt, allocated to the statements named
    in ``allocations`` ((statement or number, amount)...; None: the oldest open ones first).
    The rest stays unallocated (the customer's credit). The same ``idempotency_key`` again
    returns the first receipt, unchanged; with other figures it is refused."""
    require(actor, P.RECEIPT_POST)
    if not scoping.sees_customer(actor, customer):
        raise NotFound(f"No customer {customer.code}", code="customer_not_found")
    key = " ".join(str(idempotency_key or "").split())
    if not key or len(key) > 100:
        raise ValidationFailed("A receipt needs an idempotency key (at most 100 characters)",
                               code="receipt_key_required")  # fmt: skip
    currency = check_currency(currency)
    if currency != customer.currency:
        raise ValidationFailed(
            f"{customer.code} is billed in {customer.currency}",
            code="receipt_currency",
            details={"field": "currency"},
        )
    money = _amount(amount, currency, "receipt_amount_invalid")
    if method not in ReceiptMethod.values:
        raise ValidationFailed(f"Unknown payment method {method!r}", code="receipt_method_invalid",
                               details={"field": "method"})  # fmt: skip
    done = Receipt.objects.filter(customer=customer, idempotency_key=key).first()
    if done is not None:
        if (done.amount, done.currency, done.method) != (money, currency, method):
            raise Conflict("This key was used for another receipt", code="idempotency_key_reused")
        return done
    received_on = received_on or timezone.localdate()
    wanted = None if allocations is None else _parse_allocations(customer, currency, allocations)
    try:
        with transaction.atomic():
            account = ledgers.open_account(actor, customer, currency)
            entry = ledgers.post(
                actor, account, EntryKind.RECEIPT, Money(money, currency), on=received_on,
                reference=reference[:100], source_type="finance.receipt", source_id=key[:64],
                memo=method, idempotency_key=f"receipt:{key}"[:100],
            )  # fmt: skip
            receipt = Receipt.objects.create(
                customer=customer, currency=currency, amount=money, unallocated=money,
                method=method, reference=reference[:100], received_on=received_on,
                ledger_entry=entry, idempotency_key=key, created_by=actor,
            )  # fmt: skip
            if wanted is None:
                wanted = _oldest_first(customer.pk, currency, money)
            if wanted:
                _allocate(actor, receipt, wanted)
            audit.record(actor, "finance.receipt", receipt,
                         {"amount": str(money), "currency": currency, "method": method,
                          "allocations": [(s.number, str(a)) for s, a in wanted]})  # fmt: skip
    except IntegrityError:  # the same key at the same moment: the other one wins
        return Receipt.objects.get(customer=customer, idempotency_key=key)
    receipt.refresh_from_db()
    return receipt


def allocate_receipt(actor, receipt: Receipt, statement: Statement, amount) -> Receipt:
    """Allocate part of a receipt's unallocated credit to an open statement."""
    require(actor, P.RECEIPT_POST)
    with transaction.atomic():
        r = Receipt.objects.select_for_update().get(pk=receipt.pk)
        _allocate(actor, r, [(statement, _amount(amount, r.currency, "allocation_invalid"))])
    receipt.refresh_from_db()
    return receipt
