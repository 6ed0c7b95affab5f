"""Channels, rate sheets and the quote calculator in the web UI: permissions, content, refusals."""

from __future__ import annotations

import io

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils.translation import override
from openpyxl import load_workbook

from tradelane.accounts import roles
from tradelane.core.models import AuditLog
from tradelane.logistics.models import Bracket, Channel, FuelRate, RateSheet
from tradelane.logistics.rates import selectors
from tradelane.logistics.rates.samples import create_sample_channels

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "quote-results"}


@pytest.fixture
def world(logistics):
    selectors.clear_cache()
    create_sample_channels(logistics)
    return logistics


@pytest.fixture
def viewer(make_user):
    user = make_user(roles.CUSTOMER_SERVICE, "viewer")
    user.user_permissions.add(Permission.objects.get(codename="view_channel"))
    return type(user).objects.get(pk=user.pk)


def state():
    return (
        list(Channel.objects.order_by("pk").values()),
        list(RateSheet.objects.order_by("pk").values()),
        Bracket.objects.count(),
        FuelRate.objects.count(),
        AuditLog.objects.count(),
    )


def login(client, user, lang: str = "zh-hans"):
    client.force_login(user)
    client.cookies["django_language"] = lang
    return client


def text(response) -> str:
    return response.content.decode()


def test_anonymous_users_are_sent_to_log_in(client):
    for url in (reverse("web:channels"), reverse("web:quote"), reverse("web:channel", args=["X"])):
        r = client.get(url)
        assert r.status_code == 302 and r["Location"].startswith(reverse("web:login"))


def test_nav_shows_channels_only_with_the_permission(client, world, cs):
    page = text(login(client, world).get(reverse("web:home")))
    assert 'href="/channels/" data-key="c"' in page and "物流渠道" in page
    client.logout()
    page = text(login(client, cs).get(reverse("web:home")))
    assert 'href="/channels/"' not in page
    for url in (
        reverse("web:channels"),
        reverse("web:quote"),
        reverse("web:channel", args=["EMS"]),
    ):
        assert client.get(url).status_code == 403


def test_channel_list_with_filters(client, world, django_assert_max_num_queries):
    login(client, world)
    with django_assert_max_num_queries(8):
        r = client.get(reverse("web:channels"))
    page = text(r)
    assert r.status_code == 200
    for code in ("CNPOST-RSP", "DHL-EXP", "EMS", "US-LINE", "YW-EXPRESS"):
        assert f'data-channel="{code}"' in page
    assert "费率表" in page and "可报价国家" in page  # sheets and priced countries columns
    # every sample channel declares the countries its sheet prices, and nothing more
    assert 'data-testid="coverage-warning"' not in page and "所有国家" not in page
    r = client.get(reverse("web:channels"), {"country": "jp"})
    page = text(r)
    assert 'data-channel="EMS"' in page and 'data-channel="US-LINE"' not in page
    page = text(client.get(reverse("web:channels"), {"q": "dhl"}))
    assert 'data-channel="DHL-EXP"' in page and 'data-channel="EMS"' not in page
    r = client.get(reverse("web:channels"), {"active": "0"}, HTTP_HX_REQUEST="true",
                   HTTP_HX_TARGET="channel-list")  # fmt: skip
    assert "<html" not in text(r) and "没有符合条件的渠道" in text(r)


def test_channel_page_shows_settings_sheets_and_fuel(client, world):
    login(client, world)
    r = client.get(reverse("web:channel", args=["DHL-EXP"]))
    page = text(r)
    assert r.status_code == 200
    assert "5000" in page and "0.5 kg" in page and "从 21 kg 起：1 kg" in page
    assert "70 kg" in page and "120 cm" in page
    assert page.count('data-sheet="') == 3 and "VIP" in page
    assert "26.25%" in page and "24.5%" in page  # the fuel history
    assert 'name="volumetric_divisor"' in page  # the edit form, for a user who may edit
    assert reverse("web:sheet_download", args=["DHL-EXP", RateSheet.objects.filter(
        channel__code="DHL-EXP").first().pk]) in page  # fmt: skip
    assert client.get(reverse("web:channel", args=["NOPE"])).status_code == 404


def test_a_viewer_sees_no_forms_and_a_refused_edit_changes_nothing(client, world, viewer):
    login(client, viewer)
    page = text(client.get(reverse("web:channel", args=["EMS"])))
    assert 'name="volumetric_divisor"' not in page and 'data-testid="upload-form"' not in page
    sheet = RateSheet.objects.filter(channel__code="EMS").first()
    before = state()
    posts = [
        (reverse("web:channel_edit", args=["EMS"]), {"name": "hacked", "currency": "CNY"}),
        (reverse("web:channel_active", args=["EMS"]), {"active": "0"}),
        (reverse("web:sheet_action", args=["EMS", sheet.pk]), {"action": "delete"}),
        (reverse("web:fuel_add", args=["EMS"]), {"sheet": sheet.pk, "percent": "5",
                                                 "effective_from": "2026-12-01"}),
        (reverse("web:sheet_upload", args=["EMS"]), {}),
    ]  # fmt: skip
    for url, data in posts:
        assert client.post(url, data).status_code == 403, url
    assert state() == before


def _form_data(client, code: str) -> dict:
    """The edit form as the page fills it in."""
    from tradelane.logistics.rates.views import ChannelForm

    initial = ChannelForm.initial_for(Channel.objects.get(code=code))
    data = {k: ("" if v is None else v) for k, v in initial.items()}
    for flag in ("accepts_battery", "accepts_liquid", "accepts_magnet"):
        if not data[flag]:
            data.pop(flag)
    return data


def test_edit_a_channel_in_kg_and_cm(client, world):
    login(client, world)
    data = _form_data(client, "EMS")
    version = Channel.objects.get(code="EMS").version
    data.update(max_weight_kg="25.5", volumetric_min_side_cm="50", destinations="us, gb",
                service_type="express", s10_prefix="ee", s10_country="cn",
                accepts_liquid="on")  # fmt: skip
    r = client.post(reverse("web:channel_edit", args=["EMS"]), data)
    assert r.status_code == 302, text(r)
    ch = Channel.objects.get(code="EMS")
    assert (ch.max_weight_g, ch.volumetric_min_side_mm, ch.destinations) == (
        25500,
        500,
        ["US", "GB"],
    )
    assert ch.accepts_liquid and ch.version == version + 1
    assert (ch.service_type, ch.s10_prefix, ch.s10_country) == ("express", "EE", "CN")


def test_edit_errors_are_shown_next_to_the_fields_in_both_languages(client, world):
    login(client, world)
    data = _form_data(client, "EMS")
    data.update(weight_step_threshold_kg="21", destinations="US, XX", tracking_url_template="x")
    before = state()
    r = client.post(reverse("web:channel_edit", args=["EMS"]), data)
    assert r.status_code == 422
    page = text(r)
    assert 'data-field-error="weight_step_above_kg"' in page
    assert 'data-field-error="destinations"' in page and "未知的国家代码" in page
    assert 'data-field-error="tracking_url_template"' in page
    assert state() == before
    login(client, world, "en")
    page = text(client.post(reverse("web:channel_edit", args=["EMS"]), data))
    assert "Unknown country code" in page
    r = client.post(reverse("web:channel_edit", args=["EMS"]), {**data, "max_weight_kg": "-1"})
    assert r.status_code == 422 and 'data-field-error="max_weight_kg"' in text(r)
    assert state() == before


def test_activate_and_deactivate_channel_and_sheet(client, world):
    login(client, world)
    r = client.post(reverse("web:channel_active", args=["EMS"]), {"active": "0"})
    assert r.status_code == 302 and not Channel.objects.get(code="EMS").is_active
    client.post(reverse("web:channel_active", args=["EMS"]), {"active": "1"})
    assert Channel.objects.get(code="EMS").is_active
    sheet = RateSheet.objects.filter(channel__code="EMS", kind="sale").get()
    client.post(reverse("web:sheet_action", args=["EMS", sheet.pk]), {"action": "deactivate"})
    sheet.refresh_from_db()
    assert not sheet.is_active
    client.post(reverse("web:sheet_action", args=["EMS", sheet.pk]), {"action": "delete"})
    assert not RateSheet.objects.filter(pk=sheet.pk).exists()


def _download(client, code: str, kind: str = "cost") -> bytes:
    sheet = RateSheet.objects.get(channel__code=code, kind=kind, customer_level="")
    r = client.get(reverse("web:sheet_download", args=[code, sheet.pk]))
    assert r.status_code == 200 and r["Content-Type"].startswith("application/vnd.openxml")
    return r.content


def _file(content: bytes, name: str = "rates.xlsx"):
    f = io.BytesIO(content)
    f.name = name
    return f


def test_upload_a_sheet_and_see_its_grid(client, world):
    login(client, world)
    content = _download(client, "US-LINE")
    r = client.post(
        reverse("web:sheet_upload", args=["EMS"]),
        {"file": _file(content), "kind": "sale", "customer_level": "VIP",
         "effective_date": "2026-07-01"},
    )  # fmt: skip
    assert r.status_code == 302, text(r)
    sheet = RateSheet.objects.get(channel__code="EMS", customer_level="VIP")
    assert r["Location"] == reverse("web:sheet", args=["EMS", sheet.pk])
    page = text(client.get(r["Location"]))
    assert 'data-testid="rate-grid"' in page
    assert "38@0.5kg + 14/0.5kg" in page  # US-LINE cost for zone W, compactly
    assert "US postcode 9*" in page and "偏远" in page


def test_upload_with_a_broken_row_reports_it_and_writes_nothing(client, world):
    login(client, world)
    wb = load_workbook(io.BytesIO(_download(client, "DHL-EXP")))
    wb["Prices"]["C3"] = "abc"
    out = io.BytesIO()
    wb.save(out)
    before = state()
    r = client.post(reverse("web:sheet_upload", args=["EMS"]), {"file": _file(out.getvalue())})
    assert r.status_code == 422
    page = text(r)
    assert 'data-row="3"' in page and "不是数字" in page and "Prices" in page
    assert state() == before
    r = client.post(reverse("web:sheet_upload", args=["EMS"]), {"file": _file(b"nope")})
    assert r.status_code == 422 and 'data-error-code="not_xlsx"' in text(r)
    assert state() == before


def test_add_a_fuel_rate_and_a_refused_one(client, world):
    login(client, world)
    sheet = RateSheet.objects.get(channel__code="DHL-EXP", kind="cost")
    url = reverse("web:fuel_add", args=["DHL-EXP"])
    r = client.post(url, {"sheet": sheet.pk, "effective_from": "2026-12-01", "percent": "27"})
    assert r.status_code == 302 and FuelRate.objects.filter(sheet=sheet).count() == 4
    before = state()
    r = client.post(url, {"sheet": sheet.pk, "effective_from": "2026-12-01", "percent": "28"},
                    follow=True)  # fmt: skip
    assert "已有从这一天起的燃油费率" in text(r)
    assert state() == before
    # 0 to 100 percent: the form says so, and the server refuses more in both languages
    page = text(client.get(reverse("web:channel", args=["DHL-EXP"])))
    assert 'name="percent" min="0" max="100" step="0.0001"' in page
    for percent in ("999", "5000", "100.0001"):
        r = client.post(url, {"sheet": sheet.pk, "effective_from": "2027-01-01",
                              "percent": percent}, follow=True)  # fmt: skip
        assert "燃油附加费是其所适用费用的百分比，须在 0 到 100 之间" in text(r), percent
    assert state() == before
    login(client, world, "en")
    r = client.post(url, {"sheet": sheet.pk, "effective_from": "2027-01-01", "percent": "999"},
                    follow=True)  # fmt: skip
    assert (
        "A fuel surcharge is a percentage from 0 to 100 of the charges it applies to "
        "(A fuel surcharge is from 0 to 100% of the charges it applies to, not 999%)"
    ) in text(r)
    assert state() == before


def test_quote_calculator_ranks_and_explains(client, world):
    login(client, world)
    page = text(client.get(reverse("web:quote")))
    assert "autofocus" in page and 'name="weight_kg"' in page and "运费试算" in page
    data = {"weight_kg": "1.2", "length_cm": "30", "width_cm": "20", "height_cm": "10",
            "pieces": "1", "country": "US", "postcode": "99501"}  # fmt: skip
    r = client.post(reverse("web:quote"), data, **HTMX)
    assert r.status_code == 200
    page = text(r)
    assert "<html" not in page
    order = [page.index(f'data-testid="quote-{c}"') for c in
             ("YW-EXPRESS", "US-LINE", "CNPOST-RSP", "EMS", "DHL-EXP")]  # fmt: skip
    assert order == sorted(order)
    assert "907.42" in page and "725.94" in page and "181.48" in page
    assert "计费重" in page and "燃油附加费" in page and "偏远地区" in page
    # battery to Japan: the refused ones with their reasons
    r = client.post(reverse("web:quote"), {**data, "country": "JP", "postcode": "",
                                           "battery": "on", "weight_kg": "3"}, **HTMX)  # fmt: skip
    page = text(r)
    assert 'data-testid="refused"' in page
    assert 'data-reason="battery_not_accepted"' in page and "该渠道不收带电货" in page
    assert 'data-reason="destination_not_served"' in page


def test_quote_errors(client, world):
    login(client, world)
    r = client.post(reverse("web:quote"), {"weight_kg": "", "country": "US", "pieces": "1"},
                    **HTMX)  # fmt: skip
    assert r.status_code == 422 and "重量" in text(r)
    r = client.post(reverse("web:quote"), {"weight_kg": "1", "country": "US", "pieces": "1",
                                           "declared_value": "10", "declared_currency": "ZZZ"},
                    **HTMX)  # fmt: skip
    assert r.status_code == 422


def test_english_pages(client, world):
    login(client, world, "en")
    page = text(client.get(reverse("web:channels")))
    assert "Channels" in page and "Rate sheets" in page
    with override("en"):
        page = text(client.get(reverse("web:channel", args=["DHL-EXP"])))
    assert "Chargeable weight" in page and "Fuel surcharge history" in page


@pytest.mark.parametrize(
    ("lang", "message"),
    [
        ("zh-hans", "Excel 文件的压缩比超过 100 倍（疑似压缩炸弹），未打开。"),
        ("en", "The Excel file is compressed more than 100 times, as a zip bomb is"),
    ],
)
def test_upload_of_a_zip_bomb_is_refused_in_both_languages(client, world, lang, message):
    from tradelane.core.tests import workbooks

    login(client, world, lang)
    before = state()
    r = client.post(reverse("web:sheet_upload", args=["EMS"]), {"file": _file(workbooks.bomb())})
    assert r.status_code == 413
    page = text(r)
    assert 'data-error-code="file_compression_too_high"' in page and message in page
    assert state() == before


# --- coverage: declared countries against the ones the cost sheet prices ----------------------


@pytest.fixture
def claims(logistics):
    """WIDE declares every country and prices US; LISTED declares US, ES, AT and prices US and
    ES; EXACT declares and prices US; BARE has no sheet at all."""
    from tradelane.logistics.rates import services
    from tradelane.logistics.tests.factories import D, bracket, country, sheet, zone

    def make(code, destinations, zones):
        ch = services.create_channel(
            logistics, code=code, name=code, currency="CNY", destinations=destinations
        )
        if zones:
            prices = [bracket(0, 2000, z.code, flat=D(50)) for z in zones]
            services.create_rate_sheet(logistics, ch, sheet(zones, prices))
        return ch

    make("WIDE", [], [zone("Z1", country("US"))])
    make("LISTED", ["US", "ES", "AT"], [zone("Z1", country("US")), zone("Z2", country("ES"))])
    make("EXACT", ["US"], [zone("Z1", country("US", postcode_prefix="9"))])
    make("BARE", ["US"], [])
    return logistics


def _cell(page: str, code: str) -> str:
    start = page.index(f'data-coverage="{code}"')
    return page[start : page.index("</td>", start)]


def test_the_channel_list_shows_priced_countries_and_warns_on_larger_claims(client, claims):
    login(client, claims)
    page = text(client.get(reverse("web:channels")))
    assert "可报价国家" in page
    assert "所有国家" in page  # WIDE's destinations
    wide = _cell(page, "WIDE")
    assert '<span class="chip">US</span>' in wide and "声明国家超出费率表" in wide
    assert (
        "声明服务所有国家，但当前生效的成本费率表只能报价 US。寄往其他国家的包裹会被拒绝"
        "（无分区）：请列出目的国，或补充分区。"
    ) in wide
    listed = _cell(page, "LISTED")
    assert '<span class="chip">ES</span><span class="chip">US</span>' in listed
    assert "声明的 AT 不在当前生效的成本费率表报价范围内" in listed
    assert '<span class="chip chip-invalid" title="已声明、未报价">AT</span>' in listed
    exact = _cell(page, "EXACT")  # a zone refined by postcode still prices its country
    assert '<span class="chip">US</span>' in exact and "coverage-warning" not in exact
    assert "没有生效的成本费率表为任何国家报价" in _cell(page, "BARE")
    assert page.count('data-testid="coverage-warning"') == 3


def test_the_channel_page_warns_in_both_languages(client, claims):
    login(client, claims)
    page = text(client.get(reverse("web:channel", args=["LISTED"])))
    assert "声明的目的国" in page and "当前生效的成本费率表可报价的国家" in page
    assert (
        '<div class="alert alert-warning" role="status" data-testid="coverage-warning">'
        "声明的 AT 不在当前生效的成本费率表报价范围内：寄往这些国家的包裹会被拒绝（无分区）。"
        "请从目的国中删除，或补充分区。</div>"
    ) in page
    login(client, claims, "en")
    page = text(client.get(reverse("web:channel", args=["WIDE"])))
    assert (
        "Declares every country, but its cost sheet in force prices only US. Parcels to any "
        "other country are refused (no zone): list its destinations, or add zones."
    ) in page
    page = text(client.get(reverse("web:channel", args=["EXACT"])))
    assert 'data-testid="priced-countries"' in page and "coverage-warning" not in page
