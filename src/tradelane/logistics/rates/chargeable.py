"""The parcel being priced and its chargeable weight (DOMAIN.md, "Chargeable weight and prices").

Per piece: each dimension rounded up to a whole cm; volumetric = L x W x H / divisor (kg),
applied in full, half (``(actual + volumetric) / 2``) or not at all up to a size; optionally
only when a side exceeds a length; never below the actual weight; then the channel minimum;
then rounded up to the step (a second step from a threshold). Pure functions, no database.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, NamedTuple

from tradelane.core.countries import check_country
from tradelane.core.errors import ValidationFailed
from tradelane.core.money import Money

from .descriptions import (
    MEASURE_SUM,
    MODE_HALF,
    MODE_NONE_UP_TO_SIZE,
    ChannelConfig,
    WeightConfig,
    norm_city,
    norm_postcode,
)

if TYPE_CHECKING:
    from .engine import CompiledChannel


def kg_text(grams: int) -> str:
    return f"{Decimal(grams).scaleb(-3):.3f} kg"


def cm_text(mm: int) -> str:
    return f"{Decimal(mm).scaleb(-1).normalize():f} cm"


# --- the parcel -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Parcel:
    """What is being shipped. With ``pieces`` > 1, weight and dimensions are those of each of
    the identical pieces."""

    weight_g: int
    length_mm: int = 0
    width_mm: int = 0
    height_mm: int = 0
    country: str = ""
    postcode: str = ""
    city: str = ""
    declared_value: Money | None = None
    battery: bool = False
    liquid: bool = False
    magnet: bool = False
    pieces: int = 1
    received_on: dt.date | None = None
    shipped_on: dt.date | None = None
    # derived once, used by every channel
    dims_mm: tuple[int, int, int] = field(init=False, repr=False, compare=False)
    girth_mm: int = field(init=False, repr=False, compare=False)
    postcode_key: str = field(init=False, repr=False, compare=False)
    city_key: str = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        def whole(name: str, minimum: int) -> None:
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool) or value < minimum:
                raise ValidationFailed(
                    f"{name} must be a whole number of at least {minimum}",
                    code="invalid_parcel",
                    details={"field": name},
                )

        whole("weight_g", 1)
        whole("length_mm", 0)
        whole("width_mm", 0)
        whole("height_mm", 0)
        whole("pieces", 1)
        if self.declared_value is not None and not isinstance(self.declared_value, Money):
            raise ValidationFailed("declared_value must be Money", code="invalid_parcel")
        s = object.__setattr__
        s(self, "country", check_country(self.country))
        dims = tuple(sorted((self.length_mm, self.width_mm, self.height_mm), reverse=True))
        s(self, "dims_mm", dims)
        s(self, "girth_mm", dims[0] + 2 * dims[1] + 2 * dims[2])
        s(self, "postcode_key", norm_postcode(self.postcode))
        s(self, "city_key", norm_city(self.city))


# --- chargeable weight ----------------------------------------------------------------------

VOL_NO_DIVISOR = "no_divisor"
VOL_NO_DIMENSIONS = "no_dimensions"
VOL_SIDE_NOT_OVER = "side_not_over_limit"
VOL_WITHIN_FREE_SIZE = "within_free_size"
VOL_BELOW_ACTUAL = "below_actual"
VOL_FULL = "full"
VOL_HALF = "half"


class ChargeableWeight(NamedTuple):
    """The chargeable weight of one piece and every step of its derivation (grams).

    Results are named tuples: immutable, and several times cheaper to create than frozen
    dataclasses, which matters at tens of thousands of quotes a second."""

    actual_g: int
    dims_cm: tuple[int, int, int]  # each side rounded up to a whole cm, longest first
    divisor: int | None
    mode: str
    volumetric_g: int | None  # L x W x H / divisor, when there is a divisor and dimensions
    volumetric: str  # how volumetric weight was used: one of the VOL_* codes
    basis_g: int  # after volumetric, before the minimum
    minimum_g: int
    step_g: int  # the rounding step that applied
    chargeable_g: int

    @property
    def minimum_applied(self) -> bool:
        return self.basis_g < self.minimum_g

    def explain(self) -> list[str]:
        out = [f"actual weight {kg_text(self.actual_g)}"]
        ln, w, h = self.dims_cm
        if self.volumetric == VOL_NO_DIVISOR:
            out.append("no volumetric weight on this channel")
        elif self.volumetric == VOL_NO_DIMENSIONS:
            out.append("no dimensions given: no volumetric weight")
        else:
            out.append(
                f"{ln} × {w} × {h} cm (each side rounded up to a whole cm) / {self.divisor}"
                f" = volumetric {kg_text(self.volumetric_g or 0)}"
            )
            out.append(
                {
                    VOL_SIDE_NOT_OVER: "volumetric not applied: no side exceeds the channel's "
                    "length for the divisor",
                    VOL_WITHIN_FREE_SIZE: "volumetric not applied: within the channel's size limit",
                    VOL_BELOW_ACTUAL: "volumetric not above actual: actual weight used",
                    VOL_FULL: f"volumetric weight used: {kg_text(self.basis_g)}",
                    VOL_HALF: f"half volumetric: ({kg_text(self.actual_g)} + "
                    f"{kg_text(self.volumetric_g or 0)}) / 2 = {kg_text(self.basis_g)}",
                }[self.volumetric]
            )
        if self.minimum_applied:
            out.append(f"minimum chargeable weight {kg_text(self.minimum_g)} applied")
        if self.step_g > 1:
            out.append(
                f"rounded up to the next {kg_text(self.step_g)}: {kg_text(self.chargeable_g)}"
            )
        out.append(f"chargeable weight {kg_text(self.chargeable_g)}")
        return out


def chargeable_weight(
    channel_cfg: WeightConfig | ChannelConfig | CompiledChannel,
    weight_g: int,
    dims_mm: tuple[int, int, int] | tuple[int, ...],
) -> ChargeableWeight:
    """Chargeable weight of one piece (grams), explained. Never below ``weight_g``."""
    w = channel_cfg if isinstance(channel_cfg, WeightConfig) else channel_cfg.weight
    a, b, c = sorted(dims_mm, reverse=True) if len(dims_mm) == 3 else (0, 0, 0)
    return chargeable_sorted(w, weight_g, a, b, c)


def chargeable_sorted(w: WeightConfig, weight_g: int, a: int, b: int, c: int) -> ChargeableWeight:
    """``chargeable_weight`` with the sides already sorted, longest first (mm)."""
    dims_cm = ((a + 9) // 10, (b + 9) // 10, (c + 9) // 10)
    basis = weight_g
    volumetric_g = None
    divisor = w.divisor
    if divisor is None:
        how = VOL_NO_DIVISOR
    elif c <= 0:
        how = VOL_NO_DIMENSIONS
    else:
        volumetric_g = -(-(dims_cm[0] * dims_cm[1] * dims_cm[2] * 1000) // divisor)
        if w.min_side_mm is not None and a <= w.min_side_mm:
            how = VOL_SIDE_NOT_OVER
        elif w.mode == MODE_NONE_UP_TO_SIZE and (
            (a + b + c) if w.free_measure == MEASURE_SUM else a
        ) <= (w.free_limit_mm or 0):
            how = VOL_WITHIN_FREE_SIZE
        elif volumetric_g <= weight_g:
            how = VOL_BELOW_ACTUAL
        elif w.mode == MODE_HALF:
            how = VOL_HALF
            basis = -(-(weight_g + volumetric_g) // 2)
        else:
            how = VOL_FULL
            basis = volumetric_g
    g = basis if basis >= w.min_g else w.min_g
    threshold = w.step_threshold_g
    step = w.step_g if threshold is None or g < threshold else w.step_above_g
    return ChargeableWeight(
        weight_g,
        dims_cm,
        divisor,
        w.mode,
        volumetric_g,
        how,
        basis,
        w.min_g,
        step,
        -(-g // step) * step,
    )
