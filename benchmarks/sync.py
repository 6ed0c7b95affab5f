#!/usr/bin/env python
"""Store sync throughput. Prints JSON.

    python benchmarks/sync.py --orders 100000 --paged-orders 1000 --plan advanced \
        --rate 200 --seconds 10

Reproducible from a clean machine: a fresh temporary data folder with SQLite (WAL), migrate,
one admin, Shopify stores connected to the local fake Shopify server
(``integrations/stores/fakes/shopify.py``), which enforces Shopify's cost rules: a document
above 1,000 requested points is refused, and a leaky bucket restores the points of the
simulated plan (``--plan``; restore rates from
https://shopify.dev/docs/apps/build/apis/graphql-admin/rate-limits: standard 100, advanced
200, plus 1,000 points/s; the bucket, which that table does not give, is taken as 2,000
points for standard and advanced and 10,000 for plus).

1. ``fake_shopify_import_orders_per_s``: an incremental import (``sync.sync`` from a cursor)
   of ``--paged-orders`` orders over HTTP, paged as the connector pages (20 orders of up to 10
   lines: 942 points asked, about 380 spent per page), so the plan's restore rate is the
   limit; applied through ``orders.platform`` (the bulk importer, review included).
   Orders / seconds.
2. ``bulk_backfill_orders_per_s``: the first import of a store with ``--orders`` orders of
   history, through one bulk operation (``bulkOperationRunQuery``, polled, the JSONL result
   streamed and applied in groups of 1,000). Orders / seconds, polling and download included.
3. ``webhook_rps``, ``webhook_p50_ms``, ``webhook_p99_ms``: the web app served by waitress (8
   threads, as ``tradelane up``) in this process; a separate process (multiprocessing) sends
   signed ``orders/create`` webhooks (each a new delivery id and order) open-loop at
   ``--rate`` requests/s for ``--seconds``; latency counts from each request's scheduled send
   time to the end of its response (queueing included). Each webhook is verified, stored raw
   and its processing task queued before the 200.
"""

from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing
import os
import platform
import shutil
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
SECRET = "bench-secret"
# plan -> (bucket points, restore points per second); see the module doc for the source
PLANS = {"standard": (2000.0, 100.0), "advanced": (2000.0, 200.0), "plus": (10000.0, 1000.0)}
START = "2025-12-31T00:00:00Z"  # a cursor before every generated order


def _load(port: int, path: str, rate: float, seconds: float, shop: str, out) -> None:
    """The load generator (its own process): open-loop at ``rate`` requests/s."""
    from tradelane.integrations.stores.fakes.shopify import FakeShopify, make_order, rest_payload

    fake = FakeShopify(shop=shop)
    total = int(rate * seconds)
    bodies = [
        fake.webhook_request("orders/create", rest_payload(make_order(100_000 + i)), SECRET)
        for i in range(total)
    ]
    local = threading.local()

    def send(i: int, at: float) -> tuple[float, int]:
        delay = at - time.perf_counter()
        if delay > 0:
            time.sleep(delay)
        body, headers = bodies[i]
        for attempt in (1, 2):
            conn = getattr(local, "conn", None)
            if conn is None:
                conn = local.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            try:
                conn.request("POST", path, body=body, headers=headers)
                resp = conn.getresponse()
                resp.read()
                return (time.perf_counter() - at) * 1000, resp.status
            except (OSError, http.client.HTTPException):
                local.conn = None
                if attempt == 2:
                    return (time.perf_counter() - at) * 1000, 0
        return 0.0, 0

    start = time.perf_counter() + 0.5
    with ThreadPoolExecutor(max_workers=64) as pool:
        futures = [pool.submit(send, i, start + i / rate) for i in range(total)]
        results = [f.result() for f in futures]
    elapsed = time.perf_counter() - start
    out.send({"results": results, "elapsed": elapsed})


def _percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return 0.0
    k = min(len(ordered) - 1, max(0, round(p / 100 * len(ordered) + 0.5) - 1))
    return ordered[k]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--orders", type=int, default=100000, help="bulk backfill history")
    parser.add_argument("--paged-orders", type=int, default=1000, help="incremental import")
    parser.add_argument("--plan", choices=sorted(PLANS), default="advanced")
    parser.add_argument("--rate", type=float, default=200.0)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--keep", action="store_true", help="keep the data folder")
    args = parser.parse_args()

    data_dir = Path(tempfile.mkdtemp(prefix="tradelane-bench-sync-"))
    os.environ["TRADELANE_DATA_DIR"] = str(data_dir)
    os.environ["DJANGO_SETTINGS_MODULE"] = "tradelane.settings"
    os.environ.pop("DATABASE_URL", None)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)

    from django.contrib.auth.models import Group

    from tradelane.accounts import roles
    from tradelane.accounts.models import User
    from tradelane.integrations.stores import services as store_services
    from tradelane.integrations.stores import sync
    from tradelane.integrations.stores.fakes.shopify import FakeShopify
    from tradelane.integrations.stores.models import StoreConnection
    from tradelane.integrations.stores.shopify.connector import ShopifyConnector
    from tradelane.orders import services as order_services
    from tradelane.orders.models import Order

    admin = User.objects.create_user("bench-admin", password="x")
    admin.groups.add(Group.objects.get(name=roles.ADMIN))
    admin = User.objects.get(pk=admin.pk)

    bucket, restore = PLANS[args.plan]
    out: dict = {
        "benchmark": "store_sync",
        "database": "sqlite",
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "plan": args.plan,
        "bucket_points": bucket,
        "restore_points_per_s": restore,
        "paged_orders": args.paged_orders,
        "bulk_orders": args.orders,
    }

    def connect(code: str, fake):
        store = order_services.create_store(
            admin, code=code, name=code, platform="shopify", currency="USD", country="US"
        )
        return store, store_services.connect(
            admin,
            store,
            shop_domain=fake.shop,
            base_url=fake.base_url,
            credentials={"access_token": fake.token, "webhook_secrets": [SECRET]},
        )

    # 1. incremental paging under the plan's cost limits
    fake = FakeShopify(orders=args.paged_orders, bucket_max=bucket, restore_rate=restore).start()
    store, conn = connect("SHOPB", fake)
    StoreConnection.objects.filter(pk=conn.pk).update(cursor=START)
    conn.refresh_from_db()
    started = time.perf_counter()
    run = sync.sync(conn)
    seconds = time.perf_counter() - started
    assert run.status == "succeeded", run.error
    assert Order.objects.filter(store=store).count() == args.paged_orders
    assert fake.refused_cost == 0 and max(r for r, _ in fake.costs) <= 1000
    out["fake_shopify_import_orders_per_s"] = round(args.paged_orders / seconds, 1)
    out["fake_shopify_import_seconds"] = round(seconds, 2)
    out["fake_shopify_requests"] = fake.requests
    out["fake_shopify_throttled"] = fake.throttled
    out["fake_shopify_max_requested_cost"] = max(r for r, _ in fake.costs)
    fake.stop()

    # 2. the first import of a long history through one bulk operation
    history = FakeShopify(
        orders=args.orders, shop="bench-history.myshopify.com", bucket_max=bucket,
        restore_rate=restore,
    ).start()  # fmt: skip
    history.bulk.polls_to_complete = 3
    big_store, big_conn = connect("SHOPH", history)
    connector = ShopifyConnector(big_conn, bulk_poll_seconds=0.5)
    started = time.perf_counter()
    run = sync.sync(big_conn, connector=connector)
    seconds = time.perf_counter() - started
    assert run.status == "succeeded", run.error
    assert Order.objects.filter(store=big_store).count() == args.orders
    out["bulk_backfill_orders_per_s"] = round(args.orders / seconds, 1)
    out["bulk_backfill_seconds"] = round(seconds, 2)
    out["bulk_backfill_requests"] = history.requests
    history.stop()

    # webhooks against waitress, load from another process
    from django.db import connections
    from waitress import create_server

    from tradelane.integrations.stores.models import WebhookDelivery
    from tradelane.wsgi import application

    connections.close_all()
    from tradelane.cli import SERVE_OPTIONS

    server = create_server(
        application, host="127.0.0.1", port=0, threads=8, ident="tradelane", **SERVE_OPTIONS
    )
    port = server.socket.getsockname()[1]
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    ctx = multiprocessing.get_context("spawn")
    parent, child = ctx.Pipe()
    proc = ctx.Process(
        target=_load,
        args=(port, f"/hooks/shopify/{conn.webhook_token}", args.rate, args.seconds, fake.shop,
              child),
    )  # fmt: skip
    proc.start()
    result = parent.recv()
    proc.join()
    server.close()
    latencies = [ms for ms, status in result["results"] if status == 200]
    failed = sum(1 for _, status in result["results"] if status != 200)
    out["webhook_requests"] = len(result["results"])
    out["webhook_failed"] = failed
    out["webhook_target_rps"] = args.rate
    out["webhook_rps"] = round(len(latencies) / result["elapsed"], 1)
    out["webhook_p50_ms"] = round(_percentile(latencies, 50), 2)
    out["webhook_p99_ms"] = round(_percentile(latencies, 99), 2)
    out["webhook_max_ms"] = round(max(latencies or [0]), 2)
    out["webhook_rows_stored"] = WebhookDelivery.objects.count()
    from _process_memory import idle_rss_mb  # a fresh web process and worker, idle

    out.update(idle_rss_mb())
    print(json.dumps(out, indent=2))
    if not args.keep:
        shutil.rmtree(data_dir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
