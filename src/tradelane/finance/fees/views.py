"""The fees page of a waybill for the provider's staff (/finance/waybills/<number>/fees/): its
receivable and payable lines, oldest first, the nets and the margin, and a manual line with its
reason for finance. Thin: reads through ``selectors``, writes through ``services``."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from tradelane.accounts.roles import P
from tradelane.core.errors import DomainError
from tradelane.forwarding.waybills import selectors as waybill_selectors
from tradelane.web.views.guards import permission_required, render_error

from . import rerating, selectors, services
from .models import FeeItem, FeeSide

ALERT = "web/_alert.html"


def _name(item: FeeItem, zh: bool) -> str:
    return item.name_zh if zh else item.name_en


@permission_required(P.FEE_VIEW)
def waybill_fees(request, number: str):
    w = waybill_selectors.waybill(request.user, number)
    may_adjust = request.user.has_perm(P.FEE_ADJUST)
    if request.method == "POST":
        if not may_adjust:
            raise PermissionDenied(P.FEE_ADJUST)
        try:
            services.add_manual_line(
                request.user, w, side=request.POST.get("side", ""),
                item=request.POST.get("item", ""), amount=request.POST.get("amount", ""),
                currency=request.POST.get("currency", "").strip().upper(),
                reason=request.POST.get("reason", ""),
            )  # fmt: skip
        except DomainError as exc:
            return render_error(request, exc, ALERT)
        messages.success(request, _("Fee line added."))
        return redirect("web:finance_waybill_fees", number=w.number)
    zh = (get_language() or "").lower().startswith("zh")
    lines = selectors.fee_lines(w)
    items = list(FeeItem.objects.all())
    return render(request, "finance/fees/waybill_fees.html", {
        "w": w,
        "lines": [{"line": x, "item_name": _name(x.fee_item, zh)} for x in lines],
        "summary": selectors.summary_of_lines(lines),
        "may_adjust": may_adjust,
        "items": [(i.code, _name(i, zh)) for i in items],
        "sides": FeeSide.values,
        "currency": w.sale_currency or w.cost_currency or "CNY",
    })  # fmt: skip


def _selection_params(data) -> dict:
    return {k: (data.get(k) or "").strip() for k in
            ("on_date", "date_from", "date_to", "channel_id", "customer_id")}  # fmt: skip


@permission_required(P.FEE_ADJUST)
def rerate(request):
    """Bulk re-rating (/finance/rerate/): choose the channel and/or customer, the period and the
    date of the rates; preview the differences (GET, nothing written); confirm (POST) starts
    the job, whose page polls its progress and shows the result."""
    from tradelane.forwarding.partners.models import CustomerAccount
    from tradelane.logistics.models import Channel

    if request.method == "POST":
        try:
            job = rerating.start(
                request.user, rerating.Selection.of(_selection_params(request.POST))
            )
        except DomainError as exc:
            return render_error(request, exc, ALERT)
        return redirect("web:job", pk=job.pk)
    params = _selection_params(request.GET)
    preview, error = None, None
    if request.GET.get("preview"):
        try:
            preview = rerating.preview(request.user, rerating.Selection.of(params))
        except DomainError as exc:
            return render_error(request, exc, ALERT)
    return render(request, "finance/fees/rerate.html", {
        "params": params, "preview": preview, "error": error,
        "channels": list(Channel.objects.order_by("code").values_list("pk", "code")),
        "customers": list(CustomerAccount.objects.order_by("code").values_list("pk", "code")),
    })  # fmt: skip
