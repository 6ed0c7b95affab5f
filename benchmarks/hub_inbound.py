#!/usr/bin/env python
"""The hub's inbound scan under load: scan + weigh + re-rate + answer through
``POST /hub/inbound/scan``, as the scan screen calls it. Prints JSON.

    python benchmarks/hub_inbound.py --database sqlite
    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/tradelane_hub_inbound_bench \\
        python benchmarks/hub_inbound.py --database postgresql

A fresh data folder (and database, as ``provider.py``): migrate; seed the provider of
``provider.seed()`` (two channels with cost and sale sheets, a level with its own sheets);
write ``--waybills`` waybills (default 1,000,000) of 200 customers with
``provider.fill_waybills`` (one set-based INSERT, not timed; a seventh of them not yet in);
a hub operator signed in (a session row, its cookie and a CSRF token, as a browser holds).
Then the app under waitress in its own process (``open_loop.serve``, as ``tradelane up``
serves it) takes ``--rate`` scans a second for ``--seconds`` seconds from a third process
(``open_loop.run_load``: open loop, each call due at its moment on a new connection, its
latency counted from that moment): each scan a different waybill not yet in, a measured
weight and sides, so each one locks the row, records the piece, re-rates on the channel's
sale and cost sheets, writes the timeline event, the audit row and the customer's webhook and
answers the sort key.

``inbound_scans_per_s``: the scans answered ``ok`` (or ``problem``) per second of the load;
``inbound_scan_p99_ms``: their p99 latency from the moment each was due.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import socket
import sys
import time
from pathlib import Path
from types import SimpleNamespace

sys.path.insert(0, str(Path(__file__).resolve().parent))

DEFAULT_PG = "postgresql://postgres@127.0.0.1:5432/tradelane_hub_inbound_bench"
CUSTOMERS = 200
STATUSES = 7  # fill_waybills: waybill g is "created" (not yet in) when g % 7 == 0
WARM = 20


def _operator():
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from tradelane.accounts.roles import HUB_OPERATOR, sync_roles

    sync_roles()
    user = get_user_model().objects.create_user("hub-bench", password="bench-Bench-123")
    user.groups.set(Group.objects.filter(name=HUB_OPERATOR))
    return user


def _signed_in_headers(user) -> dict:
    """The session cookie and CSRF header a signed-in browser sends."""
    from django.conf import settings
    from django.middleware.csrf import _get_new_csrf_string
    from django.test import Client

    client = Client()
    client.force_login(user)
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    csrf = _get_new_csrf_string()
    return {
        "Cookie": f"{settings.SESSION_COOKIE_NAME}={session}; {settings.CSRF_COOKIE_NAME}={csrf}",
        "X-CSRFToken": csrf, "Content-Type": "application/json", "Host": "127.0.0.1",
    }  # fmt: skip


def _bodies(first: int, n: int, rng: random.Random) -> list[str]:
    """``n`` scans of the waybills not yet in from the ``first``-th on (TB + 10 digits)."""
    out = []
    for i in range(first, first + n):
        g = STATUSES * (i + 1)
        out.append(json.dumps({
            "code": f"TB{g:010d}", "station": f"IN-{1 + i % 4}",
            "weight": f"{rng.randint(150, 2400) / 1000:.3f}", "length": "25", "width": "18",
            "height": "6",
        }))  # fmt: skip
    return out


def inbound(database: str, waybills: int = 1_000_000, rate: int = 200, seconds: int = 20,
            *, threads: int = 8, workers: int = 1, keep: bool = False,
            server: str = "waitress") -> dict:  # fmt: skip
    """Measure (see the module); ``waybills`` in the table, ``rate`` scans/s for ``seconds``."""
    if database == "postgresql" and not os.environ.get("DATABASE_URL"):
        os.environ["DATABASE_URL"] = DEFAULT_PG
    from orders import _drop_pg, prepare_database

    args = SimpleNamespace(database=database, recreate_any_database=False)
    data_dir, url = prepare_database(args)
    try:
        return _measure(database, waybills, rate, seconds, threads, workers, server)
    finally:
        if not keep:
            if url:
                _drop_pg(url)
            shutil.rmtree(data_dir, ignore_errors=True)


def _measure(database: str, waybills: int, rate: int, seconds: int, threads: int,
             workers: int = 1, server: str = "waitress") -> dict:  # fmt: skip
    from django.db import connection, connections
    from open_loop import cpu_seconds, run_load, serve
    from provider import fill_waybills, seed

    from tradelane.logistics.models import Channel

    n = max(1, int(rate * seconds))
    if WARM + n > waybills // STATUSES:
        raise SystemExit(f"{waybills} waybills hold {waybills // STATUSES} not yet in: fewer "
                         f"than the {WARM + n} scans asked")  # fmt: skip
    rng = random.Random(42)
    seed()
    t0 = time.perf_counter()
    fill_waybills(waybills, CUSTOMERS, Channel.objects.get(code="B-USLINE").pk)
    fill_s = time.perf_counter() - t0
    headers = _signed_in_headers(_operator())
    vendor = connection.vendor
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = dict(os.environ)
    src = str(Path(__file__).resolve().parents[1] / "src")
    env["PYTHONPATH"] = os.pathsep.join(p for p in (src, env.get("PYTHONPATH", "")) if p)
    connections.close_all()  # the server writes alone while it runs
    if server == "waitress" and workers > 1:
        server = "gunicorn"
    proc = serve(env, port, threads=threads, workers=workers, server=server)
    target = f"http://127.0.0.1:{port}/hub/inbound/scan"
    ok = r'"result": "(ok|problem)"'
    try:
        warm = run_load(env, {"url": target, "headers": headers, "ok": ok, "rate": 10,
                              "bodies": _bodies(0, WARM, rng)})  # fmt: skip
        cpu0 = cpu_seconds(proc.pid)
        found = run_load(env, {"url": target, "headers": headers, "ok": ok, "rate": rate,
                               "bodies": _bodies(WARM, n, rng)})  # fmt: skip
        cpu1 = cpu_seconds(proc.pid)
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    good = found["asks"].get("Success", 0)
    took = found["requests"] / found["rate_served"] if found["rate_served"] else 0
    return {
        "database": database,
        "inbound_scans_per_s": round(good / took, 1) if took else 0.0,
        "inbound_scan_p99_ms": found["p99_ms"],
        "inbound_scan_p50_ms": found["p50_ms"],
        "inbound_scan_p95_ms": found["p95_ms"],
        "server_cpu_ms_per_scan": round((cpu1 - cpu0) * 1000 / n, 2) if cpu0 is not None
        else None,
        "table_waybills": waybills, "scans": n, "rate_asked": rate, "server_threads": threads,
        "server_workers": workers,
        "server": {"gunicorn": "gunicorn gthread"}.get(server, server),
        "warm": warm["asks"], "load": found, "fill_seconds": round(fill_s, 1),
        "vendor": vendor, "cpu_count": os.cpu_count(),
        "load_avg_1m": round(os.getloadavg()[0], 2),
        "method": "POST /hub/inbound/scan as the scan screen sends it (session cookie, CSRF "
        "header, kg and cm), each scan a different waybill not yet in: row lock, piece, "
        "re-rate, event, audit, webhook outbox row, answer; open loop from another process "
        "to waitress in a third",
    }  # fmt: skip


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--waybills", type=int, default=1_000_000)
    parser.add_argument("--rate", type=int, default=200, help="scans per second (the bar: 200)")
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--threads", type=int, default=8, help="waitress threads (8)")
    parser.add_argument("--workers", type=int, default=1,
                        help="server processes: 1 is waitress as `tradelane up` serves; more "
                        "is gunicorn as the README's at-scale section serves")  # fmt: skip
    parser.add_argument("--server", choices=("waitress", "gunicorn", "granian"),
                        default="waitress",
                        help="waitress as `tradelane up` serves; gunicorn's threaded worker "
                        "(which --workers above 1 means with waitress); granian")  # fmt: skip
    parser.add_argument("--keep", action="store_true", help="keep the database")
    args = parser.parse_args(argv)
    result = inbound(args.database, args.waybills, args.rate, args.seconds,
                     threads=args.threads, workers=args.workers, keep=args.keep,
                     server=args.server)  # fmt: skip
    print(json.dumps(result, indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
