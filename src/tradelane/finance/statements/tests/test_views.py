"""The statements pages: finance lists, generates, issues, downloads, resolves disputes and
records receipts; the customer sees its own issued statements only, downloads them, confirms
or disputes. Another customer's statement (or a draft) is 404 on every portal route, by GET
and POST, answered exactly like a number that does not exist."""

from __future__ import annotations

import io
import re
from decimal import Decimal as D

import pytest
from django.urls import URLPattern, reverse
from django.utils import timezone

from tradelane.forwarding.tests.factories import signed_in

from .. import services, urls
from ..models import Receipt, Statement, StatementDispute
from .helpers import create, next_month, world
from .test_statements import everything

pytestmark = pytest.mark.django_db


@pytest.fixture
def p():
    p = world()
    create(p, "ACME-REF")
    create(p, "BOLT-REF", customer=p.bolt, portal_user=p.bolt_user)
    made = services.generate_statements(p.finance, today=next_month(timezone.localdate()))
    p.st = {s.customer.code: services.issue_statement(p.finance, s) for s in made}
    return p


def test_finance_generates_issues_and_downloads(p):
    c = signed_in(p.finance)
    listing = c.get(reverse("web:finance_statements")).content.decode()
    assert p.st["ACME"].number in listing and p.st["BOLT"].number in listing
    create(p, "LATER")
    r = c.post(reverse("web:finance_statements"))
    assert r.status_code == 302
    # the period is closed already: nothing new for this month; next month's is a new draft
    services.generate_statements(p.finance, today=next_month(timezone.localdate(), 2))
    draft = Statement.objects.get(status="draft")
    page = c.get(reverse("web:finance_statement", args=[draft.number])).content.decode()
    assert 'data-testid="statement-issue"' in page and "76.00" in page
    c.post(reverse("web:finance_statement", args=[draft.number]))
    draft.refresh_from_db()
    assert draft.status == "issued"
    pdf = c.get(reverse("web:finance_statement_pdf", args=[draft.number]))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    xlsx = c.get(reverse("web:finance_statement_xlsx", args=[draft.number]))
    from openpyxl import load_workbook

    rows = list(load_workbook(io.BytesIO(xlsx.content)).active.iter_rows(values_only=True))
    assert rows[0][:2] == ("对账单 Statement", draft.number)
    total = next(r for r in rows if r[0] == "合计 Total" and r[4])
    assert (D(str(total[3])), total[4]) == (D("76.00"), "CNY")


def test_the_customer_confirms_and_disputes_through_the_portal(p):
    s = p.st["ACME"]
    c = signed_in(p.acme_user, "zh-hans")
    listing = c.get(reverse("web:portal_statements")).content.decode()
    assert s.number in listing and p.st["BOLT"].number not in listing
    page = c.get(reverse("web:portal_statement", args=[s.number])).content.decode()
    assert "确认" in page and "76.00" in page
    pdf = c.get(reverse("web:portal_statement_pdf", args=[s.number]))
    assert pdf.content.startswith(b"%PDF")
    line = s.lines.first()
    c.post(reverse("web:portal_statement_dispute", args=[s.number]),
           {"lines": [line.pk], "reason": "registration twice"})  # fmt: skip
    case = StatementDispute.objects.get()
    assert (case.reason, case.statement_id) == ("registration twice", s.pk)
    f = signed_in(p.finance)
    assert "registration twice" in f.get(reverse("web:finance_disputes")).content.decode()
    f.post(reverse("web:finance_dispute_resolve", args=[case.pk]),
           {"outcome": "credit", "amount": "10.00", "note": "refunded"})  # fmt: skip
    case.refresh_from_db()
    assert (case.status, case.credit_amount) == ("credited", D("10.00"))
    c.post(reverse("web:portal_statement_confirm", args=[s.number]))
    s.refresh_from_db()
    assert s.status == "confirmed"


def test_finance_records_a_receipt_and_a_refused_one_changes_nothing(p):
    f = signed_in(p.finance)
    before = everything()
    r = f.post(reverse("web:finance_receipts"), {"customer": "ACME", "amount": "-3",
               "method": "cash", "key": "k1"}, follow=True)  # fmt: skip
    assert "The amount must be positive" in r.content.decode() and everything() == before
    f.post(reverse("web:finance_receipts"), {"customer": "ACME", "amount": "80.00",
           "method": "bank_transfer", "key": "BANK-1", "reference": "ICBC"})  # fmt: skip
    receipt = Receipt.objects.get()
    assert (receipt.amount, receipt.unallocated) == (D("80.00"), D("4.00"))
    assert Statement.objects.get(pk=p.st["ACME"].pk).status == "settled"


@pytest.mark.parametrize("who", ["boss", "hub", "service"])
def test_staff_without_the_permission_may_not_write(p, who):
    user = {"boss": p.boss, "hub": p.hub, "service": p.service}[who]
    c = signed_in(user)
    before = everything()
    for name, args in (("finance_statements", []), ("finance_receipts", []),
                       ("finance_statement", [p.st["ACME"].number])):  # fmt: skip
        r = c.post(reverse(f"web:{name}", args=args), {"customer": "ACME", "amount": "1",
                   "method": "cash", "key": "x"})  # fmt: skip
        assert r.status_code == 403
    assert everything() == before
    listing = c.get(reverse("web:finance_statements"))
    assert listing.status_code == (200 if who == "boss" else 403)


PORTAL = [r for r in urls.portal if isinstance(r, URLPattern)]
CSRF = re.compile(r'("X-CSRFToken": "|name="csrfmiddlewaretoken" value=")[^"]+')


@pytest.mark.parametrize(("me", "other"), [("acme", "bolt"), ("bolt", "acme"), ("agent", "bolt")])
def test_no_portal_statement_route_shows_or_touches_another_customers(p, me, other):
    user = {"acme": p.acme_user, "bolt": p.bolt_user, "agent": p.agent_user}[me]
    c = signed_in(user)
    theirs = p.st[other.upper()]
    before = everything()
    for route in PORTAL:
        for method in ("get", "post"):
            data = {"lines": [x.pk for x in theirs.lines.all()], "reason": "probe"}
            if route.pattern.converters:
                r = getattr(c, method)(reverse(f"web:{route.name}", args=[theirs.number]), data)
                fake = getattr(c, method)(reverse(f"web:{route.name}", args=["ST-NOPE"]), data)
                assert r.status_code in (404, 405), (route.name, method, r.status_code)
                assert (r.status_code, CSRF.sub("", r.content.decode())) == (
                    fake.status_code,
                    CSRF.sub("", fake.content.decode().replace("ST-NOPE", theirs.number)),
                ), route.name
            else:
                r = getattr(c, method)(reverse(f"web:{route.name}"))
                assert theirs.number not in r.content.decode(), route.name
    assert everything() == before


def test_a_draft_is_not_in_the_portal(p):
    create(p, "LATER")
    [draft] = services.generate_statements(p.finance, today=next_month(timezone.localdate(), 2))
    c = signed_in(p.acme_user)
    assert draft.number not in c.get(reverse("web:portal_statements")).content.decode()
    assert c.get(reverse("web:portal_statement", args=[draft.number])).status_code == 404
