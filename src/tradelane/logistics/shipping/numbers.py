"""UPU S10 item identifiers (DOMAIN.md, "Labels and numbers").

An S10 number is 13 characters: a 2-letter service indicator, an 8-digit serial number, one
check digit and the 2-letter ISO 3166-1 country code of the issuing postal operator, e.g.
``RR123456785CN``. The check digit weighs the 8 serial digits by 8, 6, 4, 2, 3, 5, 9, 7;
``c = 11 - (sum mod 11)``, with 10 written as 0 and 11 as 5.

Our own channels without an S10 prefix number shipments at random (``random_tracking_number``:
the channel's code, 15 random digits and a Luhn check digit), so a number cannot be guessed
from another one; every shipment also has a random public key that opens its public tracking
page for any of its numbers (see ``tracking.selectors.find_public``).

Pure functions, no database: the caller keeps the serial counter (per channel and prefix).
"""

from __future__ import annotations

import re
import secrets

from stdnum import luhn

from tradelane.core.countries import check_country
from tradelane.core.errors import ValidationFailed

WEIGHTS = (8, 6, 4, 2, 3, 5, 9, 7)
MAX_SERIAL = 99_999_999
_S10 = re.compile(r"[A-Z]{2}[0-9]{9}[A-Z]{2}")
_PREFIX = re.compile(r"[A-Z]{2}")
# 15 random digits: 10**15 numbers (about 50 bits) for a guesser to hit, and one Luhn digit
# that catches a mistyped digit before any lookup
RANDOM_DIGITS = 15
_RANDOM = re.compile(rf"[A-Z0-9]*?([0-9]{{{RANDOM_DIGITS + 1}}})")
_NOT_ALNUM = re.compile(r"[^A-Z0-9]")


def s10_check_digit(serial8: str) -> int:
    """The S10 check digit of an 8-digit serial number given as a string."""
    if not isinstance(serial8, str) or len(serial8) != 8 or not serial8.isascii():
        raise ValidationFailed(
            f"An S10 serial number is 8 digits, not {serial8!r}", code="invalid_s10_serial"
        )
    if not serial8.isdigit():
        raise ValidationFailed(
            f"An S10 serial number is 8 digits, not {serial8!r}", code="invalid_s10_serial"
        )
    total = sum(int(d) * w for d, w in zip(serial8, WEIGHTS, strict=True))
    check = 11 - total % 11
    if check == 10:
        return 0
    if check == 11:
        return 5
    return check


def make_s10(prefix: str, serial: int, country: str) -> str:
    """Build an S10 number: ``make_s10("RR", 12345678, "CN") == "RR123456785CN"``."""
    if not isinstance(prefix, str) or not _PREFIX.fullmatch(prefix.strip().upper()):
        raise ValidationFailed(
            f"An S10 service indicator is 2 letters A-Z, not {prefix!r}",
            code="invalid_s10_prefix",
        )
    if isinstance(serial, bool) or not isinstance(serial, int) or not 0 <= serial <= MAX_SERIAL:
        raise ValidationFailed(
            f"An S10 serial number is an integer from 0 to {MAX_SERIAL}, not {serial!r}",
            code="invalid_s10_serial",
        )
    if not isinstance(country, str) or len(country.strip()) != 2:
        raise ValidationFailed(
            f"An S10 country is an ISO 3166-1 alpha-2 code, not {country!r}",
            code="invalid_s10_country",
        )
    try:
        iso = check_country(country)
    except ValidationFailed:
        raise ValidationFailed(
            f"An S10 country is an ISO 3166-1 alpha-2 code, not {country!r}",
            code="invalid_s10_country",
        ) from None
    serial8 = f"{serial:08d}"
    return f"{prefix.strip().upper()}{serial8}{s10_check_digit(serial8)}{iso}"


def is_valid_s10(number: object) -> bool:
    """True for a well-formed S10 number with the right check digit (upper case, no spaces).

    The country part must be two letters; it is not checked against ISO 3166 because operators
    also use codes such as ``UN`` for UPU-issued series.
    """
    if not isinstance(number, str) or not _S10.fullmatch(number):
        return False
    return s10_check_digit(number[2:10]) == int(number[10])


def check_entered_number(number: str) -> str:
    """A tracking number a person or an API client entered, checked and cleaned.

    A number in S10 form (two letters, nine digits, two letters, case and spaces ignored) must
    have the right check digit, else a clear error; it is returned in its canonical form
    (``rr 123 456 785 cn`` -> ``RR123456785CN``). Any other carrier's format passes as typed
    (trimmed): we cannot know every carrier's rules.
    """
    typed = (number or "").strip()
    compact = re.sub(r"[\s-]", "", typed).upper()
    if not _S10.fullmatch(compact):
        return typed
    expected = s10_check_digit(compact[2:10])
    if expected != int(compact[10]):
        raise ValidationFailed(
            f"{compact} looks like a UPU S10 number, but its check digit is {compact[10]} where "
            f"the serial {compact[2:10]} needs {expected}; check the number for a typo",
            code="invalid_s10_check_digit",
            details={"number": compact, "check_digit": compact[10], "expected": str(expected)},
        )
    return compact


def random_tracking_number(prefix: str) -> str:
    """``prefix`` (letters and digits of a channel code) + 15 random digits + a Luhn digit,
    e.g. ``random_tracking_number("YT-LINE")`` -> ``"YTLINE4820193746521035"``."""
    clean = _NOT_ALNUM.sub("", (prefix or "").upper())[:20]
    body = f"{secrets.randbelow(10**RANDOM_DIGITS):0{RANDOM_DIGITS}d}"
    return f"{clean}{body}{luhn.calc_check_digit(body)}"


def looks_random(number: object) -> bool:
    """True when ``number`` has the shape of ``random_tracking_number`` (its last 16 digits
    pass the Luhn check). A cheap filter before a lookup, not a proof that we issued it."""
    if not isinstance(number, str):
        return False
    m = _RANDOM.fullmatch(number)
    return bool(m) and luhn.is_valid(m.group(1))


def new_public_key() -> str:
    """A shipment's public tracking key: 128 random bits, URL-safe (22 characters)."""
    return secrets.token_urlsafe(16)
