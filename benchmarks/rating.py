#!/usr/bin/env python
"""Rate engine throughput: channel quotes per second for one parcel against 50 channels. JSON.

    python benchmarks/rating.py                    # channels built in memory
    python benchmarks/rating.py --source db        # stored through the services, compiled
                                                   # from the database (a fresh SQLite folder,
                                                   # removed at the end)

Each of the ``--channels`` channels (default 50) has a cost sheet with ``--zones`` zones
(default 200): 120 by country, 40 by postcode prefix (US, GB, DE, AU), 20 by postcode range
(US, FR, JP) and 20 by city, each zone with ``--brackets`` weight brackets (default 20) mixing
flat prices, first/continued weight and per-kg + registration; a remote-area surcharge with
500 postcode prefixes, oversize, overweight, battery and handling fees, and 12 months of fuel
history. The channels differ in divisor (5000, 6000, 8000 above 60 cm, none), volumetric mode
(full, half, none up to a size), weight steps and limits, as real channels do. Generation is
seeded: the same arguments build the same channels.

Timed: ``quote_all(channels, parcel)`` for one parcel (1.67 kg, 40 x 30 x 20 cm, to US 99501:
a postcode-prefix zone, remote area, fuel) over and over for ``--seconds`` per round,
``--rounds`` rounds; ``quotes_per_s`` is the median round's channel quotes per second (the best
is printed too). ``mixed_quotes_per_s`` does the same over 1,000 seeded parcels to 12
countries. Quoting runs in one thread, so on one core; ``--pin CPU`` pins the process to one
CPU. ``quotes_per_s`` is wall-clock; ``quotes_per_cpu_s`` counts this process's CPU time only
(the same on an idle machine; higher when other work shares the CPUs: see ``cpu_share`` and
``load_average``).

In the same run (each can be left out with its ``--no-...`` flag):

- ``karrio_quotes_per_s``: the same kind of work through karrio's generic rate sheets
  (``karrio_bench.py``: 50 services x the same 200 zones x 20 weight brackets; karrio has no
  volumetric weight and no first/continued weight, so its sheets are plain brackets, which is
  less work than ours), over the mixed parcels; ``speedup_vs_karrio`` = our mixed quotes per
  second / karrio's. karrio is the quotes' same-run baseline: ``mixed_quotes_vs_baseline`` is
  that ratio again, ``quotes_vs_baseline`` = ``quotes_per_s`` (the one parcel) / karrio's
  mixed rate; ``karrio_quotes_vs_baseline`` compares karrio with a plain Python loop over
  the same zones (``karrio_bench.py``).
- ``pdf_labels_per_s``, ``pdf_single_labels_per_s``, ``zpl_labels_per_s``: 4x6 postal labels
  with Chinese text and a CN22 block (``labels_bench.py``); ``*_labels_vs_baseline``: each
  against a plain reportlab canvas page (or a joined ZPL string) with the same text, this run.
- ``bulk_rate_shop_orders_per_s``: rate shopping of ``--orders`` (default 100,000)
  pending-shipment orders end to end on a fresh SQLite database, in a child process
  (``shop_bench.py``: load per chunk, quote in memory, write the choices set-based);
  ``bulk_rate_shop_vs_baseline``: against the same reads and writes by hand (raw SQL,
  ``executemany``) on the same database.

Every ``*_vs_baseline`` is ours / a baseline measured in the same run on the same machine, so
it can be compared across machines where the absolute figures cannot.

Bars (the logistics issue): 20,000 channel quotes/s, 100 PDF and 2,000 ZPL labels/s on one
core, and faster than karrio's generic rating on the same work.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from tradelane.core.money import Money  # noqa: E402
from tradelane.logistics.rates.chargeable import Parcel  # noqa: E402
from tradelane.logistics.rates.descriptions import (
    MODE_FULL,
    MODE_HALF,
    MODE_NONE_UP_TO_SIZE,
    AreaRule,
    BracketData,
    ChannelConfig,
    FuelData,
    SheetData,
    SurchargeData,
    WeightConfig,
    ZoneData,
)
from tradelane.logistics.rates.engine import compile_channel, quote_all
from tradelane.logistics.rates.validation import validate_channel, validate_sheet

COUNTRIES = [
    "US", "GB", "DE", "FR", "AU", "CA", "JP", "NL", "IT", "ES", "BE", "AT", "CH", "SE", "NO",
    "DK", "FI", "IE", "PT", "PL", "CZ", "HU", "GR", "RO", "BG", "HR", "SI", "SK", "LT", "LV",
    "EE", "LU", "MT", "CY", "IS", "NZ", "SG", "MY", "TH", "VN", "PH", "ID", "KR", "TW", "HK",
    "MO", "IN", "PK", "BD", "LK", "NP", "AE", "SA", "QA", "KW", "BH", "OM", "IL", "TR", "EG",
    "MA", "TN", "DZ", "ZA", "NG", "KE", "GH", "ET", "TZ", "UG", "MX", "BR", "AR", "CL", "CO",
    "PE", "EC", "UY", "PY", "BO", "VE", "CR", "PA", "GT", "HN", "SV", "NI", "DO", "JM", "TT",
    "PR", "CU", "BS", "BB", "RU", "UA", "BY", "KZ", "UZ", "GE", "AM", "AZ", "MN", "KH", "LA",
    "MM", "BN", "FJ", "PG", "NC", "PF", "RS", "BA", "MK", "AL", "ME", "MD", "LI", "AD", "MC",
]  # fmt: skip
PARCEL = dict(weight_g=1670, length_mm=400, width_mm=300, height_mm=200, country="US",
              postcode="99501", declared_value=Money.of("80", "USD"))  # fmt: skip
ON = dt.date(2025, 6, 15)


def parse_args(argv=None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--channels", type=int, default=50)
    p.add_argument("--zones", type=int, default=200)
    p.add_argument("--brackets", type=int, default=20)
    p.add_argument("--seconds", type=float, default=2.0, help="per round")
    p.add_argument("--rounds", type=int, default=5)
    p.add_argument("--source", choices=["memory", "db"], default="memory")
    p.add_argument("--pin", type=int, metavar="CPU", help="pin the process to this CPU")
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--orders", type=int, default=100_000, help="bulk rate shopping")
    p.add_argument("--karrio-requests", type=int, default=100)
    p.add_argument("--pdf-labels", type=int, default=500)
    p.add_argument("--zpl-labels", type=int, default=5000)
    p.add_argument("--no-karrio", action="store_true")
    p.add_argument("--no-labels", action="store_true")
    p.add_argument("--no-bulk", action="store_true")
    return p.parse_args(argv)


# --- channels -------------------------------------------------------------------------------


def zones_for(n: int, rnd: random.Random) -> list[ZoneData]:
    """n zones: 60 % by country, 20 % postcode prefix, 10 % range, 10 % city."""
    n_country = max(1, n * 6 // 10)
    n_prefix, n_range = n * 2 // 10, n // 10
    n_city = n - n_country - n_prefix - n_range
    zones = [ZoneData(f"C{i}", c, (AreaRule(c),))
             for i, c in enumerate(COUNTRIES[:n_country])]  # fmt: skip
    prefix_pool = [("US", f"{d}") for d in range(10)] + [("US", f"99{d}") for d in range(10)]
    prefix_pool += [("GB", p) for p in ("EC", "WC", "SW", "SE", "NW", "N", "E", "W", "M", "B")]
    prefix_pool += [("DE", f"{d}") for d in range(10)] + [("AU", f"{d}") for d in range(10)]
    for i in range(n_prefix):
        country, prefix = prefix_pool[i % len(prefix_pool)]
        prefix = prefix + ("" if i < len(prefix_pool) else str(i // len(prefix_pool)))
        zones.append(ZoneData(f"P{i}", f"{country} {prefix}*",
                              (AreaRule(country, postcode_prefix=prefix),)))  # fmt: skip
    for i in range(n_range):
        country, width = [("US", 5), ("FR", 5), ("JP", 7)][i % 3]
        lo = (i * 3000) % (10**width - 3000)
        zones.append(ZoneData(f"R{i}", f"{country} range", (AreaRule(
            country, postcode_from=str(lo).zfill(width),
            postcode_to=str(lo + 2999).zfill(width)),)))  # fmt: skip
    cities = ["New York", "Los Angeles", "Paris", "Berlin", "Tokyo", "Sydney", "Toronto",
              "London", "Madrid", "Rome"]  # fmt: skip
    for i in range(n_city):
        country = ["US", "US", "FR", "DE", "JP", "AU", "CA", "GB", "ES", "IT"][i % 10]
        city = cities[i % 10] + ("" if i < 10 else f" {i // 10}")
        zones.append(ZoneData(f"T{i}", city, (AreaRule(country, city=city),)))
    rnd.shuffle(zones)
    return zones


def brackets_for(zone: str, n: int, rnd: random.Random) -> list[BracketData]:
    out = []
    base = Decimal(rnd.randint(40, 160))
    lower = 0
    flat_n = max(1, n - 3)
    for i in range(flat_n):  # 0.5 kg flat brackets
        upper = (i + 1) * 500
        out.append(BracketData(zone, lower, upper, flat=base + Decimal(18) * i))
        lower = upper
    top = base + Decimal(18) * (flat_n - 1)
    # first/continued up to 21 kg, per kg + registration to 30 kg, then per kg to 70 kg
    step_fee = Decimal(rnd.randint(15, 25))
    out.append(BracketData(zone, lower, 21000, first_g=lower, first_fee=top, step_g=500,
                           step_fee=step_fee))  # fmt: skip
    end = top + -(-(21000 - lower) // 500) * step_fee
    per_kg = (end / 21 + 1).quantize(Decimal("0.01"))
    out.append(BracketData(zone, 21000, 30000, per_kg=per_kg, registration=Decimal(0)))
    out.append(BracketData(zone, 30000, 70000, per_kg=per_kg, registration=Decimal(0)))
    return out[: n if n >= 3 else 3]


def sheet_for(n_zones: int, n_brackets: int, rnd: random.Random) -> SheetData:
    zones = zones_for(n_zones, rnd)
    brackets = [b for z in zones for b in brackets_for(z.code, n_brackets, rnd)]
    remote = tuple(AreaRule("US", postcode_prefix=f"99{d:02d}") for d in range(100))
    remote += tuple(AreaRule(c, postcode_prefix=f"{d:03d}") for c in ("AU", "CA", "GB", "DE")
                    for d in range(100))  # fmt: skip
    surcharges = (
        SurchargeData("remote", "remote", per_kg=Decimal("5.00"), minimum=Decimal("30.00"),
                      areas=remote),
        SurchargeData("oversize", "oversize", amount=Decimal("150"), threshold_mm=1200),
        SurchargeData("overweight", "overweight", amount=Decimal("200"), threshold_g=70000),
        SurchargeData("battery", "battery", amount=Decimal("8")),
        SurchargeData("handling", "fixed", amount=Decimal("2.50")),
    )  # fmt: skip
    fuel = tuple(FuelData(dt.date(2025, m, 1), Decimal(rnd.randint(180, 280)) / 10)
                 for m in range(1, 13))  # fmt: skip
    data = SheetData(currency="CNY", effective_date=dt.date(2025, 1, 1), zones=tuple(zones),
                     brackets=tuple(brackets), fuel=fuel, surcharges=surcharges)  # fmt: skip
    clean, problems = validate_sheet(data)
    if problems:
        raise SystemExit(f"generated sheet is invalid: {problems[:3]}")
    return clean


def config_for(i: int) -> ChannelConfig:
    variants = [
        WeightConfig(divisor=5000, step_g=500, step_threshold_g=21000, step_above_g=1000),
        WeightConfig(divisor=6000, mode=MODE_FULL, step_g=100),
        WeightConfig(divisor=8000, min_side_mm=600, step_g=500),
        WeightConfig(divisor=6000, mode=MODE_HALF, step_g=500, min_g=500),
        WeightConfig(divisor=6000, mode=MODE_NONE_UP_TO_SIZE, free_limit_mm=600, step_g=10),
        WeightConfig(step_g=1, min_g=50),
    ]
    cfg = ChannelConfig(
        code=f"CH{i:02d}", name=f"Channel {i}", carrier="bench", currency="CNY",
        max_weight_g=70000, max_length_mm=1500, max_girth_mm=4000,
        max_declared_value=Money.of("2000", "USD"), accepts_battery=i % 2 == 0,
        transit_days_min=3 + i % 5, transit_days_max=8 + i % 7, weight=variants[i % len(variants)],
    )  # fmt: skip
    clean, problems = validate_channel(cfg)
    if problems:
        raise SystemExit(f"generated channel is invalid: {problems[:3]}")
    return clean


def build_memory(args, rnd: random.Random) -> tuple[list, float]:
    specs = [(config_for(i), sheet_for(args.zones, args.brackets, rnd))
             for i in range(args.channels)]  # fmt: skip
    t = time.perf_counter()
    channels = [compile_channel(cfg, [(None, s)], version=1) for cfg, s in specs]
    return channels, time.perf_counter() - t


def build_db(args, rnd: random.Random, data_dir: Path) -> tuple[list, float, float]:
    os.environ["TRADELANE_DATA_DIR"] = str(data_dir)
    os.environ["DJANGO_SETTINGS_MODULE"] = "tradelane.settings"
    os.environ.pop("DATABASE_URL", None)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from tradelane.accounts.models import User
    from tradelane.logistics.rates import selectors, services

    admin = User.objects.create_superuser("bench", password="bench-pass-123")
    t = time.perf_counter()
    for i in range(args.channels):
        cfg = config_for(i)
        w = cfg.weight
        ch = services.create_channel(
            admin, code=cfg.code, name=cfg.name, carrier=cfg.carrier, currency=cfg.currency,
            max_weight_g=cfg.max_weight_g, max_length_mm=cfg.max_length_mm,
            max_girth_mm=cfg.max_girth_mm, max_declared_value=cfg.max_declared_value.amount,
            max_declared_currency=cfg.max_declared_value.currency,
            accepts_battery=cfg.accepts_battery, transit_days_min=cfg.transit_days_min,
            transit_days_max=cfg.transit_days_max, volumetric_divisor=w.divisor,
            volumetric_mode=w.mode, volumetric_free_limit_mm=w.free_limit_mm,
            volumetric_min_side_mm=w.min_side_mm, weight_step_g=w.step_g,
            weight_step_threshold_g=w.step_threshold_g, weight_step_above_g=w.step_above_g,
            min_chargeable_g=w.min_g,
        )  # fmt: skip
        services.create_rate_sheet(admin, ch, sheet_for(args.zones, args.brackets, rnd))
    store_s = time.perf_counter() - t
    selectors.clear_cache()
    t = time.perf_counter()
    channels = selectors.compiled_channels()
    return channels, time.perf_counter() - t, store_s


# --- timing ---------------------------------------------------------------------------------


def rate(channels, parcels, seconds: float) -> tuple[float, float]:
    """Channel quotes per wall-clock second and per CPU second of this process, over one round
    of about ``seconds``. On a busy machine the first is lower: the process waits for a CPU."""
    n = 0
    start, cpu_start = time.perf_counter(), time.process_time()
    deadline = start + seconds
    while True:
        for p in parcels:
            quote_all(channels, p, on_date=ON)
        n += len(parcels)
        now = time.perf_counter()
        if now >= deadline:
            quotes = n * len(channels)
            return quotes / (now - start), quotes / (time.process_time() - cpu_start)


def mixed_parcels(rnd: random.Random, n: int = 1000) -> list[Parcel]:
    places = [("US", "99501"), ("US", "10001"), ("US", "94043"), ("GB", "EC1A 1BB"),
              ("DE", "10115"), ("FR", "75001"), ("AU", "2000"), ("CA", "M5V 2T6"),
              ("JP", "1000001"), ("NL", "1012"), ("BR", "01000-000"), ("AE", "")]  # fmt: skip
    out = []
    for _ in range(n):
        country, postcode = rnd.choice(places)
        dims = sorted((rnd.randint(50, 700) for _ in range(3)), reverse=True)
        out.append(Parcel(weight_g=rnd.randint(50, 30000), length_mm=dims[0], width_mm=dims[1],
                          height_mm=dims[2], country=country, postcode=postcode,
                          battery=rnd.random() < 0.1))  # fmt: skip
    return out


def main(argv=None) -> None:
    args = parse_args(argv)
    if args.pin is not None:
        os.sched_setaffinity(0, {args.pin})
    rnd = random.Random(args.seed)
    store_s = None
    data_dir = None
    if args.source == "db":
        data_dir = Path(tempfile.mkdtemp(prefix="tl-bench-rating-"))
        try:
            channels, compile_s, store_s = build_db(args, rnd, data_dir)
        finally:
            shutil.rmtree(data_dir, ignore_errors=True)  # compiled channels live in memory
    else:
        channels, compile_s = build_memory(args, rnd)
    parcel = Parcel(**PARCEL)
    first = quote_all(channels, parcel, on_date=ON)
    ok = sum(q.ok for q in first)
    rate(channels, [parcel], 0.3)  # warm up
    rounds = [rate(channels, [parcel], args.seconds) for _ in range(args.rounds)]
    wall = [r[0] for r in rounds]
    cpu = [r[1] for r in rounds]
    mixed = mixed_parcels(random.Random(args.seed + 1))
    mixed_ok = sum(q.ok for p in mixed[:100] for q in quote_all(channels, p, on_date=ON))
    mixed_rounds = [rate(channels, mixed, args.seconds) for _ in range(max(1, args.rounds // 2))]
    sample = next(q for q in first if q.ok)
    result = {
        "benchmark": "rating",
        "quotes_per_s": round(statistics.median(wall)),
        "quotes_per_s_best": round(max(wall)),
        "quotes_per_s_rounds": [round(r) for r in wall],
        "quotes_per_cpu_s": round(statistics.median(cpu)),
        "cpu_share": round(sum(wall) / sum(cpu), 2),
        "mixed_quotes_per_s": round(statistics.median(r[0] for r in mixed_rounds)),
        "mixed_quotes_per_cpu_s": round(statistics.median(r[1] for r in mixed_rounds)),
        "channels": len(channels),
        "zones_per_channel": args.zones,
        "brackets_per_zone": args.brackets,
        "parcel": {k: str(v) for k, v in PARCEL.items()},
        "channels_ok_for_parcel": ok,
        "mixed_ok_share": round(mixed_ok / (100 * len(channels)), 3),
        "sample_quote": {
            "channel": sample.channel_code,
            "zone": sample.zone,
            "rule": sample.zone_rule_text,
            "chargeable_g": sample.chargeable_g,
            "lines": [[line.code, str(line.amount.amount)] for line in sample.lines],
            "total": str(sample.total),
        },  # fmt: skip
        "source": args.source,
        "compile_s": round(compile_s, 3),
        "store_s": round(store_s, 3) if store_s is not None else None,
        "pinned_cpu": args.pin,
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "python": platform.python_version(),
        "machine": platform.machine(),
        "cpu_count": os.cpu_count(),
    }
    here = Path(__file__).resolve().parent
    sys.path.insert(0, str(here))
    if not args.no_karrio:
        import karrio_bench

        k = karrio_bench.run(mixed, args.karrio_requests, args.channels, args.zones, args.brackets)
        result.update(k)
        ours = result["mixed_quotes_per_s"]
        result["speedup_vs_karrio"] = round(ours / k["karrio_quotes_per_s"], 1)
        # the same ratio under the name every benchmark uses (baseline: karrio, this run)
        result["mixed_quotes_vs_baseline"] = round(ours / k["karrio_quotes_per_s"], 2)
        result["quotes_vs_baseline"] = round(result["quotes_per_s"] / k["karrio_quotes_per_s"], 2)
    if not args.no_labels:
        import labels_bench

        result.update(labels_bench.run(args.pdf_labels, args.zpl_labels))
    if not args.no_bulk:
        child = subprocess.run(
            [sys.executable, str(here / "shop_bench.py"), "--orders", str(args.orders)],
            capture_output=True,
            text=True,
            check=True,
        )
        shop = json.loads(child.stdout)
        result["bulk_rate_shop_orders_per_s"] = shop["bulk_rate_shop_orders_per_s"]
        result["bulk_rate_shop_vs_baseline"] = shop["bulk_rate_shop_vs_baseline"]
        result["bulk_rate_shop"] = shop
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
