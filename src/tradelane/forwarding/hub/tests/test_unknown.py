"""A parcel without forecast: kept as weighed with a NO_FORECAST problem, the same code again
is the same parcel; customer service attaches it to a customer and to its waybill."""

from __future__ import annotations

import pytest

from tradelane.core.errors import Conflict, NotFound, PermissionDenied
from tradelane.forwarding.models import InboundPiece, ProblemParcel, UnknownParcel, Waybill
from tradelane.forwarding.tests.factories import payload
from tradelane.forwarding.waybills import services as waybills

from .. import unknown
from .helpers import counts, hub_provider, scan

pytestmark = pytest.mark.django_db


@pytest.fixture
def p():
    return hub_provider()


def test_an_unknown_code_is_kept_once_with_its_problem(p):
    out = scan(p, "SF1234567890", weight_g=870, length_mm=200, station="S3")
    parcel = UnknownParcel.objects.get()
    assert (out["result"], out["reason"], out["unknown_parcel"], out["first_scan"]) == (
        "unknown",
        "no_forecast",
        parcel.pk,
        True,
    )
    assert out["message"] == ("No forecast: SF1234567890 is kept as an unknown parcel for "
                              "customer service.")  # fmt: skip
    assert (parcel.code, parcel.station, parcel.weight_g, parcel.length_mm, parcel.scanned_by) == (
        "SF1234567890",
        "S3",
        870,
        200,
        p.hub,
    )
    problem = parcel.problem
    assert (problem.waybill, problem.reason, problem.is_open) == (None, "no_forecast", True)
    again = scan(p, "SF1234567890", weight_g=880)
    assert (again["unknown_parcel"], again["first_scan"]) == (parcel.pk, False)
    assert (UnknownParcel.objects.count(), ProblemParcel.objects.count()) == (1, 1)


def test_attached_to_a_customer_and_then_to_its_waybill_receives_it(p):
    scan(p, "SF1", weight_g=1500, length_mm=300, width_mm=200, height_mm=100)
    parcel = UnknownParcel.objects.get()
    unknown.attach(p.service, parcel, p.acme, note="called them")
    parcel.refresh_from_db()
    assert (parcel.customer, parcel.waybill, parcel.attached_by) == (p.acme, None, p.service)
    assert parcel.problem.is_open
    w, _ = waybills.create_waybill(p.acme_user, p.acme, payload("LATE"))
    unknown.attach(p.service, parcel, p.acme, w, "forecast came late")
    parcel.refresh_from_db()
    w.refresh_from_db()
    assert (parcel.waybill, w.status, w.measured_weight_g) == (w, "received", 1500)
    assert parcel.problem.outcome == "released"
    assert parcel.problem.outcome_note == f"attached to ACME {w.number}. forecast came late"
    piece = InboundPiece.objects.get(waybill=w)
    assert (piece.station, piece.weight_g, piece.scanned_by) == ("S1", 1500, p.hub)
    with pytest.raises(Conflict) as e:
        unknown.attach(p.service, parcel, p.acme, w)
    assert e.value.code == "parcel_already_attached"


def test_attach_refusals_change_nothing(p):
    scan(p, "SF2")
    parcel = UnknownParcel.objects.get()
    bolts, _ = waybills.create_waybill(p.bolt_user, p.bolt, payload("B1"))
    before = counts()
    with pytest.raises(NotFound) as e:
        unknown.attach(p.service, parcel, p.acme, bolts)
    assert e.value.code == "waybill_not_found"
    with pytest.raises(PermissionDenied):
        unknown.attach(p.acme_user, parcel, p.acme)
    assert counts() == before
    gone, _ = waybills.create_waybill(p.acme_user, p.acme, payload("GONE"))
    waybills.cancel_waybill(p.acme_user, gone)
    before = counts()
    with pytest.raises(Conflict) as e:
        unknown.attach(p.service, parcel, p.acme, gone)
    assert e.value.code == "waybill_not_receivable"
    assert counts() == before
    parcel.refresh_from_db()
    assert (parcel.customer, parcel.attached_at) == (None, None)
    assert Waybill.objects.get(pk=bolts.pk).status == "created"
