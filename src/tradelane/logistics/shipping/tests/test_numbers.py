"""UPU S10 numbers: golden values worked by hand and properties."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tradelane.core.errors import ValidationFailed
from tradelane.logistics.shipping.numbers import (
    check_entered_number,
    is_valid_s10,
    make_s10,
    s10_check_digit,
)

# (serial, check digit): sums worked by hand with weights 8,6,4,2,3,5,9,7.
GOLDEN = [
    ("12345678", 5),  # 8+12+12+8+15+30+63+56 = 204; 204 mod 11 = 6; 11-6 = 5
    ("47312482", 9),  # 32+42+12+2+6+20+72+14 = 200; mod 11 = 2; 11-2 = 9
    ("00000000", 5),  # sum 0; 11-0 = 11 -> 5
    ("00000008", 0),  # 56; mod 11 = 1; 11-1 = 10 -> 0
    ("00000001", 4),  # 7; 11-7 = 4
    ("10000000", 3),  # 8; 11-8 = 3
    ("99999999", 5),  # 9*44 = 396 = 36*11; mod 0 -> 11 -> 5
]


@pytest.mark.parametrize(("serial", "digit"), GOLDEN)
def test_check_digit_golden(serial, digit):
    assert s10_check_digit(serial) == digit


def test_make_s10_golden():
    assert make_s10("RR", 12345678, "CN") == "RR123456785CN"
    assert make_s10("EE", 47312482, "GB") == "EE473124829GB"
    assert make_s10("lx", 8, "de") == "LX000000080DE"
    assert make_s10("CP", 0, "US") == "CP000000005US"


@pytest.mark.parametrize(
    "number",
    ["RR123456785CN", "EE473124829GB", "LX000000080DE", "CP000000005US"],
)
def test_valid_numbers(number):
    assert is_valid_s10(number)


@pytest.mark.parametrize(
    "number",
    [
        "RR123456784CN",  # wrong check digit
        "rr123456785cn",  # lower case
        "RR12345678CN",  # 8 digits in all
        "RR1234567855CN",  # too long
        "R1123456785CN",
        "RR123456785C1",
        " RR123456785CN",
        "",
        None,
        123456785,
    ],
)
def test_invalid_numbers(number):
    assert not is_valid_s10(number)


@pytest.mark.parametrize(
    ("prefix", "serial", "country", "code"),
    [
        ("R", 1, "CN", "invalid_s10_prefix"),
        ("R1", 1, "CN", "invalid_s10_prefix"),
        ("RRR", 1, "CN", "invalid_s10_prefix"),
        ("RR", -1, "CN", "invalid_s10_serial"),
        ("RR", 100_000_000, "CN", "invalid_s10_serial"),
        ("RR", "12345678", "CN", "invalid_s10_serial"),
        ("RR", True, "CN", "invalid_s10_serial"),
        ("RR", 1, "XX", "invalid_s10_country"),
        ("RR", 1, "CHN", "invalid_s10_country"),
        ("RR", 1, "", "invalid_s10_country"),
    ],
)
def test_make_s10_refuses_bad_parts(prefix, serial, country, code):
    with pytest.raises(ValidationFailed) as err:
        make_s10(prefix, serial, country)
    assert err.value.code == code


@pytest.mark.parametrize(
    "serial", ["1234567", "123456789", "1234567a", "１２３４５６７８", 12345678]
)
def test_check_digit_refuses_bad_serial(serial):
    with pytest.raises(ValidationFailed) as err:
        s10_check_digit(serial)
    assert err.value.code == "invalid_s10_serial"


def test_known_blind_spot_of_s10():
    """Sums 0 and 6 (mod 11) both give check digit 5, so a few one-digit changes of the
    serial keep a number valid: the S10 scheme's own weakness, not ours."""
    assert is_valid_s10("RR000000005CN") and is_valid_s10("RR000000045CN")


prefixes = st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=2, max_size=2)
serials = st.integers(min_value=0, max_value=99_999_999)
countries = st.sampled_from(["CN", "US", "GB", "DE", "FR", "JP", "HK", "AU"])


@given(prefixes, serials, countries)
def test_every_made_number_validates(prefix, serial, country):
    number = make_s10(prefix, serial, country)
    assert len(number) == 13
    assert is_valid_s10(number)
    assert int(number[2:10]) == serial


def _weighted(serial8: str) -> int:
    return sum(int(a) * w for a, w in zip(serial8, (8, 6, 4, 2, 3, 5, 9, 7), strict=True))


@given(prefixes, serials, countries, st.integers(0, 8), st.integers(1, 9))
def test_changing_one_digit_invalidates(prefix, serial, country, position, delta):
    number = make_s10(prefix, serial, country)
    index = 2 + position  # positions 0-7 serial digits, 8 the check digit
    changed = number[:index] + str((int(number[index]) + delta) % 10) + number[index + 1 :]
    if position == 8:
        assert not is_valid_s10(changed)  # the check digit is a function of the serial
        return
    before, after = _weighted(number[2:10]) % 11, _weighted(changed[2:10]) % 11
    assert before != after  # every weight is prime to 11: one changed digit changes the sum
    if {before, after} == {0, 6}:
        assert is_valid_s10(changed)  # the blind spot above
    else:
        assert not is_valid_s10(changed)


def test_an_entered_s10_number_needs_its_check_digit():
    assert check_entered_number("RR123456785CN") == "RR123456785CN"
    assert check_entered_number(" rr 1234 5678 5 cn ") == "RR123456785CN"  # as people type it
    for wrong in ("RR123456789CN", "rr123456780cn", "LX 000000081 DE"):  # 5, 5 and 0 expected
        with pytest.raises(ValidationFailed) as err:
            check_entered_number(wrong)
        assert err.value.code == "invalid_s10_check_digit"
        assert "check digit" in err.value.message
    assert err.value.details == {"number": "LX000000081DE", "check_digit": "1", "expected": "0"}
    # other carriers' formats pass as typed (trimmed)
    others = ("JJD000390077", "1Z999AA10123456784", "9400100000000000000000", "YT2600000001",
              "RR12345678CN", "LP00123456789012", "00340434161234567890")  # fmt: skip
    for other in others:
        assert check_entered_number(f" {other} ") == other
