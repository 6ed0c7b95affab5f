"""The statements pages for the provider's finance (/finance/statements/...): the list with
"generate the due statements", one statement (lines, totals by fee item, disputes, receipts
allocated) with "issue", its PDF and Excel, the dispute cases with their outcome, and the
receipts with a new one. Thin: reads through ``selectors``, writes through ``services``."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from tradelane.accounts.roles import P
from tradelane.core.errors import DomainError, NotFound
from tradelane.forwarding.partners import scoping
from tradelane.web import labels
from tradelane.web.views.guards import permission_required

from .. import documents, selectors, services
from ..models import DisputeStatus, ReceiptMethod, StatementStatus

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def download(s, fmt: str) -> HttpResponse:
    """The statement as PDF or Excel (the portal's download too)."""
    lines = selectors.lines_of(s)
    totals = selectors.totals_by_item(s, lines)
    if fmt == "pdf":
        response = HttpResponse(documents.render_pdf(s, lines, totals),
                                content_type="application/pdf")  # fmt: skip
    else:
        response = HttpResponse(documents.render_xlsx(s, lines, totals), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{s.number}.{fmt}"'
    return response


def _refused(request, exc: DomainError) -> None:
    messages.error(request, labels.domain_error(exc)["message"])


def _must(request, perm: str) -> None:
    if not request.user.has_perm(perm):
        raise PermissionDenied(perm)


@permission_required(P.STATEMENT_VIEW)
def statement_list(request):
    if request.method == "POST":
        _must(request, P.STATEMENT_MANAGE)
        try:
            made = services.generate_statements(request.user)
        except DomainError as exc:
            _refused(request, exc)
        else:
            messages.success(request, ngettext("%(n)d statement drafted.",
                                               "%(n)d statements drafted.", len(made))
                             % {"n": len(made)})  # fmt: skip
        return redirect("web:finance_statements")
    status = request.GET.get("status", "")
    qs = selectors.statements(request.user)
    if status in StatementStatus.values:
        qs = qs.filter(status=status)
    return render(request, "finance/statements/list.html", {
        "statements": qs[:200], "status": status, "statuses": StatementStatus.values,
        "may_manage": request.user.has_perm(P.STATEMENT_MANAGE),
    })  # fmt: skip


@permission_required(P.STATEMENT_VIEW)
def statement_detail(request, number: str):
    s = selectors.statement(request.user, number)
    if request.method == "POST":
        _must(request, P.STATEMENT_MANAGE)
        try:
            services.issue_statement(request.user, s)
        except DomainError as exc:
            _refused(request, exc)
        else:
            messages.success(request, _("Statement issued."))
        return redirect("web:finance_statement", number=s.number)
    lines = selectors.lines_of(s)
    return render(request, "finance/statements/detail.html", {
        "s": s, "lines": lines, "totals": selectors.totals_by_item(s, lines),
        "disputes": selectors.disputes_of(s),
        "allocations": s.allocations.select_related("receipt").order_by("id"),
        "may_manage": request.user.has_perm(P.STATEMENT_MANAGE),
    })  # fmt: skip


@permission_required(P.STATEMENT_VIEW)
def statement_download(request, number: str, fmt: str):
    return download(selectors.statement(request.user, number), fmt)


@permission_required(P.STATEMENT_VIEW)
def dispute_list(request):
    return render(request, "finance/statements/disputes.html", {
        "disputes": selectors.open_disputes(request.user)[:200],
        "may_manage": request.user.has_perm(P.STATEMENT_MANAGE), "open": DisputeStatus.OPEN,
    })  # fmt: skip


@permission_required(P.STATEMENT_MANAGE)
def dispute_resolve(request, pk: int):
    if request.method != "POST":
        return redirect("web:finance_disputes")
    case = selectors.open_disputes(request.user).filter(pk=pk).first()
    if case is None:
        raise NotFound(f"No dispute {pk}")
    try:
        services.resolve_dispute(request.user, case, outcome=request.POST.get("outcome", ""),
                                 amount=request.POST.get("amount") or None,
                                 note=request.POST.get("note", ""))  # fmt: skip
    except DomainError as exc:
        _refused(request, exc)
    else:
        messages.success(request, _("Dispute resolved."))
    return redirect("web:finance_disputes")


@permission_required(P.STATEMENT_VIEW)
def receipt_list(request):
    if request.method == "POST":
        _must(request, P.RECEIPT_POST)
        try:
            customer = scoping.customer(request.user, request.POST.get("customer", "").strip())
            number = request.POST.get("statement", "").strip()
            allocations = [(number, request.POST.get("allocate") or request.POST.get("amount"))]
            services.record_receipt(
                request.user, customer, amount=request.POST.get("amount", ""),
                currency=request.POST.get("currency", "").strip().upper() or customer.currency,
                method=request.POST.get("method", ""), reference=request.POST.get("reference", ""),
                allocations=allocations if number else None,
                idempotency_key=request.POST.get("key", ""),
            )  # fmt: skip
        except DomainError as exc:
            _refused(request, exc)
        else:
            messages.success(request, _("Receipt recorded."))
        return redirect("web:finance_receipts")
    return render(request, "finance/statements/receipts.html", {
        "receipts": selectors.receipts(request.user)[:200], "methods": ReceiptMethod.values,
        "may_post": request.user.has_perm(P.RECEIPT_POST),
        "customers": scoping.customers(request.user).order_by("code")[:500],
    })  # fmt: skip
