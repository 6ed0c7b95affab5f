"""Every write to stores, mappings and orders (besides import, review and allocation).

Review lives in review.py and allocation in allocation.py, re-exported here so callers have
one place to look; the bulk import is the package importing/ (``importing.import_file``...).
"""

from __future__ import annotations

from collections import defaultdict

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from tradelane.accounts.permissions import require
from tradelane.accounts.roles import P
from tradelane.catalog.models import Sku
from tradelane.core import audit
from tradelane.core.countries import check_country
from tradelane.core.errors import Conflict, NotFound, ValidationFailed
from tradelane.core.models import StateEvent
from tradelane.core.money import check_currency
from tradelane.core.states import bulk_transition, check_allowed, entity_label, transition
from tradelane.inventory import services as inventory
from tradelane.inventory.models import Warehouse
from tradelane.inventory.selectors import available_map

from . import automation
from .allocation import SOURCE, allocate_orders, candidate_warehouses, plan_allocation
from .models import Order, OrderLine, Package, PackageLine, Store, StoreSkuMapping
from .review import review_orders
from .states import PLATFORM_FULFILLED_TRANSITIONS, RESERVED_STATES, TRANSITIONS
from .states import OrderStatus as S

__all__ = [
    "allocate_orders", "review_orders", "create_store", "update_store", "map_store_sku",
    "change_status", "cancel_order", "mark_shipped", "merge_orders", "split_order",
    "record_platform_fulfilled", "set_warehouse_priority", "set_automation",
]  # fmt: skip


# --- stores and SKU mappings ----------------------------------------------------------------

ORDER_PRIORITY_MAX = 32767  # Store.order_priority, a small integer column
STORE_FIELDS = {"code", "name", "platform", "currency", "country", "is_active",
                "auto_allocate", "auto_ship", "order_priority"}  # fmt: skip


def _clean_store_fields(fields: dict) -> dict:
    unknown = set(fields) - STORE_FIELDS
    if unknown:
        raise ValidationFailed(f"Unknown fields: {sorted(unknown)}", code="unknown_field")
    if "currency" in fields:
        fields["currency"] = check_currency(fields["currency"])
    if "country" in fields:
        fields["country"] = check_country(fields["country"])
    if "platform" in fields and fields["platform"] not in Store.Platform.values:
        raise ValidationFailed(f"Unknown platform {fields['platform']!r}", code="invalid_platform")
    _check_automation(fields)
    return fields


def _check_automation(fields: dict) -> None:
    for name in ("auto_allocate", "auto_ship"):
        if name in fields and not isinstance(fields[name], bool):
            raise ValidationFailed(
                f"{name} is true or false", code="invalid_switch", details={"field": name}
            )
    priority = fields.get("order_priority", 0)
    if (
        not isinstance(priority, int)
        or isinstance(priority, bool)
        or not 0 <= priority <= ORDER_PRIORITY_MAX
    ):
        raise ValidationFailed(
            f"The order priority is a whole number from 0 to {ORDER_PRIORITY_MAX}",
            code="invalid_order_priority",
            details={"field": "order_priority", "max": ORDER_PRIORITY_MAX},
        )


def create_store(actor, **fields) -> Store:
    require(actor, P.STORE_MANAGE)
    fields = _clean_store_fields(fields)
    for name in ("code", "name", "platform", "currency", "country"):
        if not fields.get(name):
            raise ValidationFailed(f"{name} is required", code="required", details={"field": name})
    if Store.objects.filter(code=fields["code"]).exists():
        raise Conflict(f"Store {fields['code']!r} exists", code="duplicate_code")
    with transaction.atomic():
        store = Store.objects.create(**fields)
        audit.record(actor, "orders.store.create", store, fields)
    return store


def update_store(actor, store: Store, **fields) -> Store:
    require(actor, P.STORE_MANAGE)
    fields = _clean_store_fields(fields)
    fields.pop("code", None)
    with transaction.atomic():
        changes = audit.diff(store, fields)
        Store.objects.filter(pk=store.pk).update(**fields)
        for k, v in fields.items():
            setattr(store, k, v)
        audit.record(actor, "orders.store.update", store, changes)
    return store


def clean_warehouse_priority(codes) -> list[str]:
    """Warehouse codes, best first: each an existing warehouse that ships orders (not a platform
    warehouse), no repeats. ``ValidationFailed`` otherwise."""
    if not isinstance(codes, (list, tuple)) or not all(isinstance(c, str) for c in codes):
        raise ValidationFailed(
            "The warehouse priority is a list of warehouse codes",
            code="invalid_warehouse_priority",
            details={"field": "warehouse_priority"},
        )
    codes = [c.strip() for c in codes]
    repeated = sorted({c for c in codes if codes.count(c) > 1})
    if repeated:
        raise ValidationFailed(
            f"Warehouses listed twice: {', '.join(repeated)}",
            code="invalid_warehouse_priority",
            details={"field": "warehouse_priority", "repeated": repeated},
        )
    known = set(
        Warehouse.objects.filter(code__in=codes)
        .exclude(kind=Warehouse.Kind.PLATFORM)
        .values_list("code", flat=True)
    )
    unknown = [c for c in codes if c not in known]
    if unknown:
        raise ValidationFailed(
            f"No warehouse that ships orders with the code(s) {', '.join(map(repr, unknown))}",
            code="invalid_warehouse_priority",
            details={"field": "warehouse_priority", "unknown": unknown},
        )
    return codes


def set_warehouse_priority(actor, store: Store, codes) -> Store:
    """Set the warehouses the store's orders are allocated from first (codes, best first)."""
    require(actor, P.STORE_MANAGE)
    codes = clean_warehouse_priority(codes)
    with transaction.atomic():
        old = (
            Store.objects.select_for_update()
            .values_list("warehouse_priority", flat=True)
            .get(pk=store.pk)
        )
        store.warehouse_priority = codes
        if old != codes:
            Store.objects.filter(pk=store.pk).update(warehouse_priority=codes)
            changes = {"warehouse_priority": [old, codes]}
            audit.record(actor, "orders.store.warehouse_priority", store, changes)
    return store


def set_automation(
    actor, store: Store, *, auto_allocate: bool, auto_ship: bool, order_priority: int
) -> Store:
    """The store's automation switches (``orders.automation``) and its order priority."""
    require(actor, P.STORE_MANAGE)
    fields = {"auto_allocate": auto_allocate, "auto_ship": auto_ship,
              "order_priority": order_priority}  # fmt: skip
    _check_automation(fields)
    with transaction.atomic():
        current = Store.objects.select_for_update().filter(pk=store.pk).values(*fields).get()
        changes = {k: [current[k], v] for k, v in fields.items() if current[k] != v}
        for k, v in fields.items():
            setattr(store, k, v)
        if changes:
            Store.objects.filter(pk=store.pk).update(**fields)
            audit.record(actor, "orders.store.automation", store, changes)
    return store


def map_store_sku(
    actor, store: Store, store_sku: str, components: list[tuple[Sku, int]]
) -> list[StoreSkuMapping]:
    """Map a store SKU to one of ours, or to a bundle of several; replaces the old mapping."""
    require(actor, P.STORE_SKU_MAP)
    store_sku = (store_sku or "").strip()
    if not store_sku:
        raise ValidationFailed("The store SKU is required", code="required")
    if not components:
        raise ValidationFailed("Map to at least one SKU", code="no_components")
    merged: dict[int, int] = defaultdict(int)
    skus = {}
    for sku, qty in components:
        if not isinstance(qty, int) or isinstance(qty, bool) or qty < 1:
            raise ValidationFailed(
                "Component quantities are whole numbers from 1", code="invalid_quantity"
            )
        merged[sku.pk] += qty
        skus[sku.pk] = sku
    with transaction.atomic():
        StoreSkuMapping.objects.filter(store=store, store_sku=store_sku).delete()
        rows = StoreSkuMapping.objects.bulk_create(
            [
                StoreSkuMapping(store=store, store_sku=store_sku, sku_id=sku_id, quantity=qty)
                for sku_id, qty in merged.items()
            ]
        )
        audit.record(
            actor,
            "orders.store_sku.map",
            store,
            {"store_sku": store_sku, "components": {skus[k].code: v for k, v in merged.items()}},
        )
    return rows


def map_store_skus(actor, store: Store, pairs: dict[str, int]) -> int:
    """Map many store SKUs at once, each to one of our SKUs ({store_sku: sku id}, quantity 1),
    replacing their old mappings; set-based (a few queries per 500 SKUs)."""
    require(actor, P.STORE_SKU_MAP)
    pairs = {str(k).strip(): int(v) for k, v in pairs.items() if str(k).strip()}
    if not pairs:
        return 0
    keys = list(pairs)
    with transaction.atomic():
        for start in range(0, len(keys), 500):
            chunk = keys[start : start + 500]
            StoreSkuMapping.objects.filter(store=store, store_sku__in=chunk).delete()
            StoreSkuMapping.objects.bulk_create(
                [
                    StoreSkuMapping(store=store, store_sku=k, sku_id=pairs[k], quantity=1)
                    for k in chunk
                ]  # fmt: skip
            )
        audit.record(actor, "orders.store_sku.map_many", store, {"count": len(pairs)})
    return len(pairs)


# --- status changes -------------------------------------------------------------------------

# Which permission a manual move needs, by target state. Allocation and shipping have their
# own services (they move stock), so they are not reachable through change_status.
_PERMISSION_FOR = {
    S.APPROVED: P.ORDER_REVIEW,
    S.PENDING_CONTACT: P.ORDER_REVIEW,
    S.INVALID: P.ORDER_REVIEW,
    S.PENDING_REVIEW: P.ORDER_REVIEW,
    S.CANCELLED: P.ORDER_CANCEL,
    S.DELIVERED: P.ORDER_ALLOCATE,
}
_NEEDS_REASON = {S.INVALID, S.CANCELLED, S.PENDING_CONTACT}


def refuse_live_shipments(order_ids, action: str) -> None:
    """``Conflict`` (code ``shipment_live``) when a live shipment (draft, labelled or shipped;
    not cancelled) carries any of these orders: splitting, merging or re-allocating them would
    leave its label valid for a parcel that no longer exists. Cancel the shipment first (a
    carrier's label is voided through the outbox), or split with ``void_and_split``.

    The shipments are logistics' (``logistics.shipping.selectors``), read here lazily: orders
    sits below logistics, which calls into this module."""
    from tradelane.logistics.shipping.selectors import live_shipments

    live = live_shipments(order_ids)
    if live:
        numbers = ", ".join(s.number for s in live)
        raise Conflict(
            f"Shipment {numbers} still carries these orders: cancel it (its label is voided) "
            f"before you {action}",
            code="shipment_live",
            details={
                "shipments": numbers,
                "shipment_ids": [s.id for s in live],
                "tracking_numbers": [s.tracking_number for s in live if s.tracking_number],
                "order_ids": sorted({i for s in live for i in s.order_ids}),
                "action": action,
            },
        )


def _cancel_open_packages(order: Order) -> None:
    Package.objects.filter(status=Package.Status.OPEN, lines__order_line__order=order).update(
        status=Package.Status.CANCELLED
    )


def change_status(
    actor, order: Order, to_status: str, reason: str = "", *, carrier_report: bool = False
) -> Order:
    """Move an order by hand (approve, pending contact, invalid, cancel, reopen, delivered).

    Leaving pending shipment for approved, invalid or cancelled releases its reservation.
    ``carrier_report``: the carrier's tracking says so (``logistics.tracking``); no user
    permission applies and ``actor`` may be None (the poller or a webhook).
    """
    if to_status not in S.values:
        raise ValidationFailed(f"Unknown status {to_status!r}", code="unknown_status")
    perm = _PERMISSION_FOR.get(to_status)
    if perm is None:
        raise ValidationFailed(
            f"{to_status!r} is reached through its own action (allocate or ship)",
            code="use_dedicated_action",
        )
    if order.status == S.PENDING_SHIPMENT and to_status == S.APPROVED:
        perm = P.ORDER_ALLOCATE  # de-allocation
    if not (carrier_report and to_status == S.DELIVERED):
        require(actor, perm)
    if to_status in _NEEDS_REASON and not reason.strip():
        raise ValidationFailed("Give a reason", code="reason_required")
    check_allowed(TRANSITIONS, order.status, to_status)
    with transaction.atomic():
        was_reserved = order.status in RESERVED_STATES
        approving = to_status == S.APPROVED and order.status in (
            S.PENDING_REVIEW,
            S.PENDING_CONTACT,
        )
        if was_reserved:
            refuse_live_shipments([order.pk], "release its stock")
        extra = {}
        if was_reserved:
            extra["warehouse"] = None
        transition(order, to_status, table=TRANSITIONS, actor=actor, reason=reason, extra=extra)
        if was_reserved:
            inventory.release(actor, SOURCE, [str(order.pk)], note=f"order {to_status}")
            _cancel_open_packages(order)
        if approving:  # approved by hand after a check: the review has passed
            automation.after_review([order.pk])
    return order


def cancel_order(actor, order: Order, reason: str) -> Order:
    return change_status(actor, order, S.CANCELLED, reason)


def mark_shipped(actor, order: Order, reason: str = "") -> Order:
    """The parcel left: the reserved stock leaves the warehouse (shipment in the ledger)."""
    require(actor, P.ORDER_ALLOCATE)
    with transaction.atomic():
        transition(order, S.SHIPPED, table=TRANSITIONS, actor=actor, reason=reason or "shipped")
        inventory.ship(actor, SOURCE, [str(order.pk)], note="order shipped")
        Package.objects.filter(status=Package.Status.OPEN, lines__order_line__order=order).update(
            status=Package.Status.SHIPPED
        )
    return order


def ship_packages(
    actor, order: Order, package_ids: list[int], reason: str = "", *, carrier_report: bool = False
) -> bool:
    """A shipment carrying this order (or some of its packages) was handed over.

    Called by ``logistics.shipping`` (the shipping permission, not allocation). The packages
    given are marked shipped; when the order has no other open package left, the order is
    shipped and its reserved stock leaves the warehouse. Returns whether the order shipped.
    ``carrier_report``: the carrier's tracking shows the parcel moving (``logistics.tracking``);
    no user permission applies and ``actor`` may be None."""
    if not carrier_report:
        require(actor, P.SHIP)
    with transaction.atomic():
        if package_ids:
            Package.objects.filter(pk__in=package_ids, status=Package.Status.OPEN).update(
                status=Package.Status.SHIPPED
            )
        if Package.objects.filter(
            status=Package.Status.OPEN, lines__order_line__order=order
        ).exists():
            return False
        transition(order, S.SHIPPED, table=TRANSITIONS, actor=actor, reason=reason or "shipped")
        inventory.ship(actor, SOURCE, [str(order.pk)], note="order shipped")
    return True


def record_platform_fulfilled(
    actor, order_ids: list[int], warehouse_code: str, reason: str = "fulfilled by the platform"
) -> int:
    """Record orders the sales platform ships itself (Amazon FBA) as shipped from its
    warehouse (kind ``platform``): no reservation, no stock movement from our warehouses, no
    allocation. Orders not in review states (already shipped, cancelled, allocated) are left
    as they are. Returns how many moved; one state event and one audit row each."""
    require(actor, P.ORDER_ADD)
    warehouse = Warehouse.objects.filter(code=warehouse_code).first()
    if warehouse is None or warehouse.kind != Warehouse.Kind.PLATFORM:
        raise ValidationFailed(
            f"No warehouse {warehouse_code!r} of kind platform",
            code="invalid_platform_warehouse",
            details={"warehouse": warehouse_code},
        )
    ids = sorted({int(i) for i in order_ids})
    moved = 0
    with transaction.atomic():
        by_state: dict[str, list[int]] = defaultdict(list)
        for pk, status in (
            Order.objects.select_for_update()
            .filter(pk__in=ids, status__in=list(PLATFORM_FULFILLED_TRANSITIONS))
            .values_list("id", "status")
        ):
            by_state[status].append(pk)
        for status, pks in sorted(by_state.items()):
            moved += bulk_transition(
                Order, pks, status, S.SHIPPED, table=PLATFORM_FULFILLED_TRANSITIONS,
                actor=actor, reason=reason, extra={"warehouse": warehouse},
            )  # fmt: skip
        if moved:
            audit.record_many(
                actor,
                "orders.order.platform_fulfilled",
                "orders.order",
                [pk for pks in by_state.values() for pk in pks],
                {"warehouse": warehouse.code, "reason": reason},
            )
    return moved


# --- merge and split ------------------------------------------------------------------------


def _address_key(o: Order) -> tuple:
    def norm(value: str) -> str:
        return " ".join((value or "").lower().split())

    return (
        norm(o.ship_name),
        norm(o.ship_address1),
        norm(o.ship_address2),
        norm(o.ship_city),
        norm(o.ship_postcode).replace(" ", ""),
        o.ship_country,
    )


def _package_event(actor, order_ids, text: str) -> None:
    label = entity_label(Order)
    StateEvent.objects.bulk_create(
        [
            StateEvent(
                entity=label,
                object_id=i,
                field="package",
                from_state="",
                to_state=text[:32],
                actor=actor,
                reason=text,
            )
            for i in order_ids
        ]
    )


MERGEABLE = (S.APPROVED, S.PENDING_PURCHASE, S.PENDING_SHIPMENT)


def merge_orders(actor, order_ids: list[int]) -> Package:
    """Ship several open orders of one buyer to one address as one parcel.

    The orders may be approved, pending purchase or already allocated. The group is allocated
    together: one warehouse must hold every line of every order (destination country first,
    then priority); their old reservations are released and each order reserves its own lines
    there, so every original order stays traceable. All or nothing.
    """
    require(actor, P.ORDER_MERGE_SPLIT)
    ids = sorted(set(int(i) for i in order_ids))
    if len(ids) < 2:
        raise ValidationFailed("Pick at least two orders to merge", code="merge_needs_two")
    with transaction.atomic():
        orders = list(Order.objects.select_for_update().filter(pk__in=ids).order_by("id"))
        if len(orders) != len(ids):
            raise NotFound("Some orders do not exist", code="order_not_found")
        not_ready = [o.pk for o in orders if o.status not in MERGEABLE]
        if not_ready:
            raise Conflict(
                "Only approved, pending purchase or allocated orders can be merged",
                code="merge_wrong_status",
                details={"order_ids": not_ready},
            )
        buyers = {(o.buyer_email or o.buyer_name).strip().lower() for o in orders}
        if len({_address_key(o) for o in orders}) != 1 or len(buyers) != 1:
            raise Conflict(
                "The orders are not for one buyer at one address", code="merge_different_buyers"
            )
        refuse_live_shipments(ids, "merge them")
        if PackageLine.objects.filter(
            order_line__order_id__in=ids, package__status=Package.Status.OPEN
        ).exists():
            raise Conflict("Some orders are already in an open package", code="already_packaged")
        lines = list(OrderLine.objects.filter(order_id__in=ids))
        if any(line.sku_id is None for line in lines):
            raise Conflict("Map every line to a SKU before merging", code="unmapped_sku")
        allocated = [str(o.pk) for o in orders if o.status == S.PENDING_SHIPMENT]
        if allocated:
            inventory.release(actor, SOURCE, allocated, note="re-reserved by merge")
        per_order: dict[int, dict[int, int]] = defaultdict(lambda: defaultdict(int))
        group: dict[int, int] = defaultdict(int)
        for line in lines:
            per_order[line.order_id][line.sku_id] += line.quantity
            group[line.sku_id] += line.quantity
        warehouses = candidate_warehouses()
        available = available_map(group.keys(), [w[0] for w in warehouses])
        chosen, short = plan_allocation(
            [{"id": 0, "ship_country": orders[0].ship_country}], {0: group}, warehouses, available
        )
        if 0 not in chosen:
            raise inventory.InsufficientStock(
                "No single warehouse holds every line of these orders",
                details={"shortage": short.get(0, [])},
            )
        wh_id = chosen[0]
        for order in orders:
            inventory.reserve(
                actor, inventory.Reservation(wh_id, per_order[order.pk], SOURCE, str(order.pk))
            )
            if order.status == S.PENDING_SHIPMENT:
                Order.objects.filter(pk=order.pk).update(
                    warehouse_id=wh_id, updated_at=timezone.now()
                )
            else:
                transition(
                    order,
                    S.PENDING_SHIPMENT,
                    table=TRANSITIONS,
                    actor=actor,
                    reason="allocated by merge",
                    extra={"warehouse_id": wh_id, "shortage": []},
                )
        package = Package.objects.create(
            kind=Package.Kind.MERGED, warehouse_id=wh_id, created_by=actor
        )
        PackageLine.objects.bulk_create(
            [
                PackageLine(package=package, order_line=line, quantity=line.quantity)
                for line in lines
            ]
        )
        _package_event(actor, ids, f"merged into {package}")
        audit.record(actor, "orders.merge", package, {"orders": ids})
    return package


def split_order(actor, order: Order, parts: list[dict]) -> list[Package]:
    """Split one order's lines across warehouses or parcels.

    ``parts``: [{"warehouse_id": id, "lines": [{"line_id": id, "quantity": n}, ...]}, ...].
    Every unit of every line must be in exactly one part. Stock is reserved per part in its
    warehouse (the old reservation released first); all or nothing.
    """
    require(actor, P.ORDER_MERGE_SPLIT)
    if len(parts) < 2:
        raise ValidationFailed("A split needs at least two parts", code="split_needs_two")
    with transaction.atomic():
        order = Order.objects.select_for_update().get(pk=order.pk)
        if order.status not in (S.APPROVED, S.PENDING_SHIPMENT, S.PENDING_PURCHASE):
            raise Conflict(
                f"An order in {order.status!r} cannot be split", code="split_wrong_status"
            )
        refuse_live_shipments([order.pk], "split it")
        lines = {line.pk: line for line in order.lines.all()}
        if any(line.sku_id is None for line in lines.values()):
            raise Conflict("Map every line to a SKU before splitting", code="unmapped_sku")
        if Package.objects.filter(
            status=Package.Status.OPEN, kind=Package.Kind.MERGED, lines__order_line__order=order
        ).exists():
            raise Conflict(
                "The order ships in a merged parcel with other orders; cancel that first",
                code="already_packaged",
            )
        wh_ids = {int(p.get("warehouse_id") or 0) for p in parts}
        found = set(
            Warehouse.objects.filter(pk__in=wh_ids, is_active=True).values_list("pk", flat=True)
        )
        if wh_ids - found:
            raise ValidationFailed(
                "Unknown or inactive warehouse",
                code="invalid_warehouse",
                details={"warehouse_ids": sorted(wh_ids - found)},
            )
        covered: dict[int, int] = defaultdict(int)
        plan = []
        for index, part in enumerate(parts):
            items: dict[int, int] = defaultdict(int)
            part_lines = []
            for entry in part.get("lines") or []:
                line = lines.get(int(entry.get("line_id") or 0))
                qty = entry.get("quantity")
                if line is None:
                    raise ValidationFailed(
                        "A line does not belong to this order",
                        code="invalid_line",
                        details={"part": index},
                    )
                if not isinstance(qty, int) or isinstance(qty, bool) or qty < 1:
                    raise ValidationFailed(
                        "Quantities are whole numbers from 1",
                        code="invalid_quantity",
                        details={"part": index},
                    )
                covered[line.pk] += qty
                items[line.sku_id] += qty
                part_lines.append((line, qty))
            if not part_lines:
                raise ValidationFailed(
                    "A part has no lines", code="empty_part", details={"part": index}
                )
            plan.append((int(part["warehouse_id"]), dict(items), part_lines))
        wrong = [pk for pk, line in lines.items() if covered.get(pk, 0) != line.quantity]
        if wrong:
            raise ValidationFailed(
                "Every unit of every line must be in exactly one part",
                code="split_quantities_mismatch",
                details={"line_ids": wrong},
            )
        if order.status == S.PENDING_SHIPMENT:
            inventory.release(actor, SOURCE, [str(order.pk)], note="re-reserved by split")
        _cancel_open_packages(order)
        for wh_id, items, _ in plan:
            inventory.reserve(actor, inventory.Reservation(wh_id, items, SOURCE, str(order.pk)))
        packages = []
        for wh_id, _, part_lines in plan:
            package = Package.objects.create(
                kind=Package.Kind.SPLIT, warehouse_id=wh_id, created_by=actor
            )
            PackageLine.objects.bulk_create(
                [
                    PackageLine(package=package, order_line=line, quantity=qty)
                    for line, qty in part_lines
                ]
            )
            packages.append(package)
        single_wh = len({wh for wh, _, _ in plan}) == 1
        if order.status == S.PENDING_SHIPMENT:
            Order.objects.filter(pk=order.pk).update(
                warehouse_id=plan[0][0] if single_wh else None,
                shortage=[],
                updated_at=timezone.now(),
            )
        else:
            transition(
                order,
                S.PENDING_SHIPMENT,
                table=TRANSITIONS,
                actor=actor,
                reason="allocated by split",
                extra={"warehouse_id": plan[0][0] if single_wh else None, "shortage": []},
            )
        _package_event(actor, [order.pk], "split into " + ", ".join(map(str, packages)))
        audit.record(
            actor,
            "orders.split",
            order,
            {"packages": [str(p) for p in packages], "parts": len(parts)},
        )
    return packages


REDACTED = "[redacted]"


def redact_buyer_data(
    actor,
    store: Store,
    *,
    before,
    external_ids=(),
    email: str = "",
    whole_store: bool = False,
    reason: str = "",
) -> list[int]:
    """Erase the buyer's personal data (name, email, phone, address but the country, note)
    from the store's orders placed before ``before``: those with ``external_ids`` or the
    buyer ``email``, or every order with ``whole_store``. Amounts, lines, states and the
    country stay (accounts and statistics still add up). Returns the order ids redacted; one
    set-based UPDATE and one audit row."""
    require(actor, P.ORDER_CHANGE)
    ids = [str(i) for i in external_ids if str(i)]
    email = (email or "").strip()
    if not whole_store and not ids and not email:
        return []
    with transaction.atomic():
        orders = Order.objects.filter(store=store, placed_at__lt=before)
        if not whole_store:
            match = Q(external_id__in=ids)
            if email:
                match |= Q(buyer_email__iexact=email)
            orders = orders.filter(match)
        order_ids = list(orders.order_by("id").values_list("id", flat=True))
        if order_ids:
            Order.objects.filter(pk__in=order_ids).update(
                buyer_name="", buyer_email="", buyer_phone="", ship_name=REDACTED,
                ship_company="", ship_address1=REDACTED, ship_address2="", ship_city="",
                ship_state="", ship_postcode="", ship_phone="", note="",
                fingerprint=REDACTED, updated_at=timezone.now(),
            )  # fmt: skip
        audit.record(
            actor,
            "orders.privacy.redact",
            store,
            {"orders": order_ids, "whole_store": whole_store, "reason": reason[:200]},
        )
    return order_ids
