"""Stores, SKU mappings and orders over HTTP: validate, call selectors and services, map."""

from __future__ import annotations

import os
from collections import defaultdict

from django.db.models import Q
from ninja import File, Form, Query, Router, Status, UploadedFile

from tradelane.api.errors import responses
from tradelane.api.paging import page_of, paginate
from tradelane.catalog.models import Sku
from tradelane.core.errors import NotFound, ValidationFailed
from tradelane.logistics.shipping import repacking

from . import importing, selectors, services
from .models import Order, Package, Store, StoreSkuMapping
from .schemas import (
    AllocateResultOut,
    CancelIn,
    IdsIn,
    ImportIn,
    ImportReportOut,
    MappingFilters,
    MappingIn,
    MappingOut,
    OrderDetailOut,
    OrderEditIn,
    OrderFilters,
    OrderIn,
    OrderOut,
    PackageOut,
    ReviewResultOut,
    SplitIn,
    StoreFilters,
    StoreIn,
    StoreOut,
    StorePatch,
    TransitionIn,
    VoidAndSplitIn,
)
from .states import OrderStatus as S

router = Router()

MAX_IMPORT_FILE = 20 * 1024 * 1024


# --- helpers --------------------------------------------------------------------------------


def _store(user, store_id: int) -> Store:
    store = selectors.stores_for(user).filter(pk=store_id).first()
    if store is None:
        raise NotFound(f"Store {store_id} does not exist", code="store_not_found")
    return store


def _packages_out(packages) -> list[dict]:
    return [
        {
            "id": p.pk,
            "name": str(p),
            "kind": p.kind,
            "status": p.status,
            "warehouse_id": p.warehouse_id,
            "warehouse_code": p.warehouse.code,
            "created_at": p.created_at,
            "lines": [
                {
                    "order_id": pl.order_line.order_id,
                    "order_line_id": pl.order_line_id,
                    "quantity": pl.quantity,
                }
                for pl in p.lines.all()
            ],
        }
        for p in packages
    ]


def _packages_by_id(ids: list[int]) -> list[dict]:
    packages = (
        Package.objects.filter(pk__in=ids)
        .select_related("warehouse")
        .prefetch_related("lines__order_line")
        .order_by("id")
    )
    return _packages_out(packages)


def _detail(user, order_id: int) -> dict:
    """The order with its lines, rule verdicts, history, reservations and packages."""
    order = selectors.order_detail(user, order_id)
    lines = sorted(order.lines.all(), key=lambda line: line.line_no)
    reservations = selectors.order_reservations(user, order)
    return {
        **{f: getattr(order, f) for f in OrderOut.model_fields if hasattr(order, f)},
        "store_code": order.store.code,
        "warehouse_code": order.warehouse.code if order.warehouse_id else None,
        "buyer": {
            "name": order.buyer_name,
            "email": order.buyer_email,
            "phone": order.buyer_phone,
        },
        "shipping_address": {
            "name": order.ship_name,
            "company": order.ship_company,
            "address1": order.ship_address1,
            "address2": order.ship_address2,
            "city": order.ship_city,
            "state": order.ship_state,
            "postcode": order.ship_postcode,
            "country": order.ship_country,
            "phone": order.ship_phone,
        },
        "totals": {
            "items": order.items_total,
            "shipping": order.shipping_total,
            "tax": order.tax_total,
            "discount": order.discount_total,
            "grand": order.grand_total,
        },
        "note": order.note,
        "lines": [
            {
                "id": line.pk,
                "line_no": line.line_no,
                "store_sku": line.store_sku,
                "store_quantity": line.store_quantity,
                "title": line.title,
                "sku_id": line.sku_id,
                "sku_code": line.sku.code if line.sku_id else None,
                "quantity": line.quantity,
                "unit_price": line.unit_price,
            }
            for line in lines
        ],
        "review": order.review or [],
        "reviewed_at": order.reviewed_at,
        "shortage": order.shortage or [],
        "history": [
            {
                "field": e.field,
                "from_state": e.from_state,
                "to_state": e.to_state,
                "actor": e.actor.username if e.actor_id else None,
                "reason": e.reason,
                "created_at": e.created_at,
            }
            for e in selectors.order_history(user, order)
        ],
        "reservations": [
            {"sku_id": sku_id, "warehouse_id": wh_id, "quantity": qty}
            for (sku_id, wh_id), qty in sorted(reservations.items())
        ],
        "packages": _packages_out(selectors.order_packages(user, order).order_by("id")),
    }


def _order(user, order_id: int) -> Order:
    return selectors.order_detail(user, order_id)


def _sku_for(component, index: int) -> Sku:
    if component.sku_id is not None:
        sku = Sku.objects.filter(pk=component.sku_id).first()
    else:
        sku = Sku.objects.filter(code=component.sku.strip()).first()
    if sku is None:
        raise ValidationFailed(
            "No such SKU",
            code="unknown_sku",
            details={"field": f"components.{index}", "sku_id": component.sku_id,
                     "sku": component.sku},
        )  # fmt: skip
    return sku


def _mappings(store: Store, store_skus: list[str]) -> list[dict]:
    grouped: dict[str, list[dict]] = defaultdict(list)
    for m in (
        StoreSkuMapping.objects.filter(store=store, store_sku__in=store_skus)
        .select_related("sku")
        .order_by("store_sku", "sku__code")
    ):
        grouped[m.store_sku].append(
            {"sku_id": m.sku_id, "sku_code": m.sku.code, "quantity": m.quantity}
        )
    return [{"store_sku": s, "components": grouped[s]} for s in store_skus if s in grouped]


# --- stores ---------------------------------------------------------------------------------


@router.get("/stores", response=responses(200, page_of(StoreOut)), operation_id="stores_list")
def list_stores(request, filters: Query[StoreFilters]):
    qs = selectors.stores_for(request.auth)
    if filters.q:
        term = filters.q.strip()
        qs = qs.filter(Q(code__icontains=term) | Q(name__icontains=term))
    if filters.platform:
        qs = qs.filter(platform=filters.platform.value)
    return paginate(qs.order_by("name", "id"), filters)


@router.post("/stores", response=responses(201, StoreOut), operation_id="stores_create")
def create_store(request, payload: StoreIn):
    return Status(201, services.create_store(request.auth, **payload.to_fields()))


@router.get("/stores/{id:store_id}", response=responses(200, StoreOut), operation_id="stores_get")
def get_store(request, store_id: int):
    return _store(request.auth, store_id)


@router.patch(
    "/stores/{id:store_id}", response=responses(200, StoreOut), operation_id="stores_update"
)
def update_store(request, store_id: int, payload: StorePatch):
    store = _store(request.auth, store_id)
    return services.update_store(request.auth, store, **payload.to_fields())


@router.get(
    "/stores/{id:store_id}/sku-mappings",
    response=responses(200, page_of(MappingOut)),
    operation_id="store_sku_mappings_list",
)
def list_mappings(request, store_id: int, filters: Query[MappingFilters]):
    store = _store(request.auth, store_id)
    qs = StoreSkuMapping.objects.filter(store=store)
    if filters.q:
        qs = qs.filter(store_sku__icontains=filters.q.strip())
    keys = qs.values_list("store_sku", flat=True).distinct().order_by("store_sku")
    return paginate(keys, filters, transform=lambda page: _mappings(store, page))


@router.post(
    "/stores/{id:store_id}/sku-mappings",
    response=responses(200, MappingOut),
    operation_id="store_sku_mappings_set",
)
def map_store_sku(request, store_id: int, payload: MappingIn):
    """Map a store SKU to one of ours, or to a bundle; replaces its earlier mapping."""
    store = _store(request.auth, store_id)
    components = [(_sku_for(c, i), c.quantity) for i, c in enumerate(payload.components)]
    services.map_store_sku(request.auth, store, payload.store_sku, components)
    return _mappings(store, [payload.store_sku.strip()])[0]


# --- orders: reads --------------------------------------------------------------------------


@router.get("/orders", response=responses(200, page_of(OrderOut)), operation_id="orders_list")
def list_orders(request, filters: Query[OrderFilters]):
    qs = selectors.orders_for(
        request.auth,
        status=filters.status.value if filters.status else None,
        store_id=filters.store_id,
        country=filters.country,
        q=filters.q,
        placed_from=filters.placed_from,
        placed_to=filters.placed_to,
    )
    return paginate(qs, filters)


@router.get(
    "/orders/status-counts",
    response=responses(200, dict[str, int]),
    operation_id="orders_status_counts",
)
def status_counts(request):
    return selectors.status_counts(request.auth)


@router.get(
    "/orders/{id:order_id}", response=responses(200, OrderDetailOut), operation_id="orders_get"
)
def get_order(request, order_id: int):
    return _detail(request.auth, order_id)


# --- orders: create and import ----------------------------------------------------------------


@router.post(
    "/orders",
    response={**responses(201, OrderDetailOut), 200: OrderDetailOut},
    operation_id="orders_create",
)
def create_order(request, payload: OrderIn):
    """Create one order (201); the same order again answers 200 (updated or unchanged).

    The order takes the import's path (source "api"): SKU mapping, bundles, review. A refused
    order is a 422 ``order_rejected`` whose details list each problem.
    """
    report = importing.import_orders(request.auth, [payload.to_row()], source="api")
    row = report.rows[0] if report.rows else {}
    if report.rejected:
        raise ValidationFailed(
            "The order was refused", code="order_rejected", details=row.get("errors") or []
        )
    order_id = (
        Order.objects.filter(store__code=payload.store, external_id=payload.external_id)
        .values_list("pk", flat=True)
        .first()
    )
    if order_id is None:  # pragma: no cover - the importer said it wrote it
        raise NotFound("The order was not found after import", code="order_not_found")
    return Status(201 if report.created else 200, _detail(request.auth, order_id))


@router.post(
    "/orders/import", response=responses(200, ImportReportOut), operation_id="orders_import"
)
def import_orders(request, payload: ImportIn):
    """Import many orders in the normalized form; every row is reported on its own.

    A refused row writes nothing and the others still land; importing the same rows again
    changes nothing (they come back ``unchanged``). Give amounts as decimal strings.
    """
    return importing.import_orders(request.auth, payload.orders, source="import").as_dict()


@router.post(
    "/orders/import/file",
    response=responses(200, ImportReportOut),
    description=(
        "Import a file of orders: `json` (an array of orders in the normalized form), `jsonl` "
        "(one order per line) or `csv` (one row per order line; consecutive rows with the same "
        "store and external_id form one order). `fmt` defaults to the file's extension. CSV "
        f"columns: {', '.join(importing.CSV_COLUMNS)}. A file past the import limits (rows, "
        "or orders in JSON; a cell's length) is refused whole with 413 "
        "`file_too_many_rows` or `file_cell_too_long` (the limit in `details`); nothing is written."
    ),
    operation_id="orders_import_file",
)
def import_orders_file(request, file: File[UploadedFile], fmt: Form[str | None] = None):
    """Import a CSV, JSON or JSON Lines file of orders, with a per-row report."""
    fmt = (fmt or os.path.splitext(file.name or "")[1]).lower().lstrip(".")
    if file.size and file.size > MAX_IMPORT_FILE:
        raise ValidationFailed(
            f"The file is larger than {MAX_IMPORT_FILE // (1024 * 1024)} MB; "
            "import it in parts or with `tradelane manage`",
            code="file_too_large",
        )
    return importing.import_file(request.auth, file, fmt).as_dict()


# --- orders: actions --------------------------------------------------------------------------


@router.post(
    "/orders/{id:order_id}/transition",
    response=responses(200, OrderDetailOut),
    operation_id="orders_transition",
)
def transition(request, order_id: int, payload: TransitionIn):
    """Move an order by hand. ``shipped`` ships its reserved stock; allocation has its own
    endpoint (``POST /orders/allocate``)."""
    order = _order(request.auth, order_id)
    if payload.to == S.SHIPPED:
        services.mark_shipped(request.auth, order, payload.reason)
    else:
        services.change_status(request.auth, order, payload.to.value, payload.reason)
    return _detail(request.auth, order_id)


@router.post(
    "/orders/{id:order_id}/cancel",
    response=responses(200, OrderDetailOut),
    operation_id="orders_cancel",
)
def cancel(request, order_id: int, payload: CancelIn):
    order = _order(request.auth, order_id)
    services.cancel_order(request.auth, order, payload.reason)
    return _detail(request.auth, order_id)


@router.post(
    "/orders/review", response=responses(200, ReviewResultOut), operation_id="orders_review"
)
def review(request, payload: IdsIn):
    """(Re-)run the review rules on these orders."""
    return services.review_orders(request.auth, payload.ids)


@router.post(
    "/orders/allocate", response=responses(200, AllocateResultOut), operation_id="orders_allocate"
)
def allocate(request, payload: IdsIn):
    """Reserve stock for approved (or pending purchase) orders in one warehouse each."""
    return services.allocate_orders(request.auth, payload.ids)


@router.post("/orders/merge", response=responses(201, PackageOut), operation_id="orders_merge")
def merge(request, payload: IdsIn):
    """Ship several orders of one buyer to one address as one parcel."""
    package = services.merge_orders(request.auth, payload.ids)
    return Status(201, _packages_by_id([package.pk])[0])


@router.post(
    "/orders/{id:order_id}/split",
    response=responses(201, list[PackageOut]),
    operation_id="orders_split",
)
def split(request, order_id: int, payload: SplitIn):
    """Split an order's lines across warehouses or parcels."""
    order = _order(request.auth, order_id)
    parts = [part.model_dump() for part in payload.parts]
    packages = services.split_order(request.auth, order, parts)
    return Status(201, _packages_by_id([p.pk for p in packages]))


@router.post(
    "/orders/{id:order_id}/void-and-split",
    response=responses(201, list[PackageOut]),
    operation_id="orders_void_and_split",
)
def void_and_split(request, order_id: int, payload: VoidAndSplitIn):
    """Cancel the live shipments carrying the order (a carrier's label is voided through the
    outbox), then split it; one transaction. A plain split of such an order is refused
    (409 ``shipment_live``)."""
    order = _order(request.auth, order_id)
    parts = [part.model_dump() for part in payload.parts]
    _voided, packages = repacking.void_and_split(
        request.auth, order, parts, shipment_ids=payload.shipment_ids, reason=payload.reason
    )
    return Status(201, _packages_by_id([p.pk for p in packages]))


@router.patch(
    "/orders/{id:order_id}", response=responses(200, OrderDetailOut), operation_id="orders_edit"
)
def edit(request, order_id: int, payload: OrderEditIn):
    """Fix an order before it leaves: buyer, address, phones, note, lines. The review runs
    again; an allocated order gives its stock back and is allocated again when it passes.
    Refused (nothing changed) for a phone or an address that cannot work, an order that has
    left or that a live shipment carries."""
    from .editing import EDITABLE_FIELDS, edit_order

    order = _order(request.auth, order_id)
    data = payload.model_dump(exclude_unset=True)
    fields = {k: v for k, v in data.items() if k in EDITABLE_FIELDS and v is not None}
    lines = data.get("lines")
    edit_order(request.auth, order, fields=fields, lines=lines, reason=payload.reason)
    return _detail(request.auth, order_id)
