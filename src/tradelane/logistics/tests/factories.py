"""Small builders for channels and sheets in memory (validated exactly as services do)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal

from tradelane.logistics.rates.descriptions import (
    AreaRule,
    BracketData,
    ChannelConfig,
    SheetData,
    WeightConfig,
    ZoneData,
)
from tradelane.logistics.rates.engine import CompiledChannel, compile_channel
from tradelane.logistics.rates.validation import validate_channel, validate_sheet

D = Decimal
DAY = dt.date(2025, 3, 1)


def weight(**kw) -> WeightConfig:
    return WeightConfig(**kw)


def courier(**kw) -> WeightConfig:
    """Divisor 5000, 0.5 kg steps below 21 kg, whole kg from 21 kg."""
    base = dict(divisor=5000, step_g=500, step_threshold_g=21000, step_above_g=1000)
    base.update(kw)
    return WeightConfig(**base)


def channel(code: str = "CH", *, weight_cfg: WeightConfig | None = None, **kw) -> ChannelConfig:
    cfg = ChannelConfig(
        code=code,
        name=code,
        currency=kw.pop("currency", "CNY"),
        weight=weight_cfg or WeightConfig(),
        **kw,
    )
    clean, problems = validate_channel(cfg)
    assert not problems, problems
    return clean


def zone(code: str, *rules: AreaRule, name: str = "") -> ZoneData:
    return ZoneData(code, name or code, tuple(rules))


def country(code: str, **kw) -> AreaRule:
    return AreaRule(country=code, **kw)


def sheet(zones, brackets, **kw) -> SheetData:
    data = SheetData(
        zones=tuple(zones),
        brackets=tuple(brackets),
        **{"currency": "CNY", "effective_date": dt.date(2025, 1, 1), **kw},
    )
    clean, problems = validate_sheet(data)
    assert not problems, problems
    return clean


def one_zone_sheet(*brackets: BracketData, country_code: str = "US", **kw) -> SheetData:
    return sheet([zone("Z1", country(country_code))], brackets, **kw)


def bracket(lower: int, upper: int, zone_code: str = "Z1", **kw) -> BracketData:
    return BracketData(zone=zone_code, lower_g=lower, upper_g=upper, **kw)


def build(cfg: ChannelConfig, *sheets: SheetData) -> CompiledChannel:
    return compile_channel(cfg, [(i + 1, s) for i, s in enumerate(sheets)])


def replace(obj, **kw):
    return dataclasses.replace(obj, **kw)
