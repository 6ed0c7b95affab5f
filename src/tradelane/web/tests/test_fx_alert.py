"""A missing exchange rate is a configuration alert on the home page, not a buyer's fault."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import Client

from tradelane.core.models import FxRate
from tradelane.orders.tests.factories import make_order, make_store

pytestmark = pytest.mark.django_db


def page(user, lang="en") -> str:
    client = Client()
    client.force_login(user)
    return client.get("/", HTTP_ACCEPT_LANGUAGE=lang).content.decode()


def test_home_alerts_reviewers_and_admins_about_missing_rates(
    company, admin, cs, logistics, warehouse_user, make_sku
):
    store = make_store()
    for _ in range(2):
        make_order(store, [(make_sku(f"S{_}"), 1)], currency="USD")
    make_order(store, [(make_sku("E"), 1)], currency="EUR", status="cancelled")  # not open
    make_order(store, [(make_sku("C"), 1)], currency="CNY")  # the base currency
    for user in (admin, cs, logistics):
        html = page(user)
        assert 'data-testid="fx-missing"' in html, user.username
        assert "No rate from USD to CNY: 2 open orders." in html
        assert "EUR" not in html.split('data-testid="fx-missing"')[1].split("</section>")[0]
    assert "缺少汇率" in page(cs, "zh-hans") and "没有 USD 到 CNY 的汇率" in page(cs, "zh-hans")
    assert 'data-testid="fx-missing"' not in page(warehouse_user)  # not theirs to fix
    FxRate.objects.create(base="CNY", quote="USD", rate=Decimal("0.14"), date="2026-11-20")
    assert 'data-testid="fx-missing"' not in page(admin)  # a rate either way round will do
