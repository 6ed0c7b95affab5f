"""The credit pages: finance posts a payment (which releases a held parcel), releases a hold by
hand with a reason, reads the ageing and exports it; a customer's portal user sees its own
balance only; both languages."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.test import override_settings

from tradelane.finance.ledgers.models import Account, LedgerEntry
from tradelane.forwarding.hub.models import ProblemParcel
from tradelane.forwarding.partners import services as partners
from tradelane.forwarding.tests.factories import signed_in
from tradelane.forwarding.waybills.models import Waybill

from .. import services
from .helpers import credit_provider, parcels, scan_in

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _credit_on():
    with override_settings(TRADELANE_CREDIT_HOLDS="on"):
        yield


@pytest.fixture
def p():
    ns = credit_provider()
    (ns.w,) = parcels(ns, 1)
    scan_in(ns, ns.w)  # held: PRE has no money in
    ns.problem = ProblemParcel.objects.get(waybill=ns.w, reason="arrears_hold")
    return ns


def test_finance_posts_a_payment_and_the_held_parcel_is_released(p):
    c = signed_in(p.finance)
    page = c.get("/finance/credit/").content.decode()
    assert 'data-testid="credit-holds"' in page and p.w.number in page
    assert "40.00 CNY" in page
    zh = signed_in(p.finance, "zh-hans").get("/finance/credit/").content.decode()
    for words in ("余额与信用额度", "客户余额", "欠费扣件包裹", "手动放行", "登记收款", "银行转账",
                  "支付宝", "微信支付"):  # fmt: skip
        assert words in zh
    r = c.post("/finance/credit/top-up/", {"customer": "PRE", "amount": "50.00",
                                           "currency": "CNY", "method": "wechat",
                                           "reference": "WX-1"}, follow=True)  # fmt: skip
    body = r.content.decode()
    assert "Payment of 50.00 CNY posted; 1 parcel(s) released." in body
    assert Waybill.objects.get(pk=p.w.pk).status == "received"
    assert Account.objects.get(customer=p.pre).balance == Decimal("10.00")
    assert "WeChat Pay" in body and "WX-1" in body


def test_a_refused_payment_shows_its_code_and_writes_nothing(p):
    r = signed_in(p.finance).post("/finance/credit/top-up/", {
        "customer": "PRE", "amount": "abc", "currency": "CNY", "method": "cash"})  # fmt: skip
    assert r.status_code == 422
    assert "The amount is not valid for this entry." in r.content.decode()
    assert LedgerEntry.objects.count() == 0
    zh = signed_in(p.finance, "zh-hans").post("/finance/credit/top-up/", {
        "customer": "PRE", "amount": "5", "currency": "CNY", "method": "cheque"})  # fmt: skip
    assert zh.status_code == 422
    assert "请选择付款方式" in zh.content.decode()


def test_finance_releases_a_hold_by_hand_with_a_reason(p):
    c = signed_in(p.finance)
    r = c.post(f"/finance/credit/holds/{p.problem.pk}/release/", {"note": ""})
    assert r.status_code == 422
    assert ProblemParcel.objects.get(pk=p.problem.pk).resolved_at is None
    r = c.post(f"/finance/credit/holds/{p.problem.pk}/release/", {"note": "pays Friday"},
               follow=True)  # fmt: skip
    assert f"{p.w.number} released." in r.content.decode()
    done = ProblemParcel.objects.get(pk=p.problem.pk)
    assert (done.outcome, done.outcome_note, done.resolved_by) == ("released", "pays Friday",
                                                                    p.finance)  # fmt: skip
    # the hub's operator holds no credit permission
    assert signed_in(p.hub).post(f"/finance/credit/holds/{p.problem.pk}/release/",
                                 {"note": "x"}).status_code == 403  # fmt: skip


def test_the_ageing_page_and_its_excel_export(p):
    services.release_by_hand(p.finance, p.problem, "pays Friday")  # 40.00 owed today
    c = signed_in(p.finance)
    body = c.get("/finance/credit/ageing/").content.decode()
    assert 'data-testid="ageing"' in body and "PRE Prepaid Co" in body and "40.00 CNY" in body
    zh = signed_in(p.finance, "zh-hans").get("/finance/credit/ageing/").content.decode()
    assert "应收账龄" in zh and "0-30天" in zh and "90天以上" in zh
    r = c.get("/finance/credit/ageing.xlsx")
    assert r["Content-Type"].startswith("application/vnd.openxmlformats")
    from openpyxl import load_workbook

    ws = load_workbook(io.BytesIO(r.content)).active
    rows = [[cell.value for cell in row] for row in ws.iter_rows(min_row=2)]
    assert rows[0] == ["Customer", "Company", "Currency", "0-30 days", "31-60 days",
                       "61-90 days", "Over 90 days", "Total"]  # fmt: skip
    assert rows[1][:3] == ["PRE", "Prepaid Co", "CNY"]
    assert [Decimal(str(v)) for v in rows[1][3:]] == [Decimal(40), 0, 0, 0, Decimal(40)]
    assert c.get("/finance/credit/ageing/?as_of=not-a-date").status_code == 404


def test_a_portal_user_sees_its_own_balance_only(p):
    services.top_up(p.finance, p.bolt, amount="77.00", currency="CNY", method="cash")
    pre_user = partners.create_portal_user(p.admin, username="pre", password="pw-Tradelane-1",
                                           customer=p.pre)  # fmt: skip
    mine = signed_in(pre_user).get("/portal/balance/").content.decode()
    assert p.w.number in mine and "77.00" not in mine
    theirs = signed_in(p.bolt_user).get("/portal/balance/").content.decode()
    assert "77.00 CNY" in theirs and p.w.number not in theirs
    zh = signed_in(p.bolt_user, "zh-hans").get("/portal/balance/").content.decode()
    assert "余额" in zh and "现金" in zh
    # nor the finance pages
    assert signed_in(p.bolt_user).get("/finance/credit/").status_code == 403
    assert signed_in(p.bolt_user).get("/finance/credit/ageing.xlsx").status_code == 403
