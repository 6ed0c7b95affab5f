"""A carrier's pushed tracking about a provider's last-mile number, through the HTTP endpoint:
the same timeline as a poll (``forwarding.lastmile.tracking``), a failed delivery opening a
problem, delivered moving the waybill; a bad signature is refused and records nothing."""

from __future__ import annotations

import pytest

from tradelane.forwarding.lastmile import assignment
from tradelane.forwarding.lastmile import tracking as lastmile
from tradelane.forwarding.models import LastMileEvent, ProblemParcel, Waybill, WaybillEvent
from tradelane.forwarding.tests.factories import payload, provider
from tradelane.forwarding.waybills import services as waybills
from tradelane.integrations.tracking_hooks import hooks
from tradelane.logistics.models import InboundTracking, TrackingEvent
from tradelane.logistics.tests.tracking_factories import make_account

from .test_tracking_hooks import event, push

pytestmark = pytest.mark.django_db
SECRET = "whsec-usps-push"
NUMBER = "9400100000000000000077"
EVENTS = (
    event("2026-12-10T08:00:00-05:00", "Arrival", "InTransit_Arrival", "Arrived at USPS facility",
          "New York", "US"),
    event("2026-12-11T09:00:00-05:00", None, "DeliveryFailure_NoBody", "No one at home",
          "Brooklyn", "US"),
    event("2026-12-12T10:30:00-05:00", "Delivered", "Delivered_Other", "Delivered, front door",
          "Brooklyn", "US"),
)  # fmt: skip


@pytest.fixture(autouse=True)
def immediate_tasks(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def post(client, django_capture_on_commit_callbacks):
    def send(body: bytes, *, signature=None, account="USPS-PUSH", delivery=None):
        headers = {"X-Tradelane-Signature": signature or hooks.sign(body, SECRET)}
        if delivery:
            headers["X-Tradelane-Delivery-Id"] = delivery
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(f"/hooks/tracking/{account}", data=body,
                               content_type="application/json", headers=headers)  # fmt: skip

    return send


@pytest.fixture
def w():
    ns = provider()
    make_account("USPS-PUSH", SECRET, carrier="usps")
    wb, _ = waybills.create_waybill(ns.acme_user, ns.acme, payload("R1"))
    waybills.receive(ns.hub, wb, weight_g=1200)
    assignment.assign(ns.hub, wb, "usps", NUMBER)
    waybills.move(ns.hub, wb, "in_transit")
    wb.refresh_from_db()
    return wb


def test_a_pushed_last_mile_update_reaches_the_waybills_timeline(post, w):
    body = push(NUMBER, *EVENTS)
    answers = [post(body, delivery="usps-1"), post(body, delivery="usps-1")]
    assert [(a.status_code, a.json()["duplicate"]) for a in answers] == [(200, False), (200, True)]
    row = InboundTracking.objects.get()
    assert (row.source, row.status, row.error) == ("USPS-PUSH", "processed", "")
    line = lastmile.merged_timeline(w)
    assert [(e["source"], e["status"], e["description"], e["location"]) for e in line][-3:] == [
        ("last_mile", "in_transit", "Arrived at USPS facility", "New York US"),
        ("last_mile", "delivery_failed", "No one at home", "Brooklyn US"),
        ("last_mile", "delivered", "Delivered, front door", "Brooklyn US"),
    ]
    assert {e["source"] for e in line[:-3]} == {"provider"}
    assert LastMileEvent.objects.filter(waybill=w, carrier="usps", number=NUMBER).count() == 3
    (problem,) = ProblemParcel.objects.filter(waybill=w)
    assert (problem.reason, problem.note) == ("tracking_exception", "usps: No one at home")
    w.refresh_from_db()
    assert w.status == "delivered"
    assert not TrackingEvent.objects.exists()  # no seller shipment has the number
    # the carrier pushing the same news again (another delivery id) writes nothing twice
    events = WaybillEvent.objects.filter(waybill=w).count()
    assert post(body, delivery="usps-2").status_code == 200
    assert WaybillEvent.objects.filter(waybill=w).count() == events
    assert ProblemParcel.objects.filter(waybill=w).count() == 1


def test_a_bad_signature_is_refused_and_records_nothing(post, w):
    body = push(NUMBER, *EVENTS)
    before = WaybillEvent.objects.filter(waybill=w).count()
    tampered = body.replace(b"No one at home", b"Delivered, mailbox")
    assert post(tampered, signature=hooks.sign(body, SECRET)).status_code == 401
    assert post(body, signature=hooks.sign(body, "not-the-secret")).status_code == 401
    assert post(body, account="NOPE").status_code == 401
    assert InboundTracking.objects.count() == 0
    assert LastMileEvent.objects.count() == 0
    assert WaybillEvent.objects.filter(waybill=w).count() == before
    assert not ProblemParcel.objects.exists()
    assert Waybill.objects.get(pk=w.pk).status == "in_transit"


def test_a_number_nobody_has_is_noted_and_a_cancelled_waybill_takes_nothing(post, w):
    Waybill.objects.filter(pk=w.pk).update(status="cancelled")
    assert post(push(NUMBER, EVENTS[0]), delivery="usps-3").status_code == 200
    row = InboundTracking.objects.get()
    assert (row.status, row.error) == ("processed", f"unknown numbers: {NUMBER}")
    assert LastMileEvent.objects.count() == 0
