"""Numbers checked against the columns they are written to, before the write.

A number too big for its column must be refused with a clear 422, not reach the database:
PostgreSQL fails the statement (``numeric field overflow``, ``integer out of range``: a 500),
and SQLite stores any number, after which Django's decimal converter fails on every read of
the row (the list, the rate shopping that reads it...) until someone edits it by hand. The
API's schemas bound their input (``tradelane.api.types``); services check here what reaches
a column by other ways too: the web forms, spreadsheets and Excel rate sheets, a PATCH of a
generic configuration row, and values computed from the input.

Integer columns use PostgreSQL's ranges (the narrower database), so what one installation
accepts it can still store after a move from SQLite to PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Context, Decimal
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.db.backends.base.operations import BaseDatabaseOperations

from .errors import ValidationFailed

INTEGER_RANGES: dict[str, tuple[int, int]] = dict(BaseDatabaseOperations.integer_field_ranges)


def integer_range(field: models.Field) -> tuple[int, int] | None:
    """The values an integer column holds on every supported database (None: not one)."""
    return INTEGER_RANGES.get(field.get_internal_type())


def decimal_limit(field: models.DecimalField) -> Decimal:
    """The first absolute value a decimal column cannot hold (``10 ** whole digits``)."""
    return Decimal(10) ** (field.max_digits - field.decimal_places)


def problem(field: models.Field, value: Any) -> str | None:
    """Why ``value`` does not fit ``field``'s column, or None when it does (or is no number)."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(field, models.DecimalField) and isinstance(value, Decimal | int):
        value = Decimal(value)
        if not value.is_finite():
            return "is not a finite number"
        whole = field.max_digits - field.decimal_places
        too_big = f"has more than {whole} digits before the decimal point"
        if value and value.adjusted() >= whole:
            return too_big
        # as stored: rounded to the column's places (99.99995 becomes 100.0000)
        step = Decimal(1).scaleb(-field.decimal_places)
        rounded = value.quantize(step, context=Context(prec=field.max_digits + 2))
        return too_big if abs(rounded) >= decimal_limit(field) else None
    bounds = integer_range(field)
    if bounds is not None and isinstance(value, int):
        lo, hi = bounds
        if not lo <= value <= hi:
            return f"is outside {lo}..{hi}"
    return None


def check_fits(model: type[models.Model], values: Mapping[str, Any], *, prefix: str = "") -> None:
    """Refuse (422 ``out_of_range``) when a value in ``values`` (field name -> value) does not
    fit its column in ``model``; names that are no field of it, and non-numbers, are skipped.
    ``details`` lists every such field (``prefix`` + name) with the reason."""
    problems = []
    for name, value in values.items():
        try:
            field = model._meta.get_field(name)
        except FieldDoesNotExist:
            continue
        why = problem(field, value)
        if why:
            problems.append({"field": prefix + name, "message": f"{prefix + name} {why}"})
    if problems:
        raise ValidationFailed(
            "; ".join(p["message"] for p in problems), code="out_of_range", details=problems
        )
