"""The hub's outbound pages: the bags board (open bags per sort key, open one), the bag scan
screen (keyboard alone: the scan field keeps focus, Enter scans, green or red with a beep,
"S" seals), bag labels, and dispatches with load scan, the reconcile panel, handover and the
manifest downloads.

Thin: every write is a ``bags`` or ``dispatches`` call; refusals are shown in the user's
language with their code (htmx swaps the result panel; without htmx the page is rendered).
"""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tradelane.accounts.roles import P
from tradelane.core.errors import DomainError, ValidationFailed
from tradelane.logistics.models import Channel
from tradelane.web import labels as web_labels
from tradelane.web.views.guards import permission_required

from . import bags as bag_services
from . import dispatches as dispatch_services
from . import labels, manifests
from .models import Bag, BagKind, BagStatus, Dispatch, DispatchMode, DispatchStatus

RESULT = "forwarding/outbound/_scan_result.html"


def _kg(grams: int) -> str:
    return f"{grams / 1000:.3f}"


@permission_required(P.HUB_RECEIVE)
def bags_board(request):
    error = None
    if request.method == "POST":
        try:
            bag = bag_services.open_bag(
                request.user, channel=request.POST.get("channel", ""),
                destination=request.POST.get("destination", ""),
                kind=request.POST.get("kind", BagKind.AIR),
            )  # fmt: skip
        except DomainError as exc:
            error = web_labels.domain_error(exc)
        else:
            return redirect("web:hub_bag", pk=bag.pk)
    open_bags = list(Bag.objects.filter(status=BagStatus.OPEN).select_related("channel")
                     .order_by("sort_key", "pk")[:500])  # fmt: skip
    keys: dict[str, list[Bag]] = {}
    for b in open_bags:
        keys.setdefault(b.sort_key, []).append(b)
    sealed = list(Bag.objects.filter(status=BagStatus.SEALED).select_related("channel", "dispatch")
                  .order_by("-sealed_at")[:200])  # fmt: skip
    return render(request, "forwarding/outbound/bags.html", {
        "title": _("Bags"), "keys": sorted(keys.items()), "sealed": sealed, "error": error,
        "channels": Channel.objects.filter(is_active=True).order_by("code"),
        "kinds": BagKind.choices,
    }, status=400 if error else 200)  # fmt: skip


def _bag_page(request, bag: Bag, result=None, status: int = 200):
    bag.refresh_from_db()
    items = list(bag.items.select_related("waybill").order_by("-id")[:100])
    context = {"title": bag.label_id, "bag": bag, "items": items, "result": result,
               "weight_kg": _kg(bag.gross_weight_g)}  # fmt: skip
    template = RESULT if request.htmx else "forwarding/outbound/bag.html"
    return render(request, template, context, status=status)


@permission_required(P.HUB_RECEIVE)
def bag(request, pk: int):
    return _bag_page(request, get_object_or_404(Bag, pk=pk))


def _act(request, bag: Bag, act, ok_text: str):
    try:
        outcome = act()
    except DomainError as exc:
        result = {"ok": False, "error": web_labels.domain_error(exc)}
        return _bag_page(request, bag, result, status=exc.status if not request.htmx else 200)
    return _bag_page(request, bag, {"ok": True, "text": ok_text(outcome)})


@require_POST
@permission_required(P.HUB_RECEIVE)
def bag_scan(request, pk: int):
    b = get_object_or_404(Bag, pk=pk)
    code = request.POST.get("code", "")
    if request.POST.get("remove"):
        return _act(
            request,
            b,
            lambda: bag_services.remove_from_bag(request.user, b, code),
            lambda _r: _("Taken out: %(code)s") % {"code": code.strip()},
        )
    return _act(
        request, b, lambda: bag_services.scan_into_bag(request.user, b, code),
        lambda r: (_("In the bag: %(number)s") if r.added
                   else _("Already in this bag: %(number)s")) % {"number": r.waybill.number},
    )  # fmt: skip


def _grams(request) -> int:
    raw = (request.POST.get("weight_kg") or "").strip().replace(",", ".")
    try:
        return round(float(raw) * 1000)
    except ValueError:
        raise ValidationFailed("The weight must be a number of kg", code="invalid_weight") from None


@require_POST
@permission_required(P.HUB_RECEIVE)
def bag_weigh(request, pk: int):
    b = get_object_or_404(Bag, pk=pk)
    return _act(request, b, lambda: bag_services.weigh_bag(request.user, b, _grams(request)),
                lambda r: _("Weighed: %(kg)s kg") % {"kg": _kg(r.weighed_g)})  # fmt: skip


@require_POST
@permission_required(P.HUB_RECEIVE)
def bag_seal(request, pk: int):
    b = get_object_or_404(Bag, pk=pk)
    last = request.POST.get("last") == "on"
    return _act(request, b, lambda: bag_services.seal_bag(request.user, b, last=last),
                lambda r: _("Sealed: %(id)s") % {"id": r.label_id})  # fmt: skip


@permission_required(P.HUB_RECEIVE)
def bag_label(request, pk: int, fmt: str):
    b = get_object_or_404(Bag.objects.select_related("channel", "hub", "dispatch"), pk=pk)
    if fmt == "zpl":
        response = HttpResponse(labels.render_bag_label_zpl(b), content_type="text/plain")
    else:
        response = HttpResponse(labels.render_bag_labels_pdf([b]), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="bag-{b.label_id}.{fmt}"'
    return response


# --- dispatches -------------------------------------------------------------------------------


def _date_or_none(value: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat((value or "").strip())
    except ValueError:
        return None


@permission_required(P.HUB_DISPATCH)
def dispatch_list(request):
    error = None
    if request.method == "POST":
        post = request.POST
        try:
            d = dispatch_services.create_dispatch(
                request.user, channel=post.get("channel", ""), mode=post.get("mode", ""),
                mawb=post.get("mawb", ""), flight=post.get("flight", ""),
                departure_date=_date_or_none(post.get("departure_date", "")),
                origin_airport=post.get("origin_airport", ""),
                destination_airport=post.get("destination_airport", ""),
                truck_plate=post.get("truck_plate", ""),
                receiving_depot=post.get("receiving_depot", ""),
            )  # fmt: skip
        except DomainError as exc:
            error = web_labels.domain_error(exc)
        else:
            return redirect("web:hub_dispatch", pk=d.pk)
    rows = list(Dispatch.objects.select_related("channel").order_by("-id")[:200])
    return render(request, "forwarding/outbound/dispatches.html", {
        "title": _("Dispatches"), "rows": rows, "error": error, "modes": DispatchMode.choices,
        "channels": Channel.objects.filter(is_active=True).order_by("code"),
    }, status=400 if error else 200)  # fmt: skip


def _dispatch_page(request, d: Dispatch, result=None, status: int = 200):
    d.refresh_from_db()
    totals = dispatch_services.reconcile(d)
    context = {
        "title": d.number, "d": d, "result": result, "totals": totals,
        "gross_kg": _kg(totals.gross_weight_g), "chargeable_kg": _kg(totals.chargeable_weight_g),
        "bags": list(Bag.objects.filter(dispatch=d).order_by("pk")),
        "missing": dispatch_services.missing_bags(d),
        "ready": list(Bag.objects.filter(status=BagStatus.SEALED, dispatch__isnull=True,
                                         channel=d.channel).order_by("pk")[:200]),
        "open": d.status == DispatchStatus.OPEN,
    }  # fmt: skip
    template = ("forwarding/outbound/_dispatch_panel.html" if request.htmx
                else "forwarding/outbound/dispatch.html")  # fmt: skip
    return render(request, template, context, status=status)


@permission_required(P.HUB_DISPATCH)
def dispatch(request, pk: int):
    return _dispatch_page(request, get_object_or_404(Dispatch, pk=pk))


@require_POST
@permission_required(P.HUB_DISPATCH)
def dispatch_action(request, pk: int):
    d = get_object_or_404(Dispatch, pk=pk)
    action, code = request.POST.get("action", ""), request.POST.get("code", "")
    user = request.user
    try:
        if action == "add":
            b = dispatch_services.add_bag(user, d, code)
            text = _("On the dispatch: %(id)s") % {"id": b.label_id}
        elif action == "remove":
            b = dispatch_services.remove_bag(user, d, code)
            text = _("Taken off: %(id)s") % {"id": b.label_id}
        elif action == "load":
            scan = dispatch_services.load_scan(user, d, code)
            text = _("Loaded %(id)s (%(scanned)s of %(total)s)") % {
                "id": scan.bag.label_id,
                "scanned": scan.scanned,
                "total": scan.total,
            }
        elif action == "hand_over":
            dispatch_services.hand_over(user, d)
            messages.success(request, _("Handed over."))
            return redirect("web:hub_dispatch", pk=d.pk)
        else:
            raise ValidationFailed("Unknown action", code="invalid_action")
    except DomainError as exc:
        result = {"ok": False, "error": web_labels.domain_error(exc)}
        return _dispatch_page(request, d, result, status=200 if request.htmx else exc.status)
    return _dispatch_page(request, d, {"ok": True, "text": text})


@permission_required(P.HUB_DISPATCH)
def dispatch_manifest(request, pk: int, fmt: str):
    d = get_object_or_404(Dispatch.objects.select_related("channel"), pk=pk)
    try:
        m = manifests.build_manifest(d)
    except DomainError as exc:
        return _dispatch_page(request, d, {"ok": False, "error": web_labels.domain_error(exc)},
                              status=exc.status)  # fmt: skip
    if fmt == "xlsx":
        response = HttpResponse(manifests.render_manifest_xlsx(m), content_type=manifests.XLSX)
    else:
        response = HttpResponse(manifests.render_manifest_pdf(m), content_type="application/pdf")
    name = manifests.manifest_filename(m, fmt)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
