"""The live demo behind ``tradelane up``: local fake Shopify, WooCommerce and Amazon servers in
background threads of the ``up`` process, the demo stores connected to them (through the
services, so their URLs and credentials are in the connection rows the worker reads), and a
thread that places a new order on one of the fakes every ``every`` seconds (and sends the
platform's webhook for it to this server when it knows its URL).

The worker's periodic sweep then pulls the orders (each store syncs every minute), shipments
push tracking back into the fakes through the outbox, and the dispatch center shows the flow.
When ``up`` is not running, the fakes are gone and the stores show as failing to sync.
"""

from __future__ import annotations

import logging
import random
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from django.db import transaction

log = logging.getLogger(__name__)

SHOPIFY_SECRET = "shpss_demo_webhook_secret"
WOO_SECRET = "woo_demo_webhook_secret"
AMAZON_UK = "A1F83G8C2ARO7P"  # amazon.co.uk
DEMO_SETTINGS = {"sync_interval_minutes": 1, "alert_after_minutes": 10}
SEED_ORDERS = 3  # per fake, placed over the last hour, pulled by the first sync


@dataclass
class LiveDemo:
    fakes: dict = field(default_factory=dict)  # store code -> fake server
    connections: dict = field(default_factory=dict)  # store code -> StoreConnection id
    stop_event: threading.Event = field(default_factory=threading.Event)
    thread: threading.Thread | None = None
    placed: int = 0
    web_url: str = ""

    def urls(self) -> dict[str, str]:
        return {code: fake.base_url for code, fake in self.fakes.items()}

    def stop(self) -> None:
        self.stop_event.set()
        for fake in self.fakes.values():
            try:
                fake.stop()
            except Exception:  # noqa: BLE001 - stopping is best effort
                pass


def _offers(store) -> list[str]:
    from tradelane.orders.models import StoreSkuMapping

    return sorted(
        set(StoreSkuMapping.objects.filter(store=store).values_list("store_sku", flat=True))
    )


class _Orders:
    """New orders in each platform's own shape, for the demo stores' listed SKUs."""

    def __init__(self, offers: dict[str, list[str]], seed: int = 7):
        self.offers = offers
        self.rng = random.Random(seed)
        self.n = {"SHOP-US": 0, "WOO-DE": 0, "AMZ-UK": 0}
        self.base = 9000

    def _next(self, code: str) -> int:
        self.n[code] += 1
        return self.base + self.n[code]

    def shopify(self, when: datetime) -> dict:
        from .fakes.shopify import make_order

        i = self._next("SHOP-US")
        order = make_order(i, base=when - timedelta(seconds=i))
        order["line_items"][0]["sku"] = self.rng.choice(self.offers["SHOP-US"])
        return order

    def woo(self, when: datetime) -> dict:
        from .fakes.woocommerce import make_order

        i = self._next("WOO-DE")
        order = make_order(i, base=when - timedelta(seconds=i))
        for line in order.get("line_items", []):
            line["sku"] = self.rng.choice(self.offers["WOO-DE"])
        return order

    def amazon(self, when: datetime) -> tuple[dict, list[dict]]:
        from .fakes.amazon import _money, make_order

        i = self._next("AMZ-UK")
        order, items = make_order(i, base=when - timedelta(seconds=i))
        order["AmazonOrderId"] = f"203-{i:07d}-{2000000 + i:07d}"
        order["MarketplaceId"] = AMAZON_UK
        order["SalesChannel"] = "Amazon.co.uk"
        order["OrderTotal"]["CurrencyCode"] = "GBP"
        order["ShippingAddress"].update(
            {"City": "Manchester", "StateOrRegion": "", "PostalCode": "M1 1AE",
             "CountryCode": "GB", "Phone": "+44 161 555 0100"}
        )  # fmt: skip
        for item in items:
            item["SellerSKU"] = self.rng.choice(self.offers["AMZ-UK"])
            for key in ("ItemPrice", "ShippingPrice", "ItemTax", "PromotionDiscount"):
                item[key] = _money(item[key]["Amount"], "GBP")
        return order, items


def _connect(actor, store, *, shop_domain, base_url, credentials, settings):
    """Connect (or re-connect at the fakes' new address) through the services."""
    from . import services
    from .models import StoreConnection

    existing = StoreConnection.objects.filter(store=store).first()
    if existing is not None and existing.state != StoreConnection.State.DISCONNECTED:
        services.disconnect(actor, existing, "demo: the fake platform moved to a new port")
    return services.connect(
        actor,
        store,
        shop_domain=shop_domain,
        base_url=base_url,
        credentials=credentials,
        settings={**(existing.settings if existing else {}), **settings},
    )


def start(*, web_url: str = "", every: float = 60.0, place: bool = True) -> LiveDemo | None:
    """Start the fakes, connect the demo stores, and (``place``) keep placing orders.

    Returns None when the demo stores are not there (a real installation)."""
    from tradelane.accounts.models import User
    from tradelane.orders.models import Store

    from .fakes.amazon import FakeAmazon
    from .fakes.shopify import FakeShopify
    from .fakes.woocommerce import FakeWooCommerce
    from .shopify import client as shopify_client

    stores = {s.code: s for s in Store.objects.filter(code__in=["SHOP-US", "WOO-DE", "AMZ-UK"])}
    actor = User.objects.filter(username="admin").first()
    if len(stores) < 3 or actor is None:
        return None
    demo = LiveDemo(web_url=web_url.rstrip("/"))
    shopify_client._buckets.clear()
    shop = FakeShopify(shop="brightway-us.myshopify.com").start()
    woo = FakeWooCommerce(site="brightway.de").start()
    amazon = FakeAmazon().start()
    demo.fakes = {"SHOP-US": shop, "WOO-DE": woo, "AMZ-UK": amazon}
    maker = _Orders({code: _offers(store) for code, store in stores.items()})
    now = datetime.now(UTC).replace(microsecond=0)
    _register_earlier_orders(demo.fakes, maker, stores, now)
    for k in range(SEED_ORDERS):
        when = now - timedelta(minutes=50 - 20 * k)
        shop.add_order(maker.shopify(when))
        woo.add_order(maker.woo(when))
        amazon.add_order(*maker.amazon(when))
    with transaction.atomic():
        conns = {
            "SHOP-US": _connect(
                actor, stores["SHOP-US"], shop_domain=shop.shop, base_url=shop.base_url,
                credentials={"access_token": shop.token, "webhook_secrets": [SHOPIFY_SECRET]},
                settings=DEMO_SETTINGS,
            ),
            "WOO-DE": _connect(
                actor, stores["WOO-DE"], shop_domain=woo.site, base_url=woo.base_url,
                credentials={"consumer_key": woo.consumer_key,
                             "consumer_secret": woo.consumer_secret,
                             "webhook_secrets": [WOO_SECRET]},
                settings=DEMO_SETTINGS,
            ),
            "AMZ-UK": _connect(
                actor, stores["AMZ-UK"], shop_domain="sellingpartnerapi-eu.amazon.com",
                base_url=amazon.base_url, credentials=amazon.credentials(),
                settings={**DEMO_SETTINGS, "marketplace_ids": [AMAZON_UK],
                          "platform_warehouse": "FBA-UK"},
            ),
        }  # fmt: skip
    demo.connections = {code: c.pk for code, c in conns.items()}
    tokens = {code: c.webhook_token for code, c in conns.items()}
    if place:
        demo.thread = threading.Thread(
            target=_place_orders, args=(demo, maker, tokens, every), name="demo-fakes", daemon=True
        )
        demo.thread.start()
    return demo


def _register_earlier_orders(fakes: dict, maker: _Orders, stores: dict, now: datetime) -> None:
    """The demo's own orders (imported before the stores were connected) exist on the fake
    platforms too, unlisted (``fakes.base.HIDDEN``): tracking pushed for the demo's shipments
    then lands there, and a sync does not import them again with the fakes' contents."""
    from tradelane.orders.models import Order

    from .fakes.base import HIDDEN

    rows = Order.objects.filter(store__in=list(stores.values())).values_list(
        "store__code", "external_id"
    )
    when = now - timedelta(days=30)
    for code, external_id in rows:
        if code == "SHOP-US" and external_id.isdigit():
            order = maker.shopify(when)
            order.update({"id": int(external_id), HIDDEN: True})
            fakes[code].add_order(order)
        elif code == "WOO-DE" and external_id.isdigit():
            order = maker.woo(when)
            order.update({"id": int(external_id), HIDDEN: True})
            fakes[code].add_order(order)
        elif code == "AMZ-UK":
            order, items = maker.amazon(when)
            order.update({"AmazonOrderId": external_id, HIDDEN: True})
            fakes[code].add_order(order, items)
    maker.n = dict.fromkeys(maker.n, 0)  # new orders keep their own numbers


def _place_orders(demo: LiveDemo, maker: _Orders, tokens: dict, every: float) -> None:
    """Every ``every`` seconds (with some jitter) one new order on one of the fakes."""
    from .fakes.shopify import rest_payload

    rng = random.Random(11)
    while not demo.stop_event.wait(every * rng.uniform(0.6, 1.3)):
        code = rng.choice(["SHOP-US", "SHOP-US", "WOO-DE", "AMZ-UK"])
        fake = demo.fakes[code]
        when = datetime.now(UTC).replace(microsecond=0)
        try:
            if code == "SHOP-US":
                order = fake.add_order(maker.shopify(when))
                if demo.web_url:
                    url = f"{demo.web_url}/hooks/shopify/{tokens[code]}"
                    fake.send_webhook(url, "orders/create", rest_payload(order), SHOPIFY_SECRET)
            elif code == "WOO-DE":
                order = fake.add_order(maker.woo(when))
                if demo.web_url:
                    url = f"{demo.web_url}/hooks/woocommerce/{tokens[code]}"
                    fake.send_webhook(url, "order.created", order, WOO_SECRET)
            else:
                fake.add_order(*maker.amazon(when))  # Amazon has no order webhooks: pulled
            demo.placed += 1
        except Exception:  # noqa: BLE001 - the demo keeps going
            log.exception("demo: could not place an order on %s", code)
