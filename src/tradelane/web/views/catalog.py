"""Products with their SKUs, and stock by warehouse with low-stock alerts."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils.translation import gettext as _

from tradelane.accounts.roles import P
from tradelane.catalog import selectors as catalog
from tradelane.inventory import selectors as stock

from .. import labels
from .common import int_or_none, permission_required

PRODUCTS_PER_PAGE = 25
BALANCES_PER_PAGE = 50
LOW_STOCK_SHOWN = 50


@permission_required(P.PRODUCT_VIEW)
def products(request):
    q = (request.GET.get("q") or "").strip()[:100]
    status = request.GET.get("status") or ""
    if status not in labels.PRODUCT_STATUS:
        status = ""
    qs = catalog.products_with_skus(catalog.products_for(request.user, q=q, status=status or None))
    page = Paginator(qs, PRODUCTS_PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "title": _("Products"),
        "q": q,
        "status": status,
        "statuses": labels.PRODUCT_STATUS,
        "page": page,
    }
    if request.htmx and request.htmx.target == "product-list":
        return render(request, "web/products.html#product-list", context)
    return render(request, "web/products.html", context)


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
        return render(request, "web/stock.html#stock-list", context)
    return render(request, "web/stock.html", context)
