"""The rate engine: pure functions over compiled, immutable channels.

``compile_channel`` turns a channel's configuration and its (validated) rate sheets into
lookup structures once: zones indexed by country, then city, postcode range and postcode
prefix (numeric postcode ranges cut into segments); brackets as sorted upper bounds and fuel
history as sorted dates, both for bisection. ``quote`` then prices one parcel on one channel
without touching the database, and explains itself: the chargeable weight and how it was
derived, the zone and the rule that matched, each charge line, the total; or, when the channel
cannot carry the parcel, every reason why not.

Rules (see DOMAIN.md, "Chargeable weight and prices"; the parcel and its chargeable weight are
``chargeable``):
- chargeable weight per piece: each dimension rounded up to a whole cm; volumetric =
  L x W x H / divisor (kg), applied in full, half (``(actual + volumetric) / 2``) or not at all
  up to a size; optionally only when a side exceeds a length; never below the actual weight;
  then the channel minimum; then rounded up to the step (a second step from a threshold).
- a parcel of N identical pieces is priced on N x the chargeable weight of one piece; limits,
  oversize and overweight apply per piece; registration and per-piece fees are charged N times.
- each charge line is rounded half up to the currency's minor units; the total is their sum;
  fuel is a percentage of the (rounded) lines it applies to, itself rounded.
- prices within a zone never fall as weight rises: ``validation.validate_sheet`` refuses a sheet
  whose freight or registration fee drops from one bracket to the next.
- the sheet in force on the pricing date (latest effective date not after it) prices the
  parcel, and so does the fuel rate; the channel decides whether that date is the day the
  parcel was received or shipped.
"""

from __future__ import annotations

import datetime as dt
import heapq
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import NamedTuple

from tradelane.core.errors import ValidationFailed
from tradelane.core.money import Money, check_currency, minor_units

from .chargeable import ChargeableWeight, Parcel, chargeable_sorted, cm_text, kg_text
from .descriptions import (
    CHARGE_FREIGHT,
    CHARGE_FUEL,
    CHARGE_REGISTRATION,
    DATE_SHIPPED,
    KIND_RATE_SHEET,
    SHEET_COST,
    SHEET_SALE,
    SUR_BATTERY,
    SUR_FIXED,
    SUR_LIQUID,
    SUR_MAGNET,
    SUR_OVERSIZE,
    SUR_OVERWEIGHT,
    SUR_REMOTE,
    AreaRule,
    BracketData,
    ChannelConfig,
    SheetData,
    SurchargeData,
    WeightConfig,
    fuel_base,
    norm_city,
)

_HUNDRED = Decimal(100)


# --- compiled structures --------------------------------------------------------------------


class _RangeGroup:
    """Postcode ranges of one country whose upper bound has one length.

    Numeric groups are cut at compile time into segments, each with its winning range (the
    narrowest, then the first listed), so a lookup is one bisection however long the list.
    Text ranges (rare: GB, CA, NL...) are scanned in order of preference."""

    __slots__ = ("length", "numeric", "starts", "winners", "items")

    def __init__(self, length: int, numeric: bool, items: list[tuple]) -> None:
        self.length = length
        self.numeric = numeric
        items.sort(key=lambda t: t[0])  # (sort key, lo, hi, hit)
        self.items = items
        self.starts: list[int] = []
        self.winners: list[tuple | None] = []
        if numeric:
            events: dict[int, list[tuple[bool, int]]] = {}
            for i, (_, lo, hi, _) in enumerate(items):
                events.setdefault(lo, []).append((True, i))
                events.setdefault(hi + 1, []).append((False, i))
            active: list[int] = []  # a heap of item indexes: items are sorted by preference
            ended: set[int] = set()
            for point in sorted(events):
                for starting, i in events[point]:
                    if starting:
                        heapq.heappush(active, i)
                    else:
                        ended.add(i)
                while active and active[0] in ended:
                    heapq.heappop(active)
                self.starts.append(point)
                self.winners.append((items[active[0]][0], items[active[0]][3]) if active else None)

    def match(self, postcode_key: str) -> tuple | None:
        """(sort key, hit) of the best range holding the postcode, or None."""
        key = postcode_key[: self.length]
        if self.numeric:
            if not key.isdigit():
                return None
            i = bisect_right(self.starts, int(key)) - 1
            return self.winners[i] if i >= 0 else None
        if len(key) != self.length:
            return None
        for sort_key, lo, hi, hit in self.items:
            if lo <= key <= hi:
                return sort_key, hit
        return None


class _CountryIndex:
    __slots__ = ("cities", "ranges", "prefixes", "prefix_lengths", "default")

    def __init__(self) -> None:
        self.cities: dict[str, tuple] = {}
        self.ranges: tuple[_RangeGroup, ...] = ()
        self.prefixes: dict[str, tuple] = {}
        self.prefix_lengths: tuple[int, ...] = ()
        self.default: tuple | None = None


class AreaIndex:
    """Finds the most specific rule for a destination: city > postcode range (the narrowest
    first, numeric width; text ranges after numeric ones; then the first listed) > postcode
    prefix (the longest first) > country. Values are (target, AreaRule).

    A postcode range compares the postcode's first len(to) characters: as numbers when both
    bounds and that part are digits (so ZIP+4 "94043-1234" falls in 90000-96199 and "800" in
    500-1200), otherwise as text of equal length ("EC2A" in EC1A-EC4Z)."""

    __slots__ = ("by_country",)

    def __init__(self, items: Iterable[tuple[AreaRule, object]]) -> None:
        by_country: dict[str, _CountryIndex] = {}
        groups: dict[str, dict[tuple[int, bool], list[tuple]]] = {}
        for position, (rule, target) in enumerate(items):
            ci = by_country.get(rule.country)
            if ci is None:
                ci = by_country[rule.country] = _CountryIndex()
            hit = (target, rule)
            kind = rule.kind
            if kind == "city":
                ci.cities.setdefault(norm_city(rule.city), hit)
            elif kind == "range":
                lo, hi = rule.postcode_from, rule.postcode_to
                numeric = lo.isdigit() and hi.isdigit()
                if numeric:
                    item = ((0, int(hi) - int(lo), position), int(lo), int(hi), hit)
                else:
                    item = ((1, 0, position), lo, hi, hit)
                groups.setdefault(rule.country, {}).setdefault((len(hi), numeric), []).append(item)
            elif kind == "prefix":
                ci.prefixes.setdefault(rule.postcode_prefix, hit)
            elif ci.default is None:
                ci.default = hit
        for country, by_key in groups.items():
            by_country[country].ranges = tuple(
                _RangeGroup(length, numeric, items_) for (length, numeric), items_ in by_key.items()
            )
        for ci in by_country.values():
            ci.prefix_lengths = tuple(sorted({len(p) for p in ci.prefixes}, reverse=True))
        self.by_country = by_country

    def match(self, country: str, postcode_key: str, city_key: str) -> tuple | None:
        ci = self.by_country.get(country)
        if ci is None:
            return None
        if city_key and ci.cities:
            hit = ci.cities.get(city_key)
            if hit is not None:
                return hit
        if postcode_key:
            if ci.ranges:
                best = None
                for group in ci.ranges:
                    found = group.match(postcode_key)
                    if found is not None and (best is None or found[0] < best[0]):
                        best = found
                if best is not None:
                    return best[1]
            n = len(postcode_key)
            for length in ci.prefix_lengths:
                if n >= length:
                    hit = ci.prefixes.get(postcode_key[:length])
                    if hit is not None:
                        return hit
        return ci.default


@dataclass(frozen=True, slots=True)
class CompiledZone:
    code: str
    name: str
    uppers: tuple[int, ...]
    brackets: tuple[BracketData, ...]

    def bracket_for(self, grams: int) -> BracketData | None:
        i = bisect_left(self.uppers, grams)
        if i < len(self.uppers):
            b = self.brackets[i]
            if b.lower_g < grams:
                return b
        return None


@dataclass(frozen=True, slots=True)
class CompiledFuel:
    effective_from: dt.date
    percent: Decimal
    factor: Decimal  # percent / 100
    applies_to: frozenset[str]
    applies_label: str


@dataclass(frozen=True, slots=True)
class CompiledSheet:
    id: int | None
    kind: str
    customer_level: str
    currency: str
    effective_date: dt.date
    name: str
    quantum: Decimal
    zones: AreaIndex
    remote: tuple[tuple[SurchargeData, AreaIndex], ...]
    others: tuple[SurchargeData, ...]
    fuel: tuple[CompiledFuel, ...]  # oldest first
    fuel_dates: tuple[dt.date, ...]
    label: str

    def fuel_on(self, on: dt.date) -> CompiledFuel | None:
        """The fuel rate in force on ``on``: the latest one from that date or before."""
        i = bisect_right(self.fuel_dates, on)
        return self.fuel[i - 1] if i else None


def _sheet_label(data: SheetData) -> str:
    kind = f"{data.kind} {data.customer_level}" if data.customer_level else data.kind
    return f"{kind} sheet from {data.effective_date}" + (f" ({data.name})" if data.name else "")


def compile_sheet(sheet_id: int | None, data: SheetData) -> CompiledSheet:
    """Compile a validated sheet (see ``validation.validate_sheet``)."""
    currency = check_currency(data.currency)
    by_zone: dict[str, list[BracketData]] = {}
    for b in data.brackets:
        by_zone.setdefault(b.zone, []).append(b)
    zones = []
    for z in data.zones:
        items = sorted(by_zone.get(z.code, ()), key=lambda b: b.upper_g)
        cz = CompiledZone(z.code, z.name, tuple(b.upper_g for b in items), tuple(items))
        zones.extend((rule, cz) for rule in z.rules)
    remote = tuple(
        (s, AreaIndex((rule, s) for rule in s.areas))
        for s in data.surcharges
        if s.kind == SUR_REMOTE
    )
    others = tuple(s for s in data.surcharges if s.kind != SUR_REMOTE)
    fuel = tuple(
        CompiledFuel(
            f.effective_from,
            f.percent,
            f.percent / _HUNDRED,
            fuel_base(f.applies_to, data.surcharges),
            ", ".join(f.applies_to),
        )
        for f in sorted(data.fuel, key=lambda f: f.effective_from)
    )
    return CompiledSheet(
        id=sheet_id,
        kind=data.kind,
        customer_level=data.customer_level,
        currency=currency,
        effective_date=data.effective_date,
        name=data.name,
        quantum=Decimal(1).scaleb(-minor_units(currency)),
        zones=AreaIndex(zones),
        remote=remote,
        others=others,
        fuel=fuel,
        fuel_dates=tuple(f.effective_from for f in fuel),
        label=_sheet_label(data),
    )


@dataclass(frozen=True, slots=True)
class CompiledChannel:
    id: int | None
    version: int
    cfg: ChannelConfig
    weight: WeightConfig
    destinations: frozenset[str]
    sheets: dict[tuple[str, str], tuple[CompiledSheet, ...]]  # newest first

    @property
    def code(self) -> str:
        return self.cfg.code

    def first_level_with_sheet(self, kind: str, levels: Iterable[str], on: dt.date) -> str:
        """The first of ``levels`` with its own ``kind`` sheet in force on ``on``; "" (the
        standard sheet) if none has one. A provider tries a customer's own sale sheet, then
        its level's."""
        for level in levels:
            if any(s.effective_date <= on for s in self.sheets.get((kind, level), ())):
                return level
        return ""

    def sheet_for(self, kind: str, level: str, on: dt.date) -> CompiledSheet | None:
        """The sheet in force on ``on``; a sale sheet for a level falls back to the sale sheet
        without a level (the standard price)."""
        for key in ((kind, level), (kind, "")) if level else ((kind, ""),):
            for s in self.sheets.get(key, ()):
                if s.effective_date <= on:
                    return s
        return None


def compile_channel(
    cfg: ChannelConfig,
    sheets: Iterable[tuple[int | None, SheetData]] = (),
    *,
    channel_id: int | None = None,
    version: int = 0,
) -> CompiledChannel:
    """Compile a validated channel and its validated sheets; inactive sheets are left out."""
    grouped: dict[tuple[str, str], list[tuple]] = {}
    for sheet_id, data in sheets:
        if not data.active:
            continue
        key = (data.kind, data.customer_level)
        grouped.setdefault(key, []).append((data.effective_date, sheet_id or 0, sheet_id, data))
    compiled = {}
    for key, items in grouped.items():
        items.sort(key=lambda t: (t[0], t[1]), reverse=True)
        compiled[key] = tuple(compile_sheet(sid, data) for _, _, sid, data in items)
    return CompiledChannel(
        channel_id, version, cfg, cfg.weight, frozenset(cfg.destinations), compiled
    )


# --- quotes ---------------------------------------------------------------------------------


class Reason(NamedTuple):
    """Why a channel cannot carry a parcel: a stable code and a message for people."""

    code: str
    message: str


class ChargeLine(NamedTuple):
    """One charge. The description is written only when asked for (quotes must be fast)."""

    code: str
    amount: Money
    text: Callable[..., str] = str
    args: tuple = ()

    @property
    def description(self) -> str:
        return self.text(*self.args)


class Quote(NamedTuple):
    """A channel's price for a parcel, or (``ok`` False) every reason it cannot carry it."""

    channel_code: str
    channel_id: int | None
    ok: bool
    sheet: str  # "cost" or "sale"
    customer_level: str
    on_date: dt.date
    chargeable: ChargeableWeight  # of one piece
    pieces: int
    chargeable_g: int  # of the whole parcel: pieces x chargeable.chargeable_g
    currency: str = ""
    sheet_id: int | None = None
    sheet_label: str = ""
    zone: str = ""
    zone_name: str = ""
    zone_rule: AreaRule | None = None  # the rule that matched
    lines: tuple[ChargeLine, ...] = ()
    total: Money | None = None
    reasons: tuple[Reason, ...] = ()
    transit_days: tuple[int | None, int | None] = (None, None)

    @property
    def zone_rule_kind(self) -> str:
        """city | range | prefix | country: how specific the zone match was."""
        return self.zone_rule.kind if self.zone_rule else ""

    @property
    def zone_rule_text(self) -> str:
        return self.zone_rule.describe() if self.zone_rule else ""

    @property
    def reason_codes(self) -> tuple[str, ...]:
        return tuple(r.code for r in self.reasons)

    def explain(self) -> list[str]:
        out = [
            f"channel {self.channel_code}, {self.sheet}"
            + (f" {self.customer_level}" if self.customer_level else "")
            + f" price on {self.on_date}"
        ]
        out.extend(self.chargeable.explain())
        if self.pieces > 1:
            out.append(f"{self.pieces} pieces: {kg_text(self.chargeable_g)} chargeable in all")
        if self.sheet_label:
            out.append(f"rate sheet: {self.sheet_label}")
        if self.zone:
            out.append(f"zone {self.zone} by {self.zone_rule_text}")
        if not self.ok:
            out.extend(f"cannot ship: {r.message} [{r.code}]" for r in self.reasons)
            return out
        out.extend(f"{line.code}: {line.description} = {line.amount}" for line in self.lines)
        out.append(f"total {self.total}")
        return out


def _sheet_arg(sheet: str | tuple[str, str]) -> tuple[str, str]:
    if sheet == SHEET_COST:
        return SHEET_COST, ""
    if isinstance(sheet, tuple) and len(sheet) == 2 and sheet[0] == SHEET_SALE:
        return SHEET_SALE, (sheet[1] or "").strip()
    if sheet == SHEET_SALE:
        return SHEET_SALE, ""
    raise ValidationFailed('sheet is "cost" or ("sale", level)', code="invalid_sheet")


def _limits(ch: CompiledChannel, p: Parcel, reasons: list[Reason]) -> None:
    cfg = ch.cfg
    if cfg.kind != KIND_RATE_SHEET:
        reasons.append(
            Reason("not_rate_sheet", f"priced by the carrier ({cfg.kind}), not by a rate sheet")
        )
    if not cfg.active:
        reasons.append(Reason("inactive", "the channel is not active"))
    if cfg.max_weight_g is not None and p.weight_g > cfg.max_weight_g:
        reasons.append(
            Reason(
                "overweight",
                f"a piece weighs {kg_text(p.weight_g)}, more than the "
                f"channel's {kg_text(cfg.max_weight_g)}",
            )
        )
    if cfg.max_length_mm is not None and p.dims_mm[0] > cfg.max_length_mm:
        reasons.append(
            Reason(
                "too_long",
                f"the longest side is {cm_text(p.dims_mm[0])}, more than "
                f"the channel's {cm_text(cfg.max_length_mm)}",
            )
        )
    if cfg.max_girth_mm is not None and p.girth_mm > cfg.max_girth_mm:
        reasons.append(
            Reason(
                "girth",
                f"length + girth is {cm_text(p.girth_mm)}, more than the "
                f"channel's {cm_text(cfg.max_girth_mm)}",
            )
        )
    limit = cfg.max_declared_value
    value = p.declared_value
    if limit is not None and value is not None:
        if value.currency != limit.currency:
            reasons.append(
                Reason(
                    "declared_value_currency",
                    f"the declared value is in {value.currency}; the channel's "
                    f"limit is in {limit.currency}",
                )
            )
        elif value.amount > limit.amount:
            reasons.append(
                Reason("declared_value", f"declared value {value} is above the channel's {limit}")
            )
    if p.battery and not cfg.accepts_battery:
        reasons.append(Reason("battery_not_accepted", "the channel does not carry batteries"))
    if p.liquid and not cfg.accepts_liquid:
        reasons.append(Reason("liquid_not_accepted", "the channel does not carry liquids"))
    if p.magnet and not cfg.accepts_magnet:
        reasons.append(Reason("magnet_not_accepted", "the channel does not carry magnets"))
    if ch.destinations and p.country not in ch.destinations:
        reasons.append(Reason("destination_not_served", f"the channel does not serve {p.country}"))


def pricing_date(ch: CompiledChannel, parcel: Parcel) -> dt.date:
    """The date that prices this parcel on this channel: the received or shipped date (the
    channel decides), or today when the parcel has none yet."""
    chosen = parcel.shipped_on if ch.cfg.pricing_date == DATE_SHIPPED else parcel.received_on
    return chosen or dt.date.today()


_new = object.__new__
_set = object.__setattr__


def _money(amount: Decimal, currency: str) -> Money:
    """Money from an amount and a currency already checked (the hot path skips re-checking)."""
    m = _new(Money)
    _set(m, "amount", amount)
    _set(m, "currency", currency)
    return m


def _freight_text(b: BracketData, grams: int) -> str:
    parts = []
    if b.flat is not None:
        parts.append(f"flat {b.flat}")
    if b.first_fee is not None:
        extra = grams - (b.first_g or 0)
        steps = -(-extra // b.step_g) if extra > 0 and b.step_g else 0
        parts.append(
            f"first {kg_text(b.first_g or 0)} {b.first_fee} + {steps} × {b.step_fee} per "
            f"{kg_text(b.step_g or 0)}"
        )
    if b.per_kg is not None:
        parts.append(f"{b.per_kg}/kg × {kg_text(grams)}")
    head = f"{kg_text(grams)} in bracket {kg_text(b.lower_g)}–{kg_text(b.upper_g)}"
    return f"{head}: " + " + ".join(parts) if parts else f"{head}: no freight"


def _per_piece_text(what: str, amount: Decimal, pieces: int) -> str:
    return f"{what}: {amount} × {pieces} piece(s)"


def _registration_text(amount: Decimal, pieces: int) -> str:
    return f"{amount} per piece × {pieces}"


def _remote_text(s: SurchargeData, rule: AreaRule, grams: int) -> str:
    return (
        f"remote area ({rule.describe()}): {s.per_kg or 0}/kg × {kg_text(grams)}, "
        f"minimum {s.minimum or 0}"
    )


def _oversize_text(s: SurchargeData, longest_mm: int, pieces: int) -> str:
    what = f"longest side {cm_text(longest_mm)} over {cm_text(s.threshold_mm or 0)}"
    return _per_piece_text(what, s.amount or Decimal(0), pieces)


def _overweight_text(s: SurchargeData, weight_g: int, pieces: int) -> str:
    what = f"piece of {kg_text(weight_g)} over {kg_text(s.threshold_g or 0)}"
    return _per_piece_text(what, s.amount or Decimal(0), pieces)


def _flag_text(s: SurchargeData, pieces: int) -> str:
    what = s.description or {
        SUR_BATTERY: "contains batteries",
        SUR_LIQUID: "contains liquid",
        SUR_MAGNET: "contains magnets",
    }.get(s.kind, s.code)
    return _per_piece_text(what, s.amount or Decimal(0), pieces)


def _fuel_text(f: CompiledFuel, base: Decimal) -> str:
    return f"{f.percent}% (rate from {f.effective_from}) of {base} ({f.applies_label})"


_FLAGS = {SUR_BATTERY: "battery", SUR_LIQUID: "liquid", SUR_MAGNET: "magnet"}


def quote(
    ch: CompiledChannel,
    parcel: Parcel,
    *,
    sheet: str | tuple[str, str] = SHEET_COST,
    on_date: dt.date | None = None,
) -> Quote:
    """Price ``parcel`` on ``ch`` with its cost sheet or the sale sheet of a customer level."""
    kind, level = _sheet_arg(sheet)
    on = on_date or pricing_date(ch, parcel)
    cfg = ch.cfg
    reasons: list[Reason] = []
    _limits(ch, parcel, reasons)
    dims = parcel.dims_mm
    cw = chargeable_sorted(ch.weight, parcel.weight_g, dims[0], dims[1], dims[2])
    pieces = parcel.pieces
    grams = cw.chargeable_g * pieces
    cs = ch.sheet_for(kind, level, on)
    zone = rule = bracket = None
    if cs is None:
        what = f"{kind} sheet" + (f" for level {level}" if level else "")
        reasons.append(Reason("no_sheet", f"no active {what} in force on {on}"))
    else:
        hit = cs.zones.match(parcel.country, parcel.postcode_key, parcel.city_key)
        if hit is None:
            reasons.append(
                Reason(
                    "no_zone",
                    f"no zone of the rate sheet covers {parcel.country}"
                    + (f" {parcel.postcode}" if parcel.postcode else ""),
                )
            )
        else:
            zone, rule = hit
            bracket = zone.bracket_for(grams)
            if bracket is None:
                reasons.append(
                    Reason("no_bracket", f"zone {zone.code} has no price for {kg_text(grams)}")
                )
    if reasons:
        return Quote(
            cfg.code,
            ch.id,
            False,
            kind,
            level,
            on,
            cw,
            pieces,
            grams,
            cs.currency if cs else "",
            cs.id if cs else None,
            cs.label if cs else "",
            zone.code if zone else "",
            zone.name if zone else "",
            rule,
            (),
            None,
            tuple(reasons),
            (cfg.transit_days_min, cfg.transit_days_max),
        )
    assert cs is not None and bracket is not None and zone is not None and rule is not None

    q = cs.quantum
    currency = cs.currency
    lines: list[ChargeLine] = []
    total = bracket.freight(grams).quantize(q, ROUND_HALF_UP)
    lines.append(
        ChargeLine(CHARGE_FREIGHT, _money(total, currency), _freight_text, (bracket, grams))
    )
    if bracket.registration is not None:
        amount = (bracket.registration * pieces).quantize(q, ROUND_HALF_UP)
        total += amount
        lines.append(
            ChargeLine(
                CHARGE_REGISTRATION,
                _money(amount, currency),
                _registration_text,
                (bracket.registration, pieces),
            )
        )
    for s, index in cs.remote:
        hit = index.match(parcel.country, parcel.postcode_key, parcel.city_key)
        if hit is None:
            continue
        amount = (s.per_kg * grams).scaleb(-3) if s.per_kg is not None else Decimal(0)
        if s.minimum is not None and amount < s.minimum:
            amount = s.minimum
        amount = amount.quantize(q, ROUND_HALF_UP)
        total += amount
        lines.append(ChargeLine(s.code, _money(amount, currency), _remote_text, (s, hit[1], grams)))
    for s in cs.others:
        k = s.kind
        if k == SUR_OVERSIZE:
            if parcel.dims_mm[0] <= (s.threshold_mm or 0):
                continue
            text, args = _oversize_text, (s, parcel.dims_mm[0], pieces)
        elif k == SUR_OVERWEIGHT:
            if parcel.weight_g <= (s.threshold_g or 0):
                continue
            text, args = _overweight_text, (s, parcel.weight_g, pieces)
        elif k == SUR_FIXED or getattr(parcel, _FLAGS[k]):
            text, args = _flag_text, (s, pieces)
        else:
            continue
        amount = (s.amount * pieces).quantize(q, ROUND_HALF_UP)  # type: ignore[operator]
        total += amount
        lines.append(ChargeLine(s.code, _money(amount, currency), text, args))
    fuel = cs.fuel_on(on) if cs.fuel else None
    if fuel is not None:
        applies = fuel.applies_to
        base = Decimal(0)
        for line in lines:
            if line.code in applies:
                base += line.amount.amount
        if base:
            amount = (base * fuel.factor).quantize(q, ROUND_HALF_UP)
            total += amount
            lines.append(
                ChargeLine(CHARGE_FUEL, _money(amount, currency), _fuel_text, (fuel, base))
            )
    return Quote(
        cfg.code,
        ch.id,
        True,
        kind,
        level,
        on,
        cw,
        pieces,
        grams,
        currency,
        cs.id,
        cs.label,
        zone.code,
        zone.name,
        rule,
        tuple(lines),
        _money(total, currency),
        (),
        (cfg.transit_days_min, cfg.transit_days_max),
    )


def quote_all(
    channels: Iterable[CompiledChannel],
    parcel: Parcel,
    *,
    sheet: str | tuple[str, str] = SHEET_COST,
    on_date: dt.date | None = None,
) -> list[Quote]:
    """Quote every channel, in the order given; refusals included (``ok`` False)."""
    return [quote(ch, parcel, sheet=sheet, on_date=on_date) for ch in channels]


@dataclass(frozen=True, slots=True)
class PricedQuote:
    """Cost and sale price of one channel for one parcel, and the margin between them."""

    cost: Quote
    sale: Quote
    margin: Money | None  # None unless both are ok and in one currency

    @property
    def ok(self) -> bool:
        return self.cost.ok and self.sale.ok

    @property
    def margin_pct(self) -> Decimal | None:
        if self.margin is None or self.sale.total is None or not self.sale.total.amount:
            return None
        return (self.margin.amount * 100 / self.sale.total.amount).quantize(
            Decimal("0.01"), ROUND_HALF_UP
        )


def quote_priced(
    ch: CompiledChannel, parcel: Parcel, *, level: str = "", on_date: dt.date | None = None
) -> PricedQuote:
    cost = quote(ch, parcel, sheet=SHEET_COST, on_date=on_date)
    sale = quote(ch, parcel, sheet=(SHEET_SALE, level), on_date=on_date)
    margin = None
    if cost.ok and sale.ok and cost.currency == sale.currency:
        margin = sale.total - cost.total  # type: ignore[operator]
    return PricedQuote(cost, sale, margin)


def quote_all_priced(
    channels: Iterable[CompiledChannel],
    parcel: Parcel,
    *,
    level: str = "",
    on_date: dt.date | None = None,
) -> list[PricedQuote]:
    return [quote_priced(ch, parcel, level=level, on_date=on_date) for ch in channels]
