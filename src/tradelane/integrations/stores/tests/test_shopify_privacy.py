"""The mandatory compliance webhooks (customers/data_request, customers/redact, shop/redact)
and the buyer's email and phone read from the non-deprecated customer fields."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.test import Client

from tradelane.core.models import AuditLog
from tradelane.integrations.stores import sync, webhooks
from tradelane.integrations.stores.fakes.shopify import make_order
from tradelane.integrations.stores.models import StoreConnection, WebhookDelivery
from tradelane.integrations.stores.shopify import mapping, queries
from tradelane.orders.models import Order, OrderLine

from .conftest import SECRET

pytestmark = pytest.mark.django_db(transaction=True)


def _post(conn, fake, topic, payload):
    body, headers = fake.webhook_request(topic, payload, SECRET)
    extra = {"HTTP_" + k.upper().replace("-", "_"): v for k, v in headers.items()}
    extra.pop("HTTP_CONTENT_TYPE")
    response = Client().post(
        f"/hooks/shopify/{conn.webhook_token}", data=body, content_type="application/json", **extra
    )
    assert response.status_code == 200
    webhooks.process_pending()
    return WebhookDelivery.objects.order_by("-id").first()


@pytest.fixture
def three_orders(conn, fake):
    for i in (1, 2, 3):
        fake.add_order(make_order(i))
    assert sync.sync(conn).status == "succeeded"
    return Order.objects.order_by("external_id")


def _personal(order: Order) -> tuple:
    fields = ("buyer_name", "buyer_email", "buyer_phone", "ship_name", "ship_address1",
              "ship_city", "ship_postcode", "ship_phone")  # fmt: skip
    return tuple(getattr(order, f) for f in fields)


def test_customers_redact_erases_that_buyer_and_keeps_amounts(conn, fake, three_orders):
    before = {o.external_id: (o.grand_total, o.currency, o.ship_country) for o in three_orders}
    payload = {"shop_id": 1, "shop_domain": fake.shop,
               "customer": {"id": 7, "email": "buyer2@example.com", "phone": None},
               "orders_to_redact": [5_000_001]}  # fmt: skip
    row = _post(conn, fake, "customers/redact", payload)
    assert row.status == "processed" and row.error == ""
    one, two, three = Order.objects.order_by("external_id")
    for order in (one, two):  # by id, and by the buyer's email
        assert _personal(order) == ("", "", "", "[redacted]", "[redacted]", "", "", "")
        assert (order.grand_total, order.currency, order.ship_country) == before[order.external_id]
        assert OrderLine.objects.filter(order=order).count() == 1
    assert _personal(three)[1] == "buyer3@example.com"  # another buyer: untouched
    log = AuditLog.objects.get(action="orders.privacy.redact")
    assert log.changes["orders"] == [one.pk, two.pk]


def test_orders_placed_after_the_request_are_kept(conn, fake, three_orders):
    Order.objects.filter(external_id="5000002").update(placed_at=datetime(2030, 1, 1, tzinfo=UTC))
    customer = {"id": 7, "email": "buyer2@example.com"}
    payload = {"shop_id": 1, "shop_domain": fake.shop, "customer": customer, "orders_to_redact": []}
    _post(conn, fake, "customers/redact", payload)
    assert Order.objects.get(external_id="5000002").buyer_email == "buyer2@example.com"


def test_shop_redact_erases_every_buyer_of_the_store(conn, fake, three_orders):
    StoreConnection.objects.filter(pk=conn.pk).update(state="disconnected")  # uninstalled
    row = _post(conn, fake, "shop/redact", {"shop_id": 1, "shop_domain": fake.shop})
    assert row.status == "processed"
    assert set(Order.objects.values_list("buyer_email", flat=True)) == {""}
    assert Order.objects.filter(grand_total__gt=Decimal("0")).count() == 3


def test_customers_data_request_lists_the_orders_holding_the_buyer(conn, fake, three_orders):
    payload = {"shop_id": 1, "shop_domain": fake.shop,
               "customer": {"id": 7, "email": "buyer3@example.com"},
               "orders_requested": [5_000_001], "data_request": {"id": 9}}  # fmt: skip
    row = _post(conn, fake, "customers/data_request", payload)
    assert row.status == "processed"
    log = AuditLog.objects.get(action="stores.privacy.data_request")
    assert log.changes == {"orders": ["#1001", "#1003"], "customer_email": "buyer3@example.com"}
    assert Order.objects.filter(buyer_email="buyer3@example.com").count() == 1  # nothing erased


def test_buyer_contact_comes_from_default_email_and_phone():
    node = {"id": "gid://shopify/Order/1", "email": None, "phone": None,
            "customer": {"firstName": "A", "lastName": "B",
                         "defaultEmailAddress": {"emailAddress": "a@example.com"},
                         "defaultPhoneNumber": {"phoneNumber": "+15550100"}}}  # fmt: skip
    buyer = mapping.from_graphql(node)["buyer"]
    assert buyer == {"name": "A B", "email": "a@example.com", "phone": "+15550100"}
    # the deprecated Customer.email / Customer.phone are not asked for
    customer = queries.CUSTOMER_FIELDS.split("{", 1)[1]
    assert " email " not in customer and " phone " not in customer
