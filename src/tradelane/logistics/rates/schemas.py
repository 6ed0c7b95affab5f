"""HTTP shapes of channels, rate sheets and quotes. Weights in kg, lengths in cm (stored as
grams and millimetres); amounts are decimal strings with their currency."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any, ClassVar, Literal

from ninja import Field, Schema

from tradelane.api.paging import PageParams
from tradelane.api.types import (
    Amount,
    BodySchema,
    Bool,
    Date,
    Int,
    centimetres,
    column_decimal,
    column_int,
    kilograms,
)

from . import descriptions as spec
from .models import Bracket, Channel, FuelRate, Surcharge

# kg with 3 decimals (whole grams) and cm with 1 (whole mm), under a million kg and 100,000 cm
# and within their gram and millimetre columns.
MaxWeightKg = kilograms(Channel, "max_weight_g")
StepKg = kilograms(Channel, "weight_step_g", positive=True)
ThresholdKg = kilograms(Channel, "weight_step_threshold_g", positive=True)
StepAboveKg = kilograms(Channel, "weight_step_above_g", positive=True)
MinChargeableKg = kilograms(Channel, "min_chargeable_g")
MaxLengthCm = centimetres(Channel, "max_length_mm")
MaxGirthCm = centimetres(Channel, "max_girth_mm")
FreeLimitCm = centimetres(Channel, "volumetric_free_limit_mm")
MinSideCm = centimetres(Channel, "volumetric_min_side_mm")
Money = column_decimal(Bracket, "flat_price")
DeclaredValue = column_decimal(Channel, "max_declared_value")
Days = Int(0, 365)
Divisor = column_int(Channel, "volumetric_divisor", ge=1, le=1_000_000)
ExpireDays = column_int(Channel, "expire_after_days", ge=1, le=3650)
BracketKg = kilograms(Bracket, "lower_g")
BracketToKg = kilograms(Bracket, "upper_g", positive=True)
BracketFirstKg = kilograms(Bracket, "first_weight_g")
BracketStepKg = kilograms(Bracket, "step_g", positive=True)
SurchargeCm = centimetres(Surcharge, "threshold_mm")
SurchargeKg = kilograms(Surcharge, "threshold_g")
# a fuel percentage from 0 to 100 (``descriptions.FUEL_PERCENT_MAX``) with the column's decimals
Percent = Amount(3, FuelRate._meta.get_field("percent").decimal_places, le=spec.FUEL_PERCENT_MAX)
# a parcel to quote: kg above 0; its measured sides with two decimals as elsewhere in the API
# (catalog, rate shop), rounded up to the mm and then to the whole cm for volumetric weight
ParcelKg = kilograms(Channel, "max_weight_g", positive=True)
ParcelCm = centimetres(Channel, "max_length_mm", places=2)
Pieces = Int(1, 10_000)

ChannelKind = Literal[spec.CHANNEL_KINDS]  # type: ignore[valid-type]
VolumetricMode = Literal[spec.VOLUMETRIC_MODES]  # type: ignore[valid-type]
SizeMeasure = Literal[spec.SIZE_MEASURES]  # type: ignore[valid-type]
PricingDate = Literal[spec.PRICING_DATES]  # type: ignore[valid-type]
SheetKind = Literal[spec.SHEET_KINDS]  # type: ignore[valid-type]
SurchargeKind = Literal[spec.SURCHARGE_KINDS]  # type: ignore[valid-type]
ServiceType = Literal[spec.SERVICE_TYPES]  # type: ignore[valid-type]
LabelSize = Literal[spec.LABEL_SIZES]  # type: ignore[valid-type]


# --- channels -------------------------------------------------------------------------------


class ChannelPatch(BodySchema):
    """Every field is optional; a field sent as null clears it (where it may be empty)."""

    name: str | None = Field(None, min_length=1, max_length=200)
    carrier: str | None = Field(None, max_length=100)
    kind: ChannelKind | None = None
    service_code: str | None = Field(None, max_length=64)
    currency: str | None = Field(None, min_length=3, max_length=3, description="ISO 4217")
    max_weight_kg: MaxWeightKg | None = Field(None, description="per piece, actual weight")
    max_length_cm: MaxLengthCm | None = Field(None, description="longest side")
    max_girth_cm: MaxGirthCm | None = Field(None, description="length + 2 x width + 2 x height")
    max_declared_value: DeclaredValue | None = None
    max_declared_currency: str | None = Field(None, max_length=3)
    accepts_battery: bool | None = None
    accepts_liquid: bool | None = None
    accepts_magnet: bool | None = None
    destinations: list[str] | None = Field(
        None, max_length=300, description="ISO 3166 alpha-2 codes; empty: every country"
    )
    transit_days_min: Days | None = None
    transit_days_max: Days | None = None
    tracking_url_template: str | None = Field(None, max_length=500, description="with {tracking}")
    is_active: bool | None = None
    volumetric_divisor: Divisor | None = Field(None, description="5000, 6000...")
    volumetric_mode: VolumetricMode | None = None
    volumetric_free_limit_cm: FreeLimitCm | None = Field(
        None, description="none_up_to_size: the free size"
    )
    volumetric_free_measure: SizeMeasure | None = None
    volumetric_min_side_cm: MinSideCm | None = Field(
        None, description="divisor only when a side exceeds this"
    )
    weight_step_kg: StepKg | None = Field(None, description="round up to this step")
    weight_step_threshold_kg: ThresholdKg | None = Field(
        None, description="another step from here on"
    )
    weight_step_above_kg: StepAboveKg | None = Field(
        None, description="the step from the threshold on"
    )
    min_chargeable_kg: MinChargeableKg | None = None
    pricing_date: PricingDate | None = None
    service_type: ServiceType | None = Field(None, description="postal, express or line (专线)")
    label_size: LabelSize | None = None
    expire_after_days: ExpireDays | None = Field(
        None, description="no tracking news this long: expired; null: by type"
    )
    s10_prefix: str | None = Field(None, max_length=2, description="UPU S10 letters, e.g. LX")
    s10_country: str | None = Field(None, max_length=2, description="UPU S10 country, e.g. CN")
    carrier_account: str | None = Field(
        None, max_length=40, description="code of the carrier account (karrio/tradelane kinds)"
    )

    # fields sent as null that mean "clear" rather than "leave alone"
    NULLABLE: ClassVar[set[str]] = {
        "max_weight_kg", "max_length_cm", "max_girth_cm", "max_declared_value",
        "transit_days_min", "transit_days_max", "volumetric_divisor",
        "volumetric_free_limit_cm", "volumetric_min_side_cm", "weight_step_threshold_kg",
        "weight_step_above_kg", "expire_after_days",
    }  # fmt: skip

    def to_fields(self) -> dict[str, Any]:
        data = self.model_dump(exclude_unset=True)
        out = {k: v for k, v in data.items() if v is not None or k in self.NULLABLE}
        for k in (
            "carrier",
            "service_code",
            "tracking_url_template",
            "max_declared_currency",
            "s10_prefix",
            "s10_country",
            "carrier_account",
        ):
            if k in data and data[k] is None:
                out[k] = ""
        if "destinations" in out:
            out["destinations"] = [c.strip().upper() for c in out["destinations"]]
        return out

    model_config = {"extra": "forbid"}


class ChannelIn(ChannelPatch):
    code: str = Field(..., min_length=1, max_length=40, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$")
    name: str = Field(..., min_length=1, max_length=200)
    currency: str = Field(..., min_length=3, max_length=3, description="ISO 4217")


class ChannelOut(Schema):
    id: int
    code: str
    name: str
    carrier: str
    kind: str
    service_code: str
    currency: str
    max_weight_kg: str | None
    max_length_cm: str | None
    max_girth_cm: str | None
    max_declared_value: str | None
    max_declared_currency: str
    accepts_battery: bool
    accepts_liquid: bool
    accepts_magnet: bool
    destinations: list[str]
    transit_days_min: int | None
    transit_days_max: int | None
    tracking_url_template: str
    is_active: bool
    volumetric_divisor: int | None
    volumetric_mode: str
    volumetric_free_limit_cm: str | None
    volumetric_free_measure: str
    volumetric_min_side_cm: str | None
    weight_step_kg: str
    weight_step_threshold_kg: str | None
    weight_step_above_kg: str | None
    min_chargeable_kg: str
    pricing_date: str
    service_type: str
    label_size: str
    expire_after_days: int | None
    s10_prefix: str
    s10_country: str
    carrier_account: str
    version: int
    sheet_count: int | None = None
    created_at: datetime
    updated_at: datetime


class ChannelFilters(PageParams):
    active: Bool | None = None
    kind: ChannelKind | None = None
    carrier: str | None = Field(None, max_length=100, description="part of the carrier's name")
    country: str | None = Field(
        None, min_length=2, max_length=2, description="channels serving this destination"
    )
    q: str | None = Field(None, max_length=100, description="part of the code or name")


# --- rate sheets ----------------------------------------------------------------------------


class ZoneRuleIn(BodySchema):
    country: str = Field(..., min_length=2, max_length=2)
    postcode_prefix: str = Field("", max_length=20)
    postcode_from: str = Field("", max_length=20)
    postcode_to: str = Field("", max_length=20)
    city: str = Field("", max_length=100)


class ZoneIn(BodySchema):
    code: str = Field(..., min_length=1, max_length=40)
    name: str = Field("", max_length=200)
    rules: list[ZoneRuleIn] = Field(..., min_length=1, max_length=20_000)


class BracketIn(BodySchema):
    """Weight range (from exclusive, to inclusive) of a zone and its price parts."""

    zone: str = Field(..., min_length=1, max_length=40)
    from_kg: BracketKg = Decimal(0)
    to_kg: BracketToKg
    flat: Money | None = None
    first_kg: BracketFirstKg | None = None
    first_fee: Money | None = None
    step_kg: BracketStepKg | None = None
    step_fee: Money | None = None
    per_kg: Money | None = None
    registration: Money | None = None


class SurchargeIn(BodySchema):
    code: str = Field(..., min_length=1, max_length=40)
    kind: SurchargeKind
    description: str = Field("", max_length=200)
    amount: Money | None = None
    per_kg: Money | None = None
    minimum: Money | None = None
    threshold_cm: SurchargeCm | None = None
    threshold_kg: SurchargeKg | None = None
    areas: list[ZoneRuleIn] = Field(default_factory=list, max_length=100_000)


class FuelIn(BodySchema):
    effective_from: Date
    percent: Percent
    applies_to: list[str] = Field(
        default_factory=list,
        max_length=50,
        description="base charges, surcharge kinds (every surcharge of the kind) or surcharge "
        f"codes; default {', '.join(spec.DEFAULT_FUEL_APPLIES_TO)}",
    )


class SheetIn(BodySchema):
    kind: SheetKind
    customer_level: str = Field("", max_length=40, description="sale sheets; empty: standard")
    name: str = Field("", max_length=200)
    currency: str = Field(..., min_length=3, max_length=3)
    effective_date: Date
    active: bool = True
    zones: list[ZoneIn] = Field(..., min_length=1, max_length=5000)
    brackets: list[BracketIn] = Field(..., min_length=1, max_length=200_000)
    surcharges: list[SurchargeIn] = Field(default_factory=list, max_length=200)
    fuel: list[FuelIn] = Field(default_factory=list, max_length=1000)


class RuleOut(Schema):
    country: str
    postcode_prefix: str
    postcode_from: str
    postcode_to: str
    city: str
    text: str


class ZoneOut(Schema):
    code: str
    name: str
    rules: list[RuleOut]


class BracketOut(Schema):
    zone: str
    from_kg: str
    to_kg: str
    flat: str | None
    first_kg: str | None
    first_fee: str | None
    step_kg: str | None
    step_fee: str | None
    per_kg: str | None
    registration: str | None
    currency: str


class SurchargeOut(Schema):
    code: str
    kind: str
    description: str
    amount: str | None
    per_kg: str | None
    minimum: str | None
    threshold_cm: str | None
    threshold_kg: str | None
    areas: list[RuleOut]
    currency: str


class FuelOut(Schema):
    effective_from: date
    percent: str
    applies_to: list[str]


class SheetOut(Schema):
    id: int
    channel_code: str
    kind: str
    customer_level: str
    name: str
    currency: str
    effective_date: date
    is_active: bool
    zone_count: int | None = None
    bracket_count: int | None = None
    created_at: datetime
    updated_at: datetime


class SheetDetailOut(SheetOut):
    zones: list[ZoneOut]
    brackets: list[BracketOut]
    surcharges: list[SurchargeOut]
    fuel: list[FuelOut]


class SheetFilters(PageParams):
    kind: SheetKind | None = None
    active: Bool | None = None


class FuelRateIn(FuelIn):
    pass


# --- quotes ---------------------------------------------------------------------------------


class QuoteIn(BodySchema):
    """One parcel (with ``pieces`` > 1: the weight and sides of each identical piece)."""

    weight_kg: ParcelKg
    length_cm: ParcelCm = Decimal(0)
    width_cm: ParcelCm = Decimal(0)
    height_cm: ParcelCm = Decimal(0)
    pieces: Pieces = 1
    country: str = Field(..., min_length=2, max_length=2, description="ISO 3166 alpha-2")
    postcode: str = Field("", max_length=20)
    city: str = Field("", max_length=100)
    declared_value: DeclaredValue | None = None
    declared_currency: str = Field("", max_length=3)
    battery: bool = False
    liquid: bool = False
    magnet: bool = False
    received_on: Date | None = None
    shipped_on: Date | None = None
    customer_level: str = Field("", max_length=40, description="whose sale price; empty: standard")
    channels: list[str] | None = Field(
        None, max_length=500, description="channel codes; default every active channel"
    )


class ReasonOut(Schema):
    code: str
    message: str


class ChargeLineOut(Schema):
    code: str
    description: str
    amount: str
    currency: str


class ZoneRuleOut(Schema):
    kind: str
    text: str


class PriceOut(Schema):
    ok: bool
    sheet: str
    customer_level: str
    sheet_id: int | None
    sheet_label: str
    on_date: date
    zone: str
    zone_name: str
    zone_rule: ZoneRuleOut | None
    lines: list[ChargeLineOut]
    total: str | None
    currency: str
    reasons: list[ReasonOut]
    explain: list[str]


class ChargeableOut(Schema):
    actual_kg: str
    dims_cm: list[int]
    divisor: int | None
    mode: str
    volumetric_kg: str | None
    volumetric: str = Field(..., description="how volumetric weight was used")
    basis_kg: str
    minimum_kg: str
    minimum_applied: bool
    step_kg: str
    chargeable_kg: str = Field(..., description="of one piece")
    pieces: int
    total_kg: str = Field(..., description="of the whole parcel")
    explain: list[str]


class QuoteChannelOut(Schema):
    id: int | None
    code: str
    name: str
    carrier: str


class QuoteOut(Schema):
    channel: QuoteChannelOut
    ok: bool = Field(..., description="priced (by its sale or cost sheet) or refused")
    total: str | None = Field(..., description="the sale price, or the cost without one")
    currency: str
    price_sheet: str
    transit_days_min: int | None
    transit_days_max: int | None
    chargeable: ChargeableOut
    zone: str
    zone_rule: str
    cost: PriceOut
    sale: PriceOut
    margin: str | None
    margin_currency: str
    margin_pct: str | None
    reasons: list[ReasonOut]
    explain: list[str]


class QuotesOut(Schema):
    count: int
    priced: int
    refused: int
    quotes: list[QuoteOut]
