"""Reads of statements shared by the staff pages, the portal and the downloads. Every read of
a customer's statements goes through ``forwarding.partners.scoping`` (out of scope: not
found); a portal user never sees a draft."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import QuerySet

from tradelane.core.errors import NotFound
from tradelane.core.money import quantize
from tradelane.forwarding.partners import scoping

from ..fees.models import FeeItem
from .models import Receipt, Statement, StatementDispute, StatementLine
from .models import StatementStatus as S


def statements(user) -> QuerySet[Statement]:
    qs = scoping.scoped(user, Statement.objects.select_related("customer"))
    if scoping.is_portal_user(user):
        qs = qs.exclude(status=S.DRAFT)
    return qs.order_by("-period_start", "-id")


def statement(user, number: str) -> Statement:
    found = statements(user).filter(number=number).first()
    if found is None:
        raise NotFound(f"No statement {number}", code="statement_not_found")
    return found


def lines_of(s: Statement) -> list[StatementLine]:
    return list(
        StatementLine.objects.filter(statement=s)
        .select_related("waybill", "fee_item")
        .order_by("waybill__number", "id")
    )


@dataclass(frozen=True)
class ItemTotal:
    item: FeeItem
    amount: Decimal


def totals_by_item(s: Statement, lines: list[StatementLine] | None = None) -> list[ItemTotal]:
    """The statement's total per fee item, in the catalogue's order."""
    lines = lines_of(s) if lines is None else lines
    sums: dict[str, Decimal] = defaultdict(Decimal)
    items: dict[str, FeeItem] = {}
    for x in lines:
        sums[x.fee_item_id] += x.amount
        items[x.fee_item_id] = x.fee_item
    order = sorted(items.values(), key=lambda i: (i.sort_order, i.code))
    return [ItemTotal(i, quantize(sums[i.code], s.currency)) for i in order]


def disputes_of(s: Statement) -> list[StatementDispute]:
    return list(
        StatementDispute.objects.filter(statement=s)
        .select_related("opened_by", "resolved_by")
        .prefetch_related("lines__waybill")
        .order_by("-opened_at", "-id")
    )


def open_disputes(user) -> QuerySet[StatementDispute]:
    return scoping.scoped(
        user, StatementDispute.objects.select_related("statement__customer", "opened_by"),
        via="statement__customer",
    ).order_by("status", "-opened_at")  # fmt: skip


def receipts(user) -> QuerySet[Receipt]:
    return scoping.scoped(user, Receipt.objects.select_related("customer")).order_by(
        "-received_on", "-id"
    )
