"""Same-run baselines of benchmarks/orders.py: what the database driver alone takes to write the
rows the order import and the review + allocation wrote (see that script's doc)."""

from __future__ import annotations

import time

# --- same-run baselines ---------------------------------------------------------------------

# Scratch copies of the tables the import and the allocation write, named with this prefix:
# made (empty, with the same columns, constraints and indexes) in the benchmark's own database,
# filled by plain driver calls, and dropped again at the end of the run.
_SCRATCH = "bench_base_"


def baseline_tables() -> dict[str, str]:
    """{role: table name} of the tables the baselines copy."""
    from tradelane.core.models import StateEvent
    from tradelane.inventory.models import StockBalance, StockMovement
    from tradelane.orders.models import Order, OrderLine

    models = {"order": Order, "line": OrderLine, "event": StateEvent,
              "movement": StockMovement, "balance": StockBalance}  # fmt: skip
    return {role: m._meta.db_table for role, m in models.items()}


class PlainConnection:
    """A plain driver connection to the benchmark's database: ``sqlite3`` with the pragmas
    Tradelane's own connections use (WAL, synchronous=NORMAL, foreign keys on), or psycopg;
    ``copy`` writes rows with ``executemany`` (SQLite) or COPY (PostgreSQL)."""

    def __init__(self) -> None:
        from django.db import connection

        self.vendor = connection.vendor
        if self.vendor == "sqlite":
            import sqlite3

            self.conn = sqlite3.connect(connection.settings_dict["NAME"], isolation_level=None)
            for pragma in ("journal_mode=WAL", "synchronous=NORMAL", "foreign_keys=ON",
                           "busy_timeout=30000"):  # fmt: skip
                self.conn.execute(f"PRAGMA {pragma}")
        else:
            import psycopg

            params = connection.get_connection_params()
            params.pop("cursor_factory", None)
            params.pop("context", None)
            self.conn = psycopg.connect(**params, autocommit=True)
            # JSON columns come back as their text, to be written back as they were
            from psycopg.types.string import TextLoader

            for name in ("json", "jsonb"):
                self.conn.adapters.register_loader(name, TextLoader)
        self.mark = "?" if self.vendor == "sqlite" else "%s"

    def execute(self, sql: str, params=()):
        return self.conn.execute(sql, params)

    def columns(self, table: str) -> list[str]:
        cur = self.execute(f'SELECT * FROM "{table}" WHERE 1 = 0')
        return [d[0] for d in cur.description]

    def begin(self) -> None:
        self.execute("BEGIN IMMEDIATE" if self.vendor == "sqlite" else "BEGIN")

    def commit(self) -> None:
        self.execute("COMMIT")

    def copy(self, table: str, columns: list[str], rows: list) -> None:
        names = ", ".join(f'"{c}"' for c in columns)
        if self.vendor == "sqlite":
            marks = ", ".join("?" * len(columns))
            self.conn.executemany(f'INSERT INTO "{table}" ({names}) VALUES ({marks})', rows)
            return
        with self.conn.cursor() as cur, cur.copy(f'COPY "{table}" ({names}) FROM STDIN') as cp:
            for row in rows:
                cp.write_row(row)

    def execute_many(self, sql: str, rows: list) -> None:
        if not rows:
            return
        if self.vendor == "sqlite":
            self.conn.executemany(sql, rows)
        else:
            with self.conn.cursor() as cur:
                cur.executemany(sql, rows)

    def update(self, table: str, columns: list[str], key: str, rows: list) -> None:
        sets = ", ".join(f'"{c}" = {self.mark}' for c in columns)
        self.execute_many(f'UPDATE "{table}" SET {sets} WHERE "{key}" = {self.mark}', rows)

    def make_scratch(self, tables: dict[str, str]) -> None:
        """Empty copies of ``tables`` with the same columns, constraints and indexes."""
        import re

        if self.vendor == "postgresql":
            for table in tables.values():
                self.execute(f'DROP TABLE IF EXISTS "{_SCRATCH}{table}"')
                # INCLUDING ALL: defaults, identity, checks, indexes (not foreign keys)
                self.execute(f'CREATE TABLE "{_SCRATCH}{table}" (LIKE "{table}" INCLUDING ALL)')
            return
        names = list(tables.values())
        marks = ", ".join("?" * len(names))
        ddl = self.execute(
            f"SELECT type, sql FROM sqlite_master WHERE tbl_name IN ({marks}) AND sql IS NOT NULL "
            "ORDER BY type = 'index'",
            names,
        ).fetchall()
        for _kind, sql in ddl:
            for table in names:  # the copies refer to each other (lines -> orders)
                sql = sql.replace(f'"{table}"', f'"{_SCRATCH}{table}"')
            sql = re.sub(r'^(CREATE (?:UNIQUE )?INDEX )"', rf'\1"{_SCRATCH}', sql)
            self.execute(sql)

    def drop_scratch(self, tables: dict[str, str]) -> None:
        for table in reversed(list(tables.values())):
            self.execute(f'DROP TABLE IF EXISTS "{_SCRATCH}{table}"')

    def close(self) -> None:
        self.conn.close()


def _timed(clock: list[float], work) -> None:
    """Run ``work()``, adding its wall and CPU seconds to ``clock``."""
    t0, c0 = time.perf_counter(), time.process_time()
    work()
    clock[0] += time.perf_counter() - t0
    clock[1] += time.process_time() - c0


def baseline_import(plain: PlainConnection, tables: dict[str, str], chunk: int) -> dict:
    """The rows our import wrote (orders with their addresses, lines, first state events),
    read back ``chunk`` orders at a time (not timed) and written again into the empty scratch
    copies with plain executemany / COPY, one transaction per chunk (timed)."""
    from tradelane.core.states import entity_label
    from tradelane.orders.models import Order

    label = entity_label(Order)
    cols = {role: plain.columns(tables[role]) for role in ("order", "line", "event")}
    m = plain.mark
    clock = [0.0, 0.0]
    lo = 0
    while True:
        orders = plain.execute(
            f'SELECT * FROM "{tables["order"]}" WHERE id > {m} ORDER BY id LIMIT {m}', (lo, chunk)
        ).fetchall()
        if not orders:
            break
        hi = orders[-1][cols["order"].index("id")]
        lines = plain.execute(
            f'SELECT * FROM "{tables["line"]}" WHERE order_id > {m} AND order_id <= {m} '
            "ORDER BY id",
            (lo, hi),
        ).fetchall()
        events = plain.execute(
            f'SELECT * FROM "{tables["event"]}" WHERE entity = {m} AND object_id > {m} '
            f"AND object_id <= {m} ORDER BY id",
            (label, lo, hi),
        ).fetchall()

        def write(orders=orders, lines=lines, events=events):
            plain.begin()
            plain.copy(_SCRATCH + tables["order"], cols["order"], orders)
            plain.copy(_SCRATCH + tables["line"], cols["line"], lines)
            plain.copy(_SCRATCH + tables["event"], cols["event"], events)
            plain.commit()

        _timed(clock, write)
        lo = hi
    return {"seconds": clock[0], "cpu": clock[1]}


_REVIEW_ALLOCATE_ORDER_COLUMNS = (
    "status", "review", "reviewed_at", "warehouse_id", "shortage", "updated_at",
)  # fmt: skip


def baseline_review_allocate(plain: PlainConnection, tables: dict[str, str], size: int) -> dict:
    """The writes our review and allocation made, as plain set-based SQL on the scratch copies
    (which hold the imported orders): per slice of ``size`` orders one executemany UPDATE of
    the order columns they set (status, verdicts, warehouse, shortage), the new state events
    and stock movements (reservations) inserted, and one UPDATE per stock balance they
    changed (reserved). The final values are read back from our tables (not timed)."""
    from tradelane.core.states import entity_label
    from tradelane.orders.models import Order

    label = entity_label(Order)
    m = plain.mark
    ocols = list(_REVIEW_ALLOCATE_ORDER_COLUMNS)
    ecols = plain.columns(tables["event"])
    mcols = plain.columns(tables["movement"])
    bal, scratch_bal = tables["balance"], _SCRATCH + tables["balance"]
    # the balances as they were before the allocation: today's less what orders reserved
    plain.execute(f'INSERT INTO "{scratch_bal}" SELECT * FROM "{bal}"')
    plain.execute(
        f'UPDATE "{scratch_bal}" SET reserved = reserved - ('
        "SELECT COALESCE(SUM(reserved_delta), 0) "
        f'FROM "{tables["movement"]}" mv WHERE mv.sku_id = "{scratch_bal}".sku_id AND '
        f'mv.warehouse_id = "{scratch_bal}".warehouse_id AND mv.source_type = {m})',
        ("order",),
    )
    clock = [0.0, 0.0]
    lo = 0
    while True:
        orders = plain.execute(
            f'SELECT {", ".join(ocols)}, id FROM "{tables["order"]}" WHERE id > {m} '
            f"ORDER BY id LIMIT {m}",
            (lo, size),
        ).fetchall()
        if not orders:
            break
        hi = orders[-1][-1]
        events = plain.execute(
            f'SELECT * FROM "{tables["event"]}" WHERE entity = {m} AND object_id > {m} '
            f"AND object_id <= {m} AND reason <> {m} ORDER BY id",
            (label, lo, hi, "imported"),
        ).fetchall()
        ids = [str(row[-1]) for row in orders]
        moves = []
        for start in range(0, len(ids), 900):
            part = ids[start : start + 900]
            moves += plain.execute(
                f'SELECT * FROM "{tables["movement"]}" WHERE source_type = {m} AND source_id '
                f"IN ({', '.join([m] * len(part))}) ORDER BY id",
                ("order", *part),
            ).fetchall()
        sku_i, wh_i, delta_i = (mcols.index(c) for c in ("sku_id", "warehouse_id",
                                                        "reserved_delta"))  # fmt: skip
        totals: dict[tuple[int, int], int] = {}
        for mv in moves:
            key = (mv[sku_i], mv[wh_i])
            totals[key] = totals.get(key, 0) + mv[delta_i]

        def write(orders=orders, events=events, moves=moves, totals=totals):
            plain.begin()
            plain.update(_SCRATCH + tables["order"], ocols, "id", orders)
            plain.copy(_SCRATCH + tables["event"], ecols, events)
            plain.copy(_SCRATCH + tables["movement"], mcols, moves)
            plain.execute_many(
                f'UPDATE "{scratch_bal}" SET reserved = reserved + {m} '
                f"WHERE sku_id = {m} AND warehouse_id = {m}",
                [(qty, sku, wh) for (sku, wh), qty in sorted(totals.items())],
            )
            plain.commit()

        _timed(clock, write)
        lo = hi
    return {"seconds": clock[0], "cpu": clock[1]}
