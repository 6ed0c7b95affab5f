from decimal import ROUND_DOWN, Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tradelane.core.countries import check_country
from tradelane.core.errors import ValidationFailed
from tradelane.core.money import Money, minor_units, quantize
from tradelane.core.units import mm_to_whole_cm_up, to_grams, to_mm


def test_money_rounds_to_minor_units_with_explicit_mode():
    assert Money.of("10.005", "USD").rounded().amount == Decimal("10.01")
    assert Money.of("10.005", "USD").rounded(ROUND_DOWN).amount == Decimal("10.00")
    assert Money.of("1234.5", "JPY").rounded().amount == Decimal("1235")
    assert Money.of("1.2345", "KWD").rounded().amount == Decimal("1.235")
    assert (minor_units("jpy"), minor_units("BHD"), minor_units("EUR")) == (0, 3, 2)


def test_money_refuses_floats_mixed_currencies_and_unknown_codes():
    with pytest.raises(ValidationFailed) as err:
        Money.of(0.1, "USD")
    assert err.value.code == "invalid_amount"
    with pytest.raises(ValidationFailed) as err:
        Money.of("1", "USD") + Money.of("1", "EUR")
    assert err.value.code == "currency_mismatch"
    with pytest.raises(ValidationFailed) as err:
        Money.of("1", "ABC")
    assert err.value.code == "invalid_currency"
    with pytest.raises(ValidationFailed):
        Money.of("NaN", "USD")


def test_money_arithmetic_and_conversion():
    total = Money.of("19.99", "usd") + Money.of("5.01", "USD") - Money.of("1", "USD")
    assert total == Money(Decimal("24.00"), "USD")
    assert (total * 3).amount == Decimal("72.00")
    assert total.convert(Decimal("7.1234"), "CNY") == Money(Decimal("170.96"), "CNY")
    assert str(Money.of("3", "JPY")) == "3 JPY"


@given(
    st.decimals(min_value=-(10**9), max_value=10**9, allow_nan=False, allow_infinity=False),
    st.sampled_from(["USD", "JPY", "KWD", "EUR"]),
)
def test_rounding_twice_changes_nothing(amount, currency):
    once = quantize(amount, currency)
    assert quantize(once, currency) == once


def test_units_convert_at_the_edges():
    assert to_grams("1.674", "kg") == 1674
    assert to_grams("1", "lb") == 454
    # weights round up to the gram as well (chargeable weight is "per step or part thereof")
    assert to_grams("1.2341", "kg") == 1235
    assert to_grams("1", "oz") == 29
    # lengths round UP to the next mm (they feed volumetric weight and size limits, which must
    # never be understated); until 2026-05 they rounded half up: 12.34 cm was 123 mm, 1 in 25 mm
    assert to_mm("12.34", "cm") == 124
    assert to_mm("12.3", "cm") == 123
    assert to_mm("1", "in") == 26
    assert to_mm("50.04", "cm") == 501
    assert mm_to_whole_cm_up(101) == 11 and mm_to_whole_cm_up(100) == 10
    with pytest.raises(ValidationFailed):
        to_grams("-1", "kg")
    with pytest.raises(ValidationFailed):
        to_mm("1", "furlong")


def test_countries_checked_with_pycountry():
    assert check_country("us") == "US"
    assert check_country("DEU") == "DE"
    assert check_country("UK") == "GB"
    with pytest.raises(ValidationFailed) as err:
        check_country("XX")
    assert err.value.code == "invalid_country"
