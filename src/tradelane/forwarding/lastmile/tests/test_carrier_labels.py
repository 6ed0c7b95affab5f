"""The last-mile label through a carrier API: an outbox job with explicit states, the same
idempotency key on every try, a backoff between tries, and after the limit a failed request
and a "last-mile number failed" problem (never "fetching" for ever)."""

from __future__ import annotations

import pytest
from django.test import override_settings

from tradelane.core import outbox
from tradelane.core.errors import Conflict, PermissionDenied, ValidationFailed
from tradelane.core.models import OutboxMessage
from tradelane.forwarding.models import LastMileRequest, ProblemParcel
from tradelane.forwarding.tests.factories import payload, provider, signed_in
from tradelane.forwarding.waybills import services as waybills
from tradelane.logistics.carriers import contract as gateways
from tradelane.logistics.models import CarrierAccount, Channel

from .. import carrier_labels

pytestmark = pytest.mark.django_db


class FakeCarrier:
    """Refuses with the errors queued in ``errors``, then sells a label."""

    def __init__(self):
        self.keys, self.errors = [], []

    def create_label(self, account, request):
        self.keys.append(request.idempotency_key)
        if self.errors:
            raise self.errors.pop(0)
        return gateways.LabelResult("LM123456789", b"%PDF-lastmile", "PDF")

    def rate(self, account, request):  # pragma: no cover
        return []

    def void(self, account, carrier_shipment_id, tracking_number):  # pragma: no cover
        return None

    def track(self, account, numbers):  # pragma: no cover
        return []


@pytest.fixture
def fake():
    gw = FakeCarrier()
    gateways.register("lmfake", lambda: gw)
    yield gw
    gateways._factories.pop("lmfake", None)


@pytest.fixture
def p(fake):
    ns = provider()
    CarrierAccount.objects.create(code="LMF", name="Last mile fake", carrier="lmfake")
    Channel.objects.filter(code="USLINE").update(carrier_account_id="LMF")
    ns.w, _ = waybills.create_waybill(ns.acme_user, ns.acme, payload("R1"))
    return ns


def deliver():
    OutboxMessage.objects.filter(topic=carrier_labels.TOPIC).update(
        next_attempt_at="2000-01-01T00:00:00Z"
    )
    return outbox.deliver_due()


def test_label_bought_stored_and_assigned(p, fake):
    req = carrier_labels.request_label(p.hub, p.w)
    assert (req.status, req.attempts, req.max_attempts) == ("pending", 0, 5)
    assert carrier_labels.request_label(p.hub, p.w).pk == req.pk  # asked twice: one request
    deliver()
    req.refresh_from_db()
    p.w.refresh_from_db()
    assert (req.status, req.attempts, req.number, req.label_format) == (
        "assigned",
        1,
        "LM123456789",
        "pdf",
    )
    assert bytes(req.label) == b"%PDF-lastmile"
    assert (p.w.last_mile_carrier, p.w.last_mile_number) == ("lmfake", "LM123456789")
    assert p.w.last_mile_rows.get().source == "api"
    assert fake.keys == [req.idempotency_key]
    client = signed_in(p.hub)
    r = client.get(f"/hub/lastmile/{p.w.number}/label")
    assert (r.status_code, r["Content-Type"], r.content) == (
        200,
        "application/pdf",
        b"%PDF-lastmile",
    )
    assert client.get("/hub/lastmile/LM123456789/label").status_code == 200
    assert signed_in(p.sales1).get(f"/hub/lastmile/{p.w.number}/label").status_code == 403


@override_settings(TRADELANE_LASTMILE_MAX_ATTEMPTS=5, TRADELANE_LASTMILE_BACKOFF_S=10)
def test_refusing_three_times_then_succeeding(p, fake):
    fake.errors += [gateways.CarrierError("busy", retryable=True) for _ in range(3)]
    req = carrier_labels.request_label(p.hub, p.w)
    waits = []
    for _ in range(3):
        assert deliver() == {"sent": 0, "retried": 1, "dead": 0}
        req.refresh_from_db()
        assert (req.status, req.last_error) == ("pending", "busy")
        waits.append(round((req.next_attempt_at - req.updated_at).total_seconds()))
    assert waits == [10, 20, 40]  # the backoff doubles
    assert deliver()["sent"] == 1
    req.refresh_from_db()
    assert (req.status, req.attempts, req.last_error) == ("assigned", 4, "")
    assert fake.keys == [req.idempotency_key] * 4  # the same key: never two labels
    assert not ProblemParcel.objects.exists()


@override_settings(TRADELANE_LASTMILE_MAX_ATTEMPTS=3)
def test_refusing_beyond_the_limit_fails_with_a_problem(p, fake):
    fake.errors += [gateways.CarrierError(f"busy {i}", retryable=True) for i in range(5)]
    req = carrier_labels.request_label(p.hub, p.w)
    assert [deliver()["retried"] for _ in range(2)] == [1, 1]
    assert deliver() == {"sent": 1, "retried": 0, "dead": 0}  # handled: failed, not retried
    req.refresh_from_db()
    assert (req.status, req.attempts, req.last_error) == ("failed", 3, "busy 2")
    prob = ProblemParcel.objects.get(waybill=p.w)
    assert (prob.reason, prob.note) == ("last_mile_failed", "lmfake: busy 2 (3 attempts)")
    assert deliver() == {"sent": 0, "retried": 0, "dead": 0}  # nothing left to do
    # retry now: a new round with the same key
    carrier_labels.retry_now(p.hub, req)
    fake.errors.clear()
    deliver()
    req.refresh_from_db()
    assert (req.status, req.attempts, req.round) == ("assigned", 1, 2)
    assert set(fake.keys) == {req.idempotency_key}


def test_a_refusal_fails_at_once(p, fake):
    fake.errors.append(gateways.CarrierError("bad postcode", code="invalid_address"))
    req = carrier_labels.request_label(p.hub, p.w)
    deliver()
    req.refresh_from_db()
    assert (req.status, req.attempts, req.last_error_code) == ("failed", 1, "invalid_address")
    assert ProblemParcel.objects.filter(waybill=p.w, reason="last_mile_failed").count() == 1


def test_refusals_change_nothing(p):
    with pytest.raises(PermissionDenied):
        carrier_labels.request_label(p.sales1, p.w)
    Channel.objects.filter(code="USLINE").update(carrier_account_id=None)
    with pytest.raises(ValidationFailed) as e:
        carrier_labels.request_label(p.hub, p.w)
    assert e.value.code == "no_carrier_account"
    assert not LastMileRequest.objects.exists()
    assert not OutboxMessage.objects.filter(topic=carrier_labels.TOPIC).exists()


def test_retry_now_refuses_an_assigned_request(p):
    req = carrier_labels.request_label(p.hub, p.w)
    deliver()
    with pytest.raises(Conflict) as e:
        carrier_labels.retry_now(p.hub, req)
    assert e.value.code == "last_mile_request_closed"
