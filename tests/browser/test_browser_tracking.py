"""In a real Chromium: the logistics team opens 追踪 with the keyboard, works the exception
queue (resolve with a note, htmx), reads a shipment's timeline; a buyer opens the public page
in Chinese, switches to English, and sees no personal data."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tradelane.accounts import roles
from tradelane.inventory.models import Warehouse
from tradelane.logistics.carriers.contract import TrackEvent
from tradelane.logistics.models import TrackingException
from tradelane.logistics.tests.tracking_factories import RECEIVER, at, make_channel, make_shipment
from tradelane.logistics.tracking import codes as tc
from tradelane.logistics.tracking import services as tracking
from tradelane.web.tests import data

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _world():
    wh = Warehouse.objects.create(code="SZ", name="深圳仓", country="CN", priority=10)
    postal = make_channel("CNPOST", service_type="postal")
    a = make_shipment(wh, status="labelled", tracking="RR123456785CN", channel=postal)
    tracking.record_events(
        None,
        a,
        [
            TrackEvent(at(0), tc.PICKED_UP, "PU", "深圳邮政已收寄", "Shenzhen", "CN"),
            TrackEvent(at(20), tc.IN_TRANSIT, "DEP", "离开深圳国际", "Shenzhen", "CN"),
            TrackEvent(at(70), tc.CUSTOMS, "CUS", "Customs clearance", "Leipzig", "DE"),
            TrackEvent(at(90), tc.DELIVERY_FAILED, "DF", "Receiver absent", "Berlin", "DE"),
        ],
        "poll",
    )  # fmt: skip
    b = make_shipment(wh, status="shipped", tracking="YT2611300002", channel=make_channel("YT"))
    tracking.record_events(
        None, b, [TrackEvent(at(5), tc.LOST, "Exception_Lost", "Parcel lost")], "poll"
    )
    return a, b


def test_exception_queue_timeline_and_public_page(page, live_server, shot):
    a, _b = _world()
    data.user(roles.LOGISTICS, "wl_zhao", name="赵物流")
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("用户名").fill("wl_zhao")
    page.get_by_label("密码").fill(data.PASSWORD)
    page.get_by_role("button", name="登录", exact=True).click()
    page.wait_for_url(f"{live_server.url}/")

    page.keyboard.press("g")
    page.keyboard.press("t")
    expect(page.get_by_role("heading", name="追踪")).to_be_visible()
    page.get_by_test_id("exceptions-link").click()
    expect(page.get_by_role("heading", name="轨迹异常")).to_be_visible()
    expect(page.get_by_test_id("tab-all")).to_contain_text("2")
    expect(page.get_by_test_id("tab-delivery_failed")).to_contain_text("1")
    shot(page, "70-tracking-queue", full_page=True)

    exc = TrackingException.objects.get(kind=tc.LOST)
    row = page.locator(f"#exc-{exc.pk}")
    row.get_by_placeholder("处理方式").fill("已向承运商索赔")
    row.get_by_placeholder("处理方式").press("Enter")
    expect(page.locator(f"#exc-{exc.pk}").get_by_test_id("resolved")).to_be_visible()
    exc.refresh_from_db()
    assert (exc.status, exc.resolution) == ("resolved", "已向承运商索赔")
    shot(page, "71-tracking-resolved")

    page.get_by_role("link", name="轨迹查询").click()
    page.get_by_test_id("tracking-q").fill("RR123456785CN")
    page.get_by_test_id("tracking-q").press("Enter")
    expect(page.get_by_test_id("tracking-status")).to_have_text("投递失败")
    expect(page.get_by_test_id("timeline").locator("li")).to_have_count(4)
    shot(page, "72-tracking-shipment", full_page=True)

    public = page.context.browser.new_context(
        locale="zh-CN", viewport={"width": 420, "height": 860}
    )
    buyer = public.new_page()
    buyer.goto(f"{live_server.url}/t/RR123456785CN/{a.public_key}")  # the link stores get
    expect(buyer.get_by_test_id("public-status")).to_have_text("投递失败")
    expect(buyer.get_by_test_id("public-timeline").locator("li")).to_have_count(4)
    shot(buyer, "73-public-tracking-zh", full_page=True)
    buyer.get_by_test_id("lang-en").click()
    expect(buyer.get_by_test_id("public-status")).to_have_text("Delivery failed")
    html = buyer.content()
    for field in ("ship_name", "ship_address1", "ship_phone", "ship_email"):
        assert RECEIVER[field] not in html
    assert a.number not in html
    shot(buyer, "74-public-tracking-en", full_page=True)
    buyer.goto(f"{live_server.url}/t/NOSUCHNUMBER1?lang=en")
    expect(buyer.get_by_test_id("public-unknown")).to_be_visible()
    public.close()
    assert page.js_errors == []
