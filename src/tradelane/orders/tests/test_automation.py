"""The automation pipeline's order steps: stock arriving releases the orders waiting for it
(oldest first, then store priority, only that SKU, only a warehouse that ships orders), review
passing allocates, each store's switch, the history with reasons, stops and resume."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from tradelane.core import followups
from tradelane.core.errors import Conflict, PermissionDenied
from tradelane.core.models import StateEvent
from tradelane.inventory import services as inventory
from tradelane.inventory.models import StockBalance, Warehouse
from tradelane.orders import automation
from tradelane.orders import services as order_services
from tradelane.orders.models import Order, Store
from tradelane.orders.review import review_orders

from .factories import make_order, make_store

pytestmark = pytest.mark.django_db

T0 = timezone.make_aware(dt.datetime(2026, 11, 1, 9, 0))


@pytest.fixture
def inline_tasks(settings, django_capture_on_commit_callbacks):
    """Tasks run at once, and on-commit callbacks (the follow-ups) run when the block ends."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def boss(db):
    return get_user_model().objects.create_superuser("boss", "boss@example.com", "x")


def waiting(store, sku, qty, placed_at):
    order = make_order(store, [(sku, qty)], status="pending_purchase", placed_at=placed_at)
    order.shortage = [{"sku_id": sku.pk, "needed": qty, "available": 0, "warehouse_id": None}]
    order.save(update_fields=["shortage"])
    return order


def statuses(*orders):
    return [Order.objects.get(pk=o.pk).status for o in orders]


def auto_events(order, field="status"):
    return list(
        StateEvent.objects.filter(entity="orders.order", object_id=order.pk, field=field)
        .order_by("id")
        .values_list("to_state", "reason", "actor__username")
    )


def test_the_inventory_names_the_follow_up_the_orders_app_registers():
    assert inventory.STOCK_ARRIVED == automation.STOCK_ARRIVED
    assert {automation.ALLOCATE, automation.STOCK_ARRIVED, automation.SHIP} <= set(
        followups.registered()
    )


def test_receipt_releases_waiting_orders_oldest_first_then_store_priority(
    boss, make_sku, wh_cn, inline_tasks
):
    """Order 24054 stayed in pending purchase after 20 units arrived, until someone clicked."""
    oil, other = make_sku("OIL-LAV-10"), make_sku("SOAP-1")
    slow = make_store("S1")
    fast = make_store("S2")
    Store.objects.filter(pk=fast.pk).update(order_priority=10)  # S1 keeps 100
    oldest = waiting(slow, oil, 10, T0)
    tie_slow = waiting(slow, oil, 10, T0 + dt.timedelta(hours=1))
    tie_fast = waiting(fast, oil, 10, T0 + dt.timedelta(hours=1))
    soap = waiting(slow, other, 1, T0 - dt.timedelta(days=1))
    with inline_tasks():
        inventory.receive(boss, sku_id=oil.pk, warehouse_id=wh_cn.pk, quantity=20)
    assert statuses(oldest, tie_fast, tie_slow, soap) == [
        "pending_shipment", "pending_shipment", "pending_purchase", "pending_purchase",
    ]  # fmt: skip
    balance = StockBalance.objects.get(sku=oil, warehouse=wh_cn)
    assert (balance.on_hand, balance.reserved) == (20, 20)
    assert auto_events(oldest) == [
        ("pending_shipment", "auto on stock arrival: allocated", "system.automation")
    ]
    assert auto_events(tie_slow) == [] and auto_events(soap) == []
    assert Order.objects.get(pk=oldest.pk).warehouse_id == wh_cn.pk


@pytest.mark.parametrize("how", ["transfer", "adjustment", "stocktake", "receipt_batch", "release"])
def test_every_stock_increase_releases_waiting_orders(
    how, boss, make_sku, wh_cn, wh_us, inline_tasks
):
    oil = make_sku("OIL")
    store = make_store()
    order = waiting(store, oil, 2, T0)
    if how == "transfer":
        inventory.receive(boss, sku_id=oil.pk, warehouse_id=wh_us.pk, quantity=2)
        Warehouse.objects.filter(pk=wh_us.pk).update(is_active=False)  # not a source to ship
        with inline_tasks():
            inventory.transfer(
                boss, sku_id=oil.pk, from_warehouse_id=wh_us.pk, to_warehouse_id=wh_cn.pk,
                quantity=2,
            )  # fmt: skip
    elif how == "adjustment":
        with inline_tasks():
            inventory.adjust(boss, sku_id=oil.pk, warehouse_id=wh_cn.pk, delta=2, note="found")
    elif how == "stocktake":
        with inline_tasks():
            inventory.apply_counts(boss, [(oil.pk, wh_cn.pk, 5)], inventory.STOCKTAKE)
    elif how == "receipt_batch":
        with inline_tasks():
            inventory.apply_counts(boss, [(oil.pk, wh_cn.pk, 2)], inventory.RECEIPT)
    else:  # another order is cancelled: its reserved stock goes to the waiting one
        inventory.receive(boss, sku_id=oil.pk, warehouse_id=wh_cn.pk, quantity=2)
        holder = make_order(store, [(oil, 2)], status="approved")
        order_services.allocate_orders(boss, [holder.pk])
        holder.refresh_from_db()
        assert holder.status == "pending_shipment"
        with inline_tasks():
            order_services.cancel_order(boss, holder, "buyer changed their mind")
    assert statuses(order) == ["pending_shipment"]
    assert Order.objects.get(pk=order.pk).warehouse_id == wh_cn.pk


def test_stock_in_a_platform_warehouse_or_for_another_sku_releases_nothing(
    boss, make_sku, wh_cn, inline_tasks
):
    oil, soap = make_sku("OIL"), make_sku("SOAP")
    fba = Warehouse.objects.create(code="FBA", name="FBA", country="US", kind="platform")
    order = waiting(make_store(), oil, 1, T0)
    with inline_tasks():
        inventory.receive(boss, sku_id=oil.pk, warehouse_id=fba.pk, quantity=5)
        inventory.receive(boss, sku_id=soap.pk, warehouse_id=wh_cn.pk, quantity=5)
    assert statuses(order) == ["pending_purchase"]
    assert StockBalance.objects.get(sku=oil, warehouse=fba).reserved == 0
    assert auto_events(order) == []


def test_a_store_with_automatic_allocation_off_keeps_its_orders_waiting(
    boss, make_sku, wh_cn, inline_tasks
):
    oil = make_sku("OIL")
    manual = make_store("MAN")
    Store.objects.filter(pk=manual.pk).update(auto_allocate=False)
    auto = make_store("AUTO")
    held_back = waiting(manual, oil, 1, T0 - dt.timedelta(days=2))  # older, but switched off
    released = waiting(auto, oil, 1, T0)
    with inline_tasks():
        inventory.receive(boss, sku_id=oil.pk, warehouse_id=wh_cn.pk, quantity=1)
    assert statuses(held_back, released) == ["pending_purchase", "pending_shipment"]


def test_nothing_happens_when_the_receipt_rolls_back(boss, make_sku, wh_cn, inline_tasks):
    oil = make_sku("OIL")
    order = waiting(make_store(), oil, 1, T0)
    with inline_tasks():
        with pytest.raises(PermissionDenied):
            inventory.receive(None, sku_id=oil.pk, warehouse_id=wh_cn.pk, quantity=1)
    assert statuses(order) == ["pending_purchase"]
    assert not StockBalance.objects.filter(sku=oil).exists()


def test_review_passing_allocates_with_the_reason_in_the_history(
    cs, company, make_sku, wh_cn, boss, inline_tasks
):
    mug = make_sku("MUG")
    inventory.receive(boss, sku_id=mug.pk, warehouse_id=wh_cn.pk, quantity=5)
    order = make_order(make_store(), [(mug, 2)])
    with inline_tasks():
        assert review_orders(cs, [order.pk])["approved"] == 1
    assert statuses(order) == ["pending_shipment"]
    assert auto_events(order) == [
        ("approved", "review: all rules passed", "cs_user"),
        ("pending_shipment", "auto after review: allocated", "system.automation"),
    ]
    assert StockBalance.objects.get(sku=mug, warehouse=wh_cn).reserved == 2


def test_review_passing_without_stock_goes_to_pending_purchase_automatically(
    cs, company, make_sku, wh_cn, inline_tasks
):
    order = make_order(make_store(), [(make_sku("MUG"), 2)])
    with inline_tasks():
        review_orders(cs, [order.pk])
    assert statuses(order) == ["pending_purchase"]
    assert auto_events(order)[-1] == (
        "pending_purchase",
        "auto after review: no warehouse has all lines in stock",
        "system.automation",
    )


def test_approving_by_hand_after_a_call_allocates_too(cs, make_sku, wh_cn, boss, inline_tasks):
    mug = make_sku("MUG")
    inventory.receive(boss, sku_id=mug.pk, warehouse_id=wh_cn.pk, quantity=1)
    order = make_order(make_store(), [(mug, 1)], status="pending_contact")
    with inline_tasks():
        order_services.change_status(cs, order, "approved", "buyer confirmed the address")
    assert statuses(order) == ["pending_shipment"]


def test_releasing_stock_by_hand_is_not_undone_by_the_automation(
    logistics, make_sku, wh_cn, boss, inline_tasks
):
    mug = make_sku("MUG")
    inventory.receive(boss, sku_id=mug.pk, warehouse_id=wh_cn.pk, quantity=1)
    order = make_order(make_store(), [(mug, 1)], status="approved")
    order_services.allocate_orders(logistics, [order.pk])
    order.refresh_from_db()
    with inline_tasks():
        order_services.change_status(logistics, order, "approved", "wrong warehouse")
    assert statuses(order) == ["approved"]


def test_the_allocation_switch_off_leaves_reviewed_orders_approved(
    cs, company, make_sku, wh_cn, boss, inline_tasks
):
    mug = make_sku("MUG")
    inventory.receive(boss, sku_id=mug.pk, warehouse_id=wh_cn.pk, quantity=5)
    store = make_store()
    Store.objects.filter(pk=store.pk).update(auto_allocate=False)
    order = make_order(store, [(mug, 2)])
    with inline_tasks():
        review_orders(cs, [order.pk])
    assert statuses(order) == ["approved"]
    assert [e[0] for e in auto_events(order)] == ["approved"]
    assert StockBalance.objects.get(sku=mug, warehouse=wh_cn).reserved == 0


def test_a_stopped_order_is_skipped_until_resumed(logistics, make_sku, wh_cn, boss, inline_tasks):
    oil = make_sku("OIL")
    order = waiting(make_store(), oil, 1, T0)
    automation.stop_orders(
        automation.automation_actor(), {order.pk: ("ship", "no_channel", "none")}, "after review"
    )
    with inline_tasks():
        inventory.receive(boss, sku_id=oil.pk, warehouse_id=wh_cn.pk, quantity=1)
    assert statuses(order) == ["pending_purchase"]
    assert auto_events(order, "automation") == [
        ("stopped", "auto after review: stopped at ship: no_channel: none", "system.automation")
    ]
    with inline_tasks():
        automation.resume(logistics, Order.objects.get(pk=order.pk))
    order.refresh_from_db()
    assert (order.status, order.automation_stop, order.automation_stopped_at) == (
        "pending_shipment", None, None,
    )  # fmt: skip
    assert [e[0] for e in auto_events(order, "automation")] == ["stopped", "resumed"]
    assert auto_events(order)[-1] == (
        "pending_shipment", "auto after resume: allocated", "system.automation",
    )  # fmt: skip


def test_resume_is_refused_when_not_stopped_or_not_allowed(cs, logistics, make_sku):
    order = make_order(make_store(), [(make_sku("A"), 1)], status="approved")
    with pytest.raises(Conflict) as exc:
        automation.resume(logistics, order)
    assert exc.value.code == "automation_not_stopped"
    automation.stop_orders(logistics, {order.pk: ("allocate", "x", "y")}, "after review")
    with pytest.raises(PermissionDenied):
        automation.resume(cs, Order.objects.get(pk=order.pk))
    order.refresh_from_db()
    assert order.automation_stop == {"step": "allocate", "code": "x", "message": "y"}
    assert [e[0] for e in auto_events(order, "automation")] == ["stopped"]


def test_a_large_wait_list_stops_once_the_stock_is_gone(
    boss, make_sku, wh_cn, inline_tasks, monkeypatch
):
    """Batches are set-based; after the batch that used up the stock, the rest is not tried."""
    monkeypatch.setattr(automation, "BATCH", 5)
    calls = []
    real = automation.allocate_orders

    def spy(actor, ids, **kw):
        calls.append(sorted(ids))
        return real(actor, ids, **kw)

    monkeypatch.setattr(automation, "allocate_orders", spy)
    oil = make_sku("OIL")
    store = make_store()
    orders = [waiting(store, oil, 1, T0 + dt.timedelta(minutes=i)) for i in range(30)]
    with inline_tasks():
        inventory.receive(boss, sku_id=oil.pk, warehouse_id=wh_cn.pk, quantity=7)
    assert statuses(*orders) == ["pending_shipment"] * 7 + ["pending_purchase"] * 23
    assert calls == [[o.pk for o in orders[:5]], [o.pk for o in orders[5:10]]]
