"""Input types shared by the routers.

Database ids are 64-bit: a bigger number in a path does not match the ``id`` converter (so it
is a JSON 404) and in a body or query string it is a 422, never an overflow in the database.
"""

from __future__ import annotations

from typing import Annotated

from django.urls import register_converter
from ninja import Field

MAX_ID = 2**63 - 1

Id = Annotated[int, Field(ge=1, le=MAX_ID)]


class IdConverter:
    """``{id:name}`` in a route: a positive whole number of at most 18 digits."""

    regex = "[1-9][0-9]{0,17}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int) -> str:
        return str(value)


register_converter(IdConverter, "id")
