#!/usr/bin/env python
"""Bulk rate shopping throughput: N pending-shipment orders on a fresh SQLite database.

    python benchmarks/shop_bench.py --orders 100000

Seeds (set-based, ``core.bulk.insert_rows``) six own channels with one per-kg cost sheet each
(some battery, some limited to a few countries), 300 SKUs (some with batteries), one store, N
orders in pending shipment with two lines each to ten countries, two shipping rules; then
times ``shopping.services.shop_orders`` over every pending-shipment order (load per chunk, quote in
memory, write the choices). Prints JSON: ``bulk_rate_shop_orders_per_s``.
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
    for i, (per_kg, days, battery, dests) in enumerate([
        ("30", (12, 20), False, COUNTRIES), ("80", (3, 5), True, COUNTRIES),
        ("50", (6, 9), False, COUNTRIES[:6]), ("60", (8, 12), True, COUNTRIES),
        ("45", (7, 10), False, ["US", "CA"]), ("35", (10, 15), False, ["GB", "DE", "FR"]),
    ]):  # fmt: skip
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
        return {
            "orders": orders,
            "seconds": round(seconds, 3),
            "bulk_rate_shop_orders_per_s": round(orders / seconds, 1),
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
