"""The /hub/lastmile/ page: the waybills awaiting a number, inline assignment, the file with
its report, and who may see it."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tradelane.forwarding.tests.factories import payload, provider, signed_in
from tradelane.forwarding.waybills import services as waybills

pytestmark = pytest.mark.django_db


@pytest.fixture
def p():
    ns = provider()
    ns.w, _ = waybills.create_waybill(ns.acme_user, ns.acme, payload("R1"))
    waybills.receive(ns.hub, ns.w, weight_g=1200)
    return ns


def test_page_lists_awaiting_and_assigns_inline(p):
    c = signed_in(p.hub)
    r = c.get("/hub/lastmile/")
    assert r.status_code == 200 and p.w.number in r.content.decode()
    r = c.post("/hub/lastmile/action/", {"action": "assign", "waybill": p.w.number,
                                          "carrier": "USPS", "number": "LM-000001"})  # fmt: skip
    assert r.status_code == 302
    p.w.refresh_from_db()
    assert p.w.last_mile_number == "LM-000001"
    assert p.w.number not in c.get("/hub/lastmile/").content.decode().split("lastmile-awaiting")[1]
    r = c.post("/hub/lastmile/action/", {"action": "assign", "waybill": p.w.number,
                                          "carrier": "USPS", "number": "a b"})  # fmt: skip
    assert r.status_code == 422


def test_upload_preview_shows_the_report_in_chinese(p):
    c = signed_in(p.hub, "zh-hans")
    f = SimpleUploadedFile("l.csv", f"运单号,服务商,转单号\nTL0,USPS,N-000001\n{p.w.number},USPS,"
                           "N-000002\n".encode())  # fmt: skip
    r = c.post("/hub/lastmile/action/", {"action": "preview", "file": f})
    html = r.content.decode()
    assert r.status_code == 200 and "找不到此运单" in html and "可导入" in html
    p.w.refresh_from_db()
    assert p.w.last_mile_number == ""


def test_only_the_hub_may(p):
    assert signed_in(p.sales1).get("/hub/lastmile/").status_code == 403
    assert signed_in(p.acme_user).get("/hub/lastmile/").status_code in (302, 403)
