import pytest

from tradelane.core.errors import (
    Conflict,
    InvalidTransition,
    PermissionDenied,
    ValidationFailed,
)
from tradelane.core.models import StateEvent
from tradelane.inventory.models import StockBalance, StockMovement
from tradelane.orders import services
from tradelane.orders.models import Package, StoreSkuMapping

from .factories import make_order, make_store

pytestmark = pytest.mark.django_db


def stock(sku, wh, on_hand):
    StockBalance.objects.update_or_create(sku=sku, warehouse=wh, defaults={"on_hand": on_hand})


@pytest.fixture
def store():
    return make_store()


@pytest.fixture
def allocated(logistics, store, make_sku, wh_cn):
    a = make_sku("A")
    stock(a, wh_cn, 10)
    order = make_order(store, [(a, 4)], status="approved")
    services.allocate_orders(logistics, [order.pk])
    order.refresh_from_db()
    return order


def test_cancel_releases_the_reservation(cs, allocated):
    services.cancel_order(cs, allocated, "buyer asked")
    allocated.refresh_from_db()
    assert (allocated.status, allocated.warehouse) == ("cancelled", None)
    balance = StockBalance.objects.get()
    assert (balance.on_hand, balance.reserved) == (10, 0)
    kinds = list(StockMovement.objects.order_by("id").values_list("kind", "reserved_delta"))
    assert kinds == [("reservation", 4), ("release", -4)]
    last = StateEvent.objects.filter(object_id=allocated.pk).last()
    assert (last.from_state, last.to_state, last.reason, last.actor) == (
        "pending_shipment",
        "cancelled",
        "buyer asked",
        cs,
    )


def test_invalid_from_pending_shipment_releases_too(cs, allocated):
    services.change_status(cs, allocated, "invalid", "fraud")
    assert StockBalance.objects.get().reserved == 0


def test_refused_transitions_change_nothing(cs, warehouse_user, allocated):
    before = (StockMovement.objects.count(), StateEvent.objects.count())
    with pytest.raises(PermissionDenied):
        services.cancel_order(warehouse_user, allocated, "no")
    with pytest.raises(ValidationFailed):
        services.cancel_order(cs, allocated, "  ")  # reason required
    with pytest.raises(ValidationFailed):
        services.change_status(cs, allocated, "shipped")  # only through mark_shipped
    with pytest.raises(InvalidTransition):
        services.change_status(cs, allocated, "pending_contact", "call")
    allocated.refresh_from_db()
    assert allocated.status == "pending_shipment"
    assert StockBalance.objects.get().reserved == 4
    assert (StockMovement.objects.count(), StateEvent.objects.count()) == before


def test_stale_state_is_refused(cs, store, make_sku):
    order = make_order(store, [(make_sku("A"), 1)])
    stale = type(order).objects.get(pk=order.pk)
    services.change_status(cs, order, "approved")
    with pytest.raises(InvalidTransition):
        services.change_status(cs, stale, "invalid", "too late")
    order.refresh_from_db()
    assert order.status == "approved"


def test_ship_moves_stock_out_of_the_warehouse(logistics, allocated):
    services.mark_shipped(logistics, allocated)
    balance = StockBalance.objects.get()
    assert (balance.on_hand, balance.reserved) == (6, 0)
    assert StockMovement.objects.last().kind == "shipment"


def test_map_store_sku_bundle_replaces_old_mapping(admin, store, make_sku):
    a, b = make_sku("A"), make_sku("B")
    services.map_store_sku(admin, store, "SHOP-1", [(a, 1)])
    services.map_store_sku(admin, store, "SHOP-1", [(a, 1), (b, 2), (a, 1)])
    rows = sorted(StoreSkuMapping.objects.values_list("store_sku", "sku__code", "quantity"))
    assert rows == [("SHOP-1", "A", 2), ("SHOP-1", "B", 2)]
    with pytest.raises(ValidationFailed):
        services.map_store_sku(admin, store, "SHOP-1", [(a, 0)])
    assert StoreSkuMapping.objects.count() == 2


def test_create_store_validates(admin):
    with pytest.raises(ValidationFailed) as err:
        services.create_store(
            admin, code="X", name="X", platform="shopify", currency="USX", country="US"
        )
    assert err.value.code == "invalid_currency"
    store = services.create_store(
        admin, code="X", name="X", platform="shopify", currency="usd", country="us"
    )
    assert (store.currency, store.country) == ("USD", "US")
    with pytest.raises(Conflict):
        services.create_store(
            admin, code="X", name="Y", platform="shopify", currency="USD", country="US"
        )


def test_merge_orders_of_one_buyer(cs, logistics, store, make_sku, wh_cn):
    a = make_sku("A")
    stock(a, wh_cn, 10)
    o1 = make_order(store, [(a, 1)], status="approved", buyer_email="b@example.com")
    o2 = make_order(store, [(a, 2)], status="approved", buyer_email="b@example.com")
    services.allocate_orders(logistics, [o1.pk, o2.pk])
    package = services.merge_orders(cs, [o1.pk, o2.pk])
    assert package.kind == "merged" and package.warehouse == wh_cn
    assert sorted(package.lines.values_list("order_line__order_id", "quantity")) == [
        (o1.pk, 1),
        (o2.pk, 2),
    ]
    # each original order stays, with an event that says where it went
    for o in (o1, o2):
        o.refresh_from_db()
        assert o.status == "pending_shipment"
        assert StateEvent.objects.filter(object_id=o.pk, field="package").count() == 1
    with pytest.raises(Conflict) as err:
        services.merge_orders(cs, [o1.pk, o2.pk])
    assert err.value.code == "already_packaged"


def test_merge_allocates_approved_orders_together(cs, store, make_sku, wh_cn, wh_us):
    a, b = make_sku("A"), make_sku("B")
    stock(a, wh_us, 5)  # the US warehouse has A only
    stock(a, wh_cn, 5)
    stock(b, wh_cn, 5)  # only Shenzhen holds both
    o1 = make_order(store, [(a, 1)], status="approved", buyer_email="b@example.com")
    o2 = make_order(store, [(b, 2)], status="pending_purchase", buyer_email="b@example.com")
    package = services.merge_orders(cs, [o1.pk, o2.pk])
    assert package.warehouse == wh_cn
    for o in (o1, o2):
        o.refresh_from_db()
        assert (o.status, o.warehouse) == ("pending_shipment", wh_cn)
    from tradelane.inventory.services import held

    assert held("order", [str(o1.pk), str(o2.pk)]) == {
        str(o1.pk): {(a.pk, wh_cn.pk): 1},
        str(o2.pk): {(b.pk, wh_cn.pk): 2},
    }


def test_merge_refused_when_no_warehouse_holds_all_changes_nothing(
    cs, logistics, store, make_sku, wh_cn, wh_us
):
    a, b = make_sku("A"), make_sku("B")
    stock(a, wh_us, 5)
    stock(b, wh_cn, 5)
    o1 = make_order(store, [(a, 1)], status="approved", buyer_email="b@example.com")
    o2 = make_order(store, [(b, 1)], status="approved", buyer_email="b@example.com")
    services.allocate_orders(logistics, [o1.pk])  # o1 holds A in the US
    movements = StockMovement.objects.count()
    with pytest.raises(Conflict) as err:
        services.merge_orders(cs, [o1.pk, o2.pk])
    assert err.value.code == "insufficient_stock"
    assert StockMovement.objects.count() == movements
    assert StockBalance.objects.get(sku=a, warehouse=wh_us).reserved == 1
    o1.refresh_from_db()
    o2.refresh_from_db()
    assert (o1.status, o2.status, Package.objects.count()) == ("pending_shipment", "approved", 0)


def test_merge_refuses_other_buyers_and_changes_nothing(cs, logistics, store, make_sku, wh_cn):
    a = make_sku("A")
    stock(a, wh_cn, 10)
    o1 = make_order(store, [(a, 1)], status="approved")
    o2 = make_order(store, [(a, 1)], status="approved", ship_address1="Other street 1")
    services.allocate_orders(logistics, [o1.pk, o2.pk])
    with pytest.raises(Conflict) as err:
        services.merge_orders(cs, [o1.pk, o2.pk])
    assert err.value.code == "merge_different_buyers"
    assert Package.objects.count() == 0


def test_split_across_warehouses_reserves_per_part(cs, allocated, make_sku, wh_cn, wh_us):
    line = allocated.lines.get()
    stock(line.sku, wh_us, 2)
    packages = services.split_order(
        cs,
        allocated,
        [
            {"warehouse_id": wh_cn.pk, "lines": [{"line_id": line.pk, "quantity": 2}]},
            {"warehouse_id": wh_us.pk, "lines": [{"line_id": line.pk, "quantity": 2}]},
        ],
    )
    assert [(p.kind, p.warehouse_id) for p in packages] == [
        ("split", wh_cn.pk),
        ("split", wh_us.pk),
    ]
    assert StockBalance.objects.get(warehouse=wh_cn).reserved == 2
    assert StockBalance.objects.get(warehouse=wh_us).reserved == 2
    allocated.refresh_from_db()
    assert (allocated.status, allocated.warehouse) == ("pending_shipment", None)
    # cancelling the split order releases both warehouses and closes its packages
    services.cancel_order(cs, allocated, "changed mind")
    assert sum(StockBalance.objects.values_list("reserved", flat=True)) == 0
    assert set(Package.objects.values_list("status", flat=True)) == {"cancelled"}


def test_split_refused_when_stock_short_changes_nothing(cs, allocated, wh_cn, wh_us):
    line = allocated.lines.get()
    parts = [
        {"warehouse_id": wh_cn.pk, "lines": [{"line_id": line.pk, "quantity": 1}]},
        {"warehouse_id": wh_us.pk, "lines": [{"line_id": line.pk, "quantity": 3}]},  # none there
    ]
    before = list(StockMovement.objects.values_list("id", flat=True))
    with pytest.raises(Conflict) as err:
        services.split_order(cs, allocated, parts)
    assert err.value.code == "insufficient_stock"
    assert list(StockMovement.objects.values_list("id", flat=True)) == before
    assert StockBalance.objects.get(warehouse=wh_cn).reserved == 4
    assert Package.objects.count() == 0
    bad = [parts[0], {"warehouse_id": wh_cn.pk, "lines": [{"line_id": line.pk, "quantity": 1}]}]
    with pytest.raises(ValidationFailed) as err:
        services.split_order(cs, allocated, bad)
    assert err.value.code == "split_quantities_mismatch"


def test_split_refused_for_an_order_in_a_merged_parcel(cs, store, make_sku, wh_cn):
    a = make_sku("A")
    stock(a, wh_cn, 10)
    o1 = make_order(store, [(a, 2)], status="approved", buyer_email="b@example.com")
    o2 = make_order(store, [(a, 1)], status="approved", buyer_email="b@example.com")
    package = services.merge_orders(cs, [o1.pk, o2.pk])
    line = o1.lines.get()
    parts = [
        {"warehouse_id": wh_cn.pk, "lines": [{"line_id": line.pk, "quantity": 1}]},
        {"warehouse_id": wh_cn.pk, "lines": [{"line_id": line.pk, "quantity": 1}]},
    ]
    with pytest.raises(Conflict) as err:
        services.split_order(cs, o1, parts)
    assert err.value.code == "already_packaged"
    package.refresh_from_db()
    assert package.status == "open" and Package.objects.count() == 1
