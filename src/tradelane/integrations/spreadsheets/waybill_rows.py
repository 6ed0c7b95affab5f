"""The waybill entity of an upload: rows -> the waybill dicts of
``forwarding.waybills.validation.parse`` -> ``forwarding.waybills.services.create_waybills``
(the one waybill writer), 500 at a time; the per-row report points every error at its row and
column. Units are converted at the edge: kg to grams, cm to millimetres; ``pieces`` identical
pieces share the weight (the first ones take the odd grams) and the size.

The customer: a customer's portal user always uploads for its own account (a ``customer``
cell naming another is refused as not found); staff name it per row or as a default.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from tradelane.core.errors import DomainError
from tradelane.core.units import to_grams, to_mm
from tradelane.forwarding.partners import scoping
from tradelane.forwarding.waybills import services as waybills
from tradelane.forwarding.waybills.models import WaybillSource

CREATED, REJECTED = "created", "rejected"
_TRUE = {"1", "true", "yes", "y", "是", "有", "带电", "带磁", "√", "✓", "t"}
_ADDRESS = ("name", "company", "phone", "email", "address1", "address2", "city", "state",
            "postcode", "country")  # fmt: skip
_ITEM = ("name_en", "name_zh", "quantity", "unit_value", "currency", "hs_code", "origin",
         "material", "sku", "sales_url")  # fmt: skip
# error field of the waybill dict -> the upload's field (and so its column)
_BACK = {"pieces": "weight_kg", "items": "item_name_en", "reference": "reference",
         "channel": "channel"}  # fmt: skip


def _group(numbered: Iterable[tuple[int, dict]]) -> Iterator[tuple[list[int], dict, list[dict]]]:
    """Rows of one (customer, reference), in the order of their first row."""
    groups: dict[tuple[str, str], tuple[list[int], dict, list[dict]]] = {}
    for n, m in numbered:
        key = (m.get("customer", "").strip().upper(), m.get("reference", "").strip())
        if key not in groups:
            groups[key] = ([], m, [])
        rows, _first, lines = groups[key]
        rows.append(n)
        lines.append(m)
    yield from groups.values()


def _kg(value: str, where: str, errors: list[dict]) -> int:
    try:
        return to_grams(value or "0", "kg")
    except DomainError as exc:
        errors.append({"field": where, "code": exc.code, "message": exc.message})
        return 0


def _cm(value: str, where: str, errors: list[dict]) -> int:
    try:
        return to_mm(value or "0", "cm")
    except DomainError as exc:
        errors.append({"field": where, "code": exc.code, "message": exc.message})
        return 0


def payload(first: dict, lines: list[dict]) -> tuple[dict, list[dict]]:
    """The waybill dict of one group of rows, and the unit errors found on the way."""
    errors: list[dict] = []
    weight = _kg(first.get("weight_kg", ""), "weight_kg", errors)
    raw_pieces = (first.get("pieces") or "1").strip()
    count = int(raw_pieces) if raw_pieces.isdigit() and 0 < int(raw_pieces) <= 99 else 0
    if not count:
        errors.append({"field": "pieces", "code": "out_of_range",
                       "message": "pieces is a whole number from 1 to 99"})  # fmt: skip
        count = 1
    size = {f"{side}_mm": _cm(first.get(f"{side}_cm", ""), f"{side}_cm", errors)
            for side in ("length", "width", "height")}  # fmt: skip
    share, odd = divmod(weight, count)
    pieces = [{"weight_g": share + (1 if i < odd else 0), **size} for i in range(count)]
    items = []
    for m in lines:
        item = {key: m.get(f"item_{key}", "") for key in _ITEM}
        unit_weight = m.get("item_unit_weight_kg", "")
        item["unit_weight_g"] = (
            _kg(unit_weight, "item_unit_weight_kg", errors) if unit_weight else 0
        )
        for flag in ("battery", "liquid", "magnet"):
            item[flag] = (m.get(flag) or "").strip().lower() in _TRUE
        items.append(item)
    data = {
        "reference": first.get("reference", ""),
        "channel": first.get("channel", ""),
        "consignee": {key: first.get(f"consignee_{key}", "") for key in _ADDRESS},
        "pieces": pieces,
        "items": items,
        **{key: first.get(key, "") for key in ("incoterm", "ioss", "vat_number", "eori",
                                               "insurance_value", "insurance_currency", "note")},
    }  # fmt: skip
    return data, errors


def _field(name: str, rows: list[int]) -> tuple[str, int]:
    """``consignee.phone`` -> ("consignee_phone", first row); ``items[1].hs_code`` ->
    ("item_hs_code", second row of the waybill); ``pieces[0].weight_g`` -> weight_kg."""
    if name.startswith("items[") and "]." in name:
        index, _, key = name[6:].partition("].")
        i = int(index) if index.isdigit() else 0
        suffix = "unit_weight_kg" if key == "unit_weight_g" else key
        return f"item_{suffix}", rows[min(i, len(rows) - 1)]
    if name.startswith("consignee."):
        return "consignee_" + name.split(".", 1)[1], rows[0]
    if name.startswith("pieces"):
        return "weight_kg", rows[0]
    return _BACK.get(name, name), rows[0]


def import_rows(actor, numbered, mapping, *, write: bool, report, tick, entry, all_or_nothing):
    """One pass of an upload (see ``spreadsheets.services``): check only, or write."""
    # the groups that passed the unit checks, each (rows, waybill dict, customer); a group
    # with errors is reported at once and never batched
    batch: list[tuple[list[int], dict, object]] = []

    def flush() -> None:
        by_customer: dict[int, list] = {}
        for item in batch:
            by_customer.setdefault(item[2].pk, []).append(item)
        for items in by_customer.values():
            results = waybills.create_waybills(
                actor, items[0][2], [data for _r, data, _c in items],
                source=WaybillSource.UPLOAD, all_or_nothing=False, check_only=not write,
            )  # fmt: skip
            for (rows, data, _c), result in zip(items, results, strict=True):
                outcome = "unchanged" if result.result == "existing" else result.result
                _report(report, entry, mapping, rows, data["reference"], outcome, result.errors)
        batch.clear()

    count = 0
    for rows, first, lines in _group(numbered):
        count += len(rows)
        data, errors = payload(first, lines)
        try:
            customer = scoping.acting_customer(actor, first.get("customer", "").strip() or None)
        except DomainError as exc:
            errors.append({"field": "customer", "code": exc.code, "message": exc.message})
            _report(report, entry, mapping, rows, data["reference"], REJECTED, errors)
            continue
        if errors:
            _report(report, entry, mapping, rows, data["reference"], REJECTED, errors)
            continue
        batch.append((rows, data, customer))
        if len(batch) >= waybills.MAX_BATCH:
            flush()
            tick(count)
            count = 0
    flush()
    tick(count)


def _report(report, entry, mapping, rows, reference, outcome, errors) -> None:
    placed = []
    for err in errors:
        name, row = _field(str(err.get("field") or ""), rows)
        placed.append({"field": name, "code": err["code"], "message": err["message"], "row": row})
    report.add(entry(rows[0], reference, outcome, placed, mapping))


EXPORT_EXTRA = ("number", "status", "tracking_number", "last_mile_carrier", "last_mile_number",
                "chargeable_weight_kg", "price", "price_currency", "created_at")  # fmt: skip


def export_rows(user, *, status: str = "", date_from=None, date_to=None) -> Iterator[dict]:
    """One row per goods line of the waybills in the user's scope, in the upload's columns
    (so a file can be edited and uploaded again) plus the provider's numbers and price."""
    from tradelane.core.units import grams_to_kg, mm_to_cm
    from tradelane.forwarding.waybills import selectors

    qs = selectors.search(user, status=status, created_from=date_from, created_to=date_to)
    qs = qs.prefetch_related("items", "piece_rows")
    for w in qs.iterator(chunk_size=500):
        pieces = list(w.piece_rows.all())
        first = pieces[0] if pieces else None
        head = {
            "customer": w.customer.code, "reference": w.reference, "channel": w.channel.code,
            **{f"consignee_{k}": getattr(w, f"consignee_{k}") for k in _ADDRESS},
            "pieces": w.pieces, "weight_kg": grams_to_kg(w.forecast_weight_g),
            "length_cm": mm_to_cm(first.length_mm) if first else None,
            "width_cm": mm_to_cm(first.width_mm) if first else None,
            "height_cm": mm_to_cm(first.height_mm) if first else None,
            "incoterm": w.incoterm, "ioss": w.ioss, "vat_number": w.vat_number, "eori": w.eori,
            "insurance_value": w.insurance_value, "insurance_currency": w.insurance_currency,
            "note": w.note, "number": w.number, "status": w.status,
            "tracking_number": w.tracking_number, "last_mile_carrier": w.last_mile_carrier,
            "last_mile_number": w.last_mile_number,
            "chargeable_weight_kg": grams_to_kg(w.chargeable_weight_g),
            "price": selectors.money_text(w.sale_amount, w.sale_currency),
            "price_currency": w.sale_currency, "created_at": w.created_at,
        }  # fmt: skip
        for it in w.items.all():
            yield {
                **head,
                **{f"item_{k}": getattr(it, k) for k in _ITEM},
                "item_unit_weight_kg": grams_to_kg(it.unit_weight_g) if it.unit_weight_g else None,
                "battery": it.battery, "liquid": it.liquid, "magnet": it.magnet,
            }  # fmt: skip
