"""HTTP shapes of products and SKUs.

At the API edge weights are kilograms and dimensions centimetres (decimals); at rest they are
whole grams and millimetres. ``to_fields`` converts with ``core.units``; the output carries
both.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from ninja import Field, Schema

from tradelane.api.paging import PageParams
from tradelane.api.types import (
    BodySchema,
    Bool,
    Choice,
    Id,
    centimetres,
    column_decimal,
    kilograms,
)
from tradelane.core.units import grams_to_kg, mm_to_cm, to_grams, to_mm

from .models import Sku, Status

_MEASURES = {
    "weight_kg": ("weight_g", lambda v: to_grams(v, "kg")),
    "length_cm": ("length_mm", lambda v: to_mm(v, "cm")),
    "width_cm": ("width_mm", lambda v: to_mm(v, "cm")),
    "height_cm": ("height_mm", lambda v: to_mm(v, "cm")),
}

# In kg and cm at the edge (4 and 2 decimals, rounded to whole g and mm), bounded so that
# the grams and millimetres fit their columns.
Kg = kilograms(Sku, "weight_g", places=4)
LengthCm = centimetres(Sku, "length_mm", places=2)
WidthCm = centimetres(Sku, "width_mm", places=2)
HeightCm = centimetres(Sku, "height_mm", places=2)
Cost = column_decimal(Sku, "cost_amount")
DeclaredValue = column_decimal(Sku, "declared_value")


class _SkuFields(BodySchema):
    name: str | None = Field(None, max_length=300)
    variant: str | None = Field(None, max_length=200, description='e.g. "Red / XL"')
    barcode: str | None = Field(None, max_length=64, description="GTIN / EAN / UPC / ISBN")
    weight_kg: Kg | None = None
    length_cm: LengthCm | None = None
    width_cm: WidthCm | None = None
    height_cm: HeightCm | None = None
    cost_amount: Cost | None = None
    cost_currency: str | None = Field(None, description="ISO 4217, e.g. CNY")
    declared_name_zh: str | None = Field(None, max_length=200, description="customs name, Chinese")
    declared_name_en: str | None = Field(None, max_length=200, description="customs name, English")
    hs_code: str | None = Field(None, description="6 to 10 digits (dots and spaces are removed)")
    declared_value: DeclaredValue | None = None
    declared_currency: str | None = Field(None, description="ISO 4217, e.g. USD")
    origin_country: str | None = Field(None, description="ISO 3166 alpha-2, e.g. CN")
    has_battery: bool | None = None
    has_liquid: bool | None = None
    has_magnet: bool | None = None
    image_url: str | None = Field(None, max_length=500)
    status: Choice(Status) | None = None

    def to_fields(self) -> dict[str, Any]:
        """The fields the client sent (nulls dropped), in grams and millimetres."""
        data = self.model_dump(exclude_unset=True, exclude_none=True)
        out: dict[str, Any] = {}
        for name, value in data.items():
            if name in _MEASURES:
                target, convert = _MEASURES[name]
                out[target] = convert(value)
            elif name == "status":
                out[name] = str(value.value if hasattr(value, "value") else value)
            else:
                out[name] = value
        return out


class SkuIn(_SkuFields):
    code: str = Field(..., min_length=1, max_length=64)
    name: str = Field(..., min_length=1, max_length=300)


class SkuPatch(_SkuFields):
    code: str | None = Field(None, min_length=1, max_length=64)


class ProductIn(BodySchema):
    code: str = Field(..., min_length=1, max_length=64)
    name: str = Field(..., min_length=1, max_length=300)
    name_en: str = Field("", max_length=300)
    image_url: str = Field("", max_length=500)
    status: Choice(Status) = Status.ACTIVE
    skus: list[SkuIn] = Field(default_factory=list, description="the first SKUs, created with it")

    def to_fields(self) -> dict[str, Any]:
        data = self.model_dump(exclude={"skus"})
        data["status"] = str(self.status.value)
        return data


class ProductPatch(BodySchema):
    code: str | None = Field(None, min_length=1, max_length=64)
    name: str | None = Field(None, min_length=1, max_length=300)
    name_en: str | None = Field(None, max_length=300)
    image_url: str | None = Field(None, max_length=500)
    status: Choice(Status) | None = None

    def to_fields(self) -> dict[str, Any]:
        data = self.model_dump(exclude_unset=True, exclude_none=True)
        if "status" in data:
            data["status"] = str(self.status.value)
        return data


class SkuOut(Schema):
    id: int
    product_id: int
    product_code: str
    code: str
    name: str
    variant: str
    barcode: str
    weight_g: int
    weight_kg: Decimal
    length_mm: int
    width_mm: int
    height_mm: int
    length_cm: Decimal
    width_cm: Decimal
    height_cm: Decimal
    cost_amount: Decimal
    cost_currency: str
    declared_name_zh: str
    declared_name_en: str
    hs_code: str
    declared_value: Decimal
    declared_currency: str
    origin_country: str
    has_battery: bool
    has_liquid: bool
    has_magnet: bool
    image_url: str
    status: str
    created_at: datetime
    updated_at: datetime

    @staticmethod
    def resolve_product_code(obj) -> str:
        return obj.product.code

    @staticmethod
    def resolve_weight_kg(obj) -> Decimal:
        return grams_to_kg(obj.weight_g) if obj.weight_g else Decimal(0)

    @staticmethod
    def resolve_length_cm(obj) -> Decimal:
        return mm_to_cm(obj.length_mm)

    @staticmethod
    def resolve_width_cm(obj) -> Decimal:
        return mm_to_cm(obj.width_mm)

    @staticmethod
    def resolve_height_cm(obj) -> Decimal:
        return mm_to_cm(obj.height_mm)


class ProductOut(Schema):
    id: int
    code: str
    name: str
    name_en: str
    image_url: str
    status: str
    sku_count: int
    skus: list[SkuOut]
    created_at: datetime
    updated_at: datetime

    @staticmethod
    def resolve_skus(obj) -> list:
        skus = list(obj.skus.all())
        for sku in skus:
            sku.product = obj  # no query per SKU for its product's code
        return skus

    @staticmethod
    def resolve_sku_count(obj) -> int:
        count = getattr(obj, "sku_count", None)
        return count if count is not None else len(obj.skus.all())


class ProductFilters(PageParams):
    q: str | None = Field(None, description="code or name of the product or of one of its SKUs")
    status: Status | None = None


class SkuFilters(PageParams):
    q: str | None = Field(None, description="code, name, variant or customs name")
    status: Status | None = None
    product_id: Id | None = None
    hs_code: str | None = Field(None, description="HS code prefix")
    origin_country: str | None = None
    has_battery: Bool | None = None
