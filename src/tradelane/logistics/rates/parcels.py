"""The engine's ``Parcel`` built from order lines: items, the box estimate, measured values.

Weights are summed from the SKUs; dimensions come from a box estimate unless measured values are
given; battery/liquid/magnet if any SKU has them.

Box estimate (documented, deliberately simple): the items stand on their smallest side in one
stack: length = the largest longest side, width = the largest middle side, height = the sum of
the smallest sides times quantities; each side plus ``BOX_PADDING_MM`` for the carton. No SKU
with dimensions: no dimensions (no volumetric weight).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from tradelane.core.errors import ValidationFailed
from tradelane.core.money import Money

from .chargeable import Parcel

BOX_PADDING_MM = 10


@dataclass(frozen=True, slots=True)
class Item:
    """One line as the parcel sees it: per-unit weight and dimensions, quantity, flags."""

    quantity: int
    weight_g: int
    length_mm: int = 0
    width_mm: int = 0
    height_mm: int = 0
    battery: bool = False
    liquid: bool = False
    magnet: bool = False


def estimate_box(items: Iterable[Item]) -> tuple[int, int, int]:
    """The box estimate described in the module docstring; (0, 0, 0) without dimensions."""
    longest = middle = stack = 0
    seen = False
    for it in items:
        dims = sorted((it.length_mm, it.width_mm, it.height_mm), reverse=True)
        if not dims[0]:
            continue
        seen = True
        longest = max(longest, dims[0])
        middle = max(middle, dims[1])
        stack += dims[2] * it.quantity
    if not seen:
        return (0, 0, 0)
    return (longest + BOX_PADDING_MM, middle + BOX_PADDING_MM, stack + BOX_PADDING_MM)


@dataclass(frozen=True, slots=True)
class Measured:
    """What the user weighed and measured (grams, millimetres); zeros: not measured."""

    weight_g: int = 0
    length_mm: int = 0
    width_mm: int = 0
    height_mm: int = 0
    pieces: int = 1


def build_parcel(
    items: Sequence[Item],
    *,
    country: str,
    postcode: str = "",
    city: str = "",
    declared_value: Money | None = None,
    measured: Measured | None = None,
    on_date: dt.date | None = None,
) -> Parcel:
    weight = sum(it.weight_g * it.quantity for it in items)
    dims = estimate_box(items)
    pieces = 1
    if measured is not None:
        if measured.weight_g:
            weight = measured.weight_g
        if measured.length_mm or measured.width_mm or measured.height_mm:
            dims = (measured.length_mm, measured.width_mm, measured.height_mm)
        pieces = measured.pieces or 1
    if weight <= 0:
        raise ValidationFailed(
            "The parcel weighs nothing: give the SKUs a weight or weigh the parcel",
            code="parcel_weight_zero",
        )
    return Parcel(
        weight_g=weight,
        length_mm=dims[0],
        width_mm=dims[1],
        height_mm=dims[2],
        country=country,
        postcode=postcode,
        city=city,
        declared_value=declared_value,
        battery=any(it.battery for it in items),
        liquid=any(it.liquid for it in items),
        magnet=any(it.magnet for it in items),
        pieces=pieces,
        received_on=on_date,
        shipped_on=on_date,
    )
