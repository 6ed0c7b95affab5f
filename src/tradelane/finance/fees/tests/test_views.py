"""The fees page of a waybill: the lines with their stage and basis, the margin, a manual line
by finance (a reason required, shown as a refusal with its code), nobody else."""

from __future__ import annotations

import pytest

from tradelane.accounts import roles
from tradelane.finance.fees.models import WaybillFeeLine
from tradelane.forwarding.tests.factories import payload, provider, signed_in, user
from tradelane.forwarding.waybills import services as waybills

pytestmark = pytest.mark.django_db


@pytest.fixture
def p():
    ns = provider()
    ns.finance = user("fin1", roles.PROVIDER_FINANCE)
    ns.w, _ = waybills.create_waybill(ns.acme_user, ns.acme, payload("R1"))
    return ns


def url(w) -> str:
    return f"/finance/waybills/{w.number}/fees/"


def test_finance_reads_the_lines_and_the_margin_in_both_languages(p):
    body = signed_in(p.finance).get(url(p.w)).content.decode()
    assert 'data-testid="fee-lines"' in body and "Freight" in body
    assert "76.00 CNY" in body and "56.00 CNY" in body and "20.00 CNY" in body  # margin
    assert "Estimated (forecast)" in body and "1.2 kg chargeable" in body
    zh = signed_in(p.finance, "zh-hans").get(url(p.w)).content.decode()
    assert "运费" in zh and "挂号费" in zh and "应收" in zh and "毛利" in zh
    assert "预估（预报）" in zh and "计费重 1.2 kg" in zh


def test_a_manual_line_needs_a_reason_and_then_shows(p):
    c = signed_in(p.finance)
    form = {"side": "receivable", "item": "storage", "amount": "15.00", "currency": "CNY"}
    before = WaybillFeeLine.objects.count()
    refused = c.post(url(p.w), {**form, "reason": " "})
    assert refused.status_code == 422
    assert 'data-error-code="fee_reason_required"' in refused.content.decode()
    assert WaybillFeeLine.objects.count() == before
    done = c.post(url(p.w), {**form, "reason": "three days on the shelf"})
    assert done.status_code == 302
    body = c.get(url(p.w)).content.decode()
    assert "three days on the shelf" in body and "35.00 CNY" in body  # margin 20 + 15


def test_the_page_is_staffs_only(p):
    assert signed_in(p.acme_user).get(url(p.w)).status_code == 403  # a customer: no cost
    assert signed_in(p.hub).get(url(p.w)).status_code == 403
    form = {"side": "receivable", "item": "storage", "amount": "1", "currency": "CNY",
            "reason": "x"}  # fmt: skip
    boss = user("boss1", roles.BOSS)
    c = signed_in(boss)
    assert c.get(url(p.w)).status_code == 200 and 'data-testid="fee-manual"' not in (
        c.get(url(p.w)).content.decode())  # fmt: skip
    assert c.post(url(p.w), form).status_code == 403
    assert not WaybillFeeLine.objects.filter(stage="manual").exists()


def test_the_waybill_page_links_the_fees_for_staff_only(p):
    page = f"/portal/waybills/{p.w.number}/"
    assert 'data-testid="waybill-fees"' in signed_in(p.admin).get(page).content.decode()
    assert 'data-testid="waybill-fees"' not in signed_in(p.acme_user).get(page).content.decode()
