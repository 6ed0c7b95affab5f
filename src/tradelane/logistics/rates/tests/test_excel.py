"""Excel import and export of rate sheets: the provider grid, row-level errors, round trips."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from tradelane.core.errors import ValidationFailed
from tradelane.logistics.rates.chargeable import Parcel
from tradelane.logistics.rates.descriptions import (
    AreaRule,
    BracketData,
    FuelData,
    SurchargeData,
    ZoneData,
)
from tradelane.logistics.rates.engine import quote
from tradelane.logistics.rates.excel import read_workbook, write_workbook
from tradelane.logistics.tests.factories import DAY, D, build, channel, courier, sheet, zone


def xlsx(tabs: dict[str, list[list]]) -> bytes:
    wb = Workbook()
    wb.remove(wb.active)
    for title, rows in tabs.items():
        ws = wb.create_sheet(title)
        for row in rows:
            ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


HEADER = [["currency", "CNY"], ["effective_date", dt.date(2025, 1, 1)]]


def full_sheet():
    zones = [
        zone("1", AreaRule("US"), AreaRule("CA"), name="North America"),
        zone("2", AreaRule("US", postcode_prefix="99"), name="US remote"),
        zone("3", AreaRule("GB", postcode_from="EC1A", postcode_to="EC4Z"), name="London EC"),
        zone("4", AreaRule("US", postcode_from="01000", postcode_to="02799")),
        zone("5", AreaRule("FR", city="Paris")),
    ]
    brackets = [
        BracketData("1", 0, 500, flat=D("55.5")),
        BracketData("1", 500, 1000, flat=D("80")),
        BracketData("1", 1000, 30000, first_g=1000, first_fee=D("80"), step_g=500,
                    step_fee=D("20.25")),
        BracketData("2", 0, 500, flat=D("60"), registration=D("8")),
        BracketData("2", 500, 2000, flat=D("5"), per_kg=D("110.1234"), registration=D("8")),
        BracketData("3", 0, 2000, per_kg=D("85"), registration=D("18")),
        BracketData("4", 0, 1000, flat=D("0")),
        BracketData("5", 250, 750, flat=D("12")),
    ]  # fmt: skip
    surcharges = (
        SurchargeData("remote", "remote", description="DHL remote", per_kg=D("5"),
                      minimum=D("30"), areas=(AreaRule("US", postcode_prefix="995"),
                                              AreaRule("AU", postcode_from="0800",
                                                       postcode_to="0899"),
                                              AreaRule("NO", city="Longyearbyen"))),
        SurchargeData("oversize", "oversize", amount=D("150"), threshold_mm=1200),
        SurchargeData("overweight", "overweight", amount=D("200"), threshold_g=70000),
        SurchargeData("battery", "battery", amount=D("8")),
        SurchargeData("handling", "fixed", description="操作费", amount=D("2.5")),
    )  # fmt: skip
    fuel = (
        FuelData(dt.date(2025, 1, 1), D("20"), ("freight", "remote")),
        FuelData(dt.date(2025, 2, 1), D("24.5")),
    )
    return sheet(zones, brackets, surcharges=surcharges, fuel=fuel, kind="sale",
                 customer_level="VIP", name="2025 rates", currency="USD")  # fmt: skip


def test_export_then_import_gives_the_same_sheet():
    data = full_sheet()
    again = read_workbook(write_workbook(data))
    assert again == data
    # and the same prices
    cfg = channel(weight_cfg=courier())
    a = quote(build(cfg, data), Parcel(weight_g=1670, country="US", postcode="99501"),
              sheet=("sale", "VIP"), on_date=DAY)  # fmt: skip
    b = quote(build(cfg, again), Parcel(weight_g=1670, country="US", postcode="99501"),
              sheet=("sale", "VIP"), on_date=DAY)  # fmt: skip
    assert a.ok and a.total == b.total and a.lines == b.lines


def test_provider_grid_with_upper_bounds_only():
    # the usual provider file: weights (kg) down, zones across; zone codes are numbers
    data = read_workbook(
        xlsx(
            {
                "分区": [["分区", "国家"], [1, "US, CA"], [2, "GB"], [2, "IE"]],
                "价格": [
                    ["重量", 1, 2],
                    [0.5, 100, 120],
                    [1, 150, None],
                    [1.5, 190, "-"],
                    [2, 230, 250],
                ],
                "Sheet": HEADER,
            }
        )
    )
    assert [z.code for z in data.zones] == ["1", "2"]
    assert data.zones[0].rules == (AreaRule("US"), AreaRule("CA"))
    got = [(b.zone, b.lower_g, b.upper_g, b.flat) for b in data.brackets]
    assert got == [
        ("1", 0, 500, D(100)), ("1", 500, 1000, D(150)), ("1", 1000, 1500, D(190)),
        ("1", 1500, 2000, D(230)), ("2", 0, 500, D(120)), ("2", 1500, 2000, D(250)),
    ]  # fmt: skip
    ch = build(channel(), data)
    assert quote(ch, Parcel(weight_g=1200, country="CA"), on_date=DAY).total.amount == 190
    # zone 2 has nothing between 0.5 and 1.5 kg: refused there, not priced wrongly
    q = quote(ch, Parcel(weight_g=800, country="GB"), on_date=DAY)
    assert q.reason_codes == ("no_bracket",)


def test_formulas_sheet_and_overrides():
    data = read_workbook(
        xlsx(
            {
                "Zones": [["zone", "country"], ["EU", "DE"]],
                "Formulas": [
                    ["zone", "to_kg", "first_kg", "first_fee", "step_kg", "step_fee"],
                    ["EU", 30, 0.5, 120, 0.5, 40],
                ],
            }
        ),
        overrides={"currency": "EUR", "effective_date": dt.date(2025, 5, 1)},
    )
    assert data.currency == "EUR" and data.effective_date == dt.date(2025, 5, 1)
    (b,) = data.brackets
    assert (b.lower_g, b.upper_g, b.first_g, b.first_fee, b.step_g, b.step_fee) == (
        0, 30000, 500, D(120), 500, D(40))  # fmt: skip


def errors_of(content: bytes, **overrides) -> list[dict]:
    with pytest.raises(ValidationFailed) as exc:
        read_workbook(content, overrides=overrides or None)
    assert exc.value.code == "import_failed"
    return exc.value.details["errors"]


def test_row_level_errors_name_sheet_row_column_and_code():
    content = xlsx(
        {
            "Zones": [
                ["zone", "country", "postcode_from", "postcode_to"],
                ["A", "US"],
                ["B", "XX"],  # row 3: unknown country
                ["C", "US", "9000", "100"],  # row 4: reversed range
                ["D", "GB", "EC1A", "EC4"],  # row 5: text range of unequal lengths
                ["", "US"],  # row 6: no zone
            ],
            "Prices": [
                ["to_kg", "A", "Q"],  # C1: unknown zone Q
                [0.5, 10, 1],
                [1, "abc", 2],  # B3: not a number
                [1.0004, 30, 3],  # A4: not whole grams
                [2, -5, 4],  # B5: negative price
                [3, 20, 5],  # B6: price falls after 2 kg (is -5: reported on row 5 already)
            ],
            "Sheet": HEADER,
        }
    )
    errors = errors_of(content)
    found = {(e["sheet"], e["row"], e["column"], e["code"]) for e in errors}
    assert ("Zones", 3, "B", "invalid_country") in found
    assert ("Zones", 4, "D", "range_reversed") in found
    assert ("Zones", 5, "D", "range_lengths") in found
    assert ("Zones", 6, "A", "required") in found
    assert ("Prices", 1, "C", "unknown_zone") in found
    assert ("Prices", 3, "B", "not_a_number") in found
    assert ("Prices", 4, "A", "not_whole_grams") in found
    assert ("Prices", 5, "B", "negative") in found
    assert all(e["message"] for e in errors)


def test_falling_prices_overlaps_and_missing_header_are_errors():
    content = xlsx(
        {
            "Zones": [["zone", "country"], ["A", "US"]],
            "Prices": [["from_kg", "to_kg", "A"], [0, 1, 50], [1, 2, 40], [1.5, 3, 60]],
        }
    )
    errors = errors_of(content)
    found = {(e["sheet"], e["row"], e["column"], e["code"]) for e in errors}
    assert ("Prices", 3, "C", "price_falls") in found
    assert ("Prices", 4, "A", "overlapping_brackets") in found
    assert {e["code"] for e in errors if e["sheet"] == "Sheet"} == {"required"}  # no currency/date


def test_missing_sheets_and_not_an_excel_file():
    with pytest.raises(ValidationFailed) as exc:
        read_workbook(b"not a zip")
    assert exc.value.code == "not_xlsx"
    errors = errors_of(xlsx({"Other": [["x"]]}), currency="CNY", effective_date=DAY)
    assert {e["code"] for e in errors} >= {"missing_sheet"}


def test_surcharge_and_fuel_rows_are_checked():
    content = xlsx(
        {
            "Zones": [["zone", "country"], ["A", "US"]],
            "Prices": [["to_kg", "A"], [1, 10]],
            "Surcharges": [["code", "kind", "amount"], ["x", "bogus", 1], ["big", "oversize", 5]],
            "Remote areas": [["surcharge", "country"], ["nope", "US"]],
            "Fuel": [["effective_from", "percent", "applies_to"], ["2025-13-01", 10, "freight"],
                     ["2025-01-01", 10, "freigth"], ["2025-02-01", 245, "freight"]],
            "Sheet": HEADER,
        }
    )  # fmt: skip
    found = {(e["sheet"], e["row"], e["code"]) for e in errors_of(content)}
    assert ("Surcharges", 2, "invalid_kind") in found
    assert ("Surcharges", 3, "required") in found  # oversize without threshold_mm
    assert ("Remote areas", 2, "unknown_surcharge") in found
    assert ("Fuel", 2, "invalid_date") in found
    assert ("Fuel", 3, "unknown_charge") in found
    assert ("Fuel", 4, "fuel_out_of_range") in found  # 245% for 24.5%: refused


codes = st.text("ABCDEFGHJK0123456789", min_size=1, max_size=4)
amounts = st.decimals(min_value=0, max_value=99999, places=2, allow_nan=False)


@st.composite
def sheets(draw):
    zone_codes = draw(st.lists(codes, min_size=1, max_size=5, unique=True))
    n = len(zone_codes)
    pool = ["US", "GB", "DE", "FR", "JP", "CN", "AU", "BR"]
    countries = draw(st.lists(st.sampled_from(pool), min_size=n, max_size=n, unique=True))
    zones = []
    for code, country in zip(zone_codes, countries, strict=True):
        rules = [AreaRule(country)]
        if draw(st.booleans()):
            rules.append(
                AreaRule(
                    country, postcode_prefix=draw(st.text("0123456789", min_size=1, max_size=3))
                )
            )
        zones.append(ZoneData(code, draw(st.text("abc 中文", max_size=8)).strip(), tuple(rules)))
    brackets = []
    for z in zone_codes:
        uppers = sorted(draw(st.sets(st.integers(1, 50_000), min_size=1, max_size=4)))
        lower, price, registration = 0, D(0), D(0)
        for upper in uppers:
            price += draw(amounts)
            kind = draw(st.sampled_from(["flat", "first", "perkg"]))
            if kind == "flat":
                b = BracketData(z, lower, upper, flat=price, registration=registration or None)
            elif kind == "first":
                b = BracketData(
                    z,
                    lower,
                    upper,
                    flat=price,
                    first_g=lower,
                    first_fee=D(0),
                    step_g=draw(st.integers(1, 1000)),
                    step_fee=draw(amounts),
                    registration=registration or None,
                )
            else:
                registration += draw(amounts)
                b = BracketData(
                    z, lower, upper, flat=price, per_kg=D("0"), registration=registration
                )
            brackets.append(b)
            price = b.freight(upper)  # the next bracket starts at least here
            lower = upper
    return sheet(zones, brackets, currency=draw(st.sampled_from(["CNY", "USD", "JPY"])))


@settings(max_examples=25, deadline=None)
@given(sheets())
def test_round_trip_property(data):
    assert read_workbook(write_workbook(data)) == data


# --- formula injection and import limits ----------------------------------------------------


def test_formula_like_text_is_written_as_text_and_read_back_as_it_was():
    import zipfile

    from openpyxl import load_workbook

    zones = [
        zone("=Z1", AreaRule("US", city="@SUM(A1)"), name='=HYPERLINK("http://x","y")'),
        zone("-5", AreaRule("CA")),
    ]
    brackets = [BracketData("=Z1", 0, 500, flat=D("5")), BracketData("-5", 0, 500, flat=D("6"))]
    surcharges = (SurchargeData("handling", "fixed", description="+1+2", amount=D("2")),)
    data = sheet(zones, brackets, surcharges=surcharges, name="=cmd|'/c calc'!A1")
    content = write_workbook(data)
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        for name in archive.namelist():
            if name.startswith("xl/worksheets/"):
                xml = archive.read(name)
                assert b"<f>" not in xml and b"<f " not in xml, name
    wb = load_workbook(io.BytesIO(content))
    cells = [c for ws in wb.worksheets for row in ws.iter_rows() for c in row]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    texts = {c.value for c in cells if isinstance(c.value, str)}
    assert {'=HYPERLINK("http://x","y")', "@SUM(A1)", "=Z1", "-5", "+1+2"} <= texts
    assert read_workbook(content) == data


def test_a_tab_past_the_row_limit_is_refused(settings):
    from tradelane.core.spreadsheet_safety import FileLimitExceeded

    settings.IMPORT_MAX_ROWS = 3
    tabs = {"Zones": [["zone", "country"]] + [[f"Z{i}", "US"] for i in range(4)]}
    with pytest.raises(FileLimitExceeded) as exc:
        read_workbook(xlsx({**tabs, "Sheet": HEADER}))
    assert exc.value.code == "file_too_many_rows" and exc.value.details["limit"] == 3
