"""HTTP shapes of the provider's open API (``/api/v1/provider/``): kg and cm in (converted to
grams and millimetres by the API), money as decimal strings with a currency. Each number is
bounded by the column it lands in and by ``validation``'s own limits (1 t and 10 m per
piece); the rules of what a waybill may be stay in ``validation.parse``."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any

from ninja import Field, Schema
from pydantic import ConfigDict, StringConstraints

from tradelane.api.paging import PageParams
from tradelane.api.types import BodySchema, Date, Int, centimetres, column_decimal, kilograms

from . import validation
from .models import TrackingStatus, Waybill, WaybillItem, WaybillPiece, WaybillStatus

PieceKg = kilograms(WaybillPiece, "weight_g", positive=True,
                    le=Decimal(validation.MAX_WEIGHT_G // 1000))  # fmt: skip
PieceCm = centimetres(WaybillPiece, "length_mm", le=Decimal(validation.MAX_SIDE_MM // 10))
UnitKg = kilograms(WaybillItem, "unit_weight_g", le=Decimal(validation.MAX_WEIGHT_G // 1000))
UnitValue = column_decimal(WaybillItem, "unit_value")
DeclaredValue = column_decimal(Waybill, "declared_value")
InsuranceValue = column_decimal(Waybill, "insurance_value")
Quantity = Int(1, 1_000_000)

CONSIGNEE = {
    "name": "Jane Doe", "company": "", "phone": "+1 212 555 0100", "email": "jane@example.com",
    "address1": "350 Fifth Avenue", "address2": "", "city": "New York", "state": "NY",
    "postcode": "10118", "country": "US",
}  # fmt: skip
PIECE = {"weight_kg": "1.2", "length_cm": "30", "width_cm": "20", "height_cm": "10"}
ITEM = {
    "name_en": "Cotton T-shirt", "name_zh": "棉T恤", "quantity": 2, "unit_value": "12.50",
    "currency": "USD", "unit_weight_kg": "0.25", "hs_code": "610910", "origin": "CN",
    "material": "cotton", "sku": "TS-RED-M", "sales_url": "", "battery": False,
    "liquid": False, "magnet": False,
}  # fmt: skip
WAYBILL = {
    "reference": "SO-10001", "channel": "USLINE", "consignee": CONSIGNEE, "pieces": [PIECE],
    "items": [ITEM], "incoterm": "DDU",
}  # fmt: skip


def _example(value: Any) -> ConfigDict:
    return ConfigDict(strict=True, json_schema_extra={"examples": [value]})


# --- in -------------------------------------------------------------------------------------


class ProviderAddressIn(BodySchema):
    model_config = _example(CONSIGNEE)

    name: str = Field("", max_length=200)
    company: str = Field("", max_length=200)
    phone: str = Field("", max_length=40)
    email: str = Field("", max_length=254)
    address1: str = Field("", max_length=300)
    address2: str = Field("", max_length=300)
    city: str = Field("", max_length=100)
    state: str = Field("", max_length=100)
    postcode: str = Field("", max_length=20)
    country: str = Field("", max_length=2, description="ISO 3166 alpha-2")


class ProviderPieceIn(BodySchema):
    model_config = _example(PIECE)

    weight_kg: PieceKg = Field(..., description="kg, up to 3 decimals (whole grams)")
    length_cm: PieceCm = Decimal(0)
    width_cm: PieceCm = Decimal(0)
    height_cm: PieceCm = Decimal(0)


class ProviderItemIn(BodySchema):
    model_config = _example(ITEM)

    name_en: str = Field(..., max_length=200)
    name_zh: str = Field("", max_length=200)
    quantity: Quantity
    unit_value: UnitValue
    currency: str = Field(..., min_length=3, max_length=3, description="ISO 4217")
    unit_weight_kg: UnitKg = Decimal(0)
    hs_code: str = Field("", max_length=12)
    origin: str = Field("CN", max_length=2)
    material: str = Field("", max_length=100)
    sku: str = Field("", max_length=100)
    sales_url: str = Field("", max_length=500)
    battery: bool = False
    liquid: bool = False
    magnet: bool = False


class ProviderWaybillIn(BodySchema):
    model_config = _example(WAYBILL)

    reference: str = Field(..., min_length=1, max_length=60, description="yours, unique")
    channel: str = Field(
        "", max_length=40, description="empty: the cheapest open channel that accepts it"
    )
    consignee: ProviderAddressIn
    shipper: ProviderAddressIn | None = Field(None, description="empty: your account's shipper")
    pieces: list[ProviderPieceIn] = Field(..., min_length=1, max_length=validation.MAX_PIECES)
    items: list[ProviderItemIn] = Field(..., min_length=1, max_length=validation.MAX_ITEMS)
    incoterm: str = Field("DDU", pattern="^(DDU|DDP)$")
    ioss: str = Field("", max_length=20)
    vat_number: str = Field("", max_length=30)
    eori: str = Field("", max_length=20)
    insurance_value: InsuranceValue | None = None
    insurance_currency: str = Field("", max_length=3)
    note: str = Field("", max_length=500)


class ProviderWaybillsIn(BodySchema):
    model_config = _example({"waybills": [WAYBILL], "all_or_nothing": False})

    # at most 500: checked by the service so that a longer batch is ``batch_too_large``
    waybills: list[ProviderWaybillIn] = Field(
        ..., min_length=1, json_schema_extra={"maxItems": 500},
        description="up to 500 waybills, each answered in ``items`` at its index",
    )  # fmt: skip
    all_or_nothing: bool = Field(False, description="one refused: none is written")


class ProviderQuoteAddressIn(BodySchema):
    model_config = _example({"country": "US", "postcode": "10118", "city": "New York"})

    country: str = Field(..., min_length=2, max_length=2, description="ISO 3166 alpha-2")
    postcode: str = Field("", max_length=20)
    city: str = Field("", max_length=100)


class ProviderQuoteIn(BodySchema):
    model_config = _example({
        "consignee": {"country": "US", "postcode": "10118", "city": "New York"},
        "pieces": [PIECE], "declared_value": "25.00", "declared_currency": "USD",
        "battery": False, "liquid": False, "magnet": False,
    })  # fmt: skip

    consignee: ProviderQuoteAddressIn
    pieces: list[ProviderPieceIn] = Field(..., min_length=1, max_length=validation.MAX_PIECES)
    declared_value: DeclaredValue | None = None
    declared_currency: str = Field("", max_length=3)
    battery: bool = False
    liquid: bool = False
    magnet: bool = False


class ProviderInterceptIn(BodySchema):
    model_config = _example({"reason": "The buyer cancelled the order"})

    reason: str = Field(..., min_length=1, max_length=300)


class ProviderWebhookIn(BodySchema):
    model_config = _example({"url": "https://erp.example.com/hooks/tradelane"})

    url: str = Field(..., max_length=500, description="https:// address; empty: no webhooks")


class ProviderCustomerQuery(Schema):
    customer: str = Field("", max_length=30,
                          description="staff keys only: the customer's code")  # fmt: skip


class ProviderWaybillFilters(PageParams):
    customer: str = Field("", max_length=30, description="staff keys only: the customer's code")
    status: WaybillStatus | None = None
    created_from: Date | None = None
    created_to: Date | None = None
    q: str = Field("", max_length=60, description="our number, your reference or a tracking number")


class ProviderLabelQuery(ProviderCustomerQuery):
    format: str = Field("pdf", pattern="^(pdf|zpl)$")


MAX_LABELS = 100  # waybills per POST /labels


class ProviderLabelsIn(BodySchema):
    model_config = _example({"numbers": ["TL2601010000001", "SO-10001"], "format": "pdf"})

    # at most 100: checked by the handler so that a longer list is ``too_many_labels``
    numbers: list[Annotated[str, StringConstraints(min_length=1, max_length=60)]] = Field(
        ..., min_length=1, json_schema_extra={"maxItems": MAX_LABELS},
        description="up to 100 waybills, each by our waybill number or your reference; "
        "their labels come in this order",
    )  # fmt: skip
    format: str = Field(
        "pdf", pattern="^(pdf|zpl)$", description="pdf: one label per page; zpl: one ^XA..^XZ each"
    )


# --- out ------------------------------------------------------------------------------------


class ProviderChannelOut(Schema):
    code: str
    name: str
    transit_days_min: int | None
    transit_days_max: int | None
    destinations: list[str]


class ProviderChannelsOut(Schema):
    channels: list[ProviderChannelOut]


class ProviderMoneyOut(Schema):
    amount: str
    currency: str


class ProviderChargeOut(Schema):
    code: str
    amount: str
    currency: str
    text: str = ""


class ProviderReasonOut(Schema):
    code: str
    message: str


class ProviderOfferOut(Schema):
    channel: str
    name: str
    ok: bool
    price: ProviderMoneyOut | None
    charges: list[ProviderChargeOut]
    chargeable_weight_kg: str | None
    transit_days_min: int | None
    transit_days_max: int | None
    reasons: list[ProviderReasonOut]


class ProviderOffersOut(Schema):
    offers: list[ProviderOfferOut] = Field(
        ..., description="cheapest accepting first, then refusals"
    )


class ProviderItemErrorOut(Schema):
    field: str
    code: str
    message: str


class ProviderCreatedItemOut(Schema):
    index: int
    reference: str
    result: str = Field(..., pattern="^(created|existing|rejected)$")
    number: str | None
    tracking_number: str | None
    tracking_status: TrackingStatus | None = Field(
        ..., description="pending: the number comes later (webhook or poll)"
    )
    errors: list[ProviderItemErrorOut]


class ProviderCreatedOut(Schema):
    created: int
    existing: int
    rejected: int
    items: list[ProviderCreatedItemOut]


class ProviderWaybillChargeOut(Schema):
    code: str
    amount: str
    currency: str


class ProviderWaybillOut(Schema):
    number: str
    reference: str
    customer: str
    channel: str
    status: WaybillStatus
    tracking_number: str | None
    tracking_status: TrackingStatus
    last_mile_carrier: str | None
    last_mile_number: str | None
    pieces: int
    forecast_weight_kg: str | None
    measured_weight_kg: str | None
    chargeable_weight_kg: str | None
    price: ProviderMoneyOut | None
    charges: list[ProviderWaybillChargeOut]
    consignee_country: str
    intercept_requested: bool
    created_at: str
    updated_at: str


class ProviderTrackingEventOut(Schema):
    status: str
    description: str
    location: str
    occurred_at: str
    source: str = Field(..., description="provider (ours) or last_mile (the carrier's)")


class ProviderTrackingOut(Schema):
    number: str
    tracking_number: str | None
    last_mile_carrier: str | None
    last_mile_number: str | None
    status: WaybillStatus
    events: list[ProviderTrackingEventOut]


class ProviderWebhookOut(Schema):
    url: str
    secret: str = Field(..., description="signs every delivery; shown once")
