"""Credit pages: for finance, the customers' balances and credit, the parcels held for arrears
(released by hand with a reason), a top-up, and the receivables' ageing with its Excel export;
for a customer's portal user, its own balance and held parcels. Thin: reads through
``selectors`` (narrowed by ``forwarding.partners.scoping``), writes through ``services``."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tradelane.accounts.roles import P
from tradelane.core.errors import DomainError, ValidationFailed
from tradelane.forwarding.partners import scoping
from tradelane.web.views.guards import permission_required, render_error

from . import excel, selectors, services

ALERT = "web/_alert.html"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _as_of(request) -> dt.date:
    raw = (request.GET.get("as_of") or "").strip()
    if not raw:
        return timezone.localdate()
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        raise Http404("Not a date") from None


@permission_required(P.LEDGER_VIEW)
def credit(request):
    user = request.user
    return render(request, "finance/credit/credit.html", {
        "standings": selectors.standings(user),
        "holds": list(selectors.arrears_holds(user)[:200]),
        "payments": selectors.payments(user),
        "may_top_up": user.has_perm(P.LEDGER_POST),
        "may_release": user.has_perm(P.CREDIT_MANAGE),
        "customers": list(scoping.customers(user).order_by("code").values_list("code", "company")),
        "methods": services.PAYMENT_METHODS,
        "today": timezone.localdate(),
    })  # fmt: skip


@require_POST
@permission_required(P.LEDGER_POST)
def top_up(request):
    data = request.POST
    try:
        customer = scoping.customer(request.user, data.get("customer", "").strip())
        on = None
        if data.get("on", "").strip():
            try:
                on = dt.date.fromisoformat(data["on"].strip())
            except ValueError:
                raise ValidationFailed("Not a date", code="invalid_date",
                                       details={"field": "on"}) from None  # fmt: skip
        done = services.top_up(
            request.user, customer, amount=data.get("amount", ""),
            currency=data.get("currency", "").strip().upper() or customer.currency,
            method=data.get("method", ""), reference=data.get("reference", ""), on=on,
            idempotency_key=data.get("idempotency_key", ""),
        )  # fmt: skip
    except DomainError as exc:
        return render_error(request, exc, ALERT)
    messages.success(request, _("Payment of %(amount)s %(cur)s posted; %(n)s parcel(s) released.")
                     % {"amount": done.entry.amount, "cur": done.balance.currency,
                        "n": len(done.released)})  # fmt: skip
    return redirect("web:finance_credit")


@require_POST
@permission_required(P.CREDIT_MANAGE)
def release(request, pk: int):
    problem = selectors.arrears_hold(request.user, pk)
    if problem is None:
        raise Http404("No such hold")
    try:
        services.release_by_hand(request.user, problem, request.POST.get("note", ""))
    except DomainError as exc:
        return render_error(request, exc, ALERT)
    messages.success(request, _("%(number)s released.") % {"number": problem.waybill.number})
    return redirect("web:finance_credit")


@permission_required(P.LEDGER_VIEW)
def ageing(request):
    as_of = _as_of(request)
    rows = selectors.ageing(request.user, as_of)
    labels = excel.bucket_labels()
    return render(request, "finance/credit/ageing.html", {
        "as_of": as_of,
        "buckets": [(b, labels[b]) for b in selectors.BUCKETS],
        "rows": [{"row": r, "amounts": [r.buckets[b] for b in selectors.BUCKETS]} for r in rows],
        "totals": [(cur, [t[b] for b in selectors.BUCKETS], t["total"])
                   for cur, t in sorted(selectors.ageing_totals(rows).items())],
    })  # fmt: skip


@permission_required(P.LEDGER_VIEW)
def ageing_export(request):
    as_of = _as_of(request)
    body = excel.ageing_workbook(selectors.ageing(request.user, as_of), as_of)
    response = HttpResponse(body, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="ageing-{as_of.isoformat()}.xlsx"'
    return response


@permission_required(P.PORTAL_USE)
def portal_balance(request):
    user = request.user
    return render(request, "finance/credit/portal_balance.html", {
        "standings": selectors.standings(user),
        "holds": list(selectors.arrears_holds(user)[:200]),
        "payments": selectors.payments(user, limit=20),
    })  # fmt: skip
