"""Every write of the payables: the line's saved mapping, a bill's import (after its preview),
a bill line's audit (accept, dispute, write off, a dispute's outcome) and payments to the
line. Each checks the actor's permission, runs in one transaction and records an audit row;
a refused action raises a coded error and changes nothing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from tradelane.accounts.permissions import require
from tradelane.accounts.roles import P
from tradelane.core import audit
from tradelane.core.bulk import insert_rows
from tradelane.core.errors import Conflict, NotFound, ValidationFailed
from tradelane.core.money import Money, check_currency, quantize
from tradelane.core.states import transition
from tradelane.forwarding.partners.models import UpstreamLine

from ..ledgers import services as ledgers
from ..ledgers.models import EntryKind, LedgerEntry
from . import mapping as m
from .matching import Match, match
from .models import (
    LINE_SOURCE,
    PAYMENT_SOURCE,
    ImportMode,
    LineStatus,
    PayableMapping,
    UpstreamBill,
    UpstreamBillLine,
)
from .states import LINE_TRANSITIONS

MAX_REASON = 300
PREVIEW_ROWS = 20


# --- the mapping -----------------------------------------------------------------------------


def saved_mapping(line: UpstreamLine) -> m.Mapping | None:
    row = PayableMapping.objects.filter(upstream_line=line).first()
    if row is None:
        return None
    return m.Mapping(dict(row.columns), row.weight_unit, row.default_currency)


def save_mapping(actor, line: UpstreamLine, columns, weight_unit: str = "kg",
                 default_currency: str = "") -> PayableMapping:  # fmt: skip
    """The line's mapping, saved (replacing the one it had): every later bill reuses it."""
    require(actor, P.PAYABLE_MANAGE)
    cleaned = m.clean(columns, weight_unit, default_currency)
    with transaction.atomic():
        row, _ = PayableMapping.objects.update_or_create(
            upstream_line=line,
            defaults={"columns": cleaned.columns, "weight_unit": cleaned.weight_unit,
                      "default_currency": cleaned.default_currency,
                      "updated_by": actor if getattr(actor, "pk", None) else None,
                      "updated_at": timezone.now()},
        )  # fmt: skip
        audit.record(actor, "finance.payables.mapping_saved", row,
                     {"upstream_line": line.code, "columns": cleaned.columns,
                      "weight_unit": cleaned.weight_unit})  # fmt: skip
    return row


# --- the import ------------------------------------------------------------------------------


@dataclass
class Report:
    """What a preview or an import found: every row with its code (in both languages), each
    valid row's match, and the bill when one was written."""

    rows: list[m.Row] = field(default_factory=list)
    matches: dict[int, Match] = field(default_factory=dict)
    bill: UpstreamBill | None = None
    mode: str = ImportMode.ALL_OR_NOTHING
    digest: str = ""

    @property
    def errors(self) -> list[m.Row]:
        return [r for r in self.rows if not r.ok]

    @property
    def valid(self) -> list[m.Row]:
        return [r for r in self.rows if r.ok]

    @property
    def unmatched(self) -> list[m.Row]:
        return [r for r in self.valid if not self.matches[r.row].waybill_id]

    def first_rows(self, n: int = PREVIEW_ROWS) -> list[m.Row]:
        """The first rows, those with a problem first."""
        return (self.errors + self.valid)[:n]


def _mapping_for(line, columns, weight_unit, default_currency) -> m.Mapping:
    if columns is not None:
        return m.clean(columns, weight_unit or "kg", default_currency or "")
    saved = saved_mapping(line)
    if saved is None:
        raise ValidationFailed("This upstream line has no saved column mapping: give one",
                               code="payable_mapping_required")  # fmt: skip
    return saved


def _billed_before(line: UpstreamLine, report: Report) -> bool:
    """Refuse the rows an earlier bill of the line holds already (the same waybill, or the
    same number when unmatched, and fee item): a corrected bill imported again never bills
    a waybill twice. Two queries; True when a row was refused."""
    valid = report.valid
    ids = {report.matches[r.row].waybill_id for r in valid} - {None}
    keys = {r.key for r in valid if not report.matches[r.row].waybill_id}
    earlier = UpstreamBillLine.objects.filter(bill__upstream_line=line)
    seen_ids = set(earlier.filter(waybill_id__in=ids).values_list("waybill_id", "fee_item"))
    seen_keys = set()
    if keys:
        for number, last_mile, ref, item in (
            earlier.filter(waybill__isnull=True)
            .filter(
                Q(waybill_number__in=keys) | Q(last_mile_number__in=keys) | Q(reference__in=keys)
            )
            .values_list("waybill_number", "last_mile_number", "reference", "fee_item")
        ):
            seen_keys.add((number or last_mile or ref, item))
    refused = False
    for r in valid:
        wid = report.matches[r.row].waybill_id
        if (wid, r.fee_item) in seen_ids if wid else (r.key, r.fee_item) in seen_keys:
            r.code, refused = "payable_row_billed_before", True
    return refused


def _check(line, headers, rows, columns, weight_unit, default_currency) -> tuple[m.Mapping, Report]:
    mp = _mapping_for(line, columns, weight_unit, default_currency)
    m.check_headers(mp, list(headers))
    report = Report(rows=m.parse_all(mp, rows))
    report.digest = m.digest(report.rows)  # the bill as given, before it meets earlier ones
    report.matches = match(report.valid)
    if _billed_before(line, report):  # compared again without the refused rows
        report.matches = match(report.valid)
    return mp, report


def preview(actor, line: UpstreamLine, headers, rows, *, columns=None, weight_unit=None,
            default_currency=None) -> Report:  # fmt: skip
    """Every row checked and matched; nothing written."""
    require(actor, P.PAYABLE_MANAGE)
    return _check(line, headers, rows, columns, weight_unit, default_currency)[1]


_LINE_FIELDS = (
    "bill_id", "row_number", "waybill_number", "last_mile_number", "reference",
    "their_weight_g", "their_amount", "currency", "fee_item", "billed_on", "waybill_id",
    "match_code", "compared", "their_total", "our_weight_g", "our_amount", "weight_diff_g",
    "price_diff", "status", "reason", "outcome", "updated_at",
)  # fmt: skip


def import_bill(
    actor, line: UpstreamLine, headers, rows, *, filename: str = "", columns=None,
    weight_unit=None, default_currency=None, save: bool = False,
    mode: str = ImportMode.ALL_OR_NOTHING,
) -> Report:  # fmt: skip
    """Check, match and write the bill in one transaction. ``all_or_nothing`` writes nothing
    when a row is refused (the others say ``batch_rejected``); ``valid_only`` writes the
    valid rows. The same bill again (the same mapped rows) is refused
    (``payable_bill_duplicate``). ``save``: the mapping given becomes the line's."""
    require(actor, P.PAYABLE_MANAGE)
    if mode not in ImportMode.values:
        raise ValidationFailed(f"Unknown mode {mode!r}", code="invalid_mode",
                               details={"choices": ImportMode.values})  # fmt: skip
    rows = list(rows)
    mp, report = _check(line, headers, rows, columns, weight_unit, default_currency)
    report.mode = mode
    if UpstreamBill.objects.filter(upstream_line=line, digest=report.digest).exists():
        raise Conflict("This bill was imported already", code="payable_bill_duplicate")
    if mode == ImportMode.ALL_OR_NOTHING and report.errors:
        for r in report.valid:
            r.code = "batch_rejected"
        return report
    if not report.valid:
        raise ValidationFailed("The bill has no row to import", code="payable_bill_empty")
    digest = report.digest
    now = timezone.now()
    try:
        with transaction.atomic():
            if save and columns is not None:
                save_mapping(actor, line, mp.columns, mp.weight_unit, mp.default_currency)
            bill = UpstreamBill.objects.create(
                upstream_line=line, filename=filename[:200], digest=digest, mode=mode,
                row_count=len(report.rows), refused_count=len(report.errors),
                imported_by=actor if getattr(actor, "pk", None) else None, imported_at=now,
            )  # fmt: skip
            insert_rows(UpstreamBillLine, _LINE_FIELDS, [
                (bill.pk, r.row, r.waybill_number, r.last_mile_number, r.reference, r.weight_g,
                 r.amount, r.currency, r.fee_item, r.billed_on, x.waybill_id, x.match_code,
                 x.compared, x.their_total, x.our_weight_g, x.our_amount, x.weight_diff_g,
                 x.price_diff, LineStatus.OPEN, "", "", now)
                for r in report.valid for x in [report.matches[r.row]]
            ])  # fmt: skip
            audit.record(actor, "finance.payables.bill_imported", bill, {
                "upstream_line": line.code, "file": filename[:200], "mode": mode,
                "rows": len(report.rows), "imported": len(report.valid),
                "refused": len(report.errors), "unmatched": len(report.unmatched),
            })  # fmt: skip
    except IntegrityError:  # the same bill, imported by someone else a moment ago
        raise Conflict("This bill was imported already", code="payable_bill_duplicate") from None
    for r in report.valid:
        r.code = "imported"
    report.bill = bill
    return report


# --- a line's audit ----------------------------------------------------------------------------


def _line(line_id) -> UpstreamBillLine:
    found = (
        UpstreamBillLine.objects.select_related("bill__upstream_line").filter(pk=line_id).first()
    )
    if found is None:
        raise NotFound("No such bill line", code="payable_line_not_found")
    return found


def _reason(text: str, code: str) -> str:
    text = (text or "").strip()
    if not text:
        raise ValidationFailed("Give a reason", code=code)
    if len(text) > MAX_REASON:
        raise ValidationFailed(f"A reason has at most {MAX_REASON} characters", code=code)
    return text


def _amount(value, currency: str) -> Decimal:
    try:
        amount = m.number(str(value).strip())
    except (InvalidOperation, ValueError):
        amount = Decimal(0)
    if not amount.is_finite() or amount <= 0 or quantize(amount, currency) != amount:
        raise ValidationFailed(f"{value} is not a positive amount in {currency}",
                               code="payable_amount_invalid")  # fmt: skip
    return amount


def _check_state(line: UpstreamBillLine, to: str) -> None:
    if to not in LINE_TRANSITIONS.get(line.status, set()):
        raise Conflict(f"The line is {line.status}: it cannot be {to}",
                       code="payable_line_decided", details={"status": line.status})  # fmt: skip


def _decide(actor, line, to: str, why: str, **extra) -> None:
    transition(line, to, table=LINE_TRANSITIONS, actor=actor, reason=why[:200],
               extra={"decided_by": actor if getattr(actor, "pk", None) else None,
                      "decided_at": timezone.now(), **extra})  # fmt: skip


def accept(actor, line_id, *, amount=None, outcome: str = "") -> UpstreamBillLine:
    """Accept an open or disputed line: its charge (or, ending a dispute, the ``amount``
    agreed) is owed to the upstream line, posted to its payables account as a credit note
    (the account's balance goes up by it: what the provider owes the line). Ending a dispute
    says how it ended (``outcome``)."""
    require(actor, P.PAYABLE_MANAGE)
    require(actor, P.LEDGER_POST)
    line = _line(line_id)
    _check_state(line, LineStatus.ACCEPTED)
    settled = line.their_amount if amount in (None, "") else _amount(amount, line.currency)
    if line.status == LineStatus.DISPUTED:
        outcome = _reason(outcome, "payable_outcome_required")
    elif amount not in (None, "") and settled != line.their_amount:
        raise ValidationFailed("An open line is accepted at its charge; dispute it first",
                               code="payable_amount_not_disputed")  # fmt: skip
    upstream = line.bill.upstream_line
    with transaction.atomic():
        account = ledgers.open_account(actor, upstream, line.currency)
        entry = ledgers.post(
            actor, account, EntryKind.CREDIT_NOTE, Money(settled, line.currency),
            on=timezone.localdate(), reference=(line.waybill_number or line.last_mile_number
                                                or line.reference)[:100],
            source_type=LINE_SOURCE, source_id=str(line.pk),
            memo=f"bill {line.bill_id} row {line.row_number}",
            idempotency_key=f"payable-line-{line.pk}",
        )  # fmt: skip
        _decide(actor, line, LineStatus.ACCEPTED, outcome, outcome=outcome[:MAX_REASON],
                settled_amount=settled, ledger_entry=entry)  # fmt: skip
        audit.record(actor, "finance.payables.line_accepted", line,
                     {"amount": settled, "currency": line.currency, "entry": entry.pk})  # fmt: skip
    return line


def dispute(actor, line_id, *, reason: str) -> UpstreamBillLine:
    """Dispute an open line (why, in ``reason``): nothing is owed until it ends accepted or
    written off."""
    require(actor, P.PAYABLE_MANAGE)
    reason = _reason(reason, "payable_reason_required")
    line = _line(line_id)
    _check_state(line, LineStatus.DISPUTED)
    with transaction.atomic():
        _decide(actor, line, LineStatus.DISPUTED, reason, reason=reason)
        audit.record(actor, "finance.payables.line_disputed", line, {"reason": reason})
    return line


def write_off(actor, line_id, *, reason: str) -> UpstreamBillLine:
    """Close an open or disputed line as not owed (the line waived it, or it is not ours):
    nothing is posted."""
    require(actor, P.PAYABLE_MANAGE)
    reason = _reason(reason, "payable_reason_required")
    line = _line(line_id)
    _check_state(line, LineStatus.WRITTEN_OFF)
    extra = {"outcome": reason} if line.status == LineStatus.DISPUTED else {"reason": reason}
    with transaction.atomic():
        _decide(actor, line, LineStatus.WRITTEN_OFF, reason, settled_amount=Decimal(0), **extra)
        audit.record(actor, "finance.payables.line_written_off", line, {"reason": reason})
    return line


# --- payments ----------------------------------------------------------------------------------


def pay(actor, upstream: UpstreamLine, amount, currency: str, *, reference: str,
        on: dt.date | None = None, idempotency_key: str = "") -> LedgerEntry:  # fmt: skip
    """A payment to the upstream line: an adjustment of −amount on its payables account
    (what the provider owes it goes down). The same ``idempotency_key`` (the reference by
    default) again changes nothing."""
    require(actor, P.PAYABLE_MANAGE)
    require(actor, P.LEDGER_POST)
    currency = check_currency((currency or "").strip().upper())
    value = _amount(amount, currency)
    reference = (reference or "").strip()
    if not reference:
        raise ValidationFailed("A payment has a reference (the bank's)",
                               code="payable_payment_reference_required")  # fmt: skip
    with transaction.atomic():
        account = ledgers.open_account(actor, upstream, currency)
        return ledgers.post(
            actor, account, EntryKind.ADJUSTMENT, Money(-value, currency), on=on,
            reference=reference[:100], source_type=PAYMENT_SOURCE, source_id=upstream.code,
            memo="payment to the upstream line",
            idempotency_key=(idempotency_key or f"payable-payment-{reference}")[:100],
        )  # fmt: skip
