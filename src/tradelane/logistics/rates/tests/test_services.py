"""Services and selectors against the database (SQLite and PostgreSQL)."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from tradelane.core.errors import Conflict, PermissionDenied, ValidationFailed
from tradelane.core.models import AuditLog
from tradelane.logistics.models import Bracket, Channel, FuelRate, RateSheet, Zone, ZoneRule
from tradelane.logistics.rates import selectors, services
from tradelane.logistics.rates.chargeable import Parcel
from tradelane.logistics.rates.descriptions import BracketData, FuelData, SheetData, SurchargeData
from tradelane.logistics.rates.engine import quote, quote_all_priced
from tradelane.logistics.tests.factories import DAY, D, bracket, one_zone_sheet

from .test_excel import full_sheet, xlsx

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_rate_cache")]

DHL = dict(
    code="DHL-EXP",
    name="DHL Express",
    carrier="DHL",
    currency="CNY",
    volumetric_divisor=5000,
    weight_step_g=500,
    weight_step_threshold_g=21000,
    weight_step_above_g=1000,
    max_weight_g=70000,
    max_declared_value="5000",
    max_declared_currency="USD",
    destinations=["us", "GB"],
    transit_days_min=3,
    transit_days_max=5,
)


@pytest.fixture
def dhl(logistics):
    return services.create_channel(logistics, **DHL)


def sheet_with(*brackets: BracketData, **kw):
    return one_zone_sheet(*brackets, **kw)


FC = bracket(0, 30000, first_g=500, first_fee=D("120.00"), step_g=500, step_fee=D("40.00"))


def test_create_channel_checks_permission_validates_and_audits(logistics, cs, dhl):
    assert dhl.destinations == ["US", "GB"]
    assert dhl.max_declared_value == D("5000")
    assert AuditLog.objects.filter(
        action="logistics.channel.create", object_id=str(dhl.pk)
    ).exists()
    with pytest.raises(PermissionDenied):
        services.create_channel(cs, **{**DHL, "code": "OTHER"})
    with pytest.raises(Conflict):
        services.create_channel(logistics, **DHL)
    with pytest.raises(ValidationFailed) as exc:
        # 21 kg is not a multiple of a 400 g step: rounding would not be idempotent
        services.create_channel(logistics, **{**DHL, "code": "X", "weight_step_g": 400})
    assert exc.value.code == "threshold_not_on_steps"
    with pytest.raises(ValidationFailed) as exc:
        services.create_channel(
            logistics,
            **{
                **DHL,
                "code": "X",
                "destinations": ["XX"],
                "transit_days_min": 9,
                "currency": "ABC",
            },
        )
    assert {e["code"] for e in exc.value.details["errors"]} == {
        "invalid_country",
        "range_reversed",
        "invalid_currency",
    }
    with pytest.raises(ValidationFailed):
        services.create_channel(logistics, **{**DHL, "code": "Y", "colour": "red"})


def test_update_channel_bumps_the_version_and_the_compiled_channel(logistics, dhl):
    services.create_rate_sheet(logistics, dhl, sheet_with(FC))
    first = selectors.compiled_channel(dhl)
    assert selectors.compiled_channel(dhl) is first  # cached
    version = Channel.objects.get(pk=dhl.pk).version
    services.update_channel(logistics, dhl, volumetric_divisor=6000, destinations=[])
    assert dhl.version == version + 1
    second = selectors.compiled_channel(dhl)
    assert second is not first and second.weight.divisor == 6000
    assert quote(second, Parcel(weight_g=1000, country="FR"), on_date=DAY).reason_codes == (
        "no_zone",
    )
    with pytest.raises(ValidationFailed):
        services.update_channel(logistics, dhl, code="NEW")


def test_rate_sheet_stored_compiled_and_quoted(logistics, dhl):
    data = full_sheet()
    sheet = services.create_rate_sheet(logistics, dhl, data)
    assert (sheet.kind, sheet.customer_level, sheet.currency) == ("sale", "VIP", "USD")
    assert Zone.objects.filter(sheet=sheet).count() == 5
    assert Bracket.objects.filter(zone__sheet=sheet).count() == len(data.brackets)
    assert selectors.sheet_data(sheet) == data
    assert AuditLog.objects.filter(action="logistics.ratesheet.create").count() == 1
    services.create_rate_sheet(logistics, dhl, sheet_with(FC))
    ch = selectors.compiled_channel(dhl)
    # 1.67 kg to the US: cost 120 + 3 x 40 = 240.00 CNY; VIP sale in USD (no margin across
    # currencies)
    (pq,) = quote_all_priced([ch], Parcel(weight_g=1670, country="US"), level="VIP", on_date=DAY)
    assert pq.cost.total.amount == D("240.00") and pq.sale.currency == "USD" and pq.margin is None
    assert pq.cost.transit_days == (3, 5)


def test_duplicate_sheet_and_invalid_sheet_write_nothing(logistics, cs, dhl):
    services.create_rate_sheet(logistics, dhl, sheet_with(FC))
    with pytest.raises(Conflict):
        services.create_rate_sheet(logistics, dhl, sheet_with(FC))
    bad = SheetData(
        currency="CNY",
        effective_date=dt.date(2025, 6, 1),
        zones=one_zone_sheet().zones,
        brackets=(bracket(0, 1000, flat=D(50)), bracket(1000, 2000, flat=D(40))),
    )
    before = (RateSheet.objects.count(), Zone.objects.count(), Bracket.objects.count())
    with pytest.raises(ValidationFailed) as exc:
        services.create_rate_sheet(logistics, dhl, bad)
    assert exc.value.code == "price_falls"
    with pytest.raises(PermissionDenied):
        services.create_rate_sheet(cs, dhl, sheet_with(FC, effective_date=dt.date(2026, 1, 1)))
    assert (RateSheet.objects.count(), Zone.objects.count(), Bracket.objects.count()) == before


def test_import_export_round_trip_through_the_database(logistics, dhl):
    sheet = services.create_rate_sheet(logistics, dhl, full_sheet())
    exported = selectors.export_rate_sheet(sheet)
    copy = services.import_rate_sheet(logistics, dhl, exported, customer_level="GOLD")
    assert copy.pk != sheet.pk and copy.customer_level == "GOLD"
    original = selectors.sheet_data(sheet)
    again = selectors.sheet_data(copy)
    assert exported[:2] == b"PK"  # a zip: an .xlsx file
    assert again == dataclasses.replace(original, customer_level="GOLD")


def test_import_with_errors_writes_nothing_and_lists_rows(logistics, dhl):
    sheet = services.create_rate_sheet(logistics, dhl, sheet_with(FC))

    def counts():
        models = (RateSheet, Zone, ZoneRule, Bracket)
        return tuple(m.objects.count() for m in models)

    before = counts()
    bad = xlsx(
        {
            "Zones": [["zone", "country"], ["A", "US"], ["B", "ZZ"]],
            "Prices": [["to_kg", "A", "B"], [1, 10, 12], [2, "x", 14]],
        }
    )
    for target in (None, sheet):
        with pytest.raises(ValidationFailed) as exc:
            services.import_rate_sheet(
                logistics,
                dhl,
                bad,
                sheet=target,
                currency="CNY",
                effective_date=dt.date(2025, 7, 1),
            )
        rows = {(e["sheet"], e["row"], e["column"], e["code"]) for e in exc.value.details["errors"]}
        assert rows == {("Zones", 3, "B", "invalid_country"), ("Prices", 3, "B", "not_a_number")}
        assert counts() == before
    assert selectors.sheet_data(sheet).brackets == (FC,)


def test_import_over_an_existing_sheet_replaces_its_content(logistics, dhl):
    sheet = services.create_rate_sheet(logistics, dhl, sheet_with(FC))
    old = selectors.compiled_channel(dhl)
    new = xlsx(
        {
            "Zones": [["zone", "country"], ["Z1", "US"]],
            "Prices": [["to_kg", "Z1"], [0.5, 99], [30, 500]],
        }
    )
    services.import_rate_sheet(logistics, dhl, new, sheet=sheet)
    sheet.refresh_from_db()
    assert sheet.effective_date == dt.date(2025, 1, 1) and sheet.currency == "CNY"
    ch = selectors.compiled_channel(dhl)
    assert ch is not old
    assert quote(ch, Parcel(weight_g=400, country="US"), on_date=DAY).total.amount == D("99.00")


def test_fuel_history_and_sheet_activation(logistics, dhl):
    sheet = services.create_rate_sheet(
        logistics,
        dhl,
        sheet_with(
            bracket(0, 5000, flat=D("100.00")),
            surcharges=(
                SurchargeData(
                    "remote",
                    "remote",
                    per_kg=D(5),
                    minimum=D(30),
                    areas=(one_zone_sheet().zones[0].rules[0],),
                ),
            ),
            fuel=(FuelData(dt.date(2025, 1, 1), D("20")),),
        ),
    )
    services.add_fuel_rate(logistics, sheet, dt.date(2025, 2, 1), "24.5", ["freight"])
    assert FuelRate.objects.filter(sheet=sheet).count() == 2
    with pytest.raises(ValidationFailed):
        services.add_fuel_rate(logistics, sheet, dt.date(2025, 2, 1), "30")  # same date
    with pytest.raises(ValidationFailed):
        services.add_fuel_rate(logistics, sheet, dt.date(2025, 3, 1), "30", ["frieght"])
    ch = selectors.compiled_channel(dhl)
    # 100 + remote minimum 30: fuel 20% of 130 in January, 24.5% of freight only from February
    p = Parcel(weight_g=1000, country="US")
    assert quote(ch, p, on_date=dt.date(2025, 1, 15)).total.amount == D("156.00")
    assert quote(ch, p, on_date=dt.date(2025, 2, 15)).total.amount == D("154.50")
    services.set_rate_sheet_active(logistics, sheet, False)
    ch = selectors.compiled_channel(dhl)
    assert quote(ch, p, on_date=DAY).reason_codes == ("no_sheet",)
    services.delete_rate_sheet(logistics, sheet)
    assert not RateSheet.objects.filter(pk=sheet.pk).exists()


def test_a_fuel_rate_is_from_0_to_100_percent_and_a_refused_one_changes_nothing(logistics, dhl):
    sheet = services.create_rate_sheet(logistics, dhl, sheet_with(bracket(0, 5000, flat=D(100))))
    services.add_fuel_rate(logistics, sheet, dt.date(2025, 1, 1), "0")
    services.add_fuel_rate(logistics, sheet, dt.date(2025, 2, 1), "100")
    before = (
        list(FuelRate.objects.order_by("pk").values_list("effective_from", "percent")),
        Channel.objects.get(pk=dhl.pk).version,
        AuditLog.objects.count(),
    )
    for percent in ("100.0001", "999", "5000", "-1"):
        with pytest.raises(ValidationFailed) as exc:
            services.add_fuel_rate(logistics, sheet, dt.date(2025, 3, 1), percent)
        errors = exc.value.details["errors"]
        assert [(e["code"], e["field"]) for e in errors] == [
            ("negative" if percent == "-1" else "fuel_out_of_range", "percent")
        ]
    assert errors[0]["message"] == "percent cannot be negative"
    with pytest.raises(ValidationFailed) as exc:
        services.add_fuel_rate(logistics, sheet, dt.date(2025, 3, 1), "999")
    assert exc.value.details["errors"][0]["message"] == (
        "A fuel surcharge is from 0 to 100% of the charges it applies to, not 999%"
    )
    after = (
        list(FuelRate.objects.order_by("pk").values_list("effective_from", "percent")),
        Channel.objects.get(pk=dhl.pk).version,
        AuditLog.objects.count(),
    )
    assert after == before
    assert [p for _, p in after[0]] == [D(0), D(100)]


def test_a_sheet_with_a_fuel_rate_over_100_percent_is_refused_whole(logistics, dhl):
    data = dataclasses.replace(
        sheet_with(bracket(0, 5000, flat=D(100))),
        fuel=(FuelData(dt.date(2025, 1, 1), D("24.5")), FuelData(dt.date(2025, 2, 1), D("245"))),
    )
    with pytest.raises(ValidationFailed) as exc:
        services.create_rate_sheet(logistics, dhl, data)
    assert [e["code"] for e in exc.value.details["errors"]] == ["fuel_out_of_range"]
    assert not RateSheet.objects.filter(channel=dhl).exists() and not FuelRate.objects.exists()


def test_priced_countries_are_those_of_the_cost_sheet_in_force(
    logistics, dhl, django_assert_num_queries
):
    from tradelane.logistics.tests.factories import country, sheet, zone

    def priced(*codes, kind="cost", level="", day=dt.date(2025, 1, 1), active=True):
        zones = [zone(f"Z{i}", country(c)) for i, c in enumerate(codes)]
        prices = [bracket(0, 1000, z.code, flat=D(10)) for z in zones]
        data = sheet(
            zones, prices, kind=kind, customer_level=level, effective_date=day, active=active
        )
        return services.create_rate_sheet(logistics, dhl, data)

    priced("US", "GB")
    priced("US", "GB", "FR", day=dt.date(2025, 6, 1))  # in force from June
    priced("US", "GB", "FR", "DE", day=dt.date(2099, 1, 1))  # not yet
    priced("US", "GB", "FR", "JP", day=dt.date(2025, 7, 1), active=False)
    priced("US", "GB", "FR", "IT", kind="sale")
    # a zone without a price prices nothing
    ch = services.create_channel(logistics, **{**DHL, "code": "HALF", "destinations": []})
    half = sheet([zone("A", country("US")), zone("B", country("ES"))], [bracket(0, 1000, "A",
                 flat=D(5))])  # fmt: skip
    services.create_rate_sheet(logistics, ch, half)
    bare = services.create_channel(logistics, **{**DHL, "code": "BARE"})
    with django_assert_num_queries(2):
        found = selectors.priced_countries([dhl.pk, ch.pk, bare.pk], dt.date(2026, 1, 1))
    assert found == {
        dhl.pk: frozenset({"US", "GB", "FR"}), ch.pk: frozenset({"US"}), bare.pk: frozenset()
    }  # fmt: skip
    assert selectors.priced_countries([dhl.pk], dt.date(2025, 3, 1)) == {
        dhl.pk: frozenset({"US", "GB"})
    }
    cov = selectors.channel_coverage([Channel.objects.get(pk=dhl.pk), ch], dt.date(2026, 1, 1))
    assert (cov[dhl.pk].declared, cov[dhl.pk].priced, cov[dhl.pk].unpriced) == (
        ("US", "GB"), ("FR", "GB", "US"), ()
    )  # fmt: skip
    assert not cov[dhl.pk].overclaims
    assert cov[ch.pk].every_country_declared and cov[ch.pk].overclaims


def test_compiling_many_channels_takes_a_fixed_number_of_queries(
    logistics, django_assert_max_num_queries
):
    for i in range(6):
        ch = services.create_channel(logistics, **{**DHL, "code": f"C{i}"})
        services.create_rate_sheet(logistics, ch, full_sheet())
        services.create_rate_sheet(logistics, ch, sheet_with(FC))
    selectors.clear_cache()
    with django_assert_max_num_queries(9):  # versions, channels, sheets + 6 content tables
        compiled = selectors.compiled_channels()
    assert [c.code for c in compiled] == [f"C{i}" for i in range(6)]
    with django_assert_max_num_queries(1):  # all cached: only the versions
        assert selectors.compiled_channels() == compiled
