"""Editing an order on its page: the panel, a fix that approves, a refusal that changes nothing,
the history's before/after in both languages, and who may."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import Client

from tradelane.core.models import AuditLog, FxRate, StateEvent
from tradelane.orders.models import Order
from tradelane.orders.review import review_orders

from .factories import make_order, make_store

pytestmark = pytest.mark.django_db


@pytest.fixture
def order(company, cs, make_sku):
    FxRate.objects.create(
        base="USD", quote="CNY", rate=Decimal("7.1"), date="2026-11-20", source="test"
    )
    o = make_order(make_store(), [(make_sku("A"), 1)], ship_phone="12345")
    review_orders(cs, [o.pk])
    o.refresh_from_db()
    assert o.status == "pending_contact"
    return o


def form(order, **changes):
    data = {
        name: getattr(order, name)
        for name in ("buyer_name", "buyer_email", "buyer_phone", "ship_name", "ship_company",
                     "ship_address1", "ship_address2", "ship_city", "ship_state",
                     "ship_postcode", "ship_country", "ship_phone", "note")
    }  # fmt: skip
    data["lines_form"] = "1"
    for line in order.lines.all():
        data[f"line_sku_{line.pk}"] = line.sku.code if line.sku else ""
        data[f"line_qty_{line.pk}"] = str(line.quantity)
    data.update(changes)
    return data


def test_the_panel_shows_for_customer_service_on_open_orders_only(client, cs, sales, order):
    client.force_login(cs)
    page = client.get(f"/orders/{order.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'data-testid="edit-form"' in page and 'value="12345"' in page
    sales_page = Client()
    sales_page.force_login(sales)
    assert 'data-testid="edit-form"' not in sales_page.get(f"/orders/{order.pk}/").content.decode()
    Order.objects.filter(pk=order.pk).update(status="shipped")
    assert 'data-testid="edit-form"' not in client.get(f"/orders/{order.pk}/").content.decode()


def test_fixing_the_phone_approves_and_the_history_shows_before_and_after(client, cs, order):
    client.force_login(cs)
    r = client.post(
        f"/orders/{order.pk}/edit/",
        form(order, ship_phone="650 253 0001", edit_reason="buyer called back"),
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert r.status_code == 302 and r.url == f"/orders/{order.pk}/"
    order.refresh_from_db()
    assert (order.status, order.ship_phone) == ("approved", "+16502530001")
    page = client.get(r.url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Order saved; review ran again: Approved" in page
    assert "Recipient phone: 12345 → +16502530001 (buyer called back)" in page
    client.cookies["django_language"] = "zh-hans"
    page = client.get(r.url).content.decode()
    assert "收件人电话: 12345 → +16502530001 (buyer called back)" in page
    assert "已修改" in page


def test_a_refused_edit_shows_the_error_and_changes_nothing(client, cs, order):
    client.force_login(cs)
    events = StateEvent.objects.count()
    r = client.post(
        f"/orders/{order.pk}/edit/",
        form(order, ship_phone="555", ship_city="Palo Alto"),
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert r.status_code == 422
    page = r.content.decode()
    assert 'data-error-code="invalid_phone"' in page
    assert "This is not a valid phone number for US." in page
    assert 'value="Palo Alto"' in page  # the form as typed, to correct
    order.refresh_from_db()
    assert (order.status, order.ship_phone, order.ship_city) == (
        "pending_contact", "12345", "Mountain View",
    )  # fmt: skip
    assert StateEvent.objects.count() == events
    assert not AuditLog.objects.filter(action="orders.order.edit").exists()
    client.cookies["django_language"] = "zh-hans"
    r = client.post(f"/orders/{order.pk}/edit/", form(order, ship_phone="555"))
    assert "这不是 US 的有效电话号码。" in r.content.decode()


def test_lines_from_the_form_remove_and_add(client, cs, order, make_sku):
    make_sku("B")
    line = order.lines.get()
    client.force_login(cs)
    data = form(order, ship_phone="+1 650-253-0001", new_sku_0="B", new_qty_0="2")
    data["line_remove"] = str(line.pk)
    r = client.post(f"/orders/{order.pk}/edit/", data)
    assert r.status_code == 302
    assert list(order.lines.values_list("sku__code", "quantity")) == [("B", 2)]
    bad = form(order, **{f"line_qty_{order.lines.get().pk}": "two"})
    r = client.post(f"/orders/{order.pk}/edit/", bad)
    assert r.status_code == 422 and 'data-error-code="invalid_quantity"' in r.content.decode()
    assert list(order.lines.values_list("sku__code", "quantity")) == [("B", 2)]


def test_roles_without_order_change_get_403_and_nothing_changes(
    client, warehouse_user, sales, order
):
    for user in (warehouse_user, sales):
        c = Client()
        c.force_login(user)
        r = c.post(f"/orders/{order.pk}/edit/", form(order, ship_phone="+1 650-253-0001"))
        assert r.status_code == 403
    order.refresh_from_db()
    assert order.ship_phone == "12345"
    assert not StateEvent.objects.filter(field="edit").exists()
