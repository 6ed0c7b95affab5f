import pytest

from tradelane.core.errors import PermissionDenied
from tradelane.core.models import StateEvent
from tradelane.inventory.models import StockBalance, StockMovement, Warehouse
from tradelane.orders.allocation import allocate_orders
from tradelane.orders.models import Order

from .factories import make_order, make_store

pytestmark = pytest.mark.django_db


def stock(sku, wh, on_hand):
    StockBalance.objects.update_or_create(sku=sku, warehouse=wh, defaults={"on_hand": on_hand})


@pytest.fixture
def store():
    return make_store()


def test_prefers_destination_country_then_priority(logistics, store, make_sku, wh_cn, wh_us):
    a = make_sku("A")
    stock(a, wh_cn, 10)
    stock(a, wh_us, 10)
    us_order = make_order(store, [(a, 2)], status="approved")
    de_order = make_order(store, [(a, 3)], status="approved", ship_country="DE")
    assert allocate_orders(logistics, [us_order.pk, de_order.pk]) == {
        "allocated": 2,
        "pending_purchase": 0,
        "skipped": 0,
    }
    us_order.refresh_from_db()
    de_order.refresh_from_db()
    assert (us_order.status, us_order.warehouse) == ("pending_shipment", wh_us)
    assert (de_order.status, de_order.warehouse) == ("pending_shipment", wh_cn)  # priority 10
    assert StockBalance.objects.get(sku=a, warehouse=wh_us).reserved == 2
    assert StockBalance.objects.get(sku=a, warehouse=wh_cn).reserved == 3
    rows = StockMovement.objects.filter(source_type="order").values_list(
        "source_id", "kind", "reserved_delta", "actor"
    )
    assert sorted(rows) == sorted(
        [
            (str(us_order.pk), "reservation", 2, logistics.pk),
            (str(de_order.pk), "reservation", 3, logistics.pk),
        ]
    )


def test_whole_order_from_one_warehouse_or_pending_purchase_with_shortage(
    logistics, store, make_sku, wh_cn, wh_us
):
    a, b = make_sku("A"), make_sku("B")
    stock(a, wh_cn, 5)
    stock(b, wh_us, 5)  # no single warehouse has both
    order = make_order(store, [(a, 1), (b, 1)], status="approved", ship_country="FR")
    assert allocate_orders(logistics, [order.pk])["pending_purchase"] == 1
    order.refresh_from_db()
    assert order.status == "pending_purchase"
    assert order.warehouse is None
    assert order.shortage == [
        {"sku_id": b.pk, "needed": 1, "available": 0, "warehouse_id": wh_cn.pk}
    ]
    assert StockMovement.objects.count() == 0
    assert StockBalance.objects.get(sku=a, warehouse=wh_cn).reserved == 0
    # stock arrives: the pending-purchase order allocates on the next run
    stock(b, wh_cn, 1)
    assert allocate_orders(logistics, [order.pk])["allocated"] == 1
    order.refresh_from_db()
    assert (order.status, order.warehouse, order.shortage) == ("pending_shipment", wh_cn, [])


def test_first_come_first_served_within_a_chunk(logistics, store, make_sku, wh_cn):
    from datetime import timedelta

    from django.utils import timezone

    a = make_sku("A")
    stock(a, wh_cn, 3)
    now = timezone.now()
    late = make_order(store, [(a, 2)], status="approved", placed_at=now)
    early = make_order(store, [(a, 2)], status="approved", placed_at=now - timedelta(hours=1))
    allocate_orders(logistics, [late.pk, early.pk])
    early.refresh_from_db()
    late.refresh_from_db()
    assert (early.status, late.status) == ("pending_shipment", "pending_purchase")


def test_platform_warehouse_never_ships_merchant_orders(logistics, store, make_sku):
    fba = Warehouse.objects.create(code="FBA", name="FBA", kind="platform", country="US")
    a = make_sku("A")
    stock(a, fba, 100)
    order = make_order(store, [(a, 1)], status="approved")
    allocate_orders(logistics, [order.pk])
    order.refresh_from_db()
    assert order.status == "pending_purchase"


def test_skips_orders_not_approved_and_refuses_other_roles(logistics, cs, store, make_sku, wh_cn):
    a = make_sku("A")
    stock(a, wh_cn, 5)
    pending = make_order(store, [(a, 1)])
    assert allocate_orders(logistics, [pending.pk])["skipped"] == 1
    approved = make_order(store, [(a, 1)], status="approved")
    with pytest.raises(PermissionDenied):
        allocate_orders(cs, [approved.pk])
    approved.refresh_from_db()
    assert approved.status == "approved"
    assert StockBalance.objects.get(sku=a).reserved == 0
    assert StockMovement.objects.count() == StateEvent.objects.count() == 0


def test_allocation_is_set_based(
    logistics, store, make_sku, wh_cn, wh_us, django_assert_max_num_queries
):
    skus = [make_sku(f"S{i}") for i in range(5)]
    for s in skus:
        stock(s, wh_cn, 1000)
    ids = [
        make_order(store, [(skus[i % 5], 1), (skus[(i + 1) % 5], 2)], status="approved").pk
        for i in range(80)
    ]
    with django_assert_max_num_queries(30):
        allocate_orders(logistics, ids)
    assert Order.objects.filter(status="pending_shipment").count() == 80
    assert sum(StockBalance.objects.values_list("reserved", flat=True)) == 80 * 3
