"""The set-based writer of an order import: one chunk of normalized orders per transaction.

Per chunk one read of the existing orders, one of the SKU mappings not seen before, one of
possible duplicates, then one COPY (PostgreSQL) or a few multi-row INSERTs (SQLite) each for
orders, lines and state events; after the commit, the review of the chunk's new and changed
orders (``review.review_orders``). The same order again (same ``content_hash``) writes
nothing; a changed order still in pending review, pending contact or approved is updated
(fields and lines replaced, moved back to pending review, one audit row each); a changed order
further along is kept as it is and reported with the error code ``locked_status``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal
from operator import itemgetter
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from tradelane.catalog.models import Sku
from tradelane.core import audit
from tradelane.core.bulk import insert_rows, select_in, update_rows
from tradelane.core.models import AuditLog, StateEvent
from tradelane.core.states import bulk_transition, entity_label

from ..models import Order, OrderLine, PackageLine, StoreSkuMapping
from ..review import review_orders
from ..states import REVIEWABLE_STATES, TRANSITIONS
from ..states import OrderStatus as S
from .normalizing import _Q4, DATA_FIELDS
from .report import CREATED, REJECTED, UNCHANGED, UPDATED, ImportReport, _err

ANALYZE_AFTER = 5000  # PostgreSQL: orders created before the planner statistics are renewed
IN_BATCH = 900  # values per SQL IN list (SQLite's historic variable limit is 999)
_UPDATABLE = frozenset(REVIEWABLE_STATES)
_ORDER = entity_label(Order)

_INSERT_FIELDS = (
    "store", "external_id", "status", "source", *DATA_FIELDS, "review", "shortage",
    "fingerprint", "content_hash", "created_at", "updated_at",
)  # fmt: skip
_UPDATE_FIELDS = (
    *DATA_FIELDS, "review", "reviewed_at", "shortage", "fingerprint", "content_hash",
    "updated_at",
)  # fmt: skip
# DATA_FIELDS after placed_at, read from a normalized order in one call
assert DATA_FIELDS[:2] == ("number", "placed_at")
_DATA_AFTER_PLACED = itemgetter(*DATA_FIELDS[2:])
_LINE_FIELDS = (
    "order", "line_no", "store_sku", "store_quantity", "title", "sku", "quantity", "unit_price",
)  # fmt: skip
_EVENT_FIELDS = (
    "entity", "object_id", "field", "from_state", "to_state", "actor", "reason", "created_at",
)  # fmt: skip


# --- SKU mapping ----------------------------------------------------------------------------


Components = tuple[tuple[int, int], ...]  # ((sku_id, quantity per store unit), ...)


def _in_batches(values: Iterable, size: int = IN_BATCH) -> Iterator[list]:
    values = list(values)
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


class _Mappings:
    """(store_id, store_sku) -> components; looked up once per import run for each store SKU.

    A store SKU with mapping rows maps to them (several rows: a bundle); without any, a store
    SKU equal to one of our SKU codes maps to it 1:1; otherwise it stays unmapped (``()``).
    """

    def __init__(self) -> None:
        self.known: dict[tuple[int, str], Components] = {}

    LIMIT = 200_000  # distinct store SKUs remembered; a file of random SKUs starts over

    def load(self, keys: set[tuple[int, str]]) -> None:
        missing = keys - self.known.keys()
        if not missing:
            return
        if len(self.known) + len(missing) > self.LIMIT:
            self.known = {key: value for key, value in self.known.items() if key in keys}
        found: dict[tuple[int, str], list[tuple[int, int]]] = defaultdict(list)
        by_store: dict[int, set[str]] = defaultdict(set)
        for store_id, store_sku in missing:
            by_store[store_id].add(store_sku)
        sql = (
            f"SELECT store_sku, sku_id, quantity FROM {_table(StoreSkuMapping)} "
            "WHERE store_id = %s AND store_sku {} ORDER BY id"
        )
        for store_id, skus in by_store.items():
            for store_sku, sku_id, qty in select_in(sql, [store_id], sorted(skus)):
                found[(store_id, store_sku)].append((sku_id, qty))
        direct_codes = {key[1] for key in missing if key not in found}
        sql = f"SELECT code, id FROM {_table(Sku)} WHERE code {{}}"
        direct = dict(select_in(sql, [], sorted(direct_codes)))
        for key in missing:
            if key in found:
                self.known[key] = tuple(found[key])
            elif key[1] in direct:
                self.known[key] = ((direct[key[1]], 1),)
            else:
                self.known[key] = ()


def expand_lines(
    lines: list[tuple[str, str, int, Decimal]], components_of: Callable[[str], Components]
) -> list[tuple[int, str, int, str, int | None, int, Decimal]]:
    """Store lines -> our lines (line_no, store_sku, store_qty, title, sku_id, qty, unit_price).

    A bundle becomes one line per component with quantity = store quantity x component
    quantity; the store line's unit price is split evenly over the bundle's units (4 decimal
    places, rounded down) and the remainder goes to the first component, so the line's value
    is kept exactly whenever the first component has one unit per bundle (else to within
    0.0001 per unit).
    """
    out = []
    line_no = 0
    for store_sku, title, qty, price in lines:
        comps = components_of(store_sku)
        if not comps:
            line_no += 1
            out.append((line_no, store_sku, qty, title, None, qty, price))
            continue
        if len(comps) == 1 and comps[0][1] == 1:
            line_no += 1
            out.append((line_no, store_sku, qty, title, comps[0][0], qty, price))
            continue
        units = sum(q for _, q in comps)
        base = (price / units).quantize(_Q4, rounding=ROUND_DOWN)
        remainder = price - base * units
        for i, (sku_id, per) in enumerate(comps):
            unit = base
            if i == 0 and remainder:
                unit = (base + remainder / per).quantize(_Q4, rounding=ROUND_HALF_UP)
            line_no += 1
            out.append((line_no, store_sku, qty, title, sku_id, qty * per, unit))
    return out


# --- writing one chunk ----------------------------------------------------------------------


class _Statistics:
    """Keep PostgreSQL's planner statistics of the order tables up to date during a big import.

    The PostgreSQL manual advises running ANALYZE after loading much data ("Populating a
    Database"). Without it a table that grew from a few rows to many within minutes (before
    autovacuum looks at it) is still planned as tiny: lookups by (store, external id) or by
    id list then go through the store or status index and read every order of the store or
    status, chunk after chunk, and the import and the review right after it slow down with
    the table's size. So each time the orders created by this run reach the table's size at
    the last ANALYZE (at least ``ANALYZE_AFTER`` orders), the order tables are analyzed again:
    a handful of times for a very large import, each a sampled read of about a second at most.
    """

    TABLES = (Order, OrderLine)

    def __init__(self) -> None:
        self.enabled = connection.vendor == "postgresql"
        self.since = 0
        self.size = 0
        if self.enabled:
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT GREATEST(reltuples, 0) FROM pg_class WHERE oid = %s::regclass",
                    [Order._meta.db_table],
                )
                row = cursor.fetchone()
                self.size = int(row[0]) if row else 0

    def grew(self, created: int) -> None:
        if not self.enabled or not created:
            return
        self.since += created
        if self.since < max(ANALYZE_AFTER, self.size):
            return
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE " + ", ".join(_table(m) for m in self.TABLES))
        self.size += self.since
        self.since = 0


@dataclass
class _Context:
    actor: Any
    source: str
    stores: dict
    mappings: _Mappings
    report: ImportReport
    review: bool  # review wanted
    can_review: bool  # ... and the actor may review
    stats: _Statistics


def _flush(ctx: _Context, pending: list[tuple[int, dict]], refused: list[dict]) -> int:
    """Write one chunk in one transaction (retried once if a concurrent import raced us)."""
    written: list[tuple] = []
    review_ids: list[int] = []
    if pending:
        for attempt in (1, 2):
            try:
                with transaction.atomic():
                    written, review_ids = _write_chunk(ctx, pending)
                break
            except IntegrityError:
                if attempt == 2:
                    raise
    report = ctx.report
    created_before = report.created
    if not refused:
        for row in written:
            report.add_written(*row)
    else:  # in row order with their rejected neighbours
        merged = [(row[0], row) for row in written] + [(e["row"], e) for e in refused]
        merged.sort(key=itemgetter(0))
        for _, item in merged:
            if item.__class__ is dict:
                report.add(item)
            else:
                report.add_written(*item)
    ctx.stats.grew(report.created - created_before)
    if review_ids:
        tally = ctx.report.review
        if ctx.can_review:
            for key, value in review_orders(ctx.actor, review_ids).items():
                tally[key] = tally.get(key, 0) + value
        elif ctx.review:
            tally["skipped_no_permission"] = tally.get("skipped_no_permission", 0) + len(review_ids)
    return len(pending) + len(refused)


def _write_chunk(ctx: _Context, pending: list[tuple[int, dict]]) -> tuple[list[tuple], list[int]]:
    """Write the chunk's orders; return (row, normalized, result, errors, order id) per order
    in row order, and the ids of the orders to review."""
    now = timezone.now()
    actor_id = ctx.actor.pk if getattr(ctx.actor, "pk", None) else None

    # 1. what exists already
    by_store: dict[int, list[str]] = defaultdict(list)
    for _, norm in pending:
        by_store[norm["store_id"]].append(norm["external_id"])
    existing: dict[tuple[int, str], tuple[int, str, str]] = {}
    sql = (
        f"SELECT external_id, id, status, content_hash FROM {_table(Order)} "
        "WHERE store_id = %s AND external_id {}"
    )
    for store_id, external_ids in by_store.items():
        for ext, pk, status, chash in select_in(sql, [store_id], external_ids):
            existing[(store_id, ext)] = (pk, status, chash)

    new: list[tuple[int, dict]] = []
    changed: list[tuple[int, dict, int]] = []
    results: dict[int, tuple[str, list, int | None]] = {}  # row -> result, errors, order id
    review_ids: list[int] = []
    for n, norm in pending:
        found = existing.get((norm["store_id"], norm["external_id"]))
        if found is None:
            new.append((n, norm))
        elif found[2] == norm["content_hash"]:
            results[n] = (UNCHANGED, [], found[0])
            if found[1] == S.PENDING_REVIEW:  # never reviewed (an earlier run stopped short)
                review_ids.append(found[0])
        elif found[1] in _UPDATABLE:
            changed.append((n, norm, found[0]))
        else:
            results[n] = (UNCHANGED, [_locked(found[1])], found[0])

    # 2. orders placed later with the same buyer, address and items may now be duplicates
    # (asked before the new rows exist, so that only other orders come back: usually none)
    fresh = [norm for _, norm in new] + [norm for _, norm, _ in changed]
    siblings = _later_siblings(fresh, {pk for _, _, pk in changed}) if fresh else []

    # 3. SKU mappings of the lines we are about to write
    ctx.mappings.load({(norm["store_id"], line[0]) for norm in fresh for line in norm["lines"]})
    # our lines of each order; a bundle multiplies a line's quantity: refuse an order whose
    # lines would not fit
    expanded: dict[int, list[tuple]] = {}
    oversized = set()
    for item in (*new, *changed):
        n = item[0]
        rows = expanded[n] = _expanded(ctx, item[1])
        for row in rows:
            if row[5] > MAX_LINE_UNITS:
                oversized.add(n)
                break
    if oversized:
        for n, *_ in (*new, *changed):
            if n in oversized:
                results[n] = (REJECTED, [_too_many_units()], None)
        new = [item for item in new if item[0] not in oversized]
        changed = [item for item in changed if item[0] not in oversized]

    # 4. changed orders: replace fields and lines, back to pending review, audit each
    if changed:
        not_updated = _update_orders(ctx, changed, expanded, now, actor_id)
        for n, _, pk in changed:
            if pk not in not_updated:
                results[n] = (UPDATED, [], pk)
                review_ids.append(pk)
            elif not_updated[pk] == "same":  # someone imported the same change meanwhile
                results[n] = (UNCHANGED, [], pk)
            else:
                results[n] = (UNCHANGED, [_locked(not_updated[pk])], pk)

    # 5. new orders, their lines and their first state event
    if new:
        ids = _insert_orders(ctx, new, expanded, now, actor_id)
        for n, norm in new:
            pk = ids[(norm["store_id"], norm["external_id"])]
            results[n] = (CREATED, [], pk)
            review_ids.append(pk)

    seen = set(review_ids)
    review_ids.extend(pk for pk in siblings if pk not in seen)

    return [(n, norm, *results[n]) for n, norm in pending], review_ids


MAX_LINE_UNITS = 2_147_483_647  # OrderLine.quantity, an integer column (PostgreSQL's range)


def _expanded(ctx: _Context, norm: dict) -> list[tuple]:
    """``expand_lines`` of one order with the run's known mappings: lines without a mapping or
    with a 1:1 one directly, an order with a bundle through ``expand_lines``."""
    known = ctx.mappings.known
    store_id = norm["store_id"]
    lines = norm["lines"]
    out = []
    for store_sku, title, qty, price in lines:
        comps = known.get((store_id, store_sku), ())
        if not comps:
            out.append((len(out) + 1, store_sku, qty, title, None, qty, price))
        elif len(comps) == 1 and comps[0][1] == 1:
            out.append((len(out) + 1, store_sku, qty, title, comps[0][0], qty, price))
        else:
            return expand_lines(lines, lambda s: known.get((store_id, s), ()))
    return out


def _too_many_units() -> dict:
    return _err(
        "lines",
        "quantity_too_large",
        f"With its bundles the order has a line of more than {MAX_LINE_UNITS} units",
    )


def _locked(status: str) -> dict:
    if status == "packed":
        return _err("", "locked_status", "The order is in a package; the changes were not applied")
    if status == "deleted":
        return _err("", "conflict", "The order was deleted meanwhile; the changes were not applied")
    return _err(
        "",
        "locked_status",
        f"The order is {status.replace('_', ' ')}; the changes were not applied",
    )


def _order_values(norm: dict, now: datetime) -> list:
    values = [norm[name] for name in DATA_FIELDS]
    if values[1] is None:  # placed_at
        values[1] = now
    return values


def _insert_orders(ctx, new, expanded, now, actor_id) -> dict[tuple[int, str], int]:
    ops = connection.ops
    stamp = ops.adapt_datetimefield_value(now)
    empty = Order._meta.get_field("review").get_db_prep_save([], connection)
    pending, source = S.PENDING_REVIEW, ctx.source
    rest = _DATA_AFTER_PLACED
    adapt = ops.adapt_datetimefield_value
    # SQLite keeps a datetime as the text of its naive UTC value (str() of it): normalizing
    # made its ISO form in UTC for the content hash; with a blank for the "T" and without the
    # "+00:00" it is that text
    as_text = connection.vendor == "sqlite" and connection.timezone == UTC

    def order_rows():
        for _, norm in new:
            placed = norm["placed_at"]
            if not placed:
                placed = stamp
            elif as_text:
                iso = norm["placed_at_utc"]
                placed = f"{iso[:10]} {iso[11:-6]}"
            else:
                placed = adapt(placed)
            yield (
                norm["store_id"], norm["external_id"], pending, source, norm["number"],
                placed, *rest(norm),
                empty, empty, norm["fingerprint"], norm["content_hash"], stamp, stamp,
            )  # fmt: skip

    insert_rows(Order, _INSERT_FIELDS, order_rows(), prepared=True)
    by_store: dict[int, list[str]] = defaultdict(list)
    for _, norm in new:
        by_store[norm["store_id"]].append(norm["external_id"])
    ids: dict[tuple[int, str], int] = {}
    sql = f"SELECT external_id, id FROM {_table(Order)} WHERE store_id = %s AND external_id {{}}"
    for store_id, external_ids in by_store.items():
        for ext, pk in select_in(sql, [store_id], external_ids):
            ids[(store_id, ext)] = pk
    order_ids = [ids[(norm["store_id"], norm["external_id"])] for _, norm in new]
    insert_rows(
        OrderLine,
        _LINE_FIELDS,
        ((pk, *row) for (n, _), pk in zip(new, order_ids, strict=True) for row in expanded[n]),
        prepared=True,
    )
    insert_rows(
        StateEvent,
        _EVENT_FIELDS,
        ((_ORDER, pk, "status", "", pending, actor_id, "imported", stamp) for pk in order_ids),
        prepared=True,
    )
    return ids


def _update_orders(ctx, changed, expanded, now, actor_id) -> dict[int, str]:
    """Apply the changed orders that may still change; return {id: why not} of the others.

    Re-reads the orders under a row lock (PostgreSQL) and checks again that each is still
    reviewable, still has another content hash, and is in no package.
    """
    ids = [pk for _, _, pk in changed]
    qs = Order.objects.filter(pk__in=ids)
    if connection.features.has_select_for_update:
        qs = qs.select_for_update()
    old = {row["id"]: row for row in qs.values("id", "status", "content_hash", *DATA_FIELDS)}
    packed = set(
        PackageLine.objects.filter(order_line__order_id__in=ids).values_list(
            "order_line__order_id", flat=True
        )
    )
    old_lines: dict[int, list[str]] = defaultdict(list)
    for order_id, store_sku, store_qty in (
        OrderLine.objects.filter(order_id__in=ids)
        .order_by("order_id", "line_no")
        .values_list("order_id", "store_sku", "store_quantity")
    ):
        text = f"{store_sku} x{store_qty}"
        if not old_lines[order_id] or old_lines[order_id][-1] != text:
            old_lines[order_id].append(text)

    todo = []
    refused: dict[int, str] = {}
    for n, norm, pk in changed:
        row = old.get(pk)
        if row is None:
            refused[pk] = "deleted"
        elif row["content_hash"] == norm["content_hash"]:
            refused[pk] = "same"
        elif row["status"] not in _UPDATABLE:
            refused[pk] = row["status"]
        elif pk in packed:
            refused[pk] = "packed"
        else:
            todo.append((norm, pk, row, expanded[n]))
    if not todo:
        return refused

    empty: list = []
    values = []
    audit_rows = []
    moves: dict[str, list[int]] = defaultdict(list)
    for norm, pk, row, _ in todo:
        new_values = _order_values(norm, now)
        if norm["placed_at"] is None:  # keep the old time when the file gives none
            new_values[1] = row["placed_at"]
        values.append(
            (*new_values, empty, None, empty, norm["fingerprint"], norm["content_hash"], now, pk)
        )
        changes = {
            name: [row[name], value]
            for name, value in zip(DATA_FIELDS, new_values, strict=True)
            if row[name] != value
        }
        new_lines = []
        for store_sku, _, qty, _ in norm["lines"]:
            text = f"{store_sku} x{qty}"
            if not new_lines or new_lines[-1] != text:
                new_lines.append(text)
        if new_lines != old_lines.get(pk, []):
            changes["lines"] = [old_lines.get(pk, []), new_lines]
        audit_rows.append(
            AuditLog(
                actor_id=actor_id,
                action="orders.order.import_update",
                entity=_ORDER,
                object_id=str(pk),
                changes=audit._jsonable(changes),
                created_at=now,
            )
        )
        if row["status"] != S.PENDING_REVIEW:
            moves[row["status"]].append(pk)

    update_rows(Order, _UPDATE_FIELDS, values)
    updated_ids = [pk for _, pk, _, _ in todo]
    for part in _in_batches(updated_ids):
        OrderLine.objects.filter(order_id__in=part).delete()
    insert_rows(
        OrderLine,
        _LINE_FIELDS,
        ((pk, *line) for _, pk, _, lines in todo for line in lines),
        prepared=True,
    )
    for from_state, move_ids in moves.items():
        bulk_transition(
            Order,
            move_ids,
            from_state,
            S.PENDING_REVIEW,
            table=TRANSITIONS,
            actor=ctx.actor,
            reason="re-imported with changes",
        )
    AuditLog.objects.bulk_create(audit_rows)
    return refused


def _later_siblings(fresh: list[dict], already: set[int]) -> list[int]:
    """Reviewable orders sharing a fingerprint with ``fresh`` and placed after one of them.

    The duplicate rule flags the later of two equal orders; when an import brings in the
    earlier one, the later one (already reviewed, possibly in an earlier chunk) needs another
    look. Usually none.
    """
    earliest: dict[str, datetime | None] = {}
    for norm in fresh:
        fp, placed = norm["fingerprint"], norm["placed_at"]
        if fp not in earliest:
            earliest[fp] = placed
        elif placed is not None and (earliest[fp] is None or placed < earliest[fp]):
            earliest[fp] = placed
    sql = f"SELECT id, fingerprint, placed_at, status FROM {_table(Order)} WHERE fingerprint {{}}"
    out = []
    for pk, fp, placed_at, status in select_in(sql, [], earliest):
        if pk in already or status not in _UPDATABLE:
            continue
        first = earliest[fp]
        if first is not None:
            if isinstance(placed_at, str):  # SQLite: naive UTC text
                placed_at = datetime.fromisoformat(placed_at)
            if timezone.is_naive(placed_at):
                placed_at = placed_at.replace(tzinfo=UTC)
            if placed_at < first:
                continue
        out.append(pk)
    return out
