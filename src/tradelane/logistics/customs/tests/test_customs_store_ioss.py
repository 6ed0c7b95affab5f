"""The store's EU IOSS number (set from the store settings) and the IOSS threshold checked in
any order currency (a cross rate through CNY when there is no direct rate)."""

from __future__ import annotations

import datetime as dt

import pytest

from tradelane.core.errors import PermissionDenied, ValidationFailed
from tradelane.core.models import AuditLog
from tradelane.core.money import Money
from tradelane.logistics.customs import decisions as customs
from tradelane.logistics.models import StoreCustomsNumber
from tradelane.logistics.shopping import configuration as shipping_config
from tradelane.logistics.tests.shipfix import D, fx
from tradelane.orders.tests.factories import make_store

pytestmark = pytest.mark.django_db

ON = dt.date(2025, 9, 1)


def test_ioss_threshold_in_a_currency_without_direct_eur_rate():
    store = make_store()
    StoreCustomsNumber.objects.create(
        store=store, destination="EU", kind="ioss", number="IM2760000001"
    )
    fx(USD="7.10", EUR="7.70")  # 1 USD = 7.10/7.70 EUR
    ok = customs.decide(country="DE", store_id=store.pk, value=Money(D("162"), "USD"), on_date=ON)
    assert (ok.incoterm, ok.ioss_number) == ("DDP", "IM2760000001")  # 149.3766 EUR
    over = customs.decide(country="DE", store_id=store.pk, value=Money(D("163"), "USD"), on_date=ON)
    assert (over.incoterm, over.ioss_number) == ("DDU", "")  # 150.2987 EUR


def test_set_store_ioss_creates_updates_removes_and_refuses(admin, logistics):
    store = make_store()
    shipping_config.set_store_ioss(admin, store.pk, " im2760000001 ")
    assert customs.customs_numbers(store.pk, "DE") == {"ioss": "IM2760000001"}
    shipping_config.set_store_ioss(admin, store.pk, "IM2760000001")  # unchanged: no audit row
    assert AuditLog.objects.filter(action__startswith="logistics.number.").count() == 1
    with pytest.raises(ValidationFailed):
        shipping_config.set_store_ioss(admin, store.pk, "IM27600")
    with pytest.raises(PermissionDenied):  # a store setting: STORE_MANAGE, not CHANNEL_CHANGE
        shipping_config.set_store_ioss(logistics, store.pk, "")
    assert customs.customs_numbers(store.pk, "DE") == {"ioss": "IM2760000001"}
    assert shipping_config.set_store_ioss(admin, store.pk, "") is None
    assert not StoreCustomsNumber.objects.exists()
    assert shipping_config.set_store_ioss(admin, store.pk, "") is None  # nothing to remove
    assert AuditLog.objects.filter(action__startswith="logistics.number.").count() == 2
