"""The upload of an upstream line's bill (/finance/payables/upload/): the file read here
(``reading``: CSV in any common encoding or .xlsx, under the import limits), the column
mapping from the form or the line's saved one, then ``finance.payables.services``: a preview
(the first rows, problems first, and how they match) and the import, all or nothing or the
valid rows only. The file travels from the preview to the import inside the form (base64),
so any web process can import it; the import checks every row again."""

from __future__ import annotations

import base64
import binascii

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from tradelane.accounts.roles import P
from tradelane.core.errors import DomainError, ValidationFailed
from tradelane.finance.payables import services as payables
from tradelane.finance.payables.mapping import FIELDS
from tradelane.finance.payables.models import ImportMode, WeightUnit
from tradelane.forwarding.partners.models import UpstreamLine
from tradelane.web import labels
from tradelane.web.views.guards import permission_required

from . import reading

MAX_BILL = 5 * 1024 * 1024  # carried in the form from the preview to the import


def _file(request) -> tuple[str, bytes]:
    upload = request.FILES.get("file")
    if upload is not None:
        if upload.size > MAX_BILL:
            raise ValidationFailed("The file is larger than 5 MB", code="file_too_large")
        return upload.name or "", upload.read()
    carried = request.POST.get("content", "")
    if not carried:
        raise ValidationFailed("Choose a file to import", code="file_required")
    try:
        data = base64.b64decode(carried, validate=True)
    except (binascii.Error, ValueError):
        raise ValidationFailed("Choose a file to import", code="file_required") from None
    if len(data) > MAX_BILL:
        raise ValidationFailed("The file is larger than 5 MB", code="file_too_large")
    return request.POST.get("filename", "")[:200], data


def _columns(request) -> dict[str, str] | None:
    columns = {f: request.POST.get(f"map_{f}", "").strip() for f in FIELDS}
    columns = {f: h for f, h in columns.items() if h}
    return columns or None


@permission_required(P.PAYABLE_MANAGE)
def upload(request):
    lines = list(UpstreamLine.objects.order_by("code"))
    chosen = request.POST.get("line") or request.GET.get("line") or ""
    line = next((x for x in lines if x.code == chosen), None)
    saved = payables.saved_mapping(line) if line else None
    context = {
        "lines": lines, "line": line, "fields": FIELDS, "modes": ImportMode.values,
        "units": WeightUnit.values, "saved": saved,
        "columns": dict(saved.columns) if saved else {},
        "weight_unit": saved.weight_unit if saved else "kg",
        "default_currency": saved.default_currency if saved else (line.currency if line else ""),
        "mode": ImportMode.ALL_OR_NOTHING, "save": True,
    }  # fmt: skip
    if request.method != "POST":
        return render(request, "spreadsheets/payable_upload.html", context)
    try:
        if line is None:
            raise ValidationFailed("Choose the upstream line", code="payable_line_required")
        filename, data = _file(request)
        headers, rows = reading.read(data, reading.file_kind(filename, data))
        columns = _columns(request)
        options = {"columns": columns,
                   "weight_unit": request.POST.get("weight_unit") or "kg",
                   "default_currency": request.POST.get("default_currency", "")}  # fmt: skip
        mode = request.POST.get("mode") or ImportMode.ALL_OR_NOTHING
        save = bool(request.POST.get("save"))
        context.update({
            "headers": headers, "filename": filename, "mode": mode, "save": save,
            "content": base64.b64encode(data).decode(), "columns": columns or context["columns"],
            "weight_unit": options["weight_unit"], "default_currency": options["default_currency"],
        })  # fmt: skip
        if request.POST.get("action") == "import":
            report = payables.import_bill(request.user, line, headers, rows, filename=filename,
                                          save=save, mode=mode, **options)  # fmt: skip
            if report.bill is not None:
                messages.success(request, _("The bill is imported."))
                return redirect("web:finance_payables_bill", pk=report.bill.pk)
        else:
            report = payables.preview(request.user, line, headers, rows, **options)
    except DomainError as exc:  # the page again, the refusal on top, with its status
        context["error"] = labels.domain_error(exc)
        return render(request, "spreadsheets/payable_upload.html", context, status=exc.status)
    first = [(r, report.matches.get(r.row) if r.ok else None) for r in report.first_rows()]
    context.update({"report": report, "first_rows": first})
    return render(request, "spreadsheets/payable_upload.html", context)
