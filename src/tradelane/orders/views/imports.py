"""Import orders from a file on the workbench: upload, run as a job with progress, show the
per-row report. The sample CSV shows the column layout the importer reads."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_POST

from tradelane.accounts.roles import P
from tradelane.core import errors, jobs
from tradelane.core.errors import DomainError, ValidationFailed
from tradelane.orders import importing, selectors
from tradelane.orders.models import StoreSkuMapping
from tradelane.web import labels
from tradelane.web.views.guards import permission_required, render_error

from . import order_files
from .workbench import job_response, job_row


@require_POST
@login_required
def import_orders(request):
    user = request.user
    if not user.has_perm(P.ORDER_ADD):
        if request.htmx:  # in place, like the bulk actions
            return render_error(request, errors.PermissionDenied(P.ORDER_ADD))
        raise PermissionDenied(P.ORDER_ADD)
    upload = request.FILES.get("file")
    try:
        if upload is None or not upload.size:
            raise ValidationFailed("Choose a file to import", code="file_required")
        if upload.size > order_files.MAX_UPLOAD:
            raise ValidationFailed(
                f"The file is larger than {order_files.MAX_UPLOAD // (1024 * 1024)} MB",
                code="file_too_large",
            )
        name = (upload.name or "")[:200]
        fmt = order_files.file_format(name, request.POST.get("format", ""))
        text = order_files.decode_upload(upload.read())
        # The file travels in the job's parameters (the database), so a worker on another
        # machine can run it: no local file is shared between processes.
        job = jobs.start(
            user,
            importing.JOB_KIND,
            {"format": fmt, "content": text, "source": "import", "filename": name},
            total=len(text.encode()),
        )
    except DomainError as exc:
        if not request.htmx:
            messages.error(request, labels.domain_error(exc)["message"])
            return redirect(reverse("web:orders"))
        return render_error(request, exc)
    if not request.htmx:
        return redirect(reverse("web:job", args=[job.pk]))
    return job_response(request, job_row(request.user, job.pk))


@permission_required(P.ORDER_ADD)
def import_sample(request):
    """A CSV to fill in: the importer's columns, two example orders, the user's own store."""
    store = selectors.stores_for(request.user).filter(is_active=True).order_by("pk").first()
    skus: list[str] = []
    if store is not None:
        rows = StoreSkuMapping.objects.filter(store=store).order_by("pk")
        skus = list(dict.fromkeys(rows.values_list("store_sku", flat=True)[:10]))[:2]
    text = order_files.sample_csv(store.code if store else "SHOP1", skus)
    response = HttpResponse(
        # A BOM, so that Excel opens the UTF-8 file with its Chinese intact.
        ("\ufeff" + text).encode("utf-8"),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = 'attachment; filename="tradelane-orders-sample.csv"'
    return response
