"""Quotes: worked examples computed by hand, zones, surcharges, refusals, cost/sale/margin."""

from __future__ import annotations

import datetime as dt

import pytest

from tradelane.core.errors import ValidationFailed
from tradelane.core.money import Money
from tradelane.logistics.rates.chargeable import Parcel
from tradelane.logistics.rates.descriptions import (
    DATE_SHIPPED,
    ChannelConfig,
    FuelData,
    SurchargeData,
    tracking_url,
)
from tradelane.logistics.rates.engine import quote, quote_all, quote_all_priced, quote_priced
from tradelane.logistics.rates.validation import validate_channel
from tradelane.logistics.tests.factories import (
    DAY,
    D,
    bracket,
    build,
    channel,
    country,
    courier,
    one_zone_sheet,
    replace,
    sheet,
    weight,
    zone,
)

FIRST_CONTINUED = bracket(
    0, 30000, first_g=500, first_fee=D("120.00"), step_g=500, step_fee=D("40.00")
)


def us(weight_g: int, **kw) -> Parcel:
    return Parcel(weight_g=weight_g, country="US", **kw)


def test_first_and_continued_weight():
    # first 500 g 120.00 + 40.00 per further 500 g or part; 1.67 kg (1 g steps):
    # 120 + ceil((1670 - 500) / 500) = ceil(2.34) = 3 x 40 = 120 + 120 = 240.00
    ch = build(channel(), one_zone_sheet(FIRST_CONTINUED))
    q = quote(ch, us(1670), on_date=DAY)
    assert q.ok
    assert q.chargeable_g == 1670
    assert [(line.code, line.amount) for line in q.lines] == [
        ("freight", Money.of("240.00", "CNY"))
    ]
    assert q.total == Money.of("240.00", "CNY")
    assert "first 0.500 kg 120.00 + 3 × 40.00 per 0.500 kg" in q.lines[0].description
    # at or under the first weight: the first fee only
    assert quote(ch, us(500), on_date=DAY).total.amount == D("120.00")
    assert quote(ch, us(501), on_date=DAY).total.amount == D("160.00")


def test_per_kg_plus_registration():
    # postal line: 85.00 per kg x 0.35 kg = 29.75, + registration 18.00 per parcel = 47.75
    ch = build(
        channel(), one_zone_sheet(bracket(0, 2000, per_kg=D("85.00"), registration=D("18.00")))
    )
    q = quote(ch, us(350), on_date=DAY)
    assert [(line.code, line.amount.amount) for line in q.lines] == [
        ("freight", D("29.75")),
        ("registration", D("18.00")),
    ]
    assert q.total == Money.of("47.75", "CNY")


def test_combined_components_in_one_bracket():
    # flat 10.00 + per kg 20.00 x 1.25 kg (25.00) + first 1 kg 30.00 + ceil(250/500) = 1 x 5.00
    # = 70.00 freight; registration 3.00 -> 73.00
    b = bracket(
        0,
        5000,
        flat=D("10.00"),
        per_kg=D("20.00"),
        first_g=1000,
        first_fee=D("30.00"),
        step_g=500,
        step_fee=D("5.00"),
        registration=D("3.00"),
    )
    q = quote(build(channel(), one_zone_sheet(b)), us(1250), on_date=DAY)
    assert q.lines[0].amount.amount == D("70.00")
    assert q.total.amount == D("73.00")


def test_flat_brackets_lower_exclusive_upper_inclusive():
    s = one_zone_sheet(
        bracket(0, 500, flat=D("50")),
        bracket(500, 1000, flat=D("80")),
        bracket(1000, 2000, flat=D("100")),
    )
    ch = build(channel(), s)
    assert quote(ch, us(500), on_date=DAY).total.amount == D("50.00")
    assert quote(ch, us(501), on_date=DAY).total.amount == D("80.00")
    assert quote(ch, us(2000), on_date=DAY).total.amount == D("100.00")
    q = quote(ch, us(2001), on_date=DAY)
    assert not q.ok and q.reason_codes == ("no_bracket",)


def test_courier_quote_explains_volumetric_and_rounding():
    # 1.67 kg, 40 x 30 x 20 cm, divisor 5000 -> 4.8 kg -> 5.0 kg;
    # first 0.5 kg 120 + ceil(4500 / 500) = 9 x 40 = 480.00
    ch = build(channel("DHL", weight_cfg=courier()), one_zone_sheet(FIRST_CONTINUED))
    q = quote(ch, us(1670, length_mm=400, width_mm=300, height_mm=200), on_date=DAY)
    assert q.chargeable_g == 5000
    assert q.total.amount == D("480.00")
    text = "\n".join(q.explain())
    for part in (
        "actual weight 1.670 kg",
        "volumetric 4.800 kg",
        "chargeable weight 5.000 kg",
        "zone Z1 by country US",
        "freight",
        "total 480.00 CNY",
    ):
        assert part in text


REMOTE = SurchargeData(
    "remote",
    "remote",
    per_kg=D("5.00"),
    minimum=D("30.00"),
    areas=(country("US", postcode_prefix="995"),),
)


def test_remote_area_per_kg_with_minimum_and_fuel_on_freight_and_remote():
    fuel = (FuelData(dt.date(2025, 1, 1), D("24.5"), ("freight", "remote")),)
    s = one_zone_sheet(
        bracket(
            0,
            30000,
            first_g=500,
            first_fee=D("120.00"),
            step_g=500,
            step_fee=D("40.00"),
            registration=D("10.00"),
        ),
        surcharges=(REMOTE,),
        fuel=fuel,
    )
    ch = build(channel(weight_cfg=courier()), s)
    # 1.67 kg -> 2.0 kg to Anchorage 99501 (remote):
    # freight 120 + 3 x 40 = 240.00; registration 10.00 (no fuel on it);
    # remote 5.00 x 2 kg = 10.00 < minimum 30.00 -> 30.00;
    # fuel 24.5% x (240.00 + 30.00) = 66.15; total 240 + 10 + 30 + 66.15 = 346.15
    q = quote(ch, us(1670, postcode="99501"), on_date=DAY)
    assert [(line.code, str(line.amount.amount)) for line in q.lines] == [
        ("freight", "240.00"),
        ("registration", "10.00"),
        ("remote", "30.00"),
        ("fuel", "66.15"),
    ]
    assert q.total.amount == D("346.15")
    # 12 kg: remote 5.00 x 12 = 60.00 above the minimum;
    # freight 120 + ceil(11500/500) = 23 x 40 = 1040.00; fuel 24.5% x 1100 = 269.50
    q = quote(ch, us(12000, postcode="99501"), on_date=DAY)
    amounts = {line.code: line.amount.amount for line in q.lines}
    assert amounts == {
        "freight": D("1040.00"),
        "registration": D("10.00"),
        "remote": D("60.00"),
        "fuel": D("269.50"),
    }
    # not remote: no remote line, fuel on freight only: 24.5% x 240 = 58.80
    q = quote(ch, us(1670, postcode="10001"), on_date=DAY)
    assert [line.code for line in q.lines] == ["freight", "registration", "fuel"]
    assert q.lines[-1].amount.amount == D("58.80")


def test_fuel_rate_by_effective_date_and_pricing_date_of_the_channel():
    fuel = (FuelData(dt.date(2025, 1, 1), D("20")), FuelData(dt.date(2025, 2, 1), D("24.5")))
    s = one_zone_sheet(
        bracket(0, 5000, flat=D("100.00")), fuel=fuel, effective_date=dt.date(2024, 1, 1)
    )
    ch = build(channel(), s)
    assert quote(ch, us(1000), on_date=dt.date(2024, 12, 31)).total.amount == D("100.00")
    assert quote(ch, us(1000), on_date=dt.date(2025, 1, 31)).total.amount == D("120.00")
    assert quote(ch, us(1000), on_date=dt.date(2025, 2, 1)).total.amount == D("124.50")
    # the channel prices by the shipped date: received in January, shipped in February
    parcel = us(1000, received_on=dt.date(2025, 1, 20), shipped_on=dt.date(2025, 2, 3))
    by_shipped = build(channel(pricing_date=DATE_SHIPPED), s)
    assert quote(by_shipped, parcel).total.amount == D("124.50")
    assert quote(by_shipped, parcel).on_date == dt.date(2025, 2, 3)
    assert quote(ch, parcel).total.amount == D("120.00")  # received date (the default)


def test_each_line_rounded_half_up_to_minor_units():
    # 24.69 per kg x 0.5 kg = 12.345 -> 12.35 (half up; half-even would give 12.34)
    ch = build(channel(), one_zone_sheet(bracket(0, 5000, per_kg=D("24.69"))))
    assert quote(ch, us(500), on_date=DAY).total.amount == D("12.35")
    # JPY has no minor unit: 1234.5 -> 1235
    s = one_zone_sheet(bracket(0, 5000, per_kg=D("2469")), currency="JPY")
    q = quote(build(channel(currency="JPY"), s), us(500), on_date=DAY)
    assert q.total == Money.of("1235", "JPY") and str(q.total.amount) == "1235"
    # fuel is rounded on its own line: 17.5% of 12.35 = 2.16125 -> 2.16; total 14.51
    s = one_zone_sheet(
        bracket(0, 5000, per_kg=D("24.69")), fuel=(FuelData(dt.date(2025, 1, 1), D("17.5")),)
    )
    q = quote(build(channel(), s), us(500), on_date=DAY)
    assert [line.amount.amount for line in q.lines] == [D("12.35"), D("2.16")]
    assert q.total.amount == D("14.51")


ZONES = [
    zone("US", country("US")),
    zone("WEST", country("US", postcode_prefix="9")),
    zone("CA", country("US", postcode_prefix="94")),
    zone("NE", country("US", postcode_from="10000", postcode_to="14999")),
    zone("NYC", country("US", city="New York")),
    zone("LON", country("GB", postcode_from="EC1A", postcode_to="EC4Z")),
    zone("GB", country("GB")),
]


def zone_channel():
    return build(
        channel(),
        sheet(
            ZONES, [bracket(0, 5000, zone_code=z.code, flat=D(i + 1)) for i, z in enumerate(ZONES)]
        ),
    )


@pytest.mark.parametrize(
    ("dest", "zone_code", "rule_kind"),
    [
        (dict(country="US", postcode="94043"), "CA", "prefix"),  # longer prefix beats "9"
        (dict(country="US", postcode="95014"), "WEST", "prefix"),
        (dict(country="US", postcode="10001", city="new  york"), "NYC", "city"),  # city first
        (dict(country="US", postcode="10001", city="Boston"), "NE", "range"),
        (dict(country="US", postcode="12345-6789"), "NE", "range"),  # ZIP+4 against ZIP range
        (dict(country="US", postcode="60601"), "US", "country"),
        (dict(country="US"), "US", "country"),
        (dict(country="GB", postcode="EC2A 4NE"), "LON", "range"),  # compared as text, 4 chars
        (dict(country="GB", postcode="SW1A 1AA"), "GB", "country"),
    ],
)
def test_most_specific_zone_wins(dest, zone_code, rule_kind):
    q = quote(zone_channel(), Parcel(weight_g=1000, **dest), on_date=DAY)
    assert q.ok
    assert (q.zone, q.zone_rule_kind) == (zone_code, rule_kind)


def test_narrower_postcode_range_wins_and_numeric_ranges_of_unequal_length():
    zones = [
        zone("WIDE", country("AT", postcode_from="1000", postcode_to="9999")),
        zone("VIENNA", country("AT", postcode_from="1010", postcode_to="1239")),
        zone("ODD", country("DE", postcode_from="500", postcode_to="1200")),
    ]
    ch = build(
        channel(), sheet(zones, [bracket(0, 5000, zone_code=z.code, flat=D(1)) for z in zones])
    )
    assert (
        quote(ch, Parcel(weight_g=1, country="AT", postcode="1100"), on_date=DAY).zone == "VIENNA"
    )
    assert quote(ch, Parcel(weight_g=1, country="AT", postcode="8010"), on_date=DAY).zone == "WIDE"
    # numeric: 800 is between 500 and 1200 although the strings differ in length
    assert quote(ch, Parcel(weight_g=1, country="DE", postcode="800"), on_date=DAY).zone == "ODD"
    q = quote(ch, Parcel(weight_g=1, country="DE", postcode="1300"), on_date=DAY)
    assert q.reason_codes == ("no_zone",)


LIMITED = dict(
    max_weight_g=30000,
    max_length_mm=1200,
    max_girth_mm=3000,
    max_declared_value=Money.of("1000", "USD"),
    destinations=("US",),
)


def test_refusal_names_every_reason():
    ch = build(channel(**LIMITED), one_zone_sheet(FIRST_CONTINUED))
    # 31 kg > 30 kg; 130 cm > 120 cm; girth 130 + 2 x 80 + 2 x 60 = 410 cm > 300 cm;
    # 1500 USD > 1000 USD; battery not accepted; France not served and in no zone
    parcel = Parcel(
        weight_g=31000,
        length_mm=1300,
        width_mm=800,
        height_mm=600,
        country="FR",
        declared_value=Money.of("1500", "USD"),
        battery=True,
    )
    q = quote(ch, parcel, on_date=DAY)
    assert not q.ok and q.total is None and q.lines == ()
    assert set(q.reason_codes) == {
        "overweight",
        "too_long",
        "girth",
        "declared_value",
        "battery_not_accepted",
        "destination_not_served",
        "no_zone",
    }
    assert all(r.message for r in q.reasons)
    assert "cannot ship" in "\n".join(q.explain())
    # within every limit, but over the last bracket: no_bracket alone
    q = quote(ch, us(29000, length_mm=1000, width_mm=100, height_mm=100), on_date=DAY)
    assert q.ok
    ch2 = build(channel(**LIMITED), one_zone_sheet(bracket(0, 2000, flat=D(1))))
    assert quote(ch2, us(2500), on_date=DAY).reason_codes == ("no_bracket",)


def test_refusals_for_flags_sheet_kind_and_currency():
    ch = build(
        channel(accepts_battery=True, max_declared_value=Money.of("100", "EUR")),
        one_zone_sheet(FIRST_CONTINUED),
    )
    p = us(1000, battery=True, liquid=True, magnet=True, declared_value=Money.of("50", "USD"))
    assert set(quote(ch, p, on_date=DAY).reason_codes) == {
        "liquid_not_accepted",
        "magnet_not_accepted",
        "declared_value_currency",
    }
    karrio = build(channel(kind="karrio"), one_zone_sheet(FIRST_CONTINUED))
    assert quote(karrio, us(1000), on_date=DAY).reason_codes == ("not_rate_sheet",)
    inactive = build(channel(active=False), one_zone_sheet(FIRST_CONTINUED))
    assert quote(inactive, us(1000), on_date=DAY).reason_codes == ("inactive",)
    no_sale = build(channel(), one_zone_sheet(FIRST_CONTINUED))
    assert quote(no_sale, us(1000), sheet=("sale", "VIP"), on_date=DAY).reason_codes == (
        "no_sheet",
    )
    # a sheet is not in force before its effective date
    assert quote(no_sale, us(1000), on_date=dt.date(2024, 12, 31)).reason_codes == ("no_sheet",)
    with pytest.raises(ValidationFailed):
        quote(no_sale, us(1000), sheet="retail")


def test_oversize_overweight_battery_and_fixed_fees_per_piece():
    surcharges = (
        SurchargeData("oversize", "oversize", amount=D("150.00"), threshold_mm=1200),
        SurchargeData("overweight", "overweight", amount=D("200.00"), threshold_g=70000),
        SurchargeData("battery", "battery", amount=D("8.00")),
        SurchargeData("handling", "fixed", description="handling", amount=D("2.50")),
    )
    fuel = (FuelData(dt.date(2025, 1, 1), D("10"), ("freight", "oversize", "overweight")),)
    s = one_zone_sheet(bracket(0, 200000, per_kg=D("10.00")), surcharges=surcharges, fuel=fuel)
    ch = build(channel(accepts_battery=True, weight_cfg=weight(step_g=1000)), s)
    # 2 pieces of 71 kg, 125 x 50 x 50 cm, with batteries:
    # freight 10.00 x 142 kg = 1420.00; oversize 150 x 2 = 300.00; overweight 200 x 2 = 400.00;
    # battery 8 x 2 = 16.00; handling 2.50 x 2 = 5.00;
    # fuel 10% x (1420 + 300 + 400) = 212.00; total 2353.00
    p = us(71000, length_mm=1250, width_mm=500, height_mm=500, battery=True, pieces=2)
    q = quote(ch, p, on_date=DAY)
    assert q.chargeable_g == 142000
    assert {line.code: line.amount.amount for line in q.lines} == {
        "freight": D("1420.00"),
        "oversize": D("300.00"),
        "overweight": D("400.00"),
        "battery": D("16.00"),
        "handling": D("5.00"),
        "fuel": D("212.00"),
    }
    assert q.total.amount == D("2353.00")
    assert "longest side 125 cm over 120 cm" in q.lines[1].description
    # a small parcel without batteries: freight and handling only
    q = quote(ch, us(1000), on_date=DAY)
    assert [line.code for line in q.lines] == ["freight", "handling", "fuel"]


def test_pieces_multiply_weight_and_registration():
    # 2 pieces of 1.67 kg -> 2.0 kg each (courier steps) = 4.0 kg;
    # 85.00/kg x 4 = 340.00; registration 18.00 x 2 = 36.00 -> 376.00
    s = one_zone_sheet(bracket(0, 10000, per_kg=D("85.00"), registration=D("18.00")))
    q = quote(build(channel(weight_cfg=courier()), s), us(1670, pieces=2), on_date=DAY)
    assert (q.chargeable.chargeable_g, q.chargeable_g) == (2000, 4000)
    assert q.total.amount == D("376.00")


def test_sheet_in_force_on_the_date_and_sale_levels_with_margin():
    cost_old = one_zone_sheet(bracket(0, 5000, flat=D("90.00")), effective_date=dt.date(2025, 1, 1))
    cost_new = one_zone_sheet(
        bracket(0, 5000, flat=D("100.00")), effective_date=dt.date(2025, 6, 1)
    )
    sale = one_zone_sheet(bracket(0, 5000, flat=D("130.00")), kind="sale")
    vip = one_zone_sheet(bracket(0, 5000, flat=D("115.00")), kind="sale", customer_level="VIP")
    ch = build(channel(), cost_old, cost_new, sale, vip)
    assert quote(ch, us(1000), on_date=dt.date(2025, 5, 31)).total.amount == D("90.00")
    assert quote(ch, us(1000), on_date=dt.date(2025, 6, 1)).total.amount == D("100.00")
    # margin: sale 130.00 - cost 100.00 = 30.00, 30 / 130 = 23.08 %
    pq = quote_priced(ch, us(1000), on_date=dt.date(2025, 7, 1))
    assert pq.ok and pq.margin == Money.of("30.00", "CNY") and pq.margin_pct == D("23.08")
    # the VIP level has its own sheet: 115 - 100 = 15.00
    assert quote_priced(ch, us(1000), level="VIP", on_date=dt.date(2025, 7, 1)).margin.amount == 15
    # a level without a sheet pays the standard sale price
    gold = quote(ch, us(1000), sheet=("sale", "GOLD"), on_date=dt.date(2025, 7, 1))
    assert gold.total.amount == D("130.00") and gold.customer_level == "GOLD"


def test_margin_needs_one_currency():
    cost = one_zone_sheet(bracket(0, 5000, flat=D("100.00")))
    sale = one_zone_sheet(bracket(0, 5000, flat=D("20.00")), kind="sale", currency="USD")
    pq = quote_priced(build(channel(), cost, sale), us(1000), on_date=DAY)
    assert pq.ok and pq.margin is None and pq.margin_pct is None


def test_quote_all_keeps_order_and_refusals():
    a = build(channel("A"), one_zone_sheet(bracket(0, 5000, flat=D("10"))))
    b = build(channel("B", destinations=("GB",)), one_zone_sheet(bracket(0, 5000, flat=D("5"))))
    c = build(channel("C"), one_zone_sheet(bracket(0, 5000, flat=D("7"))))
    quotes = quote_all([a, b, c], us(1000), on_date=DAY)
    assert [(q.channel_code, q.ok) for q in quotes] == [("A", True), ("B", False), ("C", True)]
    priced = quote_all_priced([a], us(1000), on_date=DAY)
    assert priced[0].sale.reason_codes == ("no_sheet",) and priced[0].margin is None


def test_parcel_is_validated():
    with pytest.raises(ValidationFailed):
        Parcel(weight_g=0, country="US")
    with pytest.raises(ValidationFailed):
        Parcel(weight_g=1.5, country="US")  # type: ignore[arg-type]
    with pytest.raises(ValidationFailed):
        Parcel(weight_g=100, country="XX")
    assert Parcel(weight_g=100, country="uk").country == "GB"


def test_tracking_url_template():
    cfg = channel(tracking_url_template="https://t.example/track?n={tracking}")
    assert tracking_url(cfg, " RR123456785CN ") == "https://t.example/track?n=RR123456785CN"
    assert tracking_url(cfg, "a/b c") == "https://t.example/track?n=a%2Fb%20c"
    assert tracking_url(channel(), "RR123456785CN") == ""
    bad = ChannelConfig(code="X", tracking_url_template="https://t.example/track")
    assert [p.code for p in validate_channel(bad)[1]] == ["tracking_placeholder"]


def test_fuel_applies_to_a_surcharge_by_its_kind_whatever_its_code():
    """The default fuel base names surcharge kinds (remote, oversize, overweight); a remote-area
    surcharge coded "RAS" is fuelled like one coded "remote" (it silently got none before)."""
    ras = replace(REMOTE, code="RAS", description="Remote Area Service")
    s = one_zone_sheet(
        bracket(0, 30000, first_g=500, first_fee=D("120.00"), step_g=500, step_fee=D("40.00")),
        surcharges=(ras,),
        fuel=(FuelData(dt.date(2025, 1, 1), D("24.5")),),  # the default base
    )
    q = quote(build(channel(weight_cfg=courier()), s), us(1670, postcode="99501"), on_date=DAY)
    # freight 240.00; RAS 30.00 (minimum); fuel 24.5% x (240.00 + 30.00) = 66.15
    assert [(line.code, str(line.amount.amount)) for line in q.lines] == [
        ("freight", "240.00"),
        ("RAS", "30.00"),
        ("fuel", "66.15"),
    ]
    # naming the code itself works too, and then only that surcharge is fuelled
    by_code = replace(s, fuel=(FuelData(dt.date(2025, 1, 1), D("24.5"), ("RAS",)),))
    q = quote(
        build(channel(weight_cfg=courier()), by_code), us(1670, postcode="99501"), on_date=DAY
    )
    assert q.lines[-1].amount.amount == D("7.35")  # 24.5% x 30.00


def test_a_fuel_base_that_names_none_of_the_sheets_charges_is_refused():
    from tradelane.logistics.rates.validation import validate_sheet

    fixed = SurchargeData("handling", "fixed", amount=D("2.50"))
    base = one_zone_sheet(bracket(0, 30000, per_kg=D("10")), surcharges=(fixed,))
    for applies, code in (
        (("remote",), "fuel_base_empty"),  # no remote-area surcharge on this sheet
        (("oversize", "overweight"), "fuel_base_empty"),
        (("RAS",), "unknown_charge"),
    ):
        data = replace(base, fuel=(FuelData(dt.date(2025, 1, 1), D("10"), applies),))
        _, problems = validate_sheet(data)
        assert [(p.field, p.code) for p in problems] == [("applies_to", code)], applies
    ok = replace(base, fuel=(FuelData(dt.date(2025, 1, 1), D("10"), ("remote", "handling")),))
    assert validate_sheet(ok)[1] == []
    # a surcharge may not be coded as another kind's name: "remote" would mean two things
    odd = replace(base, surcharges=(SurchargeData("remote", "fixed", amount=D("1")),))
    assert [p.code for p in validate_sheet(odd)[1]] == ["code_names_another_kind"]
