"""The customs page: make a batch, its report, downloads, hold and clear; the boss reads."""

from __future__ import annotations

import pytest

from tradelane.accounts import roles
from tradelane.forwarding.models import CustomsBatch, ProblemParcel
from tradelane.forwarding.tests.factories import provider, signed_in, user

from .helpers import TWO_ITEMS, received

pytestmark = pytest.mark.django_db


@pytest.fixture
def p():
    return provider()


def test_make_a_batch_read_it_download_hold_and_clear(p):
    w = received(p, "V1", items=TWO_ITEMS)
    c = signed_in(p.hub, "zh-hans")
    page = c.get("/hub/customs/")
    assert page.status_code == 200 and w.number in page.content.decode()
    resp = c.post("/hub/customs/", {"waybill": [w.pk], "name": "Fri", "channel": "USLINE"})
    b = CustomsBatch.objects.get()
    assert resp.status_code == 302 and resp["Location"] == f"/hub/customs/{b.number}/"
    assert "报关" in c.get(f"/hub/customs/{b.number}/").content.decode()
    xlsx = c.get(f"/hub/customs/{b.number}/export.xlsx")
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    csv = c.get(f"/hub/customs/{b.number}/export.csv")
    assert csv.content.decode("utf-8").startswith("\ufeff序号/Line,运单号/Waybill")
    pdf = c.get(f"/hub/customs/{b.number}/documents.pdf")
    assert pdf["Content-Type"] == "application/pdf" and pdf.content[:4] == b"%PDF"
    one = c.get(f"/hub/customs/waybill/{w.number}/invoice.pdf")
    assert one.status_code == 200 and one.content[:4] == b"%PDF"
    c.post(f"/hub/customs/{b.number}/", {"action": "hold", "waybill": w.number, "note": "x"})
    assert ProblemParcel.objects.filter(waybill=w, reason="customs_hold").count() == 1
    refused = c.post(f"/hub/customs/{b.number}/", {"action": "clear"})
    assert refused.status_code == 409 and b"customs_hold_open" in refused.content
    b.refresh_from_db()
    assert b.status == "open"


def test_the_boss_reads_and_may_not_write_others_may_not_read(p):
    boss = signed_in(user("boss1", roles.BOSS))
    assert boss.get("/hub/customs/").status_code == 200
    w = received(p, "V1")
    assert boss.post("/hub/customs/", {"waybill": [w.pk]}).status_code == 403
    assert CustomsBatch.objects.count() == 0
    assert signed_in(p.service).get("/hub/customs/").status_code == 403
