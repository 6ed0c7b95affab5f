"""Weights are integer grams and dimensions integer millimetres at rest; convert at the edges."""

from __future__ import annotations

from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal

from .errors import ValidationFailed
from .money import to_decimal

_GRAMS = {
    "g": Decimal(1),
    "kg": Decimal(1000),
    "lb": Decimal("453.59237"),
    "oz": Decimal("28.349523125"),
}
_MM = {"mm": Decimal(1), "cm": Decimal(10), "m": Decimal(1000), "in": Decimal("25.4")}


def to_grams(value: object, unit: str = "g") -> int:
    """Convert a weight to whole grams, rounding half up. Negative weights are refused."""
    factor = _GRAMS.get(unit.lower())
    if factor is None:
        raise ValidationFailed(f"Unknown weight unit {unit!r}", code="invalid_unit")
    grams = (to_decimal(value) * factor).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    if grams < 0:
        raise ValidationFailed("A weight cannot be negative", code="invalid_weight")
    return int(grams)


def to_mm(value: object, unit: str = "mm") -> int:
    """Convert a length to whole millimetres, rounding half up. Negative lengths are refused."""
    factor = _MM.get(unit.lower())
    if factor is None:
        raise ValidationFailed(f"Unknown length unit {unit!r}", code="invalid_unit")
    mm = (to_decimal(value) * factor).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    if mm < 0:
        raise ValidationFailed("A length cannot be negative", code="invalid_dimension")
    return int(mm)


def grams_to_kg(grams: int) -> Decimal:
    return (Decimal(grams) / 1000).normalize()


def mm_to_cm(mm: int) -> Decimal:
    return (Decimal(mm) / 10).normalize()


def mm_to_whole_cm_up(mm: int) -> int:
    """Dimensions are rounded up to whole centimetres before volumetric weight."""
    return int((Decimal(mm) / 10).to_integral_value(rounding=ROUND_CEILING))
