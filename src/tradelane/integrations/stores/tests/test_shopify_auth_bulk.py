"""Client-credentials tokens (fetched, refreshed before expiry, fetched again after a 401) and
the first import of a store's history as a bulk operation."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.db import connection as db

from tradelane.core.errors import ValidationFailed
from tradelane.integrations.stores import services, sync
from tradelane.integrations.stores.fakes.shopify import make_order
from tradelane.integrations.stores.models import StoreConnection
from tradelane.integrations.stores.shopify import auth
from tradelane.integrations.stores.shopify.connector import ShopifyConnector
from tradelane.orders.models import Order, OrderLine

from .conftest import SECRET

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _no_cached_tokens():
    auth._tokens.clear()
    yield
    auth._tokens.clear()


@pytest.fixture
def cc_conn(admin, conn, fake):
    """The connection switched to a Dev Dashboard app's client credentials (no static token)."""
    creds = {"client_id": fake.client_id, "client_secret": fake.client_secret,
             "webhook_secrets": [SECRET]}  # fmt: skip
    StoreConnection.objects.filter(pk=conn.pk).update(credentials_encrypted="")
    conn.refresh_from_db()
    services.update_credentials(admin, conn, creds)
    conn.refresh_from_db()
    return conn


def test_client_credentials_token_is_fetched_and_refreshed_before_expiry(cc_conn, fake):
    fake.add_order(make_order(1))
    now = [1_000_000.0]
    connector = ShopifyConnector(cc_conn)
    connector.tokens.clock = lambda: now[0]
    assert connector.fetch_order("5000001")["external_id"] == "5000001"
    assert connector.tokens.fetched == 1
    connector.fetch_order("5000001")
    assert connector.tokens.fetched == 1  # the cached token is still good
    now[0] += fake.token_lifetime - auth.REFRESH_MARGIN + 1  # within 5 minutes of expiry
    connector.fetch_order("5000001")
    assert connector.tokens.fetched == 2
    assert len(fake.issued_tokens) == 2


def test_a_revoked_token_is_replaced_after_a_401(cc_conn, fake):
    fake.add_order(make_order(1))
    connector = ShopifyConnector(cc_conn)
    connector.fetch_order("5000001")
    fake.issued_tokens.clear()  # Shopify forgot the token (rotated secret, reinstall)
    assert connector.fetch_order("5000001")["external_id"] == "5000001"
    assert connector.tokens.fetched == 2


def test_wrong_client_secret_is_a_clear_error(admin, cc_conn, fake):
    services.update_credentials(admin, cc_conn, {"client_secret": "wrong"})
    cc_conn.refresh_from_db()
    run = sync.sync(cc_conn)
    assert run.status == "failed"
    assert run.error == "PlatformError: Shopify refused the client credentials (HTTP 400)"
    assert Order.objects.count() == 0


def test_client_secret_is_stored_encrypted(cc_conn, fake):
    with db.cursor() as cursor:
        cursor.execute(
            "SELECT credentials_encrypted FROM stores_storeconnection WHERE id = %s", [cc_conn.pk]
        )
        raw = cursor.fetchone()[0]
    assert fake.client_secret not in raw
    assert cc_conn.credentials()["client_secret"] == fake.client_secret


def test_a_token_or_both_client_credentials_are_required(admin, conn):
    before = conn.credentials_encrypted
    StoreConnection.objects.filter(pk=conn.pk).update(credentials_encrypted="")
    conn.refresh_from_db()
    with pytest.raises(ValidationFailed) as exc:
        services.update_credentials(admin, conn, {"client_id": "x", "webhook_secrets": ["s"]})
    assert exc.value.details == {"missing": ["client_secret"]}
    with pytest.raises(ValidationFailed) as exc:
        services.update_credentials(admin, conn, {"webhook_secrets": ["s"]})
    assert exc.value.details == {"missing": ["access_token"]}
    conn.refresh_from_db()
    assert conn.credentials_encrypted == "" != before


# --- bulk backfill --------------------------------------------------------------------------


def test_first_import_runs_as_one_bulk_operation(conn, fake):
    for i in range(30):
        fake.add_order(make_order(i, lines=12 if i % 10 == 0 else 1))
    run = sync.sync(conn, connector=ShopifyConnector(conn, sleep=lambda s: None))
    assert (run.status, run.fetched, run.created) == ("succeeded", 30, 30), run.error
    assert OrderLine.objects.filter(order__external_id="5000010").count() == 12
    assert OrderLine.objects.count() == 3 * 12 + 27
    # one run, then polls (two or more: the file is written in the background); no page of
    # orders was asked for
    requested = [r for r, _ in fake.costs]
    assert requested[0] == 10 and len(requested) >= 3 and set(requested[1:]) == {1}
    assert len(fake.bulk.ops) == 1 and fake.bulk.ops[1]["status"] == "COMPLETED"
    conn.refresh_from_db()
    assert conn.cursor == "2026-01-01T00:00:29Z"  # the newest order read (before the op began)
    # later syncs page from the cursor instead
    fake.touch(5_000_003, when=datetime(2026, 1, 2, tzinfo=UTC), financial_status="refunded")
    again = sync.sync(conn)
    assert (again.status, again.fetched) == ("succeeded", 2)  # order 3 and the cursor's own
    assert Order.objects.get(external_id="5000003").payment_status == "refunded"
    assert len(fake.bulk.ops) == 1


def test_a_failed_bulk_operation_fails_the_run_and_keeps_no_cursor(conn, fake):
    fake.add_order(make_order(1))
    fake.bulk.fail_next_with = "INTERNAL_SERVER_ERROR"
    run = sync.sync(conn, connector=ShopifyConnector(conn, sleep=lambda s: None))
    assert run.status == "failed"
    assert run.error.endswith("ended FAILED (INTERNAL_SERVER_ERROR)")
    conn.refresh_from_db()
    assert conn.cursor == "" and Order.objects.count() == 0


def test_an_empty_store_imports_nothing(conn, fake):
    run = sync.sync(conn, connector=ShopifyConnector(conn, sleep=lambda s: None))
    assert (run.status, run.fetched) == ("succeeded", 0)
