"""Customs: dated thresholds (seeded), store numbers by destination, DDP/DDU, documents."""

from __future__ import annotations

import datetime as dt

import pytest

from tradelane.core.money import Money
from tradelane.logistics.customs import decisions as customs
from tradelane.logistics.models import StoreCustomsNumber
from tradelane.logistics.tests.shipfix import D, fx
from tradelane.orders.tests.factories import make_store

pytestmark = pytest.mark.django_db


def test_seeded_thresholds_by_date():
    before = customs.threshold("US", "de_minimis", dt.date(2025, 8, 28))
    after = customs.threshold("US", "de_minimis", dt.date(2025, 8, 29))
    assert (before.amount, after.amount) == (D("800"), D("0"))
    assert customs.threshold("DE", "ioss", dt.date(2025, 1, 1)).amount == D("150")
    assert customs.threshold("DE", "ioss", dt.date(2021, 6, 30)) is None
    assert customs.threshold("GB", "vat_at_sale", dt.date(2025, 1, 1)).currency == "GBP"
    assert customs.threshold("FR", "eu_flat_duty", dt.date(2026, 6, 30)) is None
    assert customs.threshold("FR", "eu_flat_duty", dt.date(2026, 7, 1)).amount == D("3")
    cn22 = customs.cn22_limit()
    assert (cn22.amount, cn22.currency, cn22.max_weight_g) == (D("300"), "XDR", 2000)


def test_numbers_by_destination_and_ddp_ddu():
    store = make_store()
    StoreCustomsNumber.objects.create(
        store=store, destination="EU", kind="ioss", number="IM2760000001"
    )
    StoreCustomsNumber.objects.create(store=store, destination="", kind="eori", number="CN-EORI")
    StoreCustomsNumber.objects.create(store=store, destination="DE", kind="eori", number="DE-EORI")
    StoreCustomsNumber.objects.create(store=store, destination="GB", kind="vat", number="GB123")
    assert customs.customs_numbers(store.pk, "DE") == {"ioss": "IM2760000001", "eori": "DE-EORI"}
    assert customs.customs_numbers(store.pk, "FR") == {"ioss": "IM2760000001", "eori": "CN-EORI"}
    assert customs.customs_numbers(store.pk, "US") == {"eori": "CN-EORI"}
    fx(EUR="7.70", GBP="9.00")
    on = dt.date(2025, 9, 1)
    ddp = customs.decide(country="FR", store_id=store.pk, value=Money(D("150"), "EUR"), on_date=on)
    assert (ddp.incoterm, ddp.ioss_number) == ("DDP", "IM2760000001")
    # 1200 CNY = 155.84 EUR: above IOSS -> DDU, no IOSS number
    ddu = customs.decide(country="FR", store_id=store.pk, value=Money(D("1200"), "CNY"), on_date=on)
    assert (ddu.incoterm, ddu.ioss_number) == ("DDU", "")
    uk = customs.decide(country="GB", store_id=store.pk, value=Money(D("135"), "GBP"), on_date=on)
    assert (uk.incoterm, uk.vat_number) == ("DDP", "GB123")
    us = customs.decide(country="US", store_id=store.pk, value=Money(D("10"), "USD"), on_date=on)
    assert us.incoterm == "DDU"
    forced = customs.decide(
        country="US", store_id=store.pk, value=Money(D("10"), "USD"), on_date=on, force_ddp=True
    )
    assert forced.incoterm == "DDP"


def test_document_kind():
    fx(USD="7.10")
    usd = lambda a: Money(D(a), "USD")  # noqa: E731
    # no XDR rate: 300 SDR x 1.33 = 399 USD
    assert customs.document_kind("postal", usd("399"), 2000) == "cn22"
    assert customs.document_kind("postal", usd("399.01"), 2000) == "cn23"
    assert customs.document_kind("postal", usd("10"), 2001) == "cn23"
    assert customs.document_kind("express", usd("10"), 100) == "invoice"
    assert customs.document_kind("line", usd("10"), 100) == "invoice"
