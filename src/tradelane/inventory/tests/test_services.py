import pytest
from django.db import IntegrityError, transaction

from tradelane.core.errors import PermissionDenied, ValidationFailed
from tradelane.inventory import services
from tradelane.inventory.models import StockBalance, StockMovement
from tradelane.inventory.services import InsufficientStock, Reservation

pytestmark = pytest.mark.django_db


def balance(sku, wh):
    b = StockBalance.objects.get(sku=sku, warehouse=wh)
    return b.on_hand, b.reserved


def test_receipt_adjustment_transfer_write_the_ledger(warehouse_user, make_sku, wh_cn, wh_us):
    a = make_sku("A")
    services.receive(
        warehouse_user,
        sku_id=a.pk,
        warehouse_id=wh_cn.pk,
        quantity=10,
        source_type="po",
        source_id="PO-1",
    )
    services.adjust(warehouse_user, sku_id=a.pk, warehouse_id=wh_cn.pk, delta=-2, note="stock-take")
    services.transfer(
        warehouse_user,
        sku_id=a.pk,
        from_warehouse_id=wh_cn.pk,
        to_warehouse_id=wh_us.pk,
        quantity=3,
    )
    assert balance(a, wh_cn) == (5, 0)
    assert balance(a, wh_us) == (3, 0)
    rows = list(
        StockMovement.objects.order_by("id").values_list(
            "kind", "warehouse__code", "on_hand_delta", "source_type", "actor"
        )
    )
    assert rows == [
        ("receipt", "SZ", 10, "po", warehouse_user.pk),
        ("adjustment", "SZ", -2, "manual", warehouse_user.pk),
        ("transfer_out", "SZ", -3, "transfer", warehouse_user.pk),
        ("transfer_in", "LA", 3, "transfer", warehouse_user.pk),
    ]
    # the balance equals the sum of the ledger
    for wh in (wh_cn, wh_us):
        total = sum(
            StockMovement.objects.filter(warehouse=wh).values_list("on_hand_delta", flat=True)
        )
        assert balance(a, wh)[0] == total


def test_reserve_is_all_or_nothing(warehouse_user, make_sku, wh_cn):
    a, b = make_sku("A"), make_sku("B")
    services.receive(warehouse_user, sku_id=a.pk, warehouse_id=wh_cn.pk, quantity=5)
    services.receive(warehouse_user, sku_id=b.pk, warehouse_id=wh_cn.pk, quantity=1)
    with pytest.raises(InsufficientStock) as err:
        services.reserve(None, Reservation(wh_cn.pk, {a.pk: 2, b.pk: 2}, "order", "9"))
    assert err.value.details == {"sku_ids": [b.pk]}
    assert balance(a, wh_cn) == (5, 0) and balance(b, wh_cn) == (1, 0)
    assert StockMovement.objects.filter(kind="reservation").count() == 0
    services.reserve(None, Reservation(wh_cn.pk, {a.pk: 2, b.pk: 1}, "order", "9"))
    assert services.held("order", ["9"]) == {"9": {(a.pk, wh_cn.pk): 2, (b.pk, wh_cn.pk): 1}}
    assert services.release(None, "order", ["9"]) == 3
    assert services.held("order", ["9"]) == {}
    assert balance(a, wh_cn) == (5, 0)


def test_refused_moves_change_nothing(warehouse_user, sales, make_sku, wh_cn):
    a = make_sku("A")
    services.receive(warehouse_user, sku_id=a.pk, warehouse_id=wh_cn.pk, quantity=3)
    services.reserve(None, Reservation(wh_cn.pk, {a.pk: 2}, "order", "1"))
    count = StockMovement.objects.count()
    with pytest.raises(InsufficientStock):  # would leave less on hand than reserved
        services.adjust(warehouse_user, sku_id=a.pk, warehouse_id=wh_cn.pk, delta=-2, note="x")
    with pytest.raises(ValidationFailed):
        services.adjust(warehouse_user, sku_id=a.pk, warehouse_id=wh_cn.pk, delta=-1, note=" ")
    with pytest.raises(ValidationFailed):
        services.receive(warehouse_user, sku_id=a.pk, warehouse_id=wh_cn.pk, quantity=0)
    with pytest.raises(PermissionDenied):
        services.receive(sales, sku_id=a.pk, warehouse_id=wh_cn.pk, quantity=1)
    with pytest.raises(InsufficientStock):
        services.transfer(
            warehouse_user,
            sku_id=a.pk,
            from_warehouse_id=wh_cn.pk,
            to_warehouse_id=wh_cn.pk + 1000,
            quantity=2,
        )
    assert balance(a, wh_cn) == (3, 2)
    assert StockMovement.objects.count() == count


def test_database_refuses_negative_available_stock(make_sku, wh_cn):
    a = make_sku("A")
    StockBalance.objects.create(sku=a, warehouse=wh_cn, on_hand=1, reserved=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        StockBalance.objects.filter(sku=a).update(on_hand=0)
    with pytest.raises(IntegrityError), transaction.atomic():
        StockBalance.objects.filter(sku=a).update(reserved=2)


def test_ledger_rows_are_append_only(warehouse_user, make_sku, wh_cn):
    a = make_sku("A")
    row = services.receive(warehouse_user, sku_id=a.pk, warehouse_id=wh_cn.pk, quantity=1)
    with pytest.raises(ValueError):
        row.save()
    with pytest.raises(ValueError):
        row.delete()


def test_low_stock_list(warehouse_user, make_sku, wh_cn):
    from tradelane.inventory.selectors import low_stock_for

    a, b = make_sku("A"), make_sku("B")
    services.receive(warehouse_user, sku_id=a.pk, warehouse_id=wh_cn.pk, quantity=3)
    services.receive(warehouse_user, sku_id=b.pk, warehouse_id=wh_cn.pk, quantity=30)
    services.set_safety_stock(warehouse_user, sku_id=a.pk, warehouse_id=wh_cn.pk, quantity=5)
    services.set_safety_stock(warehouse_user, sku_id=b.pk, warehouse_id=wh_cn.pk, quantity=5)
    assert [(x.sku.code, x.available_qty) for x in low_stock_for(warehouse_user)] == [("A", 3)]


def test_reserve_many_is_set_based_and_all_or_nothing(warehouse_user, make_sku, wh_cn, wh_us):
    a, b = make_sku("A"), make_sku("B")
    for sku, wh, qty in ((a, wh_cn, 5), (b, wh_cn, 5), (a, wh_us, 1)):
        services.receive(warehouse_user, sku_id=sku.pk, warehouse_id=wh.pk, quantity=qty)
    too_much = [
        Reservation(wh_cn.pk, {a.pk: 2, b.pk: 1}, "order", "1"),
        Reservation(wh_us.pk, {a.pk: 1}, "order", "2"),
        Reservation(wh_us.pk, {a.pk: 1}, "order", "3"),  # wh_us has 1 of A, asked 2 in total
    ]
    before = StockMovement.objects.count()
    with pytest.raises(InsufficientStock):
        services.reserve_many(None, too_much)
    assert StockMovement.objects.count() == before
    assert balance(a, wh_cn) == (5, 0) and balance(a, wh_us) == (1, 0)
    services.reserve_many(None, too_much[:2])
    assert balance(a, wh_cn) == (5, 2) and balance(b, wh_cn) == (5, 1)
    assert balance(a, wh_us) == (1, 1)
    assert services.held("order", ["1", "2"]) == {
        "1": {(a.pk, wh_cn.pk): 2, (b.pk, wh_cn.pk): 1},
        "2": {(a.pk, wh_us.pk): 1},
    }


def test_on_hand_never_grows_past_its_column(warehouse_user, make_sku, wh_cn, wh_us):
    """Repeated receipts pushed on_hand past 2**31-1: PostgreSQL's integer overflow was a 500."""
    a = make_sku("A")
    top = services.MAX_ON_HAND
    services.receive(warehouse_user, sku_id=a.pk, warehouse_id=wh_cn.pk, quantity=top - 5)
    services.receive(warehouse_user, sku_id=a.pk, warehouse_id=wh_us.pk, quantity=10)
    moves = StockMovement.objects.count()
    refusals = [
        lambda: services.receive(warehouse_user, sku_id=a.pk, warehouse_id=wh_cn.pk, quantity=6),
        lambda: services.adjust(
            warehouse_user, sku_id=a.pk, warehouse_id=wh_cn.pk, delta=6, note="count"
        ),
        lambda: services.transfer(
            warehouse_user, sku_id=a.pk, from_warehouse_id=wh_us.pk,
            to_warehouse_id=wh_cn.pk, quantity=6,
        ),
        lambda: services.apply_counts(
            warehouse_user, [(a.pk, wh_cn.pk, 3), (a.pk, wh_cn.pk, 3)], services.RECEIPT
        ),
    ]  # fmt: skip
    for refuse in refusals:
        with pytest.raises(ValidationFailed) as err:
            refuse()
        assert err.value.code == "stock_too_large"
    assert balance(a, wh_cn) == (top - 5, 0) and balance(a, wh_us) == (10, 0)
    assert StockMovement.objects.count() == moves
    services.receive(warehouse_user, sku_id=a.pk, warehouse_id=wh_cn.pk, quantity=5)
    assert balance(a, wh_cn) == (top, 0)
