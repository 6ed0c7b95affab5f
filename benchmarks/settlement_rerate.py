#!/usr/bin/env python
"""Bulk re-rating: a fuel rate corrected on a date re-rates every waybill of a channel,
writing delta lines. Prints JSON.

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/tradelane_settlement_bench \\
        python benchmarks/settlement_rerate.py --waybills 100000

PostgreSQL only (``DATABASE_URL``, default ...tradelane_settlement_bench; a database whose
name lacks "bench" is refused, as ``orders.prepare_database``; dropped at the end unless
``--keep``). Set up: migrate, ``provider.seed()``, a channel whose sale sheet charges fuel
10% of the freight (12% from the date of the rates), ``provider.fill_waybills`` N waybills on
it, one piece each (INSERT ... SELECT) and five fee lines each (one INSERT ... SELECT).

Measured: ``rerate_waybills_per_s`` = N / the seconds of ``finance.fees.rerating.confirm``
(the general path: waybills and pieces read in chunks, each quoted in memory on the compiled
channel, the deltas written through ``post_fees_many``); ``cpu_s`` its process CPU seconds;
``delta_lines``; ``rerate_waybills_per_s_vs_baseline`` = our rate / a plain SQL baseline's
(one INSERT ... SELECT of the fuel delta rows computed in SQL, timed in a transaction rolled
back).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
import time
from decimal import Decimal as D
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

DEFAULT_PG = "postgresql://postgres@127.0.0.1:5432/tradelane_settlement_bench"
ON = dt.date(2030, 1, 1)


def _setup_channel(admin):
    from tradelane.logistics.rates import services as rates
    from tradelane.logistics.rates.descriptions import (
        AreaRule,
        BracketData,
        FuelData,
        SheetData,
        ZoneData,
    )

    since = dt.date(2020, 1, 1)
    zone = ZoneData("Z1", "Z1", (AreaRule(country="US"),))
    ch = rates.create_channel(admin, code="B-FUEL", name="Fuel line", currency="CNY",
                              destinations=["US"])  # fmt: skip
    rates.create_rate_sheet(admin, ch, SheetData(
        kind="cost", currency="CNY", effective_date=since, zones=(zone,),
        brackets=(BracketData("Z1", 0, 30000, per_kg=D("40"), registration=D("8")),),
    ))  # fmt: skip
    rates.create_rate_sheet(admin, ch, SheetData(
        kind="sale", currency="CNY", effective_date=since, zones=(zone,),
        brackets=(BracketData("Z1", 0, 30000, per_kg=D("60"), registration=D("10")),),
        fuel=(FuelData(since, D("10")), FuelData(ON, D("12"))),
    ))  # fmt: skip
    return ch


def _fill_lines(channel_id: int) -> None:
    """One piece and five fee lines per waybill (what the forecast posted), set-based."""
    from django.db import connection

    from tradelane.finance.fees.models import WaybillFeeLine
    from tradelane.forwarding.waybills.models import Waybill, WaybillPiece

    w, pc, fl = Waybill._meta.db_table, WaybillPiece._meta.db_table, WaybillFeeLine._meta.db_table
    with connection.cursor() as cur:
        cur.execute(f"INSERT INTO {pc} (waybill_id, seq, weight_g, length_mm, width_mm, height_mm) "
                    f"SELECT id, 1, forecast_weight_g, 100, 100, 10 FROM {w} "
                    "WHERE channel_id = %s", [channel_id])  # fmt: skip
        cur.execute(f"""
            INSERT INTO {fl} (waybill_id, fee_item_id, side, amount, currency, stage,
                              chargeable_g, channel_code, sheet_id, zone, basis, reason,
                              created_by_id, created_at, statement_id)
            SELECT w.id, v.item, v.side,
                   CASE v.item WHEN 'freight' THEN round(v.per_kg * w.forecast_weight_g / 1000, 2)
                               WHEN 'registration' THEN v.per_kg
                               ELSE round(round(60 * w.forecast_weight_g / 1000.0, 2) * 0.10, 2)
                   END,
                   'CNY', 'estimated', w.forecast_weight_g, 'B-FUEL', NULL, 'Z1', '{{}}'::jsonb,
                   '', NULL, now(), NULL
            FROM {w} w CROSS JOIN (VALUES ('receivable', 'freight', 60::numeric),
                                          ('receivable', 'registration', 10),
                                          ('receivable', 'fuel', 0),
                                          ('payable', 'freight', 40),
                                          ('payable', 'registration', 8)) AS v(side, item, per_kg)
            WHERE w.channel_id = %s AND w.status <> 'cancelled'""", [channel_id])  # fmt: skip
        cur.execute(f"ANALYZE {pc}; ANALYZE {fl}")


def baseline(channel_id: int) -> dict:
    """The same fuel deltas in plain SQL: one INSERT ... SELECT, rolled back."""
    from django.db import connection, transaction

    from tradelane.finance.fees.models import WaybillFeeLine

    fl = WaybillFeeLine._meta.db_table
    sql = f"""
        INSERT INTO {fl} (waybill_id, fee_item_id, side, amount, currency, stage, chargeable_g,
                          channel_code, zone, basis, reason, created_at)
        SELECT n.waybill_id, 'fuel', 'receivable', round(n.freight * 0.12, 2) - n.fuel, 'CNY',
               'fuel', 0, 'B-FUEL', 'Z1', '{{}}'::jsonb, '', now()
        FROM (SELECT waybill_id,
                     sum(amount) FILTER (WHERE fee_item_id = 'freight') AS freight,
                     sum(amount) FILTER (WHERE fee_item_id = 'fuel') AS fuel
              FROM {fl} WHERE side = 'receivable' AND stage <> 'manual'
              GROUP BY waybill_id) n
        WHERE round(n.freight * 0.12, 2) <> n.fuel"""
    t0 = time.perf_counter()
    with transaction.atomic():
        with connection.cursor() as cur:
            cur.execute(sql)
            rows = cur.rowcount
        seconds = time.perf_counter() - t0
        transaction.set_rollback(True)
    return {"seconds": seconds, "rows": rows}


def rerate(database: str, waybills: int, *, keep: bool = False) -> dict:
    """Set up ``waybills`` waybills on PostgreSQL and re-rate them all on a fuel change."""
    import orders  # benchmarks/orders.py

    args = argparse.Namespace(database=database, recreate_any_database=False)
    os.environ.setdefault("DATABASE_URL", DEFAULT_PG)
    data_dir, url = orders.prepare_database(args)
    try:
        import provider
        from django.utils import timezone

        from tradelane.finance.fees import rerating
        from tradelane.finance.fees.models import WaybillFeeLine

        admin, _, _ = provider.seed()
        ch = _setup_channel(admin)
        t0 = time.perf_counter()
        provider.fill_waybills(waybills, 100, ch.pk)
        _fill_lines(ch.pk)
        fill_s = time.perf_counter() - t0
        base = baseline(ch.pk)
        today = timezone.localdate()
        sel = rerating.Selection(on_date=ON, date_from=today - dt.timedelta(days=200),
                                 date_to=today, channel_id=ch.pk)  # fmt: skip
        before = WaybillFeeLine.objects.count()
        c0, t0 = time.process_time(), time.perf_counter()
        out = rerating.confirm(admin, sel)
        seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
        written = WaybillFeeLine.objects.count() - before
        rate = out["waybills"] / seconds
        base_rate = out["waybills"] / base["seconds"]
        return {
            "database": database, "waybills": waybills, "rerated": out["waybills"],
            "fill_s": round(fill_s, 2), "rerate_s": round(seconds, 2),
            "rerate_waybills_per_s": round(rate), "cpu_s": round(cpu, 2),
            "delta_lines": written, "baseline_delta_lines": base["rows"],
            "baseline_s": round(base["seconds"], 3),
            "rerate_waybills_per_s_vs_baseline": round(rate / base_rate, 4),
            "bar_rerate_waybills_per_s": 20000,
        }  # fmt: skip
    finally:
        if url and not keep:
            orders._drop_pg(url)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--waybills", type=int, default=1_000_000)
    ap.add_argument("--keep", action="store_true")
    a = ap.parse_args(argv)
    print(json.dumps(rerate("postgresql", a.waybills, keep=a.keep), indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
