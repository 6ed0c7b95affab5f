"""Stock cannot be oversold, whatever the interleaving, on SQLite and on PostgreSQL.

50 workers (threads, each with its own database connection) race to reserve one unit each of
the last 10 units of a SKU through ``inventory.services.reserve``: exactly 10 win. And the
database itself refuses a balance with less on hand than reserved, even to a raw ORM update.
"""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction
from django.db.models import F

from tradelane.core.tests.racing import race
from tradelane.inventory import services as inventory
from tradelane.inventory.models import StockBalance, StockMovement, Warehouse

WORKERS = 50
UNITS = 10


def _stock_of(make_sku, warehouse_user, units: int):
    wh = Warehouse.objects.create(code="RACE", name="Race warehouse", country="CN")
    sku = make_sku("RACE-1")
    inventory.receive(warehouse_user, sku_id=sku.pk, warehouse_id=wh.pk, quantity=units)
    return sku, wh


@pytest.mark.django_db(transaction=True)
def test_fifty_workers_reserve_the_last_ten_units(make_sku, warehouse_user):
    sku, wh = _stock_of(make_sku, warehouse_user, UNITS)
    outcomes = race(
        WORKERS,
        lambda n: inventory.reserve(
            None, inventory.Reservation(wh.pk, {sku.pk: 1}, "race", f"R{n}")
        ),
        refused=(inventory.InsufficientStock,),
        won="reserved",
    )
    assert outcomes == {"reserved": UNITS, "insufficient_stock": WORKERS - UNITS}

    balance = StockBalance.objects.get(sku=sku, warehouse=wh)
    assert (balance.on_hand, balance.reserved, balance.available) == (UNITS, UNITS, 0)
    reservations = StockMovement.objects.filter(
        sku=sku, warehouse=wh, kind=StockMovement.Kind.RESERVATION
    )
    assert reservations.count() == UNITS
    assert sorted(reservations.values_list("reserved_delta", flat=True)) == [1] * UNITS
    assert len(set(reservations.values_list("source_id", flat=True))) == UNITS


@pytest.mark.django_db
def test_database_refuses_negative_available_stock(make_sku, warehouse_user):
    sku, wh = _stock_of(make_sku, warehouse_user, 5)
    rows = StockBalance.objects.filter(sku=sku, warehouse=wh)
    inventory.reserve(None, inventory.Reservation(wh.pk, {sku.pk: 3}, "test", "T1"))

    # Reserving more than is on hand, past every service: the check constraint refuses it.
    with pytest.raises(IntegrityError), transaction.atomic():
        rows.update(reserved=F("on_hand") + 1)
    # Taking stock below what is reserved.
    with pytest.raises(IntegrityError), transaction.atomic():
        rows.update(on_hand=F("reserved") - 1)
    # A negative reservation.
    with pytest.raises(IntegrityError), transaction.atomic():
        rows.update(reserved=-1)

    balance = rows.get()
    assert (balance.on_hand, balance.reserved) == (5, 3)
