"""The products page: products with their SKUs and customs attributes."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils.translation import gettext as _

from tradelane.accounts.roles import P
from tradelane.web import labels
from tradelane.web.views.guards import permission_required

from . import selectors as catalog

PRODUCTS_PER_PAGE = 25


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
        return render(request, "catalog/products.html#product-list", context)
    return render(request, "catalog/products.html", context)
