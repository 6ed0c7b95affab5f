"""Demo data: a small cross-border seller in Shenzhen, loaded through the services.

``load()`` builds, in one transaction: the company profile (base currency CNY), one user per
role, four warehouses (Shenzhen own, Los Angeles overseas, Frankfurt third party, Amazon FBA),
11 products / 20 SKUs with customs attributes, three stores (Shopify US, WooCommerce DE,
Amazon UK) with their SKU mappings (bundles included), opening stock with safety stock, FX
rates, and about 80 orders imported through the orders import, then reviewed, allocated,
shipped, merged and split so that every tab of the order workbench has orders.

Every domain write goes through a service (accounts, catalog, inventory, orders). The only
direct writes are the seller's FX rate rows of the day (the ECB's rates of the shipped file go
through ``finance.fx``), the demo users' password
hashes (``passwords``) and ``reset()``, which
empties the tables before a reload.

Beside the seller, ``provider.load`` adds a Shenzhen forwarder (物流商): levels, customers, an
agent, its staff and portal users, channels with cost and sale sheets per level, and waybills in
every state, through the forwarding services.

The data is deterministic (a fixed random seed); only the dates follow the clock, so the
orders always look recent.
"""

from __future__ import annotations

import random
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.apps import apps
from django.core.management.color import no_style
from django.db import connection, transaction
from django.utils import timezone

from . import link, provider
from .data import (  # noqa: F401 - DEMO_USERS and logins_text are the package's too
    AUTOMATION_PRIORITY,
    BLOCKED_EMAIL,
    BUNDLES,
    BUYERS,
    CENT,
    DEMO_USERS,
    FREE_SHIPPING_FROM,
    FX_TO_CNY,
    MARKER_ACTION,
    PORTAL_USERS,
    PRICE_INDEX,
    PRODUCTS,
    PROVIDER_USERS,
    SAFETY,
    SEED,
    SHIPPING_FEE,
    STOCK,
    STORE_COUNTRIES,
    STORE_SKUS,
    STORES,
    US_SALES_TAX,
    WAITING_LEFT,
    WAREHOUSES,
    buyer_of,
    email_of,
    logins_text,
)
from .passwords import set_printed_passwords


def is_loaded() -> bool:
    from tradelane.core.models import AuditLog

    return AuditLog.objects.filter(action=MARKER_ACTION).exists()


def should_load_first_time() -> bool:
    """First start of an empty database: no demo marker and no user at all.

    A database that already has users (a real installation) never gets demo data by itself.
    """
    from tradelane.accounts.models import User

    return not is_loaded() and not User.objects.exists()


def channel_share_text(summary: dict) -> str:
    """How many orders waiting for shipment rate shopping found a channel for (percent rounded
    down, so 89.9% never reads as 90%)."""
    n, total = summary["waiting_with_channel"], summary["waiting_for_shipment"]
    percent = n * 100 // total if total else 100
    return f"orders waiting for shipment with a channel: {n}/{total} ({percent}%)"


def provider_text(summary: dict) -> str:
    """The demo provider in one line: customers and its waybills by state."""
    p = summary["provider"]
    by_status = ", ".join(f"{k} {v}" for k, v in p["waybills_by_status"].items())
    return (
        f"provider (Shenzhen forwarder): {p['customers']} customers, {p['waybills']} waybills "
        f"({by_status}; tracking number pending {p['number_pending']}), "
        f"{p['departures']} departures; hub: {p['hub']['scanned']} scans this morning, "
        f"{p['hub']['bags']} bags, dispatch {p['hub']['dispatch']}; "
        f"{p['link']['orders']} of the seller's orders go to it "
        "over HTTP (the open API) once `up` runs"
    )


def summary_text(summary: dict) -> str:
    by_status = ", ".join(f"{k} {v}" for k, v in summary["orders_by_status"].items())
    return (
        f"{summary['users']} users, {summary['products']} products / {summary['skus']} SKUs, "
        f"{summary['warehouses']} warehouses, {summary['stores']} stores, "
        f"{summary['orders']} orders ({by_status})"
    )


# --- reset ------------------------------------------------------------------------------------

# Besides every tradelane app: Django's admin log and sessions (they point at users) and the
# task queue's results.
_ALSO_FLUSHED = ("admin", "sessions", "django_tasks_db")


def _flushed_tables() -> list[str]:
    tables = []
    for config in apps.get_app_configs():
        if not (config.name.startswith("tradelane.") or config.label in _ALSO_FLUSHED):
            continue
        for model in config.get_models(include_auto_created=True):
            # reference data that migrate writes (the fee catalogue) stays, as roles do
            if getattr(model, "set_up_by_migrate", False):
                continue
            if model._meta.managed and not model._meta.proxy:
                tables.append(model._meta.db_table)
    existing = set(connection.introspection.table_names())
    return sorted(t for t in tables if t in existing)


def reset() -> None:
    """Empty every domain table (users, products, stock, orders, events...).

    Roles (groups and permissions), Django's content types and the reference tables a model
    marks ``set_up_by_migrate`` (the fee catalogue) stay: they are set up by migrate, not data.
    """
    sql = connection.ops.sql_flush(no_style(), _flushed_tables(), reset_sequences=True)
    deferred = connection.vendor == "postgresql" and connection.in_atomic_block
    if deferred:
        # Inside a transaction, PostgreSQL refuses to TRUNCATE a table with pending
        # (deferred) foreign-key checks: run them now, and defer again afterwards.
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    connection.ops.execute_sql_flush(sql)
    if deferred:
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")


# --- load -------------------------------------------------------------------------------------


def _money(value) -> Decimal:
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


class _Builder:
    def __init__(self) -> None:
        self.rng = random.Random(SEED)
        self.now = timezone.now().replace(microsecond=0)
        self.users: dict[str, object] = {}
        self.skus: dict[str, object] = {}
        self.warehouses: dict[str, object] = {}
        self.stores: dict[str, object] = {}
        # store code -> [(store_sku, title, price)]
        self.offers: dict[str, list[tuple[str, str, Decimal]]] = {}
        self.seq: dict[str, int] = {"SHOP-US": 0, "WOO-DE": 0, "AMZ-UK": 0}
        self.fingerprints: set = set()
        self.tags: dict[str, str] = {}  # external_id -> scenario

    # -- setup --------------------------------------------------------------------------------

    def people(self) -> None:
        from tradelane.accounts import services as accounts

        # The demo's logins are printed and meant to be typed, so they skip the password
        # validators (a real installation's users never do) and are stored with a cheap hash
        # (``passwords``).
        first = DEMO_USERS[0]
        admin = accounts.create_user(
            None, username=first.username, password=None, roles=[first.role],
            first_name=first.first_name, email=f"{first.username}@example.com",
            check_password=False,
        )  # fmt: skip
        self.users[first.username] = admin
        for u in DEMO_USERS[1:]:
            self.users[u.username] = accounts.create_user(
                admin, username=u.username, password=None, roles=[u.role],
                first_name=u.first_name, email=f"{u.username}@example.com",
                check_password=False,
            )  # fmt: skip
        set_printed_passwords({self.users[u.username].pk: u.password for u in DEMO_USERS})
        accounts.update_company(
            admin,
            name="深圳明途跨境电商有限公司 Brightway Cross-border Co., Ltd.",
            base_currency="CNY",
            time_zone="Asia/Shanghai",
            languages=["zh-hans", "en"],
            review_high_value="5000",
            review_duplicate_hours=72,
        )
        accounts.block_buyer(
            self.users["service"], email=BLOCKED_EMAIL, name="Tom Hunter",
            reason="三次恶意拒付 / three chargebacks in 2024",
        )  # fmt: skip

    def fx_rates(self) -> None:
        from tradelane.core.models import FxRate
        from tradelane.finance.fx import services as fx

        # the ECB's reference rates of the file shipped with Tradelane (a 90-day history), so
        # that conversions on any date since its first fixing find a rate
        self.ecb_rates = fx.import_shipped_rates().as_dict()
        # The seller's rates to its base currency of today: plain reference data.
        today = timezone.localdate()
        FxRate.objects.bulk_create(
            [
                FxRate(base=code, quote="CNY", rate=Decimal(rate), date=today, source="demo")
                for code, rate in FX_TO_CNY.items()
            ],
            ignore_conflicts=True,
        )

    def catalog(self) -> None:
        from tradelane.catalog import services as catalog

        buyer = self.users["purchasing"]
        for code, name, name_en, customs_zh, customs_en, hs, flags, skus in PRODUCTS:
            product = catalog.create_product(buyer, code=code, name=name, name_en=name_en)
            for sku_code, var_zh, var_en, grams, (length, width, height), cost, declared, _ in skus:
                self.skus[sku_code] = catalog.create_sku(
                    buyer,
                    product,
                    code=sku_code,
                    name=f"{name} {var_zh}",
                    variant=f"{var_zh} / {var_en}",
                    weight_g=grams,
                    length_mm=length,
                    width_mm=width,
                    height_mm=height,
                    cost_amount=cost,
                    cost_currency="CNY",
                    declared_name_zh=customs_zh,
                    declared_name_en=customs_en,
                    hs_code=hs,
                    declared_value=declared,
                    declared_currency="USD",
                    origin_country="CN",
                    **flags,
                )

    def warehouses_and_stock(self) -> None:
        from tradelane.inventory import services as inventory

        admin, keeper = self.users["admin"], self.users["warehouse"]
        for fields in WAREHOUSES:
            self.warehouses[fields["code"]] = inventory.save_warehouse(admin, **fields)
        for wh_code, items in STOCK.items():
            wh = self.warehouses[wh_code]
            for sku_code, qty in items.items():
                inventory.receive(
                    keeper, sku_id=self.skus[sku_code].pk, warehouse_id=wh.pk, quantity=qty,
                    source_type="receipt", source_id=f"OPEN-{wh_code}",
                    note="期初库存 / opening stock",
                )  # fmt: skip
        for (wh_code, sku_code), qty in SAFETY.items():
            inventory.set_safety_stock(
                keeper, sku_id=self.skus[sku_code].pk,
                warehouse_id=self.warehouses[wh_code].pk, quantity=qty,
            )  # fmt: skip

    def stores_and_mappings(self) -> None:
        from tradelane.orders import services as orders

        admin, sales = self.users["admin"], self.users["sales"]
        prices = {s[0]: s[7] for p in PRODUCTS for s in p[7]}
        titles = {s[0]: f"{p[2]} – {s[2]}" for p in PRODUCTS for s in p[7]}
        for fields in STORES:
            store = orders.create_store(admin, **fields)
            # while the demo builds its history by hand, nothing runs by itself (see
            # ``automation_on``, after the load has committed)
            orders.set_automation(
                admin, store, auto_allocate=False, auto_ship=False, order_priority=100
            )
            self.stores[store.code] = store
            pattern, prefixes = STORE_SKUS[store.code]
            offers = []
            for sku_code, sku in self.skus.items():
                if prefixes and not sku_code.startswith(prefixes):
                    continue
                store_sku = pattern.format(sku_code)
                orders.map_store_sku(sales, store, store_sku, [(sku, 1)])
                price = Decimal(prices[sku_code][PRICE_INDEX[store.code]])
                offers.append((store_sku, titles[sku_code], price))
            for store_sku, title, components, price in BUNDLES.get(store.code, []):
                orders.map_store_sku(
                    sales, store, store_sku, [(self.skus[c], q) for c, q in components]
                )
                offers.append((store_sku, title, Decimal(price)))
            self.offers[store.code] = offers

    def automation_on(self) -> None:
        """The demo stores allocate and ship by themselves: a new order from the live demo
        flows from review to a label with no click (``orders.automation``)."""
        from tradelane.orders import services as orders

        admin = self.users["admin"]
        for store in self.stores.values():
            orders.set_automation(
                admin, store, auto_allocate=True, auto_ship=True,
                order_priority=AUTOMATION_PRIORITY.get(store.code, 100),
            )  # fmt: skip

    # -- orders -------------------------------------------------------------------------------

    def _offer(self, store_code: str, store_sku: str) -> tuple[str, str, Decimal]:
        for offer in self.offers[store_code]:
            if offer[0] == store_sku:
                return offer
        return (store_sku, f"Unknown listing {store_sku}", Decimal("19.99"))

    def order(
        self,
        store_code: str,
        buyer: dict,
        lines: list[tuple[str, int]],
        hours_ago: float,
        *,
        tag: str = "",
        payment: str = "paid",
        email: str | None = None,
        discount_pct: int = 0,
        note: str = "",
    ) -> dict:
        self.fingerprints.add((buyer["name"], frozenset(s for s, _ in lines)))
        order_lines = []
        items = Decimal(0)
        for store_sku, qty in lines:
            sku, title, price = self._offer(store_code, store_sku)
            order_lines.append(
                {"store_sku": sku, "title": title, "quantity": qty, "unit_price": str(price)}
            )
            items += price * qty
        shipping = Decimal(0) if items >= FREE_SHIPPING_FROM else Decimal(SHIPPING_FEE[store_code])
        discount = _money(items * discount_pct / 100)
        tax = _money((items - discount) * US_SALES_TAX) if buyer["country"] == "US" else Decimal(0)
        grand = items + shipping + tax - discount
        placed = self.now - timedelta(hours=hours_ago)
        return {
            "_tag": tag,
            "store": store_code,
            "external_id": "",  # numbered in time order by _number
            "number": "",
            "placed_at": placed.isoformat(),
            "currency": self.stores[store_code].currency,
            "payment_status": payment,
            "buyer": {
                "name": buyer["name"],
                "email": email or email_of(buyer["name"]),
                "phone": buyer["phone"],
            },
            "shipping_address": {
                "name": buyer["name"],
                "company": "",
                "address1": buyer["address1"],
                "address2": "",
                "city": buyer["city"],
                "state": buyer["state"],
                "postcode": buyer["postcode"],
                "country": buyer["country"],
                "phone": buyer["phone"],
            },
            "totals": {
                "items": str(_money(items)),
                "shipping": str(_money(shipping)),
                "tax": str(tax),
                "discount": str(discount),
                "grand": str(_money(grand)),
            },
            "lines": order_lines,
            "note": note,
        }

    def _regular(self, store_code: str, hours_ago: float) -> dict:
        rng = self.rng
        countries = STORE_COUNTRIES[store_code]
        pool = [b[0] for b in BUYERS if b[5] in countries]
        # Everyday listings: not the ones kept short on purpose (those get their own orders).
        short = ("LMP-", "DE-LMP-", "PB-", "OIL-", "DE-OIL-", "DE-SET-MUG-OIL")
        offers = [o[0] for o in self.offers[store_code] if not o[0].startswith(short)]
        while True:
            buyer = buyer_of(rng.choice(pool))
            count = rng.choices((1, 2, 3), weights=(6, 3, 1))[0]
            chosen = rng.sample(offers, count)
            lines = [(s, rng.choices((1, 2, 3), weights=(16, 3, 1))[0]) for s in chosen]
            if (buyer["name"], frozenset(chosen)) not in self.fingerprints:
                break  # never an accidental duplicate
        return self.order(
            store_code, buyer, lines, hours_ago, discount_pct=10 if rng.random() < 0.15 else 0
        )

    def _number(self, rows: list[dict]) -> None:
        """Store order numbers rise with time, as in the stores themselves."""
        for row in sorted(rows, key=lambda r: r["placed_at"]):
            store_code = row["store"]
            self.seq[store_code] += 1
            n = self.seq[store_code]
            if store_code == "SHOP-US":
                external_id, number = str(5_610_000_000_000 + n * 7919), f"#{1000 + n}"
            elif store_code == "WOO-DE":
                external_id = number = str(24000 + n * 3)
            else:
                number = f"205-{1000000 + n * 7919:07d}-{3000000 + n * 104729 % 6000000:07d}"
                external_id = number
            row["external_id"], row["number"] = external_id, number
            tag = row.pop("_tag")
            if tag:
                self.tags[external_id] = tag

    def order_rows(self) -> tuple[list[dict], list[dict]]:
        """(orders imported and reviewed, orders that arrived just now and wait for review)."""
        rng = self.rng
        b = buyer_of
        o = self.order
        special = [
            # pending contact: high value, phone, address, payment, blocked buyer, duplicate
            o("SHOP-US", b("Ryan Turner"), [("EB-PRO-BLK", 25)], 40, tag="high_value",
              note="Corporate gift order"),
            o("SHOP-US", {**b("Chris Lee"), "name": "Kevin Hall", "phone": "555-0100"},
              [("TS-WHT-L", 1)], 36, tag="bad_phone"),
            o("SHOP-US", {**b("Michael Brown"), "name": "Megan Scott", "postcode": "1234"},
              [("VB-500-SLV", 1)], 30, tag="bad_address"),
            o("WOO-DE", b("Jonas Weber"), [("DE-YM-6MM-BLU", 1)], 26, payment="authorized",
              tag="not_captured"),
            o("AMZ-UK", b("Isla Brown"), [("CASE-IP15-BLK-UK", 2)], 22, payment="pending",
              tag="not_captured"),
            o("AMZ-UK", {**b("Harry Taylor"), "name": "Tom Hunter"}, [("EB-PRO-WHT-UK", 1)], 20,
              email=BLOCKED_EMAIL, tag="blocked"),
            o("WOO-DE", b("Camille Dubois"), [("DE-MUG-BLK-350", 2)], 50, tag="original"),
            o("WOO-DE", b("Camille Dubois"), [("DE-MUG-BLK-350", 2)], 47, tag="duplicate"),
            # invalid: refunded, voided, unknown listings
            o("SHOP-US", b("Sarah Davis"), [("CASE-IP15-CLR", 1)], 60, payment="refunded",
              tag="refunded"),
            o("AMZ-UK", b("Oliver Smith"), [("SOCK-3P-M-UK", 1)], 58, payment="voided",
              tag="voided"),
            o("SHOP-US", b("David Wilson"), [("OLD-SKU-2019", 1)], 56, tag="unmapped"),
            o("WOO-DE", b("Giulia Rossi"), [("DE-GIFTCARD-25", 1)], 54, tag="unmapped"),
            # pending purchase: no desk lamps at all, two power banks, three bottles of oil
            o("SHOP-US", b("Emily Johnson"), [("LMP-DESK-WHT", 1)], 70),
            o("WOO-DE", b("Anna Schmidt"), [("DE-LMP-DESK-WHT", 1), ("DE-SOCK-3P-M", 1)], 66),
            o("AMZ-UK", b("Amelia Jones"), [("PB-10K-UK", 1)], 64),
            o("SHOP-US", b("Olivia Tremblay"), [("PB-10K", 2)], 62),
            o("SHOP-US", b("Jack Wilson"), [("PB-10K", 1), ("CASE-IP15-BLK", 1)], 61),
            o("WOO-DE", b("Lukas Müller"), [("DE-OIL-LAV-10", 2), ("DE-MAG-SET-6", 1)], 59),
            o("WOO-DE", b("Daan de Vries"), [("DE-SET-MUG-OIL", 2)], 57),
            o("SHOP-US", b("Charlotte Nguyen"), [("LMP-DESK-WHT", 2)], 55),
            o("WOO-DE", b("Maximilian Huber"), [("DE-OIL-LAV-10", 1), ("DE-TS-WHT-M", 1)], 53),
            # bundles
            o("SHOP-US", b("Jessica Martinez"), [("SET-YOGA-BOTTLE", 1)], 45),
            o("SHOP-US", b("Liam Gagnon"), [("MUG-WHT-2PK", 1), ("TS-BLK-XL", 1)], 44),
            # to Switzerland, which none of the channels prices: it waits, with the reason
            o("WOO-DE", b("Noah Keller"), [("DE-TS-BLK-M", 1)], 120, tag="no_channel"),
            # one buyer, one address, two orders: merged into one parcel
            o("WOO-DE", b("Lea Fischer"), [("DE-TS-BLK-M", 1)], 18, tag="merge"),
            o("WOO-DE", b("Lea Fischer"), [("DE-SOCK-3P-M", 2)], 16, tag="merge"),
            # split: the mug ships from Los Angeles, the earbuds from Shenzhen
            o("SHOP-US", b("Ashley Clark"), [("MUG-WHT-350", 1), ("EB-PRO-WHT", 1)], 14,
              tag="split"),
        ]  # fmt: skip
        # 56 everyday orders over the last twelve days.
        rows = []
        plan = ["SHOP-US"] * 27 + ["WOO-DE"] * 17 + ["AMZ-UK"] * 12
        rng.shuffle(plan)
        for i, store_code in enumerate(plan):
            rows.append(self._regular(store_code, hours_ago=300 - i * 4.6 - rng.random() * 3))
        rows += special
        # Arrived within the last hours: still waiting for review.
        fresh = [self._regular(code, hours_ago=h) for code, h in (
            ("SHOP-US", 3.2), ("WOO-DE", 2.6), ("AMZ-UK", 2.1), ("SHOP-US", 1.4),
            ("WOO-DE", 0.8), ("SHOP-US", 0.3),
        )]  # fmt: skip
        self._number(rows + fresh)
        return rows, fresh

    def import_and_work(self) -> None:
        from tradelane.orders import services as orders
        from tradelane.orders.importing import import_orders
        from tradelane.orders.models import Order
        from tradelane.orders.states import OrderStatus as S

        cs, logistics = self.users["service"], self.users["logistics"]
        rows, fresh = self.order_rows()
        report = import_orders(cs, rows, source="import")
        if report.rejected:
            raise RuntimeError(f"demo orders rejected by the import: {report.rows[:3]}")

        def ids(status, *, tags=None, exclude_tags=("merge", "split")) -> list[int]:
            found = []
            qs = Order.objects.filter(status=status).order_by("placed_at", "id")
            for pk, external_id in qs.values_list("id", "external_id"):
                tag = self.tags.get(external_id, "")
                if tags is not None and tag not in tags:
                    continue
                if tag in exclude_tags and tags is None:
                    continue
                found.append(pk)
            return found

        # Anything the import did not review (it reviews by default) is reviewed now.
        leftover = ids(S.PENDING_REVIEW, exclude_tags=())
        if leftover:
            orders.review_orders(cs, leftover)

        # The newest few approved orders wait for logistics; the rest are allocated.
        approved = ids(S.APPROVED)
        waiting = set(approved[-4:])
        orders.allocate_orders(
            logistics,
            [pk for pk in ids(S.APPROVED, exclude_tags=()) if pk not in waiting],
        )

        # The oldest parcels have left the warehouse; the oldest of those arrived.
        ready = ids(S.PENDING_SHIPMENT)
        shipped = ready[:24]
        for pk in shipped:
            orders.mark_shipped(logistics, Order.objects.get(pk=pk), "交运 / handed to carrier")
        for pk in shipped[:10]:
            orders.change_status(
                logistics, Order.objects.get(pk=pk), S.DELIVERED, "签收 / delivered"
            )

        # Merge the two parcels of one buyer; split one order across two warehouses.
        merge = ids(S.PENDING_SHIPMENT, tags={"merge"})
        if len(merge) == 2:
            orders.merge_orders(logistics, merge)
        split = ids(S.PENDING_SHIPMENT, tags={"split"})
        if split:
            order = Order.objects.get(pk=split[0])
            by_sku = {line.sku.code: line for line in order.lines.select_related("sku")}
            orders.split_order(
                logistics,
                order,
                [
                    {"warehouse_id": self.warehouses["LA01"].pk,
                     "lines": [{"line_id": by_sku["MUG-WHT-350"].pk, "quantity": 1}]},
                    {"warehouse_id": self.warehouses["SZ01"].pk,
                     "lines": [{"line_id": by_sku["EB-PRO-WHT"].pk, "quantity": 1}]},
                ],
            )  # fmt: skip

        # A few buyers changed their minds.
        for status, reason in (
            (S.PENDING_SHIPMENT, "买家要求取消 / buyer asked to cancel"),
            (S.APPROVED, "买家重复下单，已联系取消 / buyer ordered twice, cancelled"),
            (S.PENDING_PURCHASE, "缺货，买家选择退款 / out of stock, buyer chose a refund"),
        ):
            candidates = ids(status)
            if candidates:
                orders.cancel_order(cs, Order.objects.get(pk=candidates[-1]), reason)

        # Orders that came in during the last hours: imported, not reviewed yet.
        report = import_orders(cs, fresh, source="import", review=False)
        if report.rejected:
            raise RuntimeError(f"demo orders rejected by the import: {report.rows[:3]}")

    def shipping(self) -> None:
        """Two of our own channels (a postal one with S10 numbers, a special line), rate-shop
        the orders waiting for shipment, create shipments for most, hand a few over and close
        today's manifest, so the shipping pages have content (all through the services)."""
        import datetime as dt

        from tradelane.core.errors import DomainError
        from tradelane.logistics.customs import decisions as customs
        from tradelane.logistics.models import Channel, ShipmentOrder
        from tradelane.logistics.rates import services as channels
        from tradelane.logistics.rates.descriptions import (
            AreaRule,
            BracketData,
            SheetData,
            ZoneData,
        )
        from tradelane.logistics.shipping import manifests
        from tradelane.logistics.shipping import services as ship
        from tradelane.logistics.shopping import services as shopping
        from tradelane.logistics.shopping.configuration import create_config
        from tradelane.orders.models import Order
        from tradelane.orders.states import OrderStatus as S

        admin, logistics = self.users["admin"], self.users["logistics"]
        if not Channel.objects.exists():  # another part of the demo may make channels
            for code, name, carrier, kind, per_kg, reg, days, extra in (
                ("CNPOST-R", "中国邮政挂号小包 China Post Registered", "China Post", "postal",
                 "80", "15", (10, 20), {"s10_prefix": "RR", "s10_country": "CN",
                                        "max_weight_g": 2000}),
                ("YT-LINE", "云途专线 Special line", "YunExpress", "line",
                 "75", "22", (6, 10), {"max_weight_g": 30000, "volumetric_divisor": 6000,
                                       "accepts_battery": True, "accepts_magnet": True}),
            ):  # fmt: skip
                ch = channels.create_channel(
                    admin, code=code, name=name, carrier=carrier, currency="CNY",
                    service_type=kind, transit_days_min=days[0], transit_days_max=days[1],
                    tracking_url_template="https://t.17track.net/en#nums={tracking}", **extra,
                )  # fmt: skip
                world = ("US", "GB", "DE", "FR", "IT", "ES", "NL", "IE", "AU", "CA", "JP")
                zone = ZoneData("Z1", "Z1", tuple(AreaRule(country=c) for c in world))
                channels.create_rate_sheet(admin, ch, SheetData(
                    kind="cost", currency="CNY", effective_date=dt.date(2024, 1, 1), zones=(zone,),
                    brackets=(BracketData("Z1", 0, extra["max_weight_g"], per_kg=Decimal(per_kg),
                                          registration=Decimal(reg)),),
                ))  # fmt: skip
            ship.add_s10_series(admin, "RR", "CN", 10000001, 19999999)
        if customs.cn22_limit() is None:  # a reset database lost the seeded thresholds
            create_config(
                admin, "threshold", destination="", kind="cn22", amount=Decimal(300),
                currency="XDR", max_weight_g=2000, effective_from=dt.date(2020, 1, 1),
            )  # fmt: skip
        shopping.shop_orders(logistics)
        pending = list(
            Order.objects.filter(status=S.PENDING_SHIPMENT).order_by("placed_at", "id")
            .values_list("id", flat=True)
        )  # fmt: skip
        made = []
        for pk in pending[: max(0, len(pending) - WAITING_LEFT)]:  # leave some to work on
            active = ("draft", "labelled")
            if ShipmentOrder.objects.filter(order_id=pk, shipment__status__in=active).exists():
                continue  # merged with an order shipped just before
            try:
                made += ship.create_shipments(logistics, order_ids=[pk])
            except DomainError:
                continue  # no channel fits: it stays on the list, with the reason
        for s in made[:4]:
            ship.ship_shipment(logistics, s)
        _first_scans(made[:4])
        for code in sorted({s.channel.code for s in made[:3]}):
            manifests.close_manifest(logistics, code)


def _first_scans(shipments) -> None:
    """The first carrier scans of the parcels handed over today, as a poll would bring them,
    so that customer service can answer "where is my parcel?" from the demo's order pages."""
    import datetime as dt

    from django.utils import timezone

    from tradelane.logistics.carriers.contract import TrackEvent
    from tradelane.logistics.tracking import codes
    from tradelane.logistics.tracking import services as tracking

    now = timezone.now()
    for s in shipments:
        tracking.record_events(None, s, [
            TrackEvent(now - dt.timedelta(hours=5), codes.PICKED_UP, "PU",
                       "深圳处理中心已收寄 / Accepted at the Shenzhen centre", "Shenzhen", "CN"),
            TrackEvent(now - dt.timedelta(hours=2), codes.IN_TRANSIT, "DEP",
                       "离开深圳处理中心 / Departed the Shenzhen centre", "Shenzhen", "CN"),
        ], "poll")  # fmt: skip


def _channels(builder: _Builder) -> None:
    """Shipping channels with cost and sale sheets (postal, special line, DHL-like courier with
    fuel history and remote areas, EMS, a US line zoned by ZIP), through the logistics services."""
    from tradelane.logistics.rates.samples import create_sample_channels

    create_sample_channels(builder.users["logistics"])


def load() -> dict:
    """Load the demo data (into an empty database; see ``reset``). All or nothing."""
    from django.db.models import Count

    from tradelane.accounts.models import User
    from tradelane.catalog.models import Product, Sku
    from tradelane.core import audit
    from tradelane.inventory.models import Warehouse
    from tradelane.logistics.shipping.selectors import waiting_with_channel
    from tradelane.orders.models import Order, Store
    from tradelane.orders.states import OrderStatus

    builder = _Builder()
    with transaction.atomic():
        builder.people()
        builder.fx_rates()
        builder.catalog()
        builder.warehouses_and_stock()
        builder.stores_and_mappings()
        builder.import_and_work()
        _channels(builder)
        builder.shipping()
        # after the seller's rate shopping, which therefore never picked a forwarder's channel
        forwarder = provider.load(builder.users)
        forwarder["link"] = link.prepare(builder.users)
        counts = dict(Order.objects.values_list("status").annotate(n=Count("id")))
        with_channel, waiting = waiting_with_channel()
        summary = {
            "users": User.objects.count(),
            "products": Product.objects.count(),
            "skus": Sku.objects.count(),
            "warehouses": Warehouse.objects.count(),
            "stores": Store.objects.count(),
            "orders": sum(counts.values()),
            "orders_by_status": {s: counts.get(s, 0) for s in OrderStatus.values},
            "waiting_for_shipment": waiting,
            "waiting_with_channel": with_channel,
            "provider": forwarder,
            "ecb_rates": builder.ecb_rates,
        }
        audit.record(builder.users["admin"], MARKER_ACTION, None, summary, entity="demo")
    # After the commit, so the follow-ups of the load itself (reviews, receipts) found the
    # switches off and left the demo's waiting orders waiting.
    with transaction.atomic():
        builder.automation_on()
    return summary
