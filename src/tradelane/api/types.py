"""Input types shared by the routers: every number fits the column it lands in.

- **Bounds.** Each integer and decimal a request may carry has a minimum and a maximum, taken
  from the column it is stored in where there is one (``column_int``, ``column_decimal``,
  ``kilograms`` and ``centimetres`` read the model field). Integer columns use PostgreSQL's
  ranges (``integer`` for ``IntegerField``, ``bigint`` for ``BigIntegerField``), the narrower
  of the two databases, so a value the API accepts fits SQLite and PostgreSQL alike. Weights
  and lengths are converted (kg to g, cm to mm) before they are stored: their bounds hold
  after the conversion.
- **Decimals** are a JSON number or a string of plain digits (``"12.50"``), with at most the
  column's digits before and after the point. The OpenAPI document says so: the number form
  has ``minimum``/``maximum``/``multipleOf``, the string form a ``pattern`` that admits exactly
  the same values.
- **JSON bodies are strictly typed** (``BodySchema``): an integer is a JSON integer (not
  ``"5"``, not ``true``), a boolean a JSON boolean, a date an ISO 8601 string. Query strings
  and form fields carry text: there an integer is its digits and a boolean ``true`` or
  ``false``, nothing looser (no ``" 5"``, ``"1.0"``, ``"yes"``).
- **Ids** are 64-bit: a bigger number in a path does not match the ``id`` converter (so it is
  a JSON 404) and in a body or query string it is a 422, never an overflow in the database.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from decimal import Decimal
from typing import Annotated, Any

from django.urls import register_converter
from ninja import Field, Schema
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Strict,
    WithJsonSchema,
    model_validator,
)
from pydantic_core import PydanticCustomError

from tradelane.core.columns import INTEGER_RANGES

MAX_ID = 2**63 - 1

# --- text forms (query strings, form fields) ------------------------------------------------

_WHOLE_NUMBER = re.compile(r"-?(?:0|[1-9][0-9]*)")
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
# RFC 3339 date-time, the offset optional (a time without one is the server's time zone)
_ISO_DATETIME = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt ][0-9]{2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]{1,6})?)?"
    r"(?:[Zz]|[+-][0-9]{2}:?[0-9]{2})?"
)


def _whole_number(value: Any) -> Any:
    """An integer as JSON gives it, or as text of plain digits (query strings, forms).

    JSON (and JSON Schema) make no difference between ``5`` and ``5.0`` or ``5e0``: such a
    number, read as a ``Decimal`` by the parser, is the integer it equals."""
    if isinstance(value, bool):
        raise PydanticCustomError("int_type", "Input should be a valid integer")
    if isinstance(value, Decimal):
        if not value.is_finite() or value != value.to_integral_value():
            raise PydanticCustomError("int_from_float", "Input should be a whole number")
        return int(value)
    if isinstance(value, str) and not _WHOLE_NUMBER.fullmatch(value):
        raise PydanticCustomError(
            "int_parsing", "Input should be a whole number written in plain digits"
        )
    return value  # the core validator converts the text (lax) or refuses it (strict bodies)


def _boolean(value: Any) -> Any:
    if isinstance(value, str) and value not in ("true", "false"):
        raise PydanticCustomError("bool_parsing", "Input should be true or false")
    return value


def _date_text(value: Any) -> Any:
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    if not isinstance(value, str) or not _ISO_DATE.fullmatch(value):
        raise PydanticCustomError("date_type", "Input should be a date written YYYY-MM-DD")
    return value


def _datetime_text(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value
    if not isinstance(value, str) or not _ISO_DATETIME.fullmatch(value):
        raise PydanticCustomError(
            "datetime_type", "Input should be a date and time in ISO 8601 (RFC 3339)"
        )
    return value


Bool = Annotated[bool, BeforeValidator(_boolean)]
"""A boolean: JSON ``true``/``false``, or the text ``true``/``false`` in a query string."""

Date = Annotated[dt.date, BeforeValidator(_date_text), Strict(False)]
"""A calendar day as ``YYYY-MM-DD`` (not a timestamp, not a date-time)."""

DateTime = Annotated[dt.datetime, BeforeValidator(_datetime_text), Strict(False)]
"""An ISO 8601 date-time (``2026-11-20T10:15:00Z``; without an offset: the server's zone)."""


def Int(ge: int, le: int, **kw: Any) -> Any:  # noqa: N802 - reads like a type
    """A whole number from ``ge`` to ``le``."""
    return Annotated[int, Field(ge=ge, le=le, **kw), BeforeValidator(_whole_number)]


Id = Int(1, MAX_ID)

# --- integer columns ------------------------------------------------------------------------


def column_range(model: type, name: str) -> tuple[int, int]:
    """The values the integer column ``model.name`` holds on every supported database."""
    field = model._meta.get_field(name)
    return INTEGER_RANGES[field.get_internal_type()]


def column_int(model: type, name: str, *, ge: int | None = None, le: int | None = None, **kw):
    """An integer stored in ``model.name``: its column's range, narrowed by ``ge``/``le``."""
    lo, hi = column_range(model, name)
    return Int(lo if ge is None else max(lo, ge), hi if le is None else min(hi, le), **kw)


# --- decimals -------------------------------------------------------------------------------


def _decimal_pattern(whole: int, places: int, *, positive: bool) -> str:
    """Plain digits with at most ``whole`` before and ``places`` after the point; with
    ``positive``, not zero. No sign, no exponent, no spaces: what the number form allows."""
    integer = f"(?:0|[1-9][0-9]{{0,{whole - 1}}})" if whole > 1 else "[0-9]"
    fraction = f"(?:\\.[0-9]{{1,{places}}})?" if places else ""
    if not positive:
        return f"^{integer}{fraction}$"
    above_one = f"[1-9][0-9]{{0,{whole - 1}}}{fraction}"
    below_one = "|".join(
        "0" * i + "[1-9]" + (f"[0-9]{{0,{places - 1 - i}}}" if places - 1 - i else "")
        for i in range(places)
    )
    if not places:
        return f"^{above_one}$"
    return f"^(?:{above_one}|0\\.(?:{below_one}))$"


def _power_of_ten_pattern(limit: Decimal, places: int, *, positive: bool) -> str:
    """The text form of a decimal from 0 to ``limit``, a power of ten (10, 100, ...): fewer
    whole digits than the limit has, or the limit itself. So that the document's pattern, not
    only its ``maximum``, refuses what the check refuses (a client checking strings against the
    pattern must not send "954.95" for at most 100)."""
    k = limit.adjusted()
    if k < 1 or limit != Decimal(10) ** k:
        raise ValueError(f"a text bound must be a power of ten from 10 up, not {limit}")
    below = _decimal_pattern(k, places, positive=positive).strip("^$")
    exact = "1" + "0" * k + (f"(?:\\.0{{1,{places}}})?" if places else "")
    return f"^(?:{below}|{exact})$"


class _DecimalText:
    """Checks the text or number given for a bounded decimal and documents its string form.

    The document's ``pattern`` admits exactly the valid values. The check here is a little
    wider (a minus sign, zero where only positive amounts are valid) so that such a value gets
    the precise error of the bound it breaks (``greater_than_equal``, ``greater_than``).
    """

    def __init__(self, pattern: str, text: str) -> None:
        self.pattern = pattern
        self.regex = re.compile(text)

    def __call__(self, value: Any) -> Any:
        if isinstance(value, bool) or not isinstance(value, int | float | str | Decimal):
            raise PydanticCustomError("decimal_type", "Input should be a decimal number")
        if isinstance(value, str) and not self.regex.fullmatch(value):
            raise PydanticCustomError(
                "decimal_parsing",
                "Input should be a decimal in plain digits within the allowed range "
                "(pattern {pattern})",
                {"pattern": self.pattern},
            )
        if isinstance(value, float):
            if not math.isfinite(value):
                raise PydanticCustomError("finite_number", "Input should be a finite number")
            return Decimal(repr(value))
        return value

    def __get_pydantic_json_schema__(self, core_schema, handler):
        schema = handler(core_schema)
        for branch in schema.get("anyOf", [schema]):
            if branch.get("type") == "string":
                branch["pattern"] = self.pattern
        return schema


# A JSON number is most often read as a double, exact to 15 significant digits: an amount sent
# as a number keeps its value only within them (``99999999999999.9999`` would arrive as 1e14).
MAX_SIGNIFICANT_DIGITS = 15


def Amount(  # noqa: N802 - reads like a type
    whole_digits: int,
    places: int,
    *,
    positive: bool = False,
    le: Decimal | None = None,
    **kw: Any,
) -> Any:
    """A decimal of at most ``whole_digits`` before and ``places`` after the point, from 0
    (``positive``: above 0) to the largest such number, or to ``le`` if that is lower.
    ``whole_digits`` is capped so that the whole number has at most 15 significant digits
    (``MAX_SIGNIFICANT_DIGITS``)."""
    whole_digits = min(whole_digits, MAX_SIGNIFICANT_DIGITS - places)
    step = Decimal(1).scaleb(-places)
    limit = Decimal(10) ** whole_digits - step
    if le is not None:
        limit = min(limit, Decimal(le))
    bounds: dict[str, Any] = {"gt": 0} if positive else {"ge": 0}
    pattern = _decimal_pattern(whole_digits, places, positive=positive)
    if le is not None and Decimal(le) < Decimal(10) ** whole_digits - step:
        pattern = _power_of_ten_pattern(Decimal(le), places, positive=positive)
    text = _DecimalText(
        pattern, "-?" + _decimal_pattern(whole_digits, places, positive=False).strip("^$")
    )
    return Annotated[
        Decimal,
        Strict(False),
        Field(
            le=limit,
            max_digits=whole_digits + places,
            decimal_places=places,
            multiple_of=step,
            **bounds,
            **kw,
        ),
        BeforeValidator(text),
        text,
    ]


def column_decimal(model: type, name: str, *, positive: bool = False, **kw: Any) -> Any:
    """A non-negative amount stored in the decimal column ``model.name``, in its digits."""
    field = model._meta.get_field(name)
    places = field.decimal_places
    return Amount(field.max_digits - places, places, positive=positive, **kw)


def _whole_digits_below(limit: int) -> int:
    """The most whole digits a number may have and stay at or under ``limit``."""
    return len(str(limit + 1)) - 1


def kilograms(
    model: type, name: str, *, places: int = 3, whole_digits: int = 6, positive: bool = False,
    **kw: Any,
) -> Any:  # fmt: skip
    """A weight in kg for the gram column ``model.name``: after ``kg x 1000`` it still fits."""
    _, max_grams = column_range(model, name)
    whole = min(whole_digits, _whole_digits_below(max_grams // 1000))
    return Amount(whole, places, positive=positive, description=kw.pop("description", "kg"), **kw)


def centimetres(
    model: type, name: str, *, places: int = 1, whole_digits: int = 5, **kw: Any
) -> Any:
    """A length in cm for the millimetre column ``model.name``: after ``cm x 10`` it fits."""
    _, max_mm = column_range(model, name)
    whole = min(whole_digits, _whole_digits_below(max_mm // 10))
    return Amount(whole, places, description=kw.pop("description", "cm"), **kw)


def Choice(enum: type, *, inline: bool = False) -> Any:  # noqa: N802 - reads like a type
    """A field holding one of ``enum``'s values (given as its value; lax, for ``BodySchema``).

    ``inline`` documents the values in place rather than as a named schema: for an enum whose
    class name another enum shares (``Warehouse.Kind``, ``StockMovement.Kind``).
    """
    if not inline:
        return Annotated[enum, Strict(False)]
    values = [member.value for member in enum]
    return Annotated[enum, Strict(False), WithJsonSchema({"type": "string", "enum": values})]


def one_of(id_field: str, code_field: str) -> dict[str, Any]:
    """The ``oneOf`` of a schema naming a record by id or by code, exactly one of the two (for
    ``json_schema_extra``; the schema's own validator enforces it)."""

    def given(name: str, schema: dict[str, Any], other: str) -> dict[str, Any]:
        return {"required": [name], "properties": {name: schema, other: {"type": "null"}}}

    return {
        "oneOf": [
            given(id_field, {"type": "integer", "minimum": 1, "maximum": MAX_ID}, code_field),
            given(code_field, {"type": "string"}, id_field),
        ]
    }


# --- bodies ---------------------------------------------------------------------------------


class BodySchema(Schema):
    """A JSON request body, validated strictly: JSON's types are the document's types.

    The body (and each object in it) is a JSON object: ninja's schemas read attributes from
    any Python object, which would take ``[]`` or ``null`` for an object of defaults. Decimals,
    dates and date-times (``Amount``, ``Date``, ``DateTime``) read their text form themselves;
    an enum field is declared ``Choice(TheEnum)`` (its value as a string).
    """

    model_config = ConfigDict(strict=True)

    @model_validator(mode="wrap")
    @classmethod
    def _run_root_validator(cls, values: Any, handler, info) -> Any:
        # replaces ninja's, which wraps any object in an attribute reader (for ORM objects)
        if not isinstance(values, dict | BaseModel):
            raise PydanticCustomError("model_type", "Input should be a JSON object")
        return handler(values)


# --- paths ----------------------------------------------------------------------------------


class IdConverter:
    """``{id:name}`` in a route: a positive whole number of at most 18 digits."""

    regex = "[1-9][0-9]{0,17}"
    maximum = 10**18 - 1  # documented in the OpenAPI for every such path parameter

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int) -> str:
        return str(value)


register_converter(IdConverter, "id")
