"""The customs page (报关, /hub/customs/): batches, a new batch from received waybills (by
channel, destination and day received), each batch's validation report and downloads (Excel,
CSV, documents PDF), customs holds and clearance. Thin: reads through ``batches`` and
``export``, writes through ``batches`` and ``holds``."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from tradelane.accounts.roles import P
from tradelane.core.errors import DomainError, ValidationFailed
from tradelane.web import labels
from tradelane.web.views.guards import permission_required, render_error

from ..waybills import selectors as waybill_selectors
from . import batches, documents, export, holds

ALERT = "web/_alert.html"


def _day(value: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value.strip()) if value and value.strip() else None
    except ValueError:
        raise ValidationFailed(f"{value} is not a date (YYYY-MM-DD)", code="invalid_date") from None


def _file(content: bytes | str, name: str, content_type: str) -> HttpResponse:
    resp = HttpResponse(content, content_type=content_type)
    resp["Content-Disposition"] = f'attachment; filename="{name}"'
    return resp


@permission_required(P.CUSTOMS_VIEW)
def customs(request):
    try:
        if request.method == "POST":
            if not request.user.has_perm(P.CUSTOMS_DECLARE):
                return HttpResponse(status=403)
            b = batches.create_batch(
                request.user, request.POST.getlist("waybill"),
                name=request.POST.get("name", ""), channel=request.POST.get("channel", ""),
                destination=request.POST.get("destination", ""),
                departure_date=_day(request.POST.get("departure_date", "")),
            )  # fmt: skip
            messages.success(request, _("Customs batch %(number)s made.") % {"number": b.number})
            return redirect("web:customs_batch", number=b.number)
        filters = {
            "channel": request.GET.get("channel", "").strip(),
            "destination": request.GET.get("destination", "").strip(),
            "received_on": request.GET.get("received_on", "").strip(),
        }
        found = batches.selectable(
            request.user, channel=filters["channel"], destination=filters["destination"],
            received_on=_day(filters["received_on"]),
        )  # fmt: skip
    except DomainError as exc:
        return render_error(request, exc, ALERT)
    return render(request, "forwarding/declarations/customs.html", {
        "batches": list(batches.batches(request.user)[:200]),
        "selectable": list(found[:500]), "filters": filters,
        "may_declare": request.user.has_perm(P.CUSTOMS_DECLARE),
        "today": timezone.localdate(),
    })  # fmt: skip


@permission_required(P.CUSTOMS_DECLARE)
def customs_from_dispatch(request, pk: int):
    """POST from a dispatch's page: its customs batch (made once), then the batch's page."""
    if request.method != "POST":
        return HttpResponse(status=405)
    try:
        b = batches.batch_for_dispatch(request.user, pk)
    except DomainError as exc:
        return render_error(request, exc, ALERT)
    return redirect("web:customs_batch", number=b.number)


@permission_required(P.CUSTOMS_VIEW)
def customs_batch(request, number: str):
    try:
        b = batches.batch(request.user, number)
        if request.method == "POST":
            if not request.user.has_perm(P.CUSTOMS_DECLARE):
                return HttpResponse(status=403)
            action = request.POST.get("action", "")
            if action == "declare":
                batches.mark_declared(request.user, b)
                messages.success(request, _("Customs declaration filed"))
            elif action == "clear":
                n = batches.clear_batch(request.user, b)
                messages.success(request, _("%(n)s parcels cleared.") % {"n": n})
            elif action == "hold":
                w = waybill_selectors.waybill(request.user, request.POST.get("waybill", ""))
                holds.hold_for_customs(request.user, w, request.POST.get("note", ""))
                messages.success(request, _("Held by customs"))
            else:
                raise ValidationFailed("Unknown action", code="invalid_choice")
            return redirect("web:customs_batch", number=b.number)
        report = export.check(batches.batch_waybills(request.user, b), b.departure_date)
    except DomainError as exc:
        return render_error(request, exc, ALERT)
    rows = [{"w": w, "problems": [labels.error_text(r.code, r.message) for r in found]}
            for w, found in report]  # fmt: skip
    return render(request, "forwarding/declarations/batch.html", {
        "b": b, "rows": rows, "refused": sum(1 for r in rows if r["problems"]),
        "may_declare": request.user.has_perm(P.CUSTOMS_DECLARE),
    })  # fmt: skip


@permission_required(P.CUSTOMS_VIEW)
def customs_export(request, number: str, fmt: str):
    try:
        b = batches.batch(request.user, number)
        rows = batches.batch_waybills(request.user, b)
        title = f"{b.number} {b.name}".strip()
        if fmt == "xlsx":
            data = export.export_xlsx(rows, title, b.departure_date)
            return _file(data, f"{b.number}.xlsx", "application/vnd.openxmlformats-"
                         "officedocument.spreadsheetml.sheet")  # fmt: skip
        data = "\ufeff" + export.export_csv(rows, b.departure_date)
        return _file(data.encode("utf-8"), f"{b.number}.csv", "text/csv; charset=utf-8")
    except DomainError as exc:
        return render_error(request, exc, ALERT)


@permission_required(P.CUSTOMS_VIEW)
def customs_documents(request, number: str):
    try:
        b = batches.batch(request.user, number)
        result = export.export(batches.batch_waybills(request.user, b), b.departure_date)
        data = documents.documents_pdf(result.exported)
    except DomainError as exc:
        return render_error(request, exc, ALERT)
    return _file(data, f"{b.number}-documents.pdf", "application/pdf")


@permission_required(P.CUSTOMS_VIEW)
def customs_waybill_document(request, number: str, kind: str):
    try:
        w = waybill_selectors.waybill(request.user, number)
        rows = export.with_items(type(w).objects.filter(pk=w.pk))
        if kind == "documents":
            data = documents.documents_pdf(rows)
        else:
            data = documents.document_pdf(rows[0], kind)
    except DomainError as exc:
        return render_error(request, exc, ALERT)
    return _file(data, f"{w.number}-{kind}.pdf", "application/pdf")
