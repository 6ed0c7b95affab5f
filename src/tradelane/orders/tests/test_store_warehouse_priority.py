"""A store's own warehouse priority: allocation tries the store's warehouses first (then the
destination country, then the global priority); the service that sets it."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tradelane.core.errors import PermissionDenied, ValidationFailed
from tradelane.core.models import AuditLog
from tradelane.inventory import services as inventory
from tradelane.inventory.models import StockBalance, Warehouse
from tradelane.orders import allocation
from tradelane.orders import services as order_services
from tradelane.orders.allocation import allocate_orders
from tradelane.orders.models import Order, Store

from .factories import make_order, make_store

pytestmark = pytest.mark.django_db


def stock(sku, wh, on_hand):
    StockBalance.objects.update_or_create(sku=sku, warehouse=wh, defaults={"on_hand": on_hand})


def warehouse_of(order):
    order.refresh_from_db()
    assert order.status == "pending_shipment", order.shortage
    return order.warehouse.code


@pytest.fixture
def wh_uk(db):
    return Warehouse.objects.create(
        code="UK", name="London", kind="overseas", country="GB", priority=30
    )


def test_store_preference_beats_destination_country(admin, logistics, make_sku, wh_cn, wh_us):
    a = make_sku("A")
    stock(a, wh_cn, 10)
    stock(a, wh_us, 10)
    preferring = make_store("PREF")
    other = make_store("OTHER")
    order_services.set_warehouse_priority(admin, preferring, ["SZ"])
    mine = make_order(preferring, [(a, 2)], status="approved")  # ships to US
    theirs = make_order(other, [(a, 3)], status="approved")
    assert allocate_orders(logistics, [mine.pk, theirs.pk])["allocated"] == 2
    assert warehouse_of(mine) == "SZ"  # the store's choice over the same-country LA
    assert warehouse_of(theirs) == "LA"  # other stores: destination country first, as before
    assert StockBalance.objects.get(sku=a, warehouse=wh_cn).reserved == 2
    assert StockBalance.objects.get(sku=a, warehouse=wh_us).reserved == 3


def test_listed_warehouses_in_the_store_order_then_the_rest(
    admin, logistics, make_sku, wh_cn, wh_us, wh_uk
):
    a, b = make_sku("A"), make_sku("B")
    stock(a, wh_cn, 10)
    stock(a, wh_us, 10)
    stock(a, wh_uk, 10)
    stock(b, wh_us, 10)  # only LA has B
    store = make_store("PREF")
    order_services.set_warehouse_priority(admin, store, ["UK", "SZ"])
    first = make_order(store, [(a, 1)], status="approved")
    lacking = make_order(store, [(a, 1), (b, 1)], status="approved")  # UK, SZ lack B
    allocate_orders(logistics, [first.pk, lacking.pk])
    assert warehouse_of(first) == "UK"  # listed first, though priority 30 and not in the US
    assert warehouse_of(lacking) == "LA"  # falls back to the rest (US destination)


def test_preferred_without_stock_falls_back_and_shortage_is_reported(
    admin, logistics, make_sku, wh_cn, wh_us
):
    a = make_sku("A")
    stock(a, wh_cn, 1)
    stock(a, wh_us, 5)
    store = make_store("PREF")
    order_services.set_warehouse_priority(admin, store, ["SZ"])
    o = make_order(store, [(a, 3)], status="approved", ship_country="DE")
    allocate_orders(logistics, [o.pk])
    assert warehouse_of(o) == "LA"
    big = make_order(store, [(a, 9)], status="approved", ship_country="DE")
    allocate_orders(logistics, [big.pk])
    big.refresh_from_db()
    assert big.status == "pending_purchase"
    # SZ (listed) misses 8, LA misses 7 (2 left): the shortage is against LA
    assert big.shortage == [{"sku_id": a.pk, "needed": 9, "available": 2, "warehouse_id": wh_us.pk}]


def test_inactive_listed_warehouse_is_skipped(admin, logistics, make_sku, wh_cn, wh_us):
    a = make_sku("A")
    stock(a, wh_cn, 10)
    stock(a, wh_us, 10)
    store = make_store("PREF")
    order_services.set_warehouse_priority(admin, store, ["SZ"])
    Warehouse.objects.filter(pk=wh_cn.pk).update(is_active=False)
    o = make_order(store, [(a, 1)], status="approved")
    allocate_orders(logistics, [o.pk])
    assert warehouse_of(o) == "LA"


def test_one_at_a_time_fallback_honours_the_store_list(
    admin, logistics, make_sku, wh_cn, wh_us, monkeypatch
):
    a = make_sku("A")
    stock(a, wh_cn, 10)
    stock(a, wh_us, 10)
    store = make_store("PREF")
    order_services.set_warehouse_priority(admin, store, ["SZ"])
    o = make_order(store, [(a, 1)], status="approved")
    real = inventory.reserve_many
    calls = []

    def flaky(actor, reservations):
        calls.append(len(reservations))
        if len(calls) == 1:  # stock moved under the chunk: redo one order at a time
            raise inventory.InsufficientStock("moved")
        return real(actor, reservations)

    monkeypatch.setattr(allocation.inventory, "reserve_many", flaky)
    allocate_orders(logistics, [o.pk])
    assert len(calls) == 2
    assert warehouse_of(o) == "SZ"


def test_store_lists_cost_no_query_per_order(admin, logistics, make_sku, wh_cn, wh_us):
    a = make_sku("A")
    stock(a, wh_cn, 100)
    stock(a, wh_us, 100)

    def queries(n_stores):
        ids = []
        for i in range(n_stores):
            store = make_store(f"Q{n_stores}-{i}")
            order_services.set_warehouse_priority(admin, store, ["SZ"])
            ids += [make_order(store, [(a, 1)], status="approved").pk for _ in range(2)]
        with CaptureQueriesContext(connection) as ctx:
            allocate_orders(logistics, ids)
        assert Order.objects.filter(pk__in=ids, warehouse=wh_cn).count() == len(ids)
        return len(ctx.captured_queries)

    queries(1)  # warm caches (permissions, content types)
    assert queries(2) == queries(7)


def test_set_warehouse_priority_records_and_refuses_bad_input(admin, cs, wh_cn, wh_us):
    Warehouse.objects.create(code="FBA-US", name="FBA", kind="platform", country="US")
    store = make_store("PREF")
    order_services.set_warehouse_priority(admin, store, ["LA", "SZ"])
    store.refresh_from_db()
    assert store.warehouse_priority == ["LA", "SZ"]
    (row,) = AuditLog.objects.filter(action="orders.store.warehouse_priority")
    assert (row.object_id, row.changes) == (
        str(store.pk),
        {"warehouse_priority": [[], ["LA", "SZ"]]},
    )
    order_services.set_warehouse_priority(admin, store, ["LA", "SZ"])  # unchanged: no new row
    assert AuditLog.objects.filter(action="orders.store.warehouse_priority").count() == 1
    for bad, key in (
        (["SZ", "NOPE"], {"unknown": ["NOPE"]}),
        (["FBA-US"], {"unknown": ["FBA-US"]}),  # platform warehouses do not ship our orders
        (["SZ", "SZ"], {"repeated": ["SZ"]}),
        ("SZ", None),
    ):
        with pytest.raises(ValidationFailed) as exc:
            order_services.set_warehouse_priority(admin, store, bad)
        assert exc.value.code == "invalid_warehouse_priority"
        if key:
            assert {k: exc.value.details[k] for k in key} == key
    with pytest.raises(PermissionDenied):
        order_services.set_warehouse_priority(cs, store, ["SZ"])
    assert Store.objects.get(pk=store.pk).warehouse_priority == ["LA", "SZ"]
    assert AuditLog.objects.filter(action="orders.store.warehouse_priority").count() == 1
