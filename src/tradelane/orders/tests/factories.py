"""Test data for orders: stores, mapped SKUs, orders with lines (bypassing import on purpose,
so these tests do not depend on the importer)."""

from __future__ import annotations

import hashlib
import itertools
from decimal import Decimal

from django.utils import timezone

from tradelane.orders.models import Order, OrderLine, Store

_seq = itertools.count(1)

US_ADDRESS = dict(
    ship_name="Jane Doe",
    ship_address1="1600 Amphitheatre Pkwy",
    ship_city="Mountain View",
    ship_state="CA",
    ship_postcode="94043",
    ship_country="US",
    ship_phone="+1 650-253-0000",
)


def make_store(code="US1", currency="USD", country="US") -> Store:
    return Store.objects.get_or_create(
        code=code,
        defaults=dict(name=f"Store {code}", platform="shopify", currency=currency, country=country),
    )[0]


def make_order(store, lines, *, status="pending_review", placed_at=None, **fields) -> Order:
    """``lines``: [(sku or None, qty)]."""
    n = next(_seq)
    data = dict(US_ADDRESS)
    data.update(
        buyer_name="Jane Doe",
        buyer_email=f"jane{n}@example.com",
        currency="USD",
        items_total=Decimal("20.00"),
        grand_total=Decimal("25.00"),
        payment_status="paid",
    )
    data.update(fields)
    fp = fields.get("fingerprint") or hashlib.sha256(f"fp{n}".encode()).hexdigest()
    data["fingerprint"] = fp
    order = Order.objects.create(
        store=store,
        external_id=f"EXT{n}",
        number=f"#{1000 + n}",
        status=status,
        placed_at=placed_at or timezone.now(),
        content_hash="x",
        **data,
    )
    OrderLine.objects.bulk_create(
        [
            OrderLine(
                order=order,
                line_no=i + 1,
                store_sku=sku.code if sku else f"UNMAPPED{i}",
                sku=sku,
                quantity=qty,
                unit_price=Decimal("10.00"),
            )
            for i, (sku, qty) in enumerate(lines)
        ]
    )
    return order
