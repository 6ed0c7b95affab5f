"""Fixtures shared by every test package: users per role, a company, warehouses and SKUs."""

from __future__ import annotations

import os
from decimal import Decimal

import pytest

from tradelane.accounts import roles


def pytest_configure(config):
    # Tests that need a server (PostgreSQL) must fail loudly, not skip, when CI is set.
    os.environ.setdefault("TRADELANE_TEST", "1")


@pytest.fixture
def make_user(db):
    from django.contrib.auth.models import Group

    from tradelane.accounts.models import User

    def make(role: str, username: str | None = None) -> User:
        user = User.objects.create_user(username=username or f"u_{role}", password="pw-Test-123")
        user.groups.set(Group.objects.filter(name=role))
        return User.objects.get(pk=user.pk)  # fresh: no cached permissions

    return make


@pytest.fixture
def admin(make_user):
    return make_user(roles.ADMIN, "admin_user")


@pytest.fixture
def cs(make_user):
    return make_user(roles.CUSTOMER_SERVICE, "cs_user")


@pytest.fixture
def logistics(make_user):
    return make_user(roles.LOGISTICS, "logistics_user")


@pytest.fixture
def warehouse_user(make_user):
    return make_user(roles.WAREHOUSE, "warehouse_user")


@pytest.fixture
def sales(make_user):
    return make_user(roles.SALES, "sales_user")


@pytest.fixture
def company(db):
    from tradelane.accounts.selectors import company

    return company()


@pytest.fixture
def wh_cn(db):
    from tradelane.inventory.models import Warehouse

    return Warehouse.objects.create(code="SZ", name="Shenzhen", country="CN", priority=10)


@pytest.fixture
def wh_us(db):
    from tradelane.inventory.models import Warehouse

    return Warehouse.objects.create(
        code="LA", name="Los Angeles", kind="overseas", country="US", priority=20
    )


@pytest.fixture
def product(db):
    from tradelane.catalog.models import Product

    return Product.objects.create(code="P-MUG", name="马克杯", name_en="Mug")


@pytest.fixture
def make_sku(product):
    from tradelane.catalog.models import Sku

    def make(code: str, **kw) -> Sku:
        defaults = dict(
            name=code,
            weight_g=350,
            length_mm=120,
            width_mm=90,
            height_mm=100,
            cost_amount=Decimal("12.50"),
            cost_currency="CNY",
            declared_name_zh="马克杯",
            declared_name_en="Mug",
            hs_code="691200",
            declared_value=Decimal("5.00"),
            declared_currency="USD",
        )
        defaults.update(kw)
        return Sku.objects.create(product=product, code=code, **defaults)

    return make
