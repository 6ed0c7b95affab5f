"""Channels, rate sheets and quotes over HTTP: validate, call selectors and services, map.

Units at the edge: kg and cm in and out (grams and millimetres at rest, see ``rates.shapes``); money
as decimal strings with the currency. Reading and quoting need ``P.CHANNEL_VIEW``; editing a
channel ``P.CHANNEL_CHANGE``; anything about rate sheets ``P.RATESHEET_CHANGE``.
"""

from __future__ import annotations

import os

from django.db.models import Count, IntegerField, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpResponse
from ninja import File, Form, Query, Router, Status, UploadedFile

from tradelane.accounts.permissions import require
from tradelane.accounts.roles import P
from tradelane.api.errors import XLSX, file_responses, responses
from tradelane.api.paging import page_of, paginate
from tradelane.api.types import Date
from tradelane.core.errors import NotFound, ValidationFailed

from . import selectors, services
from . import shapes as edge
from .models import Bracket, Channel, RateSheet, Zone
from .schemas import (
    ChannelFilters,
    ChannelIn,
    ChannelOut,
    ChannelPatch,
    FuelOut,
    FuelRateIn,
    QuoteIn,
    QuotesOut,
    SheetDetailOut,
    SheetFilters,
    SheetIn,
    SheetOut,
)

router = Router()

MAX_SHEET_FILE = 20 * 1024 * 1024


# --- helpers --------------------------------------------------------------------------------


def _view(request):
    require(request.auth, P.CHANNEL_VIEW)
    return request.auth


def _channel(code: str) -> Channel:
    return selectors.channel(code)


def _channels_with_counts():
    return Channel.objects.annotate(sheet_count=Count("rate_sheets"))


def _sheets_with_counts(qs):
    zones = (
        Zone.objects.filter(sheet=OuterRef("pk"))
        .order_by()
        .values("sheet")
        .annotate(n=Count("pk"))
        .values("n")
    )
    brackets = (
        Bracket.objects.filter(zone__sheet=OuterRef("pk"))
        .order_by()
        .values("zone__sheet")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return qs.select_related("channel").annotate(
        zone_count=Coalesce(Subquery(zones, output_field=IntegerField()), 0),
        bracket_count=Coalesce(Subquery(brackets, output_field=IntegerField()), 0),
    )


def _sheet(ch: Channel, sheet_id: int) -> RateSheet:
    sheet = _sheets_with_counts(RateSheet.objects.filter(channel=ch, pk=sheet_id)).first()
    if sheet is None:
        raise NotFound(f"Channel {ch.code} has no rate sheet {sheet_id}", code="sheet_not_found")
    return sheet


def _channel_out(ch: Channel) -> dict:
    if getattr(ch, "sheet_count", None) is None:
        ch.sheet_count = RateSheet.objects.filter(channel=ch).count()
    return edge.channel_dict(ch)


def _sheet_out(sheet: RateSheet) -> dict:
    fresh = _sheets_with_counts(RateSheet.objects.filter(pk=sheet.pk)).get()
    return edge.sheet_dict(fresh, selectors.sheet_data(fresh))


def _excel_failed(exc: ValidationFailed) -> ValidationFailed:
    """The reader's error as the API answers it: details are the rows, ``{tab, row, ...}``."""
    return ValidationFailed(exc.message, code=exc.code, details=edge.excel_errors(exc))


def _read_upload(file: UploadedFile) -> bytes:
    name = (file.name or "").lower()
    if os.path.splitext(name)[1] not in (".xlsx", ".xlsm", ""):
        raise ValidationFailed("Upload an Excel workbook (.xlsx)", code="not_excel")
    if file.size and file.size > MAX_SHEET_FILE:
        raise ValidationFailed(
            f"The file is larger than {MAX_SHEET_FILE // (1024 * 1024)} MB", code="file_too_large"
        )
    return file.read()


# --- channels -------------------------------------------------------------------------------


@router.get("/channels", response=responses(200, page_of(ChannelOut)), operation_id="channels_list")
def list_channels(request, filters: Query[ChannelFilters]):
    """Channels with their number of rate sheets; ``country`` keeps those serving it (or all
    countries)."""
    _view(request)
    qs = _channels_with_counts()
    if filters.active is not None:
        qs = qs.filter(is_active=filters.active)
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    if filters.carrier:
        qs = qs.filter(carrier__icontains=filters.carrier.strip())
    if filters.q:
        term = filters.q.strip()
        qs = qs.filter(Q(code__icontains=term) | Q(name__icontains=term))
    if filters.country:
        country = filters.country.strip().upper()
        qs = qs.filter(Q(destinations=[]) | Q(destinations__icontains=f'"{country}"'))
    return paginate(
        qs.order_by("code"),
        filters,
        transform=lambda rows: [edge.channel_dict(ch) for ch in rows],
    )


@router.post("/channels", response=responses(201, ChannelOut), operation_id="channels_create")
def create_channel(request, payload: ChannelIn):
    ch = services.create_channel(request.auth, **edge.channel_fields(payload.to_fields()))
    return Status(201, _channel_out(ch))


@router.get("/channels/{code}", response=responses(200, ChannelOut), operation_id="channels_get")
def get_channel(request, code: str):
    _view(request)
    ch = _channels_with_counts().filter(code=code).first()
    if ch is None:
        raise NotFound(f"No channel {code!r}", code="channel_not_found")
    return edge.channel_dict(ch)


@router.patch(
    "/channels/{code}", response=responses(200, ChannelOut), operation_id="channels_update"
)
def update_channel(request, code: str, payload: ChannelPatch):
    ch = _channel(code)
    ch = services.update_channel(request.auth, ch, **edge.channel_fields(payload.to_fields()))
    return _channel_out(ch)


@router.post(
    "/channels/{code}/activate",
    response=responses(200, ChannelOut),
    operation_id="channels_activate",
)
def activate_channel(request, code: str):
    return _channel_out(services.set_channel_active(request.auth, _channel(code), True))


@router.post(
    "/channels/{code}/deactivate",
    response=responses(200, ChannelOut),
    operation_id="channels_deactivate",
)
def deactivate_channel(request, code: str):
    return _channel_out(services.set_channel_active(request.auth, _channel(code), False))


# --- rate sheets ----------------------------------------------------------------------------


@router.get(
    "/channels/{code}/rate-sheets",
    response=responses(200, page_of(SheetOut)),
    operation_id="rate_sheets_list",
)
def list_rate_sheets(request, code: str, filters: Query[SheetFilters]):
    _view(request)
    ch = _channel(code)
    qs = RateSheet.objects.filter(channel=ch)
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    if filters.active is not None:
        qs = qs.filter(is_active=filters.active)
    qs = _sheets_with_counts(qs).order_by("kind", "customer_level", "-effective_date", "id")
    return paginate(qs, filters, transform=lambda rows: [edge.sheet_head(s) for s in rows])


@router.post(
    "/channels/{code}/rate-sheets",
    response=responses(201, SheetDetailOut),
    operation_id="rate_sheets_create",
)
def create_rate_sheet(request, code: str, payload: SheetIn):
    """A new sheet from JSON: zones with their rules, brackets (kg), surcharges, fuel."""
    ch = _channel(code)
    require(request.auth, P.RATESHEET_CHANGE)
    sheet = services.create_rate_sheet(request.auth, ch, edge.sheet_data(payload.model_dump()))
    return Status(201, _sheet_out(sheet))


@router.post(
    "/channels/{code}/rate-sheets/upload",
    response=responses(201, SheetDetailOut),
    description=(
        "A new sheet from an Excel workbook in the zone x weight grid providers send (tabs "
        "Prices, Zones, Formulas, Fuel, Surcharges, Remote areas, Sheet; Chinese tab names are "
        "read too). Form fields given here win over the file's Sheet tab. Any row error is a "
        "422 `import_failed` whose details list `{tab, row, column, code, message}`; nothing "
        "is written."
    ),
    operation_id="rate_sheets_upload",
)
def upload_rate_sheet(
    request,
    code: str,
    file: File[UploadedFile],
    kind: Form[str | None] = None,
    customer_level: Form[str | None] = None,
    currency: Form[str | None] = None,
    effective_date: Form[Date | None] = None,
    name: Form[str | None] = None,
):
    ch = _channel(code)
    require(request.auth, P.RATESHEET_CHANGE)
    content = _read_upload(file)
    try:
        sheet = services.import_rate_sheet(
            request.auth, ch, content, kind=kind or None, customer_level=customer_level,
            currency=currency or None, effective_date=effective_date, name=name,
        )  # fmt: skip
    except ValidationFailed as exc:
        raise _excel_failed(exc) from None
    return Status(201, _sheet_out(sheet))


@router.get(
    "/channels/{code}/rate-sheets/{id:sheet_id}",
    response=responses(200, SheetDetailOut),
    operation_id="rate_sheets_get",
)
def get_rate_sheet(request, code: str, sheet_id: int):
    _view(request)
    sheet = _sheet(_channel(code), sheet_id)
    return edge.sheet_dict(sheet, selectors.sheet_data(sheet))


@router.get(
    "/channels/{code}/rate-sheets/{id:sheet_id}/download",
    response=responses(200, None),
    description="The sheet as an Excel workbook, in the layout the upload reads.",
    operation_id="rate_sheets_download",
    openapi_extra=file_responses(XLSX),
)
def download_rate_sheet(request, code: str, sheet_id: int):
    _view(request)
    sheet = _sheet(_channel(code), sheet_id)
    content = selectors.export_rate_sheet(sheet)
    level = f"-{sheet.customer_level}" if sheet.customer_level else ""
    filename = f"{sheet.channel.code}-{sheet.kind}{level}-{sheet.effective_date}.xlsx"
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@router.put(
    "/channels/{code}/rate-sheets/{id:sheet_id}",
    response=responses(200, SheetDetailOut),
    operation_id="rate_sheets_replace",
)
def replace_rate_sheet(request, code: str, sheet_id: int, payload: SheetIn):
    """Replace a sheet's header and content as a whole."""
    require(request.auth, P.RATESHEET_CHANGE)
    sheet = _sheet(_channel(code), sheet_id)
    data = edge.sheet_data(payload.model_dump())
    return _sheet_out(services.replace_rate_sheet(request.auth, sheet, data))


@router.post(
    "/channels/{code}/rate-sheets/{id:sheet_id}/upload",
    response=responses(200, SheetDetailOut),
    description="Replace a sheet's content from an Excel workbook (its kind, level, currency, "
    "date and name stay unless given). Row errors as for the upload of a new sheet.",
    operation_id="rate_sheets_reupload",
)
def reupload_rate_sheet(
    request,
    code: str,
    sheet_id: int,
    file: File[UploadedFile],
    effective_date: Form[Date | None] = None,
    name: Form[str | None] = None,
):
    require(request.auth, P.RATESHEET_CHANGE)
    ch = _channel(code)
    sheet = _sheet(ch, sheet_id)
    content = _read_upload(file)
    try:
        sheet = services.import_rate_sheet(
            request.auth, ch, content, sheet=sheet, effective_date=effective_date, name=name
        )
    except ValidationFailed as exc:
        raise _excel_failed(exc) from None
    return _sheet_out(sheet)


@router.post(
    "/channels/{code}/rate-sheets/{id:sheet_id}/activate",
    response=responses(200, SheetOut),
    operation_id="rate_sheets_activate",
)
def activate_rate_sheet(request, code: str, sheet_id: int):
    require(request.auth, P.RATESHEET_CHANGE)
    sheet = services.set_rate_sheet_active(request.auth, _sheet(_channel(code), sheet_id), True)
    return edge.sheet_head(_sheet(sheet.channel, sheet.pk))


@router.post(
    "/channels/{code}/rate-sheets/{id:sheet_id}/deactivate",
    response=responses(200, SheetOut),
    operation_id="rate_sheets_deactivate",
)
def deactivate_rate_sheet(request, code: str, sheet_id: int):
    require(request.auth, P.RATESHEET_CHANGE)
    sheet = services.set_rate_sheet_active(request.auth, _sheet(_channel(code), sheet_id), False)
    return edge.sheet_head(_sheet(sheet.channel, sheet.pk))


@router.delete(
    "/channels/{code}/rate-sheets/{id:sheet_id}",
    response=responses(204, None),
    operation_id="rate_sheets_delete",
)
def delete_rate_sheet(request, code: str, sheet_id: int):
    require(request.auth, P.RATESHEET_CHANGE)
    services.delete_rate_sheet(request.auth, _sheet(_channel(code), sheet_id))
    return Status(204, None)


@router.post(
    "/channels/{code}/rate-sheets/{id:sheet_id}/fuel-rates",
    response=responses(201, FuelOut),
    operation_id="rate_sheets_add_fuel_rate",
)
def add_fuel_rate(request, code: str, sheet_id: int, payload: FuelRateIn):
    """A fuel percentage from a date on (the month's rate, say); earlier ones are kept."""
    require(request.auth, P.RATESHEET_CHANGE)
    sheet = _sheet(_channel(code), sheet_id)
    row = services.add_fuel_rate(
        request.auth, sheet, payload.effective_from, payload.percent, payload.applies_to or None
    )
    return Status(
        201,
        {
            "effective_from": row.effective_from,
            "percent": edge.plain(row.percent),
            "applies_to": list(row.applies_to),
        },
    )


# --- quotes ---------------------------------------------------------------------------------


@router.post("/quotes", response=responses(200, QuotesOut), operation_id="quotes_create")
def quotes(request, payload: QuoteIn):
    """Price a parcel on every active channel (or those named): cost, sale and margin, the
    chargeable weight and its derivation, the zone and rule matched, each charge line; or
    every reason a channel refuses it. Cheapest first, refused last."""
    _view(request)
    data = payload.model_dump()
    codes = data.pop("channels")
    level = data.pop("customer_level")
    parcel = edge.parcel(**data)
    answers = edge.run_quotes(parcel, level=level, codes=codes)
    priced = sum(1 for a in answers if a["ok"])
    return {
        "count": len(answers),
        "priced": priced,
        "refused": len(answers) - priced,
        "quotes": answers,
    }
