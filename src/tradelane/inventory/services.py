"""Every stock change: an append-only movement plus the balance update, in one transaction.

Reservations are conditional updates (``on_hand >= reserved + q``) on top of a check
constraint, so two workers can never reserve the same unit, on SQLite or PostgreSQL.
What a source document (an order, a transfer) holds reserved is derived from the ledger.

Whenever available stock grows (a receipt, a transfer in, a positive adjustment or stocktake,
a reservation released), the follow-up ``STOCK_ARRIVED`` is queued for after the commit with
the (SKU, warehouse) pairs: the orders app re-allocates the orders waiting for them
(``orders.automation``). Inventory does not know orders; it only names the follow-up.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.db import IntegrityError, connection, transaction
from django.db.models import F, Sum
from django.utils import timezone

from tradelane.accounts.permissions import require
from tradelane.accounts.roles import P
from tradelane.core import audit, followups
from tradelane.core.bulk import insert_rows
from tradelane.core.countries import check_country
from tradelane.core.errors import Conflict, ValidationFailed

from .models import StockBalance, StockMovement, Warehouse

K = StockMovement.Kind
MOVEMENT_FIELDS = ("sku", "warehouse", "kind", "on_hand_delta", "reserved_delta", "source_type",
                   "source_id", "actor", "note", "created_at")  # fmt: skip


class InsufficientStock(Conflict):
    code = "insufficient_stock"


@dataclass(frozen=True)
class Reservation:
    """One source document's wish: ``items`` {sku_id: qty} from one warehouse."""

    warehouse_id: int
    items: Mapping[int, int]
    source_type: str
    source_id: str


# the follow-up that allocates orders waiting for stock (registered by orders.automation)
STOCK_ARRIVED = "orders.stock_arrived"


def _arrived(pairs) -> None:
    """Available stock grew for these (sku_id, warehouse_id): queue ``STOCK_ARRIVED``."""
    kept = sorted({(int(s), int(w)) for s, w in pairs})
    if kept:
        followups.after_commit(STOCK_ARRIVED, {"pairs": [list(p) for p in kept]})


MAX_ON_HAND = 2_147_483_647  # StockBalance.on_hand, an integer column (PostgreSQL's range)


def _too_much() -> ValidationFailed:
    return ValidationFailed(
        f"More than {MAX_ON_HAND} units would be on hand", code="stock_too_large",
        details={"limit": MAX_ON_HAND},
    )  # fmt: skip


def _add_on_hand(sku_id: int, warehouse_id: int, quantity: int) -> None:
    """on_hand += quantity, refused (not overflowed: a 500 on PostgreSQL) past the column."""
    changed = StockBalance.objects.filter(
        sku_id=sku_id, warehouse_id=warehouse_id, on_hand__lte=MAX_ON_HAND - quantity
    ).update(on_hand=F("on_hand") + quantity, updated_at=timezone.now())
    if not changed:
        raise _too_much()


def _positive(qty: int, what: str = "quantity") -> int:
    if not isinstance(qty, int) or isinstance(qty, bool) or qty <= 0:
        raise ValidationFailed(
            f"The {what} must be a whole number above 0", code="invalid_quantity"
        )
    return qty


def _balance(sku_id: int, warehouse_id: int) -> StockBalance:
    balance, _ = StockBalance.objects.get_or_create(sku_id=sku_id, warehouse_id=warehouse_id)
    return balance


def _move(
    actor,
    sku_id,
    warehouse_id,
    kind,
    on_hand_delta=0,
    reserved_delta=0,
    source_type="manual",
    source_id="",
    note="",
) -> StockMovement:
    return StockMovement.objects.create(
        sku_id=sku_id,
        warehouse_id=warehouse_id,
        kind=kind,
        on_hand_delta=on_hand_delta,
        reserved_delta=reserved_delta,
        source_type=source_type,
        source_id=str(source_id),
        actor=actor if getattr(actor, "pk", None) else None,
        note=note[:300],
    )


# --- warehouses -----------------------------------------------------------------------------

WAREHOUSE_FIELDS = {
    "code",
    "name",
    "kind",
    "country",
    "state",
    "city",
    "address",
    "postcode",
    "contact",
    "phone",
    "priority",
    "is_active",
}


def save_warehouse(actor, *, warehouse: Warehouse | None = None, **fields) -> Warehouse:
    require(actor, P.WAREHOUSE_MANAGE)
    unknown = set(fields) - WAREHOUSE_FIELDS
    if unknown:
        raise ValidationFailed(f"Unknown fields: {sorted(unknown)}", code="unknown_field")
    if "country" in fields:
        fields["country"] = check_country(fields["country"])
    if "kind" in fields and fields["kind"] not in Warehouse.Kind.values:
        raise ValidationFailed(f"Unknown warehouse kind {fields['kind']!r}", code="invalid_kind")
    if warehouse is None:
        for required in ("code", "name", "country"):
            if not fields.get(required):
                raise ValidationFailed(
                    f"{required} is required", code="required", details={"field": required}
                )
        if Warehouse.objects.filter(code=fields["code"]).exists():
            raise Conflict(f"Warehouse {fields['code']!r} exists", code="duplicate_code")
    with transaction.atomic():
        if warehouse is None:
            warehouse = Warehouse.objects.create(**fields)
            audit.record(actor, "inventory.warehouse.create", warehouse, fields)
        else:
            changes = audit.diff(warehouse, fields)
            for k, v in fields.items():
                setattr(warehouse, k, v)
            warehouse.save()
            audit.record(actor, "inventory.warehouse.update", warehouse, changes)
    return warehouse


# --- single movements -----------------------------------------------------------------------


def receive(
    actor,
    *,
    sku_id: int,
    warehouse_id: int,
    quantity: int,
    source_type: str = "manual",
    source_id: str = "",
    note: str = "",
) -> StockMovement:
    require(actor, P.STOCK_RECEIVE)
    _positive(quantity)
    with transaction.atomic():
        _balance(sku_id, warehouse_id)
        _add_on_hand(sku_id, warehouse_id, quantity)
        _arrived([(sku_id, warehouse_id)])
        return _move(
            actor,
            sku_id,
            warehouse_id,
            K.RECEIPT,
            on_hand_delta=quantity,
            source_type=source_type,
            source_id=source_id,
            note=note,
        )


def adjust(actor, *, sku_id: int, warehouse_id: int, delta: int, note: str) -> StockMovement:
    """A stock-take correction. Refused if it would leave less on hand than is reserved."""
    require(actor, P.STOCK_ADJUST)
    if not isinstance(delta, int) or isinstance(delta, bool) or delta == 0:
        raise ValidationFailed(
            "The adjustment must be a whole number other than 0", code="invalid_quantity"
        )
    if not note.strip():
        raise ValidationFailed("Say why the stock is adjusted", code="reason_required")
    with transaction.atomic():
        _balance(sku_id, warehouse_id)
        if delta > 0:
            _add_on_hand(sku_id, warehouse_id, delta)
            _arrived([(sku_id, warehouse_id)])
        else:
            changed = StockBalance.objects.filter(
                sku_id=sku_id, warehouse_id=warehouse_id, on_hand__gte=F("reserved") - delta
            ).update(on_hand=F("on_hand") + delta, updated_at=timezone.now())
            if not changed:
                raise InsufficientStock("Not enough unreserved stock for this adjustment")
        return _move(actor, sku_id, warehouse_id, K.ADJUSTMENT, on_hand_delta=delta, note=note)


def transfer(
    actor,
    *,
    sku_id: int,
    from_warehouse_id: int,
    to_warehouse_id: int,
    quantity: int,
    note: str = "",
) -> tuple[StockMovement, StockMovement]:
    require(actor, P.STOCK_TRANSFER)
    _positive(quantity)
    if from_warehouse_id == to_warehouse_id:
        raise ValidationFailed("Pick two different warehouses", code="same_warehouse")
    with transaction.atomic():
        ref = f"{from_warehouse_id}->{to_warehouse_id}@{timezone.now().isoformat()}"
        changed = StockBalance.objects.filter(
            sku_id=sku_id, warehouse_id=from_warehouse_id, on_hand__gte=F("reserved") + quantity
        ).update(on_hand=F("on_hand") - quantity, updated_at=timezone.now())
        if not changed:
            raise InsufficientStock("Not enough available stock to transfer")
        _balance(sku_id, to_warehouse_id)
        _add_on_hand(sku_id, to_warehouse_id, quantity)
        _arrived([(sku_id, to_warehouse_id)])
        out = _move(
            actor,
            sku_id,
            from_warehouse_id,
            K.TRANSFER_OUT,
            on_hand_delta=-quantity,
            source_type="transfer",
            source_id=ref,
            note=note,
        )
        into = _move(
            actor,
            sku_id,
            to_warehouse_id,
            K.TRANSFER_IN,
            on_hand_delta=quantity,
            source_type="transfer",
            source_id=ref,
            note=note,
        )
        return out, into


def set_safety_stock(actor, *, sku_id: int, warehouse_id: int, quantity: int) -> StockBalance:
    require(actor, P.STOCK_ADJUST)
    if not isinstance(quantity, int) or quantity < 0:
        raise ValidationFailed("Safety stock is a whole number, 0 or more", code="invalid_quantity")
    with transaction.atomic():
        balance = _balance(sku_id, warehouse_id)
        old = balance.safety_stock
        StockBalance.objects.filter(pk=balance.pk).update(safety_stock=quantity)
        balance.safety_stock = quantity
        audit.record(
            actor, "inventory.safety_stock.set", balance, {"safety_stock": [old, quantity]}
        )
    return balance


# --- reservations ---------------------------------------------------------------------------


def reserve(actor, reservation: Reservation) -> list[StockMovement]:
    """Reserve every item of one source from one warehouse, or nothing (InsufficientStock).

    Callers check the permission of the business action (e.g. allocating an order).
    """
    items = {sku: _positive(q) for sku, q in reservation.items.items()}
    with transaction.atomic():
        shortage = []
        now = timezone.now()
        for sku_id in sorted(items):  # one lock order everywhere: no deadlocks on PostgreSQL
            qty = items[sku_id]
            changed = StockBalance.objects.filter(
                sku_id=sku_id,
                warehouse_id=reservation.warehouse_id,
                on_hand__gte=F("reserved") + qty,
            ).update(reserved=F("reserved") + qty, updated_at=now)
            if not changed:
                shortage.append(sku_id)
        if shortage:
            raise InsufficientStock("Not enough available stock", details={"sku_ids": shortage})
        rows = [
            StockMovement(
                sku_id=sku_id,
                warehouse_id=reservation.warehouse_id,
                kind=K.RESERVATION,
                reserved_delta=qty,
                source_type=reservation.source_type,
                source_id=str(reservation.source_id),
                actor=actor if getattr(actor, "pk", None) else None,
                created_at=now,
            )
            for sku_id, qty in sorted(items.items())
        ]
        return StockMovement.objects.bulk_create(rows)


def _reserve_totals(totals: dict[tuple[int, int], int], now) -> None:
    """One conditional UPDATE per (SKU, warehouse), sent with executemany; all or nothing."""
    table = connection.ops.quote_name(StockBalance._meta.db_table)
    sql = (
        f"UPDATE {table} SET reserved = reserved + %s, updated_at = %s "
        "WHERE sku_id = %s AND warehouse_id = %s AND on_hand >= reserved + %s"
    )
    stamp = StockBalance._meta.get_field("updated_at").get_db_prep_save(now, connection)
    params = [(q, stamp, sku, wh, q) for (sku, wh), q in sorted(totals.items())]
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)
        changed = cursor.rowcount
    if changed != len(params):
        raise InsufficientStock("Stock changed during allocation", code="insufficient_stock")


def reserve_many(actor, reservations: list[Reservation]) -> None:
    """Set-based reservation of many sources at once: one conditional update per balance.

    All or nothing: if any balance cannot cover its total (someone else reserved meanwhile),
    InsufficientStock is raised and nothing is written; the caller then goes one by one.
    """
    totals: dict[tuple[int, int], int] = defaultdict(int)
    for r in reservations:
        for sku_id, qty in r.items.items():
            totals[(sku_id, r.warehouse_id)] += _positive(qty)
    if not totals:
        return
    now = timezone.now()
    actor_id = actor.pk if getattr(actor, "pk", None) else None
    with transaction.atomic():
        _reserve_totals(totals, now)
        insert_rows(
            StockMovement,
            MOVEMENT_FIELDS,
            (
                (sku_id, r.warehouse_id, K.RESERVATION, 0, qty, r.source_type,
                 str(r.source_id), actor_id, "", now)
                for r in reservations
                for sku_id, qty in sorted(r.items.items())
            ),
        )  # fmt: skip


def held(source_type: str, source_ids: Iterable[str]) -> dict[str, dict[tuple[int, int], int]]:
    """What each source holds reserved now: {source_id: {(sku_id, warehouse_id): qty}}."""
    out: dict[str, dict[tuple[int, int], int]] = defaultdict(dict)
    ids = [str(s) for s in source_ids]
    for start in range(0, len(ids), 900):
        rows = (
            StockMovement.objects.filter(
                source_type=source_type, source_id__in=ids[start : start + 900]
            )
            .values("source_id", "sku_id", "warehouse_id")
            .annotate(net=Sum("reserved_delta"))
        )
        for row in rows:
            if row["net"]:
                out[row["source_id"]][(row["sku_id"], row["warehouse_id"])] = row["net"]
    return out


def _consume(actor, source_type: str, source_ids: Iterable[str], kind: str, note: str) -> int:
    """Release (or ship) what the sources hold reserved. Returns units moved."""
    holdings = held(source_type, source_ids)
    totals: dict[tuple[int, int], int] = defaultdict(int)
    rows = []
    now = timezone.now()
    actor_id = actor.pk if getattr(actor, "pk", None) else None
    for source_id, items in holdings.items():
        for (sku_id, wh_id), qty in items.items():
            totals[(sku_id, wh_id)] += qty
            rows.append(
                (sku_id, wh_id, kind, -qty if kind == K.SHIPMENT else 0, -qty, source_type,
                 source_id, actor_id, note[:300], now)
            )  # fmt: skip
    with transaction.atomic():
        for sku_id, wh_id in sorted(totals):
            qty = totals[(sku_id, wh_id)]
            values = {"reserved": F("reserved") - qty, "updated_at": now}
            if kind == K.SHIPMENT:
                values["on_hand"] = F("on_hand") - qty
            try:
                changed = StockBalance.objects.filter(sku_id=sku_id, warehouse_id=wh_id).update(
                    **values
                )
            except IntegrityError:
                changed = 0
            if not changed:
                raise Conflict(
                    "The ledger and the balance disagree",
                    code="ledger_mismatch",
                    details={"sku_id": sku_id, "warehouse_id": wh_id},
                )
        insert_rows(StockMovement, MOVEMENT_FIELDS, rows)
        if kind == K.RELEASE:  # released stock is available again for waiting orders
            _arrived(totals)
    return sum(totals.values())


def release(actor, source_type: str, source_ids: Iterable[str], note: str = "") -> int:
    return _consume(actor, source_type, source_ids, K.RELEASE, note)


def ship(actor, source_type: str, source_ids: Iterable[str], note: str = "") -> int:
    return _consume(actor, source_type, source_ids, K.SHIPMENT, note)


# --- counts from a file or an API batch (stocktake or receipts) -----------------------------

STOCKTAKE, RECEIPT = "stocktake", "receipt"
COUNT_MODES = (STOCKTAKE, RECEIPT)


def plan_counts(rows: list[tuple[int, int, int]], mode: str, *, lock: bool = False) -> list[dict]:
    """What ``apply_counts`` would do, per row, without writing: one read of the balances.

    ``rows`` are (sku_id, warehouse_id, quantity). A stocktake sets on hand to the counted
    quantity (the ledger gets an adjustment of the difference) and is refused below what is
    reserved; a receipt adds a quantity above 0. Each result: ``{"result": updated|unchanged|
    rejected, "errors", "on_hand" (before), "reserved", "delta"}``.
    """
    if mode not in COUNT_MODES:
        raise ValidationFailed(
            f"The mode is {' or '.join(COUNT_MODES)}, not {mode!r}", code="invalid_mode"
        )
    pairs = {(s, w) for s, w, _ in rows}
    current: dict[tuple[int, int], tuple[int, int]] = {}
    sku_ids = sorted({s for s, _ in pairs})
    wh_ids = sorted({w for _, w in pairs})
    for start in range(0, len(sku_ids), 900):
        qs = StockBalance.objects.filter(
            sku_id__in=sku_ids[start : start + 900], warehouse_id__in=wh_ids
        )
        if lock:
            qs = qs.select_for_update()
        for s, w, on_hand, reserved in qs.values_list(
            "sku_id", "warehouse_id", "on_hand", "reserved"
        ):
            if (s, w) in pairs:
                current[(s, w)] = (on_hand, reserved)
    out = []
    seen: set[tuple[int, int]] = set()
    for sku_id, wh_id, qty in rows:
        on_hand, reserved = current.get((sku_id, wh_id), (0, 0))
        entry = {
            "result": "rejected",
            "errors": [],
            "on_hand": on_hand,
            "reserved": reserved,
            "delta": 0,
        }
        out.append(entry)
        if not isinstance(qty, int) or isinstance(qty, bool) or qty < 0 or qty > 2**31 - 1:
            entry["errors"].append(
                _count_error(
                    "quantity", "invalid_quantity", "The quantity is a whole number, 0 or more"
                )
            )
            continue
        if mode == STOCKTAKE:
            if (sku_id, wh_id) in seen:
                entry["errors"].append(
                    _count_error("sku", "duplicate_row", "This SKU and warehouse are counted twice")
                )
                continue
            if qty < reserved:
                entry["errors"].append(
                    _count_error(
                        "quantity",
                        "below_reserved",
                        f"Counted {qty} but {reserved} are reserved for orders: available stock "
                        "would be negative",
                    )
                )
                continue
            entry["delta"] = qty - on_hand
        else:
            if qty == 0:
                entry["errors"].append(
                    _count_error(
                        "quantity", "invalid_quantity", "A receipt adds a quantity above 0"
                    )
                )
                continue
            entry["delta"] = qty
        seen.add((sku_id, wh_id))
        entry["result"] = "updated" if entry["delta"] else "unchanged"
    return out


def _count_error(field: str, code: str, message: str) -> dict:
    return {"field": field, "code": code, "message": message}


def apply_counts(
    actor, rows: list[tuple[int, int, int]], mode: str, *, note: str = "", source_id: str = ""
) -> list[dict]:
    """Apply counted or received quantities set-based (see ``plan_counts``); one result per row.

    Valid rows are written in one transaction: one conditional UPDATE per balance (sent with
    ``executemany``), the ledger rows in one insert, one audit row. Rejected rows write
    nothing. A balance that changed between the read and the write (a reservation meanwhile)
    refuses the whole batch with 409, so available stock can never go negative.
    """
    require(actor, P.STOCK_ADJUST if mode == STOCKTAKE else P.STOCK_RECEIVE)
    note = (note or ("stocktake" if mode == STOCKTAKE else "receipt"))[:300]
    with transaction.atomic():
        plan = plan_counts(rows, mode, lock=True)
        todo = [(row, p) for row, p in zip(rows, plan, strict=True) if p["delta"]]
        if not todo:
            return plan
        now = timezone.now()
        missing = {(s, w) for (s, w, _), p in todo} - set(
            (s, w) for (s, w, _), p in todo if p["on_hand"] or p["reserved"]
        )
        if missing:
            StockBalance.objects.bulk_create(
                [
                    StockBalance(sku_id=s, warehouse_id=w, updated_at=now)
                    for s, w in sorted(missing)
                ],
                ignore_conflicts=True,
            )
        table = connection.ops.quote_name(StockBalance._meta.db_table)
        stamp = StockBalance._meta.get_field("updated_at").get_db_prep_save(now, connection)
        totals: dict[tuple[int, int], int] = defaultdict(int)
        for (s, w, _), p in todo:
            totals[(s, w)] += p["delta"]
        # the balances are locked (plan_counts): what they hold plus what comes must fit
        held_now = {(s, w): p["on_hand"] for (s, w, _), p in todo}
        if any(held_now[key] + total > MAX_ON_HAND for key, total in totals.items()):
            raise _too_much()
        if mode == STOCKTAKE:
            sql = (
                f"UPDATE {table} SET on_hand = on_hand + %s, updated_at = %s WHERE sku_id = %s "
                "AND warehouse_id = %s AND on_hand = %s AND reserved <= on_hand + %s"
            )
            params = [(p["delta"], stamp, s, w, p["on_hand"], p["delta"]) for (s, w, _), p in todo]
        else:
            sql = (
                f"UPDATE {table} SET on_hand = on_hand + %s, updated_at = %s "
                "WHERE sku_id = %s AND warehouse_id = %s"
            )
            params = [(q, stamp, s, w) for (s, w), q in sorted(totals.items())]
        with connection.cursor() as cursor:
            cursor.executemany(sql, params)
            changed = cursor.rowcount
        if changed != len(params):
            raise Conflict(
                "The stock changed while it was being counted; count again",
                code="stock_changed",
            )
        _arrived(key for key, total in totals.items() if total > 0)
        kind = K.ADJUSTMENT if mode == STOCKTAKE else K.RECEIPT
        actor_id = actor.pk if getattr(actor, "pk", None) else None
        insert_rows(
            StockMovement,
            MOVEMENT_FIELDS,
            (
                (s, w, kind, p["delta"], 0, mode, str(source_id)[:64], actor_id, note, now)
                for (s, w, _), p in todo
            ),
        )
        audit.record(
            actor,
            f"inventory.{mode}.import",
            entity="inventory.stockbalance",
            changes={"rows": len(todo), "units": sum(totals.values()), "source": source_id},
        )
    return plan
