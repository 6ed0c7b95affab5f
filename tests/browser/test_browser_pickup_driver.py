"""In a real Chromium on a phone's screen (375 px wide), in Chinese: a driver signs in, lands
on the day's pickup stops in order, each with its address, a call link, the time window and
the pieces, marks the first one collected with the count, and sees it done; nothing on the
page is wider than the screen."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tradelane.accounts import roles
from tradelane.forwarding.bookings import pickup_tasks, services
from tradelane.forwarding.bookings.tests.factories import PICKUP_ADDRESS
from tradelane.forwarding.models import PickupTask
from tradelane.forwarding.tests.factories import provider, user
from tradelane.web.tests.browser_login import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 375, "height": 812}


@pytest.fixture
def phone(browser):
    context = browser.new_context(locale="zh-CN", viewport=PHONE, device_scale_factor=2,
                                  has_touch=True, is_mobile=True,
                                  timezone_id="Asia/Shanghai")  # fmt: skip
    context.set_default_timeout(15_000)
    tab = context.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda exc: errors.append(str(exc)))
    tab.js_errors = errors
    yield tab
    context.close()


def test_a_driver_marks_a_stop_collected_on_a_phone(phone, live_server, shot):
    p = provider()
    driver = user("drv1", roles.HUB_DRIVER, first_name="王师傅")
    pickup_tasks.create_area(p.hub, code="NS", name="南山", postcodes="5180", driver=driver)
    today = timezone.localdate()
    for start, company, pieces, customer in ((9, "Acme Trading", 4, p.acme_user),
                                             (14, "Bolt Goods", 2, p.bolt_user)):  # fmt: skip
        services.request_pickup(
            customer, date=today, window_start=dt.time(start), window_end=dt.time(start + 3),
            pieces=pieces, estimated_weight_g=12_000, note="前台签收" if start == 9 else "",
            address={**PICKUP_ADDRESS, "company": company},
        )  # fmt: skip
    pickup_tasks.auto_assign(p.hub, today)
    first, second = PickupTask.objects.order_by("sequence")

    log_in(phone, live_server, "drv1", "pw-Tradelane-1", wait=False)
    phone.wait_for_url(f"{live_server.url}/bookings/driver/")
    expect(phone.locator("h1")).to_have_text("我的取件")
    stop = phone.get_by_test_id(f"stop-{first.pk}")
    expect(stop).to_contain_text("09:00–12:00")
    expect(stop).to_contain_text("88 Keyuan Road")
    expect(stop).to_contain_text("4 件")
    expect(phone.get_by_test_id(f"call-{first.pk}")).to_have_attribute(
        "href", "tel:+8613800138000")  # fmt: skip
    # one column, nothing wider than the phone
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], width
    box = phone.get_by_test_id(f"collected-{first.pk}").bounding_box()
    assert box["height"] >= 48 and box["width"] >= 300, box
    shot(phone, "90-driver-stops-phone", full_page=True)

    phone.get_by_test_id(f"collected-{first.pk}").click()
    phone.wait_for_url(f"{live_server.url}/bookings/driver/?day={today.isoformat()}")
    expect(phone.get_by_test_id(f"stop-status-{first.pk}")).to_have_text("已取件")
    expect(phone.locator(".messages")).to_contain_text("已取 4 件。")
    first.refresh_from_db()
    assert (first.status, first.collected_pieces, first.done_by, first.pickup.status) == (
        "collected", 4, driver, "collected")  # fmt: skip
    expect(phone.get_by_test_id(f"collected-{second.pk}")).to_be_visible()
    shot(phone, "91-driver-stop-collected-phone", full_page=True)

    # the second stop: nobody there
    phone.get_by_test_id(f"exception-{second.pk}").click()
    reason = phone.get_by_test_id(f"reason-nobody_there-{second.pk}")
    expect(reason).to_have_text("无人在")
    shot(phone, "92-driver-stop-exception-phone", full_page=True)
    reason.click()
    expect(phone.get_by_test_id(f"stop-status-{second.pk}")).to_have_text("异常 · 无人在")
    second.refresh_from_db()
    assert (second.status, second.exception, second.pickup.status) == (
        "exception", "nobody_there", "scheduled")  # fmt: skip
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert phone.js_errors == []


def test_the_dispatcher_assigns_the_day_by_area_on_the_board(page, live_server, shot):
    p = provider()
    driver = user("drv1", roles.HUB_DRIVER, first_name="王师傅")
    user("drv2", roles.HUB_DRIVER, first_name="李师傅")
    pickup_tasks.create_area(p.hub, code="NS", name="南山", postcodes="518057", driver=driver)
    today = timezone.localdate()
    for postcode in ("518057", "518101"):
        services.request_pickup(
            p.acme_user, date=today, window_start=dt.time(9), window_end=dt.time(12), pieces=3,
            estimated_weight_g=9000, address={**PICKUP_ADDRESS, "postcode": postcode},
        )  # fmt: skip
    log_in(page, live_server, "hub1", "pw-Tradelane-1", wait=False)
    page.goto(f"{live_server.url}/bookings/pickups/")
    expect(page.get_by_test_id("unassigned").locator("tbody tr")).to_have_count(2)
    page.get_by_test_id("auto-assign").click()
    expect(page.locator(".messages")).to_contain_text("已派 1 个取件；1 个不在任何片区内。")
    expect(page.get_by_test_id("route-drv1")).to_contain_text("王师傅")
    waiting = page.get_by_test_id("unassigned").locator("tbody tr")
    expect(waiting).to_have_count(1)
    waiting.get_by_role("combobox").select_option(label="李师傅")
    waiting.get_by_role("button", name="派单").click()
    expect(page.get_by_test_id("route-drv2")).to_contain_text("李师傅")
    expect(page.get_by_test_id("unassigned")).to_contain_text("当天的取件都已派给司机。")
    assert PickupTask.objects.filter(status="assigned").count() == 2
    shot(page, "93-pickup-dispatch-board", full_page=True)
    assert page.js_errors == []
