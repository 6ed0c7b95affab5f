"""The stock page: balances by warehouse and SKU, with the low-stock list."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils.translation import gettext as _

from tradelane.accounts.roles import P
from tradelane.web import labels
from tradelane.web.views.guards import int_or_none, permission_required

from . import selectors as stock

BALANCES_PER_PAGE = 50
LOW_STOCK_SHOWN = 50


@permission_required(P.STOCK_VIEW)
def stock_page(request):
    user = request.user
    warehouse_id = int_or_none(request.GET.get("warehouse"))
    sku = (request.GET.get("sku") or "").strip()[:64]
    low_only = request.GET.get("low") == "1"
    qs = stock.balances_for(user, warehouse_id=warehouse_id, sku=sku or None, low_only=low_only)
    page = Paginator(qs, BALANCES_PER_PAGE).get_page(request.GET.get("page"))
    low = stock.low_stock_for(user)
    if warehouse_id:
        low = low.filter(warehouse_id=warehouse_id)
    low_rows = list(low[: LOW_STOCK_SHOWN + 1])
    for row in low_rows:
        row.short_by = row.safety_stock - row.available_qty
    context = {
        "title": _("Stock"),
        "warehouses": list(stock.warehouses_for(user)),
        "warehouse_id": warehouse_id,
        "sku": sku,
        "low_only": low_only,
        "page": page,
        "low_rows": low_rows[:LOW_STOCK_SHOWN],
        "low_more": len(low_rows) > LOW_STOCK_SHOWN,
        "kinds": labels.WAREHOUSE_KIND,
    }
    if request.htmx and request.htmx.target == "stock-list":
        return render(request, "inventory/stock.html#stock-list", context)
    return render(request, "inventory/stock.html", context)
