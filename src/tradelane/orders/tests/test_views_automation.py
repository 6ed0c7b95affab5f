"""The automation on the pages: a stopped order's reason on its page and a resume button, the
workbench's "automation stopped" tab and badge, the history's automatic entries."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tradelane.core.models import StateEvent
from tradelane.orders import automation
from tradelane.orders.models import Order
from tradelane.web.tests.data import HTMX, login

from .factories import make_order, make_store

pytestmark = pytest.mark.django_db


@pytest.fixture
def orders(make_sku):
    store = make_store()
    sku = make_sku("MUG")
    stopped = make_order(store, [(sku, 1)], status="pending_shipment")
    fine = make_order(store, [(sku, 1)], status="pending_shipment")
    gone = make_order(store, [(sku, 1)], status="cancelled")
    automation.stop_orders(
        automation.automation_actor(),
        {
            stopped.pk: ("rate_shop", "no_channel", "no channel can carry this parcel"),
            gone.pk: ("ship", "channel_refused", "Channel X cannot carry this parcel"),
        },
        automation.AFTER_REVIEW,
    )
    return {"stopped": stopped, "fine": fine, "gone": gone}


def test_workbench_tab_and_badge_list_only_open_stopped_orders(client, logistics, orders):
    login(client, logistics)
    page = client.get(reverse("web:orders"), {"status": "", "stopped": "1"})
    assert page.status_code == 200
    assert [row["order"].pk for row in page.context["rows"]] == [orders["stopped"].pk]
    assert page.context["stopped_count"] == 1
    text = page.content.decode()
    assert 'data-tab="stopped"' in text and text.count('data-testid="stopped-badge"') == 1
    assert "自动流程已停止" in text
    everything = client.get(reverse("web:orders"), {"status": ""})
    badges = [row["order"].pk for row in everything.context["rows"] if row["stopped"]]
    assert badges == [orders["stopped"].pk]  # the cancelled one is not waiting for anyone


def test_order_page_shows_the_reason_and_resume_clears_it(client, logistics, orders):
    order = orders["stopped"]
    login(client, logistics)
    page = client.get(reverse("web:order", args=[order.pk]))
    text = page.content.decode()
    assert 'data-testid="automation-stop"' in text and 'data-code="no_channel"' in text
    assert "没有运输渠道能承运此订单" in text  # the reason, in the user's language
    assert 'data-testid="action-resume"' in text
    history = [e["reason"] for e in page.context["events"]]
    assert history[0].startswith("自动（审核通过后）：")
    response = client.post(
        reverse("web:order_action", args=[order.pk]), {"action": "resume"}, **HTMX
    )
    assert response.status_code == 200
    order.refresh_from_db()
    assert (order.automation_stop, order.automation_stopped_at) == (None, None)
    assert 'data-testid="automation-stop"' not in response.content.decode()
    assert list(
        StateEvent.objects.filter(object_id=order.pk, field="automation")
        .order_by("id")
        .values_list("to_state", "actor__username")
    ) == [("stopped", "system.automation"), ("resumed", logistics.username)]


def test_customer_service_sees_the_reason_but_may_not_resume(client, cs, orders):
    order = orders["stopped"]
    login(client, cs)
    text = client.get(reverse("web:order", args=[order.pk])).content.decode()
    assert 'data-testid="automation-stop"' in text and 'data-testid="action-resume"' not in text
    response = client.post(
        reverse("web:order_action", args=[order.pk]), {"action": "resume"}, **HTMX
    )
    assert response.status_code == 403
    assert Order.objects.get(pk=order.pk).automation_stop["code"] == "no_channel"
