#!/usr/bin/env python
"""The provider (forwarding) side: waybills pushed through the service, a customer's list among a
million waybills. Prints JSON.

    python benchmarks/provider.py --database sqlite
    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/tradelane_provider_bench \\
        python benchmarks/provider.py --database postgresql --table-waybills 1000000

Reproducible from a clean machine, as ``orders.py``: SQLite gets a fresh temporary data folder,
PostgreSQL a freshly (re)created database (``DATABASE_URL``, default
postgresql://postgres@127.0.0.1:5432/tradelane_provider_bench; dropped at the end unless
``--keep``). Then: migrate; seed a provider through the services (two channels with cost and
standard sale sheets, a level with its own sale sheets, the pushing customer with its own sale
sheet on the US line, its portal user).

Measured:

- ``waybill_push_service_per_s``: ``--push`` waybills (two pieces of declared goods each,
  consignees in the US, GB and DE with valid addresses and phones, half on a US line whose
  tracking number comes later, half on a postal channel with its own S10 series, so numbered at
  once) created by the customer's portal user through
  ``forwarding.waybills.services.create_waybills`` in batches of 500 (the open API's service
  path: parse and check every field, price against the customer's own sale sheet, take the
  waybill numbers, write waybills, pieces, items, timeline events and audit rows). The payloads
  are built before the clock starts. ``waybill_push_service_per_s_vs_baseline`` = our rate / the
  baseline's: the same rows (waybills, pieces, items, events, audit rows), read back a batch at
  a time (not timed), written again with one plain ``sqlite3`` ``executemany`` (COPY on
  PostgreSQL) per table and one transaction per batch, into empty scratch copies of the tables
  (same columns, constraints and indexes; ``order_baselines.PlainConnection``).
- ``waybill_push_per_s`` (the bar, 2,000/s on SQLite): the same number of other waybills
  POSTed to the open API,
  ``/api/v1/provider/waybills``, 500 per request with the customer's API key, through Django's
  test client (every layer of a request but the socket; bodies built before the clock).
- ``portal_list_p95_ms``: ``--table-waybills`` waybills of ``--customers`` customers over 180
  days are written with one set-based ``INSERT ... SELECT`` (``generate_series`` on PostgreSQL,
  a recursive CTE on SQLite; not through the services, not timed), then ``--queries`` times a
  random customer's portal user asks for the first page (50) of
  ``forwarding.waybills.selectors.search`` filtered by a status and a 30-day date range, rows
  fetched as the portal does: p50 / p95 / p99 in ms.
- ``eccang_create_p99_ms``, ``eccang_create_p50_ms``: ``--eccang-requests`` SOAP ``createOrder``
  calls (one waybill each) to the ECCANG-compatible ``/default/svc/web-service`` at
  ``--eccang-rate`` per second (50), open loop from another process (``eccang_load.py`` on
  ``open_loop.py``: each call leaves at its moment on a new connection, its latency counted from
  that moment) to the app under waitress in a third, served as ``tradelane up`` serves it (its
  options, ``--eccang-threads`` 8). ``eccang_server_cpu_ms_per_request``: the server process's
  CPU time over the load / the calls. ``eccang_in_process_cpu_ms_per_request``: the same call
  one at a time through the WSGI app in this process (no socket, no waitress), with
  ``create_waybills`` of one waybill alone beside it (``eccang_create.in_process``). The
  machine's load average before and after the load is in ``eccang_create``: the server shares
  the machine's cores with the load generator and anything else running.

``--profile push`` (``api``, ``eccang``) prints the top of a cProfile of the push (the API
push, 50 in-process createOrder calls) to stderr.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import platform
import pstats
import random
import shutil
import sys
import time
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from order_baselines import PlainConnection  # noqa: E402 - beside this script
from orders import _drop_pg, peak_rss_mb, prepare_database  # noqa: E402

DEFAULT_PG = "postgresql://postgres@127.0.0.1:5432/tradelane_provider_bench"
BATCH = 500
D = Decimal
PASSWORD = "bench-Bench-123"
CONSIGNEES = [
    {"name": "Jane Doe", "phone": "+1 212 555 0100", "address1": "350 Fifth Avenue",
     "city": "New York", "state": "NY", "postcode": "10118", "country": "US"},
    {"name": "John Roe", "phone": "+1 408 996 1010", "address1": "1 Apple Park Way",
     "city": "Cupertino", "state": "CA", "postcode": "95014", "country": "US"},
    {"name": "Oliver Smith", "phone": "+44 20 7224 3688", "address1": "221B Baker Street",
     "city": "London", "postcode": "NW1 6XE", "country": "GB"},
    {"name": "Lukas Müller", "phone": "+49 30 20940", "address1": "Friedrichstraße 68",
     "city": "Berlin", "postcode": "10117", "country": "DE"},
]  # fmt: skip


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--push", type=int, default=20_000, help="waybills pushed (batches of 500)")
    parser.add_argument("--table-waybills", type=int, default=1_000_000)
    parser.add_argument("--customers", type=int, default=200)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--eccang-requests", type=int, default=500, help="0: not measured")
    parser.add_argument("--eccang-rate", type=float, default=50.0, help="createOrder calls/s")
    parser.add_argument("--eccang-threads", type=int, default=8, help="waitress threads (8)")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--profile", choices=("push", "api", "eccang"))
    parser.add_argument("--keep", action="store_true", help="keep the database")
    parser.add_argument("--no-idle-rss", action="store_true", help="skip the idle process sizes")
    parser.add_argument(
        "--recreate-any-database",
        action="store_true",
        help="allow dropping a PostgreSQL database whose name lacks 'bench'",
    )
    args = parser.parse_args(argv)
    if args.database == "postgresql" and not os.environ.get("DATABASE_URL"):
        os.environ["DATABASE_URL"] = DEFAULT_PG
    return args


@contextmanager
def profiled(on: bool, title: str):
    if not on:
        yield
        return
    prof = cProfile.Profile()
    prof.enable()
    try:
        yield
    finally:
        prof.disable()
        out = io.StringIO()
        pstats.Stats(prof, stream=out).sort_stats("cumulative").print_stats(45)
        print(f"--- cProfile: {title} ---\n{out.getvalue()}", file=sys.stderr)


# --- seed -----------------------------------------------------------------------------------


def seed():
    """A provider through the services; returns (customer, its portal user, channels)."""
    import datetime as dt

    from django.contrib.auth import get_user_model

    from tradelane.forwarding.partners import services as partners
    from tradelane.forwarding.partners.models import customer_sheet_level
    from tradelane.logistics.rates import services as rates
    from tradelane.logistics.rates.descriptions import AreaRule, BracketData, SheetData, ZoneData
    from tradelane.logistics.shipping import services as ship

    admin = get_user_model().objects.create_superuser("bench", password=PASSWORD)

    def sheet(kind, countries, per_kg, reg, level=""):
        zone = ZoneData("Z1", "Z1", tuple(AreaRule(country=c) for c in countries))
        return SheetData(
            kind=kind, customer_level=level, currency="CNY", effective_date=dt.date(2026, 1, 1),
            zones=(zone,),
            brackets=(BracketData("Z1", 0, 30000, per_kg=D(per_kg), registration=D(reg)),),
        )  # fmt: skip

    channels = {}
    for code, countries, extra in (
        ("B-USLINE", ("US",), {}),
        ("B-EUPOST", ("GB", "DE"), {"s10_prefix": "LB", "s10_country": "CN"}),
    ):
        ch = rates.create_channel(
            admin, code=code, name=f"{code} line", currency="CNY", destinations=list(countries),
            transit_days_min=6, transit_days_max=12, **extra,
        )  # fmt: skip
        rates.create_rate_sheet(admin, ch, sheet("cost", countries, "40", "8"))
        rates.create_rate_sheet(admin, ch, sheet("sale", countries, "60", "10"))
        rates.create_rate_sheet(admin, ch, sheet("sale", countries, "55", "9", level="GOLD"))
        channels[code] = ch
    ship.add_s10_series(admin, "LB", "CN", 10000001, 99999999)
    level = partners.create_level(admin, code="GOLD", name="Gold", channels=list(channels))
    customer = partners.create_customer(admin, code="PUSH", company="Push Co", level=level)
    for code, countries in (("B-USLINE", ("US",)), ("B-EUPOST", ("GB", "DE"))):
        rates.create_rate_sheet(admin, channels[code], sheet(
            "sale", countries, "52", "9", level=customer_sheet_level("PUSH")))  # fmt: skip
    user = partners.create_portal_user(
        admin, username="push", password=PASSWORD, customer=customer, check_password=False
    )
    return admin, customer, user


# every consignee its own phone number (the phone check keeps what it has seen)
PHONE_STEMS = {"US": "+1 212 736 ", "GB": "+44 20 7224 ", "DE": "+49 30 2094 "}


def _phone(country: str, i: int, fallback: str) -> str:
    import phonenumbers

    raw = f"{PHONE_STEMS[country]}{i % 10000:04d}"
    number = phonenumbers.parse(raw, country)
    return raw if phonenumbers.is_valid_number(number) else fallback


def payloads(n: int, rng: random.Random, prefix: str = "P") -> list[dict]:
    out = []
    for i in range(n):
        consignee = dict(CONSIGNEES[i % len(CONSIGNEES)])
        consignee["phone"] = _phone(consignee["country"], i // len(CONSIGNEES), consignee["phone"])
        consignee["name"] = f"{consignee['name']} {i}"
        out.append({
            "reference": f"{prefix}{i:08d}",
            "channel": "B-USLINE" if consignee["country"] == "US" else "B-EUPOST",
            "consignee": consignee,
            "pieces": [{"weight_g": rng.randint(100, 1900), "length_mm": 250, "width_mm": 180,
                        "height_mm": 60}],
            "items": [
                {"name_en": "Cotton T-shirt", "name_zh": "棉T恤", "quantity": 2,
                 "unit_value": "6.50", "currency": "USD", "hs_code": "610910", "origin": "CN"},
                {"name_en": "Ceramic mug", "name_zh": "陶瓷杯", "quantity": 1,
                 "unit_value": "4.00", "currency": "USD", "hs_code": "691200"},
            ],
        })  # fmt: skip
    return out


# --- waybill push ---------------------------------------------------------------------------


def push(user, customer, batches: list[list[dict]], profile: bool = False) -> dict:
    from tradelane.forwarding.waybills import services

    created = 0
    spans = []
    t0, c0 = time.perf_counter(), time.process_time()
    with profiled(profile, "waybill push"):
        for batch in batches:
            results = services.create_waybills(user, customer, batch)
            ids = [r.waybill.pk for r in results if r.result == "created"]
            created += len(ids)
            spans.append((min(ids), max(ids)) if ids else None)
    seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
    return {"seconds": seconds, "cpu": cpu, "created": created, "spans": spans}


def api_body(batch: list[dict]) -> str:
    """A batch as the open API takes it (kg and cm), as JSON text."""

    def piece(p):
        cm = {f"{k}_cm": str(p[f"{k}_mm"] / 10) for k in ("length", "width", "height")}
        return {"weight_kg": str(D(p["weight_g"]) / 1000), **cm}

    return json.dumps({"waybills": [
        {**w, "pieces": [piece(p) for p in w["pieces"]]} for w in batch
    ]})  # fmt: skip


def push_api(user, bodies: list[str], warm: str, profile: bool = False) -> dict:
    """The same batches POSTed to /api/v1/provider/waybills with the customer's API key,
    through Django's test client (the whole request path: middleware, key check, schema,
    kg/cm to grams, the service, the answer's JSON; no socket)."""
    from django.test import Client

    from tradelane.accounts import services as accounts

    _key, raw = accounts.create_api_key(user, user=user, name="bench")
    client = Client(SERVER_NAME="127.0.0.1", HTTP_AUTHORIZATION=f"Bearer {raw}")
    # a first request outside the clock: it loads the URLconf and builds the API's schemas
    client.post("/api/v1/provider/waybills", data=warm, content_type="application/json")
    created = 0
    t0, c0 = time.perf_counter(), time.process_time()
    with profiled(profile, "open API push"):
        for body in bodies:
            r = client.post("/api/v1/provider/waybills", data=body, content_type="application/json")
            if r.status_code != 200:
                raise RuntimeError(f"the API answered {r.status_code}: {r.content[:300]!r}")
            created += r.json()["created"]
    return {"seconds": time.perf_counter() - t0, "cpu": time.process_time() - c0,
            "created": created}  # fmt: skip


def _tables() -> dict[str, str]:
    from tradelane.core.models import AuditLog
    from tradelane.forwarding.models import Waybill, WaybillEvent, WaybillItem, WaybillPiece

    return {role: m._meta.db_table for role, m in (
        ("waybill", Waybill), ("piece", WaybillPiece), ("item", WaybillItem),
        ("event", WaybillEvent), ("audit", AuditLog))}  # fmt: skip


def baseline_push(spans: list) -> dict:
    """The rows the push wrote, a batch at a time (read: not timed), written again into empty
    scratch copies with one executemany / COPY per table, one transaction per batch."""
    from order_baselines import _SCRATCH, _timed

    tables = _tables()
    plain = PlainConnection()
    plain.make_scratch(tables)
    m = plain.mark
    cols = {role: plain.columns(t) for role, t in tables.items()}
    clock = [0.0, 0.0]
    rows = 0
    try:
        for span in spans:
            if span is None:
                continue
            lo, hi = span
            data = {
                "waybill": f'SELECT * FROM "{tables["waybill"]}" WHERE id BETWEEN {m} AND {m}',
                "piece": f'SELECT * FROM "{tables["piece"]}" WHERE waybill_id BETWEEN {m} AND {m}',
                "item": f'SELECT * FROM "{tables["item"]}" WHERE waybill_id BETWEEN {m} AND {m}',
                "event": f'SELECT * FROM "{tables["event"]}" WHERE waybill_id BETWEEN {m} AND {m}',
            }
            got = {role: plain.execute(sql, (lo, hi)).fetchall() for role, sql in data.items()}
            got["audit"] = plain.execute(
                f'SELECT * FROM "{tables["audit"]}" WHERE action = {m} AND entity = {m} '
                f'AND object_id IN (SELECT CAST(id AS TEXT) FROM "{tables["waybill"]}" '
                f"WHERE id BETWEEN {m} AND {m})",
                ("waybill.create", "forwarding.waybill", lo, hi),
            ).fetchall()
            rows += sum(len(v) for v in got.values())

            def write(got=got):
                plain.begin()
                for role in ("waybill", "piece", "item", "event", "audit"):
                    plain.copy(f"{_SCRATCH}{tables[role]}", cols[role], got[role])
                plain.commit()

            _timed(clock, write)
    finally:
        plain.drop_scratch(tables)
        plain.close()
    return {"seconds": clock[0], "cpu": clock[1], "rows": rows}


def _wsgi_call(application, data: bytes) -> bytes:
    """One POST to ``/default/svc/web-service`` through the WSGI app in this process."""
    environ = {
        "REQUEST_METHOD": "POST", "PATH_INFO": "/default/svc/web-service", "QUERY_STRING": "",
        "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "80", "HTTP_HOST": "127.0.0.1",
        "SERVER_PROTOCOL": "HTTP/1.1", "CONTENT_TYPE": "text/xml; charset=utf-8",
        "CONTENT_LENGTH": str(len(data)), "wsgi.input": io.BytesIO(data),
        "wsgi.errors": sys.stderr, "wsgi.url_scheme": "http", "wsgi.version": (1, 0),
        "wsgi.multithread": True, "wsgi.multiprocess": False, "wsgi.run_once": False,
    }  # fmt: skip
    chunks = application(environ, lambda status, headers, exc_info=None: None)
    try:
        return b"".join(chunks)
    finally:
        getattr(chunks, "close", lambda: None)()


def eccang_in_process(user, customer, cred, key: str, n: int, profile: bool = False) -> dict:
    """CPU and wall time of one ``createOrder`` without the socket, one call at a time in this
    process: through the whole WSGI app (middleware, view, SOAP in and out), and the waybill
    service alone (``create_waybills`` of the same one waybill) for comparison."""
    from eccang_load import body, order

    from tradelane.forwarding.waybills import services
    from tradelane.forwarding.waybills.models import WaybillSource
    from tradelane.integrations.forwarder_apis import eccang
    from tradelane.wsgi import application

    def timed(fn, items) -> tuple[list[float], list[float]]:
        wall, cpu = [], []
        for item in items:
            t0, c0 = time.perf_counter(), time.thread_time()
            fn(item)
            cpu.append(time.thread_time() - c0)
            wall.append(time.perf_counter() - t0)
        return sorted(wall), sorted(cpu)

    def pct(times, p):
        return round(times[min(len(times) - 1, int(len(times) * p))] * 1000, 2)

    for i in range(5):  # warm
        _wsgi_call(application, body(f"IW{i:07d}", i, cred.identifier, key))
    bodies = [body(f"I{i:07d}", i, cred.identifier, key) for i in range(n)]
    wall, cpu = timed(lambda b: _wsgi_call(application, b), bodies)
    if profile:
        extra = [body(f"IP{i:07d}", i, cred.identifier, key) for i in range(50)]
        with profiled(True, "50 createOrder calls through the WSGI app"):
            for b in extra:
                _wsgi_call(application, b)
    payloads = [eccang.to_payload(order(f"S{i:07d}", i)) for i in range(n)]
    s_wall, s_cpu = timed(
        lambda p: services.create_waybills(user, customer, [p], source=WaybillSource.ECCANG),
        payloads,
    )
    return {
        "calls": n,
        "cpu_ms_per_request": round(sum(cpu) * 1000 / n, 2),
        "cpu_p99_ms": pct(cpu, 0.99),
        "wall_p50_ms": pct(wall, 0.5),
        "wall_p99_ms": pct(wall, 0.99),
        "create_waybills_cpu_ms_per_call": round(sum(s_cpu) * 1000 / n, 2),
        "create_waybills_wall_p50_ms": pct(s_wall, 0.5),
        "method": "one call at a time in the benchmark's process: the SOAP createOrder "
        "through tradelane.wsgi.application (every layer but the socket and waitress), then "
        "forwarding.waybills.services.create_waybills of one such waybill alone; CPU is the "
        "calling thread's",
    }


def eccang_create(user, customer, args) -> dict:
    """``createOrder`` on the ECCANG-compatible endpoint, served by waitress in its own process,
    called at ``--eccang-rate`` per second from a third process (``eccang_load.py``); the
    server's CPU time over the load per call; then the same call in this process."""
    import socket

    from django.contrib.auth import get_user_model
    from django.db import connections
    from eccang_load import run_load
    from open_loop import cpu_seconds, serve

    from tradelane.integrations.forwarder_apis import services as forwarder_apis

    admin = get_user_model().objects.get(username="bench")
    cred, key = forwarder_apis.issue(admin, vendor="eccang", user=user)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = dict(os.environ)
    src = str(Path(__file__).resolve().parents[1] / "src")
    env["PYTHONPATH"] = os.pathsep.join(p for p in (src, env.get("PYTHONPATH", "")) if p)
    connections.close_all()  # the server writes alone while it runs
    server = serve(env, port, threads=args.eccang_threads)
    url = f"http://127.0.0.1:{port}/default/svc/web-service"
    try:
        run_load(env, url, cred.identifier, key, 20, 10.0, "EW")  # warm the first calls
        load_before = os.getloadavg()
        cpu0 = cpu_seconds(server.pid)
        found = run_load(env, url, cred.identifier, key, args.eccang_requests, args.eccang_rate,
                         "E")  # fmt: skip
        cpu1 = cpu_seconds(server.pid)
        load_after = os.getloadavg()
    finally:
        server.terminate()
        server.wait(timeout=30)
    found["server_cpu_ms_per_request"] = (
        round((cpu1 - cpu0) * 1000 / args.eccang_requests, 2) if cpu0 is not None else None
    )
    found["server_threads"] = args.eccang_threads
    found["load_avg_1m_before"] = round(load_before[0], 2)
    found["load_avg_1m_after"] = round(load_after[0], 2)
    found["method"] = (
        "SOAP callService createOrder (paramsJson as ERP adapters send it), open loop from "
        "another process: each call due at its moment on a new connection, its latency from "
        "that moment to the end of the answer; the app under waitress (as tradelane up serves "
        "it) in a third process, whose CPU time over the load / the calls is "
        "server_cpu_ms_per_request"
    )
    found["in_process"] = eccang_in_process(
        user, customer, cred, key, max(20, min(200, args.eccang_requests)),
        profile=args.profile == "eccang",
    )  # fmt: skip
    return found


# --- the portal's list among many waybills --------------------------------------------------


def fill_waybills(n: int, n_customers: int, channel_id: int) -> dict:
    """``n`` waybills of ``n_customers`` new customers over the last 180 days, in one
    set-based INSERT ... SELECT (not through the services)."""
    from django.db import connection
    from django.utils import timezone

    from tradelane.forwarding.models import CustomerAccount, CustomerLevel, Waybill
    from tradelane.forwarding.partners.models import PortalMembership

    t0 = time.perf_counter()
    level = CustomerLevel.objects.get(code="GOLD")
    CustomerAccount.objects.bulk_create([
        CustomerAccount(code=f"C{i:04d}", company=f"Customer {i}", level=level)
        for i in range(n_customers)
    ])  # fmt: skip
    made = CustomerAccount.objects.filter(code__startswith="C").order_by("id")
    ids = list(made.values_list("id", flat=True))
    assert ids == list(range(ids[0], ids[0] + n_customers)), "customer ids are not consecutive"
    table = Waybill._meta.db_table
    statuses = ["created", "received", "held", "in_transit", "delivered", "returned", "cancelled"]
    now = timezone.now().replace(microsecond=0)
    pg = connection.vendor == "postgresql"
    # g: 1..n; the customer g % C, the status g % 7, the age (g * 7919) % 180 days in seconds
    status = "(ARRAY[{}])[(g % 7) + 1]".format(", ".join(f"'{s}'" for s in statuses)) if pg else (
        "CASE g % 7 " + " ".join(f"WHEN {i} THEN '{s}'" for i, s in enumerate(statuses)) + " END"
    )  # fmt: skip
    if pg:
        series = "generate_series(1, %s) AS g"
        created = "%s::timestamptz - ((g::bigint * 7919) % 15552000) * interval '1 second'"
        number = "'TB' || lpad(g::text, 10, '0')"
        ref = "'R' || g::text"
        source = f"FROM {series}"
        params = [now, now, n]
    else:
        created = (
            "strftime('%%Y-%%m-%%d %%H:%%M:%%S', %s, '-' || ((g * 7919) % 15552000) || ' seconds')"
        )
        number = "'TB' || substr('0000000000' || g, -10, 10)"
        ref = "'R' || g"
        source = "FROM s"
        params = [n, now.strftime("%Y-%m-%d %H:%M:%S"), now.strftime("%Y-%m-%d %H:%M:%S")]
    obj, arr = ("'{}'::jsonb", "'[]'::jsonb") if pg else ("'{}'", "'[]'")
    select = f"""
        SELECT {number}, {ids[0]} + (g % {n_customers}), {ref}, {channel_id}, {status}, 'api',
               '', 'pending', '', '', 'Jane Doe', '', '+12125550100', '', '350 Fifth Avenue', '',
               'New York', 'NY', '10118', 'US', {obj}, 'DDU', '', '', '', 25.00, 'USD', NULL, '',
               {"false" if pg else "0"}, {"false" if pg else "0"}, {"false" if pg else "0"}, '',
               1, 200 + g % 1700, NULL, 200 + g % 1700, 60.00, 'CNY', 'GOLD', 40.00, 'CNY', {arr},
               'bench', NULL, '', NULL, {created}, %s
        {source}"""
    columns = (
        "number, customer_id, reference, channel_id, status, source, tracking_number, "
        "tracking_status, last_mile_carrier, last_mile_number, consignee_name, "
        "consignee_company, consignee_phone, consignee_email, consignee_address1, "
        "consignee_address2, consignee_city, consignee_state, consignee_postcode, "
        "consignee_country, shipper, incoterm, ioss, vat_number, eori, declared_value, "
        "declared_currency, insurance_value, insurance_currency, battery, liquid, magnet, note, "
        "pieces, forecast_weight_g, measured_weight_g, chargeable_weight_g, sale_amount, "
        "sale_currency, sale_level, cost_amount, cost_currency, charges, body_hash, "
        "intercept_requested_at, intercept_reason, created_by_id, created_at, updated_at"
    )
    if pg:  # psycopg reads % as a placeholder: the modulo operators are written %%
        sql = f"INSERT INTO {table} ({columns}) {select}".replace(" % ", " %% ")
        params = [now, now, n]
    else:
        sql = (
            "WITH RECURSIVE s(g) AS (SELECT 1 UNION ALL SELECT g + 1 FROM s WHERE g < %s) "
            f"INSERT INTO {table} ({columns}) {select}"
        )
    with connection.cursor() as cur:
        cur.execute(sql, params)
        if pg:
            cur.execute(f"ANALYZE {table}")
        else:
            cur.execute("ANALYZE")
    # a portal user for each of the first 20 customers (the list is asked as them)
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from tradelane.accounts.roles import PORTAL_CUSTOMER

    User = get_user_model()
    users = User.objects.bulk_create([User(username=f"c{i:04d}") for i in range(20)])
    group = Group.objects.get(name=PORTAL_CUSTOMER)
    for u in users:
        u.groups.add(group)
    PortalMembership.objects.bulk_create(
        [PortalMembership(user=u, customer_id=ids[i]) for i, u in enumerate(users)]
    )
    return {"seconds": time.perf_counter() - t0, "users": [u.pk for u in users]}


def portal_list(user_ids: list[int], queries: int, rng: random.Random) -> dict:
    import datetime as dt

    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.utils import timezone

    from tradelane.forwarding.waybills import selectors

    users = list(get_user_model().objects.filter(pk__in=user_ids))
    today = timezone.localdate()
    statuses = ["created", "received", "in_transit", "delivered", "held"]
    times = []
    rows = 0
    for _ in range(queries):
        user = rng.choice(users)
        start = today - dt.timedelta(days=rng.randint(30, 170))
        t0 = time.perf_counter()
        page = list(
            selectors.search(user, status=rng.choice(statuses), created_from=start,
                             created_to=start + dt.timedelta(days=30))[:50]
        )  # fmt: skip
        times.append(time.perf_counter() - t0)
        rows += len(page)
    plan = ""
    with connection.cursor() as cur:
        user = users[0]
        qs = selectors.search(user, status="delivered", created_from=today - dt.timedelta(days=60),
                              created_to=today - dt.timedelta(days=30))[:50]  # fmt: skip
        sql, params = qs.query.sql_with_params()
        cur.execute(("EXPLAIN " if connection.vendor == "postgresql" else "EXPLAIN QUERY PLAN ")
                    + sql, params)  # fmt: skip
        plan = " | ".join(str(r[-1]) for r in cur.fetchall())
    times.sort()

    def pct(p):
        return round(times[min(len(times) - 1, int(len(times) * p))] * 1000, 2)

    return {"p50": pct(0.5), "p95": pct(0.95), "p99": pct(0.99), "rows_per_page": rows / queries,
            "plan": plan}  # fmt: skip


# --- run ------------------------------------------------------------------------------------


def run(args) -> dict:
    data_dir, url = prepare_database(args)
    try:
        return measure(args)
    finally:
        if not args.keep:
            if url:
                _drop_pg(url)
            shutil.rmtree(data_dir, ignore_errors=True)


def measure(args) -> dict:
    import django
    from django.db import connection

    rng = random.Random(args.seed)
    t0 = time.perf_counter()
    _admin, customer, user = seed()
    seed_s = time.perf_counter() - t0
    # a first small batch outside the clock: caches and the day's number series are warm
    from tradelane.forwarding.waybills import services

    services.create_waybills(user, customer, payloads(10, rng, prefix="W"))
    items = payloads(args.push, rng)
    batches = [items[i : i + BATCH] for i in range(0, len(items), BATCH)]
    result = push(user, customer, batches, profile=args.profile == "push")
    base = baseline_push(result["spans"])
    rate = result["created"] / result["seconds"]
    api_items = payloads(args.push, rng, prefix="A")
    bodies = [api_body(api_items[i : i + BATCH]) for i in range(0, len(api_items), BATCH)]
    warm = api_body(payloads(5, rng, prefix="WA"))
    api = push_api(user, bodies, warm, profile=args.profile == "api")

    eccang = eccang_create(user, customer, args) if args.eccang_requests else None

    from tradelane.logistics.models import Channel

    channel_id = Channel.objects.get(code="B-USLINE").pk
    fill = fill_waybills(args.table_waybills, args.customers, channel_id)
    listing = portal_list(fill["users"], args.queries, rng)

    if connection.vendor == "sqlite":
        with connection.cursor() as cur:
            cur.execute("select sqlite_version()")
            db_version = "SQLite " + cur.fetchone()[0]
    else:
        db_version = "PostgreSQL " + str(connection.pg_version)
    return {
        "database": args.database,
        # the issue's key: through the open API, as an ERP pushes
        "waybill_push_per_s": round(api["created"] / api["seconds"], 1),
        "waybill_push_service_per_s": round(rate, 1),
        "waybill_push_service_per_s_vs_baseline": round(base["seconds"] / result["seconds"], 3),
        "portal_list_p95_ms": listing["p95"],
        "eccang_create_p99_ms": eccang["p99_ms"] if eccang else None,
        "eccang_create_p50_ms": eccang["p50_ms"] if eccang else None,
        "eccang_server_cpu_ms_per_request": eccang["server_cpu_ms_per_request"] if eccang else None,
        "eccang_in_process_cpu_ms_per_request": eccang["in_process"]["cpu_ms_per_request"]
        if eccang
        else None,
        "eccang_create": eccang,
        "push": {
            "waybills": result["created"],
            "batch": BATCH,
            "seconds": round(result["seconds"], 2),
            "cpu_seconds": round(result["cpu"], 2),
            "bar_per_s": 2000,
            "method": "forwarding.waybills.services.create_waybills by the customer's portal "
            "user, batches of 500, payloads built before the clock",
        },
        "push_api": {
            "waybills": api["created"],
            "seconds": round(api["seconds"], 2),
            "cpu_seconds": round(api["cpu"], 2),
            "method": "POST /api/v1/provider/waybills (500 per request, kg/cm, API key) "
            "through Django's test client in this process; bodies built before the clock",
        },
        "baseline": {
            "waybill_push_service_per_s": round(result["created"] / base["seconds"], 1),
            "seconds": round(base["seconds"], 3),
            "cpu_seconds": round(base["cpu"], 3),
            "rows": base["rows"],
            "cpu_ratio": round(base["cpu"] / result["cpu"], 3) if result["cpu"] else None,
            "note": "plain sqlite3 executemany / psycopg COPY of the same rows (waybills, "
            "pieces, items, events, audit rows) into empty scratch copies of the tables, one "
            "transaction per batch; *_vs_baseline = our rate / the baseline's",
        },
        "portal_list": {
            "table_waybills": args.table_waybills,
            "customers": args.customers,
            "queries": args.queries,
            "p50_ms": listing["p50"],
            "p95_ms": listing["p95"],
            "p99_ms": listing["p99"],
            "bar_p95_ms": 150,
            "rows_per_page": listing["rows_per_page"],
            "fill_seconds": round(fill["seconds"], 1),
            "plan": listing["plan"],
            "method": "selectors.search as a portal customer: one status, a 30-day range, "
            "first page of 50, rows fetched",
        },
        "peak_rss_mb": peak_rss_mb(),
        "seed_seconds": round(seed_s, 2),
        "db_version": db_version,
        "python": platform.python_version(),
        "django": django.get_version(),
        "cpu_count": os.cpu_count(),
        "load_avg_1m": round(os.getloadavg()[0], 2),
    }


def main(argv=None) -> int:
    args = parse_args(argv)
    result = run(args)
    if not args.no_idle_rss:
        from _process_memory import idle_rss_mb  # a fresh web process and worker, idle

        result.update(idle_rss_mb())
    print(json.dumps(result, indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
