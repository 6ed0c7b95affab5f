#!/usr/bin/env python
"""HTTP calls under a steady rate from a process of their own, for the benchmarks that measure
an endpoint as its real callers use it (ECCANG ``createOrder`` in provider.py, the hub's inbound
scan in hub.py).

``serve(env, port)`` starts the app under waitress in its own process (the benchmark's
database), with the options and thread count of ``tradelane up``; ``run_load(env, spec)``
starts this file in another process with a spec (JSON: ``url``, ``headers``, ``bodies``,
``rate``, ``ok``: a regular expression an answer's text must match to count as a success).
It POSTs the bodies at ``rate`` per second, open loop: call ``i`` is due at
``start + i / rate`` whatever the earlier ones are doing, each on a new connection (enough
threads that a slow answer never holds a later call back; ``start_lag_max_ms`` shows how late
the latest one left). A call's latency runs from the moment it was due to the end of its
answer, so a queue in the server (or in this process) is counted, not hidden. It prints
p50 / p95 / p99 / max of that, the p99 from the moment the request was sent, the answers
("Success" or "Failure"), and this process's own CPU per call. ``cpu_seconds(pid)`` is a
process's CPU time (Linux ``/proc``), read around the load for the server's CPU per call.

Run alone: ``python open_loop.py SPEC.json``.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

THREADS = 8  # tradelane up --threads (its default)


def serve(env: dict, port: int, threads: int = THREADS, workers: int = 1,
          server: str = "waitress") -> subprocess.Popen:  # fmt: skip
    """The app under waitress in a process of its own, served as ``tradelane up`` serves it
    (``cli.SERVE_OPTIONS``, ``threads`` workers); returns once it answers. ``workers`` above
    1 (or ``server`` "gunicorn"): ``workers`` processes of ``threads`` threads under gunicorn,
    as the README's "at scale" section serves a busy site (one Python process runs on one core
    at a time). ``server`` "granian": ``workers`` processes of granian (an HTTP server in Rust
    whose connection handling holds no Python lock) running the app on ``threads`` threads."""
    if server == "granian":
        cmd = [sys.executable, "-m", "granian", "--interface", "wsgi", "--workers", str(workers),
               "--blocking-threads", str(threads), "--host", "127.0.0.1", "--port", str(port),
               "--backlog", "2048", "--log-level", "warning",
               "tradelane.wsgi:application"]  # fmt: skip
    elif workers > 1 or server == "gunicorn":
        cmd = [sys.executable, "-m", "gunicorn", "-w", str(workers), "-k", "gthread",
               "--threads", str(threads), "-b", f"127.0.0.1:{port}", "--backlog", "2048",
               "--log-level", "warning", "tradelane.wsgi:application"]  # fmt: skip
    else:
        cmd = [sys.executable, "-c", (
            "from waitress import serve; from tradelane.cli import SERVE_OPTIONS; "
            "from tradelane.wsgi import application; "
            f"serve(application, host='127.0.0.1', port={port}, threads={threads}, "
            "_quiet=True, ident='tradelane', **SERVE_OPTIONS)"
        )]  # fmt: skip
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL,
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
    """User + system CPU seconds of process ``pid`` and its live children so far (Linux
    /proc; None elsewhere): gunicorn's workers are the master's children."""
    try:
        total = 0.0
        for one in (pid, *_children(pid)):
            with open(f"/proc/{one}/stat") as fh:
                fields = fh.read().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        return total
    except (OSError, IndexError, ValueError):
        return None


def _children(pid: int) -> list[int]:
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as fh:
            return [int(c) for c in fh.read().split()]
    except OSError:
        return []


def run_load(env: dict, spec: dict) -> dict:
    """This file in another process, on ``spec``; returns its JSON."""
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as fh:
        json.dump(spec, fh)
    try:
        done = subprocess.run(
            [sys.executable, str(Path(__file__).resolve()), fh.name],
            env=env, capture_output=True, text=True, timeout=1800, check=True,
        )  # fmt: skip
    finally:
        os.unlink(fh.name)
    return json.loads(done.stdout)


def load(spec: dict) -> dict:
    bodies = [b.encode() for b in spec["bodies"]]
    n, rate = len(bodies), float(spec["rate"])
    ok = re.compile(spec["ok"])
    target = urllib.parse.urlsplit(spec["url"])
    headers = {**spec.get("headers", {}), "Connection": "close"}

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
        answer = "Success" if response.status == 200 and ok.search(text) else "Failure"
        return done - due, done - sent, sent - due, answer

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
    parser.add_argument("spec", help="a JSON file: url, headers, bodies, rate, ok")
    args = parser.parse_args(argv)
    with open(args.spec) as fh:
        spec = json.load(fh)
    print(json.dumps(load(spec)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
