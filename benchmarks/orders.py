#!/usr/bin/env python
"""Order throughput: bulk import of N synthetic orders, then review and allocation. Prints JSON.

    python benchmarks/orders.py --database sqlite --orders 100000
    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/tradelane_bench \\
        python benchmarks/orders.py --database postgresql --orders 100000

The run is reproducible from a clean machine: SQLite gets a fresh temporary data folder,
PostgreSQL a freshly (re)created database (``DATABASE_URL``, default
postgresql://postgres@127.0.0.1:5432/tradelane_bench; it is dropped again at the end unless
``--keep``). Then: migrate; seed a company, FX rates, six stores in six currencies, 300 SKUs with
store-SKU mappings (some bundles), three warehouses with stock; write N orders (two lines each,
addresses in US, GB, DE, FR, AU, CA, JP, NL, IT, ES with real postcodes and valid phone
numbers; about 4 % deliberately doubtful: bad postcode or phone, unpaid, high value,
duplicate, unmapped SKU, and 0.1 % that the importer rejects) to a temporary JSONL or CSV file
(seeded random generator: the same N gives the same file).

Timed steps (method "import_then_review_allocate", the default):
1. ``import_file(..., review=False)``: parse, validate, map SKUs, write orders, lines and
   state events: ``import_orders_per_s`` = N / seconds.
2. ``review_orders`` over every order, then ``allocate_orders`` over the approved ones (both in
   slices of ``--slice`` ids, as the job kinds do): ``review_allocate_orders_per_s`` =
   N / (review seconds + allocate seconds).
Then the same file is imported again (``reimport_same_file``): every order comes back unchanged
and the row count of every table stays the same.
With ``--review-in-import`` (method "import_with_review_then_rereview_allocate") step 1 is
the import as the UI runs it, which reviews every chunk, and step 2 re-runs the review.
``--profile import|review_allocate`` prints the top of a cProfile of that step to stderr.
"""

from __future__ import annotations

import argparse
import cProfile
import csv
import io
import json
import os
import platform
import pstats
import random
import resource
import shutil
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

DEFAULT_PG = "postgresql://postgres@127.0.0.1:5432/tradelane_bench"

# (country, store, currency, weight, [(state, city, postcode)])
PLACES = [
    ("US", "US", "USD", 35, [
        ("CA", "Mountain View", "94043"), ("NY", "New York", "10001"), ("TX", "Austin", "78701"),
        ("WA", "Seattle", "98101"), ("IL", "Chicago", "60601"), ("FL", "Miami", "33131"),
        ("MA", "Boston", "02108"), ("CO", "Denver", "80202"),
    ]),
    ("GB", "UK", "GBP", 15, [
        ("", "London", "SW1A 1AA"), ("", "Manchester", "M1 1AE"), ("", "Birmingham", "B1 1BB"),
        ("", "Leeds", "LS1 4AP"), ("", "Edinburgh", "EH1 1YZ"), ("", "Bristol", "BS1 4DJ"),
    ]),
    ("DE", "EU", "EUR", 12, [
        ("", "Berlin", "10115"), ("", "München", "80331"), ("", "Hamburg", "20095"),
        ("", "Köln", "50667"), ("", "Frankfurt am Main", "60311"),
    ]),
    ("FR", "EU", "EUR", 10, [
        ("", "Paris", "75001"), ("", "Lyon", "69001"), ("", "Marseille", "13001"),
        ("", "Toulouse", "31000"), ("", "Nice", "06000"),
    ]),
    ("AU", "AU", "AUD", 8, [
        ("NSW", "Sydney", "2000"), ("VIC", "Melbourne", "3000"), ("QLD", "Brisbane", "4000"),
        ("WA", "Perth", "6000"), ("SA", "Adelaide", "5000"),
    ]),
    ("CA", "CA", "CAD", 8, [
        ("ON", "Toronto", "M5H 2N2"), ("BC", "Vancouver", "V6B 1A1"),
        ("QC", "Montréal", "H2Y 1C6"), ("AB", "Calgary", "T2P 1J9"),
    ]),
    ("JP", "JP", "JPY", 7, [
        ("Tokyo", "Chiyoda-ku", "100-0001"), ("Osaka", "Osaka-shi Kita-ku", "530-0001"),
        ("Kanagawa", "Yokohama-shi", "220-0012"),
    ]),
    ("NL", "EU", "EUR", 2, [("", "Amsterdam", "1012 JS"), ("", "Rotterdam", "3011 AD")]),
    ("IT", "EU", "EUR", 2, [("RM", "Roma", "00184"), ("MI", "Milano", "20121")]),
    ("ES", "EU", "EUR", 1, [("Madrid", "Madrid", "28013"), ("Barcelona", "Barcelona", "08001")]),
]  # fmt: skip
STORES = {"US": ("USD", "US"), "UK": ("GBP", "GB"), "EU": ("EUR", "DE"), "AU": ("AUD", "AU"),
          "CA": ("CAD", "CA"), "JP": ("JPY", "JP")}  # fmt: skip
# 1 X = rate CNY
FX = {"USD": "7.10", "GBP": "9.00", "EUR": "7.70", "AUD": "4.70", "CAD": "5.20", "JPY": "0.048"}
# price multiplier from a USD price; JPY has no minor unit
PRICE = {"USD": 1, "GBP": Decimal("0.79"), "EUR": Decimal("0.92"), "AUD": Decimal("1.5"),
         "CAD": Decimal("1.37"), "JPY": 150}  # fmt: skip
FIRST = ["James", "Mary", "Oliver", "Emma", "Lukas", "Sophie", "Hugo", "Chloé", "Jack",
         "Charlotte", "Liam", "Ava", "Haruto", "Yui", "Noah", "Mia", "Luca", "Giulia"]  # fmt: skip
LAST = ["Smith", "Jones", "Müller", "Schmidt", "Martin", "Bernard", "Brown", "Wilson",
        "Tremblay", "Roy", "Sato", "Suzuki", "de Jong", "Rossi", "García", "Taylor"]  # fmt: skip
STREETS = ["Main St", "High Street", "Hauptstraße", "Rue de la Paix", "George St",
           "King St W", "Chuo-dori", "Keizersgracht", "Via Roma", "Calle Mayor"]  # fmt: skip
N_SKUS = 300
N_BUNDLES = 10


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--orders", type=int, default=10_000)
    parser.add_argument("--format", choices=("jsonl", "csv"), default="jsonl")
    parser.add_argument("--slice", type=int, default=10_000, help="ids per review/allocate call")
    parser.add_argument("--chunk", type=int, default=2000, help="orders per import transaction")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--review-in-import", action="store_true")
    parser.add_argument("--profile", choices=("import", "review_allocate"))
    parser.add_argument("--keep", action="store_true", help="keep the database and files")
    parser.add_argument(
        "--recreate-any-database",
        action="store_true",
        help="allow dropping a PostgreSQL database whose name lacks 'bench'",
    )
    return parser.parse_args(argv)


# --- environment ----------------------------------------------------------------------------


def prepare_database(args) -> tuple[Path, str | None]:
    """A fresh data folder (and a fresh PostgreSQL database); Django set up and migrated."""
    data_dir = Path(tempfile.mkdtemp(prefix="tl-bench-"))
    os.environ["TRADELANE_DATA_DIR"] = str(data_dir)
    os.environ["DJANGO_SETTINGS_MODULE"] = "tradelane.settings"
    url = None
    if args.database == "postgresql":
        url = os.environ.get("DATABASE_URL") or DEFAULT_PG
        name = url.rsplit("/", 1)[-1].split("?")[0]
        if "bench" not in name and not args.recreate_any_database:
            shutil.rmtree(data_dir, ignore_errors=True)
            raise SystemExit(
                f"The benchmark drops and recreates the database {name!r}. Point DATABASE_URL "
                "at a database whose name contains 'bench', or pass --recreate-any-database."
            )
        os.environ["DATABASE_URL"] = url
        _recreate_pg(url)
    else:
        os.environ.pop("DATABASE_URL", None)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    return data_dir, url


def _pg_admin(url: str):
    import dj_database_url
    import psycopg

    cfg = dj_database_url.parse(url)
    conn = psycopg.connect(
        dbname="postgres",
        user=cfg["USER"] or None,
        password=cfg["PASSWORD"] or None,
        host=cfg["HOST"] or None,
        port=cfg["PORT"] or None,
        autocommit=True,
    )
    return conn, cfg["NAME"]


def _recreate_pg(url: str) -> None:
    from psycopg import sql

    conn, name = _pg_admin(url)
    with conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def _drop_pg(url: str) -> None:
    from django.db import connections
    from psycopg import sql

    connections.close_all()
    conn, name = _pg_admin(url)
    with conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )


def rss_mb() -> float:
    import psutil

    return round(psutil.Process().memory_info().rss / 2**20, 1)


def peak_rss_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)  # KiB on Linux


# --- seed data ------------------------------------------------------------------------------


def seed(n_orders: int, rng: random.Random):
    """Company, FX rates, stores, SKUs, mappings, warehouses and stock. Returns the actor."""
    from django.utils import timezone

    from tradelane.accounts.models import User
    from tradelane.accounts.selectors import company
    from tradelane.catalog.models import Product, Sku
    from tradelane.core.models import FxRate
    from tradelane.inventory import services as inventory
    from tradelane.orders import services
    from tradelane.orders.models import StoreSkuMapping

    actor = User.objects.create_superuser("bench", password="bench-Bench-123")
    company()
    today = timezone.now().date()
    FxRate.objects.bulk_create(
        [
            FxRate(base=c, quote="CNY", rate=Decimal(r), date=today, source="bench")
            for c, r in FX.items()
        ]
    )
    stores = {
        code: services.create_store(
            actor, code=code, name=f"Shop {code}", platform="shopify", currency=cur, country=cty
        )
        for code, (cur, cty) in STORES.items()
    }
    product = Product.objects.create(code="P-BENCH", name="基准商品", name_en="Bench product")
    Sku.objects.bulk_create(
        [
            Sku(product=product, code=f"SKU{i:04d}", name=f"Item {i}", weight_g=200 + i,
                declared_name_en="Item", declared_value=Decimal("5"), hs_code="691200")
            for i in range(N_SKUS)
        ]
    )  # fmt: skip
    sku_ids = list(Sku.objects.order_by("code").values_list("id", flat=True))
    mappings = []
    for code, store in stores.items():
        for i, sku_id in enumerate(sku_ids[:250]):
            mappings.append(
                StoreSkuMapping(store=store, store_sku=f"{code}-{i:04d}", sku_id=sku_id)
            )
        for b in range(N_BUNDLES):
            a, c = sku_ids[b * 2], sku_ids[b * 2 + 1]
            mappings.append(StoreSkuMapping(store=store, store_sku=f"{code}-SET{b}", sku_id=a))
            mappings.append(
                StoreSkuMapping(store=store, store_sku=f"{code}-SET{b}", sku_id=c, quantity=2)
            )
    StoreSkuMapping.objects.bulk_create(mappings, batch_size=1000)

    warehouses = [
        inventory.save_warehouse(actor, code="SZ", name="Shenzhen", country="CN", priority=10),
        inventory.save_warehouse(
            actor, code="LA", name="Los Angeles", kind="overseas", country="US", priority=20
        ),
        inventory.save_warehouse(
            actor, code="FRA", name="Frankfurt", kind="overseas", country="DE", priority=30
        ),
    ]
    inventory.save_warehouse(
        actor, code="FBA-US", name="Amazon FBA", kind="platform", country="US", priority=5
    )
    # Demand per SKU is about n * 2 lines * 1.4 units / 300 SKUs (more for bundle parts).
    # Stock covers about 95 % of it; 6 SKUs have none, so some orders wait for purchase.
    per_sku = n_orders * 2 * 1.4 / N_SKUS
    share = {"SZ": 0.75, "LA": 0.35, "FRA": 0.2}
    for i, sku_id in enumerate(sku_ids):
        if i % 50 == 49:
            continue
        boost = 4 if i < N_BUNDLES * 2 else 1
        for wh in warehouses:
            qty = int(per_sku * boost * share[wh.code] * rng.uniform(0.9, 1.2)) + 1
            inventory.receive(actor, sku_id=sku_id, warehouse_id=wh.pk, quantity=qty)
    return actor


# --- synthetic orders -----------------------------------------------------------------------


def phone_maker(rng: random.Random):
    """A function giving a valid mobile number for a country: its example number with the last
    six digits drawn at random (checked with phonenumbers), so buyers rarely share a number and
    a memoized phone check would not flatter the review."""
    import phonenumbers

    stems = {}
    for country, *_ in PLACES:
        example = phonenumbers.example_number_for_type(country, phonenumbers.PhoneNumberType.MOBILE)
        stems[country] = str(example.national_number)[:-6]
    fmt = phonenumbers.PhoneNumberFormat.INTERNATIONAL

    def make(country: str) -> str:
        while True:
            number = phonenumbers.parse(stems[country] + f"{rng.randrange(10**6):06d}", country)
            if phonenumbers.is_valid_number(number):
                return phonenumbers.format_number(number, fmt)

    return make


def generate(n: int, rng: random.Random):
    """Yield n order dicts (normalized form), deterministic for a seed."""
    make_phone = phone_maker(rng)
    weights = [p[3] for p in PLACES]
    start = datetime(2026, 11, 1, tzinfo=UTC)
    recent: list[dict] = []
    for i in range(n):
        country, store, currency, _, towns = rng.choices(PLACES, weights)[0]
        state, city, postcode = rng.choice(towns)
        first, last = rng.choice(FIRST), rng.choice(LAST)
        name = f"{first} {last}"
        phone = make_phone(country)
        placed = start + timedelta(seconds=i * 20)
        lines = []
        for _ in range(2):
            roll = rng.random()
            if roll < 0.05:
                store_sku = f"{store}-SET{rng.randrange(N_BUNDLES)}"
            elif roll < 0.10:
                store_sku = f"SKU{rng.randrange(250, N_SKUS):04d}"  # our code, no mapping row
            else:
                store_sku = f"{store}-{rng.randrange(250):04d}"
            usd = Decimal(rng.randrange(500, 6000)) / 100
            price = (usd * PRICE[currency]).quantize(
                Decimal(1) if currency == "JPY" else Decimal("0.01")
            )
            qty = rng.choice((1, 1, 1, 2, 3))
            lines.append({"store_sku": store_sku, "title": f"Item {store_sku}", "quantity": qty,
                          "unit_price": str(price)})  # fmt: skip
        address = {
            "name": name,
            "company": "",
            "address1": f"{rng.randrange(1, 999)} {rng.choice(STREETS)}",
            "address2": "",
            "city": city,
            "state": state,
            "postcode": postcode,
            "country": country,
            "phone": phone,
        }
        order = {
            "store": store,
            "external_id": f"{store}-{100000000 + i}",
            "number": f"#{1000 + i}",
            "placed_at": placed.isoformat(),
            "currency": currency,
            "payment_status": "paid",
            "buyer": {"name": name, "email": f"{first}.{last}.{i}@example.com", "phone": phone},
            "shipping_address": address,
            "totals": {"shipping": "700" if currency == "JPY" else "4.99", "tax": "0"},
            "lines": lines,
            "note": "",
        }
        # about 4 % doubtful on purpose
        roll = rng.random()
        if roll < 0.010:
            order["shipping_address"]["postcode"] = "XX"  # not deliverable: pending contact
        elif roll < 0.020:
            order["shipping_address"]["phone"] = order["buyer"]["phone"] = "12345"
        elif roll < 0.025:
            order["payment_status"] = "pending"
        elif roll < 0.030:
            order["lines"][0]["unit_price"] = str(3000 * PRICE[currency])  # high value
        elif roll < 0.033 and recent:
            twin = rng.choice(recent)  # same buyer, address and items an hour later: duplicate
            order.update(
                buyer=twin["buyer"], shipping_address=twin["shipping_address"], lines=twin["lines"]
            )
        elif roll < 0.035:
            order["lines"][1]["store_sku"] = "NO-SUCH-SKU"  # unmapped: invalid
        elif roll < 0.036:
            order["currency"] = "XYZ"  # rejected by the importer
        recent.append(order)
        if len(recent) > 50:
            recent.pop(0)
        yield order


def write_file(path: Path, fmt: str, orders) -> None:
    with path.open("w", encoding="utf-8", newline="") as fh:
        if fmt == "jsonl":
            for o in orders:
                fh.write(json.dumps(o, ensure_ascii=False))
                fh.write("\n")
            return
        from tradelane.orders.importing import CSV_COLUMNS

        writer = csv.DictWriter(fh, fieldnames=CSV_COLUMNS)
        writer.writeheader()
        for o in orders:
            a, b, t = o["shipping_address"], o["buyer"], o["totals"]
            head = {
                "store": o["store"], "external_id": o["external_id"], "number": o["number"],
                "placed_at": o["placed_at"], "currency": o["currency"],
                "payment_status": o["payment_status"], "note": o["note"],
                **{f"buyer_{k}": v for k, v in b.items()},
                **{f"ship_{k}": v for k, v in a.items()},
                **{f"{k}_total": v for k, v in t.items()},
            }  # fmt: skip
            for line in o["lines"]:
                writer.writerow({**head, **line})


# --- the run --------------------------------------------------------------------------------


def id_slices(size: int, **filters):
    """Lists of order ids (ascending) matching ``filters``, ``size`` ids at a time."""
    from tradelane.orders.models import Order

    last = 0
    while True:
        ids = list(
            Order.objects.filter(id__gt=last, **filters)
            .order_by("id")
            .values_list("id", flat=True)[:size]
        )
        if not ids:
            return
        yield ids
        last = ids[-1]


def table_counts() -> dict[str, int]:
    from django.apps import apps

    return {m._meta.label: m.objects.count() for m in apps.get_models()}


def add(total: dict, part: dict) -> None:
    for key, value in part.items():
        total[key] = total.get(key, 0) + value


def profiled(enabled: bool, label: str):
    class _P:
        def __enter__(self):
            self.prof = cProfile.Profile() if enabled else None
            if self.prof:
                self.prof.enable()

        def __exit__(self, *exc):
            if self.prof:
                self.prof.disable()
                out = io.StringIO()
                stats = pstats.Stats(self.prof, stream=out).sort_stats("cumulative")
                stats.print_stats(45)
                out.write("\n--- by own time ---\n")
                stats.sort_stats("tottime").print_stats(30)
                print(f"=== cProfile: {label} ===\n{out.getvalue()}", file=sys.stderr)

    return _P()


def run(args) -> dict:
    data_dir, url = prepare_database(args)
    try:
        return _measure(args, data_dir)
    finally:
        if not args.keep:
            if url:
                _drop_pg(url)
            shutil.rmtree(data_dir, ignore_errors=True)


def _measure(args, data_dir: Path) -> dict:
    import django
    from django.db import connection
    from django.db.models import Count

    from tradelane.orders.allocation import allocate_orders
    from tradelane.orders.importing import import_file
    from tradelane.orders.models import Order
    from tradelane.orders.review import review_orders

    rng = random.Random(args.seed)
    t0 = time.perf_counter()
    actor = seed(args.orders, rng)
    seed_s = time.perf_counter() - t0
    rss = {"after_setup": rss_mb()}

    path = data_dir / f"orders.{args.format}"
    t0 = time.perf_counter()
    write_file(path, args.format, generate(args.orders, rng))
    generate_s = time.perf_counter() - t0
    rss["after_generate"] = rss_mb()

    t0, c0 = time.perf_counter(), time.process_time()
    with profiled(args.profile == "import", "import"), path.open("rb") as fh:
        report = import_file(
            actor, fh, args.format, source="bench", review=args.review_in_import, chunk=args.chunk
        )
    import_s, import_cpu = time.perf_counter() - t0, time.process_time() - c0
    rss["after_import"] = rss_mb()

    review_counts: dict[str, int] = {}
    allocate_counts: dict[str, int] = {}
    with profiled(args.profile == "review_allocate", "review + allocate"):
        t0, c0 = time.perf_counter(), time.process_time()
        for ids in id_slices(args.slice):
            add(review_counts, review_orders(actor, ids))
        review_s, review_cpu = time.perf_counter() - t0, time.process_time() - c0
        t0, c0 = time.perf_counter(), time.process_time()
        for ids in id_slices(args.slice, status="approved"):
            add(allocate_counts, allocate_orders(actor, ids))
        allocate_s, allocate_cpu = time.perf_counter() - t0, time.process_time() - c0
    rss["after_review_allocate"] = rss_mb()

    # The same file again: every order unchanged, no table changes a single row.
    before = table_counts()
    t0 = time.perf_counter()
    with path.open("rb") as fh:
        again = import_file(actor, fh, args.format, source="bench", chunk=args.chunk)
    reimport_s = time.perf_counter() - t0
    reimport = {
        "seconds": round(reimport_s, 2),
        "orders_per_s": round(args.orders / reimport_s, 1),
        "created": again.created,
        "updated": again.updated,
        "unchanged": again.unchanged,
        "rejected": again.rejected,
        "table_counts_identical": table_counts() == before,
    }
    rss["after_reimport"] = rss_mb()

    statuses = dict(
        Order.objects.values_list("status").annotate(n=Count("id")).values_list("status", "n")
    )
    if connection.vendor == "sqlite":
        with connection.cursor() as cur:
            cur.execute("select sqlite_version()")
            db_version = "SQLite " + cur.fetchone()[0]
    else:
        db_version = "PostgreSQL " + str(connection.pg_version)
    ra_s = review_s + allocate_s
    method = (
        "import_with_review_then_rereview_allocate"
        if args.review_in_import
        else "import_then_review_allocate"
    )
    return {
        "database": args.database,
        "orders": args.orders,
        "import_orders_per_s": round(args.orders / import_s, 1),
        "review_allocate_orders_per_s": round(args.orders / ra_s, 1),
        "peak_rss_mb": peak_rss_mb(),
        "method": method,
        "method_note": (
            "import_seconds: import_file over the whole file (read, validate, map SKUs, write "
            "orders, lines, events"
            + (", and review each chunk" if args.review_in_import else "; review=False")
            + "); review_allocate_seconds: review_orders over all N orders"
            + (" (a second review)" if args.review_in_import else "")
            + " + allocate_orders over the approved ones, in slices of "
            + f"{args.slice} ids; both rates are N / seconds. Seeding and file generation are "
            "not timed."
        ),
        "format": args.format,
        "import_seconds": round(import_s, 2),
        "review_seconds": round(review_s, 2),
        "allocate_seconds": round(allocate_s, 2),
        "review_allocate_seconds": round(ra_s, 2),
        "review_orders_per_s": round(args.orders / review_s, 1),
        "cpu_seconds": {
            "import": round(import_cpu, 2),
            "review": round(review_cpu, 2),
            "allocate": round(allocate_cpu, 2),
            "note": "CPU time of this process (with SQLite that includes the database's work; "
            "with PostgreSQL the server's CPU is not counted); wall time / CPU time shows how "
            "much the run waited for a shared CPU",
        },
        "allocate_orders_per_s": round(
            allocate_counts.get("allocated", 0) / allocate_s if allocate_s else 0, 1
        ),
        "reimport_same_file": reimport,
        "import_report": {k: v for k, v in report.as_dict().items() if k not in ("rows", "review")},
        "rejected_codes": sorted(
            {e["code"] for r in report.rows if r["result"] == "rejected" for e in r["errors"]}
        ),
        "review_counts": review_counts,
        "allocate_counts": allocate_counts,
        "final_status_counts": statuses,
        "rss_mb": rss,
        "seed_seconds": round(seed_s, 2),
        "generate_seconds": round(generate_s, 2),
        "file_mb": round(path.stat().st_size / 2**20, 1),
        "chunk": args.chunk,
        "db_version": db_version,
        "python": platform.python_version(),
        "django": django.get_version(),
        "cpu_count": os.cpu_count(),
        "load_avg_1m": round(os.getloadavg()[0], 2),
    }


def main(argv=None) -> int:
    args = parse_args(argv)
    result = run(args)
    from _process_memory import idle_rss_mb  # a fresh web process and worker, idle

    result.update(idle_rss_mb())
    print(json.dumps(result, indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
