"""Rate shopping and its configuration over HTTP (tag "shipping"): shop orders or a bare parcel
(at once or as a job), and the tables that decide it: shipping rules, customs thresholds and
stores' customs numbers. Thin: validate, call services, map. Weights in kg, sizes in cm.
"""

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any

from ninja import Field, Query, Router, Schema, Status
from pydantic import create_model

from tradelane.accounts.permissions import require
from tradelane.accounts.roles import P
from tradelane.api.errors import responses
from tradelane.api.paging import PageParams, paginate
from tradelane.api.types import BodySchema, Date, Id, Int, column_decimal, column_int
from tradelane.core.errors import ValidationFailed
from tradelane.core.money import Money, check_currency
from tradelane.core.units import to_grams, to_mm

from ..customs.models import CustomsThreshold, StoreCustomsNumber
from ..rates.chargeable import Parcel
from ..shipping.schemas import DeclaredValue, HeightCm, LengthCm, ParcelKg, WidthCm
from . import configuration as shipping_config
from . import services as shopping
from .models import ShippingRule

router = Router()


def _g(kg: Decimal | None) -> int:
    return to_grams(kg or 0, "kg")


def _mm(cm: Decimal | None) -> int:
    return to_mm(cm or 0, "cm")


class ParcelIn(BodySchema):
    weight_kg: ParcelKg
    length_cm: LengthCm = Decimal(0)
    width_cm: WidthCm = Decimal(0)
    height_cm: HeightCm = Decimal(0)
    pieces: Int(1, 999) = 1
    country: str = Field("", max_length=2)
    postcode: str = Field("", max_length=20)
    city: str = Field("", max_length=100)
    declared_value: DeclaredValue | None = None
    currency: str | None = Field(None, max_length=3)
    battery: bool = False
    liquid: bool = False
    magnet: bool = False


class RateShopIn(BodySchema):
    order_ids: list[Id] = Field(default_factory=list, max_length=500)
    parcel: ParcelIn | None = None
    level: str | None = Field(None, max_length=40)
    store_choice: bool = True


class BulkIn(BodySchema):
    order_ids: list[Id] | None = Field(None, max_length=100_000)
    level: str | None = Field(None, max_length=40)


# --- rate shopping --------------------------------------------------------------------------


@router.post("/rate-shop", response=responses(200, dict[str, Any]), operation_id="rate_shop")
def rate_shop(request, payload: RateShopIn):
    """Shop orders (their choices are kept) or a bare parcel; every answer explains itself."""
    if payload.parcel is not None:
        p = payload.parcel
        value = None
        if p.declared_value is not None:
            value = Money(p.declared_value, check_currency(p.currency or "USD"))
        parcel = Parcel(
            weight_g=_g(p.weight_kg), length_mm=_mm(p.length_cm), width_mm=_mm(p.width_cm),
            height_mm=_mm(p.height_cm), pieces=p.pieces, country=p.country,
            postcode=p.postcode, city=p.city, declared_value=value, battery=p.battery,
            liquid=p.liquid, magnet=p.magnet,
        )  # fmt: skip
        choice = shopping.rate_shop_parcel(request.auth, parcel, level=payload.level)
        return {"choices": [choice.as_dict()]}
    if not payload.order_ids:
        raise ValidationFailed("Give order_ids or a parcel", code="nothing_to_shop")
    choices = shopping.rate_shop_orders(
        request.auth, payload.order_ids, level=payload.level, store=payload.store_choice
    )
    return {"choices": [c.as_dict() for c in choices]}


@router.post(
    "/rate-shop/bulk", response=responses(202, dict[str, Any]), operation_id="rate_shop_bulk"
)
def rate_shop_bulk(request, payload: BulkIn):
    """Shop every pending-shipment order (or these ids) as a job; follow it at /jobs/{id}."""
    job = shopping.start_bulk_rate_shop(request.auth, payload.order_ids, level=payload.level)
    return Status(202, {"job_id": job.pk, "status": job.status})


# --- configuration: rules, thresholds, store customs numbers --------------------------------


OrderValue = column_decimal(ShippingRule, "min_order_value")


class ShippingRuleIn(BodySchema):
    name: str = Field(..., min_length=1, max_length=200)
    priority: column_int(ShippingRule, "priority") = 100
    is_active: bool = True
    countries: list[str] = Field(default_factory=list, max_length=300)
    store_id: Id | None = None
    sku_attribute: str = Field("", max_length=10)
    min_order_value: OrderValue | None = None
    max_order_value: OrderValue | None = None
    value_currency: str = Field("", max_length=3)
    strategy: str = Field("cheapest", max_length=24)
    max_days: column_int(ShippingRule, "max_days", ge=0, le=365) | None = None
    channels: list[str] = Field(default_factory=list, max_length=500)
    incoterm: str = Field("", max_length=3)


class CustomsThresholdIn(BodySchema):
    destination: str = Field("", max_length=2)
    kind: str = Field(..., max_length=16)
    amount: column_decimal(CustomsThreshold, "amount")
    currency: str = Field(..., max_length=3)
    max_weight_g: column_int(CustomsThreshold, "max_weight_g") | None = None
    effective_from: Date
    effective_to: Date | None = None
    note: str = Field("", max_length=300)


class StoreCustomsNumberIn(BodySchema):
    store_id: Id
    destination: str = Field("", max_length=2)
    kind: str
    number: str = Field(..., min_length=1, max_length=40)


_CONFIG = {
    "shipping-rules": ("rule", ShippingRule, ShippingRuleIn, "priority"),
    "customs-thresholds": ("threshold", CustomsThreshold, CustomsThresholdIn, "destination"),
    "store-customs-numbers": ("number", StoreCustomsNumber, StoreCustomsNumberIn, "store_id"),
}


def _row(obj) -> dict:
    out = {}
    for f in obj._meta.concrete_fields:
        v = getattr(obj, f.attname)
        out[f.attname] = str(v) if isinstance(v, Decimal | dt.date) else v
    return out


def _partial(schema: type[Schema]) -> type[Schema]:
    """The PATCH form of a schema: every field optional, only those sent are changed."""
    fields = {
        # the field's type with its constraints and validators, then "or null"
        n: ((Annotated[(f.annotation, *f.metadata)] if f.metadata else f.annotation) | None, None)
        for n, f in schema.model_fields.items()
    }
    return create_model(schema.__name__.removesuffix("In") + "Patch", __base__=BodySchema, **fields)


def _mount(path: str, what: str, model, schema, order: str) -> None:
    patch_schema = _partial(schema)

    def list_(request, filters: Query[PageParams]):
        require(request.auth, P.CHANNEL_VIEW)
        qs = model.objects.order_by(order, "id")
        return paginate(qs, filters, transform=lambda rows: [_row(r) for r in rows])

    def create(request, payload: schema):  # type: ignore[valid-type]
        return Status(
            201, _row(shipping_config.create_config(request.auth, what, **payload.dict()))
        )

    def update(request, pk: int, payload: patch_schema):  # type: ignore[valid-type]
        data = payload.dict(exclude_unset=True)
        return _row(shipping_config.update_config(request.auth, what, pk, **data))

    def delete(request, pk: int):
        shipping_config.delete_config(request.auth, what, pk)
        return Status(204, None)

    one = f"/{path}/{{id:pk}}"
    any_ = responses(200, dict[str, Any])
    name = path.replace("-", "_")  # shipping_rules_list, customs_thresholds_create...
    router.get(f"/{path}", response=any_, operation_id=f"{name}_list")(list_)
    router.post(f"/{path}", response=responses(201, dict[str, Any]), operation_id=f"{name}_create")(
        create
    )
    router.patch(one, response=any_, operation_id=f"{name}_update")(update)
    router.api_operation(
        ["DELETE"], one, response=responses(204, None), operation_id=f"{name}_delete"
    )(delete)


for _path, (_what, _model, _schema, _order) in _CONFIG.items():
    _mount(_path, _what, _model, _schema, _order)
