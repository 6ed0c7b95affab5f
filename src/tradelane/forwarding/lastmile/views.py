"""The last-mile switch's pages (转单): ``/hub/lastmile/`` lists the waybills awaiting a
last-mile number (received or held, none yet; filters by channel and number), assigns one
inline, takes the line's file (preview with the per-row report, then all-or-nothing or the
valid rows only), asks a carrier API and shows the requests with their state, attempts and
last error ("retry now"); ``/hub/lastmile/<number>/label`` re-prints the stored carrier label
of a waybill by any of its numbers. Thin: writes go through ``assignment``, ``file_import``
and ``carrier_labels``."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.cache import add_never_cache_headers, patch_cache_control, patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from tradelane.accounts.roles import P
from tradelane.core.errors import DomainError, NotFound
from tradelane.core.throttle import client_ident
from tradelane.logistics.tracking import selectors as tracking_selectors
from tradelane.web import code_labels
from tradelane.web.views.guards import permission_required, render_error

from ..waybills import selectors as waybill_selectors
from ..waybills.models import WaybillStatus
from . import assignment, carrier_labels, file_import, public
from .models import LastMileRequest

PAGE_ROWS = 200

LABEL_TYPES = {"pdf": "application/pdf", "zpl": "text/plain; charset=utf-8"}


@permission_required(P.HUB_RECEIVE)
def label(request, number: str):
    try:
        req = carrier_labels.label_of(request.user, number.strip()[:60])
    except NotFound as exc:
        raise Http404(exc.message) from None
    fmt = req.label_format or "pdf"
    response = HttpResponse(bytes(req.label), content_type=LABEL_TYPES.get(fmt, LABEL_TYPES["pdf"]))
    response["Content-Disposition"] = f'inline; filename="{req.number}.{fmt}"'
    response["Cache-Control"] = "no-store"
    return response


@permission_required(P.HUB_RECEIVE)
def page(request, report=None):
    channel = (request.GET.get("channel") or "").strip()[:40]
    q = (request.GET.get("q") or "").strip()[:60]
    awaiting = waybill_selectors.waybills(request.user).filter(
        status__in=(WaybillStatus.RECEIVED, WaybillStatus.HELD), last_mile_number=""
    )
    if channel:
        awaiting = awaiting.filter(channel__code=channel)
    if q:
        awaiting = awaiting.filter(number=q) | awaiting.filter(tracking_number=q)
    requests_ = LastMileRequest.objects.select_related("waybill").order_by("-created_at", "-id")
    return render(request, "forwarding/lastmile/page.html", {
        "title": _("Last-mile switch"), "channel": channel, "q": q,
        "awaiting": list(awaiting.order_by("created_at", "id")[:PAGE_ROWS]),
        "requests": list(requests_[:50]), "report": report,
        "modes": file_import.MODES,
    })  # fmt: skip


@require_POST
@permission_required(P.HUB_RECEIVE)
def action(request):
    what = request.POST.get("action")
    try:
        if what == "assign":
            w = waybill_selectors.by_any_number(request.user, request.POST.get("waybill", ""))
            assignment.assign(request.user, w, request.POST.get("carrier", ""),
                              request.POST.get("number", ""))  # fmt: skip
            messages.success(request, _("Last-mile number assigned"))
        elif what == "request":
            w = waybill_selectors.by_any_number(request.user, request.POST.get("waybill", ""))
            carrier_labels.request_label(request.user, w)
            messages.success(request, _("Label requested from the carrier"))
        elif what == "retry":
            req = LastMileRequest.objects.filter(pk=request.POST.get("request") or 0).first()
            if req is None:
                raise Http404("no such request")
            carrier_labels.retry_now(request.user, req)
        elif what in ("preview", "apply"):
            upload = request.FILES.get("file")
            data, name = (upload.read(), upload.name) if upload else (b"", "")
            carrier = request.POST.get("default_carrier", "")
            if what == "preview":
                report = file_import.preview(request.user, data, name, default_carrier=carrier)
            else:
                report = file_import.apply(request.user, data, name, default_carrier=carrier,
                                           mode=request.POST.get("mode", ""))  # fmt: skip
            return page(request, report=report)
        else:
            raise Http404("unknown action")
    except DomainError as exc:
        return render_error(request, exc)
    return redirect("web:lastmile")


PUBLIC_MAX_AGE = 300
PUBLIC_TEMPLATE = "logistics/tracking/public.html"


# --- the public page (``public``) -----------------------------------------------------------


def _language(request) -> str:
    wanted = request.GET.get("lang") or ""
    if wanted in [code for code, _name in settings.LANGUAGES]:
        return wanted
    return translation.get_language_from_request(request) or settings.LANGUAGE_CODE


@require_GET
def public_page(request, number: str):
    language = _language(request)
    limit, ident = tracking_selectors.public_miss_limit(), client_ident(request)
    with translation.override(language):
        context = {"number": number.strip()[:64], "view": None, "language": language,
                   "languages": settings.LANGUAGES}  # fmt: skip
        if limit.blocked(ident):
            response = render(request, PUBLIC_TEMPLATE, {**context, "blocked": True}, status=429)
            response["Retry-After"] = str(limit.window)
            add_never_cache_headers(response)
            return response
        w = public.find(number)
        if w is None:
            limit.miss(ident)
        else:
            view = public.public_view(w)
            for e in view["events"]:
                e["label"] = str(code_labels.TRACKING_STATUS.get(e["status"], e["status"]))
            context.update(view=view, events=view["events"], tone=public.tone(view["status"]),
                           status_label=str(code_labels.TRACKING_STATUS.get(view["status"],
                                                                            view["status"])),
                           destination=code_labels.country_label(w.consignee_country))  # fmt: skip
        response = render(request, PUBLIC_TEMPLATE, context, status=200 if w else 404)
    patch_cache_control(response, public=True, max_age=PUBLIC_MAX_AGE if w else 60)
    patch_vary_headers(response, ("Accept-Language", "Cookie"))
    return response
