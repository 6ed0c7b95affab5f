"""Channels, rate sheets and quotes through the HTTP API, including refusals that change nothing."""

from __future__ import annotations

import io

import pytest
from django.contrib.auth.models import Permission
from openpyxl import load_workbook

from tradelane.accounts import roles
from tradelane.api.testing import Api, role_clients
from tradelane.core.models import AuditLog
from tradelane.logistics.models import Bracket, Channel, FuelRate, RateSheet, Zone
from tradelane.logistics.rates import selectors
from tradelane.logistics.rates.samples import create_sample_channels

pytestmark = pytest.mark.django_db


@pytest.fixture
def api_as(make_user):
    return role_clients(make_user)


@pytest.fixture
def lg(api_as):
    return api_as(roles.LOGISTICS)


@pytest.fixture
def world(logistics):
    selectors.clear_cache()
    return create_sample_channels(logistics)


@pytest.fixture
def viewer(make_user):
    """A user who may look and quote but not change anything."""
    user = make_user(roles.CUSTOMER_SERVICE, "viewer")
    user.user_permissions.add(Permission.objects.get(codename="view_channel"))
    return Api(type(user).objects.get(pk=user.pk))


def state():
    """Everything a logistics write may touch, to prove a refusal changed nothing."""
    return (
        list(Channel.objects.order_by("pk").values()),
        list(RateSheet.objects.order_by("pk").values()),
        Zone.objects.count(),
        Bracket.objects.count(),
        FuelRate.objects.count(),
        AuditLog.objects.count(),
    )


CHANNEL = {
    "code": "SF-INTL",
    "name": "SF International Economy",
    "carrier": "SF",
    "currency": "CNY",
    "max_weight_kg": "30",
    "max_length_cm": "120.5",
    "destinations": ["us", "GB"],
    "transit_days_min": 5,
    "transit_days_max": 9,
    "volumetric_divisor": 6000,
    "weight_step_kg": "0.5",
    "weight_step_threshold_kg": "21",
    "weight_step_above_kg": "1",
    "min_chargeable_kg": "0.1",
    "tracking_url_template": "https://sf.example/track/{tracking}",
    "service_type": "express",
    "s10_prefix": "lx",
    "s10_country": "CN",
}

SHEET = {
    "kind": "cost",
    "currency": "CNY",
    "effective_date": "2026-01-01",
    "name": "SF 2026",
    "zones": [
        {"code": "A", "name": "US", "rules": [{"country": "US"}]},
        {"code": "B", "rules": [{"country": "GB"}, {"country": "US", "postcode_prefix": "995"}]},
    ],
    "brackets": [
        {"zone": "A", "to_kg": "0.5", "flat": "60"},
        {"zone": "A", "from_kg": "0.5", "to_kg": "30", "first_kg": "0.5", "first_fee": "60",
         "step_kg": "0.5", "step_fee": "20"},
        {"zone": "B", "to_kg": "2", "per_kg": "90", "registration": "18"},
    ],
    "surcharges": [
        {"code": "oversize", "kind": "oversize", "amount": "150", "threshold_cm": "100"},
    ],
    "fuel": [{"effective_from": "2026-01-01", "percent": "12.5", "applies_to": ["freight"]}],
}  # fmt: skip


# --- channels -------------------------------------------------------------------------------


def test_create_get_and_patch_a_channel_in_kg_and_cm(lg):
    r = lg.post("/channels", CHANNEL)
    assert r.status_code == 201, r.json()
    body = r.json()
    assert body["code"] == "SF-INTL" and body["destinations"] == ["US", "GB"]
    assert body["max_weight_kg"] == "30" and body["max_length_cm"] == "120.5"
    assert body["weight_step_kg"] == "0.5" and body["sheet_count"] == 0
    assert (body["service_type"], body["s10_prefix"], body["label_size"]) == (
        "express",
        "LX",
        "4x6",
    )
    assert body["carrier_account"] == "" and body["expire_after_days"] is None
    ch = Channel.objects.get(code="SF-INTL")
    assert (ch.max_weight_g, ch.max_length_mm, ch.weight_step_g) == (30000, 1205, 500)
    assert (ch.weight_step_threshold_g, ch.weight_step_above_g, ch.min_chargeable_g) == (
        21000, 1000, 100,
    )  # fmt: skip

    got = lg.get("/channels/SF-INTL").json()
    assert got == body

    r = lg.patch("/channels/SF-INTL", {"max_weight_kg": None, "transit_days_max": 12,
                                       "accepts_battery": True})  # fmt: skip
    assert r.status_code == 200, r.json()
    ch.refresh_from_db()
    assert ch.max_weight_g is None and ch.transit_days_max == 12 and ch.accepts_battery
    assert ch.version == 2
    assert lg.get("/channels/NOPE").status_code == 404


def test_activate_and_deactivate_a_channel(lg, world):
    r = lg.post("/channels/EMS/deactivate")
    assert r.status_code == 200 and r.json()["is_active"] is False
    assert not Channel.objects.get(code="EMS").is_active
    r = lg.post("/channels/EMS/activate")
    assert r.json()["is_active"] is True and Channel.objects.get(code="EMS").is_active


def test_channel_list_filters_and_counts_sheets(lg, world, django_assert_max_num_queries):
    with django_assert_max_num_queries(6):  # session, user, 2 x permissions, count, page
        r = lg.get("/channels")
    body = r.json()
    assert body["count"] == 5
    assert [c["code"] for c in body["items"]] == [
        "CNPOST-RSP", "DHL-EXP", "EMS", "US-LINE", "YW-EXPRESS",
    ]  # fmt: skip
    counts = {c["code"]: c["sheet_count"] for c in body["items"]}
    assert counts == {"CNPOST-RSP": 2, "DHL-EXP": 3, "EMS": 2, "US-LINE": 2, "YW-EXPRESS": 2}

    def codes(**params):
        return [c["code"] for c in lg.get("/channels", params).json()["items"]]

    # EMS, DHL and the postal line list JP among the countries their sheets price
    assert codes(country="JP") == ["CNPOST-RSP", "DHL-EXP", "EMS"]
    assert codes(country="US") == ["CNPOST-RSP", "DHL-EXP", "EMS", "US-LINE", "YW-EXPRESS"]
    assert codes(carrier="dhl") == ["DHL-EXP"]
    assert codes(kind="karrio") == []
    lg.post("/channels/EMS/deactivate")
    assert codes(active="false") == ["EMS"]
    assert "EMS" not in codes(active="true")
    assert codes(limit=2, offset=1) == ["DHL-EXP", "EMS"]


def test_channel_input_errors_are_422_with_codes(lg, world):
    before = state()
    r = lg.post("/channels", {**CHANNEL, "max_weight_kg": "-1", "bogus": 1})
    assert r.status_code == 422 and r.json()["code"] == "validation_error"
    fields = {d["field"] for d in r.json()["details"]}
    assert {"max_weight_kg", "bogus"} <= fields
    r = lg.post("/channels", {**CHANNEL, "max_weight_kg": "1.0005"})
    assert r.status_code == 422  # more than whole grams
    r = lg.post("/channels", {**CHANNEL, "destinations": ["XX"]})
    assert r.status_code == 422 and r.json()["code"] == "invalid_country"
    r = lg.post("/channels", {**CHANNEL, "tracking_url_template": "https://x/no-placeholder"})
    assert r.status_code == 422 and r.json()["code"] == "tracking_placeholder"
    r = lg.post("/channels", {**CHANNEL, "code": "EMS"})
    assert r.status_code == 409 and r.json()["code"] == "duplicate_code"
    r = lg.patch("/channels/EMS", {"weight_step_threshold_kg": "21"})
    assert r.status_code == 422 and r.json()["code"] == "incomplete_step"
    r = lg.patch("/channels/EMS", {"carrier_account": "NOPE"})
    assert r.status_code == 422 and r.json()["code"] == "not_found"
    r = lg.patch("/channels/EMS", {"service_type": "teleport"})
    assert r.status_code == 422 and r.json()["details"][0]["field"] == "service_type"
    assert state() == before


def test_permissions_refuse_and_change_nothing(api_as, viewer, world):
    cs = api_as(roles.CUSTOMER_SERVICE)
    sheet = RateSheet.objects.filter(channel__code="EMS").first()
    base = f"/channels/EMS/rate-sheets/{sheet.pk}"
    before = state()
    for method, path, body in [
        ("get", "/channels", None),
        ("get", "/channels/EMS", None),
        ("get", "/channels/EMS/rate-sheets", None),
        ("get", base, None),
        ("get", f"{base}/download", None),
        ("post", "/quotes", {"weight_kg": "1", "country": "US"}),
    ]:
        r = cs.get(path) if method == "get" else cs.post(path, body)
        assert r.status_code == 403, (path, r.content)
        assert r.json()["code"] == "permission_denied"
    # the viewer reads and quotes, but may not change a thing
    assert viewer.get("/channels").status_code == 200
    assert viewer.post("/quotes", {"weight_kg": "1", "country": "US"}).status_code == 200
    for r in (
        viewer.post("/channels", CHANNEL),
        viewer.patch("/channels/EMS", {"name": "x"}),
        viewer.post("/channels/EMS/deactivate"),
        viewer.post("/channels/EMS/rate-sheets", SHEET),
        viewer.put(base, SHEET) if hasattr(viewer, "put") else viewer._send("put", base, SHEET),
        viewer.post(f"{base}/deactivate"),
        viewer.post(f"{base}/fuel-rates", {"effective_from": "2026-12-01", "percent": "3"}),
        viewer.delete(base),
    ):
        assert r.status_code == 403, r.content
    assert state() == before


# --- rate sheets ----------------------------------------------------------------------------


def test_create_get_replace_and_delete_a_sheet_from_json(lg):
    lg.post("/channels", CHANNEL)
    r = lg.post("/channels/SF-INTL/rate-sheets", SHEET)
    assert r.status_code == 201, r.json()
    body = r.json()
    sid = body["id"]
    assert body["zone_count"] == 2 and body["bracket_count"] == 3
    assert body["brackets"][1] == {
        "zone": "A", "from_kg": "0.5", "to_kg": "30", "flat": None, "first_kg": "0.5",
        "first_fee": "60", "step_kg": "0.5", "step_fee": "20", "per_kg": None,
        "registration": None, "currency": "CNY",
    }  # fmt: skip
    assert body["zones"][1]["rules"][1]["text"] == "US postcode 995*"
    assert body["surcharges"][0]["threshold_cm"] == "100"
    assert body["fuel"] == [
        {"effective_from": "2026-01-01", "percent": "12.5", "applies_to": ["freight"]}
    ]
    assert lg.get(f"/channels/SF-INTL/rate-sheets/{sid}").json() == body
    assert lg.get(f"/channels/EMS/rate-sheets/{sid}").status_code == 404

    # a second sheet the same day is a conflict; a sale sheet is not
    assert lg.post("/channels/SF-INTL/rate-sheets", SHEET).status_code == 409
    sale = {**SHEET, "kind": "sale", "customer_level": "VIP"}
    assert lg.post("/channels/SF-INTL/rate-sheets", sale).status_code == 201

    replaced = {**SHEET, "brackets": SHEET["brackets"][:1] + SHEET["brackets"][2:]}
    r = lg._send("put", f"/channels/SF-INTL/rate-sheets/{sid}", replaced)
    assert r.status_code == 200 and r.json()["bracket_count"] == 2
    assert Bracket.objects.filter(zone__sheet_id=sid).count() == 2

    r = lg.post(f"/channels/SF-INTL/rate-sheets/{sid}/deactivate")
    assert r.status_code == 200 and r.json()["is_active"] is False
    r = lg.post(f"/channels/SF-INTL/rate-sheets/{sid}/activate")
    assert r.json()["is_active"] is True

    assert lg.delete(f"/channels/SF-INTL/rate-sheets/{sid}").status_code == 204
    assert not RateSheet.objects.filter(pk=sid).exists()
    assert not Zone.objects.filter(sheet_id=sid).exists()


def test_sheet_errors_are_422_with_every_problem_and_nothing_written(lg, world):
    before = state()
    bad = {**SHEET, "brackets": [{"zone": "A", "to_kg": "1", "flat": "50"},
                                 {"zone": "A", "from_kg": "1", "to_kg": "2", "flat": "40"},
                                 {"zone": "Q", "to_kg": "1", "flat": "1"}]}  # fmt: skip
    r = lg.post("/channels/EMS/rate-sheets", bad)
    assert r.status_code == 422
    codes = {e["code"] for e in r.json()["details"]["errors"]}
    assert codes == {"price_falls", "unknown_zone"}
    r = lg.post("/channels/EMS/rate-sheets", {**SHEET, "kind": "other", "zones": []})
    assert r.status_code == 422 and r.json()["code"] == "validation_error"
    assert {d["field"] for d in r.json()["details"]} == {"kind", "zones"}
    assert state() == before


def test_sheet_list_and_detail_have_bounded_queries(lg, world, django_assert_max_num_queries):
    with django_assert_max_num_queries(7):  # 4 for the user, channel, count, page
        r = lg.get("/channels/DHL-EXP/rate-sheets")
    items = r.json()["items"]
    assert [(s["kind"], s["customer_level"]) for s in items] == [
        ("cost", ""), ("sale", ""), ("sale", "VIP"),
    ]  # fmt: skip
    assert {s["zone_count"] for s in items} == {4} and {s["bracket_count"] for s in items} == {44}
    assert [s["kind"] for s in lg.get("/channels/DHL-EXP/rate-sheets", {"kind": "sale"})
            .json()["items"]] == ["sale", "sale"]  # fmt: skip
    with django_assert_max_num_queries(13):  # 4 for the user, channel, sheet, 7 for content
        detail = lg.get(f"/channels/DHL-EXP/rate-sheets/{items[0]['id']}").json()
    assert len(detail["fuel"]) == 3 and detail["surcharges"][0]["areas"][0]["text"] == (
        "US postcode 995*"
    )


def test_the_openapi_bounds_a_fuel_rate_from_0_to_100_percent(lg):
    spec = lg.client.get("/api/v1/openapi.json").json()
    percent = spec["components"]["schemas"]["FuelRateIn"]["properties"]["percent"]
    number = next(s for s in percent["anyOf"] if s["type"] == "number")
    assert (number["minimum"], number["maximum"]) == (0, 100)


def test_add_a_fuel_rate(lg, world):
    sheet = RateSheet.objects.get(channel__code="DHL-EXP", kind="cost")
    path = f"/channels/DHL-EXP/rate-sheets/{sheet.pk}/fuel-rates"
    r = lg.post(path, {"effective_from": "2026-12-01", "percent": "27.5"})
    assert r.status_code == 201, r.json()
    assert r.json() == {
        "effective_from": "2026-12-01", "percent": "27.5",
        "applies_to": ["freight", "remote", "oversize", "overweight"],
    }  # fmt: skip
    assert FuelRate.objects.filter(sheet=sheet).count() == 4
    before = state()
    r = lg.post(path, {"effective_from": "2026-12-01", "percent": "28"})
    assert r.status_code == 422 and r.json()["code"] == "duplicate_date"
    r = lg.post(path, {"effective_from": "2027-01-01", "percent": "2", "applies_to": ["frieght"]})
    assert r.status_code == 422 and r.json()["code"] == "unknown_charge"
    r = lg.post(path, {"effective_from": "2027-01-01", "percent": "-2"})
    assert r.status_code == 422
    # from 0 to 100 percent: 999 and 5000 are refused by the schema, nothing written
    for percent in ("100.0001", "999", "5000", 999):
        r = lg.post(path, {"effective_from": "2027-01-01", "percent": percent})
        assert r.status_code == 422 and r.json()["code"] == "validation_error", percent
    assert state() == before
    # the special line has no oversize surcharge: a fuel rate on it alone would fuel nothing
    yw = RateSheet.objects.get(channel__code="YW-EXPRESS", kind="cost")
    yw_path = f"/channels/YW-EXPRESS/rate-sheets/{yw.pk}/fuel-rates"
    r = lg.post(
        yw_path, {"effective_from": "2027-01-01", "percent": "5", "applies_to": ["oversize"]}
    )
    assert r.status_code == 422 and r.json()["code"] == "fuel_base_empty"
    assert state() == before


# --- Excel ----------------------------------------------------------------------------------


def upload(api: Api, path: str, content: bytes, name: str = "rates.xlsx", **form):
    f = io.BytesIO(content)
    f.name = name
    return api.client.post("/api/v1" + path, {"file": f, **form})


def broken(content: bytes) -> bytes:
    """The workbook with one price cell that is not a number (Prices, row 3, column C)."""
    wb = load_workbook(io.BytesIO(content))
    ws = wb["Prices"]
    ws["C3"] = "abc"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def test_excel_round_trip_upload_download_upload(lg, world):
    sheet = RateSheet.objects.get(channel__code="DHL-EXP", kind="cost")
    r = lg.get(f"/channels/DHL-EXP/rate-sheets/{sheet.pk}/download")
    assert r.status_code == 200
    assert r["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "DHL-EXP-cost-2026-01-01.xlsx" in r["Content-Disposition"]
    content = r.content
    original = selectors.sheet_data(sheet)

    # the download, uploaded to another channel as a new sheet, is the same sheet
    lg.post("/channels", CHANNEL)
    r = upload(lg, "/channels/SF-INTL/rate-sheets/upload", content)
    assert r.status_code == 201, r.json()
    new = RateSheet.objects.get(pk=r.json()["id"])
    assert selectors.sheet_data(new) == original
    assert r.json()["bracket_count"] == 44 and len(r.json()["fuel"]) == 3

    # and downloaded again, then uploaded over itself, nothing changes
    again = lg.get(f"/channels/SF-INTL/rate-sheets/{new.pk}/download").content
    r = upload(lg, f"/channels/SF-INTL/rate-sheets/{new.pk}/upload", again)
    assert r.status_code == 200, r.json()
    assert selectors.sheet_data(RateSheet.objects.get(pk=new.pk)) == original

    # form fields win over the file's Sheet tab
    r = upload(lg, "/channels/SF-INTL/rate-sheets/upload", content, kind="sale",
               customer_level="VIP", effective_date="2026-06-01")  # fmt: skip
    assert r.status_code == 201, r.json()
    assert (r.json()["kind"], r.json()["customer_level"], r.json()["effective_date"]) == (
        "sale", "VIP", "2026-06-01",
    )  # fmt: skip


def test_excel_upload_with_a_broken_row_is_422_with_the_row_and_writes_nothing(lg, world):
    sheet = RateSheet.objects.get(channel__code="DHL-EXP", kind="cost")
    content = lg.get(f"/channels/DHL-EXP/rate-sheets/{sheet.pk}/download").content
    before = state()
    r = upload(lg, "/channels/EMS/rate-sheets/upload", broken(content))
    assert r.status_code == 422
    body = r.json()
    assert body["code"] == "import_failed"
    assert body["details"] == [
        {"tab": "Prices", "row": 3, "column": "C", "code": "not_a_number",
         "message": body["details"][0]["message"]},
    ]  # fmt: skip
    assert body["details"][0]["message"]
    # over an existing sheet: refused the same way, the sheet unchanged
    r = upload(lg, f"/channels/DHL-EXP/rate-sheets/{sheet.pk}/upload", broken(content))
    assert r.status_code == 422 and r.json()["details"][0]["row"] == 3
    r = upload(lg, "/channels/EMS/rate-sheets/upload", b"not a zip", name="x.xlsx")
    assert r.status_code == 422 and r.json()["code"] == "not_xlsx"
    r = upload(lg, "/channels/EMS/rate-sheets/upload", b"a,b", name="x.csv")
    assert r.status_code == 422 and r.json()["code"] == "not_excel"
    assert state() == before


# --- quotes ---------------------------------------------------------------------------------

PARCEL = {
    "weight_kg": "1.2", "length_cm": "30", "width_cm": "20", "height_cm": "10",
    "country": "US", "postcode": "99501", "city": "Anchorage",
    "declared_value": "40", "declared_currency": "USD", "received_on": "2026-11-20",
}  # fmt: skip


def test_quotes_rank_every_channel_cheapest_first_and_explain(lg, world):
    r = lg.post("/quotes", PARCEL)
    assert r.status_code == 200, r.json()
    body = r.json()
    assert (body["count"], body["priced"], body["refused"]) == (5, 5, 0)
    totals = [(q["channel"]["code"], q["total"]) for q in body["quotes"]]
    assert totals == [
        ("YW-EXPRESS", "122.50"), ("US-LINE", "157.50"), ("CNPOST-RSP", "171.38"),
        ("EMS", "412.50"), ("DHL-EXP", "907.42"),
    ]  # fmt: skip
    dhl = body["quotes"][-1]
    assert dhl["currency"] == "CNY" and dhl["price_sheet"] == "sale"
    assert dhl["chargeable"]["chargeable_kg"] == "1.5" and dhl["chargeable"]["divisor"] == 5000
    assert dhl["chargeable"]["volumetric_kg"] == "1.2" and dhl["chargeable"]["step_kg"] == "0.5"
    assert dhl["zone"] == "Z5" and dhl["zone_rule"] == "country US"
    sale_lines = [(line["code"], line["amount"]) for line in dhl["sale"]["lines"]]
    assert sale_lines == [("freight", "487.50"), ("remote", "231.25"), ("fuel", "188.67")]
    cost_lines = [(line["code"], line["amount"]) for line in dhl["cost"]["lines"]]
    assert cost_lines == [("freight", "390.00"), ("remote", "185.00"), ("fuel", "150.94")]
    assert dhl["cost"]["total"] == "725.94" and dhl["margin"] == "181.48"
    assert dhl["margin_pct"] == "20.00" and dhl["transit_days_min"] == 3
    assert any("26.2500%" in line for line in dhl["explain"])
    us = body["quotes"][1]
    assert us["zone"] == "W" and us["sale"]["zone_rule"] == {
        "kind": "prefix", "text": "US postcode 9*",
    }  # fmt: skip

    # the VIP level gets the VIP sale sheet on DHL and the standard one elsewhere
    vip = lg.post("/quotes", {**PARCEL, "customer_level": "VIP", "channels": ["DHL-EXP", "EMS"]})
    by_code = {q["channel"]["code"]: q for q in vip.json()["quotes"]}
    assert set(by_code) == {"DHL-EXP", "EMS"}
    assert by_code["DHL-EXP"]["sale"]["customer_level"] == "VIP"
    assert by_code["DHL-EXP"]["total"] == "834.83"  # 448.50 + 212.75 + 26.25% fuel 173.58
    assert by_code["EMS"]["total"] == "412.50"


def test_refused_channels_list_every_reason(lg, world):
    parcel = {**PARCEL, "weight_kg": "3", "battery": True, "country": "JP", "postcode": ""}
    body = lg.post("/quotes", parcel).json()
    by_code = {q["channel"]["code"]: q for q in body["quotes"]}
    assert [q["ok"] for q in body["quotes"]] == [True, False, False, False, False]
    assert body["quotes"][0]["channel"]["code"] == "DHL-EXP"
    assert body["quotes"][0]["zone"] == "Z2" and body["quotes"][0]["reasons"] == []
    # refused ones come after, by code
    assert [q["channel"]["code"] for q in body["quotes"][1:]] == [
        "CNPOST-RSP", "EMS", "US-LINE", "YW-EXPRESS",
    ]  # fmt: skip
    assert {r["code"] for r in by_code["CNPOST-RSP"]["reasons"]} == {
        "overweight", "battery_not_accepted", "no_bracket",
    }  # fmt: skip
    assert [r["code"] for r in by_code["EMS"]["reasons"]] == ["battery_not_accepted"]
    assert {r["code"] for r in by_code["US-LINE"]["reasons"]} == {
        "destination_not_served", "battery_not_accepted", "no_zone",
    }  # fmt: skip
    assert {r["code"] for r in by_code["YW-EXPRESS"]["reasons"]} == {
        "destination_not_served",
        "no_zone",
    }
    assert all(r["message"] for q in body["quotes"] for r in q["reasons"])
    assert all(q["total"] is None for q in body["quotes"] if not q["ok"])


def test_quote_input_errors_are_422(lg, world):
    for bad, field in [
        ({**PARCEL, "weight_kg": "0"}, "weight_kg"),
        ({**PARCEL, "weight_kg": "abc"}, "weight_kg"),
        ({**PARCEL, "length_cm": "-1"}, "length_cm"),
        ({**PARCEL, "pieces": 0}, "pieces"),
        ({k: v for k, v in PARCEL.items() if k != "country"}, "country"),
    ]:
        r = lg.post("/quotes", bad)
        assert r.status_code == 422 and r.json()["code"] == "validation_error"
        assert field in {d["field"] for d in r.json()["details"]}
    r = lg.post("/quotes", {**PARCEL, "country": "XX"})
    assert r.status_code == 422 and r.json()["code"] == "invalid_country"
    r = lg.post("/quotes", {**PARCEL, "declared_currency": ""})
    assert r.status_code == 422 and r.json()["code"] == "currency_required"
    r = lg.post("/quotes", {**PARCEL, "channels": ["EMS", "NOPE"]})
    assert r.status_code == 422 and r.json()["code"] == "unknown_channel"
    assert r.json()["details"] == {"codes": ["NOPE"]}


def test_quotes_use_the_cache_not_a_query_per_channel(lg, world, django_assert_max_num_queries):
    lg.post("/quotes", PARCEL)  # compiles and caches
    with django_assert_max_num_queries(5):  # 4 for the user, (id, version) of the channels
        r = lg.post("/quotes", PARCEL)
    assert r.json()["count"] == 5


def test_idempotency_key_on_post(lg, world):
    first = lg.post("/channels", CHANNEL, **{"Idempotency-Key": "ch-1"})
    again = lg.post("/channels", CHANNEL, **{"Idempotency-Key": "ch-1"})
    assert first.status_code == again.status_code == 201
    assert again["Idempotent-Replayed"] == "true" and again.json() == first.json()
    assert Channel.objects.filter(code="SF-INTL").count() == 1
    other = lg.post("/channels", {**CHANNEL, "code": "OTHER"}, **{"Idempotency-Key": "ch-1"})
    assert other.status_code == 422 and not Channel.objects.filter(code="OTHER").exists()
    q1 = lg.post("/quotes", PARCEL, **{"Idempotency-Key": "q-1"})
    q2 = lg.post("/quotes", PARCEL, **{"Idempotency-Key": "q-1"})
    assert q2["Idempotent-Replayed"] == "true" and q1.json() == q2.json()


def test_excel_upload_past_the_import_limits_is_413_and_writes_nothing(lg, world, settings):
    from tradelane.core.tests import workbooks

    sheet = RateSheet.objects.get(channel__code="DHL-EXP", kind="cost")
    content = lg.get(f"/channels/DHL-EXP/rate-sheets/{sheet.pk}/download").content
    before = state()
    r = upload(lg, "/channels/EMS/rate-sheets/upload", workbooks.bomb())
    assert r.status_code == 413, r.content
    assert r.json()["code"] == "file_compression_too_high"
    assert r.json()["details"]["setting"] == "TRADELANE_IMPORT_MAX_ZIP_RATIO"
    settings.IMPORT_MAX_ROWS = 5  # the Prices tab has more weight rows than that
    r = upload(lg, f"/channels/DHL-EXP/rate-sheets/{sheet.pk}/upload", content)
    assert r.status_code == 413, r.content
    assert r.json()["code"] == "file_too_many_rows"
    assert r.json()["details"] == {"limit": 5, "setting": "TRADELANE_IMPORT_MAX_ROWS"}
    assert state() == before


def test_quote_sides_with_two_decimals_round_up_to_the_mm_then_the_cm(lg, world):
    """A side of 50.01 cm is 51 whole cm for volumetric weight, never 50 (until 2026-05 the API
    refused a second decimal and ``shapes.parcel`` truncated a fraction of a mm)."""
    parcel = {**PARCEL, "weight_kg": "1", "length_cm": "50.01", "width_cm": "40",
              "height_cm": "30", "channels": ["DHL-EXP"]}  # fmt: skip
    r = lg.post("/quotes", parcel)
    assert r.status_code == 200, r.json()
    cw = r.json()["quotes"][0]["chargeable"]
    # 51 x 40 x 30 / 5000 = 12.24 kg -> 12.5 kg (50 x 40 x 30 would be 12.0 kg)
    assert cw["dims_cm"] == [51, 40, 30]
    assert (cw["volumetric_kg"], cw["chargeable_kg"]) == ("12.24", "12.5")
    r = lg.post("/quotes", {**parcel, "length_cm": "50.001"})
    assert r.status_code == 422 and r.json()["details"][0]["field"] == "length_cm"


def test_edge_parcel_rounds_weight_and_sides_up():
    from decimal import Decimal

    from tradelane.logistics.rates import shapes as edge

    p = edge.parcel(weight_kg=Decimal("1.2341"), length_cm=Decimal("30.01"),
                    width_cm=Decimal("20.99"), height_cm=Decimal("10"), country="US")  # fmt: skip
    # a fraction of a gram or of a mm rounds up (it used to truncate: 1234 g, 300 mm, 209 mm)
    assert (p.weight_g, p.length_mm, p.width_mm, p.height_mm) == (1235, 301, 210, 100)
