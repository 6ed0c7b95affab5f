"""The problem queue's two doors: open (one open row per waybill and reason, whoever raises it,
the customer told) and resolve (an outcome with who and when, never twice)."""

from __future__ import annotations

import pytest

from tradelane.core.errors import Conflict, PermissionDenied, ValidationFailed
from tradelane.core.models import AuditLog
from tradelane.forwarding.models import ProblemParcel, ProblemReason
from tradelane.forwarding.partners import services as partners
from tradelane.forwarding.tests.factories import payload, provider
from tradelane.forwarding.waybills import services as waybills

from .. import problems

pytestmark = pytest.mark.django_db


@pytest.fixture
def p():
    ns = provider()
    partners.set_webhook(ns.admin, ns.acme, "https://erp.example/hooks")
    ns.w, _ = waybills.create_waybill(ns.acme_user, ns.acme, payload("P1"))
    return ns


def _webhooks(event):
    from tradelane.core.models import OutboxMessage

    rows = OutboxMessage.objects.filter(topic="forwarding.customer_webhook")
    return [m.payload["body"] for m in rows if m.payload["body"]["event"] == event]


def test_open_twice_is_one_problem_and_one_webhook(p):
    first, made = problems.open_problem(p.hub, p.w, ProblemReason.WEIGHT_DIFFERENCE, "2.1 kg")
    again, made_again = problems.open_problem(p.service, p.w, ProblemReason.WEIGHT_DIFFERENCE)
    assert (made, made_again, again.pk) == (True, False, first.pk)
    assert ProblemParcel.objects.filter(waybill=p.w).count() == 1
    (body,) = _webhooks("waybill.problem_opened")
    assert body["changes"]["problem"]["reason"] == "weight_difference"
    assert body["waybill"]["number"] == p.w.number
    assert AuditLog.objects.filter(action="forwarding.problem.open").count() == 1


def test_resolve_records_outcome_who_and_when_and_refuses_twice(p):
    prob, _ = problems.open_problem(None, p.w, ProblemReason.ADDRESS, "no such street")
    assert prob.opened_by is None  # the system opened it
    with pytest.raises(ValidationFailed) as e:
        problems.resolve_problem(p.service, prob, "released", "  ")
    assert e.value.code == "reason_required"
    with pytest.raises(ValidationFailed) as e:
        problems.resolve_problem(p.service, prob, "lost", "why")
    assert e.value.code == "invalid_outcome"
    prob = problems.resolve_problem(p.service, prob, "released", "customer corrected it")
    assert (prob.outcome, prob.resolved_by, prob.is_open) == ("released", p.service, False)
    with pytest.raises(Conflict) as e:
        problems.resolve_problem(p.service, prob, "destroyed", "again")
    assert e.value.code == "problem_closed"
    prob.refresh_from_db()
    assert prob.outcome == "released"
    assert [b["changes"]["problem"]["outcome"] for b in _webhooks("waybill.problem_resolved")] == [
        "released"
    ]
    # once closed, the same reason may be opened again: a new row
    again, made = problems.open_problem(p.hub, p.w, ProblemReason.ADDRESS)
    assert made and again.pk != prob.pk


def test_refusals_change_nothing(p):
    with pytest.raises(PermissionDenied):
        problems.open_problem(p.acme_user, p.w, ProblemReason.ADDRESS)
    with pytest.raises(ValidationFailed) as e:
        problems.open_problem(p.hub, p.w, "bored")
    assert e.value.code == "invalid_reason"
    assert ProblemParcel.objects.count() == 0 and _webhooks("waybill.problem_opened") == []
    prob, _ = problems.open_problem(p.hub, p.w, ProblemReason.ADDRESS)
    with pytest.raises(PermissionDenied):
        problems.resolve_problem(p.acme_user, prob, "released", "mine")
    prob.refresh_from_db()
    assert prob.is_open
