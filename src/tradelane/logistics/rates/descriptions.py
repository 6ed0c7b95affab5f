"""Plain, immutable descriptions of channels and rate sheets (validated by ``validation``).

These dataclasses are what the rate engine compiles (``engine.compile_channel``), what the Excel
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

from tradelane.core.money import Money

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
# A fuel surcharge is a percentage of the charges it applies to, from 0 to 100 inclusive.
# Carriers publish it monthly and it has stayed well inside that range (DHL and FedEx were near
# 10-45% through the fuel crises); a figure above 100 would more than double the freight, and
# is a typing slip ("245" for 24.5) that would silently multiply every quote, so it is refused.
FUEL_PERCENT_MAX = Decimal(100)
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


# --- coverage: the countries a channel declares and the ones its sheet prices --------------------


def sheet_countries(data: SheetData) -> frozenset[str]:
    """The countries ``data`` can price: named by a rule of a zone that has a weight bracket
    (a zone refined by postcode or city still prices part of its country)."""
    priced_zones = {b.zone for b in data.brackets}
    return frozenset(r.country for z in data.zones if z.code in priced_zones for r in z.rules)


@dataclass(frozen=True, slots=True)
class Coverage:
    """What a channel priced by rate sheets says it serves against what its cost sheet in force
    prices. A parcel to a declared country the sheet does not price is refused (``no_zone``)."""

    declared: tuple[str, ...]  # the channel's destinations; empty: every country
    priced: tuple[str, ...]  # sorted

    @property
    def every_country_declared(self) -> bool:
        return not self.declared

    @property
    def unpriced(self) -> tuple[str, ...]:
        """Declared countries the sheet does not price (every country declared: not listed)."""
        priced = set(self.priced)
        return tuple(c for c in self.declared if c not in priced)

    @property
    def overclaims(self) -> bool:
        return self.every_country_declared or bool(self.unpriced)


def coverage(cfg_destinations: tuple[str, ...] | list[str], priced: frozenset[str]) -> Coverage:
    return Coverage(tuple(cfg_destinations or ()), tuple(sorted(priced)))


# --- normalisation helpers (shared with the engine) ---------------------------------------------


def norm_postcode(value: str) -> str:
    return (value or "").replace(" ", "").replace("-", "").upper()


def norm_city(value: str) -> str:
    return " ".join((value or "").split()).casefold()


def longest_girth(dims_mm: tuple[int, int, int]) -> tuple[int, int]:
    a, b, c = sorted(dims_mm, reverse=True)
    return a, a + 2 * b + 2 * c
