#!/usr/bin/env python
"""Idle memory of a web process and of a task worker, each measured in a fresh interpreter.

``idle_rss_mb()`` returns ``{"idle_rss_mb_web": ..., "idle_rss_mb_worker": ...}``: the resident
set size (psutil, MiB) of

- **web**: a process that imported ``tradelane.wsgi`` (``django.setup()`` and the URLconf, as
  waitress and any WSGI server do) and served one request through the WSGI application
  (``GET /login/``, the page everybody sees first);
- **worker**: ``tradelane worker`` (``db_worker``) after start-up and one empty poll of the
  task queue (``--batch``: it polls, finds nothing and returns), followed by one periodic sweep
  (outbox delivery, carrier tracking poll...) as the worker's background thread runs.

Both run on a fresh, migrated SQLite database of their own in a temporary folder (removed
afterwards), not on the calling benchmark's: its queued tasks and webhooks would make the
worker busy, not idle. ``python benchmarks/_process_memory.py`` prints the two figures alone.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

_RSS = "import psutil; print('RSS_MB', round(psutil.Process().memory_info().rss / 2**20, 1))"

WEB = f"""
import io, sys
from tradelane.wsgi import application
from django.urls import get_resolver
get_resolver().url_patterns  # the URLconf, as the first request loads it
environ = {{"REQUEST_METHOD": "GET", "PATH_INFO": "/login/", "QUERY_STRING": "",
           "SERVER_NAME": "localhost", "SERVER_PORT": "80", "HTTP_HOST": "localhost",
           "SERVER_PROTOCOL": "HTTP/1.1", "wsgi.url_scheme": "http",
           "wsgi.input": io.BytesIO(b""), "wsgi.errors": sys.stderr, "wsgi.version": (1, 0),
           "wsgi.multithread": True, "wsgi.multiprocess": False, "wsgi.run_once": False}}
status = []
body = b"".join(application(environ, lambda s, h, e=None: status.append(s)))
assert status[0].startswith("200"), status
{_RSS}
"""

WORKER = f"""
import sys
from tradelane import cli
code = cli.main(["worker", "--batch", "--no-startup-delay", "--no-reload"])
assert code == 0, code
from tradelane.core import periodic
periodic.sweep()
{_RSS}
"""


def _child_rss(script: str, env: dict[str, str]) -> float:
    out = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, check=False
    )
    for line in out.stdout.splitlines():
        if line.startswith("RSS_MB "):
            return float(line.split()[1])
    raise RuntimeError(f"memory probe failed ({out.returncode}):\n{out.stderr[-3000:]}")


def idle_rss_mb() -> dict[str, float]:
    data_dir = Path(tempfile.mkdtemp(prefix="tradelane-bench-memory-"))
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env["PYTHONPATH"] = os.pathsep.join(
        p for p in (str(ROOT / "src"), env.get("PYTHONPATH", "")) if p
    )
    env["DJANGO_SETTINGS_MODULE"] = "tradelane.settings"
    env["TRADELANE_DATA_DIR"] = str(data_dir)
    env["TRADELANE_TASKS_BACKEND"] = "db"  # the worker this measures is db_worker
    try:
        subprocess.run(
            [sys.executable, "-m", "tradelane", "manage", "migrate", "-v0"], env=env, check=True
        )
        return {
            "idle_rss_mb_web": _child_rss(WEB, env),
            "idle_rss_mb_worker": _child_rss(WORKER, env),
        }
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)


def main() -> int:
    print(json.dumps(idle_rss_mb(), indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
