"""The commission pages: for finance (agreements, computing a period, agents' statements with
confirm/settle and their Excel, the salesperson report) and for an agent's portal user (its
own confirmed and settled statements, through ``scoping``). Thin: reads through
``selectors``, writes through ``services``."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from tradelane.accounts.roles import P
from tradelane.core import errors
from tradelane.core.errors import DomainError
from tradelane.forwarding.partners import scoping
from tradelane.forwarding.partners.models import Agent
from tradelane.logistics.rates.models import Channel
from tradelane.web import labels
from tradelane.web.views.guards import permission_required, render_error

from ..ledgers import selectors as ledger_selectors
from . import excel, selectors, services
from .models import Basis, Beneficiary, StatementStatus, TierMeasure

ALERT = "web/_alert.html"
TIER_ROWS = 5
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _period(request) -> dt.date:
    raw = request.GET.get("period") or request.POST.get("period") or ""
    if not raw:
        return timezone.localdate().replace(day=1)
    try:
        return services.month_of(raw)
    except DomainError:
        return timezone.localdate().replace(day=1)


def _salespeople():
    return get_user_model().objects.filter(is_active=True, portal_membership__isnull=True,
                                           sales_customers__isnull=False).distinct()  # fmt: skip


@permission_required(P.COMMISSION_VIEW)
def index(request):
    period = _period(request)
    return render(request, "finance/commissions/index.html", {
        "period": period,
        "agreements": list(selectors.agreements()),
        "adoptable": list(selectors.agents_without_agreement()),
        "statements": list(selectors.statements(beneficiary=Beneficiary.AGENT, period=period)),
        "may_manage": request.user.has_perm(P.COMMISSION_MANAGE),
    })  # fmt: skip


@permission_required(P.COMMISSION_MANAGE)
def compute(request):
    if request.method != "POST":
        raise Http404()
    beneficiary = request.POST.get("beneficiary", Beneficiary.AGENT)
    try:
        r = services.compute_period(request.user, request.POST.get("period", ""),
                                    beneficiary=beneficiary)  # fmt: skip
    except DomainError as exc:
        return render_error(request, exc, ALERT)
    messages.success(request, _("Computed %(period)s: %(statements)d statements, %(lines)d lines.")
                     % {"period": r.period.strftime("%Y-%m"), "statements": r.statements,
                        "lines": r.lines})  # fmt: skip
    target = "web:commission_sales" if beneficiary == Beneficiary.SALESPERSON else "web:commissions"
    return redirect(f"{redirect(target).url}?period={r.period:%Y-%m}")


@permission_required(P.COMMISSION_MANAGE)
def adopt(request):
    if request.method != "POST":
        raise Http404()
    agent = Agent.objects.filter(code=request.POST.get("agent", "")).first()
    if agent is None:
        raise Http404()
    try:
        services.adopt_agent_terms(request.user, agent)
    except DomainError as exc:
        return render_error(request, exc, ALERT)
    messages.success(request, _("Agreement saved."))
    return redirect("web:commissions")


def _form_data(post) -> dict:
    tiers = [(post.get(f"tier_from_{i}", ""), post.get(f"tier_rate_{i}", ""))
             for i in range(TIER_ROWS)]  # fmt: skip
    return {
        "basis": post.get("basis", ""), "rate": post.get("rate", "") or "0",
        "tier_measure": post.get("tier_measure", "none"), "tiers": tiers,
        "currency": post.get("currency", "").strip().upper() or None,
        "valid_from": post.get("valid_from", ""), "valid_to": post.get("valid_to", ""),
        "channel": post.get("channel", ""), "note": post.get("note", ""),
    }  # fmt: skip


def _form_context(request, agreement=None, error=None, status=200):
    values = request.POST if request.method == "POST" else None
    tiers = []
    if values is not None:
        tiers = [(values.get(f"tier_from_{i}", ""), values.get(f"tier_rate_{i}", ""))
                 for i in range(TIER_ROWS)]  # fmt: skip
    elif agreement is not None:
        tiers = [(str(t.min_volume.normalize()), str(t.rate.normalize()))
                 for t in agreement.tiers.all()]  # fmt: skip
    tiers += [("", "")] * (TIER_ROWS - len(tiers))
    return render(request, "finance/commissions/agreement_form.html", {
        "agreement": agreement, "values": values, "tiers": tiers, "error": error,
        "agents": Agent.objects.order_by("code"), "salespeople": _salespeople(),
        "channels": Channel.objects.order_by("code").values_list("code", flat=True),
        "bases": Basis.values, "measures": TierMeasure.values,
    }, status=status)  # fmt: skip


@permission_required(P.COMMISSION_MANAGE)
def agreement_new(request):
    if request.method == "POST":
        beneficiary = request.POST.get("beneficiary", "")
        try:
            if beneficiary == Beneficiary.AGENT:
                owner = Agent.objects.filter(code=request.POST.get("agent", "")).first()
            else:
                owner = _salespeople().filter(pk=_int(request.POST.get("salesperson"))).first()
            services.create_agreement(request.user, beneficiary=beneficiary, owner=owner,
                                      **_form_data(request.POST))  # fmt: skip
        except DomainError as exc:
            return _form_context(request, None, labels.domain_error(exc), exc.status)
        messages.success(request, _("Agreement saved."))
        return redirect("web:commissions")
    return _form_context(request)


def _int(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


@permission_required(P.COMMISSION_MANAGE)
def agreement_edit(request, pk: int):
    a = selectors.agreement(pk)
    if request.method == "POST":
        try:
            services.update_agreement(request.user, a, **_form_data(request.POST))
        except DomainError as exc:
            return _form_context(request, a, labels.domain_error(exc), exc.status)
        messages.success(request, _("Agreement saved."))
        return redirect("web:commissions")
    return _form_context(request, a)


def _statement_page(request, s, *, portal: bool):
    lines = selectors.lines(s)
    account = None
    if s.agent_id and not portal:
        account = ledger_selectors.account_of(s.agent, s.currency)
    return render(request, "finance/commissions/statement.html", {
        "s": s, "lines": lines, "portal": portal, "account": account,
        "truncated": s.waybill_count > len(lines),
        "may_manage": not portal and request.user.has_perm(P.COMMISSION_MANAGE),
    })  # fmt: skip


@permission_required(P.COMMISSION_VIEW)
def statement(request, pk: int):
    s = selectors.statement(request.user, pk)
    if request.method == "POST":
        if not request.user.has_perm(P.COMMISSION_MANAGE):
            raise PermissionDenied(P.COMMISSION_MANAGE)
        action = request.POST.get("action", "")
        try:
            if action == "confirm":
                services.confirm(request.user, s)
            elif action == "settle":
                services.settle(request.user, s)
            elif action == "reopen":
                services.reopen(request.user, s, request.POST.get("reason", ""))
            elif action == "payout" and s.agent_id:
                services.record_payout(request.user, s.agent, request.POST.get("amount", ""),
                                       reference=request.POST.get("reference", ""))  # fmt: skip
            else:
                raise errors.ValidationFailed("Unknown action", code="invalid_transition")
        except DomainError as exc:
            return render_error(request, exc, ALERT)
        messages.success(request, _("Statement updated."))
        return redirect("web:commission_statement", pk=s.pk)
    return _statement_page(request, s, portal=False)


def _xlsx(s) -> HttpResponse:
    table = {"status": labels.REGISTRY["commission_status"],
             "basis": labels.REGISTRY["commission_basis"],
             "note": labels.REGISTRY["commission_note"]}  # fmt: skip
    table = {k: {c: str(v) for c, v in t.items()} for k, t in table.items()}
    body = excel.statement_xlsx(s, selectors.lines(s, limit=None), table)
    response = HttpResponse(body, content_type=XLSX)
    who = s.agent.code if s.agent_id else s.salesperson.get_username()
    response["Content-Disposition"] = f'attachment; filename="commission-{who}-{s.label}.xlsx"'
    return response


@permission_required(P.COMMISSION_VIEW)
def statement_xlsx(request, pk: int):
    return _xlsx(selectors.statement(request.user, pk))


@permission_required(P.COMMISSION_VIEW)
def salespeople(request):
    period = _period(request)
    return render(request, "finance/commissions/salespeople.html", {
        "period": period,
        "statements": list(selectors.statements(beneficiary=Beneficiary.SALESPERSON,
                                                period=period)),
        "may_manage": request.user.has_perm(P.COMMISSION_MANAGE),
    })  # fmt: skip


# --- an agent's portal ----------------------------------------------------------------------


def _portal_agent(request):
    m = scoping.membership(request.user)
    if m is None or not m.agent_id:
        raise Http404(_("No commission statements here."))
    return m


@permission_required(P.PORTAL_USE)
def portal_statements(request):
    _portal_agent(request)
    return render(request, "finance/commissions/portal_list.html", {
        "statements": list(selectors.portal_statements(request.user)),
        "states": StatementStatus,
    })  # fmt: skip


@permission_required(P.PORTAL_USE)
def portal_statement(request, pk: int):
    _portal_agent(request)
    try:
        s = selectors.portal_statement(request.user, pk)
    except errors.NotFound as exc:
        raise Http404(exc.message) from exc
    return _statement_page(request, s, portal=True)


@permission_required(P.PORTAL_USE)
def portal_statement_xlsx(request, pk: int):
    _portal_agent(request)
    try:
        s = selectors.portal_statement(request.user, pk)
    except errors.NotFound as exc:
        raise Http404(exc.message) from exc
    return _xlsx(s)
