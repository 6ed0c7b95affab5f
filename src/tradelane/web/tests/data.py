"""Realistic data for the UI tests (view tests and browser tests share it).

Orders arrive through the real importer, stock through the ledger's services, so the pages show
what a real day looks like: a store, mapped SKUs (one a bundle), stock in two warehouses with a
low-stock SKU, and orders to several countries in pending review.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.contrib.auth.models import Group
from django.utils import timezone

from tradelane.accounts import roles
from tradelane.accounts.models import User
from tradelane.catalog.models import Product, Sku
from tradelane.core.models import FxRate
from tradelane.inventory import services as inventory
from tradelane.inventory.models import Warehouse
from tradelane.orders import services as orders
from tradelane.orders.importing import import_orders

PASSWORD = "pw-Test-123"

ADDRESSES = [
    dict(name="Jane Doe", address1="1600 Amphitheatre Pkwy", city="Mountain View", state="CA",
         postcode="94043", country="US", phone="+1 650-253-0000"),
    dict(name="Max Mustermann", address1="Unter den Linden 77", city="Berlin", state="",
         postcode="10117", country="DE", phone="+49 30 22730"),
    dict(name="Oliver Smith", address1="10 Downing Street", city="London", state="",
         postcode="SW1A 2AA", country="GB", phone="+44 20 7925 0918"),
    dict(name="佐藤 花子", address1="丸の内1-9-1", city="千代田区", state="東京都",
         postcode="100-0005", country="JP", phone="+81 3-3212-2111"),
]  # fmt: skip


def user(role: str, username: str | None = None, *, name: str = "") -> User:
    u = User.objects.create_user(
        username=username or f"u_{role}", password=PASSWORD, first_name=name
    )
    u.groups.set(Group.objects.filter(name=role))
    return User.objects.get(pk=u.pk)


def seed(n_orders: int = 12, *, review: bool = False) -> dict:
    """Create the world; return handy objects. Orders stay in pending review unless ``review``."""
    admin = user(roles.ADMIN, "seed_admin")
    cs = user(roles.CUSTOMER_SERVICE, "cs_li", name="李客服")
    today = timezone.localdate()
    FxRate.objects.get_or_create(
        base="USD", quote="CNY", date=today, source="manual", defaults={"rate": Decimal("7.1")}
    )
    FxRate.objects.get_or_create(
        base="EUR", quote="CNY", date=today, source="manual", defaults={"rate": Decimal("7.8")}
    )
    sz = Warehouse.objects.create(code="SZ", name="深圳仓", country="CN", priority=10)
    la = Warehouse.objects.create(
        code="LA", name="Los Angeles", kind="overseas", country="US", priority=20
    )
    mug = Product.objects.create(code="P-MUG", name="陶瓷马克杯", name_en="Ceramic mug")
    lamp = Product.objects.create(code="P-LAMP", name="LED 台灯", name_en="LED desk lamp")
    common = dict(cost_currency="CNY", declared_currency="USD", origin_country="CN")
    skus = {
        "MUG-WHT": Sku.objects.create(
            product=mug, code="MUG-WHT", name="陶瓷马克杯 白", variant="白 / 350ml",
            weight_g=350, length_mm=120, width_mm=90, height_mm=100,
            cost_amount=Decimal("12.50"), declared_name_zh="马克杯", declared_name_en="Mug",
            hs_code="691200", declared_value=Decimal("5.00"), **common,
        ),
        "MUG-BLK": Sku.objects.create(
            product=mug, code="MUG-BLK", name="陶瓷马克杯 黑", variant="黑 / 350ml",
            weight_g=350, length_mm=120, width_mm=90, height_mm=100,
            cost_amount=Decimal("12.50"), declared_name_zh="马克杯", declared_name_en="Mug",
            hs_code="691200", declared_value=Decimal("5.00"), **common,
        ),
        "LAMP-01": Sku.objects.create(
            product=lamp, code="LAMP-01", name="LED 台灯", weight_g=1250, length_mm=400,
            width_mm=150, height_mm=120, cost_amount=Decimal("58.00"),
            declared_name_zh="台灯", declared_name_en="Desk lamp", hs_code="940520",
            declared_value=Decimal("15.00"), has_battery=True, **common,
        ),
    }  # fmt: skip
    for code, qty in (("MUG-WHT", 500), ("MUG-BLK", 300), ("LAMP-01", 200)):
        inventory.receive(admin, sku_id=skus[code].pk, warehouse_id=sz.pk, quantity=qty)
    inventory.receive(admin, sku_id=skus["MUG-WHT"].pk, warehouse_id=la.pk, quantity=3)
    inventory.set_safety_stock(admin, sku_id=skus["MUG-WHT"].pk, warehouse_id=la.pk, quantity=20)
    store = orders.create_store(
        admin, code="SHOP1", name="Shopify 美国站", platform="shopify", currency="USD", country="US"
    )
    # people do each step by hand in this world (the automation has its own tests and pages)
    orders.set_automation(admin, store, auto_allocate=False, auto_ship=False, order_priority=100)
    orders.map_store_sku(admin, store, "MUG-W", [(skus["MUG-WHT"], 1)])
    orders.map_store_sku(admin, store, "MUG-B", [(skus["MUG-BLK"], 1)])
    orders.map_store_sku(admin, store, "LAMP", [(skus["LAMP-01"], 1)])
    orders.map_store_sku(admin, store, "MUG-SET", [(skus["MUG-WHT"], 1), (skus["MUG-BLK"], 1)])
    rows = [order_row(i, store.code) for i in range(1, n_orders + 1)]
    report = import_orders(cs, rows, source="import", review=review)
    return {
        "admin": admin,
        "cs": cs,
        "store": store,
        "warehouses": (sz, la),
        "skus": skus,
        "report": report,
    }


def order_row(i: int, store: str = "SHOP1") -> dict:
    a = ADDRESSES[i % len(ADDRESSES)]
    lines = [{"store_sku": "MUG-W", "title": "Ceramic mug, white", "quantity": 2,
              "unit_price": "12.90"}]  # fmt: skip
    if i % 3 == 0:
        lines.append({"store_sku": "MUG-SET", "title": "Mug set (black + white)", "quantity": 1,
                      "unit_price": "22.00"})  # fmt: skip
    if i % 4 == 1:
        lines.append({"store_sku": "LAMP", "title": "LED desk lamp", "quantity": 1,
                      "unit_price": "39.00"})  # fmt: skip
    placed = timezone.now() - dt.timedelta(hours=i)
    phone = a["phone"] if i % 5 else "12345"  # every fifth buyer left a phone that cannot work
    return {
        "store": store,
        "external_id": f"SO-{5000 + i}",
        "number": f"#{1000 + i}",
        "placed_at": placed.isoformat(),
        "currency": "USD",
        "payment_status": "paid",
        "buyer": {"name": a["name"], "email": f"buyer{i}@example.com", "phone": phone},
        "shipping_address": {
            "name": a["name"],
            "company": "",
            "address1": a["address1"],
            "address2": "",
            "city": a["city"],
            "state": a["state"],
            "postcode": a["postcode"],
            "country": a["country"],
            "phone": phone,
        },  # fmt: skip
        "totals": {"shipping": "4.99"},
        "lines": lines,
    }


def same_buyer_rows(first: int = 60, store: str = "SHOP1") -> list[dict]:
    """Two orders placed a day apart by one buyer to one address (a merge waiting to happen),
    with different items so the review does not take them for duplicates."""
    rows = [order_row(first, store), order_row(first + 4, store)]  # same address of ADDRESSES
    for row in rows:
        row["buyer"]["email"] = "repeat.buyer@example.com"
        row["buyer"]["phone"] = row["shipping_address"]["phone"] = ADDRESSES[first % 4]["phone"]
    rows[1]["lines"] = [
        {"store_sku": "MUG-B", "title": "Ceramic mug, black", "quantity": 1, "unit_price": "12.90"}
    ]
    return rows


# --- helpers for the page tests of every app ------------------------------------------------

HTMX = {"HTTP_HX_REQUEST": "true"}


def login(client, user):
    client.force_login(user)
    return client


def statuses() -> dict:
    from tradelane.orders.models import Order

    return dict(Order.objects.values_list("pk", "status"))
