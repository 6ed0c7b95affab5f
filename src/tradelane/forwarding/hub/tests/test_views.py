"""The hub's pages: POST /hub/inbound/scan (JSON, session + CSRF header), the scan screen, the
problem queue (take, resolve, release a hold) and the unknown parcels (attach)."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from tradelane.forwarding.models import InboundScan, ProblemParcel, UnknownParcel, Waybill
from tradelane.forwarding.tests.factories import numbered, payload, signed_in
from tradelane.forwarding.waybills import services as waybills

from .. import holds
from ..measures import grams, millimetres
from ..problems import open_problem
from .helpers import counts, hub_provider, scan

pytestmark = pytest.mark.django_db
URL = "/hub/inbound/scan"


@pytest.fixture
def p():
    ns = hub_provider()
    ns.w = numbered(ns, "R1", "TRK0001")
    return ns


def post(client, body, **headers):
    data = body if isinstance(body, (bytes, str)) else json.dumps(body)
    return client.post(URL, data, content_type="application/json", **headers)


def test_weights_typed_with_decimals_are_kg_and_sides_cm():
    assert [grams(v) for v in ("1.25", "1,25", "1250", "1250g", "2kg", "", None)] == [
        1250, 1250, 1250, 1250, 2000, 0, 0,
    ]  # fmt: skip
    assert [millimetres(v, "length") for v in ("30", "30.5", "", None)] == [300, 305, 0, 0]


def test_the_endpoint_scans_in_from_the_screens_figures_and_lists_the_station(p):
    c = signed_in(p.hub)
    r = post(c, {"code": p.w.number, "station": "IN-1", "weight": "2.3", "length": "31",
                 "width": "21", "height": "11", "recent": True})  # fmt: skip
    assert r.status_code == 200
    body = r.json()
    assert (body["result"], body["waybill"], body["measured_weight_g"]) == ("ok", p.w.number, 2300)
    assert (body["sort_key"], body["bag"]) == ("USLINE/US", None)
    assert body["message"] == f"Received: {p.w.number} → USLINE/US"
    assert [(s["code"], s["result"], s["weight_g"]) for s in body["recent"]] == [
        (p.w.number, "ok", 2300)
    ]
    piece = p.w.inbound_pieces.get()
    sides = (piece.length_mm, piece.width_mm, piece.height_mm)
    assert (sides, piece.station) == ((310, 210, 110), "IN-1")
    again = post(c, {"code": p.w.number, "station": "IN-2", "weight_g": 2300}).json()
    assert again["result"] == "already_in"
    listed = c.get("/hub/inbound/recent", {"station": "IN-1"}).json()
    assert (listed["station"], len(listed["scans"])) == ("IN-1", 1)


def test_the_message_is_in_the_users_language(p):
    body = post(signed_in(p.hub, "zh-hans"), {"code": p.w.number, "station": "IN-1",
                                               "weight_g": 1200}).json()  # fmt: skip
    assert body["message"] == f"已入库：{p.w.number} → USLINE/US"


def test_bad_input_is_a_4xx_json_with_code_and_message_and_changes_nothing(p):
    c = signed_in(p.hub)
    before = counts()
    cases = [
        (b"{not json", 422, "invalid_json"),
        (b"[1, 2]", 422, "invalid_json"),
        ({"code": p.w.number, "station": "IN-1", "weight": "heavy"}, 422, "invalid_weight"),
        ({"code": p.w.number, "station": "IN-1", "weight": ""}, 422, "invalid_weight"),
        ({"code": p.w.number, "station": "IN-1", "weight": "1", "length": "-3"}, 422,
         "invalid_size"),
        ({"code": "", "station": "IN-1", "weight": "1"}, 422, "scan_code_required"),
        ({"code": p.w.number, "station": "", "weight": "1"}, 422, "station_required"),
    ]  # fmt: skip
    for body, status, code in cases:
        r = post(c, body)
        assert (r.status_code, r.json()["code"]) == (status, code), body
        assert r.json()["message"]
    assert counts() == before


def test_the_endpoint_wants_the_permission_and_the_csrf_header(p):
    before = counts()
    assert post(signed_in(p.service), {"code": p.w.number, "station": "S", "weight": "1"}
                ).status_code == 403  # fmt: skip
    assert post(signed_in(p.acme_user), {"code": p.w.number, "station": "S", "weight": "1"}
                ).status_code == 403  # fmt: skip
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(p.hub)
    assert post(strict, {"code": p.w.number, "station": "S", "weight": "1"}).status_code == 403
    assert counts() == before
    page = strict.get("/hub/scan/")
    token = page.cookies["csrftoken"].value
    ok = post(strict, {"code": p.w.number, "station": "S", "weight": "1"},
              HTTP_X_CSRFTOKEN=token)  # fmt: skip
    assert (ok.status_code, ok.json()["result"]) == (200, "ok")
    assert Client().post(URL, "{}", content_type="application/json").status_code == 302


def test_the_scan_screen_ships_its_script_and_the_stations(p, settings):
    settings.TRADELANE_HUB_STATIONS = "DOCK-A, DOCK-B"
    page = signed_in(p.hub, "zh-hans").get("/hub/scan/").content.decode()
    assert 'src="/static/forwarding/hub_scan.js"' in page
    assert '<option value="DOCK-A">DOCK-A</option><option value="DOCK-B">DOCK-B</option>' in page
    assert "<h1>入库扫描</h1>" in page and 'data-url="/hub/inbound/scan"' in page
    assert "<script>" not in page  # CSP: no inline script
    assert 'href="/hub/scan/"' in page  # the nav entry
    assert signed_in(p.service).get("/hub/scan/").status_code == 403


def test_the_queue_filters_takes_and_resolves(p):
    c = signed_in(p.service)
    weight, _ = open_problem(p.hub, p.w, "weight_difference", "2 kg over")
    other = numbered(p, "R2", "TRK0002")
    waybills.receive(p.hub, other, weight_g=1000)
    hold = holds.hold(p.hub, other, "customs_hold", "customs asked")
    page = c.get("/hub/problems/").content.decode()
    assert f'data-problem="{weight.pk}"' in page and f'data-problem="{hold.pk}"' in page
    assert f"release-{hold.pk}" in page and f"release-{weight.pk}" not in page
    only_holds = c.get("/hub/problems/", {"reason": "holds"}).content.decode()
    assert f'data-problem="{hold.pk}"' in only_holds
    assert f'data-problem="{weight.pk}"' not in only_holds
    r = c.post(f"/hub/problems/{weight.pk}/take/", {"next": "/hub/problems/?owner=me"})
    assert (r.status_code, r["Location"]) == (302, "/hub/problems/?owner=me")
    assert ProblemParcel.objects.get(pk=weight.pk).owner == p.service
    mine = c.get("/hub/problems/", {"owner": "me"}).content.decode()
    assert f'data-problem="{weight.pk}"' in mine and f'data-problem="{hold.pk}"' not in mine
    # a refusal (no such outcome) changes nothing and says why
    r = c.post(f"/hub/problems/{hold.pk}/resolve/", {"outcome": "lost", "note": "x"}, follow=True)
    assert "Choose how the problem ended." in r.content.decode()
    assert ProblemParcel.objects.get(pk=hold.pk).resolved_at is None
    assert Waybill.objects.get(pk=other.pk).status == "held"
    c.post(f"/hub/problems/{hold.pk}/resolve/", {"outcome": "released", "note": "cleared"})
    done = ProblemParcel.objects.get(pk=hold.pk)
    assert (done.outcome, done.outcome_note) == ("released", "cleared")
    assert Waybill.objects.get(pk=other.pk).status == "received"
    assert c.post("/hub/problems/999999/resolve/", {"outcome": "released"}).status_code == 404
    assert signed_in(p.acme_user).get("/hub/problems/").status_code == 403


def test_an_unknown_parcel_is_attached_to_a_customers_waybill(p):
    scan(p, "NOFORECAST-1", weight_g=1800)
    parcel = UnknownParcel.objects.get()
    c = signed_in(p.service)
    page = c.get("/hub/unknown/").content.decode()
    assert f'data-parcel="{parcel.pk}"' in page and "NOFORECAST-1" in page
    before = counts()
    r = c.post(f"/hub/unknown/{parcel.pk}/attach/", {"customer": "ACME", "waybill": "NOPE"},
               follow=True)  # fmt: skip
    assert "The waybill does not exist." in r.content.decode()
    assert counts() == before and UnknownParcel.objects.get().attached_at is None
    w, _ = waybills.create_waybill(p.acme_user, p.acme, payload("R9"))
    c.post(f"/hub/unknown/{parcel.pk}/attach/", {"customer": "ACME", "waybill": w.number})
    parcel.refresh_from_db()
    w.refresh_from_db()
    assert (parcel.customer, parcel.waybill, w.status, w.measured_weight_g) == (
        p.acme, w, "received", 1800,
    )  # fmt: skip
    assert parcel.problem.resolved_at is not None
    assert f'data-parcel="{parcel.pk}"' not in c.get("/hub/unknown/").content.decode()
    assert InboundScan.objects.filter(result="unknown").count() == 1


def test_the_customer_sees_its_open_problems_in_the_portal(p):
    other = numbered(p, "R2", "TRK0002")
    open_problem(p.hub, p.w, "weight_difference", "2 kg over")
    c = signed_in(p.acme_user)
    page = c.get(f"/portal/waybills/{p.w.number}/").content.decode()
    assert 'data-testid="waybill-problems"' in page and "Weight difference" in page
    assert (
        'data-testid="waybill-problems"'
        not in c.get(f"/portal/waybills/{other.number}/").content.decode()
    )
    # another customer sees neither the waybill nor its problem
    assert signed_in(p.bolt_user).get(f"/portal/waybills/{p.w.number}/").status_code == 404


def test_the_recent_scans_read_in_the_users_language(p):
    c = signed_in(p.hub, "zh-hans")
    c.post("/hub/inbound/scan", data=json.dumps({"code": p.w.number, "station": "IN-1",
           "weight": "1.2"}), content_type="application/json")  # fmt: skip
    c.post("/hub/inbound/scan", data=json.dumps({"code": "NO-SUCH-1", "station": "IN-1",
           "weight": "0.5"}), content_type="application/json")  # fmt: skip
    body = c.get("/hub/inbound/recent?station=IN-1").json()
    assert [s["label"] for s in body["scans"]] == ["无预报", "已入库"]
