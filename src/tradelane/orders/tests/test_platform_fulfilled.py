"""Orders the sales platform ships itself (Amazon FBA): recorded as shipped from a platform
warehouse, with no stock movement, and never from our own warehouses."""

import pytest

from tradelane.core.errors import PermissionDenied, ValidationFailed
from tradelane.core.models import AuditLog, StateEvent
from tradelane.inventory.models import StockMovement, Warehouse
from tradelane.orders import services
from tradelane.orders.platform import apply_platform_orders

from .factories import make_order, make_store

pytestmark = pytest.mark.django_db


@pytest.fixture
def fba(db):
    return Warehouse.objects.create(code="FBA-US", name="FBA US", kind="platform", country="US")


def test_review_states_move_to_shipped_others_stay(cs, make_sku, fba):
    store = make_store()
    sku = make_sku("A")
    moved = [make_order(store, [(sku, 1)], status=s)
             for s in ("pending_review", "approved", "invalid")]  # fmt: skip
    stays = [make_order(store, [(sku, 1)], status=s) for s in ("cancelled", "pending_shipment")]
    count = services.record_platform_fulfilled(cs, [o.pk for o in moved + stays], "FBA-US")
    assert count == 3
    for o in moved:
        o.refresh_from_db()
        assert (o.status, o.warehouse_id) == ("shipped", fba.pk)
    for o, status in zip(stays, ("cancelled", "pending_shipment"), strict=True):
        o.refresh_from_db()
        assert o.status == status and o.warehouse_id is None
    assert StockMovement.objects.count() == 0
    assert StateEvent.objects.filter(to_state="shipped").count() == 3
    assert AuditLog.objects.filter(action="orders.order.platform_fulfilled").count() == 3


def test_refused_without_permission_or_with_an_own_warehouse(warehouse_user, cs, wh_cn, make_sku):
    store = make_store()
    order = make_order(store, [(make_sku("A"), 1)])
    with pytest.raises(PermissionDenied):
        services.record_platform_fulfilled(warehouse_user, [order.pk], "SZ")
    with pytest.raises(ValidationFailed) as err:
        services.record_platform_fulfilled(cs, [order.pk], "SZ")  # kind own, not platform
    assert err.value.code == "invalid_platform_warehouse"
    order.refresh_from_db()
    assert order.status == "pending_review" and order.warehouse_id is None
    assert not StateEvent.objects.filter(to_state="shipped").exists()


def _neutral(ext, **kw):
    return {
        "external_id": ext, "number": ext, "currency": "USD", "payment_status": "paid",
        "platform_updated_at": "2026-01-01T00:00:00Z", "placed_at": "2026-01-01T00:00:00Z",
        "buyer": {"name": "A", "email": "a@example.com"},
        "shipping_address": {"name": "A", "address1": "1 Main St", "city": "Seattle",
                             "state": "WA", "postcode": "98109", "country": "US"},
        "lines": [{"store_sku": "X", "quantity": 1, "unit_price": "1.00"}], **kw,
    }  # fmt: skip


def test_apply_records_platform_orders_without_review(cs, fba):
    store = make_store()
    report = apply_platform_orders(
        cs,
        store,
        [_neutral("1", fulfilled_by_platform=True), _neutral("2"),
         _neutral("3", fulfilled_by_platform=True, cancelled=True)],
        platform_warehouse="FBA-US",
    )  # fmt: skip
    assert (report.created, report.platform_fulfilled, report.cancelled) == (3, 1, 1)
    statuses = dict(store.orders.values_list("external_id", "status"))
    assert statuses["1"] == "shipped" and statuses["3"] == "cancelled"
    assert statuses["2"] != "shipped"
    first = store.orders.get(external_id="1")
    assert first.review == [] and first.warehouse_id == fba.pk
