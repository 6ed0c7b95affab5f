#!/usr/bin/env python
"""Bulk rate shopping throughput: N pending-shipment orders on a fresh SQLite database.

    python benchmarks/shop_bench.py --orders 100000

Seeds (set-based, ``core.bulk.insert_rows``) six own channels with one per-kg cost sheet each
(some battery, some limited to a few countries), 300 SKUs (some with batteries), one store, N
orders in pending shipment with two lines each to ten countries, two shipping rules; then
times ``shopping.services.shop_orders`` over every pending-shipment order (load per chunk, quote in
memory, write the choices). Prints JSON: ``bulk_rate_shop_orders_per_s``.

Baseline, in the same run on the same database: the floor of the same I/O, by hand. One SQL
query reads every pending-shipment order's lines with their SKUs' weights (the raw DB-API
cursor, no ORM), Python sums each order's weight and takes the cheapest of the six channels
that serve its country (per kg + registration, the seeded prices), and ``executemany`` writes
one row per order into a scratch table: ``baseline_orders_per_s``.
``bulk_rate_shop_vs_baseline`` = ours / the baseline (below 1: the price of the real rules,
chargeable weight, sheets and audit over bare reads and writes), a ratio that travels between
machines.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

COUNTRIES = ["US", "GB", "DE", "FR", "AU", "CA", "JP", "NL", "IT", "ES"]
# (per kg, transit days, battery, countries) of the six seeded channels
CHANNELS = [
    ("30", (12, 20), False, COUNTRIES), ("80", (3, 5), True, COUNTRIES),
    ("50", (6, 9), False, COUNTRIES[:6]), ("60", (8, 12), True, COUNTRIES),
    ("45", (7, 10), False, ["US", "CA"]), ("35", (10, 15), False, ["GB", "DE", "FR"]),
]  # fmt: skip


def _setup() -> Path:
    data_dir = Path(tempfile.mkdtemp(prefix="tl-shop-bench-"))
    os.environ["TRADELANE_DATA_DIR"] = str(data_dir)
    os.environ["DJANGO_SETTINGS_MODULE"] = "tradelane.settings"
    os.environ.pop("DATABASE_URL", None)
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    return data_dir


def _seed(n: int, seed: int = 42):
    import datetime as dt

    from django.contrib.auth import get_user_model
    from django.db import transaction
    from django.utils import timezone

    from tradelane.catalog.models import Product, Sku
    from tradelane.core.bulk import insert_rows
    from tradelane.logistics.models import ShippingRule
    from tradelane.logistics.rates import services
    from tradelane.logistics.rates.descriptions import AreaRule, BracketData, SheetData, ZoneData
    from tradelane.orders.models import Order, OrderLine, Store

    rnd = random.Random(seed)
    user = get_user_model().objects.create_superuser("bench", "b@example.com", "x")
    for i, (per_kg, days, battery, dests) in enumerate(CHANNELS):
        ch = services.create_channel(
            user, code=f"CH{i}", name=f"CH{i}", currency="CNY", transit_days_min=days[0],
            transit_days_max=days[1], accepts_battery=battery, volumetric_divisor=6000,
            weight_step_g=100,
        )  # fmt: skip
        zone = ZoneData("Z", "Z", tuple(AreaRule(country=c) for c in dests))
        services.create_rate_sheet(user, ch, SheetData(
            kind="cost", currency="CNY", effective_date=dt.date(2020, 1, 1), zones=(zone,),
            brackets=(BracketData("Z", 0, 30000, per_kg=Decimal(per_kg), registration=Decimal(8)),),
        ))  # fmt: skip
    ShippingRule.objects.create(name="battery", sku_attribute="battery", priority=1)
    ShippingRule.objects.create(name="JP fast", countries=["JP"], strategy="fastest", priority=2)
    product = Product.objects.create(code="P", name="P")
    now = timezone.now()
    Sku.objects.bulk_create(
        [Sku(product=product, code=f"S{i}", name=f"S{i}", weight_g=rnd.randint(50, 1500),
             length_mm=rnd.randint(50, 300), width_mm=rnd.randint(30, 200),
             height_mm=rnd.randint(10, 100), has_battery=i % 17 == 0) for i in range(300)],
    )  # fmt: skip
    sku_ids = list(Sku.objects.values_list("id", flat=True))
    store = Store.objects.create(
        code="S", name="S", platform="manual", currency="USD", country="US"
    )
    with transaction.atomic():
        Order.objects.bulk_create(
            [
                Order(store=store, external_id=f"E{i}", number=f"#{i}", status="pending_shipment",
                      placed_at=now, ship_name="A B", ship_address1="1 Main St", ship_city="City",
                      ship_postcode="10001", ship_country=COUNTRIES[i % 10], currency="USD",
                      items_total=Decimal(rnd.randint(5, 300)), fingerprint=f"f{i}",
                      content_hash="x")
                for i in range(n)
            ],
            batch_size=2000,
        )  # fmt: skip
        ids = list(Order.objects.order_by("id").values_list("id", flat=True))
        insert_rows(
            OrderLine,
            ("order", "line_no", "store_sku", "store_quantity", "title", "sku", "quantity",
             "unit_price"),
            ((oid, j + 1, "x", 1, "", rnd.choice(sku_ids), rnd.randint(1, 3), Decimal("10"))
             for oid in ids for j in range(2)),
        )  # fmt: skip
    return user


def _baseline() -> tuple[int, float]:
    """The same reads and one write per order, by hand: (orders, seconds)."""
    from django.db import connection

    from tradelane.catalog.models import Sku
    from tradelane.orders.models import Order, OrderLine

    prices = {c: [(Decimal(k), i) for i, (k, _d, _b, dests) in enumerate(CHANNELS)
                  if c in dests] for c in COUNTRIES}  # fmt: skip
    o, line, sku = Order._meta.db_table, OrderLine._meta.db_table, Sku._meta.db_table
    started = time.perf_counter()
    with connection.cursor() as cur:
        cur.execute(
            f"SELECT o.id, o.ship_country, l.quantity, s.weight_g FROM {o} o "
            f"JOIN {line} l ON l.order_id = o.id JOIN {sku} s ON s.id = l.sku_id "
            "WHERE o.status = 'pending_shipment' ORDER BY o.id"
        )
        weights: dict[int, list] = {}
        for oid, country, qty, grams in cur.fetchall():
            weights.setdefault(oid, [country, 0])[1] += qty * grams
        rows = []
        for oid, (country, grams) in weights.items():
            kg = Decimal(grams) / 1000
            total, index = min((per_kg * kg + 8, i) for per_kg, i in prices[country])
            rows.append((oid, index, str(total)))
        cur.execute("CREATE TEMP TABLE bench_choice (order_id int, channel int, total text)")
        cur.executemany("INSERT INTO bench_choice VALUES (%s, %s, %s)", rows)
    return len(rows), time.perf_counter() - started


def run(orders: int = 100_000, profile: bool = False) -> dict:
    data_dir = _setup()
    try:
        user = _seed(orders)
        from tradelane.logistics.shopping import services as shopping

        started = time.perf_counter()
        if profile:
            import cProfile
            import pstats

            prof = cProfile.Profile()
            result = prof.runcall(shopping.shop_orders, user)
            pstats.Stats(prof, stream=sys.stderr).sort_stats("cumulative").print_stats(25)
        else:
            result = shopping.shop_orders(user)
        seconds = time.perf_counter() - started
        base_orders, base_s = _baseline()
        return {
            "orders": orders,
            "seconds": round(seconds, 3),
            "bulk_rate_shop_orders_per_s": round(orders / seconds, 1),
            "bulk_rate_shop_vs_baseline": round(orders / seconds / (base_orders / base_s), 3),
            "baseline_orders_per_s": round(base_orders / base_s, 1),
            "baseline_orders": base_orders,
            "chosen": result["chosen"],
            "no_channel": result["no_channel"],
        }
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--orders", type=int, default=100_000)
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    print(json.dumps(run(args.orders, args.profile)))
