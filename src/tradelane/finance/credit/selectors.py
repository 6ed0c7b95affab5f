"""Reads of credit control, for the finance pages, the portal and the export: each customer's
balance, credit and parcels held for arrears, and the receivables' ageing.

Every read is narrowed to the customers the user may see (``forwarding.partners.scoping``, the
one scoping place): finance sees all, a salesperson its own, a portal user its own account.

Ageing (账龄): a customer's unpaid charges by the date they were booked, with everything paid
or credited (receipts, credit notes, write-offs, positive adjustments) applied to the oldest
charges first (FIFO); the rest is bucketed by age on ``as_of``: 0-30, 31-60, 61-90 and over 90
days. One aggregate query for every customer at once: a running total of each account's
charges (a window function) against the sum of what it was paid, in integer ten-thousandths
(SQLite's SUM of a decimal column is a float).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import connection
from django.db.models import Count
from django.utils import timezone

from tradelane.core.money import quantize
from tradelane.forwarding.hub.models import ProblemParcel, ProblemReason
from tradelane.forwarding.partners import scoping
from tradelane.forwarding.partners.models import CustomerAccount

from ..ledgers.models import Account, LedgerEntry, OwnerKind
from .services import PAYMENT, credit_limit

BUCKETS = ("0_30", "31_60", "61_90", "90_plus")
UNITS = 10_000  # the ledger keeps 4 decimals


@dataclass(frozen=True)
class Standing:
    """One customer's account in one currency: what it has and may still spend."""

    customer: CustomerAccount
    currency: str
    balance: Decimal
    credit_limit: Decimal
    held: int  # parcels held for arrears in this currency

    @property
    def available(self) -> Decimal:
        return self.balance + self.credit_limit


def standings(user) -> list[Standing]:
    """Every account of the customers ``user`` sees, by customer code then currency (three
    queries: the customers, their accounts, their arrears holds)."""
    customers = {c.pk: c for c in scoping.customers(user).order_by("code")}
    if not customers:
        return []
    accounts = (Account.objects.filter(owner_kind=OwnerKind.CUSTOMER, customer_id__in=customers)
                .values_list("customer_id", "currency", "balance"))  # fmt: skip
    rows = (
        ProblemParcel.objects.filter(reason=ProblemReason.ARREARS_HOLD, resolved_at__isnull=True,
                                     waybill__customer_id__in=customers)
        .values_list("waybill__customer_id", "waybill__sale_currency")
        .annotate(n=Count("id")).order_by()
    )  # fmt: skip
    held = {(c, cur): n for c, cur, n in rows}
    out = [
        Standing(customers[c], cur, bal, credit_limit(customers[c], cur), held.pop((c, cur), 0))
        for c, cur, bal in accounts
    ]
    # a customer held without an account yet (none opened) still shows
    out += [Standing(customers[c], cur, Decimal(0), credit_limit(customers[c], cur), n)
            for (c, cur), n in held.items()]  # fmt: skip
    return sorted(out, key=lambda s: (s.customer.code, s.currency))


def arrears_holds(user):
    """The open arrears holds of the customers ``user`` sees, the oldest first, with the
    waybill and its customer (one query)."""
    return (
        ProblemParcel.objects.filter(reason=ProblemReason.ARREARS_HOLD, resolved_at__isnull=True)
        .filter(scoping.customer_filter(user, "waybill__customer"))
        .select_related("waybill__customer")
        .order_by("opened_at", "id")
    )


def arrears_hold(user, pk: int) -> ProblemParcel | None:
    return arrears_holds(user).filter(pk=pk).first()


def payments(user, limit: int = 50) -> list[LedgerEntry]:
    """The latest top-ups of the customers ``user`` sees (one query)."""
    return list(
        LedgerEntry.objects.filter(source_type=PAYMENT, account__owner_kind=OwnerKind.CUSTOMER)
        .filter(scoping.customer_filter(user, "account__customer"))
        .select_related("account__customer", "created_by")
        .order_by("-id")[:limit]
    )


@dataclass
class AgeingRow:
    customer: CustomerAccount
    currency: str
    buckets: dict[str, Decimal] = field(default_factory=dict)

    @property
    def total(self) -> Decimal:
        return sum(self.buckets.values(), Decimal(0))


_AGEING_SQL = f"""
WITH e AS (
    SELECT le.account_id, le.id, le.booked_on,
           CAST(ROUND(le.amount * {UNITS}) AS BIGINT) AS units
    FROM finance_ledgerentry le
    JOIN finance_account a ON a.id = le.account_id
    WHERE a.owner_kind = %s AND le.booked_on <= %s
),
paid AS (
    SELECT account_id, SUM(units) AS paid FROM e WHERE units > 0 GROUP BY account_id
),
owed AS (
    SELECT account_id, booked_on, -units AS owed,
           SUM(-units) OVER (PARTITION BY account_id ORDER BY booked_on, id
                             ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS running
    FROM e WHERE units < 0
),
unpaid AS (
    SELECT o.account_id, o.booked_on,
           CASE WHEN o.running - COALESCE(p.paid, 0) <= 0 THEN 0
                WHEN o.running - COALESCE(p.paid, 0) >= o.owed THEN o.owed
                ELSE o.running - COALESCE(p.paid, 0) END AS unpaid
    FROM owed o LEFT JOIN paid p ON p.account_id = o.account_id
)
SELECT a.customer_id, a.currency,
       CASE WHEN u.booked_on >= %s THEN '0_30'
            WHEN u.booked_on >= %s THEN '31_60'
            WHEN u.booked_on >= %s THEN '61_90'
            ELSE '90_plus' END AS bucket,
       SUM(u.unpaid)
FROM unpaid u JOIN finance_account a ON a.id = u.account_id
WHERE u.unpaid > 0
GROUP BY a.customer_id, a.currency, bucket
"""


def ageing(user, as_of: dt.date | None = None) -> list[AgeingRow]:
    """The unpaid charges of the customers ``user`` sees, by age on ``as_of`` (today by
    default), one row per customer and currency with something unpaid, by customer code (two
    queries: the customers in scope, the ageing of all of them)."""
    as_of = as_of or timezone.localdate()
    customers = {c.pk: c for c in scoping.customers(user)}
    if not customers:
        return []
    bounds = [as_of - dt.timedelta(days=d) for d in (30, 60, 90)]
    with connection.cursor() as cursor:
        cursor.execute(_AGEING_SQL, [OwnerKind.CUSTOMER.value, as_of, *bounds])
        rows = cursor.fetchall()
    found: dict[tuple[int, str], AgeingRow] = {}
    for customer_id, currency, bucket, units in rows:
        if customer_id not in customers:
            continue
        row = found.get((customer_id, currency))
        if row is None:
            row = found[(customer_id, currency)] = AgeingRow(
                customers[customer_id], currency, dict.fromkeys(BUCKETS, Decimal(0))
            )
        row.buckets[bucket] = quantize(Decimal(int(units)) / UNITS, currency)
    return sorted(found.values(), key=lambda r: (r.customer.code, r.currency))


def ageing_totals(rows: list[AgeingRow]) -> dict[str, dict[str, Decimal]]:
    """{currency: {bucket: sum, "total": sum}} over ``rows`` (no query)."""
    out: dict[str, dict[str, Decimal]] = {}
    for r in rows:
        t = out.setdefault(r.currency, {**dict.fromkeys(BUCKETS, Decimal(0)), "total": Decimal(0)})
        for b in BUCKETS:
            t[b] += r.buckets[b]
        t["total"] += r.total
    return out
