"""The scan screen's figures as the services count them: a weight typed with decimals is kg
("1.25" is 1250 g), a whole number is grams; sides are typed in centimetres (decimals allowed)
and counted in millimetres."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from tradelane.core.errors import ValidationFailed


def _number(raw, field: str, code: str) -> Decimal | None:
    text = str(raw if raw is not None else "").strip().replace(",", ".").lower()
    if not text:
        return None
    try:
        value = Decimal(text.removesuffix("kg").removesuffix("g").removesuffix("cm").strip())
    except InvalidOperation:
        raise ValidationFailed(f"{field} is not a number", code=code,
                               details={"field": field}) from None  # fmt: skip
    if not value.is_finite() or value < 0 or value > 10**7:
        raise ValidationFailed(f"{field} is out of range", code=code, details={"field": field})
    return value


def grams(raw) -> int:
    """ "1.25" or "1.25kg": 1250; "1250" or "1250g": 1250; missing: 0 (the service refuses)."""
    text = str(raw if raw is not None else "").strip().lower()
    value = _number(text, "weight", "invalid_weight")
    if value is None:
        return 0
    kg = "." in text or "," in text or text.endswith("kg")
    if kg:
        value *= 1000
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def millimetres(raw, field: str) -> int:
    """A side typed in cm ("30" or "30.5") in mm; missing: 0."""
    value = _number(raw, field, "invalid_size")
    if value is None:
        return 0
    return int((value * 10).quantize(Decimal(1), rounding=ROUND_HALF_UP))
