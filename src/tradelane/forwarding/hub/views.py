"""The hub's pages: the inbound scan screen and its JSON endpoint, the problem queue (take,
resolve, release a hold) and the parcels without forecast (attach to a customer).

Thin: the scan screen's figures (kg or grams, cm) are turned into grams and millimetres at
this edge (``measures``); every write is a ``hub`` service call, every read a ``selectors``
one.
"""

from __future__ import annotations

import json

from django.contrib import messages
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_GET, require_POST

from tradelane.accounts.roles import P
from tradelane.core.errors import DomainError, NotFound, ValidationFailed
from tradelane.web import labels
from tradelane.web.views.guards import int_or_none, permission_required

from ..partners import scoping
from ..waybills.models import Waybill
from . import config, holds, inbound, selectors, unknown
from .measures import grams, millimetres
from .models import HOLD_REASONS, ProblemOutcome, ProblemReason
from .problems import take_problem

MAX_BODY = 4096


def _json_error(exc: DomainError) -> JsonResponse:
    body = {"code": exc.code, "message": labels.error_text(exc.code, exc.message, exc.details)}
    if isinstance(exc.details, dict) and exc.details:
        body["details"] = exc.details
    return JsonResponse(body, status=exc.status)


def _scan_args(data: dict) -> dict:
    """The service's arguments from the screen's (``weight`` "1.25" kg or "1250" g, sides in
    cm) or a client's own (``weight_g``, ``length_mm``…) figures."""
    if not isinstance(data, dict):
        raise ValidationFailed("The body must be a JSON object", code="invalid_json")
    out = {"code": data.get("code"), "station": data.get("station")}
    out["weight_g"] = data["weight_g"] if "weight_g" in data else grams(data.get("weight"))
    for side in ("length", "width", "height"):
        key = f"{side}_mm"
        out[key] = data[key] if key in data else millimetres(data.get(side), side)
    piece = data.get("piece")
    if piece not in (None, ""):
        out["piece"] = piece if isinstance(piece, int) else int_or_none(piece) or -1
    if data.get("channel"):
        out["channel"] = str(data["channel"])[:40]
    return out


@require_POST
@permission_required(P.HUB_RECEIVE)
def inbound_scan(request):
    """``POST /hub/inbound/scan``: JSON in, the scan result out (with the station's last scans)."""
    if len(request.body) > MAX_BODY:
        return _json_error(ValidationFailed("The body is too large", code="invalid_json"))
    try:
        data = json.loads(request.body or b"null")
    except (UnicodeDecodeError, ValueError):
        return _json_error(ValidationFailed("The body is not JSON", code="invalid_json"))
    try:
        out = inbound.scan(request.user, **_scan_args(data))
    except DomainError as exc:
        return _json_error(exc)
    if data.get("recent"):
        out["recent"] = selectors.recent_scans(str(data.get("station", "")).strip())
    return JsonResponse(out)


@require_GET
@permission_required(P.HUB_RECEIVE)
def inbound_recent(request):
    """``GET /hub/inbound/recent?station=``: the last 20 scans of a station."""
    station = (request.GET.get("station") or "").strip()[:40]
    return JsonResponse({"station": station, "scans": selectors.recent_scans(station)})


@require_GET
@permission_required(P.HUB_RECEIVE)
def scan_screen(request):
    return render(request, "forwarding/hub/scan.html", {
        "title": _("Inbound scan"), "stations": config.stations(),
    })  # fmt: skip


# --- the problem queue ------------------------------------------------------------------------

FILTERS = ("reason", "state", "owner", "due")


@require_GET
@permission_required(P.PROBLEM_HANDLE)
def problems(request):
    chosen = {k: (request.GET.get(k) or "").strip()[:40] for k in FILTERS}
    chosen["state"] = chosen["state"] or "open"
    rows = list(selectors.problems(request.user, **chosen)[:300])
    return render(request, "forwarding/hub/problems.html", {
        "title": _("Problem parcels"), "rows": rows, "chosen": chosen,
        "reasons": ProblemReason.choices, "outcomes": ProblemOutcome.choices,
        "holds": sorted(HOLD_REASONS),
        "states": [("open", _("Open")), ("overdue", _("Overdue")),
                   ("closed", pgettext("problem state", "Closed")), ("all", _("All"))],
    })  # fmt: skip


def _back(request):
    target = request.POST.get("next") or ""
    return redirect(target if target.startswith("/hub/") else "web:hub_problems")


@require_POST
@permission_required(P.PROBLEM_HANDLE)
def problem_take(request, pk: int):
    try:
        take_problem(request.user, selectors.problem(pk))
        messages.success(request, _("The problem is yours."))
    except NotFound:
        raise
    except DomainError as exc:
        messages.error(request, labels.error_text(exc.code, exc.message, exc.details))
    return _back(request)


@require_POST
@permission_required(P.PROBLEM_HANDLE)
def problem_resolve(request, pk: int):
    """Resolve with an outcome and a reason (one action); a hold's "release" is the outcome
    released (``holds.resolve`` puts the parcel back to received)."""
    try:
        holds.resolve(request.user, selectors.problem(pk), request.POST.get("outcome", ""),
                      (request.POST.get("note") or "").strip()[:500])  # fmt: skip
        messages.success(request, _("The problem is closed."))
    except NotFound:
        raise
    except DomainError as exc:
        messages.error(request, labels.error_text(exc.code, exc.message, exc.details))
    return _back(request)


# --- parcels without forecast -----------------------------------------------------------------


@require_GET
@permission_required(P.PROBLEM_HANDLE)
def unknown_parcels(request):
    waiting = request.GET.get("all") != "1"
    return render(request, "forwarding/hub/unknown.html", {
        "title": _("Parcels without forecast"), "waiting": waiting,
        "rows": list(selectors.unknown_parcels(waiting_only=waiting)[:300]),
        "customers": list(scoping.customers(request.user).order_by("code")[:500]),
    })  # fmt: skip


@require_POST
@permission_required(P.PROBLEM_HANDLE)
def unknown_attach(request, pk: int):
    """Attach to a customer (by code) and, optionally, one of its waybills (by number)."""
    parcel = selectors.unknown_parcel(pk)
    code = (request.POST.get("customer") or "").strip()[:40]
    number = (request.POST.get("waybill") or "").strip()[:40]
    try:
        customer = scoping.customers(request.user).filter(code=code).first()
        if customer is None:
            raise ValidationFailed(f"No customer {code}", code="customer_not_found")
        waybill = None
        if number:
            waybill = Waybill.objects.filter(customer=customer, number=number).first()
            if waybill is None:
                raise ValidationFailed(f"No waybill {number} of {code}", code="waybill_not_found")
        unknown.attach(request.user, parcel, customer, waybill,
                       (request.POST.get("note") or "").strip()[:400])  # fmt: skip
        messages.success(request, _("The parcel is attached."))
    except DomainError as exc:
        messages.error(request, labels.error_text(exc.code, exc.message, exc.details))
    return redirect("web:hub_unknown")
