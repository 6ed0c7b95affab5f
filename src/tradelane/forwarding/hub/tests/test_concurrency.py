"""The same parcel scanned at several stations at once is received once: one status change,
one timeline event, one webhook, one piece row; the others answer "already in". The waybill
row is locked for the scan (SQLite: the IMMEDIATE transaction's write lock)."""

from __future__ import annotations

import pytest

from tradelane.core.errors import Conflict
from tradelane.core.models import StateEvent
from tradelane.core.tests import racing
from tradelane.forwarding.models import InboundPiece, Waybill, WaybillEvent
from tradelane.forwarding.tests.factories import TWO_PIECES, numbered, payload
from tradelane.forwarding.waybills import services as waybills

from .. import inbound
from .helpers import hub_provider, webhooks


def _race(p, code: str, workers: int, **kw):
    results: list[dict] = []

    def act(n: int):
        results.append(inbound.scan(p.hub, code=code, station=f"S{n}", weight_g=1200 + n, **kw))

    outcomes = racing.race(workers, act, refused=(Conflict,), won="answered")
    return outcomes, results


@pytest.mark.django_db(transaction=True)
def test_one_parcel_at_eight_stations_at_once_is_received_once():
    p = hub_provider()
    w = numbered(p, "R1", "TRK0001")
    outcomes, results = _race(p, "TRK0001", 8)
    assert outcomes == {"answered": 8}
    assert sorted(r["result"] for r in results) == ["already_in"] * 7 + ["ok"]
    w.refresh_from_db()
    assert w.status == "received"
    assert StateEvent.objects.filter(object_id=w.pk, to_state="received").count() == 1
    assert WaybillEvent.objects.filter(waybill=w, description__startswith="Received").count() == 1
    assert len(webhooks("waybill.status_changed")) == 1
    (piece,) = InboundPiece.objects.filter(waybill=w)
    assert w.measured_weight_g == piece.weight_g


@pytest.mark.django_db(transaction=True)
def test_two_pieces_at_six_stations_at_once_each_go_in_once():
    p = hub_provider()
    w, _ = waybills.create_waybill(p.acme_user, p.acme, payload("MP", pieces=TWO_PIECES))
    outcomes, results = _race(p, w.number, 6)
    assert outcomes == {"answered": 6}
    assert sorted(r["result"] for r in results) == ["already_in"] * 4 + ["ok", "piece_in"]
    assert sorted(InboundPiece.objects.filter(waybill=w).values_list("seq", flat=True)) == [1, 2]
    assert Waybill.objects.get(pk=w.pk).status == "received"
    assert len(webhooks("waybill.status_changed")) == 1
