"""A few realistic channels with cost and sale sheets, for the demo and for tests.

Everything is written through ``services`` (permission, validation, audit), so the sample is
exactly what a user could have typed or uploaded. Prices are plausible, not any carrier's.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from . import services
from .descriptions import (
    MODE_HALF,
    SHEET_COST,
    SHEET_SALE,
    SUR_BATTERY,
    SUR_LIQUID,
    SUR_MAGNET,
    SUR_OVERSIZE,
    SUR_OVERWEIGHT,
    SUR_REMOTE,
    AreaRule,
    BracketData,
    FuelData,
    SheetData,
    SurchargeData,
    ZoneData,
)
from .models import Channel

D = Decimal
FROM = dt.date(2026, 1, 1)
# Every channel declares exactly the countries its sheet prices (the channels pages warn when
# a channel claims more): the couriers price these European countries in one zone.
_WESTERN_EUROPE = ("GB", "DE", "FR", "NL", "IT", "ES", "AT", "IE")


def _zone(code: str, name: str, *countries: str, **refine) -> ZoneData:
    if refine:
        return ZoneData(code, name, tuple(AreaRule(countries[0], **r) for r in refine["rules"]))
    return ZoneData(code, name, tuple(AreaRule(c) for c in countries))


def _sale(data: SheetData, factor: str, level: str = "") -> SheetData:
    """The same sheet as a sale price: every amount times ``factor``, rounded to 0.01."""
    f = D(factor)

    def up(v: Decimal | None) -> Decimal | None:
        return None if v is None else (v * f).quantize(D("0.01"), ROUND_HALF_UP)

    brackets = tuple(
        dataclasses.replace(
            b,
            flat=up(b.flat),
            first_fee=up(b.first_fee),
            step_fee=up(b.step_fee),
            per_kg=up(b.per_kg),
            registration=up(b.registration),
        )  # fmt: skip
        for b in data.brackets
    )
    surcharges = tuple(
        dataclasses.replace(s, amount=up(s.amount), per_kg=up(s.per_kg), minimum=up(s.minimum))
        for s in data.surcharges
    )
    return dataclasses.replace(
        data, kind=SHEET_SALE, customer_level=level, brackets=brackets, surcharges=surcharges,
        name=(data.name + (f" {level}" if level else "") + " 售价").strip(),
    )  # fmt: skip


def _postal() -> tuple[dict, SheetData]:
    channel = dict(
        code="CNPOST-RSP", service_type="postal",
        name="中国邮政挂号小包 China Post Registered Small Packet",
        carrier="China Post", currency="CNY", max_weight_g=2000, max_length_mm=600,
        destinations=["US", "CA", "GB", "DE", "FR", "AU", "JP"], transit_days_min=10,
        transit_days_max=25, weight_step_g=1, min_chargeable_g=50,
        tracking_url_template="https://track.chinapost.com.cn/?no={tracking}",
    )  # fmt: skip
    zones = (
        _zone("NA", "北美 North America", "US", "CA"),
        _zone("EU", "欧洲 Europe", "GB", "DE", "FR"),
        _zone("AP", "亚太 Asia Pacific", "AU", "JP"),
    )
    rates = {"NA": ("98", "19.5"), "EU": ("85", "21"), "AP": ("72", "16")}
    brackets = tuple(
        BracketData(z, 0, 2000, per_kg=D(k), registration=D(r)) for z, (k, r) in rates.items()
    )
    return channel, SheetData(SHEET_COST, "", "CNY", FROM, "2026 挂号小包", True, zones, brackets)


def _special_line() -> tuple[dict, SheetData]:
    channel = dict(
        code="YW-EXPRESS", service_type="line",
        name="燕文专线快递 Special Line Express (first/continued weight)",
        carrier="Yanwen", currency="CNY", max_weight_g=30000, max_length_mm=1000,
        accepts_battery=True, accepts_magnet=True, accepts_liquid=True,
        destinations=["US", "CA", "GB", "DE", "FR", "NL", "IT", "ES", "AT", "IE"],
        transit_days_min=7, transit_days_max=12, volumetric_divisor=6000, weight_step_g=10,
    )  # fmt: skip
    zones = (
        _zone("US", "美国", "US"), _zone("UK", "英国", "GB"), _zone("DE", "德国", "DE"),
        _zone("CA", "加拿大", "CA"),
        _zone("EU", "欧盟其他 Other EU", "FR", "NL", "IT", "ES", "AT", "IE"),
    )  # fmt: skip
    fees = {
        "US": ("52", "23"), "UK": ("46", "19"), "DE": ("48", "20"), "CA": ("58", "25"),
        "EU": ("55", "22"),
    }  # fmt: skip
    brackets = tuple(
        BracketData(z, 0, 30000, first_g=500, first_fee=D(a), step_g=500, step_fee=D(b))
        for z, (a, b) in fees.items()
    )
    # a sensitive-goods line: batteries, magnets and liquids, each for a fee per piece
    surcharges = (
        SurchargeData("battery", SUR_BATTERY, "带电附加费 battery", amount=D("8")),
        SurchargeData("magnet", SUR_MAGNET, "带磁附加费 magnet", amount=D("5")),
        SurchargeData("liquid", SUR_LIQUID, "液体附加费 liquid", amount=D("10")),
    )
    return channel, SheetData(
        SHEET_COST, "", "CNY", FROM, "2026 专线", True, zones, brackets, (), surcharges
    )


def _courier() -> tuple[dict, SheetData]:
    channel = dict(
        code="DHL-EXP", service_type="express",
        name="DHL 国际快递 Express Worldwide", carrier="DHL Express",
        currency="CNY", max_weight_g=70000, max_length_mm=1200, transit_days_min=3,
        transit_days_max=5, volumetric_divisor=5000, weight_step_g=500,
        weight_step_threshold_g=21000, weight_step_above_g=1000, accepts_battery=True,
        destinations=["US", "CA", *_WESTERN_EUROPE, "AU", "NZ", "JP"],
        tracking_url_template="https://www.dhl.com/cn-zh/home/tracking.html?tracking-id={tracking}",
    )  # fmt: skip
    zones = (
        _zone("Z5", "5区 北美 North America", "US", "CA"),
        _zone("Z6", "6区 西欧 Western Europe", *_WESTERN_EUROPE),
        _zone("Z7", "7区 大洋洲 Oceania", "AU", "NZ"),
        _zone("Z2", "2区 日本 Japan", "JP"),
    )
    first = {"Z5": D("268"), "Z6": D("289"), "Z7": D("248"), "Z2": D("172")}
    step = {"Z5": D("61"), "Z6": D("66"), "Z7": D("55"), "Z2": D("34")}
    per_kg = {"Z5": D("168"), "Z6": D("182"), "Z7": D("158"), "Z2": D("98")}
    brackets = []
    for z in first:
        for i in range(10):  # 0.5 kg to 5 kg: the grid
            upper = 500 * (i + 1)
            brackets.append(BracketData(z, upper - 500, upper, flat=first[z] + step[z] * i))
        brackets.append(BracketData(z, 5000, 70000, per_kg=per_kg[z]))  # from 5 kg: per kg
    surcharges = (
        SurchargeData(
            "remote", SUR_REMOTE, "偏远地区附加费 remote area", per_kg=D("4.5"), minimum=D("185"),
            areas=(AreaRule("US", postcode_prefix="995"), AreaRule("US", postcode_prefix="996"),
                   AreaRule("AU", postcode_prefix="08"), AreaRule("GB", city="Lerwick")),
        ),
        SurchargeData("oversize", SUR_OVERSIZE, "超长 oversize piece", amount=D("210"),
                      threshold_mm=1200),
        SurchargeData("overweight", SUR_OVERWEIGHT, "超重 overweight piece", amount=D("210"),
                      threshold_g=70000),
    )  # fmt: skip
    fuel = (
        FuelData(dt.date(2026, 9, 1), D("24.5")),
        FuelData(dt.date(2026, 10, 1), D("25.75")),
        FuelData(dt.date(2026, 11, 1), D("26.25")),
    )
    return channel, SheetData(
        SHEET_COST, "", "CNY", FROM, "DHL 2026", True, zones, tuple(brackets), fuel,
        surcharges,
    )  # fmt: skip


def _ems() -> tuple[dict, SheetData]:
    channel = dict(
        code="EMS", service_type="postal",
        name="EMS 国际特快专递", carrier="China Post EMS", currency="CNY",
        max_weight_g=30000, max_length_mm=1500, max_girth_mm=3000, transit_days_min=5,
        transit_days_max=10, volumetric_divisor=8000, volumetric_min_side_mm=600,
        destinations=["JP", "AU", "NZ", "US", "CA", *_WESTERN_EUROPE],
        weight_step_g=1, tracking_url_template="https://www.ems.com.cn/qps/yjcx?mailNum={tracking}",
    )  # fmt: skip
    zones = (
        _zone("1", "一区 Japan", "JP"),
        _zone("3", "三区 Australia", "AU", "NZ"),
        _zone("5", "五区 North America", "US", "CA"),
        _zone("6", "六区 Europe", *_WESTERN_EUROPE),
    )
    fees = {"1": ("115", "30"), "3": ("160", "45"), "5": ("180", "75"), "6": ("200", "65")}
    brackets = tuple(
        BracketData(z, 0, 30000, first_g=500, first_fee=D(a), step_g=500, step_fee=D(b))
        for z, (a, b) in fees.items()
    )
    return channel, SheetData(SHEET_COST, "", "CNY", FROM, "EMS 2026", True, zones, brackets)


def _us_line() -> tuple[dict, SheetData]:
    channel = dict(
        code="US-LINE", service_type="line",
        name="美国专线 US Line (zones by ZIP)", carrier="Tradelane Lines",
        currency="CNY", max_weight_g=30000, max_length_mm=1000, destinations=["US"],
        transit_days_min=8, transit_days_max=14, volumetric_divisor=6000,
        volumetric_mode=MODE_HALF, weight_step_g=100,
    )  # fmt: skip
    west = [{"postcode_prefix": p} for p in ("8", "9")]
    central = [{"postcode_prefix": p} for p in ("4", "5", "6", "7")]
    east = [{"postcode_prefix": p} for p in ("0", "1", "2", "3")]
    zones = (
        _zone("W", "美西 West", "US", rules=west),
        _zone("C", "美中 Central", "US", rules=central),
        _zone("E", "美东 East", "US", rules=east),
    )
    fees = {"W": ("38", "14"), "C": ("42", "15.5"), "E": ("45", "16")}
    brackets = tuple(
        BracketData(z, 0, 30000, first_g=500, first_fee=D(a), step_g=500, step_fee=D(b))
        for z, (a, b) in fees.items()
    )
    surcharges = (
        SurchargeData(
            "remote", SUR_REMOTE, "偏远 Alaska/Hawaii", per_kg=D("12"), minimum=D("60"),
            areas=(AreaRule("US", postcode_prefix="995"), AreaRule("US", postcode_prefix="967"),
                   AreaRule("US", postcode_prefix="968")),
        ),
    )  # fmt: skip
    return channel, SheetData(
        SHEET_COST, "", "CNY", FROM, "美国专线 2026", True, zones, brackets, (), surcharges
    )


SAMPLES = (_postal, _special_line, _courier, _ems, _us_line)


def create_sample_channels(actor, *, sale: bool = True) -> list[Channel]:
    """Create the sample channels (skipping codes that exist), each with a cost sheet and a
    standard sale sheet (+25%), and for DHL a VIP sale sheet (+15%)."""
    made = []
    for build in SAMPLES:
        fields, cost = build()
        if Channel.objects.filter(code=fields["code"]).exists():
            continue
        ch = services.create_channel(actor, **fields)
        services.create_rate_sheet(actor, ch, cost)
        if sale:
            services.create_rate_sheet(actor, ch, _sale(cost, "1.25"))
            if fields["code"] == "DHL-EXP":
                services.create_rate_sheet(actor, ch, _sale(cost, "1.15", "VIP"))
        made.append(ch)
    return made
