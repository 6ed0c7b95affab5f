"""Formatting shared by the renderers: kilograms from grams, amounts in their currency."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache

from tradelane.core.countries import country_name
from tradelane.core.money import quantize

_GRAM = Decimal("0.001")


def kg(weight_g: int, places: int = 3) -> str:
    """Grams as kilograms with ``places`` decimals (Decimal arithmetic, rounded half up)."""
    value = Decimal(weight_g) / 1000
    return str(value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP))


def amount(value: Decimal, currency: str) -> str:
    return str(quantize(value, currency))


def amounts_text(totals: Iterable[tuple[str, Decimal]]) -> str:
    """Totals per currency as printed on a manifest: ``12.50 EUR; 30.00 USD``, or ``-``."""
    return "; ".join(f"{amount(v, cur)} {cur}" for cur, v in totals) or "-"


@lru_cache(maxsize=512)
def country_label(code: str) -> str:
    """``UNITED STATES (US)``; the bare code when pycountry does not know it."""
    name = country_name(code)
    return f"{name.upper()} ({code})" if name != code else code


def dims(length_mm: int, width_mm: int, height_mm: int) -> str:
    """``40x30x20 cm`` (whole or tenths of cm); empty when no dimension is known."""
    if not (length_mm and width_mm and height_mm):
        return ""
    parts = []
    for mm in (length_mm, width_mm, height_mm):
        cm = Decimal(mm) / 10
        parts.append(str(cm.quantize(Decimal(1) if mm % 10 == 0 else Decimal("0.1"))))
    return "x".join(parts) + " cm"
