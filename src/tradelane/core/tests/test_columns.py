"""Numbers are checked against their columns before a write; unit conversions stay in range."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tradelane.core.columns import check_fits, problem
from tradelane.core.errors import ValidationFailed
from tradelane.core.units import MAX_GRAMS, MAX_MM, to_grams, to_mm
from tradelane.logistics.models import CustomsThreshold, ShippingRule


def test_decimals_must_fit_their_digits_after_rounding():
    field = ShippingRule._meta.get_field("max_order_value")  # max_digits=18, decimal_places=4
    assert problem(field, Decimal("99999999999999.9999")) is None
    assert problem(field, Decimal("0.00001")) is None  # rounded to 0.0000 when stored
    for value in ("99999999999999.99995", "1e14", "1e30", "-1e14", "1E+999999999"):
        assert "14 digits" in problem(field, Decimal(value)), value
    assert problem(field, Decimal("NaN")) == "is not a finite number"
    assert problem(field, 10**14) is not None and problem(field, 10**13) is None


def test_integers_must_fit_postgresqls_range_on_every_database():
    weight = CustomsThreshold._meta.get_field("max_weight_g")  # PositiveIntegerField
    assert problem(weight, 2**31 - 1) is None
    assert problem(weight, 2**31) == "is outside 0..2147483647"
    assert problem(weight, -1) is not None
    priority = ShippingRule._meta.get_field("priority")  # IntegerField
    assert problem(priority, -(2**31)) is None and problem(priority, 2**31) is not None
    assert problem(priority, None) is None and problem(priority, True) is None


def test_check_fits_lists_every_field_and_skips_what_is_no_column():
    with pytest.raises(ValidationFailed) as caught:
        check_fits(
            ShippingRule,
            {"priority": 2**40, "max_order_value": Decimal("1e30"), "name": "x", "nope": 10**99},
        )
    assert caught.value.code == "out_of_range" and caught.value.status == 422
    assert [d["field"] for d in caught.value.details] == ["priority", "max_order_value"]
    check_fits(ShippingRule, {"priority": 5, "max_order_value": Decimal("150.25")})


def test_units_refuse_weights_and_lengths_no_column_holds():
    assert to_grams("2147483.647", "kg") == MAX_GRAMS
    assert to_mm("214748364.7", "cm") == MAX_MM
    assert to_grams("0.0005", "kg") == 1 and to_mm("-0.04", "cm") == 0
    for value in ("2147483.648", "1e30", "1E+999999999"):
        with pytest.raises(ValidationFailed) as caught:
            to_grams(value, "kg")
        assert caught.value.code == "invalid_weight", value
    with pytest.raises(ValidationFailed) as caught:
        to_mm("1e30", "cm")
    assert caught.value.code == "invalid_dimension"
    with pytest.raises(ValidationFailed, match="negative"):
        to_grams("-1E+999999999", "kg")


def test_the_ui_says_out_of_range_in_both_languages():
    from django.utils import translation

    from tradelane.web.labels import error_text

    with translation.override("zh-hans"):
        assert error_text("out_of_range", "priority is outside 0..2147483647") == (
            "数值过大（或过小），无法保存。"
        )
    with translation.override("en"):
        assert error_text("out_of_range") == "A number is too large (or too small) to be stored."
