"""The "导入导出 / Import & export" page: upload, map, preview, import (with progress), export."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_POST

from tradelane.core.errors import DomainError, NotFound
from tradelane.core.models import Job
from tradelane.core.selectors import job_for
from tradelane.web import labels

from . import services
from .api import ExportFilters, export_response
from .fields import ENTITIES, FIELDS
from .models import ColumnMapping

ENTITY_LABELS = {"orders": "orders", "products": "products", "stock": "stock",
                 "waybills": "waybills"}  # fmt: skip


def _allowed(user) -> list[str]:
    return services.importable_entities(user)


def _error(request, exc: DomainError):
    return render(
        request, "web/_alert.html", {"error": labels.domain_error(exc)}, status=exc.status
    )


@login_required
@require_GET
def page(request):
    entities = _allowed(request.user)
    exportable = [e for e in ENTITIES if request.user.has_perm(services.EXPORT_PERMS[e])]
    if not entities and not exportable:
        raise PermissionDenied
    templates = ColumnMapping.objects.filter(entity__in=entities)
    return render(
        request,
        "spreadsheets/page.html",
        {
            "title": "Import & export",
            "entities": entities,
            "exportable": exportable,
            "templates": templates,
            "chosen": request.GET.get("entity", ""),
        },
    )


def _form_mapping(request, entity: str) -> tuple[dict, dict]:
    mapping, defaults = {}, {}
    for f in FIELDS[entity]:
        header = request.POST.get(f"map_{f.key}", "")
        if header:
            mapping[f.key] = header
        default = request.POST.get(f"default_{f.key}", "").strip()
        if default:
            defaults[f.key] = default
    return mapping, defaults


def _preview_response(request, upload, result, template_saved=None):
    entity = upload.entity
    fields = FIELDS[entity]
    problems_rows = sum(1 for r in result["rows"] if r["errors"])
    return render(
        request,
        "spreadsheets/_preview.html",
        {
            "upload": upload,
            "p": result,
            "fields": fields,
            "mapped_fields": [
                f for f in fields if f.key in result["mapping"] or f.key in result["defaults"]
            ],
            "problem_rows": problems_rows,
            "counted_at_most": services.JOB_THRESHOLD,
            "template_saved": template_saved,
            "templates": ColumnMapping.objects.filter(entity=entity),
        },
    )


@login_required
@require_POST
def upload(request):
    entity = request.POST.get("entity", "")
    file = request.FILES.get("file")
    try:
        if file is None:
            raise services.ValidationFailed("Choose a file to import", code="file_required")
        if file.size > services.MAX_UPLOAD:
            raise services.ValidationFailed("The file is larger than 20 MB", code="file_too_large")
        up = services.upload_file(
            request.user,
            entity=entity,
            filename=file.name or "",
            data=file.read(),
            sheet=request.POST.get("sheet", "").strip(),
        )
        template = _template(request)
        result = services.preview(request.user, up, template=template)
    except DomainError as exc:
        return _error(request, exc)
    return _preview_response(request, up, result)


def _template(request):
    pk = request.POST.get("template_id") or ""
    if not pk.isdigit():
        return None
    return ColumnMapping.objects.filter(pk=int(pk), entity__in=_allowed(request.user)).first()


@login_required
@require_POST
def preview(request, pk: int):
    try:
        up = services.get_upload(request.user, pk)
        mapping, defaults = _form_mapping(request, up.entity)
        saved = None
        name = request.POST.get("template_name", "").strip()
        if request.POST.get("save_template") and name:
            existing = ColumnMapping.objects.filter(entity=up.entity, name=name).first()
            saved = services.save_template(
                request.user,
                template=existing,
                name=name,
                entity=up.entity,
                mapping=mapping,
                defaults=defaults,
            )
        result = services.preview(
            request.user,
            up,
            mapping=mapping,
            defaults=defaults,
            stock_mode=request.POST.get("stock_mode", ""),
        )
    except DomainError as exc:
        return _error(request, exc)
    return _preview_response(request, up, result, saved)


@login_required
@require_POST
def run(request, pk: int):
    try:
        up = services.get_upload(request.user, pk)
        mapping, defaults = _form_mapping(request, up.entity)
        job, report = services.start_import(
            request.user,
            up,
            mapping=mapping,
            defaults=defaults,
            mode=request.POST.get("mode") or "all_or_nothing",
            stock_mode=request.POST.get("stock_mode", "") if up.entity == "stock" else "",
        )
    except DomainError as exc:
        return _error(request, exc)
    if job is not None:
        return job_response(request, job)
    return render(request, "spreadsheets/_report.html", {"r": report})


def job_response(request, job: Job):
    finished = job.status in (Job.Status.DONE, Job.Status.FAILED)
    error = None
    if job.status == Job.Status.FAILED:
        # a refused file (a DomainError) keeps its code and details in the result
        result = job.result if isinstance(job.result, dict) else {}
        error = labels.error_dict(result.get("code", ""), job.error, result.get("details"))
    return render(
        request,
        "spreadsheets/_job.html",
        {
            "job": job,
            "finished": finished,
            "percent": job.percent,
            "error": error,
            "r": job.result if job.status == Job.Status.DONE else None,
        },
    )


@login_required
def job(request, pk: int):
    try:
        row = job_for(request.user, pk, kind=services.JOB_KIND)
    except NotFound:  # missing, or someone else's
        raise Http404 from None
    return job_response(request, row)


@login_required
@require_GET
def export(request, entity: str):
    fmt = request.GET.get("format", "csv")
    tid = request.GET.get("template_id") or None
    try:
        filters = ExportFilters(
            format=fmt if fmt in ("csv", "xlsx") else "csv",
            template_id=int(tid) if tid and tid.isdigit() else None,
            status=request.GET.get("status", ""),
            store=request.GET.get("store", ""),
        )
        return export_response(request.user, entity, filters)
    except services.PermissionDenied as exc:
        raise PermissionDenied(exc.message) from exc
    except DomainError as exc:
        raise Http404(exc.message) from exc
