"""Spreadsheets over HTTP: upload -> preview, confirm the import, templates, export downloads."""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from django.http import FileResponse, StreamingHttpResponse
from ninja import Field, File, Form, Query, Router, Schema, Status, UploadedFile

from tradelane.accounts.permissions import require
from tradelane.api.errors import CSV, XLSX, file_responses, responses
from tradelane.api.types import BodySchema, Date, Id
from tradelane.core.errors import NotFound, ValidationFailed

from . import exports, services
from .fields import ENTITIES
from .models import ColumnMapping

router = Router()

Entity = Literal["orders", "products", "stock", "waybills"]


class TemplateIn(BodySchema):
    name: str = Field(..., max_length=100)
    entity: Entity
    mapping: dict[str, str] = Field(..., description="our field -> their column header")
    defaults: dict[str, str] = Field(default_factory=dict, description="our field -> value")


class TemplateOut(Schema):
    id: int
    name: str
    entity: str
    mapping: dict[str, str]
    defaults: dict[str, str]


class ColumnMappingIn(BodySchema):
    template_id: Id | None = None
    mapping: dict[str, str] | None = Field(
        None, description="our field -> their column header; omitted: suggested from headers"
    )
    defaults: dict[str, str] | None = None
    stock_mode: Literal["stocktake", "receipt", ""] = ""


class SpreadsheetImportIn(ColumnMappingIn):
    mode: Literal["all_or_nothing", "partial"] = "all_or_nothing"


class ImportOut(Schema):
    job_id: int | None = Field(None, description="big files run as a job: GET /jobs/{id}")
    report: dict[str, Any] | None = None


def _template(user, template_id: int | None) -> ColumnMapping | None:
    if template_id is None:
        return None
    template = ColumnMapping.objects.filter(pk=template_id).first()
    if template is None:
        raise NotFound(f"Template {template_id} does not exist", code="template_not_found")
    services.require_import(user, template.entity)  # templates are shared: 403, not hidden
    return template


def _options(user, payload: ColumnMappingIn) -> dict:
    return {
        "template": _template(user, payload.template_id),
        "mapping": payload.mapping,
        "defaults": payload.defaults,
        "stock_mode": payload.stock_mode,
    }


@router.post(
    "/spreadsheets/uploads",
    response=responses(201, dict[str, Any]),
    operation_id="spreadsheets_upload",
)
def upload(
    request,
    file: File[UploadedFile],
    entity: Form[Entity],
    sheet: Form[str] = "",
):
    """Upload a CSV or .xlsx file (multipart) for ``entity``; answers the preview with the
    suggested mapping and the first 20 rows with their problems. Nothing is imported yet.
    ``row_count`` is null for a file of more than 300 rows: its import job counts them. A file
    past the import limits is refused with 413 and a code naming the limit
    (``file_too_many_rows``, ``file_cell_too_long``, ``file_expands_too_much``,
    ``file_compression_too_high``; the limit in ``details``)."""
    if file.size > services.MAX_UPLOAD:
        raise ValidationFailed("The file is larger than 20 MB", code="file_too_large")
    up = services.upload_file(
        request.auth, entity=entity, filename=file.name or "", data=file.read(), sheet=sheet
    )
    return Status(201, services.preview(request.auth, up))


@router.post(
    "/spreadsheets/uploads/{id:upload_id}/preview",
    response=responses(200, dict[str, Any]),
    operation_id="spreadsheets_preview",
)
def preview(request, upload_id: int, payload: ColumnMappingIn):
    """The first 20 rows with a given mapping or template, and each row's problems."""
    up = services.get_upload(request.auth, upload_id)
    opts = _options(request.auth, payload)
    return services.preview(request.auth, up, **opts)


@router.post(
    "/spreadsheets/uploads/{id:upload_id}/import",
    response=responses(200, ImportOut),
    operation_id="spreadsheets_import",
)
def run_import(request, upload_id: int, payload: SpreadsheetImportIn):
    """Import the file: a report at once for small files, a job id for files over 300 rows.
    ``all_or_nothing`` (default): one rejected row and nothing is written."""
    up = services.get_upload(request.auth, upload_id)
    opts = _options(request.auth, payload)
    job, report = services.start_import(request.auth, up, mode=payload.mode, **opts)
    return {"job_id": job.pk if job else None, "report": report}


# --- templates ------------------------------------------------------------------------------


@router.get(
    "/spreadsheets/templates",
    response=responses(200, list[TemplateOut]),
    operation_id="spreadsheet_templates_list",
)
def list_templates(request, entity: Entity | None = None):
    allowed = services.importable_entities(request.auth)
    qs = ColumnMapping.objects.filter(entity__in=allowed)
    if entity:
        qs = qs.filter(entity=entity)
    return list(qs)


@router.post(
    "/spreadsheets/templates",
    response=responses(201, TemplateOut),
    operation_id="spreadsheet_templates_create",
)
def create_template(request, payload: TemplateIn):
    return Status(201, services.save_template(request.auth, **payload.dict()))


@router.put(
    "/spreadsheets/templates/{id:template_id}",
    response=responses(200, TemplateOut),
    operation_id="spreadsheet_templates_update",
)
def update_template(request, template_id: int, payload: TemplateIn):
    template = _template(request.auth, template_id)
    return services.save_template(request.auth, template=template, **payload.dict())


@router.delete(
    "/spreadsheets/templates/{id:template_id}",
    response=responses(204, None),
    operation_id="spreadsheet_templates_delete",
)
def delete_template(request, template_id: int):
    services.delete_template(request.auth, _template(request.auth, template_id))
    return Status(204, None)


# --- export ---------------------------------------------------------------------------------


class ExportFilters(Schema):
    format: Literal["csv", "xlsx"] = "csv"
    template_id: Id | None = None
    status: str = ""
    store: str = Field("", description="orders: a store code")
    date_from: Date | None = None
    date_to: Date | None = None
    warehouse: str = Field("", description="stock: a warehouse code")


def export_response(user, entity: str, filters: ExportFilters):
    if entity not in ENTITIES:
        raise NotFound(f"No export {entity!r}", code="not_found")
    require(user, services.EXPORT_PERMS[entity])
    template = None
    if filters.template_id is not None:
        template = ColumnMapping.objects.filter(pk=filters.template_id, entity=entity).first()
        if template is None:
            raise NotFound("The template does not exist", code="template_not_found")
    if entity in ("orders", "waybills"):
        kw = {
            "status": filters.status,
            "store": filters.store,
            "date_from": filters.date_from,
            "date_to": filters.date_to,
        }
    else:
        kw = {"warehouse": filters.warehouse} if entity == "stock" else {}
    rows = exports.rows_for(user, entity, **kw)
    mapping = template.mapping if template else None
    name = f"tradelane-{entity}-{date.today().isoformat()}.{filters.format}"
    if filters.format == "csv":
        response = StreamingHttpResponse(
            exports.csv_chunks(entity, rows, mapping), content_type="text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
    return FileResponse(
        exports.xlsx_file(entity, rows, mapping),
        as_attachment=True,
        filename=name,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


@router.get(
    "/spreadsheets/export/{entity}",
    response=responses(200, None),
    operation_id="spreadsheets_export",
    openapi_extra=file_responses(CSV, XLSX),
)
def export(request, entity: Entity, filters: Query[ExportFilters]):
    """Download orders (one row per line; filter by status, store, dates), products (one row
    per SKU) or stock (per SKU and warehouse) as CSV (streamed) or .xlsx, in the columns the
    import reads; with a template, in its column headers."""
    return export_response(request.auth, entity, filters)
