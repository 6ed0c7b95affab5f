"""Weights are integer grams and dimensions integer millimetres at rest; convert at the edges.

Both round UP to the whole gram or millimetre: they feed chargeable weight (volumetric weight,
"per 500 g or part thereof") and size limits, which must never be understated. Every entry
point (catalog, spreadsheets, rate shop, quotes) converts with these two functions, so one
input gives one chargeable weight on every screen and document.
"""

from __future__ import annotations

from decimal import ROUND_CEILING, Decimal

from .errors import ValidationFailed
from .money import to_decimal

_GRAMS = {
    "g": Decimal(1),
    "kg": Decimal(1000),
    "lb": Decimal("453.59237"),
    "oz": Decimal("28.349523125"),
}
_MM = {"mm": Decimal(1), "cm": Decimal(10), "m": Decimal(1000), "in": Decimal("25.4")}

# Grams and millimetres are stored in PositiveIntegerField columns: PostgreSQL's ``integer``.
MAX_GRAMS = MAX_MM = 2**31 - 1


def _whole(value: object, factor: Decimal, limit: int, what: str, code: str) -> int:
    number = to_decimal(value)
    # compared before rounding (and the huge before multiplying): 1e30 kg must be refused, not
    # overflow the decimal context
    amount = number * factor if not number or number.adjusted() < 20 else number
    if amount.copy_abs() > limit:
        if amount < 0:
            raise ValidationFailed(f"A {what} cannot be negative", code=code)
        raise ValidationFailed(f"The {what} is too large", code=code)
    whole = amount.quantize(Decimal(1), rounding=ROUND_CEILING)
    if whole < 0:
        raise ValidationFailed(f"A {what} cannot be negative", code=code)
    return int(whole)


def to_grams(value: object, unit: str = "g") -> int:
    """Convert a weight to whole grams, rounding up. Negative weights, and weights over
    ``MAX_GRAMS`` (what a gram column holds), are refused."""
    factor = _GRAMS.get(unit.lower())
    if factor is None:
        raise ValidationFailed(f"Unknown weight unit {unit!r}", code="invalid_unit")
    return _whole(value, factor, MAX_GRAMS, "weight", "invalid_weight")


def to_mm(value: object, unit: str = "mm") -> int:
    """Convert a length to whole millimetres, rounding up. Negative lengths, and lengths
    over ``MAX_MM`` (what a millimetre column holds), are refused."""
    factor = _MM.get(unit.lower())
    if factor is None:
        raise ValidationFailed(f"Unknown length unit {unit!r}", code="invalid_unit")
    return _whole(value, factor, MAX_MM, "length", "invalid_dimension")


def grams_to_kg(grams: int) -> Decimal:
    return (Decimal(grams) / 1000).normalize()


def mm_to_cm(mm: int) -> Decimal:
    return (Decimal(mm) / 10).normalize()


def mm_to_whole_cm_up(mm: int) -> int:
    """Dimensions are rounded up to whole centimetres before volumetric weight."""
    return int((Decimal(mm) / 10).to_integral_value(rounding=ROUND_CEILING))
