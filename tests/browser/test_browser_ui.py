"""End to end in a real Chromium: log in, work orders in the workbench, switch languages."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tradelane.accounts import roles
from tradelane.core import jobs
from tradelane.core.models import Job
from tradelane.orders import services
from tradelane.orders.models import Order
from tradelane.web.tests import data
from tradelane.web.tests.browser_login import log_in as sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(page, live_server, username: str) -> None:
    """The shared sign-in, checking on the way that the login page and the top bar render."""
    page.goto(f"{live_server.url}/login/")
    expect(page.locator("h1")).to_have_text("Tradelane")
    sign_in(page, live_server, username)
    expect(page.locator(".topbar .who")).to_be_visible()


def tab_count(page, status: str) -> int:
    return int(page.locator(f'.tab[data-tab="{status}"] [data-count]').inner_text())


def test_customer_service_reviews_and_approves_an_order(page, live_server, shot):
    world = data.seed(12)
    page.goto(f"{live_server.url}/orders/")  # not logged in: sent to the login page
    expect(page.get_by_label("用户名")).to_be_focused()
    shot(page, "00-login")
    log_in(page, live_server, "cs_li")
    expect(page.locator("h1")).to_contain_text("您好，李客服")
    shot(page, "01-home-customer-service")

    page.get_by_role("link", name="订单处理").click()
    expect(page.locator("h1")).to_have_text("订单处理")
    expect(page.locator('.tab.active[data-tab="pending_review"]')).to_be_visible()
    assert tab_count(page, "pending_review") == 12
    expect(page.locator("table.orders tbody tr")).to_have_count(12)
    shot(page, "02-workbench-pending-review")

    # Re-run review on one order: the rules find a phone that cannot work.
    doubtful = Order.objects.get(number="#1005")
    page.get_by_role("link", name="#1005", exact=True).click()
    expect(page.get_by_test_id("order-status")).to_have_text("待审核")
    page.get_by_test_id("action-review").click()
    expect(page.get_by_test_id("order-status")).to_have_text("待联系")
    expect(page.locator("table.verdicts")).to_contain_text("电话号码对目的国无效")
    expect(page.locator(".alert-success")).to_contain_text("审核完成")
    shot(page, "03-order-after-review", full_page=True)
    doubtful.refresh_from_db()
    assert doubtful.status == "pending_contact"

    # Approve it by hand after calling the buyer; the history says who did it and why.
    page.get_by_label("原因").first.fill("已电话联系买家确认")
    page.get_by_test_id("action-approve").click()
    expect(page.get_by_test_id("order-status")).to_have_text("已审核")
    expect(page.locator("table.history tbody tr").first).to_contain_text("cs_li")
    expect(page.locator("table.history tbody tr").first).to_contain_text("已审核")
    shot(page, "04-order-approved", full_page=True)
    doubtful.refresh_from_db()
    assert doubtful.status == "approved"

    # A refused action shows its reason in Chinese and changes nothing.
    page.get_by_label("原因").first.fill("")
    page.get_by_test_id("action-cancel").click()
    expect(page.locator(".alert-error")).to_contain_text("请填写原因")
    doubtful.refresh_from_db()
    assert doubtful.status == "approved"

    # Back in the workbench the counts moved.
    page.get_by_role("link", name="返回订单列表").click()
    expect(page.locator('.tab[data-tab="approved"] [data-count]')).to_have_text("1")
    assert tab_count(page, "pending_review") == 11
    assert world["cs"].pk and not page.js_errors


def test_bulk_approve_then_allocate_with_progress(page, live_server, shot, immediate_tasks):
    data.seed(12)
    both = data.user(roles.CUSTOMER_SERVICE, "ops_wang", name="王运营")
    both.groups.add(*roles_groups(roles.LOGISTICS))
    log_in(page, live_server, "ops_wang")
    page.goto(f"{live_server.url}/orders/")
    expect(page.locator('.tab.active[data-tab="pending_review"]')).to_be_visible()

    # Keyboard: "/" jumps to the search box, j/k move between rows, x ticks the current row.
    page.keyboard.press("/")
    expect(page.locator("#q")).to_be_focused()
    page.keyboard.press("Escape")
    page.keyboard.press("j")
    page.keyboard.press("j")
    expect(page.locator("table.orders tbody tr").nth(1)).to_have_class(re.compile("current"))
    page.keyboard.press("x")
    expect(page.locator("[data-selected-count] b")).to_have_text("1")
    page.keyboard.press("x")
    expect(page.locator("[data-selected-count] b")).to_have_text("0")

    # Select everything on the page with the header box, then approve.
    page.get_by_label("全选本页").check()
    expect(page.locator("[data-selected-count] b")).to_have_text("12")
    page.get_by_test_id("bulk-approve").click()
    job = page.locator("#job-box .job")
    expect(job).to_have_attribute("data-status", "done")
    expect(job.locator("[data-percent-text]")).to_have_text("100%")
    expect(page.locator('.tab[data-tab="pending_review"] [data-count]')).to_have_text("0")
    expect(page.locator('.tab[data-tab="approved"] [data-count]')).to_have_text("12")

    page.locator('.tab[data-tab="approved"]').click()
    expect(page.locator("table.orders tbody tr[data-status=approved]")).to_have_count(12)
    page.get_by_label("全选本页").check()
    page.get_by_test_id("bulk-allocate").click()
    expect(job).to_have_attribute("data-status", "done")
    expect(job.locator("[data-percent-text]")).to_have_text("100%")
    expect(job).to_contain_text("已分配库存")
    expect(page.locator('.tab[data-tab="pending_shipment"] [data-count]')).to_have_text("12")
    expect(page.locator("table.orders tbody")).to_contain_text("这里没有订单")
    shot(page, "05-workbench-after-bulk-allocate")
    assert Order.objects.filter(status="pending_shipment").count() == 12
    assert not page.js_errors


def test_progress_bar_polls_a_queued_job_until_the_worker_finishes(page, live_server, shot):
    """With the real task queue the page polls every 500 ms while a worker does the work."""
    world = data.seed(12)
    services.review_orders(world["cs"], list(Order.objects.values_list("pk", flat=True)))
    data.user(roles.LOGISTICS, "wl_zhao", name="赵物流")
    log_in(page, live_server, "wl_zhao")
    page.goto(f"{live_server.url}/orders/?status=approved")
    approved = tab_count(page, "approved")
    assert approved > 0
    page.get_by_label("全选本页").check()
    page.get_by_test_id("bulk-allocate").click()
    job_box = page.locator("#job-box .job")
    expect(job_box).to_have_attribute("data-status", "queued")
    expect(job_box.locator("[data-percent-text]")).to_have_text("0%")
    shot(page, "06-job-queued")

    job = Job.objects.get()
    jobs.run(job.pk)  # what the worker process does
    expect(job_box).to_have_attribute("data-status", "done", timeout=5_000)
    expect(job_box.locator("[data-percent-text]")).to_have_text("100%")
    expect(page.locator('.tab[data-tab="approved"] [data-count]')).to_have_text("0")
    expect(page.locator('.tab[data-tab="pending_shipment"] [data-count]')).to_have_text(
        str(approved)
    )
    shot(page, "07-job-done-after-polling")


def test_switch_language_to_english_and_back(page, live_server, shot):
    world = data.seed(12)
    services.review_orders(world["cs"], list(Order.objects.values_list("pk", flat=True)[:6]))
    log_in(page, live_server, "cs_li")
    page.goto(f"{live_server.url}/orders/?status=")
    expect(page.locator("h1")).to_have_text("订单处理")

    page.get_by_test_id("lang-en").click()
    expect(page.locator("h1")).to_have_text("Order workbench")
    expect(page.locator('.tab[data-tab="pending_review"]')).to_contain_text("Pending review")
    expect(page.locator("table.orders thead")).to_contain_text("Buyer")
    assert not re.search(r"[\u4e00-\u9fff]", page.locator("nav.mainnav").inner_text())
    shot(page, "08-workbench-english")

    page.reload()  # the choice persists
    expect(page.locator("h1")).to_have_text("Order workbench")
    page.goto(f"{live_server.url}/stock/")
    expect(page.locator("h1")).to_have_text("Stock")
    expect(page.locator("#low-stock")).to_contain_text("Low-stock alerts")
    shot(page, "09-stock-english")

    page.get_by_test_id("lang-zh-hans").click()
    expect(page.locator("h1")).to_have_text("库存")
    expect(page.locator("#low-stock")).to_contain_text("低库存预警")
    shot(page, "10-stock-chinese", full_page=True)
    page.goto(f"{live_server.url}/products/")
    expect(page.locator("h1")).to_have_text("产品")
    shot(page, "11-products", full_page=True)


def test_workbench_overview(page, live_server, shot, immediate_tasks):
    """A working day in one picture (docs/screenshots/workbench.png is taken from this one)."""
    world = data.seed(24, review=True)
    cs, admin = world["cs"], world["admin"]
    approved = list(
        Order.objects.filter(status="approved").order_by("id").values_list("pk", flat=True)
    )
    services.allocate_orders(admin, approved[:6])
    services.change_status(cs, Order.objects.get(pk=approved[6]), "invalid", "重复下单")
    services.cancel_order(cs, Order.objects.get(pk=approved[7]), "买家要求取消")
    from tradelane.orders.importing import import_orders

    import_orders(cs, [data.order_row(i) for i in range(30, 38)], review=False)

    log_in(page, live_server, "cs_li")
    page.goto(f"{live_server.url}/orders/")
    expect(page.locator('.tab.active[data-tab="pending_review"]')).to_contain_text("8")
    page.get_by_label("全选本页").check()
    page.get_by_test_id("bulk-review").click()
    job = page.locator("#job-box .job")
    expect(job).to_have_attribute("data-status", "done")
    expect(job.locator("[data-percent-text]")).to_have_text("100%")
    expect(page.locator('.tab[data-tab="pending_review"] [data-count]')).to_have_text("0")
    page.locator('.tab[data-tab="all"]').click()
    expect(page.locator(".tab.active")).to_have_attribute("data-tab", "all")
    expect(page.locator("table.orders tbody tr")).to_have_count(32)
    shot(page, "00-workbench-overview")
    assert not page.js_errors


def roles_groups(*names):
    from django.contrib.auth.models import Group

    return list(Group.objects.filter(name__in=names))
