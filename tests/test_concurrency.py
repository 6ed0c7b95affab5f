"""Stock cannot be oversold, whatever the interleaving, on SQLite and on PostgreSQL.

50 workers (threads, each with its own database connection) race to reserve one unit each of
the last 10 units of a SKU through ``inventory.services.reserve``: exactly 10 win. And the
database itself refuses a balance with less on hand than reserved, even to a raw ORM update.
"""

from __future__ import annotations

import threading
from collections import Counter

import pytest
from django.db import IntegrityError, connection, connections, transaction
from django.db.models import F

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
    start = threading.Barrier(WORKERS)
    outcomes: Counter[str] = Counter()
    errors: list[BaseException] = []
    lock = threading.Lock()

    def worker(n: int) -> None:
        try:
            start.wait(timeout=60)
            try:
                inventory.reserve(None, inventory.Reservation(wh.pk, {sku.pk: 1}, "race", f"R{n}"))
                result = "reserved"
            except inventory.InsufficientStock:
                result = "refused"
            with lock:
                outcomes[result] += 1
        except BaseException as exc:  # noqa: BLE001 - reported below, in the main thread
            with lock:
                errors.append(exc)
        finally:
            connections.close_all()  # this thread's own connection

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(WORKERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not any(t.is_alive() for t in threads), "a worker hung"
    assert not errors, f"workers failed on {connection.vendor}: {errors[:3]!r}"
    assert outcomes == {"reserved": UNITS, "refused": WORKERS - UNITS}

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
