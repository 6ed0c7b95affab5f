"""Rate shopping: which channel carries an order, and why.

For an order (or a package, or a bare parcel) the engine's ``Parcel`` is built from its lines
(``rates.parcels``: weights, the box estimate, measured values, flags). Every
active channel is quoted (the engine refuses with reasons: destination, limits, flags, no
sheet/zone/bracket, carrier-priced channels), then the first active ``ShippingRule`` (by
priority) whose conditions all hold picks among the candidates:

- conditions: destination countries ("EU" matches the 27 member states), store, SKU attribute
  (battery, liquid, magnet: the parcel carries one), order value range in a currency
  (converted with ``core.fx``; an order whose value cannot be converted does not match).
- decision: the channels it allows (empty: all) and a strategy: ``cheapest``; ``fastest``
  (shortest maximum transit days, then price); ``cheapest_within_days`` (transit days at most
  N, unknown transit days do not qualify). Without a matching rule: cheapest.

Prices compare in the company's base currency (``core.fx``); ties go to the channel code.
The seller prices with each channel's cost sheet (what the seller pays); ``level`` selects a
customer level's sale sheet for the provider side.

An order in an open package (merged with other orders, or one parcel of a split) is never
shopped alone: the package is, from all its lines of all its orders (a magnet in any of them
makes the package a magnet parcel), and the choice is kept for each order in it, naming the
package; shipment creation takes a package's channel only from such a choice.

The bulk path (``shop_orders``) loads a chunk of orders with a fixed number of queries (orders;
the lines of their open packages; the other orders in those packages; the other orders' lines,
joined with their SKUs), compiles channels and rules once, quotes in memory and writes the
choices with ``core.bulk.insert_rows`` (the chunk's previous choices deleted first).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from tradelane.accounts.permissions import require
from tradelane.accounts.roles import P
from tradelane.core import audit, jobs
from tradelane.core.bulk import insert_rows
from tradelane.core.countries import EU_MEMBERS, in_destination
from tradelane.core.errors import NotFound, ValidationFailed
from tradelane.core.fx import Rates, total_in
from tradelane.core.money import Money
from tradelane.orders.models import Order, OrderLine, Package, PackageLine
from tradelane.orders.states import OrderStatus

from ..rates import selectors
from ..rates.chargeable import Parcel
from ..rates.descriptions import SHEET_COST, SHEET_SALE
from ..rates.engine import CompiledChannel, Quote, Reason, quote
from ..rates.parcels import BOX_PADDING_MM, Item, Measured, build_parcel, estimate_box
from .models import SHOP_CHEAPEST, SHOP_CHEAPEST_WITHIN, SHOP_FASTEST, RateChoice, ShippingRule

CHUNK = 2000

# Names callers knew from this module before they moved (the parcel to rates.parcels, FX to
# core.fx, the EU to core.countries); kept for one release.
__reexported__ = (
    BOX_PADDING_MM, EU_MEMBERS, Item, Measured, Rates, build_parcel, estimate_box, in_destination,
    total_in,
)  # fmt: skip

ATTRIBUTES = ("battery", "liquid", "magnet")


# --- rules ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Rule:
    id: int | None
    name: str
    priority: int = 100
    countries: tuple[str, ...] = ()
    store_id: int | None = None
    sku_attribute: str = ""
    min_value: Decimal | None = None
    max_value: Decimal | None = None
    value_currency: str = ""
    strategy: str = SHOP_CHEAPEST
    max_days: int | None = None
    channels: tuple[str, ...] = ()
    incoterm: str = ""


def load_rules() -> list[Rule]:
    return [
        Rule(
            r.pk, r.name, r.priority, tuple(r.countries or ()), r.store_id, r.sku_attribute,
            r.min_order_value, r.max_order_value, r.value_currency, r.strategy, r.max_days,
            tuple(r.channels or ()), r.incoterm,
        )
        for r in ShippingRule.objects.filter(is_active=True).order_by("priority", "id")
    ]  # fmt: skip


@dataclass(frozen=True, slots=True)
class Subject:
    """What is being shopped for: the parcel plus the facts rules look at."""

    parcel: Parcel
    store_id: int | None = None
    order_value: Money | None = None
    ref: object = None  # the order id, or anything the caller wants back


def rule_matches(rule: Rule, s: Subject, rates: Rates) -> bool:
    p = s.parcel
    if rule.countries and not any(in_destination(p.country, c) for c in rule.countries):
        return False
    if rule.store_id is not None and rule.store_id != s.store_id:
        return False
    if rule.sku_attribute and not getattr(p, rule.sku_attribute, False):
        return False
    if rule.min_value is not None or rule.max_value is not None:
        if s.order_value is None:
            return False
        value = rates.convert(s.order_value, rule.value_currency or s.order_value.currency)
        if value is None:
            return False
        if rule.min_value is not None and value.amount < rule.min_value:
            return False
        if rule.max_value is not None and value.amount > rule.max_value:
            return False
    return True


def describe_rule(rule: Rule) -> str:
    parts = []
    if rule.countries:
        parts.append("to " + ", ".join(rule.countries))
    if rule.store_id is not None:
        parts.append(f"store {rule.store_id}")
    if rule.sku_attribute:
        parts.append(f"contains {rule.sku_attribute}")
    if rule.min_value is not None or rule.max_value is not None:
        lo = rule.min_value if rule.min_value is not None else "0"
        hi = rule.max_value if rule.max_value is not None else "∞"
        parts.append(f"order value {lo}–{hi} {rule.value_currency}")
    days = f" {rule.max_days} days" if rule.strategy == SHOP_CHEAPEST_WITHIN else ""
    only = f", only {', '.join(rule.channels)}" if rule.channels else ""
    cond = "; ".join(parts) or "always"
    return f"rule {rule.name!r} ({cond}): {rule.strategy}{days}{only}"


# --- shopping ------------------------------------------------------------------------------


@dataclass(slots=True)
class Choice:
    """The answer for one subject; explains itself."""

    ref: object
    quote: Quote | None  # the chosen quote
    rule: Rule | None
    strategy: str
    candidates: list[tuple[Quote, Money | None]]  # ok quotes, with the compared amount
    refused: list[tuple[str, tuple[Reason, ...]]]
    compare_currency: str
    chargeable_g: int | None = None
    lines: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.quote is not None

    def explain(self) -> list[str]:
        out = [describe_rule(self.rule) if self.rule else "no rule matched: cheapest"]
        for q, compared in self.candidates:
            days = _days_text(q)
            conv = f" (= {compared})" if compared is not None and compared != q.total else ""
            out.append(f"candidate {q.channel_code}: {q.total}{conv}{days}")
        for code, reasons in self.refused:
            out.append(f"refused {code}: " + "; ".join(f"{r.message} [{r.code}]" for r in reasons))
        if self.quote is not None:
            out.append(f"chosen {self.quote.channel_code}: {self.quote.total}")
        else:
            out.append("no channel can carry this parcel")
        return out

    def short(self) -> list[str]:
        """What is stored with the choice: rule, chosen, and at most a few refusals."""
        lines = self.explain()
        head = [lines[0], lines[-1]]
        refused = [ln for ln in lines if ln.startswith("refused ")]
        return (
            head
            + refused[:5]
            + ([f"... {len(refused) - 5} more refused"] if len(refused) > 5 else [])
        )

    def as_dict(self) -> dict:
        q = self.quote
        package = self.ref if isinstance(self.ref, PackageRef) else None
        return {
            "ref": str(package) if package else self.ref,
            "package_id": package.package_id if package else None,
            "order_ids": list(package.order_ids) if package else [self.ref],
            "ok": self.ok,
            "channel": q.channel_code if q else None,
            "channel_id": q.channel_id if q else None,
            "amount": str(q.total.amount) if q and q.total else None,
            "currency": q.currency if q else None,
            "chargeable_weight_g": q.chargeable_g if q else self.chargeable_g,
            "zone": q.zone if q else "",
            "rule": {"id": self.rule.id, "name": self.rule.name} if self.rule else None,
            "strategy": self.strategy,
            "candidates": [
                {
                    "channel": c.channel_code,
                    "amount": str(c.total.amount),
                    "currency": c.currency,
                    "compared": str(m.amount) if m is not None else None,
                    "transit_days_min": c.transit_days[0],
                    "transit_days_max": c.transit_days[1],
                }
                for c, m in self.candidates
            ],
            "refused": [
                {"channel": code, "reasons": [{"code": r.code, "message": r.message} for r in rs]}
                for code, rs in self.refused
            ],
            "explanation": self.explain(),
            "quote_explanation": q.explain() if q else [],
        }


def _days_text(q: Quote) -> str:
    lo, hi = q.transit_days
    if lo is None and hi is None:
        return ""
    if lo == hi or lo is None or hi is None:
        return f", {hi if hi is not None else lo} days"
    return f", {lo}–{hi} days"


def _transit_max(q: Quote) -> int | None:
    lo, hi = q.transit_days
    return hi if hi is not None else lo


class Shopper:
    """Channels, rules and FX loaded once; ``choose`` is pure and in memory."""

    def __init__(
        self,
        channels: list[CompiledChannel] | None = None,
        rules: list[Rule] | None = None,
        *,
        level: str | None = None,
        compare_currency: str | None = None,
        on_date: dt.date | None = None,
    ) -> None:
        self.channels = selectors.compiled_channels() if channels is None else channels
        self.rules = load_rules() if rules is None else rules
        self.sheet = SHEET_COST if level is None else (SHEET_SALE, level)
        if compare_currency is None:
            from tradelane.accounts.selectors import company

            compare_currency = company().base_currency
        self.compare_currency = compare_currency
        self.on_date = on_date
        self.rates = Rates()

    def _parcel_for(self, ch: CompiledChannel, p: Parcel, cache: dict) -> Parcel:
        """The parcel with its declared value in the channel's limit currency, if it has one
        (the engine compares a limit only in its own currency)."""
        limit = ch.cfg.max_declared_value
        if limit is None or p.declared_value is None or p.declared_value.currency == limit.currency:
            return p
        hit = cache.get(limit.currency)
        if hit is None:
            value = self.rates.convert(p.declared_value, limit.currency)
            hit = dataclasses.replace(p, declared_value=value) if value is not None else p
            cache[limit.currency] = hit
        return hit

    def choose(self, s: Subject, *, channel_codes: Iterable[str] | None = None) -> Choice:
        p = s.parcel
        rule = next((r for r in self.rules if rule_matches(r, s, self.rates)), None)
        strategy = rule.strategy if rule else SHOP_CHEAPEST
        allowed = set(rule.channels) if rule and rule.channels else None
        only = set(channel_codes) if channel_codes is not None else None
        candidates: list[tuple[Quote, Money | None]] = []
        refused: list[tuple[str, tuple[Reason, ...]]] = []
        cache: dict = {}
        chargeable = None
        for ch in self.channels:
            code = ch.cfg.code
            if only is not None and code not in only:
                continue
            q = quote(ch, self._parcel_for(ch, p, cache), sheet=self.sheet, on_date=self.on_date)
            chargeable = chargeable or q.chargeable_g
            reasons = list(q.reasons)
            if allowed is not None and code not in allowed:
                reasons.append(Reason("excluded_by_rule", f"rule {rule.name!r} does not allow it"))  # type: ignore[union-attr]
            compared = None
            if not reasons:
                compared = self.rates.convert(q.total, self.compare_currency)  # type: ignore[arg-type]
                if compared is None:
                    reasons.append(
                        Reason(
                            "no_fx_rate",
                            f"no exchange rate {q.currency}->{self.compare_currency} to compare",
                        )
                    )
            if strategy == SHOP_CHEAPEST_WITHIN and not reasons:
                days = _transit_max(q)
                limit = rule.max_days if rule and rule.max_days is not None else 0
                if days is None or days > limit:
                    reasons.append(
                        Reason(
                            "too_slow",
                            f"transit {days if days is not None else 'unknown'} days, "
                            f"more than {limit}",
                        )
                    )
            if reasons:
                refused.append((code, tuple(reasons)))
            else:
                candidates.append((q, compared))
        if strategy == SHOP_FASTEST:
            key = lambda c: (  # noqa: E731
                _transit_max(c[0]) if _transit_max(c[0]) is not None else 10**6,
                c[1].amount,
                c[0].channel_code,
            )
        else:
            key = lambda c: (c[1].amount, c[0].channel_code)  # noqa: E731
        candidates.sort(key=key)
        chosen = candidates[0][0] if candidates else None
        return Choice(
            s.ref, chosen, rule, strategy, candidates, refused, self.compare_currency, chargeable
        )

    def choose_all(self, subjects: Iterable[Subject]) -> list[Choice]:
        return [self.choose(s) for s in subjects]


# --- orders and packages to subjects (set-based) ------------------------------------------------

_LINE_FIELDS = (
    "order_id", "id", "quantity", "unit_price", "sku_id", "sku__weight_g", "sku__length_mm",
    "sku__width_mm", "sku__height_mm", "sku__has_battery", "sku__has_liquid", "sku__has_magnet",
)  # fmt: skip
_ORDER_FIELDS = (
    "id", "status", "store_id", "currency", "items_total", "ship_country", "ship_postcode",
    "ship_city",
)  # fmt: skip


def _item(row: tuple, quantity: int | None = None) -> Item:
    return Item(
        quantity if quantity is not None else row[2],
        row[5] or 0, row[6] or 0, row[7] or 0, row[8] or 0,
        bool(row[9]), bool(row[10]), bool(row[11]),
    )  # fmt: skip


def order_value(currency: str, items_total: Decimal, lines: Iterable[tuple]) -> Money:
    """The goods value of an order: its items total, else the sum of its lines."""
    if items_total:
        return Money(items_total, currency)
    return Money(sum((r[3] * r[2] for r in lines), Decimal(0)), currency)


@dataclass(frozen=True, slots=True)
class PackageRef:
    """What a package's subject stands for: the package and every order it carries (its
    choice is kept for each of them, naming the package)."""

    package_id: int
    order_ids: tuple[int, ...]

    def __str__(self) -> str:
        return f"PKG{self.package_id:06d}"


def _open_package_lines(order_ids: Sequence[int]) -> dict[int, list[tuple]]:
    """``{package_id: [(quantity, *line fields)]}``: every line of every open package holding
    any of these orders, other orders' lines included (one query)."""
    holding = PackageLine.objects.filter(
        package__status=Package.Status.OPEN, order_line__order_id__in=list(order_ids)
    ).values("package_id")
    rows = (
        PackageLine.objects.filter(package_id__in=holding)
        .order_by("package_id", "id")
        .values_list("package_id", "quantity", *(f"order_line__{f}" for f in _LINE_FIELDS))
    )
    out: dict[int, list[tuple]] = defaultdict(list)
    for row in rows:
        out[row[0]].append(row[1:])
    return out


def _package_parcel(
    rows: list[tuple], orders: dict[int, tuple], rates: Rates, measured: Measured | None
) -> tuple[Parcel, Money, tuple]:
    """The parcel of a package from all its lines (``rows``: quantity, then the line fields),
    its value (the lines' prices in the first order's currency) and that first order's row."""
    first = orders[min(r[1] for r in rows)]
    value = total_in(rates, (Money(r[4] * r[0], orders[r[1]][3]) for r in rows), first[3])
    parcel = build_parcel(
        [_item(r[1:], r[0]) for r in rows],
        country=first[5],
        postcode=first[6],
        city=first[7],
        declared_value=value,
        measured=measured,
    )
    return parcel, value, first


def load_order_subjects(
    order_ids: Sequence[int],
    *,
    measured: dict[int, Measured] | None = None,
    done_packages: set[int] | None = None,
) -> tuple[dict[int, tuple], list[Subject], dict[int, str]]:
    """What to shop for these orders: an order in an open package (merged with other orders,
    or one parcel of a split) is shopped as that package, from all the package's lines, of
    every order in it (``PackageRef``); any other order from its own lines (its id as ref).

    A fixed number of queries: the orders, the lines of their open packages, the other orders
    in those packages (when there are any), the lines of the orders not in a package.
    ``done_packages``: packages already shopped (earlier chunks), skipped and filled in.
    ``measured``: by order id; it applies to an order alone, or to its package if it has one.

    Returns (order rows by id, subjects, problems by order id: unmapped lines, no weight)."""
    ids = list(order_ids)
    orders = {r[0]: r for r in Order.objects.filter(pk__in=ids).values_list(*_ORDER_FIELDS)}
    packages = _open_package_lines(list(orders))
    packages_of: dict[int, list[int]] = defaultdict(list)
    for pid, rows in packages.items():
        for oid in sorted({r[1] for r in rows}):
            packages_of[oid].append(pid)
    more = set(packages_of) - set(orders)
    if more:
        orders.update(
            (r[0], r) for r in Order.objects.filter(pk__in=more).values_list(*_ORDER_FIELDS)
        )
    lines: dict[int, list[tuple]] = defaultdict(list)
    alone = [oid for oid in orders if oid not in packages_of]
    if alone:
        for row in (
            OrderLine.objects.filter(order_id__in=alone).order_by().values_list(*_LINE_FIELDS)
        ):
            lines[row[0]].append(row)
    subjects = []
    problems: dict[int, str] = {}
    measured = measured or {}
    done = done_packages if done_packages is not None else set()
    rates = Rates()
    for oid in ids:
        o = orders.get(oid)
        if o is None:
            continue
        if oid in packages_of:
            for pid in packages_of[oid]:
                if pid in done:
                    continue
                done.add(pid)
                rows = packages[pid]
                members = tuple(sorted({r[1] for r in rows}))
                if any(r[5] is None for r in rows):
                    problems.update(dict.fromkeys(members, "unmapped_sku"))
                    continue
                own = measured.get(oid) if len(packages_of[oid]) == 1 else None
                try:
                    parcel, value, first = _package_parcel(rows, orders, rates, own)
                except ValidationFailed as exc:
                    problems.update(dict.fromkeys(members, exc.code))
                    continue
                subjects.append(Subject(parcel, first[2], value, PackageRef(pid, members)))
            continue
        rows = lines.get(oid, [])
        if any(r[4] is None for r in rows):
            problems[oid] = "unmapped_sku"
            continue
        value = order_value(o[3], o[4], rows)
        try:
            parcel = build_parcel(
                [_item(r) for r in rows],
                country=o[5],
                postcode=o[6],
                city=o[7],
                declared_value=value,
                measured=measured.get(oid),
            )
        except ValidationFailed as exc:
            problems[oid] = exc.code
            continue
        subjects.append(Subject(parcel, o[2], value, oid))
    return orders, subjects, problems


def package_subject(package: Package, *, measured: Measured | None = None) -> Subject:
    """A merged or split package: all its lines (of every order in it), the first order's
    address, the lines' value."""
    rows = list(
        PackageLine.objects.filter(package=package).values_list(
            "quantity", *(f"order_line__{f}" for f in _LINE_FIELDS)
        )
    )
    if not rows:
        raise ValidationFailed("The package has no lines", code="empty_package")
    order_ids = sorted({r[1] for r in rows})
    orders = {r[0]: r for r in Order.objects.filter(pk__in=order_ids).values_list(*_ORDER_FIELDS)}
    parcel, value, first = _package_parcel(rows, orders, Rates(), measured)
    return Subject(parcel, first[2], value, PackageRef(package.pk, tuple(order_ids)))


# --- services -------------------------------------------------------------------------------


def rate_shop_parcel(
    actor, parcel: Parcel, *, store_id=None, order_value: Money | None = None, level=None
) -> Choice:
    """Shop a bare parcel (nothing is stored)."""
    require(actor, P.RATE_SHOP)
    value = order_value if order_value is not None else parcel.declared_value
    return Shopper(level=level).choose(Subject(parcel, store_id, value, None))


def rate_shop_orders(
    actor,
    order_ids: Sequence[int],
    *,
    measured: dict[int, Measured] | None = None,
    level: str | None = None,
    store: bool = True,
) -> list[Choice]:
    """Shop a few orders and (``store``) keep each order's choice. An order in an open package
    is shopped as the package, from the lines of every order in it, and the choice is kept
    for each of them (``load_order_subjects``). Unknown ids are a 404."""
    require(actor, P.RATE_SHOP)
    ids = list(dict.fromkeys(int(i) for i in order_ids))
    orders, subjects, problems = load_order_subjects(ids, measured=measured)
    missing = [i for i in ids if i not in orders]
    if missing:
        raise NotFound("Some orders do not exist", code="order_not_found", details=missing)
    if problems:
        raise ValidationFailed(
            "Some orders cannot be shopped",
            code="cannot_rate_shop",
            details=[{"order_id": k, "code": v} for k, v in problems.items()],
        )
    choices = Shopper(level=level).choose_all(subjects)
    if store:
        with transaction.atomic():
            write_choices(choices)
            audit.record(
                actor,
                "logistics.rate_shop",
                None,
                {"orders": ids},
                entity="orders.order",
                object_id=",".join(map(str, ids))[:64],
            )
    return choices


_CHOICE_FIELDS = (
    "order", "package", "channel", "amount", "currency", "chargeable_weight_g", "rule",
    "strategy", "explanation", "quoted_at",
)  # fmt: skip


def choice_orders(choice: Choice) -> tuple[tuple[int, ...], int | None]:
    """(the orders a choice is kept for, the package it priced or None)."""
    if isinstance(choice.ref, PackageRef):
        return choice.ref.order_ids, choice.ref.package_id
    return (choice.ref,), None


def write_choices(choices: Sequence[Choice]) -> int:
    """Replace the choices of these orders: one DELETE and one multi-row INSERT per chunk. A
    package's choice is kept for each order in it, naming the package; an order shopped alone
    keeps one without a package. Every earlier choice of these orders goes (a choice made
    before a merge or split priced a parcel that no longer exists)."""
    if not choices:
        return 0
    now = timezone.now()
    rows = []
    for c in choices:
        q = c.quote
        order_ids, package_id = choice_orders(c)
        for order_id in order_ids:
            rows.append(
                (
                    order_id,
                    package_id,
                    q.channel_id if q else None,
                    q.total.amount if q else None,
                    q.currency if q else "",
                    q.chargeable_g if q else c.chargeable_g,
                    c.rule.id if c.rule else None,
                    c.strategy,
                    c.short(),
                    now,
                )
            )
    ids = sorted({r[0] for r in rows})
    for start in range(0, len(ids), 900):
        RateChoice.objects.filter(order_id__in=ids[start : start + 900]).delete()
    return insert_rows(RateChoice, _CHOICE_FIELDS, rows)


def pending_shipment_ids() -> list[int]:
    return list(
        Order.objects.filter(status=OrderStatus.PENDING_SHIPMENT)
        .order_by("id")
        .values_list("id", flat=True)
    )


def shop_orders(
    actor, order_ids: Sequence[int] | None = None, *, level=None, chunk: int = CHUNK, progress=None
) -> dict:
    """Bulk rate shop (all pending-shipment orders, or these ids), set-based per chunk. An
    order in an open package is shopped as the package (all its orders' lines), once however
    many of its orders are listed or in which chunk. Counts are of orders."""
    require(actor, P.RATE_SHOP)
    source = pending_shipment_ids() if order_ids is None else order_ids
    ids = list(dict.fromkeys(int(i) for i in source))
    shopper = Shopper(level=level)
    counts = {"orders": len(ids), "chosen": 0, "no_channel": 0, "skipped": 0}
    by_channel: dict[str, int] = defaultdict(int)
    wanted, counted, done_packages = set(ids), set(), set()
    for start in range(0, len(ids), chunk):
        part = ids[start : start + chunk]
        _orders, subjects, _problems = load_order_subjects(part, done_packages=done_packages)
        choices = shopper.choose_all(subjects)
        with transaction.atomic():
            write_choices(choices)
        for c in choices:
            members = [i for i in choice_orders(c)[0] if i in wanted and i not in counted]
            counted.update(members)
            if c.quote is None:
                counts["no_channel"] += len(members)
            else:
                counts["chosen"] += len(members)
                by_channel[c.quote.channel_code] += len(members)
        if progress is not None:
            progress(min(start + chunk, len(ids)), len(ids))
    counts["skipped"] = len(wanted - counted)
    audit.record(
        actor, "logistics.rate_shop_bulk", None, {**counts}, entity="orders.order", object_id="*"
    )
    return {**counts, "by_channel": dict(sorted(by_channel.items()))}


@jobs.kind("logistics.rate_shop")
def _rate_shop_job(actor, params: dict, progress) -> dict:
    return shop_orders(actor, params.get("order_ids"), level=params.get("level"), progress=progress)


def start_bulk_rate_shop(actor, order_ids: Sequence[int] | None = None, *, level=None):
    require(actor, P.RATE_SHOP)
    params = {"order_ids": [int(i) for i in order_ids] if order_ids is not None else None}
    if level is not None:
        params["level"] = level
    return jobs.start(actor, "logistics.rate_shop", params, total=len(order_ids or ()))
