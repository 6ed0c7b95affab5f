"""Shipments for tracking tests, built straight through the ORM (the shipping service that
creates them for real lives elsewhere; these tests must not depend on it)."""

from __future__ import annotations

import datetime as dt
import itertools

from django.contrib.auth.models import Group

from tradelane.inventory.models import StockBalance
from tradelane.logistics.models import CarrierAccount, Channel, Shipment, ShipmentOrder
from tradelane.orders.tests.factories import make_order, make_store

_seq = itertools.count(1)

RECEIVER = dict(
    ship_name="Jane Receiver",
    ship_company="Receiver GmbH",
    ship_address1="42 Secret Street",
    ship_address2="Flat 7",
    ship_city="Berlin",
    ship_state="BE",
    ship_postcode="10115",
    ship_country="DE",
    ship_phone="+49 30 1234567",
    ship_email="jane.receiver@example.com",
)

T0 = dt.datetime(2025, 3, 1, 8, 0, tzinfo=dt.UTC)


def at(hours: float) -> dt.datetime:
    return T0 + dt.timedelta(hours=hours)


def make_account(code="YT", secret="s3cret", carrier="generic") -> CarrierAccount:
    from tradelane.core.crypto import encrypt_json

    return CarrierAccount.objects.get_or_create(
        code=code,
        defaults=dict(
            name=code, carrier=carrier, credentials=encrypt_json({"webhook_secret": secret})
        ),
    )[0]


def make_channel(code="YT-LINE", service_type="line", expire_after_days=None, account=None):
    return Channel.objects.get_or_create(
        code=code,
        defaults=dict(
            name=f"Channel {code}",
            currency="CNY",
            service_type=service_type,
            expire_after_days=expire_after_days,
            carrier_account=account,
            tracking_url_template="https://track.example/{tracking}",
        ),
    )[0]


def make_shipment(warehouse, *, channel=None, status="labelled", tracking="", orders=(), **kw):
    n = next(_seq)
    data = dict(RECEIVER)
    data.update(kw)
    shipment = Shipment.objects.create(
        number=f"SH{n:08d}",
        status=status,
        channel=channel or make_channel(),
        warehouse=warehouse,
        tracking_number=tracking or f"YT{n:010d}",
        reference=",".join(o.number for o in orders),
        **data,
    )
    for order in orders:
        ShipmentOrder.objects.create(shipment=shipment, order=order)
    return shipment


def allocated_order(make_sku, warehouse, *, qty=2, on_hand=10, sku_code="MUG"):
    """An order in pending shipment holding a reservation, as allocation leaves it."""
    from tradelane.orders import services as order_services

    sku = make_sku(sku_code)
    StockBalance.objects.update_or_create(
        sku=sku, warehouse=warehouse, defaults={"on_hand": on_hand}
    )
    store = make_store()
    order = make_order(store, [(sku, qty)], status="approved")
    allocator = _system_allocator()
    order_services.allocate_orders(allocator, [order.pk])
    order.refresh_from_db()
    assert order.status == "pending_shipment", order.status
    return order


def _system_allocator():
    from tradelane.accounts.models import User

    user, _ = User.objects.get_or_create(username="factory_allocator")
    user.groups.set(Group.objects.filter(name="logistics"))
    return User.objects.get(pk=user.pk)
