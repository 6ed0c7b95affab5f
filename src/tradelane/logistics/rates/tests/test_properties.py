"""Property tests (hypothesis) of the rate engine."""

from __future__ import annotations

import datetime as dt
import math
from decimal import ROUND_CEILING, Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from tradelane.core.money import Money
from tradelane.logistics.rates.chargeable import Parcel, chargeable_weight
from tradelane.logistics.rates.descriptions import (
    MEASURE_LONGEST,
    MEASURE_SUM,
    MODE_FULL,
    MODE_HALF,
    MODE_NONE_UP_TO_SIZE,
    AreaRule,
    BracketData,
    FuelData,
    SurchargeData,
    WeightConfig,
)
from tradelane.logistics.rates.engine import quote
from tradelane.logistics.rates.validation import validate_channel, validate_sheet
from tradelane.logistics.tests.factories import DAY, build, channel, sheet, zone

STEPS = [1, 10, 50, 100, 250, 500, 1000]
money = st.decimals(min_value=0, max_value=500, places=2, allow_nan=False, allow_infinity=False)
dims = st.tuples(*[st.integers(0, 2000)] * 3)


@st.composite
def weight_configs(draw) -> WeightConfig:
    step = draw(st.sampled_from(STEPS))
    threshold = above = None
    if draw(st.booleans()):
        above = draw(st.sampled_from(STEPS))
        threshold = math.lcm(step, above) * draw(st.integers(1, 40))
    mode = draw(st.sampled_from([MODE_FULL, MODE_HALF, MODE_NONE_UP_TO_SIZE]))
    cfg = WeightConfig(
        divisor=draw(st.sampled_from([None, 5000, 6000, 8000, 7000, 139])),
        mode=mode,
        free_limit_mm=draw(st.integers(1, 2500)) if mode == MODE_NONE_UP_TO_SIZE else None,
        free_measure=draw(st.sampled_from([MEASURE_LONGEST, MEASURE_SUM])),
        min_side_mm=draw(st.none() | st.integers(1, 1500)),
        step_g=step,
        step_threshold_g=threshold,
        step_above_g=above,
        min_g=draw(st.integers(0, 3000)),
    )
    assert not validate_channel(channel(weight_cfg=cfg))[1]
    return cfg


@settings(max_examples=400, deadline=None)
@given(weight_configs(), st.integers(1, 200_000), dims)
def test_chargeable_weight_is_never_below_actual(cfg, grams, dims_mm):
    cw = chargeable_weight(cfg, grams, dims_mm)
    assert cw.chargeable_g >= grams
    assert cw.chargeable_g >= cw.basis_g >= grams
    assert cw.chargeable_g >= cfg.min_g
    assert cw.chargeable_g % cw.step_g == 0


@settings(max_examples=400, deadline=None)
@given(weight_configs(), st.integers(1, 200_000), dims)
def test_rounding_applied_twice_changes_nothing(cfg, grams, dims_mm):
    once = chargeable_weight(cfg, grams, dims_mm).chargeable_g
    # the minimum and the rounding step again, on the result: nothing moves
    assert chargeable_weight(cfg, once, (0, 0, 0)).chargeable_g == once


@settings(max_examples=200, deadline=None)
@given(
    st.decimals(min_value=-(10**9), max_value=10**9, places=6, allow_nan=False),
    st.sampled_from(["CNY", "JPY", "KWD", "USD"]),
)
def test_money_rounding_applied_twice_changes_nothing(amount, currency):
    once = Money(amount, currency).rounded()
    assert once.rounded() == once


@st.composite
def monotone_sheets(draw):
    """A one-zone sheet with every price form and surcharge, valid by construction: where a
    bracket's freight would start below the end of the previous one, a flat price lifts it,
    and a registration fee never falls."""
    n = draw(st.integers(1, 6))
    uppers = sorted(draw(st.sets(st.integers(1, 60_000), min_size=n, max_size=n)))
    brackets: list[BracketData] = []
    lower = 0
    gap = draw(st.booleans())
    for i, upper in enumerate(uppers):
        if gap and i == 1:
            lower = min(upper - 1, lower + 100)  # a gap of up to 100 g: not served there
        parts: dict = {}
        if draw(st.booleans()):
            parts.update(
                first_g=draw(st.integers(0, 2000)),
                first_fee=draw(money),
                step_g=draw(st.sampled_from(STEPS)),
                step_fee=draw(money),
            )
        if draw(st.booleans()):
            parts["per_kg"] = draw(money)
        if draw(st.booleans()):
            parts["registration"] = draw(money)
        b = BracketData("Z", lower, upper, **parts)
        flat = draw(st.none() | money)
        if brackets:
            prev = brackets[-1]
            top, bottom = prev.freight(prev.upper_g), b.freight(b.lower_g + 1)
            if bottom < top:
                flat = ((flat or 0) + top - bottom).quantize(Decimal("0.0001"), ROUND_CEILING)
            if (parts.get("registration") or 0) < (prev.registration or 0):
                parts["registration"] = prev.registration + draw(money)
        if flat is None and not parts:
            flat = draw(money)
        brackets.append(BracketData("Z", lower, upper, flat=flat, **parts))
        lower = upper
    surcharges = [
        SurchargeData(
            "remote",
            "remote",
            per_kg=draw(money),
            minimum=draw(st.none() | money),
            areas=(AreaRule("US", postcode_prefix="99"),),
        ),
        SurchargeData(
            "overweight", "overweight", amount=draw(money), threshold_g=draw(st.integers(1, 60_000))
        ),
        SurchargeData("oversize", "oversize", amount=draw(money), threshold_mm=1000),
        SurchargeData("fee", "fixed", amount=draw(money)),
    ]
    fuel = (
        FuelData(
            dt.date(2025, 1, 1),
            draw(st.decimals(0, 60, places=2)),
            tuple(
                draw(
                    st.sets(
                        st.sampled_from(
                            ["freight", "registration", "remote", "overweight", "oversize", "fee"]
                        ),
                        min_size=1,
                    )
                )
            ),
        ),
    )
    data = sheet([zone("Z", AreaRule("US"))], brackets, surcharges=tuple(surcharges), fuel=fuel)
    assert not validate_sheet(data)[1]
    return data


@settings(max_examples=300, deadline=None)
@given(
    monotone_sheets(),
    weight_configs(),
    st.lists(st.integers(1, 70_000), min_size=2, max_size=8),
    dims,
    st.sampled_from(["99501", "10001"]),
    st.integers(1, 3),
)
def test_within_a_zone_the_price_never_falls_as_weight_rises(
    data, cfg, grams, dims_mm, postcode, pieces
):
    ch = build(channel(weight_cfg=cfg), data)
    previous = None
    for g in sorted(grams):
        parcel = Parcel(
            weight_g=g,
            length_mm=dims_mm[0],
            width_mm=dims_mm[1],
            height_mm=dims_mm[2],
            country="US",
            postcode=postcode,
            pieces=pieces,
        )
        q = quote(ch, parcel, on_date=DAY)
        if not q.ok:
            assert q.reason_codes == ("no_bracket",)
            continue
        assert q.zone == "Z"
        assert q.total.amount == sum(line.amount.amount for line in q.lines)
        if previous is not None:
            assert q.total >= previous, (g, q.explain())
        previous = q.total


@settings(max_examples=300, deadline=None)
@given(
    st.integers(1, 50_000),
    dims,
    st.sampled_from(["US", "FR", "CN"]),
    st.integers(0, 3000),
    st.sampled_from(["USD", "EUR"]),
    st.booleans(),
    st.booleans(),
    st.booleans(),
    st.booleans(),
    st.booleans(),
    st.booleans(),
)
def test_refusals_name_every_reason(
    grams, dims_mm, dest, value, value_ccy, battery, liquid, magnet, ok_bat, ok_liq, ok_mag
):
    limits = dict(
        max_weight_g=30_000,
        max_length_mm=1200,
        max_girth_mm=3000,
        max_declared_value=Money.of("1000", "USD"),
        destinations=("US", "CN"),
        accepts_battery=ok_bat,
        accepts_liquid=ok_liq,
        accepts_magnet=ok_mag,
    )
    data = sheet([zone("Z", AreaRule("US"))], [BracketData("Z", 0, 20_000, flat=Decimal(1))])
    ch = build(channel(weight_cfg=WeightConfig(divisor=5000), **limits), data)
    parcel = Parcel(
        weight_g=grams,
        length_mm=dims_mm[0],
        width_mm=dims_mm[1],
        height_mm=dims_mm[2],
        country=dest,
        declared_value=Money.of(value, value_ccy),
        battery=battery,
        liquid=liquid,
        magnet=magnet,
    )
    q = quote(ch, parcel, on_date=DAY)

    a, b, c = sorted(dims_mm, reverse=True)
    cw = chargeable_weight(ch, grams, dims_mm).chargeable_g
    expected = set()
    if grams > 30_000:
        expected.add("overweight")
    if a > 1200:
        expected.add("too_long")
    if a + 2 * b + 2 * c > 3000:
        expected.add("girth")
    if value_ccy != "USD":
        expected.add("declared_value_currency")
    elif value > 1000:
        expected.add("declared_value")
    for flag, accepted, code in (
        (battery, ok_bat, "battery"),
        (liquid, ok_liq, "liquid"),
        (magnet, ok_mag, "magnet"),
    ):
        if flag and not accepted:
            expected.add(f"{code}_not_accepted")
    if dest == "FR":
        expected.add("destination_not_served")
    if dest != "US":
        expected.add("no_zone")
    elif cw > 20_000:
        expected.add("no_bracket")
    assert set(q.reason_codes) == expected
    assert len(q.reason_codes) == len(expected)  # each reason once
    assert q.ok == (not expected)


# --- zone matching against a brute-force reference ------------------------------------------

postcodes = st.text("0123456789", min_size=1, max_size=6) | st.sampled_from(
    ["EC1A 1BB", "EC4Z", "SW1A 1AA", "94043-1234", ""]
)


@st.composite
def area_rules(draw):
    kind = draw(st.sampled_from(["country", "prefix", "range", "city", "text_range", "loose"]))
    if kind == "country":
        return AreaRule("US")
    if kind == "prefix":
        return AreaRule("US", postcode_prefix=draw(st.text("0123456789E", min_size=1, max_size=4)))
    if kind == "city":
        return AreaRule("US", city=draw(st.sampled_from(["Austin", "New York", "Reno"])))
    if kind == "text_range":
        lo, hi = sorted(
            draw(
                st.lists(
                    st.sampled_from(["EC1A", "EC2B", "EC4Z", "SW1A", "9404"]),
                    min_size=2,
                    max_size=2,
                )
            )
        )
        return AreaRule("US", postcode_from=lo, postcode_to=hi)
    a, b = sorted(draw(st.lists(st.integers(0, 99999), min_size=2, max_size=2)))
    if kind == "loose":  # numeric bounds of unequal length, e.g. 500-1200
        return AreaRule("US", postcode_from=str(a), postcode_to=str(b))
    width = draw(st.sampled_from([3, 4, 5]))
    return AreaRule(
        "US",
        postcode_from=str(a % 10**width).zfill(width),
        postcode_to=str(max(a % 10**width, b % 10**width)).zfill(width),
    )


def reference_match(rules, postcode, city):
    """The rule the spec says wins, found by trying every rule."""
    from tradelane.logistics.rates.descriptions import norm_city, norm_postcode

    pc = norm_postcode(postcode)
    ck = norm_city(city)
    cities = [i for i, r in enumerate(rules) if r.kind == "city" and ck and norm_city(r.city) == ck]
    if cities:
        return cities[0]
    ranges = []
    for i, r in enumerate(rules):
        if r.kind != "range" or not pc:
            continue
        lo, hi = r.postcode_from, r.postcode_to
        key = pc[: len(hi)]
        if lo.isdigit() and hi.isdigit():
            if key.isdigit() and int(lo) <= int(key) <= int(hi):
                ranges.append(((0, int(hi) - int(lo), i), i))
        elif len(key) == len(hi) and lo <= key <= hi:
            ranges.append(((1, 0, i), i))
    if ranges:
        return min(ranges)[1]
    prefixes = [
        (len(r.postcode_prefix), -i, i)
        for i, r in enumerate(rules)
        if r.kind == "prefix" and pc and pc.startswith(r.postcode_prefix)
    ]
    if prefixes:
        return max(prefixes)[2]
    countries = [i for i, r in enumerate(rules) if r.kind == "country"]
    return countries[0] if countries else None


@settings(max_examples=500, deadline=None)
@given(
    st.lists(area_rules(), min_size=1, max_size=25),
    postcodes,
    st.sampled_from(["", "Austin", "new  york", "Boston"]),
)
def test_zone_index_agrees_with_brute_force(rules, postcode, city):
    from tradelane.logistics.rates.descriptions import norm_city, norm_postcode
    from tradelane.logistics.rates.engine import AreaIndex

    index = AreaIndex((rule, i) for i, rule in enumerate(rules))
    hit = index.match("US", norm_postcode(postcode), norm_city(city))
    expected = reference_match(rules, postcode, city)
    if expected is None:
        assert hit is None
    else:
        # equal rules (same prefix or city listed twice) are interchangeable
        assert hit is not None and rules[hit[0]] == rules[expected]
