"""What every local fake platform server shares: a ``ThreadingHTTPServer`` on 127.0.0.1 port 0
in a daemon thread, JSON answers, and failure injection (the next n requests answer a status;
a response cut after n bytes, optionally on the n-th request from now).

A subclass implements ``route(method, path, query, headers, raw) -> (status, body, headers)``
(``body`` is JSON-encoded unless it is ``bytes``) and may override ``before(...)`` to refuse a
request early (auth, rate limits): return a response tuple, or None to go on.
"""

from __future__ import annotations

import json
import threading
import time
import urllib.error
import urllib.request
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

Response = tuple[int, object, dict]


# An order the platform has but does not list in order queries (the live demo registers the
# demo's earlier orders this way, so that pushing their tracking finds them, while a sync does
# not import them a second time with other contents).
HIDDEN = "_tradelane_hidden"


def _default(value):
    if isinstance(value, Decimal):
        return float(value) if value != value.to_integral_value() else int(value)
    raise TypeError(type(value))


def post(url: str, body: bytes, headers: dict, timeout: float = 10) -> int:
    """POST raw bytes (a webhook delivery); the HTTP status the receiver answered."""
    req = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            return resp.status
    except urllib.error.HTTPError as exc:
        return exc.code


class FakeServer:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.requests = 0
        self.log: list[tuple[str, str]] = []  # (method, path) of every request
        self._fail: list[tuple[int, dict, str | None, str | None]] = []
        self.drop_after_bytes: int | None = None  # cut the next response after n bytes
        self.drop_on_request: int | None = None  # ... only on the n-th request from now
        self.delay = 0.0
        self.server: ThreadingHTTPServer | None = None

    def fail_next(
        self,
        n: int = 1,
        status: int = 503,
        headers: dict | None = None,
        *,
        method: str | None = None,
        path_contains: str | None = None,
    ) -> None:
        """The next ``n`` requests (only those with ``method`` / a path containing
        ``path_contains``, when given) answer ``status``."""
        with self.lock:
            entry = (status, headers or {"Retry-After": "0"}, method, path_contains)
            self._fail.extend([entry] * n)

    def _take_failure(self, method: str, path: str):
        with self.lock:
            for i, (status, headers, m, p) in enumerate(self._fail):
                if (m is None or m == method) and (p is None or p in path):
                    del self._fail[i]
                    return status, headers
        return None

    # --- server -----------------------------------------------------------------------------

    def start(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):  # quiet
                pass

            def do_GET(self):  # noqa: N802
                fake._handle(self, "GET")

            def do_POST(self):  # noqa: N802
                fake._handle(self, "POST")

            def do_PUT(self):  # noqa: N802
                fake._handle(self, "PUT")

            def do_PATCH(self):  # noqa: N802
                fake._handle(self, "PATCH")

            def do_DELETE(self):  # noqa: N802
                fake._handle(self, "DELETE")

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    @property
    def base_url(self) -> str:
        assert self.server is not None
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
            self.server = None

    def send(self, handler, status: int, body, headers: dict | None = None) -> None:
        if isinstance(body, bytes):
            data = body
        else:
            data = json.dumps(body, default=_default).encode() if body is not None else b""
        drop = None
        with self.lock:
            if self.drop_after_bytes is not None:
                if self.drop_on_request is None or self.drop_on_request <= 1:
                    drop, self.drop_after_bytes, self.drop_on_request = (
                        self.drop_after_bytes, None, None,
                    )  # fmt: skip
                else:
                    self.drop_on_request -= 1
        handler.send_response(status)
        if data:
            handler.send_header("Content-Type", "application/json; charset=UTF-8")
        handler.send_header("Content-Length", str(len(data)))
        for k, v in (headers or {}).items():
            handler.send_header(k, v)
        handler.end_headers()
        if drop is not None:
            handler.wfile.write(data[:drop])
            handler.wfile.flush()
            handler.close_connection = True
            try:
                handler.connection.shutdown(2)
            except OSError:
                pass
            return
        handler.wfile.write(data)

    def _handle(self, handler, method: str) -> None:
        length = int(handler.headers.get("Content-Length") or 0)
        raw = handler.rfile.read(length) if length else b""
        parts = urlsplit(handler.path)
        query = {k: v[-1] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
        with self.lock:
            self.requests += 1
            self.log.append((method, parts.path))
        if self.delay:
            time.sleep(self.delay)
        early = self.before(method, parts.path, query, handler.headers, raw)
        if early is not None:
            return self.send(handler, *early)
        fail = self._take_failure(method, parts.path)
        if fail is not None:
            status, headers = fail
            return self.send(handler, status, self.failure_body(status), headers)
        status, body, headers = self.route(method, parts.path, query, handler.headers, raw)
        self.send(handler, status, body, headers)

    # --- for subclasses ---------------------------------------------------------------------

    def before(self, method, path, query, headers, raw) -> Response | None:
        return None

    def failure_body(self, status: int):
        return {"message": "Service Unavailable"}

    def route(self, method, path, query, headers, raw) -> Response:
        return 404, {"message": "Not Found"}, {}
