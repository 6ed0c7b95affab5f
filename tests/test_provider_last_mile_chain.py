"""The last-mile switch down the whole chain, in one process over real HTTP: a seller on
Tradelane ships through a provider on Tradelane (both served by ``live_server``, one
database), the provider's hub switches the waybill to a last-mile number
(``forwarding.lastmile.assignment.assign``), its signed webhook reaches the seller's
``/hooks/tracking/<account>``, the seller's shipment takes the last-mile number, and the
store (the fake Shopify) gets the fulfilment's tracking updated to it.

The slow, two-installation version of the link is ``test_provider_link_e2e.py``.
"""

from __future__ import annotations

import json

import pytest

from tradelane.accounts import services as accounts
from tradelane.core import outbox
from tradelane.core.models import OutboxMessage
from tradelane.forwarding.lastmile import assignment
from tradelane.forwarding.models import LastMileAssignment, Waybill
from tradelane.forwarding.tests.factories import provider
from tradelane.forwarding.waybills import services as waybills
from tradelane.integrations.carriers.tradelane_provider import connection
from tradelane.integrations.stores import services as stores
from tradelane.integrations.stores.fakes.shopify import FakeShopify, make_order
from tradelane.integrations.stores.shopify import client as shopify_client
from tradelane.inventory.models import Warehouse
from tradelane.logistics.models import CarrierAccount, InboundTracking, Shipment
from tradelane.logistics.rates import services as rates
from tradelane.logistics.shipping import services as shipping
from tradelane.logistics.tests.shipfix import allocated, own_channel
from tradelane.orders import services as orders
from tradelane.orders.models import Order

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("fresh_rate_cache")]
PROVIDER_NUMBER = "TLP0000000001"
LAST_MILE = "9400111899223100000000"


@pytest.fixture(autouse=True)
def immediate_tasks(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def shopify():
    shopify_client._buckets.clear()
    fake = FakeShopify(orders=0).start()
    fake.order = fake.add_order(make_order(1))
    yield fake
    fake.stop()
    shopify_client._buckets.clear()


def deliver_all(rounds: int = 6) -> None:
    """Deliver the outbox until nothing is due (each delivery may queue the next)."""
    for _ in range(rounds):
        OutboxMessage.objects.filter(status="pending").update(
            next_attempt_at="2000-01-01T00:00:00Z"
        )
        if sum(outbox.deliver_due().values()) == 0:
            return


@pytest.fixture
def link(live_server, settings, shopify, logistics, admin, make_sku):
    """The provider with its customer ACME; the seller (ACME) with its Shopify store, the
    provider as a carrier account with ACME's API key and its webhook registered, and an
    order of the store shipped on the provider's channel."""
    settings.TRADELANE_PUBLIC_URL = live_server.url
    p = provider()
    _key, api_key = accounts.create_api_key(p.admin, user=p.acme_user, name="seller link")
    store = orders.create_store(admin, code="SHOP1", name="Shop 1", platform="shopify",
                                currency="USD", country="US")  # fmt: skip
    stores.connect(admin, store, shop_domain=shopify.shop, base_url=shopify.base_url,
                   credentials={"access_token": shopify.token,
                                "webhook_secrets": ["shpss_chain"]})  # fmt: skip
    rates.create_carrier_account(logistics, "prov", "Provider", "tradelane",
                                 {"api_key": api_key}, base_url=live_server.url)  # fmt: skip
    own_channel(logistics, "PROV", kind="tradelane", service_type="line", carrier="Provider",
                service_code="USLINE", carrier_account="prov")  # fmt: skip
    url = connection.register_webhook(logistics, CarrierAccount.objects.get(code="prov"))
    assert url == f"{live_server.url}/hooks/tracking/prov"
    wh = Warehouse.objects.create(
        code="SZ", name="Shenzhen", country="CN", priority=10, contact="Li Lei",
        address="1 Keji Road", city="Shenzhen Shi", state="Guangdong Sheng", postcode="518000",
        phone="+86 138 0000 0000",
    )  # fmt: skip
    order = allocated(logistics, store, wh, [(make_sku("FK-SKU-001"), 1)])
    Order.objects.filter(pk=order.pk).update(
        external_id=str(shopify.order["id"]).rsplit("/", 1)[-1]
    )
    (s,) = shipping.create_shipments(logistics, order_ids=[order.pk], channel="PROV")
    deliver_all()  # the waybill is created at the provider over its open API
    p.w = Waybill.objects.get(reference=s.number)
    p.shipment = s
    return p


def test_the_last_mile_number_goes_from_the_hub_to_the_sellers_store(link, shopify):
    p, w = link, link.w
    # the provider numbers the parcel and its hub receives it: the seller labels the shipment,
    # hands it over, and the store is fulfilled with the provider's number
    waybills.assign_numbers(p.hub, w, tracking_number=PROVIDER_NUMBER)
    deliver_all()
    waybills.receive(p.hub, w, weight_g=1200)
    deliver_all()
    s = Shipment.objects.get(pk=p.shipment.pk)
    assert (s.status, s.tracking_number, s.last_mile_tracking_number) == (
        "shipped", PROVIDER_NUMBER, "",
    )  # fmt: skip
    (fulfilment,) = shopify.fulfillments
    assert fulfilment["trackingInfo"]["number"] == PROVIDER_NUMBER
    assert not fulfilment.get("updates")

    # the hub switches it to the last mile (转单)
    row = assignment.assign(p.hub, w, "USPS", LAST_MILE)
    assert (row.carrier, row.number, row.source) == ("USPS", LAST_MILE, "manual")
    hooks = OutboxMessage.objects.filter(topic="forwarding.customer_webhook").order_by("pk")
    last = hooks.last()
    assert last.payload["body"]["event"] == "waybill.last_mile_assigned"
    assert last.payload["body"]["waybill"]["last_mile_number"] == LAST_MILE
    deliver_all()

    # the webhook was delivered, signed, to the seller's tracking hook and applied once
    assert OutboxMessage.objects.get(pk=last.pk).status == "sent"
    taken = InboundTracking.objects.filter(source="prov", delivery_id=last.payload["delivery_id"])
    assert [(r.status, json.loads(bytes(r.body))["event"]) for r in taken] == [
        ("processed", "waybill.last_mile_assigned")
    ]
    # the seller's shipment takes the last-mile number; the store's tracking follows it
    s.refresh_from_db()
    assert (s.tracking_number, s.last_mile_carrier, s.last_mile_tracking_number) == (
        PROVIDER_NUMBER, "USPS", LAST_MILE,
    )  # fmt: skip
    (fulfilment,) = shopify.fulfillments  # still one fulfilment, its tracking updated
    assert (fulfilment["trackingInfo"]["company"], fulfilment["trackingInfo"]["number"]) == (
        "USPS", LAST_MILE,
    )  # fmt: skip
    assert fulfilment.get("updates")
    # every webhook the provider sent was taken, none failed or left waiting
    assert not OutboxMessage.objects.exclude(status="sent").exists()
    assert set(InboundTracking.objects.values_list("status", flat=True)) == {"processed"}


def test_a_refused_switch_sends_nothing_down_the_chain(link, shopify):
    p, w = link, link.w
    waybills.assign_numbers(p.hub, w, tracking_number=PROVIDER_NUMBER)
    waybills.receive(p.hub, w, weight_g=1200)
    deliver_all()
    sent = OutboxMessage.objects.count()
    fulfilment = json.dumps(shopify.fulfillments, sort_keys=True)
    with pytest.raises(Exception) as exc:
        assignment.assign(p.hub, w, "USPS", "no spaces allowed")
    assert exc.value.code == "last_mile_number_invalid"
    deliver_all()
    assert OutboxMessage.objects.count() == sent
    assert not LastMileAssignment.objects.filter(waybill=w).exists()
    s = Shipment.objects.get(pk=p.shipment.pk)
    assert s.last_mile_tracking_number == ""
    assert json.dumps(shopify.fulfillments, sort_keys=True) == fulfilment
