"""The customer's statements in the portal (/portal/statements/...): its issued statements,
one with its lines and totals by fee item, PDF and Excel, "confirm" and "dispute these lines".
Every read goes through ``selectors`` (``partners.scoping``: another customer's statement, or
a draft, is 404), every write through ``services``."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tradelane.accounts.roles import P
from tradelane.core import errors
from tradelane.forwarding.partners import scoping
from tradelane.web import labels
from tradelane.web.views.guards import permission_required

from .. import selectors, services
from .staff import download


def _refused(request, exc: errors.DomainError) -> None:
    if isinstance(exc, (errors.PermissionDenied, errors.NotFound)):
        raise exc
    messages.error(request, labels.domain_error(exc)["message"])


def _own(request) -> bool:
    m = scoping.membership(request.user)
    return m is not None and bool(m.customer_id)


@permission_required(P.PORTAL_USE)
def statements(request):
    return render(request, "finance/statements/portal_list.html", {
        "title": _("Statements"), "statements": selectors.statements(request.user)[:200],
        "own_account": _own(request),
    })  # fmt: skip


@permission_required(P.PORTAL_USE)
def statement(request, number: str):
    s = selectors.statement(request.user, number)
    lines = selectors.lines_of(s)
    return render(request, "finance/statements/portal_detail.html", {
        "title": _("Statement %(number)s") % {"number": s.number}, "s": s, "lines": lines,
        "totals": selectors.totals_by_item(s, lines), "disputes": selectors.disputes_of(s),
        "own_account": _own(request),
        "may_answer": _own(request) and s.status in ("issued", "confirmed"),
    })  # fmt: skip


@require_POST
@permission_required(P.PORTAL_USE)
def statement_confirm(request, number: str):
    s = selectors.statement(request.user, number)
    try:
        services.confirm_statement(request.user, s)
    except errors.DomainError as exc:
        _refused(request, exc)
    else:
        messages.success(request, _("Statement confirmed."))
    return redirect("web:portal_statement", number=s.number)


@require_POST
@permission_required(P.PORTAL_USE)
def statement_dispute(request, number: str):
    s = selectors.statement(request.user, number)
    try:
        services.dispute_statement(request.user, s, request.POST.getlist("lines"),
                                   request.POST.get("reason", ""))  # fmt: skip
    except errors.DomainError as exc:
        _refused(request, exc)
    else:
        messages.success(request, _("Your dispute was sent to the provider's finance."))
    return redirect("web:portal_statement", number=s.number)


@permission_required(P.PORTAL_USE)
def statement_download(request, number: str, fmt: str):
    return download(selectors.statement(request.user, number), fmt)
