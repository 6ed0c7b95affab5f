#!/usr/bin/env python
"""ECCANG-compatible ``createOrder`` under a steady rate, for benchmarks/provider.py.

``serve(env, port)`` starts the app under waitress in its own process (the benchmark's
database), with the options and thread count of ``tradelane up``; ``run_load(...)`` starts
this file in a third process, which POSTs ``n`` SOAP ``createOrder`` calls to
``/default/svc/web-service`` at ``rate`` per second, open loop: call ``i`` is due at
``start + i / rate`` whatever the earlier ones are doing, on a new connection as ERP carrier
adapters make them (enough threads that a slow answer never holds a later call back;
``start_lag_max_ms`` shows how late the latest one left). A call's latency runs from the
moment it was due to the end of its answer, so a queue in the server (or in this process) is
counted, not hidden. It prints p50 / p95 / p99 / max of that, the p99 from the moment the
request was sent, the answers, and this process's own CPU per call. ``cpu_seconds(pid)`` is
the server process's CPU time (Linux ``/proc``), read by provider.py around the load.

Run alone: ``python eccang_load.py URL TOKEN KEY N RATE PREFIX``.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

THREADS = 8  # tradelane up --threads (its default)
ASK_SUCCESS = re.compile(r'ask(?:"|&quot;)\s*:\s*(?:"|&quot;)Success')
SOAP = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<SOAP-ENV:Envelope xmlns:SOAP-ENV="http://schemas.xmlsoap.org/soap/envelope/" '
    'xmlns:ns1="http://www.example.org/Ec/"><SOAP-ENV:Body><ns1:callService>'
    "<paramsJson>{params}</paramsJson><appToken>{token}</appToken><appKey>{key}</appKey>"
    "<service>createOrder</service></ns1:callService></SOAP-ENV:Body></SOAP-ENV:Envelope>"
)


def order(reference: str, i: int) -> dict:
    return {
        "reference_no": reference, "shipping_method": "B-USLINE", "country_code": "US",
        "order_weight": round(0.3 + (i % 15) / 10, 3), "order_pieces": "1", "mail_cargo_type": 4,
        "Consignee": {
            "consignee_street": "350 Fifth Avenue", "consignee_name": f"Jane Doe {i}",
            "consignee_telephone": f"+1 212 736 {i % 10000:04d}", "consignee_postcode": "10118",
            "consignee_province": "NY", "consignee_city": "New York",
        },
        "Shipper": {
            "shipper_countrycode": "CN", "shipper_province": "GUANGDONG",
            "shipper_city": "SHENZHEN", "shipper_street": "Pinghu 55", "shipper_postcode": "518000",
            "shipper_name": "Push Co", "shipper_telephone": "13800138000",
        },
        "ItemArr": [{"invoice_cnname": "棉T恤", "invoice_enname": "Cotton T-shirt",
                     "invoice_weight": 0.3, "invoice_quantity": "2", "invoice_unitcharge": 6.5,
                     "hs_code": "610910"}],
        "Volume": [{"length": 25, "width": 18, "height": 6, "weight": 0.6}],
    }  # fmt: skip


def body(reference: str, i: int, token: str, key: str) -> bytes:
    params = json.dumps(order(reference, i), ensure_ascii=False, separators=(",", ":"))
    params = params.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return SOAP.format(params=params, token=token, key=key).encode()


def serve(env: dict, port: int, threads: int = THREADS) -> subprocess.Popen:
    """The app under waitress in a process of its own, served as ``tradelane up`` serves it
    (``cli.SERVE_OPTIONS``, ``threads`` workers); returns once it answers."""
    code = (
        "from waitress import serve; from tradelane.cli import SERVE_OPTIONS; "
        "from tradelane.wsgi import application; "
        f"serve(application, host='127.0.0.1', port={port}, threads={threads}, _quiet=True, "
        "ident='tradelane', **SERVE_OPTIONS)"
    )
    proc = subprocess.Popen([sys.executable, "-c", code], env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE)  # fmt: skip
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/login/", timeout=5).read()
            return proc
        except OSError:
            if proc.poll() is not None:
                raise RuntimeError(proc.stderr.read().decode()[-2000:]) from None
            time.sleep(0.5)
    proc.kill()
    raise RuntimeError("the server did not start")


def cpu_seconds(pid: int) -> float | None:
    """User + system CPU seconds of process ``pid`` so far (Linux /proc; None elsewhere)."""
    try:
        with open(f"/proc/{pid}/stat") as fh:
            fields = fh.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return None


def run_load(env: dict, url: str, token: str, key: str, n: int, rate: float, prefix: str) -> dict:
    """This file in another process: ``n`` calls at ``rate``/s; returns its JSON."""
    done = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), url, token, key, str(n), str(rate), prefix],
        env=env, capture_output=True, text=True, timeout=600, check=True,
    )  # fmt: skip
    return json.loads(done.stdout)


def _load(url: str, token: str, key: str, n: int, rate: float, prefix: str) -> dict:
    bodies = [body(f"{prefix}{i:07d}", i, token, key) for i in range(n)]
    target = urllib.parse.urlsplit(url)
    headers = {"Content-Type": "text/xml; charset=utf-8", "Connection": "close"}

    def call(i: int, due: float) -> tuple[float, float, float, str]:
        delay = due - time.perf_counter()
        if delay > 0:
            time.sleep(delay)
        sent = time.perf_counter()
        conn = http.client.HTTPConnection(target.hostname, target.port, timeout=60)
        try:
            conn.request("POST", target.path, body=bodies[i], headers=headers)
            response = conn.getresponse()
            text = response.read().decode()
        finally:
            conn.close()
        done = time.perf_counter()
        ask = "Success" if response.status == 200 and ASK_SUCCESS.search(text) else "Failure"
        return done - due, done - sent, sent - due, ask

    cpu0 = time.process_time()
    start = time.perf_counter() + 0.5
    # a thread for every call that could be in flight for 4 s: a slow server never delays
    # the next call's departure (the generator stays open loop)
    with ThreadPoolExecutor(max_workers=max(32, min(512, int(rate * 4)))) as pool:
        futures = [pool.submit(call, i, start + i / rate) for i in range(n)]
        found = [f.result() for f in futures]
    took = time.perf_counter() - start
    due = sorted(f[0] for f in found)
    sent = sorted(f[1] for f in found)
    asks: dict[str, int] = {}
    for f in found:
        asks[f[3]] = asks.get(f[3], 0) + 1

    def pct(times: list[float], p: float) -> float:
        return round(times[min(len(times) - 1, int(len(times) * p))] * 1000, 2)

    return {
        "requests": n, "rate_asked": rate, "rate_served": round(n / took, 1),
        "p50_ms": pct(due, 0.5), "p95_ms": pct(due, 0.95), "p99_ms": pct(due, 0.99),
        "max_ms": round(due[-1] * 1000, 2), "p99_from_send_ms": pct(sent, 0.99),
        "start_lag_max_ms": round(max(f[2] for f in found) * 1000, 2), "asks": asks,
        "client_cpu_ms_per_request": round((time.process_time() - cpu0) * 1000 / n, 2),
    }  # fmt: skip


def main(argv=None) -> int:
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("url", help="e.g. http://127.0.0.1:8000/default/svc/web-service")
    parser.add_argument("token", help="the ECCANG appToken")
    parser.add_argument("key", help="the ECCANG appKey")
    parser.add_argument("n", type=int, help="createOrder calls")
    parser.add_argument("rate", type=float, help="calls per second (open loop)")
    parser.add_argument("prefix", help="reference_no prefix (each call's own reference)")
    args = parser.parse_args(argv)
    print(json.dumps(_load(args.url, args.token, args.key, args.n, args.rate, args.prefix)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
