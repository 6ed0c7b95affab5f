"""The order workbench and an order's page through Django's test client."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tradelane.core.models import Job, StateEvent
from tradelane.orders import services
from tradelane.orders.models import Order
from tradelane.web.tests import data
from tradelane.web.tests.data import HTMX, login, statuses

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return data.seed(12)


def test_workbench_tabs_count_orders_by_status(client, world):
    login(client, world["cs"])
    page = client.get(reverse("web:orders"))
    text = page.content.decode()
    assert page.status_code == 200
    assert "订单处理" in text
    assert 'data-tab="pending_review"' in text
    assert page.context["tabs"][1]["count"] == 12
    assert len(page.context["rows"]) == 12
    assert "#1001" in text


def test_workbench_filters(client, world):
    login(client, world["cs"])
    page = client.get(reverse("web:orders"), {"status": "", "country": "de"})
    numbers = {row["order"].number for row in page.context["rows"]}
    assert numbers and all(Order.objects.get(number=n).ship_country == "DE" for n in numbers)
    page = client.get(reverse("web:orders"), {"status": "", "q": "buyer7@"})
    assert [row["order"].number for row in page.context["rows"]] == ["#1007"]
    page = client.get(reverse("web:orders"), {"status": "", "from": "not-a-date"})
    assert "不是日期" in page.content.decode()


def test_workbench_htmx_request_gets_only_the_list(client, world):
    login(client, world["cs"])
    page = client.get(
        reverse("web:orders"), {"status": "approved"}, HTTP_HX_TARGET="workbench", **HTMX
    )
    text = page.content.decode()
    assert text.lstrip().startswith('<div id="workbench"')
    assert "<html" not in text


def test_warehouse_cannot_bulk_approve_and_nothing_changes(client, world, warehouse_user):
    before = statuses()
    login(client, warehouse_user)
    response = client.post(
        reverse("web:orders_bulk"), {"action": "approve", "ids": list(before)}, **HTMX
    )
    assert response.status_code == 403
    text = response.content.decode()
    assert "您的角色无权执行此操作" in text and "permission_denied" in text
    assert "<html" not in text  # a message in place, not a whole page inside the job box
    assert statuses() == before
    assert not Job.objects.exists()
    response = client.post(reverse("web:orders_bulk"), {"action": "approve", "ids": list(before)})
    assert response.status_code == 403
    assert statuses() == before


def test_customer_service_cannot_bulk_allocate(client, world):
    login(client, world["cs"])
    response = client.post(
        reverse("web:orders_bulk"), {"action": "allocate", "ids": [1, 2]}, **HTMX
    )
    assert response.status_code == 403
    assert not Job.objects.exists()


def test_bulk_approve_runs_a_job_and_reports_100_percent(
    client, world, django_capture_on_commit_callbacks, settings
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    ids = list(Order.objects.order_by("id").values_list("pk", flat=True)[:5])
    login(client, world["cs"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("web:orders_bulk"), {"action": "approve", "ids": ids}, **HTMX
        )
    assert response.status_code == 200
    job = Job.objects.get()
    # (the test's transaction runs the job when the block ends, so the answer still said 0%)
    assert f'data-job="{job.pk}"' in response.content.decode()
    assert (job.status, job.percent, job.kind) == ("done", 100, "orders.approve")
    response = client.get(reverse("web:job", args=[job.pk]), **HTMX)
    text = response.content.decode()
    assert 'data-percent="100"' in text and "已完成" in text and "5</b> 已审核" in text
    assert response["HX-Trigger"] == "ordersChanged"
    assert set(Order.objects.filter(pk__in=ids).values_list("status", flat=True)) == {"approved"}
    event = StateEvent.objects.filter(object_id=ids[0], to_state="approved").get()
    assert event.actor == world["cs"]


def test_bulk_invalid_needs_a_reason(client, world):
    before = statuses()
    login(client, world["cs"])
    response = client.post(
        reverse("web:orders_bulk"), {"action": "invalid", "ids": list(before)[:2]}, **HTMX
    )
    assert response.status_code == 422
    text = response.content.decode()
    assert "请填写原因" in text and "reason_required" in text
    assert statuses() == before


def test_bulk_with_nothing_selected(client, world):
    login(client, world["cs"])
    response = client.post(reverse("web:orders_bulk"), {"action": "review"}, **HTMX)
    assert response.status_code == 422
    assert "请至少选择一个订单" in response.content.decode()


def test_bulk_allocate_by_logistics(
    client, world, logistics, django_capture_on_commit_callbacks, settings
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    ids = list(Order.objects.values_list("pk", flat=True))
    services.review_orders(world["cs"], ids)
    approved = list(Order.objects.filter(status="approved").values_list("pk", flat=True))
    assert approved
    login(client, logistics)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("web:orders_bulk"), {"action": "allocate", "ids": approved}, **HTMX
        )
    assert response.status_code == 200
    job = Job.objects.get()
    assert job.status == "done" and job.result["allocated"] == len(approved)
    text = client.get(reverse("web:job", args=[job.pk]), **HTMX).content.decode()
    assert "已分配库存" in text and 'data-percent="100"' in text
    assert set(Order.objects.filter(pk__in=approved).values_list("status", flat=True)) == {
        "pending_shipment"
    }


def test_job_progress_polls_until_done(client, world):
    job = Job.objects.create(kind="orders.allocate", total=10, done=4, created_by=world["cs"])
    login(client, world["cs"])
    text = client.get(reverse("web:job", args=[job.pk]), **HTMX).content.decode()
    assert 'data-percent="40"' in text and 'hx-trigger="load delay:500ms"' in text
    Job.objects.filter(pk=job.pk).update(status="done", done=10, result={"allocated": 10})
    response = client.get(reverse("web:job", args=[job.pk]), **HTMX)
    text = response.content.decode()
    assert 'data-percent="100"' in text and "hx-trigger" not in text
    assert response["HX-Trigger"] == "ordersChanged"


def test_order_page_shows_lines_bundles_verdicts_and_history(client, world):
    order = Order.objects.get(number="#1005")  # a bundle line, and a phone that cannot work
    services.review_orders(world["cs"], [order.pk])
    login(client, world["cs"])
    page = client.get(reverse("web:order", args=[order.pk]))
    text = page.content.decode()
    assert page.status_code == 200
    assert "MUG-W" in text and "MUG-WHT" in text
    assert "待联系" in text  # the status, translated
    assert "电话号码对目的国无效" in text  # the phone verdict, translated
    assert "12345" in text  # its detail
    assert "cs_li" in text  # who moved it, in the history
    assert 'data-testid="action-approve"' in text
    assert 'data-testid="action-allocate"' not in text  # not customer service's job
    bundle = Order.objects.get(number="#1003")
    text = client.get(reverse("web:order", args=[bundle.pk])).content.decode()
    assert "MUG-SET" in text and "套装" in text


def test_approve_on_the_order_page_changes_status_and_history(client, world):
    order = Order.objects.get(number="#1001")
    login(client, world["cs"])
    response = client.post(
        reverse("web:order_action", args=[order.pk]), {"action": "approve"}, **HTMX
    )
    assert response.status_code == 200
    text = response.content.decode()
    assert 'data-status="approved"' in text and "订单已通过审核" in text
    order.refresh_from_db()
    assert order.status == "approved"
    event = StateEvent.objects.filter(object_id=order.pk).last()
    assert (event.from_state, event.to_state, event.actor) == ("pending_review", "approved",
                                                               world["cs"])  # fmt: skip


def test_rerun_review_from_the_order_page(client, world):
    order = Order.objects.get(number="#1002")
    login(client, world["cs"])
    response = client.post(
        reverse("web:order_action", args=[order.pk]), {"action": "review"}, **HTMX
    )
    assert response.status_code == 200
    order.refresh_from_db()
    assert order.status == "approved" and order.review
    assert "审核完成" in response.content.decode()


def test_refused_action_shows_code_and_message_and_changes_nothing(client, world, warehouse_user):
    order = Order.objects.get(number="#1001")
    login(client, warehouse_user)
    response = client.post(
        reverse("web:order_action", args=[order.pk]), {"action": "approve"}, **HTMX
    )
    assert response.status_code == 403
    assert "您的角色无权执行此操作" in response.content.decode()
    order.refresh_from_db()
    assert order.status == "pending_review"

    login(client, world["cs"])
    response = client.post(
        reverse("web:order_action", args=[order.pk]), {"action": "cancel"}, **HTMX
    )
    assert response.status_code == 422
    assert "请填写原因" in response.content.decode()
    order.refresh_from_db()
    assert order.status == "pending_review"


def test_action_without_htmx_redirects_with_a_message(client, world):
    order = Order.objects.get(number="#1001")
    login(client, world["cs"])
    response = client.post(
        reverse("web:order_action", args=[order.pk]),
        {"action": "cancel", "reason": "买家要求取消"},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == reverse("web:order", args=[order.pk])
    assert "订单已取消" in response.content.decode()
    order.refresh_from_db()
    assert order.status == "cancelled"


def test_missing_order_is_404(client, world):
    login(client, world["cs"])
    assert client.get(reverse("web:order", args=[999999])).status_code == 404
