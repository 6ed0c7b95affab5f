"""The catalog page of a store connection: the import's progress, the platform locations to
map to our warehouses, and the proposed SKU mappings to accept or reject. Thin: every write
is a service call (``onboarding``)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from tradelane.accounts.roles import P
from tradelane.core import errors
from tradelane.core.models import Job
from tradelane.inventory.models import Warehouse
from tradelane.web import labels

from ..models import ProposalState, StoreConnection, StoreVariant
from ..onboarding import catalog_import as importer
from ..onboarding import locations, sku_proposals
from ..settings_schema import settings_of
from .pages import PLATFORM_LABELS

PER_PAGE = 100
FILTERS = {
    "proposed": gettext_lazy("Proposed"),
    "unmatched": gettext_lazy("Unmatched"),
    "accepted": gettext_lazy("Accepted"),
    "rejected": gettext_lazy("Rejected"),
}
MATCH_LABELS = {
    "mapped": gettext_lazy("Mapped already"),
    "exact_sku": gettext_lazy("Same SKU"),
    "barcode": gettext_lazy("Barcode"),
    "title": gettext_lazy("Similar title"),
    "": gettext_lazy("No match"),
}
JOB_LABELS = {
    Job.Status.QUEUED: gettext_lazy("Queued…"),
    Job.Status.RUNNING: gettext_lazy("Importing…"),
    Job.Status.DONE: gettext_lazy("Imported"),
    Job.Status.FAILED: gettext_lazy("The import failed"),
}


def _connection(request, pk: int) -> StoreConnection:
    if not request.user.has_perm(P.STORE_MANAGE):
        raise PermissionDenied(P.STORE_MANAGE)
    conn = StoreConnection.objects.select_related("store").filter(pk=pk).first()
    if conn is None:
        raise Http404
    return conn


def _job_context(conn) -> dict:
    job = importer.current_job(conn)
    if job is None:
        return {"job": None, "running": False, "percent": 0}
    running = job.status in (Job.Status.QUEUED, Job.Status.RUNNING)
    if job.status == Job.Status.DONE:
        percent = 100
    else:
        percent = min(99, job.done * 100 // job.total) if job.total else 0
    return {"job": job, "running": running, "percent": percent,
            "job_label": JOB_LABELS.get(job.status, job.status)}  # fmt: skip


def _found_locations(conn) -> list[dict]:
    done = (
        Job.objects.filter(
            kind=importer.JOB_KIND, params__connection_id=conn.pk, status=Job.Status.DONE
        )  # fmt: skip
        .order_by("-finished_at", "-id")
        .only("result")
        .first()
    )
    return list((done.result or {}).get("locations") or []) if done else []


def _locations_context(conn, chosen: dict | None = None) -> dict:
    found = _found_locations(conn)
    warehouses = list(Warehouse.objects.order_by("priority", "code"))
    suggested = locations.suggest(found, warehouses, settings_of(conn).locations)
    if chosen is not None:
        suggested = chosen
    rows = [{**loc, "chosen": suggested.get(loc["location_id"], "")} for loc in found]
    return {"locations": rows, "warehouses": warehouses}


def _page_context(request, conn) -> dict:
    state = request.GET.get("state", "proposed")
    if state not in FILTERS:
        state = "proposed"
    counts = dict(
        StoreVariant.objects.filter(connection=conn).values_list("state").annotate(n=Count("id"))
    )
    rows = (
        StoreVariant.objects.filter(connection=conn, state=state)
        .select_related("proposed_sku")
        .order_by("-confidence", "store_sku", "id")
    )
    page = Paginator(rows, PER_PAGE).get_page(request.GET.get("page"))
    return {
        "title": _("Store catalog"),
        "conn": conn,
        "store": conn.store,
        "platform_label": PLATFORM_LABELS.get(conn.platform, conn.platform),
        "state": state,
        "filters": [(key, label, counts.get(key, 0)) for key, label in FILTERS.items()],
        "page": page,
        "match_labels": MATCH_LABELS,
        "can_decide": state == ProposalState.PROPOSED,
        "mapped_locations": settings_of(conn).locations,
        **_job_context(conn),
    }


@login_required
@require_GET
def catalog_page(request, pk: int):
    conn = _connection(request, pk)
    context = {**_page_context(request, conn), **_locations_context(conn)}
    return render(request, "stores/catalog.html", context)


@login_required
@require_GET
def catalog_progress(request, pk: int):
    conn = _connection(request, pk)
    return render(request, "stores/_catalog_job.html", {"conn": conn, **_job_context(conn)})


@login_required
@require_POST
def catalog_import(request, pk: int):
    conn = _connection(request, pk)
    try:
        importer.start(request.user, conn)
    except errors.DomainError as exc:
        messages.error(request, labels.domain_error(exc)["message"])
    else:
        messages.success(request, _("The catalog import is queued."))
    return redirect("web:store_catalog", pk=conn.pk)


@login_required
@require_POST
def catalog_decide(request, pk: int):
    conn = _connection(request, pk)
    action = request.POST.get("action", "")
    back = reverse("web:store_catalog", args=[conn.pk]) + "?state=" + request.POST.get(
        "state", "proposed"
    )  # fmt: skip
    try:
        if action == "accept_above":
            threshold = request.POST.get("min_confidence", "")
            n = sku_proposals.accept(request.user, conn, min_confidence=threshold)
            messages.success(request, _("%(n)d proposals accepted.") % {"n": n})
        elif action in ("accept", "reject"):
            ids = [i for i in request.POST.getlist("ids") if i.isdigit()]
            if action == "accept":
                n = sku_proposals.accept(request.user, conn, ids=ids)
                messages.success(request, _("%(n)d proposals accepted.") % {"n": n})
            else:
                n = sku_proposals.reject(request.user, conn, ids=ids)
                messages.success(request, _("%(n)d proposals rejected.") % {"n": n})
        else:
            raise errors.ValidationFailed("Unknown action", code="invalid_value")
    except errors.PermissionDenied as exc:
        messages.error(request, labels.domain_error(exc)["message"])
    except errors.DomainError as exc:
        messages.error(request, labels.domain_error(exc)["message"])
    return redirect(back)


@login_required
@require_POST
def locations_save(request, pk: int):
    conn = _connection(request, pk)
    found = [loc["location_id"] for loc in _found_locations(conn)]
    chosen = {loc: request.POST.get(f"location:{loc}", "").strip() for loc in found}
    try:
        locations.save_mapping(request.user, conn, chosen, found)
    except errors.DomainError as exc:
        context = {
            **_page_context(request, conn),
            **_locations_context(conn, chosen),
            "locations_error": labels.domain_error(exc),
        }
        return render(request, "stores/catalog.html", context, status=422)
    messages.success(request, _("Locations saved."))
    return redirect("web:store_catalog", pk=conn.pk)
