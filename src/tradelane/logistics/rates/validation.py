"""Validation of channel and rate-sheet descriptions (``descriptions``): every problem found,
each with a code, a message and where it is (the Excel reader maps that to a tab and a row).

``validate_sheet`` and ``validate_channel`` return the cleaned description and the problems;
``raise_problems`` turns them into one ``ValidationFailed`` that lists them all.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from tradelane.core.countries import check_country
from tradelane.core.errors import ValidationFailed
from tradelane.core.money import Money, check_currency

from .descriptions import (
    BASE_CHARGES,
    CHANNEL_KINDS,
    CHARGE_FUEL,
    FUEL_PERCENT_MAX,
    LABEL_SIZES,
    MAX_DECIMALS,
    MODE_NONE_UP_TO_SIZE,
    PRICING_DATES,
    SERVICE_TYPES,
    SHEET_COST,
    SHEET_KINDS,
    SIZE_MEASURES,
    SUR_OVERSIZE,
    SUR_OVERWEIGHT,
    SUR_REMOTE,
    SURCHARGE_KINDS,
    TRACKING_PLACEHOLDER,
    VOLUMETRIC_MODES,
    AreaRule,
    BracketData,
    ChannelConfig,
    SheetData,
    SurchargeData,
    ZoneData,
    fuel_base,
    norm_city,
    norm_postcode,
)


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with a sheet or channel. ``ref`` locates the item (the Excel reader maps
    it to a row), ``field`` names the attribute."""

    ref: tuple
    field: str
    code: str
    message: str

    def as_dict(self) -> dict:
        return {
            "ref": list(self.ref),
            "field": self.field,
            "code": self.code,
            "message": self.message,
        }


def _decimals_ok(value: Decimal) -> bool:
    return value.as_tuple().exponent >= -MAX_DECIMALS if value.is_finite() else False


class _Collector:
    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def add(self, ref: tuple, field_name: str, code: str, message: str) -> None:
        self.problems.append(Problem(ref, field_name, code, message))

    def money(self, ref: tuple, name: str, value: Decimal | None, required: bool = False) -> None:
        if value is None:
            if required:
                self.add(ref, name, "required", f"{name} is required")
            return
        if not isinstance(value, Decimal) or not value.is_finite():
            self.add(ref, name, "invalid_amount", f"{name} is not an amount")
        elif value < 0:
            self.add(ref, name, "negative", f"{name} cannot be negative")
        elif value >= 10**14:
            self.add(ref, name, "too_large", f"{name} is too large")
        elif not _decimals_ok(value):
            self.add(
                ref,
                name,
                "too_many_decimals",
                f"{name} has more than {MAX_DECIMALS} decimal places",
            )

    def whole(
        self, ref: tuple, name: str, value: int | None, *, minimum: int = 0, required: bool = False
    ) -> None:
        if value is None:
            if required:
                self.add(ref, name, "required", f"{name} is required")
            return
        if not isinstance(value, int) or isinstance(value, bool):
            self.add(ref, name, "not_whole", f"{name} must be a whole number")
        elif value < minimum:
            self.add(ref, name, "too_small", f"{name} must be at least {minimum}")


def _range_bound_key(value: str) -> tuple:
    return (0, int(value)) if value.isdigit() else (1, value)


def _check_rule(c: _Collector, ref: tuple, rule: AreaRule) -> AreaRule | None:
    try:
        country = check_country(rule.country)
    except ValidationFailed as exc:
        c.add(ref, "country", exc.code, exc.message)
        return None
    refinements = [
        bool(rule.city),
        bool(rule.postcode_prefix),
        bool(rule.postcode_from or rule.postcode_to),
    ]
    if sum(refinements) > 1:
        c.add(
            ref,
            "postcode_prefix",
            "ambiguous_rule",
            "A rule has one refinement: a postcode prefix, a postcode range or a city",
        )
        return None
    pc_from, pc_to = norm_postcode(rule.postcode_from), norm_postcode(rule.postcode_to)
    if rule.postcode_from or rule.postcode_to:
        if not pc_from or not pc_to:
            c.add(ref, "postcode_from", "incomplete_range", "A postcode range needs from and to")
            return None
        both_numeric = pc_from.isdigit() and pc_to.isdigit()
        if not both_numeric and len(pc_from) != len(pc_to):
            c.add(
                ref,
                "postcode_to",
                "range_lengths",
                "A postcode range that is not numeric needs from and to of equal length",
            )
            return None
        if (int(pc_from) > int(pc_to)) if both_numeric else (pc_from > pc_to):
            c.add(ref, "postcode_to", "range_reversed", f"{pc_from} is after {pc_to}")
            return None
    if rule.postcode_prefix and not norm_postcode(rule.postcode_prefix):
        c.add(ref, "postcode_prefix", "invalid_postcode", "Empty postcode prefix")
        return None
    return AreaRule(
        country=country,
        postcode_prefix=norm_postcode(rule.postcode_prefix),
        postcode_from=pc_from,
        postcode_to=pc_to,
        city=" ".join(rule.city.split()),
    )


def _rule_identity(rule: AreaRule) -> tuple:
    return (
        rule.country,
        rule.kind,
        rule.postcode_prefix,
        rule.postcode_from,
        rule.postcode_to,
        norm_city(rule.city),
    )


def validate_sheet(data: SheetData) -> tuple[SheetData, list[Problem]]:
    """Check a whole sheet. Returns the normalised sheet (upper-case codes, normalised
    postcodes, canonical order) and every problem found (empty when valid)."""
    c = _Collector()
    ref: tuple = ("sheet",)
    if data.kind not in SHEET_KINDS:
        c.add(ref, "kind", "invalid_kind", f"Sheet kind is cost or sale, not {data.kind!r}")
    level = (data.customer_level or "").strip()
    if data.kind == SHEET_COST and level:
        c.add(ref, "customer_level", "level_on_cost", "A cost sheet has no customer level")
    currency = data.currency
    try:
        currency = check_currency(data.currency)
    except ValidationFailed as exc:
        c.add(ref, "currency", exc.code, exc.message)
    if not isinstance(data.effective_date, dt.date) or isinstance(data.effective_date, dt.datetime):
        c.add(ref, "effective_date", "invalid_date", "effective_date must be a date")

    # zones and their rules
    zones: list[ZoneData] = []
    seen_rules: dict[tuple, str] = {}
    zone_codes: set[str] = set()
    for zi, zone in enumerate(data.zones):
        code = (zone.code or "").strip()
        zref = ("zone", code or zi)
        if not code:
            c.add(zref, "zone", "required", "A zone needs a code")
            continue
        if code in zone_codes:
            c.add(zref, "zone", "duplicate_zone", f"Zone {code} is listed twice")
            continue
        zone_codes.add(code)
        if not zone.rules:
            c.add(zref, "country", "zone_without_rules", f"Zone {code} has no country")
        rules = []
        for ri, rule in enumerate(zone.rules):
            rref = ("zone_rule", code, ri)
            clean = _check_rule(c, rref, rule)
            if clean is None:
                continue
            ident = _rule_identity(clean)
            if ident in seen_rules:
                c.add(
                    rref,
                    "country",
                    "duplicate_rule",
                    f"{clean.describe()} is already in zone {seen_rules[ident]}",
                )
                continue
            seen_rules[ident] = code
            rules.append(clean)
        zones.append(ZoneData(code=code, name=(zone.name or "").strip(), rules=tuple(rules)))

    # brackets
    brackets: list[BracketData] = []
    by_zone: dict[str, list[BracketData]] = {}
    for b in data.brackets:
        bref = ("bracket", b.zone, b.lower_g, b.upper_g)
        if b.zone not in zone_codes:
            c.add(bref, "zone", "unknown_zone", f"Zone {b.zone!r} is not in the zone list")
            continue
        n = len(c.problems)
        c.whole(bref, "lower_g", b.lower_g, required=True)
        c.whole(bref, "upper_g", b.upper_g, minimum=1, required=True)
        if len(c.problems) > n:
            continue
        if b.upper_g <= b.lower_g:
            c.add(bref, "upper_g", "empty_bracket", "The upper weight must be above the lower")
            continue
        for name in ("flat", "first_fee", "step_fee", "per_kg", "registration"):
            c.money(bref, name, getattr(b, name))
        first = (b.first_g, b.first_fee, b.step_g, b.step_fee)
        if any(v is not None for v in first):
            if any(v is None for v in first):
                c.add(
                    bref,
                    "first_fee",
                    "incomplete_first_weight",
                    "First/continued weight needs first weight, first fee, step and step fee",
                )
            else:
                c.whole(bref, "first_g", b.first_g)
                c.whole(bref, "step_g", b.step_g, minimum=1)
        if all(getattr(b, n) is None for n in ("flat", "first_fee", "per_kg", "registration")):
            c.add(bref, "flat", "no_price", "The bracket has no price")
        if len(c.problems) > n:
            continue
        by_zone.setdefault(b.zone, []).append(b)
        brackets.append(b)
    for zone_code, items in by_zone.items():
        items.sort(key=lambda b: (b.lower_g, b.upper_g))
        for prev, cur in zip(items, items[1:], strict=False):
            bref = ("bracket", cur.zone, cur.lower_g, cur.upper_g)
            if cur.lower_g < prev.upper_g:
                c.add(
                    bref,
                    "lower_g",
                    "overlapping_brackets",
                    f"Zone {zone_code}: {cur.lower_g}–{cur.upper_g} g overlaps "
                    f"{prev.lower_g}–{prev.upper_g} g",
                )
                continue
            # Within a bracket the freight never falls (no component is negative), so the top
            # of one bracket against the bottom of the next is enough. Freight and the
            # registration fee are checked apart: a fuel surcharge may apply to one and not
            # the other, and the total must not fall either way.
            top = prev.freight(prev.upper_g)
            bottom = cur.freight(cur.lower_g + 1)
            if bottom < top:
                c.add(
                    bref,
                    "flat",
                    "price_falls",
                    f"Zone {zone_code}: freight for {cur.lower_g + 1} g is {bottom} but for "
                    f"{prev.upper_g} g {top}; a heavier parcel may not cost less",
                )
            if (cur.registration or 0) < (prev.registration or 0):
                c.add(
                    bref,
                    "registration",
                    "registration_falls",
                    f"Zone {zone_code}: the registration fee from {cur.lower_g + 1} g "
                    f"({cur.registration or 0}) is below the one up to {prev.upper_g} g "
                    f"({prev.registration})",
                )

    # surcharges
    surcharges: list[SurchargeData] = []
    codes: set[str] = set()
    for si, s in enumerate(data.surcharges):
        code = (s.code or "").strip()
        sref = ("surcharge", code or si)
        if not code:
            c.add(sref, "code", "required", "A surcharge needs a code")
            continue
        if code in codes or code in BASE_CHARGES or code == CHARGE_FUEL:
            c.add(sref, "code", "duplicate_code", f"Charge code {code} is used twice")
            continue
        codes.add(code)
        if s.kind not in SURCHARGE_KINDS:
            c.add(
                sref,
                "kind",
                "invalid_kind",
                f"Surcharge kind is one of {', '.join(SURCHARGE_KINDS)}",
            )
            continue
        if code in SURCHARGE_KINDS and code != s.kind:
            # a fuel rate naming "remote" means every remote-area surcharge: a "remote" code on
            # another kind would make that name mean two things
            c.add(
                sref,
                "code",
                "code_names_another_kind",
                f"The code {code} is the name of the {code} kind; this surcharge is {s.kind}",
            )
            continue
        for name in ("amount", "per_kg", "minimum"):
            c.money(sref, name, getattr(s, name))
        areas: list[AreaRule] = []
        if s.kind == SUR_REMOTE:
            if s.per_kg is None and s.minimum is None:
                c.add(sref, "per_kg", "required", "A remote-area surcharge needs per_kg or minimum")
            if not s.areas:
                c.add(sref, "areas", "required", "A remote-area surcharge needs a postcode list")
            seen: set[tuple] = set()
            for ai, area in enumerate(s.areas):
                clean = _check_rule(c, ("area", code, ai), area)
                if clean is not None and _rule_identity(clean) not in seen:
                    seen.add(_rule_identity(clean))
                    areas.append(clean)
        else:
            c.money(sref, "amount", s.amount, required=True)
            if s.areas:
                c.add(sref, "areas", "unexpected", "Only remote-area surcharges have areas")
        if s.kind == SUR_OVERSIZE:
            c.whole(sref, "threshold_mm", s.threshold_mm, minimum=1, required=True)
        if s.kind == SUR_OVERWEIGHT:
            c.whole(sref, "threshold_g", s.threshold_g, minimum=1, required=True)
        surcharges.append(
            SurchargeData(
                code=code,
                kind=s.kind,
                description=(s.description or "").strip(),
                amount=s.amount,
                per_kg=s.per_kg,
                minimum=s.minimum,
                threshold_mm=s.threshold_mm,
                threshold_g=s.threshold_g,
                areas=tuple(areas),
            )
        )

    # fuel
    # the standard codes are always allowed (a fuel rate may name a surcharge this sheet does
    # not have yet); other codes must be surcharges of the sheet, which catches typos
    known_codes = set(BASE_CHARGES) | set(SURCHARGE_KINDS) | codes
    fuel_dates: set[dt.date] = set()
    for f in data.fuel:
        fref = ("fuel", f.effective_from)
        if not isinstance(f.effective_from, dt.date):
            c.add(fref, "effective_from", "invalid_date", "effective_from must be a date")
            continue
        if f.effective_from in fuel_dates:
            c.add(
                fref, "effective_from", "duplicate_date", f"Two fuel rates from {f.effective_from}"
            )
        fuel_dates.add(f.effective_from)
        c.money(fref, "percent", f.percent, required=True)
        percent = f.percent
        if isinstance(percent, Decimal) and percent.is_finite() and percent > FUEL_PERCENT_MAX:
            c.add(
                fref,
                "percent",
                "fuel_out_of_range",
                f"A fuel surcharge is from 0 to {FUEL_PERCENT_MAX}% of the charges it applies to, "
                f"not {f.percent}%",
            )
        if not f.applies_to:
            c.add(fref, "applies_to", "required", "Name the charges the fuel surcharge applies to")
        unknown = [code for code in f.applies_to if code not in known_codes]
        for code in unknown:
            c.add(
                fref,
                "applies_to",
                "unknown_charge",
                f"Unknown charge code {code!r} (known: {', '.join(sorted(known_codes))})",
            )
        if f.applies_to and not unknown and not fuel_base(f.applies_to, surcharges):
            c.add(
                fref,
                "applies_to",
                "fuel_base_empty",
                f"The fuel rate from {f.effective_from} applies to {', '.join(f.applies_to)}, "
                "and this sheet has none of them: name freight, registration, or a surcharge "
                "kind or code of the sheet",
            )

    clean = SheetData(
        kind=data.kind,
        customer_level=level,
        currency=currency,
        effective_date=data.effective_date,
        name=(data.name or "").strip(),
        active=data.active,
        zones=tuple(zones),
        brackets=tuple(brackets),
        fuel=tuple(data.fuel),
        surcharges=tuple(surcharges),
    ).canonical()
    return clean, c.problems


def validate_channel(cfg: ChannelConfig) -> tuple[ChannelConfig, list[Problem]]:
    c = _Collector()
    ref: tuple = ("channel",)
    code = (cfg.code or "").strip()
    if not code:
        c.add(ref, "code", "required", "code is required")
    if cfg.kind not in CHANNEL_KINDS:
        c.add(ref, "kind", "invalid_kind", f"Channel kind is one of {', '.join(CHANNEL_KINDS)}")
    currency = cfg.currency
    try:
        currency = check_currency(cfg.currency)
    except ValidationFailed as exc:
        c.add(ref, "currency", exc.code, exc.message)
    for name in ("max_weight_g", "max_length_mm", "max_girth_mm"):
        c.whole(ref, name, getattr(cfg, name), minimum=1)
    for name in ("transit_days_min", "transit_days_max"):
        c.whole(ref, name, getattr(cfg, name))
    if (
        isinstance(cfg.transit_days_min, int)
        and isinstance(cfg.transit_days_max, int)
        and cfg.transit_days_min > cfg.transit_days_max
    ):
        c.add(ref, "transit_days_max", "range_reversed", "Transit days: min is above max")
    if cfg.max_declared_value is not None and not isinstance(cfg.max_declared_value, Money):
        c.add(ref, "max_declared_value", "invalid_amount", "max_declared_value must be Money")
    destinations: list[str] = []
    for country in cfg.destinations:
        try:
            destinations.append(check_country(country))
        except ValidationFailed as exc:
            c.add(ref, "destinations", exc.code, exc.message)
    template = (cfg.tracking_url_template or "").strip()
    if template and TRACKING_PLACEHOLDER not in template:
        c.add(
            ref,
            "tracking_url_template",
            "tracking_placeholder",
            f"The tracking URL template needs {TRACKING_PLACEHOLDER} for the number",
        )
    if cfg.pricing_date not in PRICING_DATES:
        c.add(ref, "pricing_date", "invalid_choice", "pricing_date is received or shipped")
    if cfg.service_type not in SERVICE_TYPES:
        c.add(ref, "service_type", "invalid_choice", f"service_type is one of {SERVICE_TYPES}")
    if cfg.label_size not in LABEL_SIZES:
        c.add(ref, "label_size", "invalid_choice", f"label_size is one of {LABEL_SIZES}")
    c.whole(ref, "expire_after_days", cfg.expire_after_days, minimum=1)
    s10_prefix = (cfg.s10_prefix or "").strip().upper()
    s10_country = (cfg.s10_country or "").strip().upper()
    if s10_prefix or s10_country:
        if not (len(s10_prefix) == 2 and s10_prefix.isascii() and s10_prefix.isalpha()):
            c.add(ref, "s10_prefix", "invalid_s10", "An S10 prefix is two letters, e.g. LX")
        try:
            s10_country = check_country(s10_country)
        except ValidationFailed as exc:
            c.add(ref, "s10_country", exc.code, exc.message)
    w = cfg.weight
    if w.divisor is not None:
        c.whole(ref, "volumetric_divisor", w.divisor, minimum=1)
    if w.mode not in VOLUMETRIC_MODES:
        c.add(
            ref,
            "volumetric_mode",
            "invalid_choice",
            f"volumetric_mode is one of {', '.join(VOLUMETRIC_MODES)}",
        )
    if w.mode == MODE_NONE_UP_TO_SIZE:
        c.whole(ref, "volumetric_free_limit_mm", w.free_limit_mm, minimum=1, required=True)
    if w.free_measure not in SIZE_MEASURES:
        c.add(
            ref,
            "volumetric_free_measure",
            "invalid_choice",
            f"volumetric_free_measure is one of {', '.join(SIZE_MEASURES)}",
        )
    c.whole(ref, "volumetric_min_side_mm", w.min_side_mm, minimum=1)
    c.whole(ref, "weight_step_g", w.step_g, minimum=1, required=True)
    c.whole(ref, "min_chargeable_g", w.min_g, required=True)
    if (w.step_threshold_g is None) != (w.step_above_g is None):
        c.add(
            ref,
            "weight_step_above_g",
            "incomplete_step",
            "A step threshold needs the step above it, and the other way round",
        )
    elif w.step_threshold_g is not None:
        c.whole(ref, "weight_step_threshold_g", w.step_threshold_g, minimum=1)
        c.whole(ref, "weight_step_above_g", w.step_above_g, minimum=1)
        if (
            isinstance(w.step_threshold_g, int)
            and isinstance(w.step_above_g, int)
            and isinstance(w.step_g, int)
            and w.step_above_g > 0
            and w.step_g > 0
            and (w.step_threshold_g % w.step_g or w.step_threshold_g % w.step_above_g)
        ):
            # Otherwise a weight rounded below the threshold could land on a value that the
            # step above would round again: rounding must be idempotent.
            c.add(
                ref,
                "weight_step_threshold_g",
                "threshold_not_on_steps",
                "The step threshold must be a multiple of both steps",
            )
    clean = ChannelConfig(
        code=code,
        name=(cfg.name or "").strip(),
        carrier=(cfg.carrier or "").strip(),
        kind=cfg.kind,
        service_code=(cfg.service_code or "").strip(),
        currency=currency,
        max_weight_g=cfg.max_weight_g,
        max_length_mm=cfg.max_length_mm,
        max_girth_mm=cfg.max_girth_mm,
        max_declared_value=cfg.max_declared_value,
        accepts_battery=bool(cfg.accepts_battery),
        accepts_liquid=bool(cfg.accepts_liquid),
        accepts_magnet=bool(cfg.accepts_magnet),
        destinations=tuple(dict.fromkeys(destinations)),
        transit_days_min=cfg.transit_days_min,
        transit_days_max=cfg.transit_days_max,
        tracking_url_template=(cfg.tracking_url_template or "").strip(),
        active=bool(cfg.active),
        weight=w,
        pricing_date=cfg.pricing_date,
        service_type=cfg.service_type,
        label_size=cfg.label_size,
        expire_after_days=cfg.expire_after_days,
        s10_prefix=s10_prefix,
        s10_country=s10_country,
        carrier_account=(cfg.carrier_account or "").strip(),
    )
    return clean, c.problems


def raise_problems(problems: list[Problem], what: str, code: str = "invalid") -> None:
    """Raise one ValidationFailed naming every problem (in ``details["errors"]``)."""
    if problems:
        first = problems[0]
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        raise ValidationFailed(
            f"{what}: {first.message}{more}",
            code=first.code if len(problems) == 1 else code,
            details={"errors": [p.as_dict() for p in problems]},
        )
