"""The shipping workbench (发货): pending-shipment orders with their rate-shop choice, bulk
rate shopping with progress, shipment creation; shipments by status with label printing,
hand-over and cancelling; the shipment page; daily manifests.

Thin: reads here, every write through services (``shopping.services``, ``shipping.services``,
``shipping.manifests``); documents from ``shipping.printing``. Reading (the lists, a shipment, its
label and customs document, manifests) needs ``P.SHIPMENT_VIEW``; each write its own permission
(rate shopping ``RATE_SHOP``, creating and handing over ``SHIP``, cancelling
``SHIPMENT_CANCEL``, closing a manifest ``MANIFEST_CLOSE``), checked before anything is done.
"""

from __future__ import annotations

import datetime as dt

from django.core.paginator import Paginator
from django.db.models import Count, Prefetch
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from tradelane.accounts.permissions import require
from tradelane.accounts.roles import P
from tradelane.core import states as core_states
from tradelane.core.errors import DomainError, NotFound, ValidationFailed
from tradelane.inventory.models import Warehouse
from tradelane.logistics.models import (
    Channel,
    Manifest,
    RateChoice,
    Shipment,
    ShipmentItem,
    ShipmentOrder,
    ShipmentStatus,
)
from tradelane.logistics.shipping import manifests, printing
from tradelane.logistics.shipping import services as shipping
from tradelane.logistics.shipping.selectors import waiting_for_shipment
from tradelane.logistics.shopping import services as shopping
from tradelane.logistics.shopping.selectors import current_choices
from tradelane.orders.models import Order, Store
from tradelane.orders.views.workbench import job_response, job_row
from tradelane.web import labels
from tradelane.web.views.guards import int_or_none, permission_required

PAGE_SIZE = 100
MAX_BULK = 500
SS = ShipmentStatus

STATUS = {
    SS.DRAFT: gettext_lazy("Draft"),
    SS.LABELLED: gettext_lazy("Labelled"),
    SS.SHIPPED: gettext_lazy("Shipped"),
    SS.DELIVERED: gettext_lazy("Delivered"),
    SS.RETURNED: gettext_lazy("Returned"),
    SS.CANCELLED: gettext_lazy("Cancelled"),
}
TABS = (SS.DRAFT, SS.LABELLED, SS.SHIPPED, SS.DELIVERED, SS.CANCELLED)

ERRORS = {
    "already_in_shipment": gettext_lazy("Already in an active shipment."),
    "order_not_allocated": gettext_lazy("Only allocated orders (pending shipment) can ship."),
    "no_channel": gettext_lazy("No channel: rate-shop it first or pick a channel."),
    "channel_refused": gettext_lazy("The channel cannot carry this parcel."),
    "channel_inactive": gettext_lazy("The channel is not active."),
    "channel_not_found": gettext_lazy("Unknown channel."),
    "s10_series_missing": gettext_lazy("No S10 number series is configured for the channel."),
    "s10_series_exhausted": gettext_lazy("The channel's S10 number series is used up."),
    "unmapped_sku": gettext_lazy("Map every line to one of our SKUs first."),
    "invalid_transition": gettext_lazy("The shipment's status does not allow this."),
    "labels_unavailable": gettext_lazy("Some shipments have no label to print."),
    "manifest_empty": gettext_lazy("Nothing shipped that day waits for a manifest."),
    "no_customs_document": gettext_lazy("No separate customs document: the CN22 is on the label."),
    "nothing_selected": gettext_lazy("Select at least one row."),
    "too_many_selected": gettext_lazy("Too many rows selected at once."),
    "cannot_rate_shop": gettext_lazy("Some orders cannot be rate-shopped."),
    "fx_rate_missing": gettext_lazy("An exchange rate is missing."),
}


def error_of(exc: DomainError) -> dict:
    text = ERRORS.get(exc.code)
    if text is None:
        return labels.domain_error(exc)
    detail = ""
    details = exc.details if isinstance(exc.details, dict) else {}
    if exc.code == "channel_refused":
        detail = "; ".join(r.get("message", "") for r in details.get("reasons", []))
    elif exc.code in ("s10_series_missing", "s10_series_exhausted", "invalid_transition"):
        detail = exc.message
    return {"code": exc.code, "message": str(text), "detail": detail}


def _alert(request, exc: DomainError):
    return render(request, "web/_alert.html", {"error": error_of(exc)}, status=exc.status)


def _ids(request) -> list[int]:
    ids = sorted({i for i in map(int_or_none, request.POST.getlist("ids")) if i})
    if not ids:
        raise ValidationFailed("select at least one row", code="nothing_selected")
    if len(ids) > MAX_BULK:
        raise ValidationFailed("too many rows", code="too_many_selected")
    return ids


def _date(value) -> dt.date | None:
    try:
        return dt.date.fromisoformat((value or "").strip())
    except ValueError:
        return None


def _channels():
    return list(Channel.objects.filter(is_active=True).only("id", "code", "name").order_by("code"))


# --- pending-shipment orders ---------------------------------------------------------------


def pending_orders(get) -> tuple:
    qs = (
        waiting_for_shipment()
        .select_related("store", "warehouse")
        .only(
            "id",
            "number",
            "external_id",
            "store__name",
            "warehouse__code",
            "ship_name",
            "ship_country",
            "ship_city",
            "placed_at",
            "grand_total",
            "currency",
            "status",
        )  # fmt: skip
        .order_by("placed_at", "id")
    )
    f = {
        "store": int_or_none(get.get("store")),
        "warehouse": int_or_none(get.get("warehouse")),
        "country": (get.get("country") or "").strip().upper()[:2],
        "channel": (get.get("channel") or "").strip()[:40],
    }
    if f["store"]:
        qs = qs.filter(store_id=f["store"])
    if f["warehouse"]:
        qs = qs.filter(warehouse_id=f["warehouse"])
    if f["country"]:
        qs = qs.filter(ship_country=f["country"])
    if f["channel"] == "-":  # not shopped, or nothing can carry it
        qs = qs.exclude(pk__in=current_choices().filter(channel__isnull=False).values("order_id"))
    elif f["channel"]:
        qs = qs.filter(
            pk__in=current_choices().filter(channel__code=f["channel"]).values("order_id")
        )
    return qs, f


def _error_page(request, exc, status: int):
    return render(request, "logistics/shipping/error.html", {"error": error_of(exc)}, status=status)


@permission_required(P.SHIPMENT_VIEW)
def pending(request):
    qs, f = pending_orders(request.GET)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    orders = list(page.object_list)
    choices: dict[int, RateChoice] = {}  # a split order shows its first parcel's choice
    for c in (
        current_choices()
        .filter(order_id__in=[o.pk for o in orders])
        .select_related("channel")
        .order_by("order_id", "package_id")
    ):
        choices.setdefault(c.order_id, c)
    rows = [{"order": o, "choice": choices.get(o.pk)} for o in orders]
    context = {
        "title": _("Shipping"),
        "section": "pending",
        "rows": rows,
        "page": page,
        "filters": f,
        "total_pending": page.paginator.count,
    }
    if request.htmx and request.htmx.target == "workbench":
        return render(request, "logistics/shipping/pending.html#workbench", context)
    context.update(
        {
            "stores": Store.objects.only("id", "name").order_by("name"),
            "warehouses": Warehouse.objects.filter(is_active=True).only("id", "code", "name"),
            "channels": _channels(),
        }
    )
    return render(request, "logistics/shipping/pending.html", context)


@require_POST
@permission_required(P.RATE_SHOP)
def rate_shop(request):
    """Rate-shop the selected orders, or (``all``) every pending-shipment order, as a job."""
    try:
        ids = None if request.POST.get("all") else _ids(request)
        job = shopping.start_bulk_rate_shop(request.user, ids)
    except DomainError as exc:
        return _alert(request, exc)
    return job_response(request, job_row(request.user, job.pk))


@require_POST
@permission_required(P.SHIP)
def create(request):
    """Create a shipment for each selected order (its rate-shop choice, or the channel picked);
    each order on its own, so one refusal does not hold up the others."""
    try:
        ids = _ids(request)
    except DomainError as exc:
        return _alert(request, exc)
    channel = (request.POST.get("channel") or "").strip() or None
    orders = {o.pk: o for o in Order.objects.filter(pk__in=ids).only("id", "number", "external_id")}
    results = []
    covered: dict[int, Shipment] = {}  # orders carried by a shipment made here (merged parcels)
    for pk in ids:
        order = orders.get(pk)
        if pk in covered:
            results.append({"order": order, "order_id": pk, "ok": True, "shipment": covered[pk]})
            continue
        try:
            made = shipping.create_shipments(request.user, order_ids=[pk], channel=channel)
        except DomainError as exc:
            results.append({"order": order, "order_id": pk, "ok": False, "error": error_of(exc)})
            continue
        for s in made:
            covered.update(dict.fromkeys(s.order_links.values_list("order_id", flat=True), s))
            results.append({"order": order, "order_id": pk, "ok": True, "shipment": s})
    context = {
        "results": results,
        "created": sum(1 for r in results if r["ok"]),
        "refused": sum(1 for r in results if not r["ok"]),
    }
    response = render(request, "logistics/shipping/_create_results.html", context)
    response["HX-Trigger"] = "ordersChanged"
    return response


# --- shipments --------------------------------------------------------------------------------


def shipment_filters(get) -> dict:
    status = get.get("status")
    if status is None:
        status = SS.LABELLED
    if status not in SS.values:
        status = ""
    return {
        "status": status,
        "channel": (get.get("channel") or "").strip()[:40],
        "date_from": _date(get.get("from")),
        "date_to": _date(get.get("to")),
        "q": (get.get("q") or "").strip()[:64],
    }


def _filtered(f: dict, *, with_status: bool = True):
    qs = Shipment.objects.all()
    if with_status and f["status"]:
        qs = qs.filter(status=f["status"])
    if f["channel"]:
        qs = qs.filter(channel__code=f["channel"])
    if f["date_from"]:
        qs = qs.filter(created_at__date__gte=f["date_from"])
    if f["date_to"]:
        qs = qs.filter(created_at__date__lte=f["date_to"])
    if f["q"]:
        from django.db.models import Q

        q = f["q"]
        qs = qs.filter(
            Q(tracking_number__istartswith=q) | Q(number__istartswith=q) | Q(reference__icontains=q)
        )
    return qs


@permission_required(P.SHIPMENT_VIEW)
def shipments(request):
    f = shipment_filters(request.GET)
    qs = (
        _filtered(f)
        .select_related("channel", "warehouse")
        .defer("quote_detail")
        .order_by("-created_at", "-id")
    )
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    counts = dict(
        _filtered(f, with_status=False).order_by().values_list("status").annotate(n=Count("id"))
    )
    tabs = [{"status": s, "label": STATUS[s], "count": counts.get(s, 0)} for s in TABS]
    rows = list(page.object_list)
    for row in rows:
        row.status_label = STATUS.get(row.status, row.status)
    context = {
        "title": _("Shipments"),
        "section": "shipments",
        "filters": f,
        "tabs": tabs,
        "page": page,
        "rows": rows,
    }
    if request.htmx and request.htmx.target == "workbench":
        return render(request, "logistics/shipping/shipments.html#workbench", context)
    context["channels"] = _channels()
    return render(request, "logistics/shipping/shipments.html", context)


BULK_PERMS = {"ship": P.SHIP, "cancel": P.SHIPMENT_CANCEL}


@require_POST
@permission_required(P.SHIPMENT_VIEW)
def shipments_bulk(request):
    """Hand over (ship) or cancel the selected shipments, each on its own."""
    action = request.POST.get("action", "")
    try:
        if action not in BULK_PERMS:
            raise ValidationFailed("unknown action", code="unknown_action")
        require(request.user, BULK_PERMS[action])  # 403 before any shipment is touched
        ids = _ids(request)
    except DomainError as exc:
        return _alert(request, exc)
    reason = (request.POST.get("reason") or "").strip()[:300]
    numbers = dict(Shipment.objects.filter(pk__in=ids).values_list("pk", "number"))
    results = []
    for pk in ids:
        try:
            if action == "ship":
                shipping.ship_shipment(request.user, pk)
            else:
                shipping.cancel_shipment(request.user, pk, reason)
        except DomainError as exc:
            results.append({"pk": pk, "number": numbers.get(pk, pk), "ok": False,
                            "error": error_of(exc)})  # fmt: skip
        else:
            results.append({"pk": pk, "number": numbers.get(pk, pk), "ok": True})
    context = {
        "action": action,
        "results": results,
        "done": sum(1 for r in results if r["ok"]),
        "refused": sum(1 for r in results if not r["ok"]),
    }
    response = render(request, "logistics/shipping/_bulk_results.html", context)
    response["HX-Trigger"] = "ordersChanged"
    return response


def _document(content: bytes | str, content_type: str, filename: str, inline: bool):
    response = HttpResponse(content, content_type=content_type)
    kind = "inline" if inline else "attachment"
    response["Content-Disposition"] = f'{kind}; filename="{filename}"'
    return response


LABEL_TYPES = {"pdf": "application/pdf", "zpl": "application/zpl; charset=utf-8"}


@require_POST
@permission_required(P.SHIPMENT_VIEW)
def labels_bulk(request):
    """One PDF (opened) or ZPL file (downloaded) with the labels of the selected shipments."""
    fmt = request.POST.get("format", "pdf")
    try:
        ids = _ids(request)
        content = printing.labels(request.user, ids, fmt if fmt in LABEL_TYPES else "?")
    except DomainError as exc:
        details = exc.details if isinstance(exc.details, dict) else {}
        bad = details.get("unlabelled", []) + details.get("unknown", [])
        numbers = Shipment.objects.filter(pk__in=bad).values_list("number", flat=True)
        error = error_of(exc)
        if bad:
            error["detail"] = ", ".join(numbers) or ", ".join(map(str, bad))
        return render(
            request,
            "logistics/shipping/error.html",
            {"title": _("Print labels"), "error": error},
            status=exc.status,
        )
    name = f"labels-{timezone.localdate():%Y%m%d}-{len(ids)}.{fmt}"
    return _document(content, LABEL_TYPES[fmt], name, inline=fmt == "pdf")


@permission_required(P.SHIPMENT_VIEW)
def shipment_label(request, pk: int, fmt: str):
    try:
        content = printing.labels(request.user, [pk], fmt)
    except DomainError as exc:
        return render(
            request, "logistics/shipping/error.html", {"error": error_of(exc)}, status=422
        )
    number = Shipment.objects.filter(pk=pk).values_list("number", flat=True).first()
    return _document(content, LABEL_TYPES[fmt], f"label-{number}.{fmt}", inline=fmt == "pdf")


@permission_required(P.SHIPMENT_VIEW)
def shipment_customs(request, pk: int):
    try:
        kind, content = printing.customs_document(request.user, pk)
    except NotFound as exc:
        if exc.code == "shipment_not_found":
            raise
        return render(
            request, "logistics/shipping/error.html", {"error": error_of(exc)}, status=404
        )
    except DomainError as exc:
        return render(
            request, "logistics/shipping/error.html", {"error": error_of(exc)}, status=422
        )
    number = Shipment.objects.filter(pk=pk).values_list("number", flat=True).first()
    return _document(content, "application/pdf", f"{kind}-{number}.pdf", inline=True)


@permission_required(P.SHIPMENT_VIEW)
def shipment_detail(request, pk: int):
    s = (
        Shipment.objects.select_related("channel", "warehouse", "store", "manifest")
        .prefetch_related(
            Prefetch(
                "order_links",
                queryset=ShipmentOrder.objects.select_related("order", "package"),
            ),
            "parcels",
            Prefetch("items", queryset=ShipmentItem.objects.select_related("sku")),
            "documents",
            "events",
        )
        .filter(pk=pk)
        .first()
    )
    if s is None:
        raise NotFound(f"Shipment {pk} does not exist", code="shipment_not_found")
    history = [
        {
            "event": e,
            "from_label": STATUS.get(e.from_state, e.from_state),
            "to_label": STATUS.get(e.to_state, e.to_state),
            "reason": labels.event_reason(e.reason),
        }
        for e in core_states.history(s).order_by("-created_at", "-id")
    ]
    kinds = {(d.kind, d.format) for d in s.documents.all()}
    from tradelane.logistics.rates.descriptions import KIND_RATE_SHEET

    ours = s.channel.kind == KIND_RATE_SHEET
    printable = s.status in printing.PRINTABLE and bool(s.tracking_number)
    context = {
        "title": _("Shipment %(number)s") % {"number": s.number},
        "section": "shipments",
        "s": s,
        "status_label": STATUS.get(s.status, s.status),
        "history": history,
        "tracking_url": shipping.tracking_url(s.channel, s.tracking_number, s),
        "label_pdf": printable and (ours or ("carrier_label", "pdf") in kinds),
        "label_zpl": printable and (ours or ("carrier_label", "zpl") in kinds),
        "customs_doc": s.customs_document in ("cn23", "invoice"),
        "explanation": (s.quote_detail or {}).get("explanation", []),
        "quote_rule": (s.quote_detail or {}).get("rule", ""),
        "quote_customs": (s.quote_detail or {}).get("customs", ""),
        "can_ship": s.status == SS.LABELLED and request.user.has_perm(P.SHIP),
        "can_cancel": s.status in (SS.DRAFT, SS.LABELLED)
        and request.user.has_perm(P.SHIPMENT_CANCEL),
        "back": reverse("web:shipments"),
    }
    return render(request, "logistics/shipping/shipment.html", context)


# --- manifests --------------------------------------------------------------------------------


def _manifest_context(request) -> dict:
    today = timezone.localdate()
    channel = (request.GET.get("channel") or "").strip()[:40]
    qs = (
        Manifest.objects.select_related("channel", "created_by")
        .annotate(n=Count("shipments"))
        .order_by("-date", "-id")
    )
    if channel:
        qs = qs.filter(channel__code=channel)
    start, end = manifests.day_bounds(today)
    waiting = dict(
        Shipment.objects.filter(
            status__in=manifests.MANIFESTABLE,
            manifest__isnull=True,
            shipped_at__gte=start,
            shipped_at__lt=end,
        )
        .order_by()
        .values_list("channel__code")
        .annotate(n=Count("id"))
    )
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return {
        "title": _("Manifests"),
        "section": "manifests",
        "today": today,
        "page": page,
        "rows": list(page.object_list),
        "channels": _channels(),
        "waiting": sorted(waiting.items()),
        "channel_filter": channel,
    }


@permission_required(P.SHIPMENT_VIEW)
def manifests_page(request):
    if request.method == "POST":  # closing: ``close_manifest`` refuses first (403)
        day = _date(request.POST.get("date")) or timezone.localdate()
        code = (request.POST.get("channel") or "").strip()
        context = _manifest_context(request)
        status = 200
        try:
            m = manifests.close_manifest(request.user, code, day)
        except DomainError as exc:
            context["error"] = error_of(exc)
            status = exc.status
        else:
            context = _manifest_context(request)
            context["flash"] = _("Manifest %(number)s closed with %(n)s shipments.") % {
                "number": m.number,
                "n": m.shipments.count(),
            }
            context["new_id"] = m.pk
        template = "logistics/shipping/manifests.html"
        if request.htmx:
            template += "#manifest-main"
        return render(request, template, context, status=status)
    return render(request, "logistics/shipping/manifests.html", _manifest_context(request))


@permission_required(P.SHIPMENT_VIEW)
def manifest_file(request, pk: int, fmt: str):
    if fmt == "pdf":
        m, content = manifests.manifest_pdf(request.user, pk)
        return _document(content, "application/pdf", f"{m.number}.pdf", inline=True)
    m, text = manifests.manifest_csv(request.user, pk)
    return _document(text, "text/csv; charset=utf-8", f"{m.number}.csv", inline=False)
