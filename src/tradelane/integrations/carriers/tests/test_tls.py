"""karrio switches TLS certificate checks off for the whole process at import; ``karrio_tls``
switches them back on. A local HTTPS server with a self-signed certificate must be refused."""

from __future__ import annotations

import datetime as dt
import ssl
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
