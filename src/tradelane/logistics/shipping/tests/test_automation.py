"""The shipping step of the automation: review passed → allocated → rate-shopped → shipment
with a label, with no click; the store's switch; a failing order stopped with its reason while
the others go through; resume after the cause is fixed."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from tradelane.core.models import StateEvent
from tradelane.inventory import services as inventory
from tradelane.logistics.models import Shipment, ShipmentOrder
from tradelane.logistics.shopping.models import RateChoice
from tradelane.logistics.tests.shipfix import own_channel
from tradelane.orders import automation
from tradelane.orders.models import Order, Store
from tradelane.orders.review import review_orders
from tradelane.orders.tests.factories import make_order, make_store

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_rate_cache")]

FR_ADDRESS = dict(
    ship_name="Marie Curie",
    ship_address1="10 Rue de Rivoli",
    ship_city="Paris",
    ship_state="",
    ship_postcode="75001",
    ship_country="FR",
    ship_phone="+33 6 12 34 56 78",
)


@pytest.fixture
def inline_tasks(settings, django_capture_on_commit_callbacks):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def world(logistics, company, wh_cn, make_sku):
    boss = get_user_model().objects.create_superuser("boss", "boss@example.com", "x")
    mug = make_sku("MUG")
    inventory.receive(boss, sku_id=mug.pk, warehouse_id=wh_cn.pk, quantity=10)
    own_channel(logistics, "POST", countries=("US",))  # our own channel: numbered at once
    store = make_store()
    Store.objects.filter(pk=store.pk).update(auto_ship=True)
    return {"mug": mug, "store": store}


def history(order, field):
    return list(
        StateEvent.objects.filter(entity="orders.order", object_id=order.pk, field=field)
        .order_by("id")
        .values_list("to_state", "reason")
    )


def test_an_order_flows_from_review_to_a_label_with_no_click(cs, world, inline_tasks):
    order = make_order(world["store"], [(world["mug"], 2)])
    with inline_tasks():
        review_orders(cs, [order.pk])
    order.refresh_from_db()
    assert order.status == "pending_shipment" and order.automation_stopped_at is None
    (shipment,) = Shipment.objects.filter(order_links__order=order)
    assert (shipment.status, shipment.channel.code, shipment.created_by.username) == (
        "labelled", "POST", "system.automation",
    )  # fmt: skip
    assert shipment.tracking_number.startswith("POST")
    assert RateChoice.objects.get(order=order).channel.code == "POST"
    assert history(order, "status") == [
        ("approved", "review: all rules passed"),
        ("pending_shipment", "auto after review: allocated"),
    ]
    assert history(order, "automation") == [
        ("rate_shop", "auto after review: channel POST chosen"),
        ("shipment", f"auto after review: shipment {shipment.number} created on POST"),
    ]


def test_a_failing_order_is_stopped_with_its_reason_and_the_other_goes_through(
    cs, world, inline_tasks
):
    good = make_order(world["store"], [(world["mug"], 1)])
    lost = make_order(world["store"], [(world["mug"], 1)], **FR_ADDRESS)  # POST: US only
    with inline_tasks():
        assert review_orders(cs, [good.pk, lost.pk])["approved"] == 2
    good.refresh_from_db()
    lost.refresh_from_db()
    assert ShipmentOrder.objects.filter(order=good).count() == 1
    assert not ShipmentOrder.objects.filter(order=lost).exists()
    assert lost.status == "pending_shipment"  # allocated: only the shipping step stopped
    assert lost.automation_stopped_at is not None and good.automation_stopped_at is None
    assert (lost.automation_stop["step"], lost.automation_stop["code"]) == (
        "rate_shop",
        "no_channel",
    )
    assert "no channel can carry this parcel" in lost.automation_stop["message"]
    (stopped,) = history(lost, "automation")
    assert stopped[0] == "stopped"
    assert stopped[1].startswith("auto after review: stopped at rate_shop: no_channel: ")
    assert list(Order.objects.filter(automation_stopped_at__isnull=False)) == [lost]


def test_a_refused_shipment_stops_only_that_order(cs, world, logistics, inline_tasks, wh_cn):
    from tradelane.logistics.models import S10Series

    # a channel numbered from an S10 series with one number left: the second order is refused
    own_channel(
        logistics, "REG", countries=("US",), per_kg="1", s10_prefix="RR", s10_country="CN"
    )  # cheaper: chosen for both
    S10Series.objects.create(prefix="RR", country="CN", next_serial=1, last_serial=1)
    first = make_order(world["store"], [(world["mug"], 1)])
    second = make_order(world["store"], [(world["mug"], 1)])
    with inline_tasks():
        review_orders(cs, [first.pk, second.pk])
    first.refresh_from_db()
    second.refresh_from_db()
    assert Shipment.objects.get(order_links__order=first).channel.code == "REG"
    assert not ShipmentOrder.objects.filter(order=second).exists()
    assert second.automation_stop == {
        "step": "ship",
        "code": "s10_series_exhausted",
        "message": "The S10 number series RR…CN is used up",
    }
    assert first.automation_stopped_at is None


def test_the_shipping_switch_off_stops_after_allocation(cs, world, inline_tasks):
    Store.objects.filter(pk=world["store"].pk).update(auto_ship=False)
    order = make_order(world["store"], [(world["mug"], 1)])
    with inline_tasks():
        review_orders(cs, [order.pk])
    order.refresh_from_db()
    assert order.status == "pending_shipment"
    assert not Shipment.objects.exists() and not RateChoice.objects.exists()
    assert history(order, "automation") == []


def test_resume_after_the_cause_is_fixed_ships_the_order(cs, world, logistics, inline_tasks):
    order = make_order(world["store"], [(world["mug"], 1)], **FR_ADDRESS)
    with inline_tasks():
        review_orders(cs, [order.pk])
    order.refresh_from_db()
    assert order.automation_stop["code"] == "no_channel"
    own_channel(logistics, "EU", countries=("FR",))
    with inline_tasks():
        automation.resume(logistics, order)
    order.refresh_from_db()
    assert order.automation_stopped_at is None
    assert Shipment.objects.get(order_links__order=order).channel.code == "EU"
    assert [e[0] for e in history(order, "automation")] == [
        "stopped", "resumed", "rate_shop", "shipment",
    ]  # fmt: skip


def test_an_order_allocated_by_hand_is_shipped_too(logistics, world, inline_tasks):
    from tradelane.orders.allocation import allocate_orders

    order = make_order(world["store"], [(world["mug"], 1)], status="approved")
    with inline_tasks():
        allocate_orders(logistics, [order.pk])
    shipment = Shipment.objects.get(order_links__order=order)
    assert history(order, "status") == [("pending_shipment", "allocated")]
    assert history(order, "automation")[-1] == (
        "shipment", f"auto after allocation: shipment {shipment.number} created on POST",
    )  # fmt: skip


def test_a_second_run_for_the_same_orders_ships_nothing_twice(cs, world, inline_tasks):
    from tradelane.logistics.shipping import automation as ship_step

    order = make_order(world["store"], [(world["mug"], 1)])
    with inline_tasks():
        review_orders(cs, [order.pk])
    assert ship_step.run_ship({"order_ids": [order.pk], "trigger": "after review"}) == {
        "shipped": 0, "stopped": 0,
    }  # fmt: skip
    assert ShipmentOrder.objects.filter(order=order).count() == 1
    assert Order.objects.get(pk=order.pk).automation_stopped_at is None
