"""Batch label printing on the portal's waybill list: the ticked waybills (or every one of the
filter, at most ``printing.MAX_LABELS``) in one PDF (one label per page, in the order shown)
or one ZPL text; a waybill still without its number, or cancelled, is skipped and named with
why; another customer's waybill is 404 and nothing changes."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from tradelane.forwarding.models import Waybill
from tradelane.forwarding.tests.factories import TWO_PIECES, numbered, payload, provider, signed_in
from tradelane.forwarding.waybills import printing, services

pytestmark = pytest.mark.django_db
URL = "/portal/waybills/labels/"


@pytest.fixture
def p():
    return provider()


def state():
    return sorted(Waybill.objects.values_list("number", "status", "tracking_status",
                                              "updated_at"))  # fmt: skip


def test_the_list_has_a_checkbox_per_row_and_the_batch_buttons(p):
    a = numbered(p, "R1", "TLX0000001")
    html = signed_in(p.acme_user).get("/portal/waybills/").content.decode()
    assert f'name="ids" value="{a.pk}"' in html
    assert "data-select-all" in html and 'aria-label="Select waybill ' in html
    assert 'data-testid="print-selected"' in html and 'data-testid="print-all"' in html
    assert "at most 500" in html
    zh = signed_in(p.acme_user, "zh-hans").get("/portal/waybills/").content.decode()
    assert "打印所选运单的面单" in zh


def test_ticked_waybills_print_in_one_pdf_in_the_order_shown(p):
    a = numbered(p, "R1", "TLX0000001", pieces=TWO_PIECES)
    b = numbered(p, "R2", "TLX0000002")
    c = signed_in(p.acme_user)
    r = c.post(URL, {"ids": [b.pk, a.pk], "format": "pdf"})
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
    assert r["Content-Disposition"].startswith('attachment; filename="labels-')
    reader = PdfReader(io.BytesIO(r.content))
    assert len(reader.pages) == 3  # b's one label, then a's two pieces
    first = reader.pages[0].extract_text()
    assert "TLX0000002" in first and "TLX0000001" not in first
    zpl = c.post(URL, {"ids": [b.pk, a.pk], "format": "zpl"})
    assert zpl["Content-Type"] == "text/plain; charset=utf-8"
    text = zpl.content.decode()
    assert text.count("^XA") == 3 and text.count("^XZ") == 3
    assert text.index(f"Ref: {b.number} R2") < text.index(f"Ref: {a.number} R1")


def test_pending_and_cancelled_are_skipped_and_named_with_why(p):
    ready = numbered(p, "R1", "TLX0000001")
    pending, _ = services.create_waybill(p.acme_user, p.acme, payload("R2"))
    gone, _ = services.create_waybill(p.acme_user, p.acme, payload("R3"))
    services.cancel_waybill(p.acme_user, gone)
    c = signed_in(p.acme_user)
    before = state()
    r = c.post(URL, {"ids": [ready.pk, pending.pk, gone.pk], "format": "zpl"})
    assert r.status_code == 200 and r["Content-Type"].startswith("text/html")
    html = r.content.decode()
    assert f'data-number="{pending.number}" data-reason="tracking_number_pending"' in html
    assert f'data-number="{gone.number}" data-reason="not_printable"' in html
    assert "The tracking number is not assigned yet" in html
    assert "The waybill is cancelled: there is no label to print." in html
    assert "The label of 1 waybill is ready." in html
    assert f'name="ids" value="{ready.pk}"' in html and f'value="{pending.pk}"' not in html
    assert state() == before
    # the page's button prints the others
    again = c.post(URL, {"ids": [ready.pk], "format": "zpl"})
    assert again.content.decode().count("^XA") == 1
    zh = signed_in(p.acme_user, "zh-hans").post(URL, {"ids": [pending.pk, gone.pk]})
    text = zh.content.decode()
    assert "该运单已取消，没有可打印的面单。" in text and 'data-testid="labels-none"' in text


def test_all_of_the_filter_and_its_limit(p, monkeypatch):
    a = numbered(p, "R1", "TLX0000001")
    b = numbered(p, "R2", "TLX0000002")
    numbered(p, "R3", "TLX0000003", customer=p.bolt, user=p.bolt_user)  # not ACME's
    c = signed_in(p.acme_user)
    r = c.post(URL, {"all": "1", "format": "zpl"})
    text = r.content.decode()
    assert text.count("^XA") == 2  # newest first, as the list shows them
    assert text.index(f"Ref: {b.number}") < text.index(f"Ref: {a.number}")
    one = c.post(URL, {"all": "1", "format": "zpl", "q": "R1"}).content.decode()
    assert one.count("^XA") == 1 and a.number in one
    monkeypatch.setattr(printing, "MAX_LABELS", 1)
    r = c.post(URL, {"all": "1", "format": "pdf", "q": ""}, follow=True)
    assert r.redirect_chain[0][0] == "/portal/waybills/"
    assert "At most 1 labels at a time, and this asks for 2" in r.content.decode()
    zh = signed_in(p.acme_user, "zh-hans").post(URL, {"all": "1"}, follow=True)
    assert "一次最多打印 1 张面单" in zh.content.decode()


def test_nothing_ticked_says_so(p):
    r = signed_in(p.acme_user).post(URL, {"format": "pdf", "status": "created"}, follow=True)
    assert r.redirect_chain[0][0] == "/portal/waybills/?status=created"
    assert "Tick at least one waybill." in r.content.decode()


def test_another_customers_waybill_is_404_and_changes_nothing(p):
    mine = numbered(p, "R1", "TLX0000001")
    theirs = numbered(p, "B1", "TLX0000009", customer=p.bolt, user=p.bolt_user)
    before = state()
    c = signed_in(p.acme_user)
    for ids in ([theirs.pk], [mine.pk, theirs.pk], ["x"]):
        r = c.post(URL, {"ids": ids, "format": "pdf"})
        assert r.status_code == 404, ids
        assert theirs.number not in r.content.decode()
    # staff naming a customer: a waybill of another customer is not found either
    staff = signed_in(p.service)
    assert staff.post(URL, {"ids": [theirs.pk], "customer": "ACME"}).status_code == 404
    # a salesperson sees only the customers bound to them
    assert signed_in(p.sales1).post(URL, {"ids": [theirs.pk]}).status_code == 404
    assert state() == before


def test_staff_print_across_the_customers_they_see(p):
    a = numbered(p, "R1", "TLX0000001")
    b = numbered(p, "B1", "TLX0000009", customer=p.bolt, user=p.bolt_user)
    html = signed_in(p.service).get("/portal/waybills/").content.decode()
    assert f'name="ids" value="{a.pk}"' in html and f'name="ids" value="{b.pk}"' in html
    r = signed_in(p.service).post(URL, {"ids": [a.pk, b.pk], "format": "zpl"})
    assert r.content.decode().count("^XA") == 2
    only_acme = signed_in(p.service).post(URL, {"all": "1", "format": "zpl",
                                                 "customer": "ACME"})  # fmt: skip
    assert only_acme.content.decode().count("^XA") == 1
    # the staff's customer page leads to that customer's waybills (and their batch print)
    page = signed_in(p.service).get("/provider/customers/ACME/").content.decode()
    assert 'href="/portal/waybills/?customer=ACME"' in page
