"""The commission pages: finance creates an agreement (a refusal shows its code and saves
nothing), computes a month, confirms and settles a statement and exports it; the boss reads;
the salesperson report; an agent's portal user sees its own confirmed statements only, and
walks every portal commission route with another agent's ids to find 404s like made-up ids."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.urls import URLPattern, reverse

from tradelane.finance.commissions import services
from tradelane.finance.commissions import urls as commission_urls
from tradelane.finance.commissions.models import CommissionAgreement, CommissionStatement
from tradelane.finance.ledgers.models import Account, LedgerEntry
from tradelane.forwarding.partners import services as partners
from tradelane.forwarding.tests.factories import signed_in

from .helpers import commission_provider, waybills

pytestmark = pytest.mark.django_db
D = Decimal

FORM = {
    "beneficiary": "agent",
    "agent": "AG1",
    "basis": "per_waybill",
    "rate": "0",
    "tier_measure": "waybills",
    "tier_from_0": "0",
    "tier_rate_0": "2",
    "tier_from_1": "1001",
    "tier_rate_1": "3",
    "valid_from": "2026-01-01",
    "currency": "",
}


@pytest.fixture
def p():
    return commission_provider()


def test_finance_creates_an_agreement_and_a_refusal_saves_nothing(p):
    c = signed_in(p.finance)
    bad = c.post("/finance/commissions/agreements/new/", {**FORM, "tier_from_1": "0"})
    assert (
        bad.status_code == 422
        and 'data-error-code="commission_tiers_invalid"' in bad.content.decode()
    )
    assert not CommissionAgreement.objects.exists()
    r = c.post("/finance/commissions/agreements/new/", FORM)
    assert r.status_code == 302
    a = CommissionAgreement.objects.get()
    assert (a.agent, a.basis, a.tier_measure) == (p.agent, "per_waybill", "waybills")
    assert [(t.min_volume, t.rate) for t in a.tiers.all()] == [
        (D("0"), D("2")),
        (D("1001"), D("3")),
    ]
    page = c.get("/finance/commissions/").content.decode()
    assert "Amount per waybill" in page and "Waybills in the month" in page
    zh = signed_in(p.finance, "zh-hans").get("/finance/commissions/").content.decode()
    assert "佣金" in zh and "按票固定金额" in zh
    edit = c.post(f"/finance/commissions/agreements/{a.pk}/", {**FORM, "tier_rate_1": "4"})
    assert edit.status_code == 302
    assert a.tiers.get(min_volume=1001).rate == D("4")


def test_compute_confirm_settle_and_export_through_the_pages(p):
    services.create_agreement(
        p.finance,
        beneficiary="agent",
        owner=p.agent,
        basis="per_waybill",
        rate="2",
        valid_from="2026-01-01",
    )
    waybills(p, 3)
    c = signed_in(p.finance)
    r = c.post("/finance/commissions/compute/", {"period": "2026-11", "beneficiary": "agent"})
    assert r.status_code == 302
    s = CommissionStatement.objects.get()
    assert s.total == D("6.00")
    page = c.get("/finance/commissions/?period=2026-11").content.decode()
    assert "AG1" in page and "6.00" in page
    assert (
        c.post(f"/finance/commissions/statements/{s.pk}/", {"action": "settle"}).status_code == 409
    )
    s.refresh_from_db()
    assert s.status == "draft"
    c.post(f"/finance/commissions/statements/{s.pk}/", {"action": "confirm"})
    c.post(f"/finance/commissions/statements/{s.pk}/", {"action": "settle"})
    s.refresh_from_db()
    assert s.status == "settled" and s.ledger_entry is not None
    x = c.get(f"/finance/commissions/statements/{s.pk}/export.xlsx")
    from openpyxl import load_workbook

    rows = list(load_workbook(io.BytesIO(x.content)).active.iter_rows(values_only=True))
    assert rows[0][:3] == ("Commission statement", "AG1", "2026-11")
    assert rows[2][:3] == ("Total", 6, "CNY")
    assert len(rows) == 6 + 3 and rows[6][9] == 2
    # a payout from the statement page debits the agent's account; one beyond it is refused
    page = c.get(f"/finance/commissions/statements/{s.pk}/").content.decode()
    assert 'data-testid="agent-balance">6.00 CNY' in page
    paid = c.post(
        f"/finance/commissions/statements/{s.pk}/",
        {"action": "payout", "amount": "2.50", "reference": "BANK-7"},
    )
    assert paid.status_code == 302
    over = c.post(
        f"/finance/commissions/statements/{s.pk}/",
        {"action": "payout", "amount": "3.51", "reference": "BANK-8"},
    )
    assert over.status_code == 409 and 'data-error-code="credit_exceeded"' in over.content.decode()
    balance = Account.objects.get(agent=p.agent).balance
    assert (balance, LedgerEntry.objects.count()) == (D("3.50"), 2)
    # the boss reads, but does not act
    boss = signed_in(p.boss)
    assert boss.get(f"/finance/commissions/statements/{s.pk}/").status_code == 200
    assert boss.post("/finance/commissions/compute/", {"period": "2026-11"}).status_code == 403


def test_the_salesperson_report(p):
    services.create_agreement(
        p.finance,
        beneficiary="salesperson",
        owner=p.sales1,
        basis="margin_pct",
        rate="10",
        valid_from="2026-01-01",
    )
    waybills(p, 4)
    c = signed_in(p.finance)
    c.post("/finance/commissions/compute/", {"period": "2026-11", "beneficiary": "salesperson"})
    page = c.get("/finance/commissions/salespeople/?period=2026-11").content.decode()
    assert "sales1" in page and "8.00" in page  # 4 x 20.00 x 10 %
    zh = signed_in(p.finance, "zh-hans").get("/finance/commissions/salespeople/?period=2026-11")
    assert "业务员佣金" in zh.content.decode()


def portal_routes() -> list[URLPattern]:
    return [r for r in commission_urls.urlpatterns if str(r.pattern).startswith("portal/")]


def test_an_agent_sees_only_its_own_confirmed_statements_and_no_route_leaks(p):
    other = partners.create_agent(p.admin, code="AG2", name="Agent Two")
    partners.update_customer(p.admin, p.bolt, agent=other)
    for owner in (p.agent, other):
        services.create_agreement(
            p.finance,
            beneficiary="agent",
            owner=owner,
            basis="per_waybill",
            rate="2",
            valid_from="2026-01-01",
        )
    waybills(p, 2)
    theirs = waybills(p, 1, customer=p.bolt)[0]
    services.compute_period(p.finance, "2026-11")
    mine = CommissionStatement.objects.get(agent=p.agent)
    their = CommissionStatement.objects.get(agent=other)
    c = signed_in(p.agent_user)
    # a draft is the provider's working copy: not shown
    assert mine.label not in c.get("/portal/commissions/").content.decode()
    assert c.get(f"/portal/commissions/{mine.pk}/").status_code == 404
    for s in (mine, their):
        services.confirm(p.finance, s)
    listing = c.get("/portal/commissions/").content.decode()
    assert (
        f"/portal/commissions/{mine.pk}/" in listing
        and f"/portal/commissions/{their.pk}/" not in listing
    )
    assert c.get(f"/portal/commissions/{mine.pk}/").status_code == 200
    # every portal commission route with the other agent's id: 404, like an id that is not there
    for route in portal_routes():
        if not route.pattern.converters:
            continue
        for method in ("get", "post"):
            theirs_url = reverse(f"web:{route.name}", kwargs={"pk": their.pk})
            fake_url = reverse(f"web:{route.name}", kwargs={"pk": 999999})
            r, fake = getattr(c, method)(theirs_url), getattr(c, method)(fake_url)
            assert r.status_code == fake.status_code == 404, (method, theirs_url)
            assert theirs.number not in r.content.decode()
    # a customer's portal user has no commission pages at all
    acme = signed_in(p.acme_user)
    for route in portal_routes():
        kwargs = {"pk": mine.pk} if route.pattern.converters else {}
        assert acme.get(reverse(f"web:{route.name}", kwargs=kwargs)).status_code == 404
    # nor does the staff's statement page open for a portal user
    assert c.get(f"/finance/commissions/statements/{mine.pk}/").status_code == 403
