"""The inbound scan: found by any number, one piece at a time, received once when the last
piece is in, re-rated on the measured weight; refusals change nothing."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tradelane.core.errors import Conflict, PermissionDenied, ValidationFailed
from tradelane.forwarding.models import InboundPiece, InboundScan, Waybill, WaybillEvent
from tradelane.forwarding.tests.factories import TWO_PIECES, numbered, payload
from tradelane.forwarding.waybills import services as waybills

from .helpers import counts, hub_provider, scan, webhooks

pytestmark = pytest.mark.django_db


@pytest.fixture
def p():
    ns = hub_provider()
    ns.w = numbered(ns, "R1", "TRK0001")
    return ns


def test_one_piece_scanned_in_is_received_rerated_and_told_once(p):
    out = scan(p, p.w.number, weight_g=2300, length_mm=310, width_mm=210, height_mm=110)
    p.w.refresh_from_db()
    assert out["result"] == "ok"
    assert (out["waybill"], out["customer"], out["channel"]) == (p.w.number, "ACME", "USLINE")
    assert (out["piece"], out["pieces"], out["pieces_in"]) == (1, 1, 1)
    assert (out["measured_weight_g"], out["chargeable_weight_g"]) == (2300, 2300)
    assert (out["sort_key"], out["bag"], out["reason"]) == ("USLINE/US", None, None)
    # ACME's own USLINE price: 55/kg + 10 registration; 1.2 kg forecast, 2.3 kg measured
    assert out["price"] == {"before": "76.00", "after": "136.50",
                            "delta": "60.50", "currency": "CNY"}  # fmt: skip
    assert out["weight_difference"] == {
        "forecast_chargeable_g": 1200, "chargeable_g": 2300, "difference_g": 1100,
        "tolerance_g": 100, "tolerance": {"grams": 100, "percent": "5"},
    }  # fmt: skip
    assert out["message"] == f"Received: {p.w.number} → USLINE/US"
    assert (p.w.status, p.w.measured_weight_g, p.w.sale_amount) == (
        "received",
        2300,
        Decimal("136.50"),
    )
    piece = InboundPiece.objects.get(waybill=p.w)
    assert (piece.seq, piece.station, piece.weight_g, piece.length_mm, piece.scanned_by) == (
        1,
        "S1",
        2300,
        310,
        p.hub,
    )
    assert [b["changes"] for b in webhooks("waybill.status_changed")] == [
        {"status": ["created", "received"]}
    ]
    assert len(webhooks("waybill.fees_changed")) == 1
    assert WaybillEvent.objects.filter(waybill=p.w, description__startswith="Received").count() == 1


def test_the_same_piece_again_is_already_in_and_changes_nothing(p):
    scan(p, p.w.number)
    before = counts()
    out = scan(p, "TRK0001", weight_g=9999)
    assert (out["result"], out["piece"], out["message"]) == (
        "already_in",
        1,
        f"Already in: {p.w.number}",
    )
    after = counts()
    assert after == {**before, "scans": before["scans"] + 1}
    p.w.refresh_from_db()
    assert p.w.measured_weight_g == 1200


@pytest.mark.parametrize("how", ["reference", "tracking", "carton", "last_mile"])
def test_found_by_any_of_its_numbers_or_its_carton_label(p, how):
    waybills.assign_numbers(p.hub, p.w, last_mile_carrier="usps", last_mile_number="9400LM1")
    code = {"reference": "R1", "tracking": "TRK0001", "carton": f"{p.w.number}-1",
            "last_mile": "9400LM1"}[how]  # fmt: skip
    out = scan(p, code)
    assert (out["result"], out["waybill"], out["piece"]) == ("ok", p.w.number, 1)


def test_a_reference_two_customers_use_is_refused_and_nothing_written(p):
    waybills.create_waybill(p.bolt_user, p.bolt, payload("R1"))
    before = counts()
    with pytest.raises(ValidationFailed) as e:
        scan(p, "R1")
    assert e.value.code == "ambiguous_reference"
    assert e.value.details == {"code": "R1", "field": "reference", "count": 2}
    assert counts() == before


def test_pieces_one_at_a_time_and_received_with_the_last(p):
    w, _ = waybills.create_waybill(p.acme_user, p.acme, payload("MP", pieces=TWO_PIECES))
    first = scan(p, w.number, weight_g=1300)
    w.refresh_from_db()
    assert (first["result"], first["piece"], first["pieces_in"], first["pieces"]) == (
        "piece_in",
        1,
        1,
        2,
    )
    assert first["message"] == f"Piece 1 of 2 in: {w.number}"
    assert w.status == "created" and webhooks("waybill.status_changed") == []
    again = scan(p, f"{w.number}-1", weight_g=1)
    assert (again["result"], again["piece"]) == ("already_in", 1)
    last = scan(p, w.number, weight_g=900, piece=2)
    w.refresh_from_db()
    assert (last["result"], last["piece"], last["pieces_in"]) == ("ok", 2, 2)
    assert (w.status, w.measured_weight_g, last["measured_weight_g"]) == ("received", 2200, 2200)
    assert list(InboundPiece.objects.filter(waybill=w).values_list("seq", "weight_g")) == [
        (1, 1300),
        (2, 900),
    ]
    assert len(webhooks("waybill.status_changed")) == 1
    assert scan(p, w.number)["result"] == "already_in"


def test_a_piece_the_waybill_does_not_have_is_refused(p):
    before = counts()
    with pytest.raises(ValidationFailed) as e:
        scan(p, f"{p.w.number}", piece=3)
    assert (e.value.code, e.value.details) == ("invalid_piece", {"pieces": 1, "piece": 3})
    assert counts() == before


def test_bad_measures_a_customer_and_a_cancelled_waybill_are_refused(p):
    before = counts()
    for kw, code in (
        ({"weight_g": 0}, "invalid_weight"),
        ({"weight_g": 1.5}, "invalid_weight"),
        ({"length_mm": -1}, "invalid_size"),
        ({"station": " "}, "station_required"),
    ):
        with pytest.raises(ValidationFailed) as e:
            scan(p, p.w.number, **kw)
        assert e.value.code == code
    with pytest.raises(ValidationFailed) as e:
        scan(p, "")
    assert e.value.code == "scan_code_required"
    with pytest.raises(PermissionDenied):
        scan(p, p.w.number, actor=p.acme_user)
    gone, _ = waybills.create_waybill(p.acme_user, p.acme, payload("GONE"))
    waybills.cancel_waybill(p.acme_user, gone)
    before = counts()
    with pytest.raises(Conflict) as e:
        scan(p, gone.number)
    assert e.value.code == "waybill_cancelled"
    assert counts() == before
    assert Waybill.objects.get(pk=p.w.pk).status == "created"


def test_the_station_keeps_a_record_of_each_scan(p):
    scan(p, p.w.number, station="A")
    scan(p, p.w.number, station="A")
    scan(p, "NOSUCH", station="B")
    rows = list(InboundScan.objects.order_by("id").values_list("station", "result", "number"))
    assert rows == [("A", "ok", p.w.number), ("A", "already_in", p.w.number),
                    ("B", "unknown", "")]  # fmt: skip
