"""karrio switches TLS certificate checks off for the whole process at import; ``karrio_tls``
switches them back on. A local HTTPS server with a self-signed certificate must be refused."""

from __future__ import annotations

import datetime as dt
import os
import ssl
import subprocess
import sys
import threading
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from tradelane.integrations.carriers import client, karrio_tls
from tradelane.logistics.carriers import contract as g


@pytest.fixture(scope="module")
def https_url(tmp_path_factory):
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost")]), critical=False)
        .sign(key, hashes.SHA256())
    )
    folder = tmp_path_factory.mktemp("tls")
    (folder / "cert.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (folder / "key.pem").write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )  # fmt: skip
    )

    class Ok(BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Ok)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(folder / "cert.pem", folder / "key.pem")
    server.socket = ctx.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"https://localhost:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


def test_default_https_context_is_the_verified_one_after_importing_karrio():
    import karrio.core.utils.helpers  # noqa: F401  (the module with the bad line, imported)

    assert karrio_tls.helpers.ssl is ssl
    assert ssl._create_default_https_context is ssl.create_default_context


def test_urlopen_refuses_a_self_signed_certificate(https_url):
    with pytest.raises(urllib.error.URLError) as err:
        urllib.request.urlopen(https_url, timeout=5)
    assert isinstance(err.value.reason, ssl.SSLCertVerificationError)


def test_karrios_own_request_refuses_it_too(https_url):
    # karrio's own function (no Tradelane policy active): urllib with the default context
    with pytest.raises(urllib.error.URLError) as err:
        karrio_tls.lib.request(url=https_url, method="GET")
    assert isinstance(err.value.reason, ssl.SSLCertVerificationError)


def test_our_carrier_client_refuses_it_with_a_clear_error(https_url):
    with client.using(client.Policy(sleep=lambda s: None)) as policy:
        with pytest.raises(g.CarrierError) as err:
            karrio_tls.lib.request(url=https_url, method="GET")
    assert err.value.code == "carrier_tls_error"
    assert err.value.retryable is False
    assert policy.requests == 1


# --- karrio loaded late, by the first carrier call, in a fresh interpreter --------------------

LATE_IMPORT = """
import os, ssl, sys, threading
import django
django.setup()
from django.urls import get_resolver
get_resolver().url_patterns
from tradelane.wsgi import application  # noqa: F401
assert not [m for m in sys.modules if m == "karrio" or m.startswith("karrio.")], "at start-up"

from tradelane.logistics.carriers import contract as g
assert [c.name for c in g.carriers()] == [
    "dhl_express", "fedex", "tradelane", "ups", "usps_international"]
assert "karrio" not in sys.modules, "listing carriers"

# watch the default HTTPS context from another thread while karrio imports
seen, stop = set(), threading.Event()
def watch():
    while not stop.is_set():
        seen.add(ssl._create_default_https_context)
watcher = threading.Thread(target=watch)
watcher.start()
gateway = g.gateway_for("ups")  # imports karrio
stop.set()
watcher.join()
assert "karrio.core.utils.helpers" in sys.modules
assert seen == {ssl.create_default_context}, seen
assert ssl._create_default_https_context is ssl.create_default_context
assert ssl._create_unverified_context is ssl._create_stdlib_context  # put back as it was

account = g.Account("UPS1", "ups", {"client_id": "a", "client_secret": "b",
                                    "account_number": "1"}, base_url=os.environ["HTTPS_URL"])
address = g.PartyAddress("A", "1 Road", "Shenzhen", "CN", "518000")
try:
    gateway.rate(account, g.RateRequest("", address, address, (g.PieceSpec(1000),)))
except g.CarrierError as exc:
    print("CODE", exc.code)
import urllib.request, urllib.error
try:
    urllib.request.urlopen(os.environ["HTTPS_URL"], timeout=5)
except urllib.error.URLError as exc:
    print("URLOPEN", type(exc.reason).__name__)
"""


def test_karrio_is_loaded_by_the_first_carrier_call_with_certificates_checked(https_url, tmp_path):
    """``django.setup()`` and the URLconf import no karrio; the first ``gateway_for`` does, and
    while it does another thread never sees the unverified default; the carrier call that
    follows refuses a self-signed certificate, and so does plain urllib."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tradelane.settings",
        "TRADELANE_DATA_DIR": str(tmp_path),
        "HTTPS_URL": https_url.rstrip("/"),
        "PYTHONPATH": os.pathsep.join(sys.path),
    }
    out = subprocess.run(
        [sys.executable, "-c", LATE_IMPORT], env=env, capture_output=True, text=True, timeout=120
    )
    assert out.returncode == 0, out.stderr[-3000:]
    assert out.stdout.split("\n")[:2] == [
        "CODE carrier_tls_error",
        "URLOPEN SSLCertVerificationError",
    ]
