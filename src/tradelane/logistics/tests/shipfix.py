"""Test data for rate shopping and shipments: own channels with one per-kg sheet, allocated
orders with stock (through the real services)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from tradelane.core.models import FxRate
from tradelane.inventory import services as inventory
from tradelane.logistics.rates import services
from tradelane.logistics.rates.descriptions import AreaRule, BracketData, SheetData, ZoneData
from tradelane.orders.allocation import allocate_orders
from tradelane.orders.tests.factories import make_order

D = Decimal


def own_channel(
    actor,
    code,
    *,
    per_kg="50",
    reg="10",
    countries=("US", "GB", "DE"),
    currency="CNY",
    days=(5, 8),
    **kw,
):
    ch = services.create_channel(
        actor,
        code=code,
        name=code,
        currency=currency,
        transit_days_min=days[0],
        transit_days_max=days[1],
        **kw,
    )
    zone = ZoneData("Z1", "Z1", tuple(AreaRule(country=c) for c in countries))
    data = SheetData(
        kind="cost",
        currency=currency,
        effective_date=dt.date(2020, 1, 1),
        zones=(zone,),
        brackets=(BracketData("Z1", 0, 30000, per_kg=D(per_kg), registration=D(reg)),),
    )
    services.create_rate_sheet(actor, ch, data)
    return ch


def fx(**rates):
    """fx(USD="7.10"): 1 USD = 7.10 CNY."""
    for cur, rate in rates.items():
        FxRate.objects.create(base=cur, quote="CNY", rate=D(rate), date=dt.date(2025, 1, 1))


def allocated(actor, store, wh, lines, **fields):
    """An order with ``lines`` [(sku, qty)], stock received and allocated (pending shipment)."""
    from django.contrib.auth import get_user_model

    boss = get_user_model().objects.filter(username="stock_admin").first()
    if boss is None:
        boss = get_user_model().objects.create_superuser("stock_admin", "a@example.com", "x")
    for sku, qty in lines:
        inventory.receive(boss, sku_id=sku.pk, warehouse_id=wh.pk, quantity=qty)
    order = make_order(store, lines, status="approved", **fields)
    allocate_orders(actor, [order.pk])
    order.refresh_from_db()
    assert order.status == "pending_shipment", order.shortage
    return order
