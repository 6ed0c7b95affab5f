"""The connection health page (``web:store_health``): what the last verification proved
(shop, plan, currency, scopes granted against needed), webhook subscriptions now against
those needed with the last delivery per topic, the last pull, token expiry, API version; and
the "re-verify" button (``web:store_verify``). Thin: reads ``onboarding.health``, writes
through ``onboarding.verification``.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from tradelane.accounts.roles import P
from tradelane.core import errors

from ..models import StoreConnection
from ..onboarding import health as health_selector
from ..onboarding import verification
from .pages import PLATFORM_LABELS, _error_dict, _perm

WEBHOOK_STATES = {
    "polled": gettext_lazy("This platform sends no webhooks here: orders are polled every "
                           "%(n)s minutes."),
    "not_verified": gettext_lazy("The test call failed, so no webhooks were created."),
    "no_public_url": gettext_lazy("Tradelane's public address (TRADELANE_PUBLIC_URL) is not set: "
                                  "the platform could not reach it, so no webhooks were created. "
                                  "Orders still arrive by the periodic pull."),
    "refused": gettext_lazy("The platform refused a webhook. None of this check's webhooks "
                            "were kept (nothing half-done)."),
    "unreachable": gettext_lazy("The platform could not be reached while the webhooks were "
                                "checked."),
}  # fmt: skip
NOTE_LEVELS = {"info": "muted", "warning": "warn", "error": "bad"}


def _translated(items: list[dict], key: str) -> list[dict]:
    out = []
    for item in items:
        text = _(item.get(key) or "") if item.get(key) else ""
        params = item.get("params") or {}
        out.append({**item, key: (text % params) if params else text})
    return out


def _connection(pk: int) -> StoreConnection:
    conn = StoreConnection.objects.select_related("store").filter(pk=pk).first()
    if conn is None:
        raise Http404
    return conn


@login_required
@require_GET
def store_health(request, pk: int):
    _perm(request.user, P.STORE_MANAGE, P.DISPATCH_VIEW)
    conn = _connection(pk)
    now = timezone.now()
    report = health_selector.health_of(conn, now=now)
    record = report.verification
    hooks = record.get("webhooks") or {}
    state = hooks.get("error_code") or ""
    return render(
        request,
        "stores/health.html",
        {
            "title": _("Connection health"),
            "conn": conn,
            "store": conn.store,
            "platform_label": PLATFORM_LABELS.get(conn.platform, conn.platform),
            "health": report,
            "record": record,
            "scopes": _translated(record.get("scopes") or [], "purpose"),
            "notes": [{**n, "css": NOTE_LEVELS.get(n.get("level"), "muted")}
                      for n in _translated(record.get("notes") or [], "text")],
            "hooks": hooks,
            "hooks_state": (str(WEBHOOK_STATES[state]) % {"n": report.poll_minutes})
            if state in WEBHOOK_STATES else "",
            "checked_at": health_selector.parse_moment(record.get("checked_at") or ""),
            "can_manage": request.user.has_perm(P.STORE_MANAGE),
            "now": now,
        },
    )  # fmt: skip


@login_required
@require_POST
def store_verify(request, pk: int):
    _perm(request.user, P.STORE_MANAGE)
    conn = _connection(pk)
    if conn.state == StoreConnection.State.DISCONNECTED:
        messages.error(request, _("The store is disconnected: connect it first."))
        return redirect("web:store_health", pk=conn.pk)
    try:
        record = verification.verify(request.user, conn)
    except errors.DomainError as exc:
        messages.error(request, _error_dict(exc)["message"])
    else:
        if record["ok"] and not record["webhooks"]["error"]:
            messages.success(request, _("Verified again."))
        else:
            messages.error(request, _("The check found problems: see below."))
    return redirect("web:store_health", pk=conn.pk)
