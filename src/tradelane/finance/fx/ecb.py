"""The ECB's euro foreign exchange reference rates, as it publishes them (eurofxref XML).

``eurofxref-daily.xml`` holds one fixing, ``eurofxref-hist-90d.xml`` and ``eurofxref-hist.xml``
several, newest first::

    <gesmes:Envelope xmlns:gesmes="http://www.gesmes.org/xml/2002-08-01"
                     xmlns="http://www.ecb.int/vocabulary/2002-08-01/eurofxref">
      <Cube>
        <Cube time="2026-12-04">
          <Cube currency="USD" rate="1.0541"/>   <!-- 1 EUR = 1.0541 USD -->

Parsing is pure (no database): ``parse`` returns the fixings or raises ``ValidationFailed``
(code ``ecb_file_invalid``) saying what is wrong and where, so that a bad file writes nothing.
The XML comes from outside, so it is read with defusedxml (no entity expansion, no DTDs).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from tradelane.core.errors import ValidationFailed
from tradelane.core.money import check_currency

SOURCE = "ECB"
BASE = "EUR"
# a real history file (since 1999) is about 6 MB; anything much larger is not the ECB's
MAX_BYTES = 32 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class Fixing:
    """One day's reference rates: 1 EUR = ``rates[X]`` X."""

    date: dt.date
    rates: dict[str, Decimal]


def _invalid(message: str) -> ValidationFailed:
    return ValidationFailed(f"Not an ECB reference rate file: {message}", code="ecb_file_invalid")


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _rate(currency: str, raw: str | None, day: str) -> Decimal:
    try:
        rate = Decimal((raw or "").strip())
    except InvalidOperation:
        raise _invalid(f"the rate {raw!r} of {currency} on {day} is not a number") from None
    if not rate.is_finite() or rate <= 0:
        raise _invalid(f"the rate {raw!r} of {currency} on {day} is not a positive number")
    return rate


def _fixing(cube: Element) -> Fixing:
    day = cube.get("time", "")
    try:
        date = dt.date.fromisoformat(day)
    except ValueError:
        raise _invalid(f"the date {day!r} is not a date (YYYY-MM-DD)") from None
    rates: dict[str, Decimal] = {}
    for child in cube:
        if _local(child.tag) != "Cube":
            continue
        raw_currency = child.get("currency", "")
        try:
            currency = check_currency(raw_currency)
        except ValidationFailed:
            raise _invalid(f"unknown currency {raw_currency!r} on {day}") from None
        if currency in rates:
            raise _invalid(f"{currency} is given twice on {day}")
        rates[currency] = _rate(currency, child.get("rate"), day)
    if not rates:
        raise _invalid(f"the fixing of {day} has no rates")
    return Fixing(date, rates)


def parse(data: bytes | str) -> list[Fixing]:
    """Every fixing of an eurofxref file, oldest first."""
    if isinstance(data, str):
        data = data.encode("utf-8")
    if len(data) > MAX_BYTES:
        raise _invalid(f"{len(data)} bytes is more than the {MAX_BYTES} a rate file may have")
    try:
        root = fromstring(data)
    except (ParseError, DefusedXmlException) as exc:
        raise _invalid(f"the XML does not parse ({exc})") from None
    if _local(root.tag) != "Envelope":
        raise _invalid(f"the document is a <{_local(root.tag)}>, not a gesmes <Envelope>")
    fixings: dict[dt.date, Fixing] = {}
    for cube in root.iter():
        if _local(cube.tag) == "Cube" and "time" in cube.attrib:
            fixing = _fixing(cube)
            if fixing.date in fixings:
                raise _invalid(f"the fixing of {fixing.date} is given twice")
            fixings[fixing.date] = fixing
    if not fixings:
        raise _invalid("it holds no dated <Cube time=...> fixing")
    return [fixings[d] for d in sorted(fixings)]
