"""Shipments, labels, customs documents and manifests over HTTP (tag "shipping").

Thin: validate, call services/selectors, map. Weights in kg and sizes in cm at this edge.
"""

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db.models import Prefetch
from ninja import Field, Query, Router, Schema, Status

from tradelane.accounts.permissions import require
from tradelane.accounts.roles import P
from tradelane.api.errors import CSV, PDF, ZPL, file_responses, responses
from tradelane.api.paging import PageParams, paginate
from tradelane.api.types import (
    BodySchema,
    Date,
    Id,
)
from tradelane.core.errors import NotFound

from ..customs import decisions as customs
from . import manifests, printing
from . import services as shipping
from .models import Manifest, Shipment
from .schemas import MeasuredIn

router = Router()


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
