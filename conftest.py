"""Fixtures shared by every test package: users per role, a company, warehouses and SKUs."""

from __future__ import annotations

import os
from decimal import Decimal

import pytest

from tradelane.accounts import roles


def pytest_configure(config):
    # Tests that need a server (PostgreSQL) must fail loudly, not skip, when CI is set.
    os.environ.setdefault("TRADELANE_TEST", "1")


@pytest.fixture(autouse=True, scope="session")
def _fast_password_hashing():
    """Django's testing advice: a fast hasher for the passwords tests make (PBKDF2's million
    rounds cost about a second a user on a small machine, and the provider's test data has eight
    users). PBKDF2 stays listed, so the demo's stored hashes still check."""
    from django.test.utils import override_settings

    fast = override_settings(
        PASSWORD_HASHERS=[
            "django.contrib.auth.hashers.MD5PasswordHasher",
            "django.contrib.auth.hashers.PBKDF2PasswordHasher",
        ]
    )
    fast.enable()
    yield
    fast.disable()


# --- PostgreSQL: tests that need it skip on SQLite, and never skip quietly in CI ------------


def _uses_postgres() -> bool:
    scheme = os.environ.get("DATABASE_URL", "").strip().split(":", 1)[0].lower()
    return scheme in ("postgres", "postgresql", "pgsql", "postgis")


def pytest_sessionstart(session):
    """DATABASE_URL names PostgreSQL: it must answer, or the run stops here, loudly."""
    if not _uses_postgres():
        return
    import dj_database_url
    import psycopg

    cfg = dj_database_url.parse(os.environ["DATABASE_URL"])
    where = f"{cfg.get('HOST') or 'localhost'}:{cfg.get('PORT') or 5432}"
    try:
        psycopg.connect(
            host=cfg.get("HOST") or None,
            port=cfg.get("PORT") or None,
            user=cfg.get("USER") or None,
            password=cfg.get("PASSWORD") or None,
            dbname="postgres",
            connect_timeout=5,
        ).close()
    except psycopg.Error as exc:
        pytest.exit(
            f"DATABASE_URL names PostgreSQL at {where}, which does not answer ({exc}). "
            "Start it, or unset DATABASE_URL to test on SQLite.",
            returncode=3,
        )


def pytest_runtest_setup(item):
    if item.get_closest_marker("postgres_only") and not _uses_postgres():
        message = "needs PostgreSQL: run with DATABASE_URL=postgresql://... (CI has such a pass)"
        if os.environ.get("TRADELANE_REQUIRE_POSTGRES"):
            pytest.fail(message)
        pytest.skip(message)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """In CI's PostgreSQL pass, a PostgreSQL test that skips is a failure."""
    outcome = yield
    report = outcome.get_result()
    if not (os.environ.get("CI") and _uses_postgres() and report.skipped):
        return
    if hasattr(report, "wasxfail"):
        return
    longrepr = report.longrepr
    reason = str(longrepr[-1] if isinstance(longrepr, tuple) else longrepr)
    if item.get_closest_marker("postgres_only") or "postgres" in reason.lower():
        report.outcome = "failed"
        report.longrepr = f"A PostgreSQL test skipped in CI, which must not happen: {reason}"


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


@pytest.fixture
def fresh_rate_cache():
    """``logistics.selectors``' channel cache emptied before and after the test (the cache
    outlives the test's transaction)."""
    from tradelane.logistics.rates import selectors

    selectors.clear_cache()
    yield
    selectors.clear_cache()


@pytest.fixture
def no_cjk_font(monkeypatch):
    """No CJK font can be found (the machine of a user who has not installed one)."""
    from tradelane.logistics.documents import fonts

    monkeypatch.setattr(fonts, "CANDIDATES", ())
    monkeypatch.setenv(fonts.ENV_VAR, "/nonexistent/font.ttf")
    fonts.reset_for_tests()
    yield
    monkeypatch.undo()
    fonts.reset_for_tests()
