"""Rate shopping, shipments, rules and customs configuration over HTTP (tag "shipping").

Thin: validate, call services/selectors, map. Weights in kg and sizes in cm at this edge.
"""

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any

from django.db.models import Prefetch
from ninja import Field, Query, Router, Schema, Status
from pydantic import create_model

from tradelane.accounts.permissions import require
from tradelane.accounts.roles import P
from tradelane.api.errors import CSV, PDF, ZPL, file_responses, responses
from tradelane.api.paging import PageParams, paginate
from tradelane.api.types import (
    BodySchema,
    Date,
    Id,
    Int,
    centimetres,
    column_decimal,
    column_int,
    kilograms,
)
from tradelane.core.errors import NotFound, ValidationFailed
from tradelane.core.money import Money, check_currency
from tradelane.core.selectors import job_for
from tradelane.core.units import to_grams, to_mm

from ..customs import decisions as customs
from ..customs.models import CustomsThreshold, StoreCustomsNumber
from ..rates.chargeable import Parcel
from ..shopping import configuration as shipping_config
from ..shopping import services as shopping
from ..shopping.models import ShippingRule
from . import manifests, printing
from . import services as shipping
from .models import Manifest, Shipment, ShipmentParcel

router = Router()


def _g(kg: Decimal | None) -> int:
    return to_grams(kg or 0, "kg")


def _mm(cm: Decimal | None) -> int:
    return to_mm(cm or 0, "cm")


# a parcel in kg and cm, rounded up to whole grams and mm that fit the parcel columns; with
# four and two decimals, as the catalog takes them
ParcelKg = kilograms(ShipmentParcel, "weight_g", places=4, positive=True)
MeasuredKg = kilograms(ShipmentParcel, "weight_g", places=4)
LengthCm = centimetres(ShipmentParcel, "length_mm", places=2)
WidthCm = centimetres(ShipmentParcel, "width_mm", places=2)
HeightCm = centimetres(ShipmentParcel, "height_mm", places=2)
DeclaredValue = column_decimal(Shipment, "declared_value")


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


class MeasuredIn(BodySchema):
    weight_kg: MeasuredKg
    length_cm: LengthCm = Decimal(0)
    width_cm: WidthCm = Decimal(0)
    height_cm: HeightCm = Decimal(0)
    pieces: Int(1, 99) = 1

    def measured(self) -> shopping.Measured:
        return shopping.Measured(
            _g(self.weight_kg), _mm(self.length_cm), _mm(self.width_cm), _mm(self.height_cm),
            self.pieces,
        )  # fmt: skip


class ShipmentIn(BodySchema):
    order_ids: list[Id] = Field(default_factory=list, max_length=500)
    package_ids: list[Id] = Field(default_factory=list, max_length=500)
    channel: str | None = Field(None, max_length=40)
    parcels: list[MeasuredIn] | None = Field(None, max_length=500)


class ShipmentCancelIn(BodySchema):
    reason: str = Field("", max_length=1000)


class ShipmentFilters(PageParams):
    status: str | None = None
    channel: str | None = None
    date_from: Date | None = None
    date_to: Date | None = None
    tracking_number: str | None = None


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


@router.get("/jobs/{id:job_id}", response=responses(200, dict[str, Any]), operation_id="jobs_get")
def job_status(request, job_id: int):
    job = job_for(request.auth, job_id)  # someone else's job is not found
    return {
        "id": job.pk, "kind": job.kind, "status": job.status, "done": job.done,
        "total": job.total, "result": job.result, "error": job.error,
    }  # fmt: skip


# --- shipments ------------------------------------------------------------------------------


def _shipment_row(s: Shipment) -> dict:
    return {
        "id": s.pk, "number": s.number, "status": s.status, "channel": s.channel.code,
        "tracking_number": s.tracking_number, "label_error": s.label_error,
        "ship_country": s.ship_country, "pieces": s.pieces,
        "weight_kg": str(Decimal(s.weight_g).scaleb(-3)),
        "quoted_amount": str(s.quoted_amount) if s.quoted_amount is not None else None,
        "charge_currency": s.charge_currency, "created_at": s.created_at.isoformat(),
        "shipped_at": s.shipped_at.isoformat() if s.shipped_at else None,
    }  # fmt: skip


def _detail(pk: int) -> dict:
    s = (
        Shipment.objects.select_related("channel")
        .prefetch_related("order_links", "parcels", "items", Prefetch("documents"))
        .filter(pk=pk)
        .first()
    )
    if s is None:
        raise NotFound(f"Shipment {pk} does not exist", code="shipment_not_found")
    return {
        **_shipment_row(s),
        "orders": [
            {"order_id": ln.order_id, "package_id": ln.package_id} for ln in s.order_links.all()
        ],
        "parcels": [
            {"seq": p.seq, "weight_kg": str(Decimal(p.weight_g).scaleb(-3)),
             "length_cm": str(Decimal(p.length_mm).scaleb(-1)),
             "width_cm": str(Decimal(p.width_mm).scaleb(-1)),
             "height_cm": str(Decimal(p.height_mm).scaleb(-1)), "measured": p.measured}
            for p in s.parcels.all()
        ],
        "customs": customs.declaration(s),
        "quote": s.quote_detail,
        "documents": [{"kind": d.kind, "format": d.format} for d in s.documents.all()],
    }  # fmt: skip


@router.post(
    "/shipments", response=responses(201, list[dict[str, Any]]), operation_id="shipments_create"
)
def create_shipments(request, payload: ShipmentIn):
    made = shipping.create_shipments(
        request.auth,
        order_ids=payload.order_ids,
        package_ids=payload.package_ids,
        channel=payload.channel,
        parcels=[p.measured() for p in payload.parcels] if payload.parcels else None,
    )
    return Status(201, [_detail(s.pk) for s in made])


@router.get("/shipments", response=responses(200, dict[str, Any]), operation_id="shipments_list")
def list_shipments(request, filters: Query[ShipmentFilters]):
    require(request.auth, P.SHIPMENT_VIEW)
    qs = Shipment.objects.select_related("channel").order_by("-created_at", "-id")
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.channel:
        qs = qs.filter(channel__code=filters.channel)
    if filters.date_from:
        qs = qs.filter(created_at__date__gte=filters.date_from)
    if filters.date_to:
        qs = qs.filter(created_at__date__lte=filters.date_to)
    if filters.tracking_number:
        qs = qs.filter(tracking_number=filters.tracking_number.strip())
    return paginate(qs, filters, transform=lambda rows: [_shipment_row(s) for s in rows])


@router.get(
    "/shipments/{id:shipment_id}",
    response=responses(200, dict[str, Any]),
    operation_id="shipments_get",
)
def get_shipment(request, shipment_id: int):
    require(request.auth, P.SHIPMENT_VIEW)
    return _detail(shipment_id)


@router.post(
    "/shipments/{id:shipment_id}/cancel",
    response=responses(200, dict[str, Any]),
    operation_id="shipments_cancel",
)
def cancel_shipment(request, shipment_id: int, payload: ShipmentCancelIn):
    shipping.cancel_shipment(request.auth, shipment_id, payload.reason)
    return _detail(shipment_id)


@router.post(
    "/shipments/{id:shipment_id}/ship",
    response=responses(200, dict[str, Any]),
    operation_id="shipments_ship",
)
def ship_shipment(request, shipment_id: int):
    shipping.ship_shipment(request.auth, shipment_id)
    return _detail(shipment_id)


@router.get(
    "/shipments/{id:shipment_id}/customs",
    response=responses(200, dict[str, Any]),
    operation_id="shipments_customs_get",
)
def shipment_customs(request, shipment_id: int):
    require(request.auth, P.SHIPMENT_VIEW)
    return _detail(shipment_id)["customs"]


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


# --- labels, customs documents, manifests ---------------------------------------------------

LABEL_CONTENT_TYPE = {"pdf": PDF, "zpl": f"{ZPL}; charset=utf-8"}


class LabelQuery(Schema):
    format: str = Field("pdf", pattern="^(pdf|zpl)$")
    size: str | None = Field(None, pattern="^(4x6|100x100)$")


class LabelsIn(BodySchema):
    ids: list[Id] = Field(..., min_length=1, max_length=2000)
    format: str = Field("pdf", pattern="^(pdf|zpl)$")
    size: str | None = Field(None, pattern="^(4x6|100x100)$")


class ManifestIn(BodySchema):
    channel: str = Field(..., min_length=1, max_length=40)
    date: Date | None = None


class ManifestFilters(PageParams):
    channel: str | None = None
    date_from: Date | None = None
    date_to: Date | None = None


def _file(content: bytes | str, content_type: str, filename: str, *, inline: bool = False):
    from django.http import HttpResponse

    response = HttpResponse(content, content_type=content_type)
    disposition = "inline" if inline else "attachment"
    response["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    return response


def label_response(content: bytes | str, fmt: str, name: str):
    return _file(content, LABEL_CONTENT_TYPE[fmt], f"{name}.{fmt}", inline=fmt == "pdf")


@router.get(
    "/shipments/{id:shipment_id}/label",
    response=responses(200, None),
    operation_id="shipments_label",
    openapi_extra=file_responses(PDF, ZPL),
)
def shipment_label(request, shipment_id: int, q: Query[LabelQuery]):
    """The shipment's label (one page per parcel): PDF or ZPL, in the channel's label size
    unless ``size`` says otherwise; a carrier's label as the carrier sent it."""
    content = printing.labels(request.auth, [shipment_id], q.format, q.size)
    number = Shipment.objects.filter(pk=shipment_id).values_list("number", flat=True).first()
    return label_response(content, q.format, f"label-{number}")


@router.post(
    "/shipments/labels",
    response=responses(200, None),
    operation_id="shipments_labels_batch",
    openapi_extra=file_responses(PDF, ZPL),
)
def shipments_labels(request, payload: LabelsIn):
    """Labels of many shipments in one PDF or ZPL, in the order given; 422
    ``labels_unavailable`` lists the unknown and unlabelled ids (nothing is printed)."""
    content = printing.labels(request.auth, payload.ids, payload.format, payload.size)
    name = f"labels-{dt.date.today():%Y%m%d}-{len(payload.ids)}"
    return label_response(content, payload.format, name)


@router.get(
    "/shipments/{id:shipment_id}/customs-document",
    response=responses(200, None),
    operation_id="shipments_customs_document",
    openapi_extra=file_responses(PDF),
)
def shipment_customs_document(request, shipment_id: int):
    """The CN23 (postal, above the CN22 limits) or commercial invoice (express and lines) as
    PDF; 404 ``no_customs_document`` when the CN22 on the label is all it needs."""
    kind, content = printing.customs_document(request.auth, shipment_id)
    number = Shipment.objects.filter(pk=shipment_id).values_list("number", flat=True).first()
    return _file(content, "application/pdf", f"{kind}-{number}.pdf", inline=True)


def _manifest_row(m) -> dict:
    return {
        "id": m.pk, "number": m.number, "channel": m.channel.code, "date": m.date.isoformat(),
        "shipments": getattr(m, "n_shipments", None), "created_at": m.created_at.isoformat(),
    }  # fmt: skip


@router.post("/manifests", response=responses(201, dict[str, Any]), operation_id="manifests_close")
def close_manifest(request, payload: ManifestIn):
    """Close the day's manifest of a channel: every shipment of the channel shipped that day
    and on no manifest yet. Again the same day: only the new ones, as a new manifest; 409
    ``manifest_empty`` when there are none."""
    m = manifests.close_manifest(request.auth, payload.channel, payload.date)
    row = _manifest_row(m)
    row["shipments"] = m.shipments.count()
    row["tracking_numbers"] = list(
        m.shipments.order_by("shipped_at", "id").values_list("tracking_number", flat=True)
    )
    return Status(201, row)


@router.get("/manifests", response=responses(200, dict[str, Any]), operation_id="manifests_list")
def list_manifests(request, filters: Query[ManifestFilters]):
    from django.db.models import Count

    require(request.auth, P.SHIPMENT_VIEW)
    qs = (
        Manifest.objects.select_related("channel")
        .annotate(n_shipments=Count("shipments"))
        .order_by("-date", "-id")
    )
    if filters.channel:
        qs = qs.filter(channel__code=filters.channel)
    if filters.date_from:
        qs = qs.filter(date__gte=filters.date_from)
    if filters.date_to:
        qs = qs.filter(date__lte=filters.date_to)
    return paginate(qs, filters, transform=lambda rows: [_manifest_row(m) for m in rows])


@router.get(
    "/manifests/{id:manifest_id}.pdf",
    response=responses(200, None),
    operation_id="manifests_pdf",
    openapi_extra=file_responses(PDF),
)
def manifest_pdf(request, manifest_id: int):
    m, content = manifests.manifest_pdf(request.auth, manifest_id)
    return _file(content, "application/pdf", f"{m.number}.pdf", inline=True)


@router.get(
    "/manifests/{id:manifest_id}.csv",
    response=responses(200, None),
    operation_id="manifests_csv",
    openapi_extra=file_responses(CSV),
)
def manifest_csv(request, manifest_id: int):
    m, content = manifests.manifest_csv(request.auth, manifest_id)
    return _file(content, "text/csv; charset=utf-8", f"{m.number}.csv")
