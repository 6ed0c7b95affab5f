"""The outbound pages: open a bag, scan (htmx and plain), seal, labels, a dispatch with load
scan, handover and the manifests; in English and Chinese; refused for other roles."""

from __future__ import annotations

import pytest

from tradelane.forwarding.models import Bag, Dispatch, Waybill
from tradelane.forwarding.tests.factories import provider, signed_in

from .factories import received

pytestmark = pytest.mark.django_db
HX = {"HTTP_HX_REQUEST": "true"}


def test_the_bag_screen_scans_refuses_and_seals():
    p = provider()
    a = received(p, "A1")
    c = signed_in(p.hub)
    page = c.get("/hub/bags/")
    assert page.status_code == 200 and b"Open a bag" in page.content
    r = c.post("/hub/bags/", {"channel": "USLINE", "destination": "us", "kind": "air"})
    bag = Bag.objects.get()
    assert r.status_code == 302 and r["Location"] == f"/hub/bags/{bag.pk}/"
    screen = c.get(f"/hub/bags/{bag.pk}/").content.decode()
    assert 'id="scan-code"' in screen and "autofocus" in screen and "bag_scan.js" in screen
    assert "<script>" not in screen  # CSP: no inline script
    ok = c.post(f"/hub/bags/{bag.pk}/scan/", {"code": a.number}, **HX).content.decode()
    assert 'data-ok="1"' in ok and f"In the bag: {a.number}" in ok and "1 parcel" in ok
    bad = c.post(f"/hub/bags/{bag.pk}/scan/", {"code": "NOPE"}, **HX).content.decode()
    assert 'data-ok="0"' in bad and 'data-error-code="parcel_not_found"' in bad
    plain = c.post(f"/hub/bags/{bag.pk}/scan/", {"code": "NOPE"})
    assert plain.status_code == 404
    r = c.post(f"/hub/bags/{bag.pk}/seal/", {})
    assert r.status_code == 200 and b"Sealed: " in r.content
    assert Bag.objects.get().status == "sealed"
    again = c.post(f"/hub/bags/{bag.pk}/scan/", {"code": a.number}, **HX).content.decode()
    assert 'data-error-code="bag_sealed"' in again
    pdf = c.get(f"/hub/bags/{bag.pk}/label.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    zpl = c.get(f"/hub/bags/{bag.pk}/label.zpl")
    assert zpl.content.startswith(b"^XA")


def test_the_pages_speak_chinese_and_refuse_other_roles():
    p = provider()
    zh = signed_in(p.hub, "zh-hans")
    assert "开袋" in zh.get("/hub/bags/").content.decode()
    assert "交接单" in zh.get("/hub/dispatches/").content.decode()
    customer = signed_in(p.acme_user)
    assert customer.get("/hub/bags/").status_code == 403
    assert customer.get("/hub/dispatches/").status_code == 403
    assert signed_in(p.service).get("/hub/dispatches/").status_code == 403


def test_a_dispatch_page_load_scans_reconciles_hands_over_and_gives_manifests():
    from tradelane.forwarding.outbound import bags

    p = provider()
    bag = bags.open_bag(p.hub, channel="USLINE", destination="US")
    bags.scan_into_bag(p.hub, bag, received(p, "A1").number)
    bag = bags.seal_bag(p.hub, bag)
    c = signed_in(p.hub)
    r = c.post(
        "/hub/dispatches/",
        {
            "channel": "USLINE",
            "mode": "air",
            "mawb": "176-12345670",
            "flight": "EK303",
            "departure_date": "2026-12-05",
            "origin_airport": "PVG",
            "destination_airport": "JFK",
        },
    )
    assert r.status_code == 400 and b'data-error-code="invalid_mawb_check_digit"' in r.content
    assert Dispatch.objects.count() == 0
    r = c.post(
        "/hub/dispatches/",
        {
            "channel": "USLINE",
            "mode": "air",
            "mawb": "176-12345675",
            "flight": "EK303",
            "departure_date": "2026-12-05",
            "origin_airport": "PVG",
            "destination_airport": "JFK",
        },
    )
    d = Dispatch.objects.get()
    url = f"/hub/dispatches/{d.pk}/action/"
    assert r["Location"] == f"/hub/dispatches/{d.pk}/"
    added = c.post(url, {"action": "add", "code": bag.number}, **HX).content.decode()
    assert 'data-ok="1"' in added and 'data-testid="missing-bags"' in added
    stray = c.post(url, {"action": "load", "code": "BG000"}, **HX).content.decode()
    assert 'data-error-code="stray_bag"' in stray
    loaded = c.post(url, {"action": "load", "code": bag.number}, **HX).content.decode()
    assert "(1 of 1)" in loaded and 'data-ok="1"' in loaded and "missing-bags" not in loaded
    page = c.get(f"/hub/dispatches/{d.pk}/").content.decode()
    assert 'data-testid="reconcile" data-ok="1"' in page
    pdf = c.get(f"/hub/dispatches/{d.pk}/manifest.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert pdf["Content-Disposition"] == f'attachment; filename="MAWB-176-12345675-{d.number}.pdf"'
    xlsx = c.get(f"/hub/dispatches/{d.pk}/manifest.xlsx")
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    r = c.post(url, {"action": "hand_over"})
    assert r.status_code == 302
    assert Dispatch.objects.get().status == "handed_over"
    assert Waybill.objects.get().status == "in_transit"
