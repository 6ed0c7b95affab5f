"""HTTP shapes of stores, SKU mappings, orders, their import and the actions on them."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from ninja import Field, Schema
from pydantic import model_validator

from tradelane.api.paging import PageParams
from tradelane.api.types import (
    BodySchema,
    Choice,
    Date,
    DateTime,
    Id,
    Int,
    column_decimal,
    column_int,
    one_of,
)

from .models import Order, OrderLine, Store
from .states import OrderStatus, PaymentStatus

MAX_BULK = 10_000
MAX_QUANTITY = 100_000  # units on one line, or of one SKU in a bundle
Quantity = Int(1, MAX_QUANTITY)
Total = column_decimal(Order, "items_total")
UnitPrice = column_decimal(OrderLine, "unit_price")

# --- stores and mappings --------------------------------------------------------------------


class StorePatch(BodySchema):
    name: str | None = Field(None, min_length=1, max_length=200)
    platform: Choice(Store.Platform) | None = None
    currency: str | None = Field(None, description="ISO 4217")
    country: str | None = Field(None, description="ISO 3166 alpha-2")
    is_active: bool | None = None
    # the automation pipeline (orders.automation)
    auto_allocate: bool | None = Field(None, description="allocate when the review passes")
    auto_ship: bool | None = Field(
        None, description="after allocation, rate-shop and create the shipment"
    )
    order_priority: column_int(Store, "order_priority") | None = Field(
        None, description="orders placed at the same moment take stock by this, lower first"
    )

    def to_fields(self) -> dict[str, Any]:
        data = self.model_dump(exclude_unset=True, exclude_none=True)
        if "platform" in data:
            data["platform"] = str(self.platform.value)
        return data


class StoreIn(StorePatch):
    code: str = Field(..., min_length=1, max_length=32, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$")
    name: str = Field(..., min_length=1, max_length=200)
    platform: Choice(Store.Platform)
    currency: str = Field(..., description="ISO 4217")
    country: str = Field(..., description="ISO 3166 alpha-2")


class StoreOut(Schema):
    id: int
    code: str
    name: str
    platform: str
    currency: str
    country: str
    is_active: bool
    auto_allocate: bool
    auto_ship: bool
    order_priority: int
    created_at: datetime


class StoreFilters(PageParams):
    q: str | None = Field(None, description="part of the store's code or name")
    platform: Store.Platform | None = None


class ComponentIn(BodySchema):
    model_config = {"json_schema_extra": one_of("sku_id", "sku")}

    sku_id: Id | None = None
    sku: str | None = Field(None, max_length=64, description="SKU code, instead of sku_id")
    quantity: Quantity = 1

    @model_validator(mode="after")
    def _one_ref(self):
        if (self.sku_id is None) == (self.sku is None):
            raise ValueError("give exactly one of sku_id and sku")
        return self


class MappingIn(BodySchema):
    store_sku: str = Field(..., min_length=1, max_length=128)
    components: list[ComponentIn] = Field(
        ..., min_length=1, max_length=100, description="one SKU, or several for a bundle"
    )


class ComponentOut(Schema):
    sku_id: int
    sku_code: str
    quantity: int


class MappingOut(Schema):
    store_sku: str
    components: list[ComponentOut]


class MappingFilters(PageParams):
    q: str | None = Field(None, description="part of the store SKU")


# --- orders in ------------------------------------------------------------------------------


class BuyerIn(BodySchema):
    name: str = Field("", max_length=200)
    email: str = Field("", max_length=254)
    phone: str = Field("", max_length=40)


class AddressIn(BodySchema):
    name: str = Field(..., min_length=1, max_length=200)
    company: str = Field("", max_length=200)
    address1: str = Field(..., min_length=1, max_length=300)
    address2: str = Field("", max_length=300)
    city: str = Field("", max_length=100)
    state: str = Field("", max_length=100)
    postcode: str = Field("", max_length=20)
    country: str = Field(..., min_length=2, max_length=3, description="ISO 3166 alpha-2")
    phone: str = Field("", max_length=40)


class TotalsIn(BodySchema):
    """Decimal amounts; left out: items = sum of the lines, shipping/tax/discount = 0,
    grand = items + shipping + tax - discount."""

    items: Total | None = None
    shipping: Total | None = None
    tax: Total | None = None
    discount: Total | None = None
    grand: Total | None = None


class LineIn(BodySchema):
    store_sku: str = Field(..., min_length=1, max_length=128)
    title: str = Field("", max_length=300)
    quantity: Quantity
    unit_price: UnitPrice = Decimal(0)


class OrderIn(BodySchema):
    """One order in the normalized form that imports use too."""

    store: str = Field(..., min_length=1, max_length=32, description="the store's code")
    external_id: str = Field(..., min_length=1, max_length=128, description="unique per store")
    number: str = Field("", max_length=64)
    placed_at: DateTime | None = Field(None, description="ISO 8601; default now")
    currency: str | None = Field(
        None, min_length=3, max_length=3, description="ISO 4217; default the store's"
    )
    payment_status: Choice(PaymentStatus) = PaymentStatus.PAID
    buyer: BuyerIn = Field(default_factory=BuyerIn)
    shipping_address: AddressIn
    totals: TotalsIn = Field(default_factory=TotalsIn)
    lines: list[LineIn] = Field(..., min_length=1, max_length=500)
    note: str = Field("", max_length=5000)

    def to_row(self) -> dict[str, Any]:
        """The importer's dict: decimal strings, an ISO date-time, plain strings."""
        return self.model_dump(mode="json", exclude_none=True)


class ImportIn(BodySchema):
    orders: list[dict[str, Any]] = Field(
        ...,
        min_length=1,
        max_length=MAX_BULK,
        description="orders in the normalized form; each row is checked on its own",
    )


class ImportErrorOut(Schema):
    field: str
    code: str
    message: str


class ImportRowOut(Schema):
    row: int = Field(..., description="position in the list, or the file's line for CSV/JSONL")
    external_id: str | None = None
    result: str = Field(..., description="created, updated, unchanged or rejected")
    errors: list[ImportErrorOut] = Field(default_factory=list)


class ImportReportOut(Schema):
    created: int
    updated: int
    unchanged: int
    rejected: int
    total: int
    review: dict[str, int] = Field(
        default_factory=dict, description="what the review of new and changed orders decided"
    )
    rows: list[ImportRowOut] = Field(
        ..., description="every rejected or locked row, and the first 1000 others"
    )
    rows_omitted: int = Field(0, description="rows counted but not listed")


# --- orders out -----------------------------------------------------------------------------


class _OrderFields(Schema):
    id: int
    store_id: int
    store_code: str
    external_id: str
    number: str
    status: str
    source: str
    placed_at: datetime
    buyer_name: str
    buyer_email: str
    ship_name: str
    ship_city: str
    ship_country: str
    currency: str
    grand_total: Decimal
    payment_status: str
    warehouse_id: int | None
    warehouse_code: str | None
    created_at: datetime
    updated_at: datetime


class OrderOut(_OrderFields):
    """An order in a list (from the ORM, store and warehouse selected with it)."""

    @staticmethod
    def resolve_store_code(obj) -> str:
        return obj.store.code

    @staticmethod
    def resolve_warehouse_code(obj) -> str | None:
        return obj.warehouse.code if obj.warehouse_id else None


class BuyerOut(Schema):
    name: str
    email: str
    phone: str


class AddressOut(Schema):
    name: str
    company: str
    address1: str
    address2: str
    city: str
    state: str
    postcode: str
    country: str
    phone: str


class TotalsOut(Schema):
    items: Decimal
    shipping: Decimal
    tax: Decimal
    discount: Decimal
    grand: Decimal


class LineOut(Schema):
    id: int
    line_no: int
    store_sku: str
    store_quantity: int
    title: str
    sku_id: int | None
    sku_code: str | None
    quantity: int
    unit_price: Decimal


class VerdictOut(Schema):
    rule: str
    result: str
    code: str = ""
    detail: Any = ""


class EventOut(Schema):
    field: str
    from_state: str
    to_state: str
    actor: str | None
    reason: str
    created_at: datetime


class ReservationOut(Schema):
    sku_id: int
    warehouse_id: int
    quantity: int


class PackageLineOut(Schema):
    order_id: int
    order_line_id: int
    quantity: int


class PackageOut(Schema):
    id: int
    name: str
    kind: str
    status: str
    warehouse_id: int
    warehouse_code: str
    created_at: datetime
    lines: list[PackageLineOut]


class OrderDetailOut(_OrderFields):
    buyer: BuyerOut
    shipping_address: AddressOut
    totals: TotalsOut
    note: str
    lines: list[LineOut]
    review: list[VerdictOut]
    reviewed_at: datetime | None
    shortage: list[dict[str, Any]]
    history: list[EventOut]
    reservations: list[ReservationOut]
    packages: list[PackageOut]


class OrderFilters(PageParams):
    status: OrderStatus | None = None
    store_id: Id | None = None
    country: str | None = Field(None, description="destination, ISO 3166 alpha-2")
    q: str | None = Field(None, description="order number, external id, buyer name or email")
    placed_from: Date | None = Field(None, description="placed on or after this day")
    placed_to: Date | None = Field(None, description="placed on or before this day")


# --- actions --------------------------------------------------------------------------------


class TransitionIn(BodySchema):
    to: Choice(OrderStatus)
    reason: str = Field("", max_length=1000)


class CancelIn(BodySchema):
    reason: str = Field(..., min_length=1, max_length=1000)


class IdsIn(BodySchema):
    ids: list[Id] = Field(..., min_length=1, max_length=MAX_BULK)


class ReviewResultOut(Schema):
    approved: int = 0
    pending_contact: int = 0
    invalid: int = 0
    skipped: int = Field(0, description="not in a reviewable state, or unknown ids")


class AllocateResultOut(Schema):
    allocated: int = 0
    pending_purchase: int = Field(0, description="no warehouse holds every line")
    skipped: int = Field(0, description="not approved / pending purchase, unmapped lines")


class SplitLineIn(BodySchema):
    line_id: Id
    quantity: Quantity


class SplitPartIn(BodySchema):
    warehouse_id: Id
    lines: list[SplitLineIn] = Field(..., min_length=1, max_length=500)


class SplitIn(BodySchema):
    parts: list[SplitPartIn] = Field(..., min_length=2, max_length=50)


class VoidAndSplitIn(SplitIn):
    shipment_ids: list[Id] = Field(
        ...,
        min_length=1,
        max_length=50,
        description="the live shipments carrying the order, as you saw them; all are voided",
    )
    reason: str = Field("", max_length=200)


class EditLineIn(BodySchema):
    id: Id | None = Field(None, description="the line to keep or change; none: a new line")
    sku: str = Field("", max_length=64, description="our SKU code; empty keeps the line's own")
    quantity: Quantity


class OrderEditIn(BodySchema):
    """What customer service changes on an order; fields left out stay as they are. With
    ``lines``, the order's lines become exactly these (a line left out is removed)."""

    buyer_name: str | None = Field(None, max_length=200)
    buyer_email: str | None = Field(None, max_length=254)
    buyer_phone: str | None = Field(None, max_length=40)
    ship_name: str | None = Field(None, max_length=200)
    ship_company: str | None = Field(None, max_length=200)
    ship_address1: str | None = Field(None, max_length=300)
    ship_address2: str | None = Field(None, max_length=300)
    ship_city: str | None = Field(None, max_length=100)
    ship_state: str | None = Field(None, max_length=100)
    ship_postcode: str | None = Field(None, max_length=20)
    ship_country: str | None = Field(None, max_length=3)
    ship_phone: str | None = Field(None, max_length=40)
    note: str | None = Field(None, max_length=5000)
    lines: list[EditLineIn] | None = Field(None, min_length=1, max_length=200)
    reason: str = Field("", max_length=500, description="why, for the order's history")
