"""Reads of the payables shared by the pages and the export: bills, a bill's audit lines
(differences only, by status), its totals, and an upstream line's payables balance."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Q, QuerySet

from tradelane.core.errors import NotFound
from tradelane.core.money import Money
from tradelane.forwarding.partners.models import UpstreamLine

from ..ledgers.models import Account, LedgerEntry
from .models import PAYMENT_SOURCE, LineStatus, UpstreamBill, UpstreamBillLine

DIFFERENCES = (
    Q(waybill__isnull=True)
    | (Q(weight_diff_g__isnull=False) & ~Q(weight_diff_g=0))
    | (Q(price_diff__isnull=False) & ~Q(price_diff=0))
)


def bills(line: UpstreamLine | None = None) -> QuerySet[UpstreamBill]:
    qs = UpstreamBill.objects.select_related("upstream_line", "imported_by")
    return qs.filter(upstream_line=line) if line is not None else qs


def bill(pk) -> UpstreamBill:
    found = bills().filter(pk=pk).first()
    if found is None:
        raise NotFound("No such upstream bill", code="payable_bill_not_found")
    return found


def bill_lines(b: UpstreamBill, *, differences_only: bool = False, status: str = "",
               unmatched_only: bool = False) -> QuerySet[UpstreamBillLine]:  # fmt: skip
    qs = UpstreamBillLine.objects.filter(bill=b).select_related("waybill", "decided_by")
    if differences_only:
        qs = qs.filter(DIFFERENCES)
    if unmatched_only:
        qs = qs.filter(waybill__isnull=True)
    if status in LineStatus.values:
        qs = qs.filter(status=status)
    return qs.order_by("row_number")


@dataclass
class Totals:
    """A bill's audit in figures: rows, matched and unmatched, weight and price differences
    (count and amounts), and per currency their charge, our payable, accepted and open."""

    lines: int = 0
    matched: int = 0
    unmatched: int = 0
    weight_differences: int = 0
    weight_diff_g: int = 0  # the sum of their − ours
    price_differences: int = 0
    price_diff: dict[str, Decimal] = field(default_factory=dict)
    billed: dict[str, Decimal] = field(default_factory=dict)
    ours: dict[str, Decimal] = field(default_factory=dict)
    unmatched_amount: dict[str, Decimal] = field(default_factory=dict)
    by_status: dict[str, int] = field(default_factory=dict)
    accepted: dict[str, Decimal] = field(default_factory=dict)


def _add(d: dict, cur: str, value) -> None:
    d[cur] = d.get(cur, Decimal(0)) + value


def totals(b: UpstreamBill) -> Totals:
    """The bill's totals from its lines (one query)."""
    t = Totals(by_status=defaultdict(int))
    for (wid, cur, amount, wdiff, pdiff, ours, status, settled) in UpstreamBillLine.objects.filter(
        bill=b
    ).values_list("waybill_id", "currency", "their_amount", "weight_diff_g", "price_diff",
                  "our_amount", "status", "settled_amount"):  # fmt: skip
        t.lines += 1
        t.by_status[status] += 1
        _add(t.billed, cur, amount)
        if wid is None:
            t.unmatched += 1
            _add(t.unmatched_amount, cur, amount)
        else:
            t.matched += 1
        if wdiff:
            t.weight_differences += 1
            t.weight_diff_g += wdiff
        if pdiff:
            t.price_differences += 1
            _add(t.price_diff, cur, pdiff)
        if ours is not None:
            _add(t.ours, cur, ours)
        if status == LineStatus.ACCEPTED and settled is not None:
            _add(t.accepted, cur, settled)
    t.by_status = dict(t.by_status)
    return t


def payables_accounts(line: UpstreamLine) -> list[Account]:
    """The upstream line's accounts (one per currency): ``balance`` is what the provider owes
    it (positive) or has paid in advance (negative)."""
    return list(Account.objects.filter(upstream_line=line).order_by("currency"))


def balance_of_line(line: UpstreamLine, currency: str) -> Money:
    account = Account.objects.filter(upstream_line=line, currency=currency).first()
    return Money(account.balance if account else Decimal(0), currency)


def payments(line: UpstreamLine) -> QuerySet[LedgerEntry]:
    return LedgerEntry.objects.filter(
        account__upstream_line=line, source_type=PAYMENT_SOURCE
    ).order_by("-id")
