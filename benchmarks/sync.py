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
3. ``webhook_rps``, ``webhook_p50_ms``, ``webhook_p99_ms``: the web app served by
   ``tradelane up`` in its own process (waitress, 8 threads, with its task worker child
   draining the stored webhooks meanwhile: ``webhook_processed_per_s``); a separate process
   (multiprocessing) sends signed ``orders/create`` webhooks (each a new delivery id and
   order) open-loop at ``--rate`` requests/s for ``--seconds``; latency counts from each
   request's scheduled send time to the end of its response (queueing included). Each
   webhook is verified and stored raw (committed) before the 200.
   ``webhook_server_cpu_ms_per_request``: the server process's CPU time over the load / the
   requests (the worker's apart: ``webhook_worker_cpu_s``).
   ``webhook_rps_vs_baseline``, ``webhook_p99_vs_baseline``, ``webhook_cpu_vs_baseline``:
   against ``benchmarks/webhook_baseline.py`` (a plain WSGI app: the same HMAC check and a
   one-row SQLite insert) served the same way with the same load, in the same run.

``--only webhooks`` runs part 3 alone; ``--database postgresql`` uses ``DATABASE_URL`` or
postgresql://postgres@127.0.0.1:5432/tradelane_bench_sync (dropped and created; its name must
contain "bench"); ``--server gunicorn|granian`` serves Tradelane and the baseline with that
server instead (and a separate ``tradelane worker``), to compare servers.
"""

from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing
import os
import platform
import shutil
import socket
import subprocess
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
PG_DEFAULT = "postgresql://postgres@127.0.0.1:5432/tradelane_bench_sync"


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


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_listening(port: int, proc: subprocess.Popen, timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the server exited with code {proc.returncode}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"nothing listens on port {port} after {timeout}s")


def _server_command(server: str, app: str, port: int, threads: int) -> list[str]:
    """A WSGI server serving ``app`` (module:callable) in its own process(es)."""
    if server == "gunicorn":
        return [sys.executable, "-m", "gunicorn", "-k", "gthread", "-w", "1", "--threads",
                str(threads), "-b", f"127.0.0.1:{port}", "--backlog", "2048", app]  # fmt: skip
    if server == "granian":
        return [sys.executable, "-m", "granian", "--interface", "wsgi", "--workers", "1",
                "--blocking-threads", str(threads), "--host", "127.0.0.1", "--port", str(port),
                "--backlog", "2048", "--no-access-log", app]  # fmt: skip
    raise ValueError(server)


def start_web_server(env: dict, *, server: str = "waitress", threads: int = 8, worker=True):
    """The web app in its own process, as ``tradelane up`` serves it (its task worker child
    beside it), or under another server (``--server``) with a separate ``tradelane worker``.
    Returns (processes to stop, port, the server's pid). Other benchmarks may measure these
    processes (CPU, RSS): ``_tree_pids``, ``_cpu_seconds``."""
    port = _free_port()
    if server == "waitress":
        cmd = [sys.executable, "-m", "tradelane", "up", "--no-browser", "--no-demo", "--host",
               "127.0.0.1", "--port", str(port), "--threads", str(threads)]  # fmt: skip
        procs = [subprocess.Popen(cmd + ["--no-worker"] * (not worker), env=env,
                                  stdout=subprocess.DEVNULL)]  # fmt: skip
    else:
        cmd = _server_command(server, "tradelane.wsgi:application", port, threads)
        procs = [subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL)]
        if worker:
            command = [sys.executable, "-m", "tradelane", "worker"]
            procs.append(subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL))
    _wait_listening(port, procs[0])
    return procs, port, procs[0].pid


def start_baseline_server(env: dict, db: Path, *, server: str = "waitress", threads: int = 8):
    """``benchmarks/webhook_baseline.py`` served like Tradelane (same server and options)."""
    port = _free_port()
    env = dict(env, BASELINE_DB=str(db), BASELINE_SECRET=SECRET)
    if server == "waitress":
        script = str(ROOT / "benchmarks" / "webhook_baseline.py")
        cmd = [sys.executable, script, "--port", str(port), "--db", str(db),
               "--secret", SECRET, "--threads", str(threads)]  # fmt: skip
    else:
        cmd = _server_command(server, "webhook_baseline:application", port, threads)
        env["PYTHONPATH"] = os.pathsep.join([str(ROOT / "benchmarks"), env.get("PYTHONPATH", "")])
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL)
    _wait_listening(port, proc)
    return [proc], port, proc.pid


def _stop(procs: list[subprocess.Popen]) -> None:
    for proc in procs:
        if proc.poll() is None:
            proc.terminate()
    for proc in procs:
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _children(pid: int) -> list[int]:
    found = []
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children") as fh:
                found += [int(c) for c in fh.read().split()]
    except OSError:
        pass
    return found


def _tree_pids(pid: int) -> list[int]:
    pids, todo = [], [pid]
    while todo:
        current = todo.pop()
        pids.append(current)
        todo += _children(current)
    return pids


def _is_task_worker(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as fh:
            args = fh.read().split(b"\0")
    except OSError:
        return False
    return b"tradelane" in args and b"worker" in args


def _cpu_seconds(pids: list[int]) -> float:
    """User + system CPU seconds of these processes (Linux /proc; 0 elsewhere)."""
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as fh:
                fields = fh.read().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])  # utime, stime
        except (OSError, IndexError, ValueError):
            pass
    return total / os.sysconf("SC_CLK_TCK")


def _send_load(port: int, path: str, args, shop: str) -> dict:
    """Run the load generator (its own process) against ``port``; returns its results."""
    ctx = multiprocessing.get_context("spawn")
    parent, child = ctx.Pipe()
    proc = ctx.Process(target=_load, args=(port, path, args.rate, args.seconds, shop, child))
    proc.start()
    result = parent.recv()
    proc.join()
    return result


def _summary(result: dict) -> dict:
    latencies = [ms for ms, status in result["results"] if status == 200]
    return {
        "requests": len(result["results"]),
        "failed": sum(1 for _, status in result["results"] if status != 200),
        "rps": round(len(latencies) / result["elapsed"], 1),
        "p50_ms": round(_percentile(latencies, 50), 2),
        "p99_ms": round(_percentile(latencies, 99), 2),
        "max_ms": round(max(latencies or [0]), 2),
    }


def _prepare_postgresql(url: str) -> None:
    """Drop and create the benchmark's database (only one whose name says "bench")."""
    import dj_database_url
    import psycopg

    db = dj_database_url.parse(url)
    name = db["NAME"]
    if "bench" not in name:
        raise SystemExit(f"refusing to drop the database {name!r}: its name lacks 'bench'")
    admin = psycopg.connect(
        dbname="postgres", user=db.get("USER") or None, password=db.get("PASSWORD") or None,
        host=db.get("HOST") or None, port=db.get("PORT") or None, autocommit=True,
    )  # fmt: skip
    with admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')


def _webhooks(args, out: dict, conn, shop: str, data_dir: Path) -> None:
    """Part 3: the ack under open-loop load, Tradelane beside the baseline app."""
    from django.db import connections

    from tradelane.integrations.stores.models import WebhookDelivery

    connections.close_all()
    env = dict(os.environ, TRADELANE_DATA_DIR=str(data_dir))
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT / "src"), env.get("PYTHONPATH", "")])

    # the yardstick first: the same load against the least an ack can do
    procs, port, pid = start_baseline_server(
        env, data_dir / "baseline.sqlite3", server=args.server, threads=args.threads
    )
    try:
        cpu = _cpu_seconds(_tree_pids(pid))
        baseline = _summary(_send_load(port, "/hooks/shopify/baseline", args, shop))
        baseline_cpu = _cpu_seconds(_tree_pids(pid)) - cpu
    finally:
        _stop(procs)

    procs, port, pid = start_web_server(
        env, server=args.server, threads=args.threads, worker=not args.no_worker
    )
    try:
        time.sleep(1.0)  # the worker child starts
        pids = [p for proc in procs for p in _tree_pids(proc.pid)]
        web = [p for p in pids if not _is_task_worker(p)]
        workers = [p for p in pids if _is_task_worker(p)]
        web_cpu, worker_cpu = _cpu_seconds(web), _cpu_seconds(workers)
        result = _send_load(port, f"/hooks/shopify/{conn.webhook_token}", args, shop)
        web_cpu, worker_cpu = _cpu_seconds(web) - web_cpu, _cpu_seconds(workers) - worker_cpu
        done = WebhookDelivery.objects.exclude(status=WebhookDelivery.Status.RECEIVED).count()
        connections.close_all()
    finally:
        _stop(procs)
    ours = _summary(result)
    out["webhook_server"] = args.server
    out["webhook_requests"] = ours["requests"]
    out["webhook_failed"] = ours["failed"]
    out["webhook_target_rps"] = args.rate
    out["webhook_rps"] = ours["rps"]
    out["webhook_p50_ms"] = ours["p50_ms"]
    out["webhook_p99_ms"] = ours["p99_ms"]
    out["webhook_max_ms"] = ours["max_ms"]
    out["webhook_rows_stored"] = WebhookDelivery.objects.count()
    out["webhook_processed_per_s"] = round(done / result["elapsed"], 1)
    out["webhook_server_cpu_ms_per_request"] = round(web_cpu * 1000 / ours["requests"], 3)
    out["webhook_worker_cpu_s"] = round(worker_cpu, 2)
    out["baseline_rps"] = baseline["rps"]
    out["baseline_failed"] = baseline["failed"]
    out["baseline_p50_ms"] = baseline["p50_ms"]
    out["baseline_p99_ms"] = baseline["p99_ms"]
    out["baseline_server_cpu_ms_per_request"] = round(baseline_cpu * 1000 / baseline["requests"], 3)
    out["webhook_rps_vs_baseline"] = round(ours["rps"] / baseline["rps"], 3)
    out["webhook_p99_vs_baseline"] = round(ours["p99_ms"] / max(baseline["p99_ms"], 0.01), 2)
    out["webhook_cpu_vs_baseline"] = round(
        out["webhook_server_cpu_ms_per_request"]
        / max(out["baseline_server_cpu_ms_per_request"], 0.001),
        2,
    )
    out["load_average"] = [round(x, 2) for x in os.getloadavg()]


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
    parser.add_argument("--only", choices=["all", "webhooks"], default="all")
    parser.add_argument("--database", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--server", choices=["waitress", "gunicorn", "granian"],
                        default="waitress", help="part 3: waitress is tradelane up")  # fmt: skip
    parser.add_argument("--no-worker", action="store_true", help="part 3 without the worker")
    parser.add_argument("--threads", type=int, default=8, help="server threads for part 3")
    args = parser.parse_args()

    data_dir = Path(tempfile.mkdtemp(prefix="tradelane-bench-sync-"))
    os.environ["TRADELANE_DATA_DIR"] = str(data_dir)
    os.environ["DJANGO_SETTINGS_MODULE"] = "tradelane.settings"
    if args.database == "postgresql":
        url = os.environ.get("DATABASE_URL", "").strip() or PG_DEFAULT
        if not url.startswith("postgres"):
            url = PG_DEFAULT
        _prepare_postgresql(url)
        os.environ["DATABASE_URL"] = url
    else:
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
        "database": args.database,
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

    if args.only == "webhooks":
        fake = FakeShopify(orders=0).start()
        store, conn = connect("SHOPB", fake)
        fake.stop()
    else:
        # 1. incremental paging under the plan's cost limits
        fake = FakeShopify(
            orders=args.paged_orders, bucket_max=bucket, restore_rate=restore
        ).start()
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

    # 3. webhooks against the web app in its own process, load from another process
    _webhooks(args, out, conn, fake.shop, data_dir)
    from _process_memory import idle_rss_mb  # a fresh web process and worker, idle

    out.update(idle_rss_mb())
    print(json.dumps(out, indent=2))
    if not args.keep:
        shutil.rmtree(data_dir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
