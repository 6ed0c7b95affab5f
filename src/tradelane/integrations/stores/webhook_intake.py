"""The store webhook ack at the WSGI level, in front of Django: verify, store raw, answer.

``POST /hooks/<platform>/<token>`` is the one request a platform sends hundreds of times a
second in a burst (a flash sale, a bulk edit), and it must be answered fast or the platform
retries and, after enough failures, removes the webhook. Through Django it cost about 1 ms of
CPU on this project's 2-core reference machine (``benchmarks/sync.py``; cProfile of in-process
WSGI calls): building the request, the request signals, ``JsonResponse``, the connection's ORM
lookup (model instantiation) and above all the ORM insert of a ``django_tasks_db`` task row
(a third of it). Here it is a raw ``SELECT`` of the connection row, the HMAC, one
``INSERT ... ON CONFLICT DO NOTHING RETURNING id`` in autocommit (the row is committed before
the answer: nothing acknowledged can be lost) and a fixed JSON answer.

The stored row is the queue: the task worker drains received rows in batches
(``webhooks.drain_received``), so no task row is written per delivery. Without a worker
(``TRADELANE_TASKS_BACKEND=immediate``, or another backend) every request goes through Django
as before, which queues (runs) the processing task.

Same behaviour as the Django view (``views/webhooks.py``), which still answers everything this
does not take: the same status codes and JSON bodies (404 unknown address, 401 bad signature,
200 ping, 200 ``duplicate`` with the duplicate counted on the first row). Requests outside the
plain case go to Django unchanged, so they are answered exactly as before: a host outside
``ALLOWED_HOSTS`` (400), a body without a length or above the size limits (413, or Django's
400 above ``DATA_UPLOAD_MAX_MEMORY_SIZE``), ``USE_X_FORWARDED_HOST``, another method (405),
``/hooks/tracking/`` (the carriers' webhooks).

The connection's verifier (decrypted secrets) is kept per process, keyed by the connection's
columns that matter (``FINGERPRINT``) as read on each request: any change to them (credentials
rotated, disconnected, token changed, shop domain edited, in any process) makes a new one on
the next delivery.
"""

from __future__ import annotations

import json
import logging
import re
import threading
import time

from django.conf import settings
from django.db import connections
from django.http.request import HttpHeaders, split_domain_port, validate_host
from django.utils import timezone

from .contract import WebhookPing, WebhookRejected

log = logging.getLogger(__name__)

# the connection's columns a verifier depends on, read on every delivery: a change to any of
# them makes a new verifier (the sync's bookkeeping columns, updated by every pull, do not)
FINGERPRINT = (
    "id", "platform", "shop_domain", "base_url", "credentials_encrypted", "settings", "state",
    "webhook_token", "updated_at",
)  # fmt: skip
# the stores' URL pattern (urls.py): anything else under /hooks/ goes to Django
ADDRESS = re.compile(r"/hooks/(?!tracking/)([^/]+)/([^/]+)")


def _json(status: str, data: dict) -> tuple[str, bytes]:
    return status, json.dumps(data).encode()  # as JsonResponse writes it


NOT_FOUND = _json("404 Not Found", {"code": "not_found", "message": "Unknown webhook address"})
PING = _json("200 OK", {"ok": True, "ping": True})
STORED = _json("200 OK", {"ok": True, "duplicate": False})
DUPLICATE = _json("200 OK", {"ok": True, "duplicate": True})
SERVER_ERROR = _json("500 Internal Server Error", {"code": "error", "message": "Server error"})


class WebhookIntake:
    """WSGI middleware: takes plain store webhook deliveries, passes everything else on."""

    def __init__(self, application):
        self.application = application
        # (platform, token) -> (the connection's row as read, its verifier, its id)
        self._verifiers: dict[tuple[str, str], tuple[tuple, object, int]] = {}
        self._lock = threading.Lock()
        self._sql: dict[str, tuple[str, str, str]] = {}

    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO", "")
        if not path.startswith("/hooks/") or environ.get("REQUEST_METHOD") != "POST":
            return self.application(environ, start_response)
        match = ADDRESS.fullmatch(path)
        length = environ.get("CONTENT_LENGTH") or ""
        if (
            match is None
            or not length.isdigit()
            or not 0 < int(length) <= _max_body()
            or not _host_allowed(environ)
            or not _drained_by_worker()
        ):
            return self.application(environ, start_response)
        body = environ["wsgi.input"].read(int(length))
        if len(body) != int(length):  # the client went away mid-body
            return self.application(environ, start_response)
        try:
            status, answer = self.receive(match[1], match[2], body, HttpHeaders(environ))
        except Exception:
            log.exception("webhook intake failed for %s", path)
            connections["default"].close()  # a broken connection is not reused
            status, answer = SERVER_ERROR
        start_response(
            status,
            [("Content-Type", "application/json"), ("Content-Length", str(len(answer)))],
        )
        return [answer]

    def receive(self, platform: str, token: str, body: bytes, headers) -> tuple[str, bytes]:
        db = connections["default"]
        if db.close_at is not None and time.monotonic() >= db.close_at:
            db.close()  # CONN_MAX_AGE, as Django's request signals would
        db.ensure_connection()
        select, insert, count = self._statements(db)
        raw = db.connection
        cursor = raw.cursor()
        try:
            cursor.execute(select, (token, platform))
            row = cursor.fetchone()
            if row is None:
                return NOT_FOUND
            found = self._verifier(platform, token, row)
            if found is None:
                return NOT_FOUND  # changed between the two reads
            verifier, connection_id = found
            try:
                envelope = verifier.verify_webhook(body, headers)
            except WebhookPing:
                return PING
            except WebhookRejected as exc:
                return _json("401 Unauthorized", {"code": "invalid_signature", "message": str(exc)})
            from .webhooks import kept_headers

            ops = db.ops
            cursor.execute(
                insert,
                (
                    connection_id, envelope.delivery_id, envelope.topic, body,
                    ops.adapt_json_value(kept_headers(headers), None),
                    ops.adapt_datetimefield_value(timezone.now()),
                    ops.adapt_datetimefield_value(envelope.triggered_at),
                    "received", "", 0, 0,
                ),
            )  # fmt: skip
            if cursor.fetchone() is not None:
                return STORED
            cursor.execute(count, (connection_id, envelope.delivery_id))
            return DUPLICATE
        finally:
            cursor.close()

    def _verifier(self, platform: str, token: str, row: tuple):
        """The connector for this connection row, made again whenever the row changed."""
        key = (platform, token)
        found = self._verifiers.get(key)
        if found is not None and found[0] == row:
            return found[1], found[2]
        from .contract import connector_for
        from .webhooks import connection_for_address

        connection = connection_for_address(platform, token)
        if connection is None:
            return None
        verifier = connector_for(connection)
        with self._lock:
            if len(self._verifiers) > 1000:
                self._verifiers.clear()
            self._verifiers[key] = (row, verifier, connection.pk)
        return verifier, connection.pk

    def _statements(self, db) -> tuple[str, str, str]:
        found = self._sql.get(db.vendor)
        if found is None:
            from .models import StoreConnection, WebhookDelivery
            from .webhooks import insert_sql

            q = db.ops.quote_name
            mark = "?" if db.vendor == "sqlite" else "%s"  # the driver's own paramstyle
            meta = StoreConnection._meta
            select = "SELECT {} FROM {} WHERE {} = {m} AND {} = {m}".format(
                ", ".join(q(meta.get_field(name).column) for name in FINGERPRINT),
                q(meta.db_table),
                q(meta.get_field("webhook_token").column),
                q(meta.get_field("platform").column),
                m=mark,
            )
            delivery = WebhookDelivery._meta
            count = "UPDATE {t} SET {d} = {d} + 1 WHERE {c} = {m} AND {i} = {m}".format(
                t=q(delivery.db_table),
                d=q(delivery.get_field("duplicates").column),
                c=q(delivery.get_field("connection").column),
                i=q(delivery.get_field("delivery_id").column),
                m=mark,
            )
            insert = insert_sql(db)
            if mark == "?":
                insert = insert.replace("%s", "?")
            found = self._sql[db.vendor] = (select, insert, count)
        return found


def _max_body() -> int:
    from .views.webhooks import MAX_BODY

    return min(MAX_BODY, settings.DATA_UPLOAD_MAX_MEMORY_SIZE or MAX_BODY)


def _host_allowed(environ) -> bool:
    """``HttpRequest.get_host``'s check, for the plain case (else Django answers)."""
    if settings.USE_X_FORWARDED_HOST:
        return False
    host = environ.get("HTTP_HOST")
    if not host:
        return False
    allowed = settings.ALLOWED_HOSTS
    if settings.DEBUG and not allowed:
        allowed = [".localhost", "127.0.0.1", "[::1]"]
    domain, _port = split_domain_port(host)
    return bool(domain) and validate_host(domain, allowed)


def _drained_by_worker() -> bool:
    from .webhooks import drained_by_worker

    return drained_by_worker()
