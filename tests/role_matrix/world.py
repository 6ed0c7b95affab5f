"""One small seeded world for the role x route matrix: a user per role and a real row behind
every id a route needs (built through the services where they exist, through the ORM where a
row only has to be there, e.g. a failed webhook delivery).

``seed()`` returns the ids by name; the rule tables write paths like
``/api/v1/shipments/{shipment_labelled}``. A name that maps to ``{role: id}`` is the acting
user's own row (their job, API key, upload): someone else's is the IDOR tests' business.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.contrib.auth.models import Group
from django.utils import timezone

from tradelane.accounts import roles
from tradelane.accounts import services as accounts
from tradelane.accounts.models import BlockedBuyer, User
from tradelane.catalog.models import Product, Sku
from tradelane.core.models import FxRate, Job, OutboxMessage
from tradelane.core.outbox import enqueue
from tradelane.forwarding.models import Waybill, WaybillItem, WaybillPiece
from tradelane.forwarding.partners import services as partners
from tradelane.integrations.forwarder_apis import services as erp_credentials
from tradelane.integrations.spreadsheets import services as sheets
from tradelane.integrations.spreadsheets.models import ColumnMapping, Upload
from tradelane.integrations.stores import services as store_services
from tradelane.integrations.stores.models import SyncRun, WebhookDelivery
from tradelane.inventory import services as inventory
from tradelane.inventory.models import Warehouse
from tradelane.logistics.models import Channel, RateSheet, TrackingException
from tradelane.logistics.shipping import manifests
from tradelane.logistics.shipping import services as shipping
from tradelane.logistics.shopping import configuration as shipping_config
from tradelane.logistics.tests.shipfix import own_channel
from tradelane.logistics.tests.tracking_factories import make_account
from tradelane.orders import services as orders
from tradelane.orders.allocation import allocate_orders
from tradelane.orders.models import Store
from tradelane.orders.tests.factories import make_order

from .bookings_world import seed_bookings
from .commissions_world import seed_commissions
from .customs_world import seed_customs
from .outbound_world import seed_outbound
from .payables_world import seed_payables
from .statements_world import seed_statements

ROLES = (
    roles.ADMIN, roles.CUSTOMER_SERVICE, roles.PURCHASING, roles.LOGISTICS, roles.WAREHOUSE,
    roles.SALES, roles.BOSS,
)  # fmt: skip
ANON = "anonymous"
PASSWORD = "pw-Test-123"
CSV = b"external_id,sku,quantity\nX1,MUG-WHT,1\n"
HOOK_SECRET = "whsec"  # the store's webhook secret and the carrier account's


def _user(role: str) -> User:
    user = User.objects.create_user(username=f"m_{role}", password=PASSWORD)
    user.groups.set(Group.objects.filter(name=role))
    return User.objects.get(pk=user.pk)


def seed() -> dict:
    users = {role: _user(role) for role in ROLES}
    admin = users[roles.ADMIN]
    today = timezone.localdate()
    FxRate.objects.create(base="USD", quote="CNY", rate=Decimal("7.1"), date=dt.date(2025, 1, 1))
    sz = Warehouse.objects.create(code="SZ", name="Shenzhen", country="CN", priority=10)
    la = Warehouse.objects.create(
        code="LA", name="Los Angeles", kind="overseas", country="US", priority=20
    )
    product = Product.objects.create(code="P-MUG", name="马克杯", name_en="Mug")
    common = dict(
        weight_g=350, length_mm=120, width_mm=90, height_mm=100, cost_amount=Decimal("12.50"),
        cost_currency="CNY", declared_name_zh="马克杯", declared_name_en="Mug", hs_code="691200",
        declared_value=Decimal("5.00"), declared_currency="USD", origin_country="CN",
    )  # fmt: skip
    sku = Sku.objects.create(product=product, code="MUG-WHT", name="Mug white", **common)
    Sku.objects.create(product=product, code="MUG-BLK", name="Mug black", **common)
    inventory.receive(admin, sku_id=sku.pk, warehouse_id=sz.pk, quantity=100)
    store = orders.create_store(
        admin, code="US1", name="Shop US", platform="shopify", currency="USD", country="US"
    )
    orders.map_store_sku(admin, store, "S-A", [(sku, 1)])
    conn = store_services.connect(
        admin, store, shop_domain="us1.myshopify.com",
        # nothing listens there: the health page's platform calls fail at once
        base_url="http://127.0.0.1:9",
        credentials={"access_token": "shpat_x", "webhook_secrets": [HOOK_SECRET]},
        settings={"push_stock": True, "locations": {"SZ": "gid://shopify/Location/1"}},
    )  # fmt: skip

    # a channel of our own with one cost sheet, and orders at each step of the flow
    channel = own_channel(admin, "SLOW", per_kg="30", reg="5", days=(12, 20))
    sheet = RateSheet.objects.filter(channel=channel).order_by("pk").first()

    def allocated() -> int:
        order = make_order(store, [(sku, 1)], status="approved")
        allocate_orders(admin, [order.pk])
        return order.pk

    review = make_order(store, [(sku, 1)])
    approved = make_order(store, [(sku, 1)], status="approved")
    pending = allocated()
    split_me = make_order(store, [(sku, 2)], status="approved")
    split_line = split_me.lines.get().pk
    (labelled,) = shipping.create_shipments(admin, order_ids=[allocated()], channel="SLOW")
    (shipped,) = shipping.create_shipments(admin, order_ids=[allocated()], channel="SLOW")
    shipping.ship_shipment(admin, shipped)
    exception = TrackingException.objects.create(shipment=shipped, kind="delayed", detail="late")
    (on_manifest,) = shipping.create_shipments(admin, order_ids=[allocated()], channel="SLOW")
    shipping.ship_shipment(admin, on_manifest)
    manifest = manifests.close_manifest(admin, channel)
    (shipped_today,) = shipping.create_shipments(admin, order_ids=[allocated()], channel="SLOW")
    shipping.ship_shipment(admin, shipped_today)  # waits for the next manifest

    rule = shipping_config.create_config(admin, "rule", name="cheapest", priority=10)
    threshold = shipping_config.create_config(
        admin, "threshold", destination="GB", kind="vat", amount=Decimal(135), currency="GBP",
        effective_from=dt.date(2021, 1, 1),
    )  # fmt: skip
    number = shipping_config.create_config(
        admin, "number", store_id=store.pk, destination="GB", kind="vat", number="GB123456789"
    )

    # the dispatch center's rows: a failed sync run, a failed webhook, a dead push
    run = SyncRun.objects.create(connection=conn, kind="import", status="failed", error="503")
    delivery = WebhookDelivery.objects.create(
        connection=conn, delivery_id="wh-bad", topic="orders/create", body=b"{not json",
        status="failed", error="ValueError", attempts=1,
    )  # fmt: skip
    dead = enqueue(
        "store.fulfillment", {"order_id": review.pk, "store_id": store.pk}, dedupe_key="dead-1"
    )
    OutboxMessage.objects.filter(pk=dead.pk).update(status="dead", attempts=8)

    blocked = BlockedBuyer.objects.create(email="blocked@example.com", reason="chargebacks")
    # the provider side: one level and one customer (the portal has its own scope test)
    level = partners.create_level(admin, code="MSTD", name="Matrix standard")
    mcust = partners.create_customer(admin, code="MCUST", company="Matrix customer", level=level)
    # its credentials: a portal user with an open API key and ECCANG credentials
    mcust_user = partners.create_portal_user(
        admin, username="m-cust-user", password=None, customer=mcust
    )
    mcust_key = partners.create_customer_api_key(admin, mcust, user=mcust_user, name="erp")[0]
    mcust_tms = erp_credentials.issue(admin, vendor="eccang", user=mcust_user)[0]
    make_account("YT", secret=HOOK_SECRET)  # a carrier that posts tracking webhooks
    template = sheets.save_template(
        admin, name="shop export", entity="orders", mapping={"external_id": "external_id"}
    )

    # the provider side: a customer on a level with the SLOW channel, one waybill numbered
    level = partners.create_level(admin, code="STD", name="Standard", channels=["SLOW"])
    customer = partners.create_customer(admin, code="ACME", company="Acme", level=level)
    waybill = Waybill.objects.create(
        number="TL2601010000001", customer=customer, reference="R-MATRIX", channel=channel,
        source="api", tracking_number="LX000000001CN", tracking_status="assigned",
        consignee_name="Jane Doe", consignee_address1="350 Fifth Avenue",
        consignee_city="New York", consignee_state="NY", consignee_postcode="10118",
        consignee_country="US", declared_value=Decimal("10.00"), declared_currency="USD",
        forecast_weight_g=500, chargeable_weight_g=500, body_hash="matrix",
    )  # fmt: skip
    WaybillPiece.objects.create(waybill=waybill, seq=1, weight_g=500)
    WaybillItem.objects.create(waybill=waybill, seq=1, name_en="Mug", quantity=1,
                               unit_value=Decimal("10.00"), currency="USD")  # fmt: skip

    # each user's own rows: a job, an API key, an uploaded file
    jobs, keys, uploads = {}, {}, {}
    for role, user in users.items():
        jobs[role] = Job.objects.create(
            kind=sheets.JOB_KIND, status=Job.Status.DONE, created_by=user, result={}
        ).pk
        keys[role] = accounts.create_api_key(user, user=user, name="matrix")[0].pk
        uploads[role] = Upload.objects.create(
            entity="orders", filename="orders.csv", kind="csv", content=CSV,
            headers=["external_id", "sku", "quantity"], row_count=1, created_by=user,
        ).pk  # fmt: skip

    provider_side = seed_bookings(admin)
    provider_side.update(seed_outbound(admin, channel.code))
    provider_side.update(seed_customs(admin, customer, channel))
    provider_side.update(seed_payables(admin, waybill))
    provider_side.update(seed_commissions(admin))
    provider_side.update(seed_statements(admin, waybill))

    assert ColumnMapping.objects.filter(pk=template.pk).exists()
    assert Channel.objects.filter(code="SLOW").exists() and Store.objects.count() == 1
    return {
        "users": users,
        "person": users[roles.SALES].pk,  # someone the admin changes on the settings pages
        "today": today.isoformat(),
        "warehouse": sz.pk,
        "warehouse_la": la.pk,
        "product": product.pk,
        "sku": sku.pk,
        "store": store.pk,
        "connection": conn.pk,
        "webhook_token": conn.webhook_token,
        "channel": channel.code,
        "sheet": sheet.pk,
        "order_review": review.pk,
        "order_approved": approved.pk,
        "order_pending": pending,
        "order_split": split_me.pk,
        "split_line": split_line,
        "shipment_labelled": labelled.pk,
        "shipment_shipped": shipped.pk,
        "tracking_number": shipped.tracking_number,
        "public_key": shipped.public_key,
        "exception": exception.pk,
        "manifest": manifest.pk,
        "rule": rule.pk,
        "threshold": threshold.pk,
        "number": number.pk,
        "run": run.pk,
        "delivery": delivery.pk,
        "outbox": dead.pk,
        "template": template.pk,
        "waybill_number": waybill.number,
        "waybill_reference": waybill.reference,
        "blocked_buyer": blocked.pk,
        "customer": "MCUST",
        "customer_user": mcust_user.pk,
        "customer_key": mcust_key.pk,
        "tms_credential": mcust_tms.pk,
        "job": jobs,
        "key": keys,
        "upload": uploads,
        **provider_side,
    }
