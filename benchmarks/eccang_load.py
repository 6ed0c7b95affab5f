#!/usr/bin/env python
"""ECCANG-compatible ``createOrder`` under a steady rate, for benchmarks/provider.py.

``serve(env, port)`` starts the app under waitress in its own process (the benchmark's
database); ``run_load(...)`` starts this file in a third process, which POSTs ``n`` SOAP
``createOrder`` calls to ``/default/svc/web-service`` at ``rate`` per second (each at its
scheduled moment, several in flight) as ERP carrier adapters send them, and prints the
latencies as JSON. Run alone: ``python eccang_load.py URL TOKEN KEY N RATE PREFIX``.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

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


def serve(env: dict, port: int) -> subprocess.Popen:
    """The app under waitress (4 threads) in a process of its own; returns once it answers."""
    code = (
        "from waitress import serve; from tradelane.wsgi import application; "
        f"serve(application, host='127.0.0.1', port={port}, threads=4, _quiet=True)"
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


def run_load(env: dict, url: str, token: str, key: str, n: int, rate: float, prefix: str) -> dict:
    """This file in another process: ``n`` calls at ``rate``/s; returns its JSON."""
    done = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), url, token, key, str(n), str(rate), prefix],
        env=env, capture_output=True, text=True, timeout=600, check=True,
    )  # fmt: skip
    return json.loads(done.stdout)


def _load(url: str, token: str, key: str, n: int, rate: float, prefix: str) -> dict:
    bodies = [body(f"{prefix}{i:07d}", i, token, key) for i in range(n)]
    asks: dict[str, int] = {}

    def call(i: int, at: float) -> float:
        delay = at - time.perf_counter()
        if delay > 0:
            time.sleep(delay)
        t0 = time.perf_counter()
        req = urllib.request.Request(
            url, data=bodies[i], headers={"Content-Type": "text/xml; charset=utf-8"}
        )
        with urllib.request.urlopen(req, timeout=60) as response:
            text = response.read().decode()
        ask = "Success" if ASK_SUCCESS.search(text) else "Failure"
        asks[ask] = asks.get(ask, 0) + 1
        return time.perf_counter() - t0

    start = time.perf_counter() + 0.5
    with ThreadPoolExecutor(max_workers=16) as pool:
        futures = [pool.submit(call, i, start + i / rate) for i in range(n)]
        times = sorted(f.result() for f in futures)
    took = time.perf_counter() - start

    def pct(p: float) -> float:
        return round(times[min(len(times) - 1, int(len(times) * p))] * 1000, 2)

    return {"requests": n, "rate_asked": rate, "rate_served": round(n / took, 1),
            "p50_ms": pct(0.5), "p95_ms": pct(0.95), "p99_ms": pct(0.99), "asks": asks}  # fmt: skip


if __name__ == "__main__":
    url, token, key, n, rate, prefix = sys.argv[1:7]
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    print(json.dumps(_load(url, token, key, int(n), float(rate), prefix)))
