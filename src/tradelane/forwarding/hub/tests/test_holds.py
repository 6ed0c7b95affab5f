"""Holds: the customer's intercept is a hold at once (a received parcel moves to held), a
held parcel is refused loudly at the scan, releasing puts it back, returning sends it back."""

from __future__ import annotations

import pytest

from tradelane.core.errors import Conflict, PermissionDenied, ValidationFailed
from tradelane.forwarding.models import ProblemParcel, Waybill
from tradelane.forwarding.tests.factories import numbered
from tradelane.forwarding.waybills import services as waybills

from .. import holds
from .helpers import counts, hub_provider, scan, webhooks

pytestmark = pytest.mark.django_db


@pytest.fixture
def p():
    ns = hub_provider()
    ns.w = numbered(ns, "R1", "TRK0001")
    return ns


def _status(w) -> str:
    return Waybill.objects.values_list("status", flat=True).get(pk=w.pk)


def test_an_intercept_holds_a_received_parcel_at_once_and_the_scan_refuses_it(p):
    scan(p, p.w.number)
    p.w.refresh_from_db()
    waybills.request_intercept(p.acme_user, p.w, "buyer cancelled")
    (problem,) = ProblemParcel.objects.filter(waybill=p.w)
    assert (problem.reason, problem.note, problem.opened_by, problem.is_hold) == (
        "customer_intercept",
        "buyer cancelled",
        None,
        True,
    )
    assert _status(p.w) == "held"
    assert [b["changes"]["status"] for b in webhooks("waybill.status_changed")] == [
        ["created", "received"],
        ["received", "held"],
    ]
    before = counts()
    out = scan(p, p.w.number, station="S2")
    assert (out["result"], out["reason"], out["note"]) == (
        "held",
        "customer_intercept",
        "buyer cancelled",
    )
    assert out["message"] == f"HELD: do not ship {p.w.number}. buyer cancelled"
    assert counts() == {**before, "scans": before["scans"] + 1}


def test_releasing_the_hold_puts_it_back_to_received_and_lifts_the_intercept(p):
    scan(p, p.w.number)
    p.w.refresh_from_db()
    waybills.request_intercept(p.acme_user, p.w, "wrong address")
    problem = ProblemParcel.objects.get(waybill=p.w)
    with pytest.raises(ValidationFailed):
        holds.resolve(p.service, problem, "released", "")
    with pytest.raises(PermissionDenied):
        holds.resolve(p.acme_user, problem, "released", "mine")
    assert _status(p.w) == "held"
    holds.resolve(p.service, problem, "released", "customer fixed the address")
    p.w.refresh_from_db()
    assert (p.w.status, p.w.intercept_requested_at) == ("received", None)
    assert scan(p, p.w.number)["result"] == "already_in"
    with pytest.raises(Conflict) as e:
        holds.resolve(p.service, problem, "returned", "again")
    assert e.value.code == "problem_closed"
    assert _status(p.w) == "received"


def test_a_second_hold_keeps_it_held_after_the_first_is_released(p):
    scan(p, p.w.number)
    holds.hold(p.hub, p.w, "customs_hold", "inspection")
    holds.hold(p.hub, p.w, "arrears_hold", "unpaid")
    assert _status(p.w) == "held"
    customs = ProblemParcel.objects.get(waybill=p.w, reason="customs_hold")
    holds.resolve(p.service, customs, "released", "cleared")
    assert _status(p.w) == "held"
    assert scan(p, p.w.number)["reason"] == "arrears_hold"


def test_returned_sends_the_parcel_back(p):
    scan(p, p.w.number)
    problem = holds.hold(p.hub, p.w, "arrears_hold", "unpaid for 90 days")
    holds.resolve(p.service, problem, "returned", "customer collected it")
    assert _status(p.w) == "returned"


def test_a_hold_before_inbound_refuses_the_first_scan_and_receives_nothing(p):
    holds.hold(p.hub, p.w, "customs_hold", "sanctioned consignee")
    assert _status(p.w) == "created"
    before = counts()
    out = scan(p, "TRK0001")
    assert (out["result"], out["reason"]) == ("held", "customs_hold")
    assert counts() == {**before, "scans": before["scans"] + 1}
    with pytest.raises(ValidationFailed) as e:
        holds.hold(p.hub, p.w, "address", "not a hold")
    assert e.value.code == "not_a_hold"
