"""The payables pages for finance (/finance/payables/...): the upstream lines with their
balances and bills, a bill's audit (filters, totals, line actions), its Excel export, and a
line's payables account with its payments. Thin: reads through ``selectors``, writes through
``services``. The upload with its mapping is the spreadsheet integration's page
(``integrations/spreadsheets/payable_bills.py``): it reads the file."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from tradelane.accounts.roles import P
from tradelane.core.errors import DomainError, NotFound, ValidationFailed
from tradelane.forwarding.partners.models import UpstreamLine
from tradelane.web import labels
from tradelane.web.views.guards import permission_required

from . import selectors, services
from .export import audit_xlsx
from .models import LineStatus

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _upstream(code: str) -> UpstreamLine:
    found = UpstreamLine.objects.filter(code=code).first()
    if found is None:
        raise NotFound("No such upstream line", code="not_found")
    return found


@permission_required(P.PAYABLE_VIEW)
def payables(request):
    lines = list(UpstreamLine.objects.order_by("code"))
    return render(request, "finance/payables/payables.html", {
        "lines": [{"line": x, "accounts": selectors.payables_accounts(x)} for x in lines],
        "bills": selectors.bills()[:100],
        "may_manage": request.user.has_perm(P.PAYABLE_MANAGE),
    })  # fmt: skip


def _flag(request, name: str) -> bool:
    return request.GET.get(name, "") in ("1", "on", "true")


@permission_required(P.PAYABLE_VIEW)
def bill(request, pk: int):
    b = selectors.bill(pk)
    may_manage = request.user.has_perm(P.PAYABLE_MANAGE)
    error = None
    if request.method == "POST":
        if not may_manage:
            raise PermissionDenied(P.PAYABLE_MANAGE)
        action, line = request.POST.get("action", ""), request.POST.get("line", "")
        try:
            if not line.isdigit() or not b.lines.filter(pk=int(line)).exists():
                raise NotFound("No such bill line", code="payable_line_not_found")
            if action == "accept":
                services.accept(request.user, int(line), amount=request.POST.get("amount") or None,
                                outcome=request.POST.get("outcome", ""))  # fmt: skip
            elif action == "dispute":
                services.dispute(request.user, int(line), reason=request.POST.get("reason", ""))
            elif action == "write_off":
                services.write_off(request.user, int(line), reason=request.POST.get("reason", ""))
            else:
                raise ValidationFailed("Unknown action", code="invalid_action")
        except DomainError as exc:  # the page again, the refusal on top
            error = exc
        else:
            messages.success(request, _("The bill line is updated."))
            # back to the same filters (a query string only: never another address)
            query = request.POST.get("next", "")
            query = query if query.startswith("?") and "\n" not in query else ""
            return redirect(reverse("web:finance_payables_bill", args=[b.pk]) + query)
    filters = {"differences_only": _flag(request, "diff"),
               "unmatched_only": _flag(request, "unmatched"),
               "status": request.GET.get("status", "")}  # fmt: skip
    return render(request, "finance/payables/bill.html", {
        "b": b, "lines": selectors.bill_lines(b, **filters), "t": selectors.totals(b),
        "filters": filters, "statuses": LineStatus.values, "may_manage": may_manage,
        "query": request.GET.urlencode(), "error": labels.domain_error(error) if error else None,
    }, status=error.status if error else 200)  # fmt: skip


@permission_required(P.PAYABLE_VIEW)
def bill_export(request, pk: int):
    b = selectors.bill(pk)
    response = HttpResponse(audit_xlsx(b, differences_only=_flag(request, "diff")),
                            content_type=XLSX)  # fmt: skip
    response["Content-Disposition"] = f'attachment; filename="upstream-bill-{b.pk}-audit.xlsx"'
    return response


@permission_required(P.PAYABLE_VIEW)
def upstream_line(request, code: str):
    line = _upstream(code)
    error = None
    if request.method == "POST":
        if not request.user.has_perm(P.PAYABLE_MANAGE):
            raise PermissionDenied(P.PAYABLE_MANAGE)
        try:
            services.pay(request.user, line, request.POST.get("amount", ""),
                         request.POST.get("currency", ""),
                         reference=request.POST.get("reference", ""))  # fmt: skip
        except DomainError as exc:  # the page again, the refusal on top
            error = exc
        else:
            messages.success(request, _("The payment is recorded."))
            return redirect("web:finance_payables_line", code=line.code)
    return render(request, "finance/payables/line.html", {
        "line": line, "accounts": selectors.payables_accounts(line),
        "payments": selectors.payments(line)[:100], "bills": selectors.bills(line)[:100],
        "mapping": services.saved_mapping(line),
        "may_manage": request.user.has_perm(P.PAYABLE_MANAGE),
        "currency": line.currency, "error": labels.domain_error(error) if error else None,
    }, status=error.status if error else 200)  # fmt: skip
