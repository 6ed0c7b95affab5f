#!/usr/bin/env python
"""The hub's outbound side: seal a bag of 500 parcels, and the manifests (PDF and Excel) of a
dispatch of 10,000 parcels. Prints JSON.

    python benchmarks/hub.py --database sqlite
    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/tradelane_hub_bench \\
        python benchmarks/hub.py --database postgresql

As ``provider.py``: a fresh temporary data folder (SQLite) or a freshly recreated database
(PostgreSQL, a name with "bench" in it; dropped at the end unless ``--keep``), migrated. Seeded
set-based (``bulk_create``, not through the services, not timed): a channel, a customer,
``--bag-parcels`` + ``--manifest-parcels`` waybills received at the hub (weighed, one goods
line each), and the bag rows that hold them.

Measured (``forwarding.outbound``):

- ``bag_close_ms``: ``bags.seal_bag`` of one bag holding ``--bag-parcels`` (500) parcels: lock,
  count its parcels again, the seal's state event, one "Bagged" timeline event per parcel
  (set-based), the audit row. The median of ``--repeat`` bags, each with its own parcels.
- ``bag_scan_ms_p50`` / ``_p95``: ``bags.scan_into_bag`` of ``--scans`` parcels one by one.
- ``manifest_10k_pdf_s``, ``manifest_10k_xlsx_s`` and their sum ``manifest_10k_s`` (the bar:
  30 s): a handed-over-ready dispatch of ``--manifest-parcels`` parcels in bags of 500;
  ``manifests.build_manifest`` (reconcile, two queries) then ``render_manifest_pdf``, and
  again ``build_manifest`` then ``render_manifest_xlsx``, each timed whole.
- ``handover_10k_s``: ``dispatches.hand_over`` of that dispatch (every parcel to in transit,
  events, audit rows, state events), after every bag was load-scanned (not timed).

``main()`` merges the dicts of every function in ``MEASURES`` (each takes the parsed args),
then runs ``hub_inbound.py`` in its own process and database (``--inbound-waybills``, default
1,000,000; ``--inbound-rate``, default 200 scans/s, the bar; ``--inbound-seconds``) and adds
its ``inbound_scans_per_s`` and ``inbound_scan_p99_ms`` (``--no-inbound`` leaves it out).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shutil
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from orders import _drop_pg, peak_rss_mb, prepare_database  # noqa: E402 - beside this script

DEFAULT_PG = "postgresql://postgres@127.0.0.1:5432/tradelane_hub_bench"
PASSWORD = "bench-Bench-123"
BAG = 500


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--bag-parcels", type=int, default=BAG, help="parcels in the sealed bag")
    parser.add_argument("--repeat", type=int, default=3, help="bags sealed (the median counts)")
    parser.add_argument("--scans", type=int, default=200, help="parcels scanned one by one")
    parser.add_argument("--manifest-parcels", type=int, default=10_000)
    parser.add_argument("--keep", action="store_true", help="keep the database")
    parser.add_argument(
        "--inbound-waybills",
        type=int,
        default=1_000_000,
        help="waybills in the table for the inbound scans (hub_inbound.py)",
    )
    parser.add_argument("--inbound-rate", type=int, default=200, help="inbound scans per second")
    parser.add_argument("--inbound-seconds", type=int, default=20)
    parser.add_argument("--no-inbound", action="store_true", help="bags and manifests only")
    parser.add_argument("--recreate-any-database", action="store_true",
                        help="allow a DATABASE_URL whose name lacks 'bench'")  # fmt: skip
    return parser.parse_args(argv)


def seed():
    """A channel, a customer and a hub operator; returns (hub user, channel, customer)."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from tradelane.accounts.roles import HUB_OPERATOR, sync_roles
    from tradelane.forwarding.partners import services as partners
    from tradelane.logistics.rates import services as rates

    sync_roles()
    User = get_user_model()
    admin = User.objects.create_superuser("bench", password=PASSWORD)
    channel = rates.create_channel(admin, code="B-USLINE", name="US line", currency="CNY",
                                   transit_days_min=6, transit_days_max=12)  # fmt: skip
    level = partners.create_level(admin, code="GOLD", name="Gold", channels=["B-USLINE"])
    customer = partners.create_customer(admin, code="HUB", company="Hub Co", level=level)
    hub = User.objects.create_user("hub", password=PASSWORD)
    hub.groups.set(Group.objects.filter(name=HUB_OPERATOR))
    return User.objects.get(pk=hub.pk), channel, customer


def fill_received(n: int, channel, customer, prefix: str) -> list[int]:
    """``n`` received waybills with one goods line each, set-based; their ids."""
    from django.utils import timezone

    from tradelane.forwarding.models import Waybill, WaybillItem

    now = timezone.now()
    rows = [
        Waybill(
            number=f"{prefix}{i:09d}", customer=customer, reference=f"{prefix}-{i}",
            channel=channel, status="received", source="api",
            tracking_number=f"1Z{prefix}{i:09d}", tracking_status="assigned",
            consignee_name=f"Consignee {i}", consignee_address1="350 Fifth Avenue",
            consignee_city="New York", consignee_state="NY", consignee_postcode="10118",
            consignee_country="US", declared_value=Decimal("25.00"), declared_currency="USD",
            ioss="IM2760000742" if i % 3 == 0 else "", pieces=1 + i % 2,
            forecast_weight_g=800 + i % 900, measured_weight_g=820 + i % 900,
            chargeable_weight_g=1000 + 500 * (i % 3), body_hash="bench", created_at=now,
            updated_at=now,
        )
        for i in range(n)
    ]  # fmt: skip
    Waybill.objects.bulk_create(rows, batch_size=2000)
    ids = list(Waybill.objects.filter(number__startswith=prefix).order_by("pk")
               .values_list("pk", flat=True))  # fmt: skip
    WaybillItem.objects.bulk_create(
        [WaybillItem(waybill_id=pk, seq=1, name_en="Cotton T-shirt", name_zh="棉T恤", quantity=2,
                     unit_value=Decimal("12.50"), currency="USD", hs_code="610910")
         for pk in ids], batch_size=2000)  # fmt: skip
    return ids


def bags_of(hub, waybill_ids: list[int], size: int) -> list:
    """Open bags of ``size`` parcels each through the service; the parcels put in set-based."""
    from tradelane.forwarding.models import BagItem
    from tradelane.forwarding.outbound import bags

    made = []
    for start in range(0, len(waybill_ids), size):
        bag = bags.open_bag(hub, channel="B-USLINE", destination="US")
        BagItem.objects.bulk_create([BagItem(bag=bag, waybill_id=pk, scanned_by=hub)
                                     for pk in waybill_ids[start:start + size]],
                                    batch_size=2000)  # fmt: skip
        made.append(bag)
    return made


def _ms(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000, 2)


def measure_outbound(args) -> dict:
    from tradelane.forwarding.outbound import bags, dispatches, manifests

    t0 = time.perf_counter()
    hub, channel, customer = seed()
    sealed_ids = fill_received(args.bag_parcels * args.repeat, channel, customer, "S")
    manifest_ids = fill_received(args.manifest_parcels, channel, customer, "M")
    scan_ids = fill_received(args.scans, channel, customer, "C")
    to_seal = bags_of(hub, sealed_ids, args.bag_parcels)
    seed_s = time.perf_counter() - t0

    seals = []
    for bag in to_seal:
        t = time.perf_counter()
        sealed = bags.seal_bag(hub, bag)
        seals.append(time.perf_counter() - t)
        assert sealed.parcel_count == args.bag_parcels

    from tradelane.forwarding.models import Waybill

    numbers = list(Waybill.objects.filter(pk__in=scan_ids).order_by("pk")
                   .values_list("number", flat=True))  # fmt: skip
    scan_bag = bags.open_bag(hub, channel="B-USLINE", destination="US")
    scans = []
    for number in numbers:
        t = time.perf_counter()
        bags.scan_into_bag(hub, scan_bag, number)
        scans.append(time.perf_counter() - t)

    t = time.perf_counter()
    manifest_bags = [bags.seal_bag(hub, b) for b in bags_of(hub, manifest_ids, BAG)]
    d = dispatches.create_dispatch(hub, channel=channel, mode="air", mawb="176-12345675",
                                   flight="EK303", departure_date=dt.date(2026, 12, 5),
                                   origin_airport="PVG", destination_airport="JFK")  # fmt: skip
    for b in manifest_bags:
        dispatches.add_bag(hub, d, b)
    prepare_s = time.perf_counter() - t

    t = time.perf_counter()
    m = manifests.build_manifest(d)
    pdf = manifests.render_manifest_pdf(m)
    pdf_s = time.perf_counter() - t
    t = time.perf_counter()
    m = manifests.build_manifest(d)
    xlsx = manifests.render_manifest_xlsx(m)
    xlsx_s = time.perf_counter() - t
    assert len(m.lines) == args.manifest_parcels

    for b in manifest_bags:
        dispatches.load_scan(hub, d, b.number)
    t = time.perf_counter()
    dispatches.hand_over(hub, d)
    handover_s = time.perf_counter() - t
    assert Waybill.objects.filter(pk__in=manifest_ids, status="in_transit").count() == len(
        manifest_ids
    )
    return {
        "bag_close_ms": round(statistics.median(seals) * 1000, 1),
        "manifest_10k_s": round(pdf_s + xlsx_s, 2),
        "manifest_10k_pdf_s": round(pdf_s, 2),
        "manifest_10k_xlsx_s": round(xlsx_s, 2),
        "handover_10k_s": round(handover_s, 2),
        "bag_scan_ms_p50": _ms(scans, 0.5) if scans else None,
        "bag_scan_ms_p95": _ms(scans, 0.95) if scans else None,
        "outbound": {
            "bag_parcels": args.bag_parcels,
            "bags_sealed": len(seals),
            "bag_close_ms_each": [round(s * 1000, 1) for s in seals],
            "manifest_parcels": args.manifest_parcels,
            "manifest_bags": len(manifest_bags),
            "manifest_pdf_bytes": len(pdf),
            "manifest_xlsx_bytes": len(xlsx),
            "manifest_bar_s": 30,
            "scans": len(scans),
            "seed_seconds": round(seed_s, 2),
            "prepare_dispatch_seconds": round(prepare_s, 2),
            "method": "seal_bag of a bag whose parcels were put in set-based; manifests: "
            "build_manifest + render (PDF, then again for Excel), each timed whole; "
            "hand_over after every bag was load-scanned",
        },
    }


# every measure takes the parsed args and returns a dict; main() merges them into one
MEASURES = [measure_outbound]


def environment(args) -> dict:
    import django
    from django.db import connection

    if connection.vendor == "sqlite":
        with connection.cursor() as cur:
            cur.execute("select sqlite_version()")
            db_version = "SQLite " + cur.fetchone()[0]
    else:
        db_version = "PostgreSQL " + str(connection.pg_version)
    return {"database": args.database, "db_version": db_version, "peak_rss_mb": peak_rss_mb(),
            "python": platform.python_version(), "django": django.get_version(),
            "cpu_count": os.cpu_count(), "load_avg_1m": round(os.getloadavg()[0], 2)}  # fmt: skip


def run(args, measures=None) -> dict:
    if args.database == "postgresql":
        os.environ.setdefault("DATABASE_URL", DEFAULT_PG)
    data_dir, url = prepare_database(args)
    try:
        result: dict = {}
        for measure in measures or MEASURES:
            result.update(measure(args))
        result.update(environment(args))
        return result
    finally:
        if not args.keep:
            if url:
                _drop_pg(url)
            shutil.rmtree(data_dir, ignore_errors=True)


def main(argv=None) -> int:
    args = parse_args(argv)
    result = run(args)
    if not args.no_inbound:  # its own process and fresh database (hub_inbound.py)
        import subprocess

        out = subprocess.run(
            [sys.executable, str(Path(__file__).resolve().parent / "hub_inbound.py"),
             "--database", args.database, "--waybills", str(args.inbound_waybills),
             "--rate", str(args.inbound_rate), "--seconds", str(args.inbound_seconds)],
            capture_output=True, text=True, check=True,
        )  # fmt: skip
        scans = json.loads(out.stdout)
        result.update({k: v for k, v in scans.items() if k.startswith("inbound_")})
        result["inbound"] = scans
    print(json.dumps(result, indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
