"""Reads of products and SKUs, taking the acting user (portal scoping will live here)."""

from __future__ import annotations

from django.db.models import Count, Prefetch, Q, QuerySet

from tradelane.accounts.permissions import require
from tradelane.accounts.roles import P
from tradelane.core.errors import NotFound

from .models import Product, Sku


def products_for(user, q: str | None = None, status: str | None = None) -> QuerySet[Product]:
    """Products matching ``q`` (code or name of the product or of one of its SKUs)."""
    require(user, P.PRODUCT_VIEW)
    qs = Product.objects.all()
    if status:
        qs = qs.filter(status=status)
    if q and q.strip():
        term = q.strip()
        matching = Sku.objects.filter(Q(code__icontains=term) | Q(name__icontains=term)).values(
            "product_id"
        )
        qs = qs.filter(
            Q(code__icontains=term)
            | Q(name__icontains=term)
            | Q(name_en__icontains=term)
            | Q(pk__in=matching)
        )
    return qs.annotate(sku_count=Count("skus")).order_by("code")


def products_with_skus(qs: QuerySet[Product]) -> QuerySet[Product]:
    """Attach the SKUs in one extra query (for lists and details that show them)."""
    return qs.prefetch_related(Prefetch("skus", queryset=Sku.objects.order_by("code")))


def product_detail(user, product_id: int) -> Product:
    require(user, P.PRODUCT_VIEW)
    product = products_with_skus(Product.objects.filter(pk=product_id)).first()
    if product is None:
        raise NotFound(f"Product {product_id} does not exist", code="product_not_found")
    return product


def skus_for(
    user,
    q: str | None = None,
    status: str | None = None,
    product_id: int | None = None,
    hs_code: str | None = None,
    origin_country: str | None = None,
    has_battery: bool | None = None,
) -> QuerySet[Sku]:
    require(user, P.PRODUCT_VIEW)
    qs = Sku.objects.select_related("product")
    if status:
        qs = qs.filter(status=status)
    if product_id:
        qs = qs.filter(product_id=product_id)
    if hs_code:
        qs = qs.filter(hs_code__startswith=hs_code.strip())
    if origin_country:
        qs = qs.filter(origin_country=origin_country.strip().upper())
    if has_battery is not None:
        qs = qs.filter(has_battery=has_battery)
    if q and q.strip():
        term = q.strip()
        qs = qs.filter(
            Q(code__icontains=term)
            | Q(name__icontains=term)
            | Q(variant__icontains=term)
            | Q(declared_name_en__icontains=term)
            | Q(declared_name_zh__icontains=term)
        )
    return qs.order_by("code")


def sku_detail(user, sku_id: int) -> Sku:
    require(user, P.PRODUCT_VIEW)
    sku = Sku.objects.select_related("product").filter(pk=sku_id).first()
    if sku is None:
        raise NotFound(f"SKU {sku_id} does not exist", code="sku_not_found")
    return sku
