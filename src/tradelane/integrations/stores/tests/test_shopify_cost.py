"""Shopify's cost rule, the single-query limit, API versions and nested line paging, against
the fake Shopify (which computes the cost of what it receives)."""

from __future__ import annotations

import httpx
import pytest

from tradelane.integrations.stores import sync
from tradelane.integrations.stores.fakes.shopify import SUPPORTED_VERSIONS, make_order
from tradelane.integrations.stores.models import StoreConnection
from tradelane.integrations.stores.shopify import catalog as shopify_catalog
from tradelane.integrations.stores.shopify import client as shopify_client
from tradelane.integrations.stores.shopify import cost, onboarding, queries
from tradelane.integrations.stores.shopify.client import CostExceeded
from tradelane.integrations.stores.shopify.connector import ShopifyConnector
from tradelane.orders.models import Order, OrderLine

# The document this connector sent before: 250 orders of up to 100 lines.
OLD_ORDERS = """
query Orders($first: Int!) {
  orders(first: $first) {
    pageInfo { hasNextPage endCursor }
    nodes { id totalPriceSet { shopMoney { amount } }
      lineItems(first: 100) { nodes { id originalUnitPriceSet { shopMoney { amount } } } } }
  }
}
"""


def test_the_published_rule_by_hand():
    assert cost.requested_cost("{ shop { id name } }") == 1  # one object, scalars free
    # a connection: 2 + first x (node 1)
    assert cost.requested_cost("{ products(first: 10) { edges { node { id } } } }") == 12
    # nested: 2 + 10 x (1 + (2 + 5 x 1)); pageInfo is part of the connection's 2
    nested = "{ products(first: 10) { pageInfo { hasNextPage } nodes { id variants(first: 5) { nodes { id } } } } }"  # noqa: E501
    assert cost.requested_cost(nested) == 82
    # a variable size, and a mutation's flat 10
    sized = "query Q($n: Int!) { orders(first: $n) { nodes { id } } }"
    assert cost.requested_cost(sized, {"n": 7}) == 9
    assert cost.requested_cost("mutation { tagsAdd(id: 1, tags: []) { node { id } } }") == 10
    # the old order document: 2 + 250 x (1 + 2 + (2 + 100 x 3)) = 76,252 points
    assert cost.requested_cost(OLD_ORDERS, {"first": 250}) == 76252
    # the actual cost counts what came back
    data = {"products": {"edges": [{"node": {"id": 1}}, {"node": {"id": 2}}]}}
    assert cost.actual_cost("{ products(first: 10) { edges { node { id } } } }", {}, data) == 4


@pytest.mark.parametrize(
    ("document", "variables"),
    [
        (queries.ORDERS, {"first": queries.ORDERS_PER_PAGE, "lines": queries.LINES_PER_ORDER}),
        (queries.ORDER, {"lines": queries.LINES_PER_ORDER}),
        (queries.ORDER_LINE_ITEMS, {"first": queries.LINES_PER_PAGE}),
        (queries.FULFILLMENT_ORDERS, {}),
        (queries.FULFILLMENT_CREATE, {}),
        (queries.TRACKING_UPDATE, {}),
        (queries.INVENTORY_SET, {}),
        (queries.BULK_RUN, {}),
        (queries.BULK_STATUS, {}),
        # onboarding (shopify/onboarding.py)
        (onboarding.VERIFY, {}),
        (onboarding.WEBHOOKS, {"first": onboarding.WEBHOOKS_PAGE}),
        (onboarding.WEBHOOK_CREATE, {}),
        (onboarding.WEBHOOK_DELETE, {}),
        # onboarding: the store's locations and catalog (shopify/catalog.py)
        (shopify_catalog.LOCATIONS, {"first": shopify_catalog.LOCATIONS_PER_PAGE}),
        (shopify_catalog.VARIANTS, {"first": shopify_catalog.VARIANTS_PER_PAGE}),
        (shopify_catalog.VARIANTS_COUNT, {}),
    ],
)
def test_every_document_the_connector_sends_is_within_1000_points(document, variables):
    assert cost.requested_cost(document, variables) <= cost.MAX_QUERY_COST


def test_exact_costs_of_the_order_pages():
    orders = {"first": queries.ORDERS_PER_PAGE, "lines": queries.LINES_PER_ORDER}
    assert cost.requested_cost(queries.ORDERS, orders) == 942  # the sum in queries.py
    assert cost.requested_cost(queries.ORDER_LINE_ITEMS, {"first": 100}) == 303
    assert cost.requested_cost(queries.FULFILLMENT_ORDERS, {}) == 555


def test_exact_costs_of_the_catalog_pages():
    # a variant is itself, its product and its inventory item: 2 + 250 x 3
    assert cost.requested_cost(shopify_catalog.VARIANTS, {"first": 250}) == 752
    assert cost.requested_cost(shopify_catalog.LOCATIONS, {"first": 250}) == 502  # + address
    assert cost.requested_cost(shopify_catalog.VARIANTS_COUNT, {}) == 1


@pytest.mark.django_db(transaction=True)
def test_fake_refuses_over_1000_points_and_charges_nothing(conn, fake):
    fake.add_order(make_order(1))
    status, body = fake.execute(OLD_ORDERS, {"first": 250})
    assert status == 200
    assert body["errors"][0]["extensions"]["code"] == "MAX_COST_EXCEEDED"
    assert body["errors"][0]["extensions"]["cost"] == 76252
    assert "data" not in body
    assert fake._available == fake.bucket_max and fake.refused_cost == 1
    # the client refuses to send such a document at all
    connector = ShopifyConnector(conn)
    with pytest.raises(CostExceeded):
        connector.client.execute(OLD_ORDERS, {"first": 250})
    assert fake.requests == 0


@pytest.mark.django_db(transaction=True)
def test_only_supported_api_versions_are_served(conn, fake):
    assert shopify_client.API_VERSION == "2026-10" and "2026-10" in SUPPORTED_VERSIONS
    body = {"query": "{ shop { id } }"}
    headers = {"X-Shopify-Access-Token": fake.token}
    for version, expected in (("2025-07", 404), ("2024-01", 404), ("2026-10", 200)):
        response = httpx.post(
            f"{fake.base_url}/admin/api/{version}/graphql.json", json=body, headers=headers
        )
        assert response.status_code == expected, version
        if expected == 404:
            assert response.json() == {"errors": "Not Found"}


@pytest.mark.django_db(transaction=True)
def test_an_order_with_many_lines_is_paged_within_the_limit(conn, fake):
    fake.add_order(make_order(1, lines=25))
    fake.add_order(make_order(2))
    StoreConnection.objects.filter(pk=conn.pk).update(cursor="2025-12-31T00:00:00Z")
    conn.refresh_from_db()
    run = sync.sync(conn)
    assert run.status == "succeeded", run.error
    big = Order.objects.get(external_id="5000001")
    assert OrderLine.objects.filter(order=big).count() == 25
    assert OrderLine.objects.filter(order__external_id="5000002").count() == 1
    # one order page, then the big order's remaining 15 lines in one nested page
    assert [r for r, _ in fake.costs] == [942, 303]
    assert fake.refused_cost == 0 and max(r for r, _ in fake.costs) <= 1000
