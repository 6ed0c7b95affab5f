"""The split form on the order page: the order's lines as rows, the parts (parcels) as columns,
each part with its warehouse and a quantity per line.

Field names: ``parts`` (how many columns), ``wh_<part>`` (a warehouse id) and
``qty_<part>_<line id>`` (units of that line in that part; blank is 0). Parts left empty are
ignored, so a user may add a column and not use it.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from tradelane.accounts.roles import P
from tradelane.core.errors import ValidationFailed
from tradelane.inventory.selectors import available_map, warehouses_for
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
) -> dict | None:
    """Context for ``orders/_split.html``, or None when this user may not split this order.

    ``held``: {(sku_id, warehouse_id): units} this order holds now; a split releases them
    first, so they count as available to it. ``data``: the form as the user left it.
    ``merged_into``: open merged parcels the order is in (a split cancels them).
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
