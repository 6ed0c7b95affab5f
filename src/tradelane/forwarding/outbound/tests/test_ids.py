"""UPU S8/S9 ids field by field, the weight in hectograms, and the MAWB check digit."""

from __future__ import annotations

import pytest

from tradelane.core.errors import ValidationFailed
from tradelane.forwarding.outbound import ids


def test_an_s9_id_is_the_s8_dispatch_then_serial_flags_and_weight_in_hectograms():
    s8 = ids.s8_dispatch_id("CNSHAA", "USJFKA", "A", "UN", 2026, 12)
    assert s8 == "CNSHAAUSJFKAAUN60012"
    rid = ids.s9_receptacle_id(s8, 7, last=True, registered_flag="1", weight_g=12_345)
    assert rid == "CNSHAAUSJFKAAUN600120071101" + "23"
    assert len(rid) == 29
    assert ids.parse_s9(rid) == {
        "origin_office": "CNSHAA", "destination_office": "USJFKA", "category": "A",
        "subclass": "UN", "year": "6", "dispatch_serial": 12, "dispatch_id": s8,
        "receptacle": 7, "last": True, "registered": "1", "weight_g": 12_300,
    }  # fmt: skip


@pytest.mark.parametrize(("grams", "field"), [(1, 1), (49, 1), (150, 2), (149, 1), (999_900, 9999)])
def test_the_weight_field_rounds_half_up_to_hectograms(grams, field):
    assert ids.hectograms(grams) == field


@pytest.mark.parametrize(
    ("call", "code"),
    [
        (lambda: ids.hectograms(999_950), "bag_too_heavy"),
        (lambda: ids.s8_dispatch_id("CNSHA", "USJFKA", "A", "UN", 6, 1),
         "invalid_office_of_exchange"),
        (lambda: ids.s8_dispatch_id("CNSHAA", "USJFKA", "E", "UN", 6, 1), "invalid_mail_class"),
        (lambda: ids.s8_dispatch_id("CNSHAA", "USJFKA", "A", "UN", 6, 10_000),
         "invalid_dispatch_serial"),
        (lambda: ids.s9_receptacle_id("X" * 20, 1000, last=False, registered_flag="0",
                                      weight_g=1), "invalid_receptacle_serial"),
        (lambda: ids.s9_receptacle_id("X" * 20, 1, last=False, registered_flag="2",
                                      weight_g=1), "invalid_mail_class"),
    ],
)  # fmt: skip
def test_fields_out_of_range_are_refused(call, code):
    with pytest.raises(ValidationFailed) as exc:
        call()
    assert exc.value.code == code


def test_a_mawb_number_has_a_mod_7_check_digit():
    assert ids.normalise_mawb("17612345675") == "176-12345675"
    assert ids.normalise_mawb(" 784-0000 0011 ") == "784-00000011"
    with pytest.raises(ValidationFailed) as exc:
        ids.normalise_mawb("176-12345670")
    assert (exc.value.code, exc.value.details) == ("invalid_mawb_check_digit",
                                                   {"expected": 5, "got": 0})  # fmt: skip
    for bad in ("", "17-12345675", "176-1234567", "ABC-12345675"):
        with pytest.raises(ValidationFailed) as exc:
            ids.normalise_mawb(bad)
        assert exc.value.code == "invalid_mawb"
