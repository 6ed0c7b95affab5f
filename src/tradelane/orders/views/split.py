"""The split form on the order page: the order's lines as rows, the parts (parcels) as columns,
each part with its warehouse and a quantity per line.

Field names: ``parts`` (how many columns), ``wh_<part>`` (a warehouse id) and
``qty_<part>_<line id>`` (units of that line in that part; blank is 0). Parts left empty are
ignored, so a user may add a column and not use it.

An order a live shipment carries (a label exists) is split only by voiding that shipment in
the same step (``logistics.shipping.repacking.void_and_split``): the form then lists what the
void does and posts ``void_shipment`` (the ids of the shipments shown), and its button says
"Void and split". A shipment already handed over cannot be voided: the form says so and has
no button.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from tradelane.accounts.roles import P
from tradelane.core.errors import ValidationFailed
from tradelane.inventory.selectors import available_map, warehouses_for
from tradelane.logistics.shipping import repacking
from tradelane.orders import services
from tradelane.orders.states import OrderStatus as S
from tradelane.web.views.guards import int_or_none

SPLITTABLE = (S.APPROVED, S.PENDING_PURCHASE, S.PENDING_SHIPMENT)
MIN_PARTS = 2
MAX_PARTS = 6
MAX_QUANTITY = 1_000_000


def can_split(user, order, lines) -> bool:
    return (
        order.status in SPLITTABLE
        and user.has_perm(P.ORDER_MERGE_SPLIT)
        and bool(lines)
        and all(line.sku_id for line in lines)
    )


def part_count(data) -> int:
    n = int_or_none((data or {}).get("parts")) or MIN_PARTS
    if data is not None and data.get("add_part"):
        n += 1
    return max(MIN_PARTS, min(MAX_PARTS, n))


def parse_parts(data, lines) -> list[dict]:
    """The posted form -> ``split_order``'s parts. Raises ValidationFailed for bad numbers."""
    parts = []
    for p in range(part_count(data)):
        entries = []
        for line in lines:
            raw = (data.get(f"qty_{p}_{line.pk}") or "").strip()
            if raw in ("", "0"):
                continue
            if not (raw.isascii() and raw.isdigit()) or int(raw) > MAX_QUANTITY:
                raise ValidationFailed(
                    f"Quantities are whole numbers from 1: {raw!r}",
                    code="invalid_quantity",
                    details={"part": p, "line_ids": [line.pk]},
                )
            entries.append({"line_id": line.pk, "quantity": int(raw)})
        if not entries:
            continue  # an unused column
        warehouse_id = int_or_none(data.get(f"wh_{p}"))
        if not warehouse_id:
            raise ValidationFailed(
                "Choose a warehouse for every part", code="invalid_warehouse", details={"part": p}
            )
        parts.append({"warehouse_id": warehouse_id, "lines": entries})
    return parts


def void_shipment_ids(data) -> list[int]:
    """The shipments the user agreed to void with the split (the ``void_shipment`` fields)."""
    if data is None or not hasattr(data, "getlist"):
        return []
    return sorted({i for i in map(int_or_none, data.getlist("void_shipment")) if i})


def live_shipments(order) -> list:
    """The live shipments carrying the order and what voiding them does (none unless it is
    pending shipment: only then can a shipment carry it)."""
    return repacking.consequences(order) if order.status == S.PENDING_SHIPMENT else []


def run_split(user, order, lines, data) -> tuple[list, list]:
    """Split as posted: with ``void_shipment`` ids, void those shipments and split in one
    step; else a plain split. Returns (the shipments voided, the new packages)."""
    parts = parse_parts(data, lines)
    void_ids = void_shipment_ids(data)
    if void_ids:
        return repacking.void_and_split(user, order, parts, shipment_ids=void_ids)
    return [], services.split_order(user, order, parts)


def void_plan(user, live) -> dict | None:
    """What the form says about the live shipments (``repacking.consequences``), or None."""
    if not live:
        return None
    rows = []
    for c in live:
        s = c.shipment
        names = {"shipment": s.number, "tracking": s.tracking_number, "channel": s.channel_code,
                 "warehouse": s.warehouse_code}  # fmt: skip
        if not c.can_void:
            text = _(
                "Shipment %(shipment)s (%(channel)s, %(tracking)s) was handed over and cannot "
                "be voided."
            )
        elif c.voids_at_carrier:
            text = _(
                "Shipment %(shipment)s is cancelled and the label %(tracking)s from "
                "%(warehouse)s is voided at the carrier %(channel)s."
            )
        elif s.tracking_number:
            text = _(
                "Shipment %(shipment)s is cancelled and its tracking number %(tracking)s "
                "(our channel %(channel)s) is withdrawn; do not use a printed label."
            )
        else:
            text = _("Shipment %(shipment)s (%(channel)s, no label yet) is cancelled.")
        rows.append({"id": s.id, "number": s.number, "text": text % names,
                     "can_void": c.can_void})  # fmt: skip
    can_void = all(r["can_void"] for r in rows) and user.has_perm(P.SHIPMENT_CANCEL)
    return {
        "rows": rows,
        "ids": [r["id"] for r in rows],
        "can_void": can_void,
        "may_not_void": all(r["can_void"] for r in rows) and not can_void,
    }


def split_form(
    user,
    order,
    lines,
    held,
    *,
    data=None,
    error=None,
    bad_lines=(),
    is_open=False,
    merged_into=(),
    live=(),
) -> dict | None:
    """Context for ``orders/_split.html``, or None when this user may not split this order.

    ``held``: {(sku_id, warehouse_id): units} this order holds now; a split releases them
    first, so they count as available to it. ``data``: the form as the user left it.
    ``merged_into``: open merged parcels the order is in (a split cancels them).
    ``live``: the live shipments carrying the order (``repacking.consequences``): splitting
    then voids them first (see the module docstring).
    """
    if not can_split(user, order, lines):
        return None
    warehouses = list(warehouses_for(user).filter(is_active=True).order_by("priority", "code"))
    wh_ids = [w.pk for w in warehouses]
    available = available_map({line.sku_id for line in lines}, wh_ids)
    for key, qty in held.items():
        available[key] = available.get(key, 0) + qty
    n = part_count(data)
    values: dict[str, str] = {}
    if data is not None:
        values = {k: str(v) for k, v in data.items() if k.startswith(("wh_", "qty_"))}
    used: list[int] = []
    parts = []
    for p in range(n):
        chosen = int_or_none(values.get(f"wh_{p}"))
        if chosen not in wh_ids:
            chosen = _default_warehouse(order, wh_ids, used, first=p == 0)
        used.append(chosen)
        parts.append({"index": p, "number": p + 1, "field": f"wh_{p}", "warehouse_id": chosen})
    rows = []
    for line in lines:
        cells = []
        for p in range(n):
            name = f"qty_{p}_{line.pk}"
            if data is None:
                value = str(line.quantity) if p == 0 else ""
            else:
                value = values.get(name, "")
            cells.append({"field": name, "value": value})
        placed = sum(
            int(c["value"]) for c in cells if c["value"].isascii() and c["value"].isdigit()
        )
        rows.append(
            {
                "line": line,
                "cells": cells,
                "left": line.quantity - placed,
                "stock": [(w.code, available.get((line.sku_id, w.pk), 0)) for w in warehouses],
                "bad": line.pk in bad_lines,
            }
        )
    return {
        "parts": parts,
        "n_parts": n,
        "can_add": n < MAX_PARTS,
        "warehouses": warehouses,
        "rows": rows,
        "error": error,
        "open": is_open or bool(error),
        "merged_into": list(merged_into),
        "void": void_plan(user, list(live)),
        "hint": _(
            "Put every unit of every line into exactly one parcel. Each parcel ships from its "
            "own warehouse; parcels left empty are ignored."
        ),
    }


def _default_warehouse(order, wh_ids: list[int], used: list[int], *, first: bool) -> int | None:
    if not wh_ids:
        return None
    if first and order.warehouse_id in wh_ids:
        return order.warehouse_id
    for pk in wh_ids:
        if pk not in used:
            return pk
    return wh_ids[0]
