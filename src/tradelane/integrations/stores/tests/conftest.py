import pytest

from tradelane.integrations.stores import services
from tradelane.integrations.stores.amazon import client as amazon_client
from tradelane.integrations.stores.fakes.amazon import FakeAmazon
from tradelane.integrations.stores.fakes.shopify import FakeShopify
from tradelane.integrations.stores.fakes.woocommerce import FakeWooCommerce
from tradelane.integrations.stores.shopify import client as shopify_client
from tradelane.orders import services as order_services

SECRET = "shpss_current"


@pytest.fixture
def fake():
    shopify_client._buckets.clear()
    server = FakeShopify(orders=0).start()
    yield server
    server.stop()
    shopify_client._buckets.clear()


@pytest.fixture
def woo():
    """A fake WooCommerce site (REST API wc/v3)."""
    server = FakeWooCommerce().start()
    yield server
    server.stop()


@pytest.fixture
def amazon():
    """A fake SP-API endpoint, with the client's token and rate caches cleared around it."""
    amazon_client.reset_caches()
    server = FakeAmazon().start()
    yield server
    server.stop()
    amazon_client.reset_caches()


@pytest.fixture
def store(admin):
    return order_services.create_store(
        admin, code="SHOP1", name="Shop 1", platform="shopify", currency="USD", country="US"
    )


@pytest.fixture
def conn(admin, store, fake):
    return services.connect(
        admin,
        store,
        shop_domain=fake.shop,
        base_url=fake.base_url,
        credentials={"access_token": fake.token, "webhook_secrets": [SECRET]},
        settings={"reconcile_overlap_minutes": 5},
    )
