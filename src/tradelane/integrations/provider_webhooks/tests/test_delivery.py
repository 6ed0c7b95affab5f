"""The customer's webhooks leave through the outbox: a signed POST to a local server that
checks the signature as a customer would; 2xx is delivered, anything else retried."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tradelane.core import outbox
from tradelane.core.models import OutboxMessage
from tradelane.forwarding.partners import services as partners
from tradelane.forwarding.tests.factories import payload, provider
from tradelane.forwarding.waybills import services
from tradelane.forwarding.waybills.notifications import TOPIC

pytestmark = pytest.mark.django_db


class Receiver:
    """A customer's webhook endpoint on 127.0.0.1: verifies ``X-Tradelane-Signature`` with
    the secret it was given and answers ``status`` (401 on a bad signature)."""

    def __init__(self) -> None:
        self.secret = ""
        self.status = 200
        self.received: list[dict] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - http.server's name
                raw = self.rfile.read(int(self.headers["Content-Length"]))
                expected = "sha256=" + hmac.new(outer.secret.encode(), raw,
                                                hashlib.sha256).hexdigest()  # fmt: skip
                good = hmac.compare_digest(expected, self.headers["X-Tradelane-Signature"])
                outer.received.append({
                    "body": json.loads(raw), "good": good, "path": self.path,
                    "event": self.headers["X-Tradelane-Event"],
                    "delivery": self.headers["X-Tradelane-Delivery"],
                    "type": self.headers["Content-Type"],
                })  # fmt: skip
                self.send_response(outer.status if good else 401)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks/tradelane"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    r = Receiver()
    yield r
    r.close()


@pytest.fixture
def p():
    return provider()


def _hooked(p, receiver):
    customer, secret = partners.set_webhook(p.acme_user, p.acme, receiver.url)
    receiver.secret = secret
    return customer


def _pending():
    return list(OutboxMessage.objects.filter(topic=TOPIC).order_by("id"))


def _deliver():
    OutboxMessage.objects.filter(status="pending").update(next_attempt_at="2000-01-01T00:00Z")
    return outbox.deliver_due()


def test_signed_delivery_of_a_status_change(p, receiver):
    _hooked(p, receiver)
    w, _ = services.create_waybill(p.acme_user, p.acme, payload())
    services.cancel_waybill(p.acme_user, w)
    (msg,) = _pending()
    assert _deliver() == {"sent": 1, "retried": 0, "dead": 0}
    (got,) = receiver.received
    assert got["good"] is True
    assert (got["event"], got["delivery"], got["type"], got["path"]) == (
        "waybill.status_changed", msg.payload["delivery_id"], "application/json",
        "/hooks/tradelane",
    )  # fmt: skip
    assert got["body"]["id"] == msg.payload["delivery_id"]
    assert got["body"]["changes"] == {"status": ["created", "cancelled"]}
    assert got["body"]["waybill"]["number"] == w.number
    assert got["body"]["waybill"]["status"] == "cancelled"
    assert OutboxMessage.objects.get(pk=msg.pk).status == "sent"


def test_a_refused_answer_is_retried_with_the_same_delivery_id(p, receiver):
    _hooked(p, receiver)
    w, _ = services.create_waybill(p.acme_user, p.acme, payload())
    services.assign_numbers(p.admin, w, tracking_number="LX123456789CN")
    receiver.status = 503
    assert _deliver() == {"sent": 0, "retried": 1, "dead": 0}
    msg = OutboxMessage.objects.get(topic=TOPIC)
    assert (msg.status, msg.attempts) == ("pending", 1)
    assert msg.last_error.endswith("HTTP 503")
    receiver.status = 204
    assert _deliver()["sent"] == 1
    first, second = receiver.received
    assert first["delivery"] == second["delivery"] == msg.payload["delivery_id"]
    assert second["event"] == "waybill.tracking_number_assigned"
    assert second["body"]["waybill"]["tracking_number"] == "LX123456789CN"
    assert OutboxMessage.objects.get(pk=msg.pk).status == "sent"


def test_a_wrong_secret_is_refused_by_the_customer_and_retried(p, receiver):
    _hooked(p, receiver)
    receiver.secret = "not-the-secret"
    w, _ = services.create_waybill(p.acme_user, p.acme, payload())
    services.cancel_waybill(p.acme_user, w)
    assert _deliver()["retried"] == 1
    assert [r["good"] for r in receiver.received] == [False]
    assert OutboxMessage.objects.get(topic=TOPIC).last_error.endswith("HTTP 401")


def test_nobody_listening_is_retried(p, receiver):
    _hooked(p, receiver)
    w, _ = services.create_waybill(p.acme_user, p.acme, payload())
    services.cancel_waybill(p.acme_user, w)
    receiver.close()
    assert _deliver()["retried"] == 1
    assert "ConnectError" in OutboxMessage.objects.get(topic=TOPIC).last_error


def test_a_cleared_address_sends_nothing(p, receiver):
    _hooked(p, receiver)
    w, _ = services.create_waybill(p.acme_user, p.acme, payload())
    services.cancel_waybill(p.acme_user, w)
    partners.set_webhook(p.acme_user, p.acme, "")
    assert _deliver()["sent"] == 1
    assert receiver.received == []
