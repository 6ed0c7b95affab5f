import pytest

from tradelane.integrations.stores import services
from tradelane.integrations.stores.fakes.shopify import FakeShopify
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
