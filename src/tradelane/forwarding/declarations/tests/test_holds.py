"""Customs holds (a hold problem and a timeline exception, once) and clearance (set-based,
once per waybill, refused whole while one is held)."""

from __future__ import annotations

import pytest

from tradelane.core.errors import Conflict, PermissionDenied, ValidationFailed
from tradelane.forwarding.hub import problems
from tradelane.forwarding.models import ProblemParcel, WaybillEvent
from tradelane.forwarding.tests.factories import payload, provider
from tradelane.forwarding.waybills import services as waybills
from tradelane.logistics.tracking import codes

from .. import holds
from .helpers import received

pytestmark = pytest.mark.django_db


@pytest.fixture
def p():
    return provider()


def _events(w, status):
    return list(WaybillEvent.objects.filter(waybill=w, status=status)
                .values_list("description", flat=True))  # fmt: skip


def test_hold_opens_one_customs_hold_and_one_event(p):
    w = received(p, "H1")
    problem, made = holds.hold_for_customs(p.hub, w, "HS code questioned")
    again, made_again = holds.hold_for_customs(p.hub, w, "again")
    assert (made, made_again, again.pk, problem.reason, problem.is_hold) == (
        True,
        False,
        problem.pk,
        "customs_hold",
        True,
    )
    assert _events(w, codes.EXCEPTION) == [holds.HELD_TEXT]


def test_hold_refusals_change_nothing(p):
    fresh, _ = waybills.create_waybill(p.acme_user, p.acme, payload("F1"))
    with pytest.raises(Conflict) as e:
        holds.hold_for_customs(p.hub, fresh, "why")
    assert e.value.code == "not_at_customs"
    w = received(p, "H1")
    with pytest.raises(ValidationFailed) as e:
        holds.hold_for_customs(p.hub, w, "  ")
    assert e.value.code == "reason_required"
    with pytest.raises(PermissionDenied):
        holds.hold_for_customs(p.service, w, "why")
    assert ProblemParcel.objects.count() == 0
    assert _events(w, codes.EXCEPTION) == []


def test_cleared_is_set_based_once_and_refused_while_held(p):
    a, b = received(p, "A1"), received(p, "B1")
    problem, _ = holds.hold_for_customs(p.hub, b, "inspection")
    with pytest.raises(Conflict) as e:
        holds.customs_cleared(p.hub, [a, b])
    assert (e.value.code, e.value.details) == ("customs_hold_open", {"numbers": [b.number]})
    assert _events(a, codes.CUSTOMS_RELEASED) == []
    problems.resolve_problem(p.hub, problem, "released", "inspected, fine")
    assert holds.customs_cleared(p.hub, [a, b.pk]) == 2
    assert holds.customs_cleared(p.hub, [a, b]) == 0
    assert _events(a, codes.CUSTOMS_RELEASED) == [holds.CLEARED_TEXT]
    assert _events(b, codes.CUSTOMS_RELEASED) == [holds.CLEARED_TEXT]
