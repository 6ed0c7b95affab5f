"""Plain, immutable descriptions of channels and rate sheets, and their validation.

These dataclasses are what the rate engine compiles (``rating.compile_channel``), what the Excel
reader produces and the writer consumes, and what services store. They carry no database ids,
so ``read_workbook(write_workbook(data)) == data`` can be tested directly.

Units: weights in integer grams, lengths in integer millimetres, money as Decimal with the
sheet's currency (the currency lives on the sheet, not on each price).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from urllib.parse import quote as url_quote

from tradelane.core.countries import check_country
from tradelane.core.errors import ValidationFailed
from tradelane.core.money import Money, check_currency

# --- vocabularies -------------------------------------------------------------------------------

KIND_RATE_SHEET = "rate_sheet"  # priced by our own engine from rate sheets
KIND_KARRIO = "karrio"  # priced by a real carrier API through karrio
KIND_TRADELANE = "tradelane"  # priced by a Tradelane provider over HTTP
CHANNEL_KINDS = (KIND_RATE_SHEET, KIND_KARRIO, KIND_TRADELANE)

MODE_FULL = "full"  # max(actual, volumetric)
MODE_HALF = "half"  # max(actual, (actual + volumetric) / 2)
MODE_NONE_UP_TO_SIZE = "none_up_to_size"  # actual only while the size is within a limit
VOLUMETRIC_MODES = (MODE_FULL, MODE_HALF, MODE_NONE_UP_TO_SIZE)

MEASURE_LONGEST = "longest_side"
MEASURE_SUM = "sum_of_sides"  # L + W + H
SIZE_MEASURES = (MEASURE_LONGEST, MEASURE_SUM)

DATE_RECEIVED = "received"
DATE_SHIPPED = "shipped"
PRICING_DATES = (DATE_RECEIVED, DATE_SHIPPED)

SERVICE_POSTAL = "postal"  # postal small parcels: CN22/CN23, UPU S10 numbers
SERVICE_EXPRESS = "express"  # couriers (DHL, FedEx, UPS): commercial invoice
SERVICE_LINE = "line"  # special lines (专线)
SERVICE_TYPES = (SERVICE_POSTAL, SERVICE_EXPRESS, SERVICE_LINE)

LABEL_4X6 = "4x6"
LABEL_100X100 = "100x100"
LABEL_SIZES = (LABEL_4X6, LABEL_100X100)

# no tracking news for this many days -> expired (DOMAIN.md): express 30, postal 60
DEFAULT_EXPIRE_DAYS = {SERVICE_POSTAL: 60, SERVICE_EXPRESS: 30, SERVICE_LINE: 30}

SHEET_COST = "cost"
SHEET_SALE = "sale"
SHEET_KINDS = (SHEET_COST, SHEET_SALE)

SUR_REMOTE = "remote"  # per kg with a per-shipment minimum, from postcode lists
SUR_OVERSIZE = "oversize"  # a side over threshold_mm: amount per piece
SUR_OVERWEIGHT = "overweight"  # actual weight of a piece over threshold_g: amount per piece
SUR_BATTERY = "battery"  # parcel flagged battery: amount per piece
SUR_LIQUID = "liquid"
SUR_MAGNET = "magnet"
SUR_FIXED = "fixed"  # always: amount per piece
SURCHARGE_KINDS = (
    SUR_REMOTE,
    SUR_OVERSIZE,
    SUR_OVERWEIGHT,
    SUR_BATTERY,
    SUR_LIQUID,
    SUR_MAGNET,
    SUR_FIXED,
)

CHARGE_FREIGHT = "freight"
CHARGE_REGISTRATION = "registration"
CHARGE_FUEL = "fuel"
BASE_CHARGES = (CHARGE_FREIGHT, CHARGE_REGISTRATION)
# What a fuel rate applies to: each name is a base charge (freight, registration), a surcharge
# kind (every surcharge of that kind on the sheet, whatever its code: a remote-area surcharge
# coded "RAS" is fuelled by "remote") or one surcharge's own code (``fuel_base``).
DEFAULT_FUEL_APPLIES_TO = (CHARGE_FREIGHT, SUR_REMOTE, SUR_OVERSIZE, SUR_OVERWEIGHT)

MAX_DECIMALS = 4  # prices and rates are stored with 4 decimal places
TRACKING_PLACEHOLDER = "{tracking}"  # in a channel's tracking URL template


# --- channel ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class WeightConfig:
    """How a channel turns actual weight and dimensions into chargeable weight."""

    divisor: int | None = None  # cm³ per kg: 5000, 6000, 8000; None: no volumetric weight
    mode: str = MODE_FULL
    free_limit_mm: int | None = None  # none_up_to_size: volumetric ignored up to this size
    free_measure: str = MEASURE_LONGEST
    min_side_mm: int | None = None  # the divisor applies only when a side exceeds this (EMS: 600)
    step_g: int = 1  # round up to this step below the threshold (or always, without one)
    step_threshold_g: int | None = None  # e.g. 21000
    step_above_g: int | None = None  # e.g. 1000, from the threshold on
    min_g: int = 0  # minimum chargeable weight


@dataclass(frozen=True, slots=True)
class ChannelConfig:
    code: str
    name: str = ""
    carrier: str = ""
    kind: str = KIND_RATE_SHEET
    service_code: str = ""
    currency: str = "CNY"
    max_weight_g: int | None = None  # per piece, actual weight
    max_length_mm: int | None = None  # longest side
    max_girth_mm: int | None = None  # L + 2W + 2H, L the longest side
    max_declared_value: Money | None = None
    accepts_battery: bool = False
    accepts_liquid: bool = False
    accepts_magnet: bool = False
    destinations: tuple[str, ...] = ()  # empty: every country
    transit_days_min: int | None = None
    transit_days_max: int | None = None
    tracking_url_template: str = ""
    active: bool = True
    weight: WeightConfig = field(default_factory=WeightConfig)
    pricing_date: str = DATE_RECEIVED
    service_type: str = SERVICE_LINE
    label_size: str = LABEL_4X6
    expire_after_days: int | None = None  # None: DEFAULT_EXPIRE_DAYS[service_type]
    s10_prefix: str = ""  # own channels numbering parcels as UPU S10: 2 letters, e.g. "LX"
    s10_country: str = ""  # ... and the country suffix, e.g. "CN"
    carrier_account: str = ""  # code of the CarrierAccount used for karrio/tradelane kinds


def tracking_url(cfg: ChannelConfig, tracking_number: str) -> str:
    """The public tracking page of a number on this channel ("" without a template)."""
    return fill_tracking_url(cfg.tracking_url_template, tracking_number)


def fill_tracking_url(template: str, tracking_number: str) -> str:
    if not template or not tracking_number:
        return ""
    return template.replace(TRACKING_PLACEHOLDER, url_quote(tracking_number.strip(), safe=""))


# --- rate sheet ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AreaRule:
    """Where a zone (or a remote-area list) applies: a country, optionally refined by one of
    a postcode prefix, a postcode range (from/to, inclusive) or a city."""

    country: str
    postcode_prefix: str = ""
    postcode_from: str = ""
    postcode_to: str = ""
    city: str = ""

    @property
    def kind(self) -> str:
        if self.city:
            return "city"
        if self.postcode_from or self.postcode_to:
            return "range"
        if self.postcode_prefix:
            return "prefix"
        return "country"

    def describe(self) -> str:
        kind = self.kind
        if kind == "city":
            return f"{self.country} city {self.city}"
        if kind == "range":
            return f"{self.country} postcode {self.postcode_from}–{self.postcode_to}"
        if kind == "prefix":
            return f"{self.country} postcode {self.postcode_prefix}*"
        return f"country {self.country}"


@dataclass(frozen=True, slots=True)
class ZoneData:
    code: str
    name: str = ""
    rules: tuple[AreaRule, ...] = ()


@dataclass(frozen=True, slots=True)
class BracketData:
    """A weight range (lower exclusive, upper inclusive, grams) of one zone and its price.

    price = flat + [first_fee + ceil((w - first_g) / step_g) * step_fee] + per_kg * w_kg;
    registration is charged per piece as its own line. Every component is optional.
    """

    zone: str
    lower_g: int
    upper_g: int
    flat: Decimal | None = None
    first_g: int | None = None
    first_fee: Decimal | None = None
    step_g: int | None = None
    step_fee: Decimal | None = None
    per_kg: Decimal | None = None
    registration: Decimal | None = None

    @property
    def has_first(self) -> bool:
        return self.first_fee is not None

    def freight(self, w: int) -> Decimal:
        """Unrounded freight for ``w`` grams (registration excluded)."""
        price = Decimal(0)
        if self.flat is not None:
            price += self.flat
        if self.first_fee is not None:
            price += self.first_fee
            extra = w - (self.first_g or 0)
            if extra > 0 and self.step_g:
                price += -(-extra // self.step_g) * (self.step_fee or 0)
        if self.per_kg is not None:
            price += (self.per_kg * w).scaleb(-3)
        return price


@dataclass(frozen=True, slots=True)
class FuelData:
    effective_from: dt.date
    percent: Decimal
    applies_to: tuple[str, ...] = DEFAULT_FUEL_APPLIES_TO


@dataclass(frozen=True, slots=True)
class SurchargeData:
    code: str
    kind: str
    description: str = ""
    amount: Decimal | None = None  # per piece (oversize, overweight, flags, fixed)
    per_kg: Decimal | None = None  # remote
    minimum: Decimal | None = None  # remote, per shipment
    threshold_mm: int | None = None  # oversize
    threshold_g: int | None = None  # overweight
    areas: tuple[AreaRule, ...] = ()  # remote


@dataclass(frozen=True, slots=True)
class SheetData:
    kind: str = SHEET_COST
    customer_level: str = ""
    currency: str = "CNY"
    effective_date: dt.date = dt.date(2000, 1, 1)
    name: str = ""
    active: bool = True
    zones: tuple[ZoneData, ...] = ()
    brackets: tuple[BracketData, ...] = ()
    fuel: tuple[FuelData, ...] = ()
    surcharges: tuple[SurchargeData, ...] = ()

    def canonical(self) -> SheetData:
        """The same sheet in one fixed order: zones and surcharges as given, brackets by zone
        order then weight, fuel by date. Stored and exported sheets are canonical."""
        order = {z.code: i for i, z in enumerate(self.zones)}
        brackets = tuple(
            sorted(
                self.brackets,
                key=lambda b: (order.get(b.zone, len(order)), b.zone, b.lower_g, b.upper_g),
            )
        )
        fuel = tuple(sorted(self.fuel, key=lambda f: f.effective_from))
        return SheetData(
            kind=self.kind,
            customer_level=self.customer_level,
            currency=self.currency,
            effective_date=self.effective_date,
            name=self.name,
            active=self.active,
            zones=self.zones,
            brackets=brackets,
            fuel=fuel,
            surcharges=self.surcharges,
        )


def fuel_base(applies_to: tuple[str, ...] | list[str], surcharges) -> frozenset[str]:
    """The codes of the charge lines a fuel rate applies to on a sheet with ``surcharges``:
    the base charges it names, and every surcharge whose kind or own code it names."""
    names = set(applies_to)
    codes = {code for code in BASE_CHARGES if code in names}
    codes.update(s.code for s in surcharges if s.kind in names or s.code in names)
    return frozenset(codes)


# --- normalisation helpers (shared with the engine) ---------------------------------------------


def norm_postcode(value: str) -> str:
    return (value or "").replace(" ", "").replace("-", "").upper()


def norm_city(value: str) -> str:
    return " ".join((value or "").split()).casefold()


def longest_girth(dims_mm: tuple[int, int, int]) -> tuple[int, int]:
    a, b, c = sorted(dims_mm, reverse=True)
    return a, a + 2 * b + 2 * c


# --- validation ---------------------------------------------------------------------------------


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
        if isinstance(f.percent, Decimal) and f.percent.is_finite() and f.percent >= 1000:
            c.add(fref, "percent", "too_large", "A fuel percentage is below 1000")
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
