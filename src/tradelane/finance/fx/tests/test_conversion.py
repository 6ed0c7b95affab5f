"""Conversion on a date, golden cases worked out by hand.

Rates of the ECB fixing of Friday 2026-12-04 (1 EUR = r X): USD 1.0541, CNY 7.6543,
JPY 162.47, GBP 0.83450. A cross rate A->B = (EUR->B) / (EUR->A), kept to 12 significant
digits (ROUND_HALF_UP); the converted amount = amount x that rate, ROUND_HALF_UP to the target
currency's minor units.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest
from django.contrib.auth import get_user_model

from tradelane.accounts import roles
from tradelane.core.errors import PermissionDenied
from tradelane.core.models import FxRate
from tradelane.core.money import Money
from tradelane.forwarding.tests.factories import user

from .. import services
from ..conversion import RateMissing, convert, rate_on
from .ecb_files import eurofxref

FRI, THU = dt.date(2026, 12, 4), dt.date(2026, 12, 3)


@pytest.fixture
def fixings(db):
    services.import_ecb_rates(eurofxref({
        "2026-12-04": {"USD": "1.0541", "CNY": "7.6543", "JPY": "162.47", "GBP": "0.83450"},
        "2026-12-03": {"USD": "1.0500", "CNY": "7.6000", "JPY": "160.00", "GBP": "0.84000"},
    }))  # fmt: skip


def test_usd_to_cny_crosses_through_eur_and_rounds_half_up(fixings):
    # 7.6543 / 1.0541 = 7.261455269898...; 12 significant digits: 7.26145526990
    # 100.00 x 7.26145526990 = 726.145526990 -> 726.15 (the third decimal is 5: up).
    # (Not 726.14: 1.0541 x 726.14 = 765.42 and a bit, short of 765.43.)
    c = convert(Money(D("100.00"), "USD"), "CNY", on=FRI)
    assert c.converted == Money(D("726.15"), "CNY")
    assert c.rate == D("7.26145526990")
    assert (c.rate_source, c.rate_date, c.original) == ("ECB", FRI, Money(D("100.00"), "USD"))
    assert str(c.converted.amount) == "726.15"


def test_a_currency_without_minor_units_rounds_to_whole_yen(fixings):
    # 162.47 / 1.0541 = 154.131486576226...; 12 significant digits: 154.131486576
    # 12.34 x 154.131486576 = 1901.98254434784 -> 1902 JPY (JPY has no minor units)
    c = convert(Money(D("12.34"), "USD"), "JPY", on=FRI)
    assert c.converted == Money(D("1902"), "JPY") and str(c.converted.amount) == "1902"
    assert c.rate == D("154.131486576")


def test_a_small_rate_keeps_twelve_significant_digits(fixings):
    # 1.0541 / 162.47 = 0.00648796700929402...; 12 significant: 0.00648796700929
    # 10000 JPY x 0.00648796700929 = 64.8796700929 -> 64.88 USD
    c = convert(Money(D("10000"), "JPY"), "USD", on=FRI)
    assert (c.converted, c.rate) == (Money(D("64.88"), "USD"), D("0.00648796700929"))


def test_from_and_to_eur_use_the_fixing_itself(fixings):
    # 1 EUR = 7.6543 CNY; 100.00 EUR = 765.43 CNY exactly
    assert convert(Money(D("100.00"), "EUR"), "CNY", on=FRI).converted.amount == D("765.43")
    # 1 CNY = 1 / 7.6543 = 0.130645519512... EUR; 1000.00 CNY = 130.645519512 -> 130.65
    c = convert(Money(D("1000.00"), "CNY"), "EUR", on=FRI)
    assert (c.converted.amount, c.rate) == (D("130.65"), D("0.130645519512"))


def test_half_a_cent_rounds_up_not_to_even(db):
    services.import_ecb_rates(eurofxref({"2026-12-04": {"USD": "1.5"}}))
    # 0.03 EUR x 1.5 = 0.045 USD -> 0.05 (ROUND_HALF_EVEN would give 0.04)
    assert convert(Money(D("0.03"), "EUR"), "USD", on=FRI).converted.amount == D("0.05")


def test_a_weekend_or_holiday_uses_the_previous_fixing(fixings):
    saturday, monday_holiday = dt.date(2026, 12, 5), dt.date(2026, 12, 7)
    for day in (saturday, monday_holiday):
        c = convert(Money(D("100.00"), "USD"), "CNY", on=day)
        assert (c.converted.amount, c.rate_date) == (D("726.15"), FRI)
    # the day before uses its own fixing: 7.6 / 1.05 = 7.23809523810 -> 723.81
    c = convert(Money(D("100.00"), "USD"), "CNY", on=THU)
    assert (c.converted.amount, c.rate_date) == (D("723.81"), THU)


def test_a_date_before_any_fixing_is_refused(fixings):
    with pytest.raises(RateMissing) as err:
        convert(Money(D("100.00"), "USD"), "CNY", on=dt.date(2026, 12, 2))
    assert err.value.code == "fx_rate_missing"
    assert "USD to CNY on or before 2026-12-02" in err.value.message
    assert err.value.details == {"base": "USD", "quote": "CNY", "date": "2026-12-02"}


def test_a_currency_the_ecb_does_not_quote_is_refused(fixings):
    with pytest.raises(RateMissing):
        rate_on("USD", "KWD", FRI)


def test_the_same_currency_converts_at_one(db):
    c = convert(Money(D("12.345"), "USD"), "USD", on=FRI)
    assert (c.converted.amount, c.rate, c.rate_source) == (D("12.35"), D(1), "identity")


def test_a_manual_rate_comes_first_on_its_date_and_a_newer_fixing_after_it(fixings):
    finance = user("fin", roles.PROVIDER_FINANCE)
    services.set_manual_rate(finance, "USD", "KWD", "0.3075", THU)
    services.set_manual_rate(finance, "USD", "CNY", "7.2000", FRI)
    # 10.00 USD x 0.3075 = 3.075 KWD (three minor units), the manual rate of Thursday
    c = convert(Money(D("10.00"), "USD"), "KWD", on=FRI)
    assert (c.converted.amount, c.rate_source, c.rate_date) == (D("3.075"), "manual", THU)
    # on its own date the manual USD/CNY rate beats the ECB cross rate: 100 x 7.2 = 720.00
    c = convert(Money(D("100.00"), "USD"), "CNY", on=FRI)
    assert (c.converted.amount, c.rate_source) == (D("720.00"), "manual")
    # the other way round it is inverted: 1 / 7.2 = 0.138888888889; 720 CNY -> 100.00 USD
    c = convert(Money(D("720.00"), "CNY"), "USD", on=FRI)
    assert (c.converted.amount, c.rate) == (D("100.00"), D("0.138888888889"))
    # a manual rate of an older date loses to a newer ECB fixing
    services.set_manual_rate(finance, "GBP", "USD", "2", THU)
    c = convert(Money(D("1.00"), "GBP"), "USD", on=FRI)
    assert (c.rate_source, c.rate_date) == ("ECB", FRI)


def test_manual_rates_need_the_permission_and_a_positive_rate(db):
    clerk = user("cs", roles.PROVIDER_SERVICE)
    with pytest.raises(PermissionDenied):
        services.set_manual_rate(clerk, "USD", "CNY", "7.1", FRI)
    admin = get_user_model().objects.create_superuser("boss", password="pw-Tradelane-1")
    for bad, code in (("0", "fx_rate_invalid"), ("-1", "fx_rate_invalid"),
                      ("1.00000000001", "fx_rate_invalid")):  # fmt: skip
        with pytest.raises(Exception) as err:
            services.set_manual_rate(admin, "USD", "CNY", bad, FRI)
        assert err.value.code == code
    with pytest.raises(Exception) as err:
        services.set_manual_rate(admin, "USD", "usd", "1", FRI)
    assert err.value.code == "fx_same_currency"
    assert not FxRate.objects.exists()
    row = services.set_manual_rate(admin, "usd", "cny", "7.1", FRI)
    again = services.set_manual_rate(admin, "USD", "CNY", "7.15", FRI)
    assert row.pk == again.pk and FxRate.objects.get().rate == D("7.15")
