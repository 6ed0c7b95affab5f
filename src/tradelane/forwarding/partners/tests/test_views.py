"""The provider staff's partner pages: a salesperson sees only their own customers (another's
is 404), partner managers create customers, suspend them and add portal users; a portal user
never reaches the staff pages."""

from __future__ import annotations

import pytest

from tradelane.forwarding.models import CustomerAccount, PortalMembership
from tradelane.forwarding.tests.factories import provider, signed_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def p():
    return provider()


def test_sales_see_only_their_own_customers(p):
    c = signed_in(p.sales1, lang=None)
    page = c.get("/provider/customers/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-testid="customer-ACME"' in html and "BOLT" not in html
    assert c.get("/provider/customers/ACME/").status_code == 200
    assert c.get("/provider/customers/BOLT/").status_code == 404
    # service sees both
    html = signed_in(p.service, lang=None).get("/provider/customers/").content.decode()
    assert 'data-testid="customer-ACME"' in html and 'data-testid="customer-BOLT"' in html


def test_a_salesperson_creates_a_customer_bound_to_them(p):
    c = signed_in(p.sales1, lang=None)
    r = c.post("/provider/customers/", {"code": "neo", "company": "Neo Ltd", "level": "STD",
                                        "settlement_mode": "monthly", "payment_terms": "credit",
                                        "credit_limit": "5,000"})  # fmt: skip
    assert r.status_code == 302 and r["Location"] == "/provider/customers/NEO/"
    neo = CustomerAccount.objects.get(code="NEO")
    assert (neo.salesperson, neo.settlement_mode, str(neo.credit_limit)) == (
        p.sales1,
        "monthly",
        "5000.0000",
    )
    # refused: credit without a limit; nothing written
    r = c.post("/provider/customers/", {"code": "NOLIM", "company": "X", "level": "STD",
                                        "payment_terms": "credit"})  # fmt: skip
    assert r.status_code == 422 and not CustomerAccount.objects.filter(code="NOLIM").exists()


def test_suspend_and_portal_user(p):
    c = signed_in(p.admin, lang=None)
    assert c.post("/provider/customers/ACME/status/", {"status": "suspended"}).status_code == 302
    assert CustomerAccount.objects.get(code="ACME").status == "suspended"
    r = c.post("/provider/customers/BOLT/portal-users/",
               {"username": "bolt2", "password": "pw-Portal-123x"})  # fmt: skip
    assert r.status_code == 302
    assert PortalMembership.objects.get(user__username="bolt2").customer == p.bolt
    assert "bolt2" in c.get("/provider/customers/BOLT/").content.decode()


def test_portal_users_and_seller_roles_do_not_reach_staff_pages(p):
    for url in ("/provider/customers/", "/provider/customers/ACME/", "/provider/levels/",
                "/provider/agents/"):  # fmt: skip
        assert signed_in(p.acme_user, lang=None).get(url).status_code == 403, url


def test_levels_and_agents_pages_in_chinese(p):
    c = signed_in(p.admin, lang=None)
    html = c.get("/provider/levels/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "客户等级" in html and 'data-testid="level-VIP"' in html
    r = c.post("/provider/agents/", {"what": "line", "code": "ups-hk", "name": "UPS HK",
                                     "kind": "carrier", "channels": ["USLINE"]})  # fmt: skip
    assert r.status_code == 302
    html = c.get("/provider/agents/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "承运商" in html and "USLINE" in html and "AG1" in html


def test_a_reader_posting_the_pages_forms_is_refused_and_nothing_is_written(p):
    from tradelane.forwarding.partners.models import Agent, CustomerLevel

    c = signed_in(p.hub, lang=None)  # reads the partner pages, manages none
    before = (CustomerAccount.objects.count(), CustomerLevel.objects.count(),
              Agent.objects.count())  # fmt: skip
    for url, data in (
        ("/provider/customers/", {"code": "NEO", "company": "Neo", "level": "STD"}),
        ("/provider/levels/", {"code": "GOLD", "name": "Gold"}),
        ("/provider/agents/", {"what": "agent", "code": "AG9", "name": "Agent 9"}),
    ):
        assert c.get(url).status_code == 200, url
        assert c.post(url, data).status_code == 403, url
    assert (CustomerAccount.objects.count(), CustomerLevel.objects.count(),
            Agent.objects.count()) == before  # fmt: skip
