"""A local stand-in for www.ecb.europa.eu: serves ``body`` at /stats/eurofxref/... with
``status``, and counts what it was asked."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class FakeEcb:
    def __init__(self) -> None:
        self.body = b""
        self.status = 200
        self.requests: list[str] = []
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 - the stdlib's name
                fake.requests.append(self.path)
                found = self.path.startswith("/stats/eurofxref/")
                status = fake.status if found else 404
                body = fake.body if found and status == 200 else b"not here"
                self.send_response(status)
                self.send_header("Content-Type", "text/xml")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = (
            f"http://127.0.0.1:{self.server.server_port}/stats/eurofxref/eurofxref-hist-90d.xml"
        )
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> FakeEcb:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()
