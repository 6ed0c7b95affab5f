"""Products and SKUs over HTTP: validate, call selectors and services, map to schemas."""

from __future__ import annotations

from ninja import Query, Router, Status

from tradelane.api.errors import responses
from tradelane.api.paging import page_of, paginate

from . import selectors, services
from .schemas import (
    ProductFilters,
    ProductIn,
    ProductOut,
    ProductPatch,
    SkuFilters,
    SkuIn,
    SkuOut,
    SkuPatch,
)

router = Router()


@router.get("/products", response=responses(200, page_of(ProductOut)), operation_id="products_list")
def list_products(request, filters: Query[ProductFilters]):
    qs = selectors.products_for(
        request.auth, q=filters.q, status=filters.status.value if filters.status else None
    )
    return paginate(selectors.products_with_skus(qs), filters)


@router.post("/products", response=responses(201, ProductOut), operation_id="products_create")
def create_product(request, payload: ProductIn):
    product = services.create_product(
        request.auth, skus=[s.to_fields() for s in payload.skus], **payload.to_fields()
    )
    return Status(201, selectors.product_detail(request.auth, product.pk))


@router.get(
    "/products/{id:product_id}", response=responses(200, ProductOut), operation_id="products_get"
)
def get_product(request, product_id: int):
    return selectors.product_detail(request.auth, product_id)


@router.patch(
    "/products/{id:product_id}", response=responses(200, ProductOut), operation_id="products_update"
)
def update_product(request, product_id: int, payload: ProductPatch):
    product = selectors.product_detail(request.auth, product_id)
    services.update_product(request.auth, product, **payload.to_fields())
    return selectors.product_detail(request.auth, product_id)


@router.post(
    "/products/{id:product_id}/skus", response=responses(201, SkuOut), operation_id="skus_create"
)
def create_sku(request, product_id: int, payload: SkuIn):
    product = selectors.product_detail(request.auth, product_id)
    sku = services.create_sku(request.auth, product, **payload.to_fields())
    return Status(201, selectors.sku_detail(request.auth, sku.pk))


@router.get("/skus", response=responses(200, page_of(SkuOut)), operation_id="skus_list")
def list_skus(request, filters: Query[SkuFilters]):
    qs = selectors.skus_for(
        request.auth,
        q=filters.q,
        status=filters.status.value if filters.status else None,
        product_id=filters.product_id,
        hs_code=filters.hs_code,
        origin_country=filters.origin_country,
        has_battery=filters.has_battery,
    )
    return paginate(qs, filters)


@router.get("/skus/{id:sku_id}", response=responses(200, SkuOut), operation_id="skus_get")
def get_sku(request, sku_id: int):
    return selectors.sku_detail(request.auth, sku_id)


@router.patch("/skus/{id:sku_id}", response=responses(200, SkuOut), operation_id="skus_update")
def update_sku(request, sku_id: int, payload: SkuPatch):
    sku = selectors.sku_detail(request.auth, sku_id)
    services.update_sku(request.auth, sku, **payload.to_fields())
    return selectors.sku_detail(request.auth, sku_id)
