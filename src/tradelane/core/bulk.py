"""Set-based writes for hot paths (allocation, import, bulk transitions).

Django's ``bulk_create`` builds a model object per row and compiles every value through the
full query compiler: about 60 µs a row, which dominates a 100,000-order run. ``insert_rows``
writes rows with one COPY on PostgreSQL and multi-row ``INSERT ... VALUES`` statements sent
with ``executemany`` elsewhere; values are prepared by each field's own ``get_db_prep_save``
(so dates, JSON and decimals are stored exactly as the ORM would) unless the caller says they
already are.
"""

from __future__ import annotations

import gc
import json
import threading
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from decimal import Decimal

from django.db import connection, models
from django.db.backends.base.operations import BaseDatabaseOperations

# Plain ints and strings need no preparation; dates, decimals and JSON do.
_SIMPLE = (
    models.AutoField,
    models.BigIntegerField,
    models.IntegerField,
    models.CharField,
    models.TextField,
    models.ForeignKey,
    models.BooleanField,
)


def _keeps_decimals() -> bool:
    """Whether the backend stores a ``Decimal`` as given (``DecimalField`` then only checks
    that it is finite: ``to_python`` makes an equal copy)."""
    ops = type(connection.ops)
    return ops.adapt_decimalfield_value is BaseDatabaseOperations.adapt_decimalfield_value


def _prepared(columns: list, rows: Iterable[Sequence]) -> Iterator[Sequence]:
    fields = {i: f for i, f in enumerate(columns) if not isinstance(f, _SIMPLE)}
    if not fields:
        yield from rows
        return
    plain = {i for i, f in fields.items() if isinstance(f, models.DecimalField)}
    if not _keeps_decimals():
        plain = set()
    # Most rows share one timestamp: remember the last value prepared per column.
    last: dict[int, tuple[object, object]] = {}
    for row in rows:
        row = list(row)
        for i, field in fields.items():
            value = row[i]
            if i in plain and (value is None or (type(value) is Decimal and value.is_finite())):
                continue
            hit = last.get(i)
            if hit is not None and hit[0] is value:
                row[i] = hit[1]
            else:
                row[i] = field.get_db_prep_save(value, connection)
                last[i] = (value, row[i])
        yield row


def insert_rows(
    model: type[models.Model],
    fields: Sequence[str],
    rows: Iterable[Sequence],
    *,
    prepared: bool = False,
) -> int:
    """Insert ``rows`` (tuples in the order of ``fields``, FK fields by their ``_id``).

    ``prepared=True``: the values are already in the database's form (strings, ints,
    Decimals, datetimes from ``connection.ops``, JSON dumped once). Returns the row count.
    """
    meta = model._meta
    columns = [meta.get_field(name) for name in fields]
    quote = connection.ops.quote_name
    table = quote(meta.db_table)
    names = ", ".join(quote(f.column) for f in columns)
    if not prepared:
        rows = _prepared(columns, rows)
    total = 0
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # One COPY: no SQL text to build, parse or plan per row.
            with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
                    total += 1
            return total
        width = len(columns)
        one = "({})".format(", ".join(["%s"] * width))
        per = max(1, min(100, (connection.features.max_query_params or 999) // width))
        head = f"INSERT INTO {table} ({names}) VALUES "
        full_sql = head + ", ".join([one] * per)
        group: list = []
        groups: list[list] = []
        n = 0
        for row in rows:
            group.extend(row)
            n += 1
            total += 1
            if n == per:
                groups.append(group)
                group, n = [], 0
                if len(groups) >= 50:
                    cursor.executemany(full_sql, groups)
                    groups = []
        if groups:
            cursor.executemany(full_sql, groups)
        if n:  # the last rows one by one: two statement texts per table in all
            cursor.executemany(
                head + one, [group[i : i + width] for i in range(0, n * width, width)]
            )
    return total


def update_rows(model: type[models.Model], fields: Sequence[str], rows: Iterable[Sequence]) -> None:
    """``UPDATE ... SET fields WHERE pk = %s`` per row (the values, then the pk), sent with
    ``executemany``; values are prepared by their fields as in ``insert_rows``."""
    meta = model._meta
    columns = [meta.get_field(name) for name in fields]
    quote = connection.ops.quote_name
    sql = "UPDATE {} SET {} WHERE {} = %s".format(
        quote(meta.db_table),
        ", ".join(f"{quote(f.column)} = %s" for f in columns),
        quote(meta.pk.column),
    )
    with connection.cursor() as cursor:
        cursor.executemany(sql, list(_prepared([*columns, meta.pk], rows)))


def _in_clause(values: list) -> tuple[str, object]:
    """``IN <values>`` as one parameter: a JSON array read by ``json_each`` on SQLite, an
    array for ``= ANY`` on PostgreSQL."""
    if connection.vendor == "postgresql":
        return "= ANY(%s)", values
    return "IN (SELECT value FROM json_each(%s))", json.dumps(values)


def off_index(column: str) -> str:
    """``column`` (quoted SQL) as a condition's operand that SQLite's planner does not search
    an index for: ``+column``. Without table statistics it prefers an index on a state column
    over the primary key, and reads every row in that state to find a few thousand by id."""
    return f"+{column}" if connection.vendor == "sqlite" else column


def _key(field, value):
    """A related object given for a foreign key (as ``QuerySet.update`` takes it): its key."""
    if field.is_relation and isinstance(value, models.Model):
        return getattr(value, field.target_field.attname)
    return value


def update_in(
    model: type[models.Model],
    values: Mapping[str, object],
    ids: Iterable[int],
    *,
    where: Mapping[str, object] | None = None,
) -> int:
    """``UPDATE ... SET values WHERE pk IN ids AND field = value ...`` in one statement, the
    ids as one parameter (as in ``select_in``); values prepared by their fields. Returns the
    number of rows changed.

    The ``where`` columns are kept off their indexes (``off_index``): the rows are found by
    their primary key.
    """
    ids = list(ids)
    if not ids:
        return 0
    meta = model._meta
    quote = connection.ops.quote_name
    sets, params = [], []
    for name, value in values.items():
        field = meta.get_field(name)
        sets.append(f"{quote(field.column)} = %s")
        params.append(field.get_db_prep_save(_key(field, value), connection))
    clause, param = _in_clause(ids)
    conditions = [f"{quote(meta.pk.column)} {clause}"]
    params.append(param)
    for name, value in (where or {}).items():
        field = meta.get_field(name)
        conditions.append(f"{off_index(quote(field.column))} = %s")
        params.append(field.get_db_prep_value(_key(field, value), connection))
    sql = "UPDATE {} SET {} WHERE {}".format(
        quote(meta.db_table), ", ".join(sets), " AND ".join(conditions)
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


def select_in(sql: str, params: list, values: Iterable) -> list[tuple]:
    """Run ``sql``, whose ``{}`` stands for "IN <values>", with the values as one parameter.

    One parameter (a JSON array read by ``json_each`` on SQLite, an array for ``= ANY`` on
    PostgreSQL) keeps the statement's text the same whatever the number of values: nothing
    for the driver to prepare again (SQLite keeps 128 prepared statements per connection,
    and one with 900 placeholders weighs hundreds of KB), no parameter limit, and no ORM
    compiling a lookup value by value (about 20 ms per 900 values).
    """
    values = list(values)
    if not values:
        return []
    clause, param = _in_clause(values)
    with connection.cursor() as cursor:
        cursor.execute(sql.format(clause), [*params, param])
        return cursor.fetchall()


def dense_range(ids: Sequence[int]) -> tuple[int, int] | None:
    """(lowest, highest) of ``ids`` when they fill at least half of that range, else None.

    A read of many ids (a review or allocation slice, usually consecutive) can then ask for
    ``id BETWEEN lowest AND highest`` and keep the rows whose id is in ``ids``: the same rows,
    without the ORM compiling an IN list value by value (about 20 ms per 900 values). Only
    for reads that lock nothing (a range would lock the rows between the ids too).
    """
    if not ids:
        return None
    low, high = min(ids), max(ids)
    return (low, high) if high - low + 1 <= 2 * len(ids) else None


_paused = 0
_paused_lock = threading.Lock()


@contextmanager
def collector_paused() -> Iterator[None]:
    """Run a bounded batch (a request's 500 waybills) without Python's cyclic garbage
    collector, then let it run again.

    Such a batch allocates some 100,000 short-lived containers (parsed fields, rows, model
    objects) that reference counting frees; they still trigger the collector, and each of its
    full passes walks every object of the process (the whole application, ~200,000 objects):
    a fifth of the batch's CPU time. Nested and concurrent uses keep it paused until the last
    one ends; it was off before, it stays off.
    """
    global _paused
    with _paused_lock:
        if _paused == 0 and not gc.isenabled():
            owner = False
        else:
            owner = True
            _paused += 1
            gc.disable()
    try:
        yield
    finally:
        if owner:
            with _paused_lock:
                _paused -= 1
                if _paused == 0:
                    gc.enable()
