"""What every fake carrier shares: a ThreadingHTTPServer in a thread, fault injection, labels.

Faults are queued with ``fail_next(kind, path_part, times, retry_after)``: ``"429"`` (with a
``Retry-After`` header), ``"503"`` and ``"slow"`` (the request is carried out, then the answer
waits ``slow_seconds`` — longer than the client's read timeout).
"""

from __future__ import annotations

import base64
import itertools
import json
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit


def pdf(text: str) -> bytes:
    """A small valid one-page 4x6 PDF showing ``text`` (what a carrier's label decodes to)."""
    stream = f"BT /F1 18 Tf 20 380 Td ({text}) Tj ET".encode()
    objects = [
        b"<</Type/Catalog/Pages 2 0 R>>",
        b"<</Type/Pages/Kids[3 0 R]/Count 1>>",
        b"<</Type/Page/Parent 2 0 R/MediaBox[0 0 288 432]/Contents 4 0 R"
        b"/Resources<</Font<</F1 5 0 R>>>>>>",
        b"<</Length %d>>stream\n" % len(stream) + stream + b"\nendstream",
        b"<</Type/Font/Subtype/Type1/BaseFont/Helvetica>>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for i, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for off in offsets:
        out += b"%010d 00000 n \n" % off
    out += b"trailer\n<</Size %d/Root 1 0 R>>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def references(node: Any, key: str, value_key: str) -> list[str]:
    """Every non-empty ``value_key`` of the objects under ``key`` (one object or a list of
    them) anywhere in a JSON document, in document order: the references a carrier request
    carries."""
    found: list[str] = []
    if isinstance(node, dict):
        for k, v in node.items():
            if k == key:
                for ref in v if isinstance(v, list) else [v]:
                    if isinstance(ref, dict) and ref.get(value_key):
                        found.append(str(ref[value_key]))
            else:
                found += references(v, key, value_key)
    elif isinstance(node, list):
        for v in node:
            found += references(v, key, value_key)
    return found


@dataclass
class Label:
    tracking_number: str
    reference: str
    label: bytes
    shipment_id: str
    voided: bool = False


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body or b"{}")

    def form(self) -> dict[str, str]:
        return {k: v[0] for k, v in parse_qs(self.body.decode()).items()}


@dataclass
class Reply:
    status: int
    body: bytes | str | dict | list
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str = "application/json"


class FakeCarrier:
    """Subclasses implement ``handle(req) -> Reply`` and set ``prefix`` for tracking numbers."""

    prefix = "1Z"
    slow_seconds = 1.0

    def __init__(self, credentials: dict[str, str]):
        self.credentials = credentials
        self.labels: dict[str, Label] = {}
        self.requests: list[Request] = []
        self._faults: deque[tuple[str, str, float | None]] = deque()
        self._seq = itertools.count(1)
        self._lock = threading.Lock()
        self.server: ThreadingHTTPServer | None = None

    # --- lifecycle ------------------------------------------------------------------------

    def start(self) -> FakeCarrier:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                pass

            def _any(self) -> None:
                parts = urlsplit(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                req = Request(self.command, parts.path, parse_qs(parts.query),
                              {k.lower(): v for k, v in self.headers.items()},
                              self.rfile.read(length))  # fmt: skip
                reply, delay = fake._dispatch(req)
                if delay:
                    time.sleep(delay)
                body = reply.body
                if isinstance(body, dict | list):
                    body = json.dumps(body)
                if isinstance(body, str):
                    body = body.encode()
                try:
                    self.send_response(reply.status)
                    self.send_header("Content-Type", reply.content_type)
                    self.send_header("Content-Length", str(len(body)))
                    for k, v in reply.headers.items():
                        self.send_header(k, v)
                    self.end_headers()
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass

            do_GET = do_POST = do_PUT = do_DELETE = _any

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self.server:
            self.server.shutdown()
            self.server.server_close()

    @property
    def url(self) -> str:
        assert self.server
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    # --- faults ---------------------------------------------------------------------------

    def fail_next(self, kind: str, path_part: str = "", times: int = 1,
                  retry_after: float | None = None) -> None:  # fmt: skip
        for _ in range(times):
            self._faults.append((kind, path_part, retry_after))

    def _fault_for(self, req: Request) -> tuple[str, float | None] | None:
        with self._lock:
            for i, (kind, part, ra) in enumerate(self._faults):
                if part in req.path:
                    del self._faults[i]
                    return kind, ra
        return None

    def _dispatch(self, req: Request) -> tuple[Reply, float]:
        self.requests.append(req)
        fault = self._fault_for(req)
        if fault and fault[0] == "429":
            headers = {"Retry-After": str(fault[1])} if fault[1] is not None else {}
            return self.rate_limited(headers), 0
        if fault and fault[0] == "503":
            return Reply(503, "<html><body>Service Unavailable</body></html>",
                         content_type="text/html"), 0  # fmt: skip
        if req.path.startswith("/tradelane/reference/"):
            return self.reference_lookup(req.path.rsplit("/", 1)[1]), 0
        reply = self.handle(req)
        return reply, (self.slow_seconds if fault and fault[0] == "slow" else 0)

    def rate_limited(self, headers: dict[str, str]) -> Reply:
        return Reply(429, {"errors": [{"code": "RATE.LIMIT.EXCEEDED",
                                       "message": "Too many requests"}]}, headers)  # fmt: skip

    def handle(self, req: Request) -> Reply:  # pragma: no cover - abstract
        raise NotImplementedError

    # --- labels ---------------------------------------------------------------------------

    def create_label(self, reference: str) -> Label:
        with self._lock:
            n = next(self._seq)
            number = f"{self.prefix}{n:010d}"
            label = Label(number, reference, pdf(number), f"SHP{n:06d}")
            self.labels[number] = label
            return label

    def by_reference(self, reference: str) -> Label | None:
        return next((lb for lb in self.labels.values() if lb.reference == reference
                     and reference and not lb.voided), None)  # fmt: skip

    def reference_lookup(self, reference: str) -> Reply:
        label = self.by_reference(reference)
        if label is None:
            return Reply(404, {"error": "not found"})
        return Reply(200, {"tracking_number": label.tracking_number,
                           "shipment_id": label.shipment_id,
                           "label": base64.b64encode(label.label).decode()})  # fmt: skip

    @property
    def labels_created(self) -> int:
        return len(self.labels)

    @staticmethod
    def b64(data: bytes) -> str:
        return base64.b64encode(data).decode()
