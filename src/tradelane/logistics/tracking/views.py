"""Tracking (追踪): search, a shipment's timeline, the exception queue, and the public page.

Thin: reads through ``tracking.selectors``, writes through ``tracking.services``.
Search and a shipment's timeline need ``P.TRACKING_READ`` (customer service too, who answer
buyers' "where is my parcel"; labels and manifests stay ``P.SHIPMENT_VIEW``),
the exception queue ``P.TRACKING_VIEW``, every change ``P.TRACKING_MANAGE``. The public page
``/t/<number>`` (or ``/t/<number>/<key>``) needs no login and shows no personal data.
"""

from __future__ import annotations

from django.conf import settings
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone, translation
from django.utils.cache import add_never_cache_headers, patch_cache_control, patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from tradelane.accounts.roles import P
from tradelane.core.errors import DomainError
from tradelane.core.throttle import client_ident
from tradelane.logistics.models import Shipment, TrackingException
from tradelane.logistics.tracking import codes as tc
from tradelane.logistics.tracking import selectors as tracking_selectors
from tradelane.logistics.tracking import services as tracking
from tradelane.web import code_labels
from tradelane.web.code_labels import country_label as country_name
from tradelane.web.views.guards import permission_required, render_error

STATUS = code_labels.TRACKING_STATUS  # the registry's (``web.code_labels``)
SHIPMENT_STATUS = code_labels.SHIPMENT_STATUS
# exception kinds in the order the queue shows its tabs
EXCEPTION_KINDS = [s for s in tc.STATUSES if s in tc.EXCEPTIONS]
PUBLIC_MAX_AGE = 300  # seconds a browser or proxy may keep the public page
PAGE_SIZE = 50


def status_label(code: str) -> str:
    return str(STATUS.get(code, code or "—"))


def tone(code: str) -> str:
    if code == tc.DELIVERED:
        return "ok"
    if code in tc.EXCEPTIONS:
        return "bad"
    return ""


def _events(shipment: Shipment) -> list[dict]:
    return [
        {"event": e, "label": status_label(e.status), "tone": tone(e.status)}
        for e in tracking_selectors.timeline(shipment)
    ]


# --- the team's pages -------------------------------------------------------------------------


@permission_required(P.TRACKING_READ)
def search(request):
    """Find a parcel by any of its numbers or its order's; with nothing asked, the home: the
    newest open exceptions (for who may read the queue) and the parcels with no news for N
    days (``?days=``, one of ``selectors.QUIET_DAYS``)."""
    q = (request.GET.get("q") or "").strip()[:64]
    found = tracking_selectors.shipments_for_search(q) if q else []
    if len(found) == 1:
        return redirect("web:tracking_shipment", pk=found[0].pk)
    rows = [
        {"s": s, "label": status_label(s.tracking_status), "tone": tone(s.tracking_status),
         "status": SHIPMENT_STATUS.get(s.status, s.status)}
        for s in found
    ]  # fmt: skip
    may_queue = request.user.has_perm(P.TRACKING_VIEW)
    context = {
        "title": _("Tracking"),
        "q": q,
        "rows": rows,
        "counts": sum(tracking_selectors.exception_counts().values()) if may_queue else None,
    }
    if not q:
        context.update(_home(request, may_queue))
    return render(request, "logistics/tracking/search.html", context)


def _home(request, may_queue: bool) -> dict:
    days = request.GET.get("days") or ""
    days = int(days) if days.isdigit() and int(days) in tracking_selectors.QUIET_DAYS else None
    days = days or tracking_selectors.DEFAULT_QUIET_DAYS
    now = timezone.now()
    quiet, quiet_total = tracking_selectors.quiet_shipments(days, now=now)
    return {
        "home": True,
        "days": days,
        "day_choices": tracking_selectors.QUIET_DAYS,
        "quiet": [
            {
                "s": s,
                "label": status_label(s.tracking_status),
                "tone": tone(s.tracking_status),
                "age": tracking_selectors.age_days(s.last_news, now),
            }
            for s in quiet
        ],  # fmt: skip
        "quiet_total": quiet_total,
        "recent": [_row(e, now) for e in tracking_selectors.recent_exceptions()]
        if may_queue
        else None,
    }


@permission_required(P.TRACKING_READ)
def shipment_page(request, pk: int):
    shipment = get_object_or_404(Shipment.objects.select_related("channel"), pk=pk)
    can_manage = request.user.has_perm(P.TRACKING_MANAGE)
    open_exceptions = list(
        shipment.exceptions.filter(status=TrackingException.Status.OPEN).order_by("opened_at")
    )
    return render(
        request,
        "logistics/tracking/shipment.html",
        {
            "title": f"{_('Tracking')} {shipment.tracking_number or shipment.number}",
            "s": shipment,
            "status": SHIPMENT_STATUS.get(shipment.status, shipment.status),
            "tracking_label": status_label(shipment.tracking_status),
            "tracking_tone": tone(shipment.tracking_status),
            "events": _events(shipment),
            "exceptions": [
                {
                    "e": e,
                    "label": status_label(e.kind),
                    "age": tracking_selectors.age_days(e.opened_at),
                }
                for e in open_exceptions
            ],  # fmt: skip
            "can_manage": can_manage,
            "statuses": [(s, status_label(s)) for s in tc.STATUSES if s != tc.EXPIRED],
            "country": country_name(shipment.ship_country),
            "now": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        },
    )


@require_POST
@permission_required(P.TRACKING_MANAGE)
def shipment_action(request, pk: int):
    shipment = get_object_or_404(Shipment, pk=pk)
    action = request.POST.get("action")
    try:
        if action == "event":
            when = request.POST.get("occurred_at") or ""
            occurred_at = None
            if when:
                from datetime import datetime

                try:
                    occurred_at = timezone.make_aware(datetime.fromisoformat(when))
                except ValueError:
                    from tradelane.core.errors import ValidationFailed

                    raise ValidationFailed("Not a date and time", code="invalid_datetime") from None
            tracking.add_manual_event(
                request.user, shipment, request.POST.get("status", ""),
                request.POST.get("text", ""), occurred_at,
                city=request.POST.get("city", ""),
                country=(request.POST.get("country", "") or "").upper(),
            )  # fmt: skip
        elif action == "last_mile":
            tracking.set_last_mile(
                request.user, shipment, request.POST.get("carrier", ""),
                request.POST.get("number", ""),
            )  # fmt: skip
        else:
            raise Http404("unknown action")
    except DomainError as exc:
        return render_error(request, exc)
    return redirect("web:tracking_shipment", pk=pk)


def _queue_filters(request) -> dict:
    kind = request.GET.get("kind") or ""
    if kind not in EXCEPTION_KINDS:
        kind = ""
    status = request.GET.get("status") or "open"
    if status not in ("open", "resolved"):
        status = "open"
    age = request.GET.get("age") or ""
    age_days = int(age) if age.isdigit() and int(age) <= 3650 else None
    channel = (request.GET.get("channel") or "").strip()[:40]
    return {"kind": kind, "status": status, "age": age_days, "channel": channel}


def _row(exc: TrackingException, now) -> dict:
    return {
        "e": exc,
        "label": status_label(exc.kind),
        "age": tracking_selectors.age_days(exc.opened_at, now),
        "tracking_label": status_label(exc.shipment.tracking_status),
    }


@permission_required(P.TRACKING_VIEW)
def exception_queue(request):
    f = _queue_filters(request)
    qs = tracking_selectors.exceptions(
        kind=f["kind"] or None, status=f["status"], channel=f["channel"] or None,
        min_age_days=f["age"],
    )  # fmt: skip
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    counts = tracking_selectors.exception_counts(f["status"])
    tabs = [{"kind": "", "label": _("All"), "count": sum(counts.values())}]
    tabs += [
        {"kind": k, "label": status_label(k), "count": counts.get(k, 0)} for k in EXCEPTION_KINDS
    ]
    now = timezone.now()
    rows = [_row(e, now) for e in page.object_list]
    return render(
        request,
        "logistics/tracking/exceptions.html",
        {
            "title": _("Tracking exceptions"),
            "f": f,
            "tabs": tabs,
            "rows": rows,
            "page": page,
            "can_manage": request.user.has_perm(P.TRACKING_MANAGE),
        },
    )


@require_POST
@permission_required(P.TRACKING_MANAGE)
def resolve(request, pk: int):
    exc = get_object_or_404(tracking_selectors.exceptions(status=None), pk=pk)
    try:
        tracking.resolve_exception(request.user, exc, request.POST.get("resolution", ""))
    except DomainError as exc_:
        return render_error(request, exc_)
    exc = tracking_selectors.exceptions(status=None).get(pk=pk)
    if request.htmx:
        context = {"r": _row(exc, timezone.now()), "can_manage": True}
        return render(request, "logistics/tracking/_exception_row.html", context)
    return redirect("web:tracking_exceptions")


# --- the public page ------------------------------------------------------------------------------


def _public_language(request) -> str:
    wanted = request.GET.get("lang") or ""
    codes = [code for code, _name in settings.LANGUAGES]
    if wanted in codes:
        return wanted
    return translation.get_language_from_request(request) or settings.LANGUAGE_CODE


@require_GET
def public_page(request, number: str, key: str = ""):
    """Anyone with the link: the status timeline, the carrier's words, the destination city
    and country. No name, address, phone, e-mail, order or shipment number. A number we drew
    at random opens it alone, any other number only with the shipment's key
    (``/t/<number>/<key>``); every miss looks the same, and too many misses from one client
    are refused for a while (``selectors.find_public``, ``public_miss_limit``)."""
    language = _public_language(request)
    limit, ident = tracking_selectors.public_miss_limit(), client_ident(request)
    with translation.override(language):
        context = {
            "number": number.strip()[:64],
            "view": None,
            "language": language,
            "languages": settings.LANGUAGES,
        }
        if limit.blocked(ident):
            response = render(
                request, "logistics/tracking/public.html", {**context, "blocked": True}, status=429
            )
            response["Retry-After"] = str(limit.window)
            add_never_cache_headers(response)
            return response
        view = tracking_selectors.public_tracking(number, key)
        context["view"] = view
        if view is None:
            limit.miss(ident)
        else:
            context["status_label"] = status_label(view["status"])
            context["tone"] = tone(view["status"])
            context["destination"] = country_name(view["destination"]["country"])
            context["events"] = [
                {**e, "label": status_label(e["status"]), "tone": tone(e["status"]),
                 "country_name": country_name(e["country"]) if e["country"] else ""}
                for e in view["events"]
            ]  # fmt: skip
        response = render(
            request, "logistics/tracking/public.html", context, status=200 if view else 404
        )
    patch_cache_control(response, public=True, max_age=PUBLIC_MAX_AGE if view else 60)
    patch_vary_headers(response, ("Accept-Language", "Cookie"))
    return response
