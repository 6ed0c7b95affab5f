"""A bill row through the mapping, no database: kg or g to grams (half up), amounts in the
currency's minor units, the first error's code, and a mapping that cannot read a bill."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from tradelane.core.errors import ValidationFailed
from tradelane.finance.payables import mapping as m

COLS = {"waybill_number": "no", "weight": "w", "amount": "fee", "currency": "cur", "date": "d"}


def row(**cells):
    return m.parse(m.clean(COLS, cells.pop("unit", "kg")), 2, cells)


def test_weights_in_kg_or_g_become_grams():
    assert row(no="TL1", w="1.2345", fee="10", cur="CNY").weight_g == 1235  # half up
    assert row(no="TL1", w="850", fee="10", cur="CNY", unit="g").weight_g == 850
    r = row(no="TL1", w="1,5", fee="1,234.50", cur="usd", d="2026/11/30")
    assert r.code == "payable_row_weight_invalid"  # a decimal comma is not a thousands one
    r = row(no="TL1", w="1.5", fee="1,234.50", cur="usd", d="2026/11/30")
    assert (r.weight_g, r.amount, r.currency, r.billed_on) == (
        1500, Decimal("1234.50"), "USD", dt.date(2026, 11, 30))  # fmt: skip


@pytest.mark.parametrize("cells, code", [
    ({"w": "1", "fee": "1", "cur": "CNY"}, "payable_row_number_missing"),
    ({"no": "TL1", "fee": "1", "cur": "XXQ"}, "payable_row_currency_invalid"),
    ({"no": "TL1", "fee": "-3", "cur": "CNY"}, "payable_row_amount_invalid"),
    ({"no": "TL1", "fee": "1.005", "cur": "CNY"}, "payable_row_amount_invalid"),
    ({"no": "TL1", "fee": "100", "cur": "JPY", "w": "heavy"}, "payable_row_weight_invalid"),
    ({"no": "TL1", "fee": "1", "cur": "CNY", "d": "30.11.2026"}, "payable_row_date_invalid"),
])  # fmt: skip
def test_a_bad_row_says_why(cells, code):
    r = row(**cells)
    assert r.code == code and not r.ok and r.message_zh != code


@pytest.mark.parametrize("columns, code", [
    ({"amount": "fee"}, "payable_mapping_incomplete"),  # no number column
    ({"waybill_number": "no", "amount": "fee"}, "payable_mapping_incomplete"),  # no currency
    ({"waybill_number": "no", "amount": "fee", "cur": "x"}, "payable_mapping_invalid"),
])  # fmt: skip
def test_a_mapping_that_cannot_read_a_bill_is_refused(columns, code):
    with pytest.raises(ValidationFailed) as exc:
        m.clean(columns)
    assert exc.value.code == code


def test_the_file_must_have_the_mapped_columns():
    with pytest.raises(ValidationFailed) as exc:
        m.check_headers(m.clean(COLS), ["no", "fee"])
    assert exc.value.code == "payable_columns_missing"
    assert exc.value.details["missing"] == ["cur", "d", "w"]
