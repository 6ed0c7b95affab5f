#!/usr/bin/env python
"""The least a webhook ack can do, as a yardstick for ``benchmarks/sync.py``.

A plain WSGI app (no Django): check the Shopify HMAC (base64 HMAC-SHA256 of the body,
``X-Shopify-Hmac-SHA256``) and insert one row into SQLite (WAL, ``synchronous=NORMAL``, one
connection per thread, autocommit: the row is committed before the answer), deduplicated on
the delivery id. ``sync.py`` serves it with the same server and options as Tradelane, in its
own process, and sends it the same load, so ``webhook_rps_vs_baseline`` and the p99 and CPU
ratios compare Tradelane's ack with this on the same machine in the same run.

    python benchmarks/webhook_baseline.py --port 8001 --db /path/baseline.sqlite3 --secret s

(``--server`` picks waitress, as ``tradelane up``; gunicorn and granian import
``webhook_baseline:application`` and read ``BASELINE_DB`` and ``BASELINE_SECRET``.)
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import hmac
import os
import sqlite3
import sys
import threading

_local = threading.local()
SCHEMA = (
    "CREATE TABLE IF NOT EXISTS delivery (id INTEGER PRIMARY KEY, delivery_id TEXT NOT NULL "
    "UNIQUE, topic TEXT NOT NULL, body BLOB NOT NULL, received_at TEXT NOT NULL "
    "DEFAULT CURRENT_TIMESTAMP)"
)
INSERT = (
    "INSERT INTO delivery (delivery_id, topic, body) VALUES (?, ?, ?) "
    "ON CONFLICT (delivery_id) DO NOTHING RETURNING id"
)


def _db() -> sqlite3.Connection:
    conn = getattr(_local, "conn", None)
    if conn is None:
        conn = sqlite3.connect(os.environ["BASELINE_DB"], isolation_level=None, timeout=30)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
        conn.execute(SCHEMA)
        _local.conn = conn
    return conn


def application(environ, start_response):
    secret = os.environ["BASELINE_SECRET"].encode()
    length = int(environ.get("CONTENT_LENGTH") or 0)
    body = environ["wsgi.input"].read(length)
    given = environ.get("HTTP_X_SHOPIFY_HMAC_SHA256", "")
    digest = base64.b64encode(hmac.new(secret, body, hashlib.sha256).digest()).decode()
    if not hmac.compare_digest(digest, given):
        start_response("401 Unauthorized", [("Content-Type", "application/json")])
        return [b'{"code": "invalid_signature"}']
    found = (
        _db()
        .execute(
            INSERT,
            (
                environ.get("HTTP_X_SHOPIFY_WEBHOOK_ID", ""),
                environ.get("HTTP_X_SHOPIFY_TOPIC", ""),
                body,
            ),
        )  # fmt: skip
        .fetchone()
    )
    answer = b'{"ok": true, "duplicate": %s}' % (b"false" if found else b"true")
    start_response(
        "200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(answer)))]
    )
    return [answer]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--db", required=True)
    parser.add_argument("--secret", required=True)
    parser.add_argument("--threads", type=int, default=8)
    args = parser.parse_args()
    os.environ["BASELINE_DB"], os.environ["BASELINE_SECRET"] = args.db, args.secret
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "src"))
    import logging

    from waitress import create_server

    from tradelane.cli import SERVE_OPTIONS

    logging.getLogger("waitress.queue").setLevel(logging.ERROR)  # as tradelane's settings
    server = create_server(
        application, host="127.0.0.1", port=args.port, threads=args.threads, **SERVE_OPTIONS
    )
    server.run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
