"""Demo data: a small cross-border seller in Shenzhen, loaded through the services.

``load()`` builds, in one transaction: the company profile (base currency CNY), one user per
role, four warehouses (Shenzhen own, Los Angeles overseas, Frankfurt third party, Amazon FBA),
11 products / 20 SKUs with customs attributes, three stores (Shopify US, WooCommerce DE,
Amazon UK) with their SKU mappings (bundles included), opening stock with safety stock, FX
rates, and about 80 orders imported through the orders import, then reviewed, allocated,
shipped, merged and split so that every tab of the order workbench has orders.

Every domain write goes through a service (accounts, catalog, inventory, orders). The only
direct writes are the FX rate rows (no service writes rates yet) and ``reset()``, which
empties the tables before a reload.

The data is deterministic (a fixed random seed); only the dates follow the clock, so the
orders always look recent.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.apps import apps
from django.core.management.color import no_style
from django.db import connection, transaction
from django.utils import timezone

from tradelane.accounts import roles

MARKER_ACTION = "demo.loaded"
SEED = 20250101
CENT = Decimal("0.01")


# --- people -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class DemoUser:
    username: str
    password: str
    role: str
    first_name: str


DEMO_USERS = [
    DemoUser("admin", "admin-demo", roles.ADMIN, "王总管"),
    DemoUser("service", "service-demo", roles.CUSTOMER_SERVICE, "李客服"),
    DemoUser("purchasing", "purchasing-demo", roles.PURCHASING, "赵采购"),
    DemoUser("logistics", "logistics-demo", roles.LOGISTICS, "陈物流"),
    DemoUser("warehouse", "warehouse-demo", roles.WAREHOUSE, "刘仓管"),
    DemoUser("sales", "sales-demo", roles.SALES, "周销售"),
    DemoUser("boss", "boss-demo", roles.BOSS, "张老板"),
]


def logins_text() -> str:
    """The demo logins, one line per role, for ``tradelane up`` and ``tradelane demo``."""
    lines = ["Demo logins (username / password — role):"]
    for u in DEMO_USERS:
        zh, en = roles.ROLE_LABELS[u.role]
        lines.append(f"  {u.username:<11} {u.password:<16} {en} / {zh}")
    return "\n".join(lines)


# --- catalog ----------------------------------------------------------------------------------

# (code, variant zh, variant en, weight g, (L, W, H) mm, cost CNY, declared USD,
#  prices (USD, EUR, GBP))
_P = tuple[str, str, str, int, tuple[int, int, int], str, str, tuple[str, str, str]]

# (code, name zh, name en, customs name zh, customs name en, HS code, flags, skus)
PRODUCTS: list[tuple[str, str, str, str, str, str, dict, list[_P]]] = [
    ("P-MUG", "陶瓷马克杯", "Ceramic mug", "陶瓷杯", "Ceramic mug", "691200", {}, [
        ("MUG-WHT-350", "白色 350ml", "White 350 ml", 420, (120, 90, 100), "12.50", "4.00",
         ("14.99", "13.99", "11.99")),
        ("MUG-BLK-350", "黑色 350ml", "Black 350 ml", 420, (120, 90, 100), "13.00", "4.00",
         ("14.99", "13.99", "11.99")),
    ]),
    ("P-TSHIRT", "纯棉圆领T恤", "Cotton crew-neck T-shirt", "棉制针织T恤", "Cotton knitted T-shirt",
     "610910", {}, [
        ("TS-BLK-M", "黑色 M", "Black M", 180, (280, 220, 30), "18.00", "5.00",
         ("19.99", "18.99", "15.99")),
        ("TS-BLK-L", "黑色 L", "Black L", 195, (280, 220, 30), "18.00", "5.00",
         ("19.99", "18.99", "15.99")),
        ("TS-BLK-XL", "黑色 XL", "Black XL", 210, (300, 230, 30), "19.00", "5.00",
         ("21.99", "19.99", "16.99")),
        ("TS-WHT-M", "白色 M", "White M", 180, (280, 220, 30), "18.00", "5.00",
         ("19.99", "18.99", "15.99")),
        ("TS-WHT-L", "白色 L", "White L", 195, (280, 220, 30), "18.00", "5.00",
         ("19.99", "18.99", "15.99")),
    ]),
    ("P-EARBUDS", "蓝牙无线耳机", "Wireless Bluetooth earbuds", "蓝牙耳机", "Bluetooth earphones",
     "851830", {"has_battery": True}, [
        ("EB-PRO-BLK", "黑色", "Black", 95, (90, 70, 40), "65.00", "15.00",
         ("39.99", "37.99", "32.99")),
        ("EB-PRO-WHT", "白色", "White", 95, (90, 70, 40), "65.00", "15.00",
         ("39.99", "37.99", "32.99")),
    ]),
    ("P-POWERBANK", "移动电源 10000mAh", "Power bank 10000 mAh", "锂离子蓄电池",
     "Lithium-ion power bank", "850760", {"has_battery": True}, [
        ("PB-10K", "黑色", "Black", 230, (140, 70, 25), "48.00", "12.00",
         ("29.99", "27.99", "24.99")),
    ]),
    ("P-YOGAMAT", "TPE瑜伽垫 6mm", "TPE yoga mat 6 mm", "瑜伽垫", "Yoga mat", "950691", {}, [
        ("YM-6MM-PUR", "紫色", "Purple", 1100, (610, 150, 150), "35.00", "10.00",
         ("29.99", "27.99", "24.99")),
        ("YM-6MM-BLU", "蓝色", "Blue", 1100, (610, 150, 150), "35.00", "10.00",
         ("29.99", "27.99", "24.99")),
    ]),
    ("P-BOTTLE", "不锈钢保温杯", "Stainless steel vacuum bottle", "不锈钢真空保温瓶",
     "Stainless steel vacuum flask", "961700", {}, [
        ("VB-500-SLV", "银色 500ml", "Silver 500 ml", 380, (250, 80, 80), "30.00", "8.00",
         ("24.99", "22.99", "19.99")),
        ("VB-750-BLK", "黑色 750ml", "Black 750 ml", 480, (290, 85, 85), "36.00", "10.00",
         ("29.99", "27.99", "24.99")),
    ]),
    ("P-LAMP", "LED护眼台灯", "LED desk lamp", "LED台灯", "LED desk lamp", "940521", {}, [
        ("LMP-DESK-WHT", "白色", "White", 1200, (420, 180, 120), "85.00", "20.00",
         ("49.99", "46.99", "42.99")),
    ]),
    ("P-CASE", "iPhone 15 手机壳", "iPhone 15 case", "塑料手机壳", "Plastic phone case", "392690",
     {}, [
        ("CASE-IP15-CLR", "透明", "Clear", 45, (170, 95, 20), "4.50", "2.00",
         ("12.99", "11.99", "9.99")),
        ("CASE-IP15-BLK", "黑色", "Black", 45, (170, 95, 20), "4.50", "2.00",
         ("12.99", "11.99", "9.99")),
    ]),
    ("P-OIL", "薰衣草精油 10ml", "Lavender essential oil 10 ml", "精油", "Essential oil",
     "330129", {"has_liquid": True}, [
        ("OIL-LAV-10", "单瓶", "Single bottle", 60, (90, 40, 40), "9.00", "3.00",
         ("9.99", "9.49", "7.99")),
    ]),
    ("P-MAGNET", "冰箱贴 6件套", "Fridge magnets, set of 6", "铁氧体永磁体", "Ferrite magnets",
     "850519", {"has_magnet": True}, [
        ("MAG-SET-6", "城市风景", "City views", 150, (150, 100, 20), "6.00", "2.50",
         ("11.99", "10.99", "8.99")),
    ]),
    ("P-SOCKS", "运动袜 3双装", "Sports socks, 3 pairs", "棉制针织袜", "Cotton knitted socks",
     "611595", {}, [
        ("SOCK-3P-M", "M码 (39-42)", "M (39-42)", 120, (200, 120, 30), "10.00", "3.00",
         ("12.99", "11.99", "9.99")),
    ]),
]  # fmt: skip

# --- warehouses, stores, stock ----------------------------------------------------------------

WAREHOUSES = [
    dict(code="SZ01", name="深圳自营仓 Shenzhen", kind="own", country="CN", state="广东省",
         city="深圳市", address="宝安区福永街道凤凰第一工业区 A栋3楼", postcode="518103",
         contact="刘仓管", phone="+86 755 2345 6789", priority=10),
    dict(code="LA01", name="洛杉矶海外仓 Los Angeles", kind="overseas", country="US", state="CA",
         city="Ontario", address="1900 S Milliken Ave", postcode="91761", contact="Mark Rivera",
         phone="+1 909-390-2000", priority=20),
    dict(code="FRA1", name="法兰克福第三方仓 Frankfurt", kind="third_party", country="DE",
         state="Hessen", city="Frankfurt am Main", address="Cargo City Süd, Gebäude 580",
         postcode="60549", contact="Julia Becker", phone="+49 69 6900", priority=30),
    dict(code="FBA-UK", name="亚马逊FBA英国仓 Amazon FBA UK", kind="platform", country="GB",
         city="Doncaster", address="Amazon LBA4, Ten Pound Walk", postcode="DN4 5HX",
         priority=90),
]  # fmt: skip

STORES = [
    dict(code="SHOP-US", name="Shopify 美国站 Brightway US", platform="shopify", currency="USD",
         country="US"),
    dict(code="WOO-DE", name="WooCommerce 德国站 Brightway DE", platform="woocommerce",
         currency="EUR", country="DE"),
    dict(code="AMZ-UK", name="Amazon UK 英国站", platform="amazon", currency="GBP",
         country="GB"),
]  # fmt: skip
_PRICE_INDEX = {"SHOP-US": 0, "WOO-DE": 1, "AMZ-UK": 2}

# Store SKU naming per store, and which of our SKUs each store sells.
_STORE_SKUS = {
    "SHOP-US": ("{}", None),  # every SKU, under our own code
    "WOO-DE": ("DE-{}", ("MUG-", "TS-", "YM-", "VB-", "OIL-", "MAG-", "SOCK-", "LMP-")),
    "AMZ-UK": ("{}-UK", ("EB-", "PB-", "CASE-", "SOCK-", "MUG-", "VB-")),
}
# Bundles: store SKU -> [(our SKU, units)], with the store's price.
BUNDLES = {
    "SHOP-US": [
        ("SET-YOGA-BOTTLE", "Yoga mat + vacuum bottle set", [("YM-6MM-PUR", 1), ("VB-500-SLV", 1)],
         "49.99"),
        ("MUG-WHT-2PK", "Ceramic mug, white, 2-pack", [("MUG-WHT-350", 2)], "26.99"),
    ],
    "WOO-DE": [
        ("DE-SET-MUG-OIL", "Geschenkset Tasse + Lavendelöl",
         [("MUG-WHT-350", 1), ("OIL-LAV-10", 1)], "21.99"),
    ],
}  # fmt: skip

# Opening stock per warehouse: {sku: units}. Some SKUs are short on purpose (LMP-DESK-WHT has
# none at all, PB-10K and OIL-LAV-10 very little) so that orders wait in pending purchase.
STOCK = {
    "SZ01": {
        "MUG-WHT-350": 45, "MUG-BLK-350": 80, "TS-BLK-M": 60, "TS-BLK-L": 60, "TS-BLK-XL": 30,
        "TS-WHT-M": 50, "TS-WHT-L": 50, "EB-PRO-BLK": 40, "EB-PRO-WHT": 30, "PB-10K": 2,
        "YM-6MM-PUR": 40, "YM-6MM-BLU": 40, "VB-500-SLV": 50, "VB-750-BLK": 30,
        "CASE-IP15-CLR": 150, "CASE-IP15-BLK": 150, "OIL-LAV-10": 3, "MAG-SET-6": 100,
        "SOCK-3P-M": 120,
    },
    "LA01": {
        "MUG-WHT-350": 20, "MUG-BLK-350": 20, "TS-BLK-M": 15, "TS-BLK-L": 15, "TS-WHT-M": 12,
        "TS-WHT-L": 12, "EB-PRO-BLK": 12, "VB-500-SLV": 20, "VB-750-BLK": 10,
        "CASE-IP15-CLR": 40, "CASE-IP15-BLK": 40, "YM-6MM-PUR": 10, "SOCK-3P-M": 25,
    },
    "FRA1": {
        "TS-BLK-M": 20, "TS-WHT-M": 20, "MUG-WHT-350": 15, "YM-6MM-BLU": 12, "VB-750-BLK": 10,
        "SOCK-3P-M": 30,
    },
    "FBA-UK": {"EB-PRO-BLK": 25, "CASE-IP15-BLK": 60, "SOCK-3P-M": 40},
}  # fmt: skip
# Safety stock: {(warehouse, sku): units}; the first three end up below it (low-stock list).
SAFETY = {
    ("SZ01", "MUG-WHT-350"): 60, ("SZ01", "LMP-DESK-WHT"): 10, ("LA01", "EB-PRO-BLK"): 15,
    ("SZ01", "PB-10K"): 20, ("SZ01", "SOCK-3P-M"): 30, ("FRA1", "TS-BLK-M"): 5,
}  # fmt: skip

# 1 unit of each currency in CNY (illustrative demo rates, source "demo").
FX_TO_CNY = {"USD": "7.1200", "EUR": "7.7500", "GBP": "9.0500", "CAD": "5.2000",
             "AUD": "4.6500", "JPY": "0.0480", "HKD": "0.9120"}  # fmt: skip

# --- buyers -----------------------------------------------------------------------------------

# (name, address1, city, state, postcode, country, phone)
BUYERS = [
    ("Emily Johnson", "350 5th Ave", "New York", "NY", "10118", "US", "+1 212-736-3100"),
    ("Michael Brown", "1 Apple Park Way", "Cupertino", "CA", "95014", "US", "+1 408-996-1010"),
    ("Sarah Davis", "233 S Wacker Dr", "Chicago", "IL", "60606", "US", "+1 312-875-9447"),
    ("David Wilson", "400 Broad St", "Seattle", "WA", "98109", "US", "+1 206-905-2100"),
    ("Jessica Martinez", "1700 Convention Center Dr", "Miami Beach", "FL", "33139", "US",
     "+1 305-673-7000"),
    ("Chris Lee", "600 Congress Ave", "Austin", "TX", "78701", "US", "+1 512-476-4626"),
    ("Ashley Clark", "100 Cambridge St", "Boston", "MA", "02114", "US", "+1 617-727-2200"),
    ("Ryan Turner", "1437 Bannock St", "Denver", "CO", "80202", "US", "+1 720-865-9000"),
    ("Olivia Tremblay", "100 Queen St W", "Toronto", "ON", "M5H 2N2", "CA", "+1 416-392-2489"),
    ("Liam Gagnon", "275 Rue Notre-Dame E", "Montréal", "QC", "H2Y 1C6", "CA",
     "+1 514-872-1111"),
    ("Jack Wilson", "1 Macquarie St", "Sydney", "NSW", "2000", "AU", "+61 2 9250 7111"),
    ("Charlotte Nguyen", "90 Swanston St", "Melbourne", "VIC", "3000", "AU", "+61 3 9658 9658"),
    ("Lukas Müller", "Friedrichstraße 68", "Berlin", "", "10117", "DE", "+49 30 20940"),
    ("Anna Schmidt", "Marienplatz 8", "München", "", "80331", "DE", "+49 89 23300"),
    ("Jonas Weber", "Königsallee 60", "Düsseldorf", "", "40212", "DE", "+49 211 8996"),
    ("Lea Fischer", "Jungfernstieg 7", "Hamburg", "", "20354", "DE", "+49 40 4283 10"),
    ("Camille Dubois", "10 Rue de Rivoli", "Paris", "", "75004", "FR", "+33 1 42 76 40 40"),
    ("Daan de Vries", "Damrak 70", "Amsterdam", "", "1012 LM", "NL", "+31 20 624 1111"),
    ("Giulia Rossi", "Via del Corso 100", "Roma", "RM", "00186", "IT", "+39 06 6710 1"),
    ("Lucía García", "Calle Gran Vía 28", "Madrid", "M", "28013", "ES", "+34 915 21 00 00"),
    ("Maximilian Huber", "Stephansplatz 1", "Wien", "", "1010", "AT", "+43 1 515520"),
    ("Oliver Smith", "221B Baker Street", "London", "", "NW1 6XE", "GB", "+44 20 7224 3688"),
    ("Amelia Jones", "1 Deansgate", "Manchester", "", "M3 1AZ", "GB", "+44 161 832 1234"),
    ("Harry Taylor", "50 Princes Street", "Edinburgh", "", "EH2 2BY", "GB", "+44 131 225 2424"),
    ("Isla Brown", "10 Park Row", "Leeds", "", "LS1 5HD", "GB", "+44 113 243 1111"),
    ("Seán Murphy", "1 Grafton Street", "Dublin", "", "D02 HF60", "IE", "+353 1 677 9111"),
]  # fmt: skip
STORE_COUNTRIES = {
    "SHOP-US": ("US", "CA", "AU"),
    "WOO-DE": ("DE", "FR", "NL", "IT", "ES", "AT"),
    "AMZ-UK": ("GB", "IE"),
}
SHIPPING_FEE = {"SHOP-US": "4.99", "WOO-DE": "3.90", "AMZ-UK": "2.99"}
FREE_SHIPPING_FROM = Decimal("50")
US_SALES_TAX = Decimal("0.07")
BLOCKED_EMAIL = "refund.hunter@example.net"


def _email(name: str) -> str:
    ascii_name = name.translate(str.maketrans("üöäéáíóúñ", "uoaeaioun")).lower()
    return ascii_name.replace(" ", ".").replace("'", "") + "@example.com"


def _buyer(name: str) -> dict:
    for b in BUYERS:
        if b[0] == name:
            return dict(zip(("name", "address1", "city", "state", "postcode", "country", "phone"),
                            b, strict=True))  # fmt: skip
    raise KeyError(name)


# --- reading back -----------------------------------------------------------------------------


def is_loaded() -> bool:
    from tradelane.core.models import AuditLog

    return AuditLog.objects.filter(action=MARKER_ACTION).exists()


def should_load_first_time() -> bool:
    """First start of an empty database: no demo marker and no user at all.

    A database that already has users (a real installation) never gets demo data by itself.
    """
    from tradelane.accounts.models import User

    return not is_loaded() and not User.objects.exists()


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
            if model._meta.managed and not model._meta.proxy:
                tables.append(model._meta.db_table)
    existing = set(connection.introspection.table_names())
    return sorted(t for t in tables if t in existing)


def reset() -> None:
    """Empty every domain table (users, products, stock, orders, events...).

    Roles (groups and permissions) and Django's content types stay: they are set up by
    migrate, not data.
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
        # validators (a real installation's users never do).
        first = DEMO_USERS[0]
        admin = accounts.create_user(
            None, username=first.username, password=first.password, roles=[first.role],
            first_name=first.first_name, email=f"{first.username}@example.com",
            check_password=False,
        )  # fmt: skip
        self.users[first.username] = admin
        for u in DEMO_USERS[1:]:
            self.users[u.username] = accounts.create_user(
                admin, username=u.username, password=u.password, roles=[u.role],
                first_name=u.first_name, email=f"{u.username}@example.com",
                check_password=False,
            )  # fmt: skip
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

        # No service writes exchange rates yet; these rows are plain reference data.
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
            self.stores[store.code] = store
            pattern, prefixes = _STORE_SKUS[store.code]
            offers = []
            for sku_code, sku in self.skus.items():
                if prefixes and not sku_code.startswith(prefixes):
                    continue
                store_sku = pattern.format(sku_code)
                orders.map_store_sku(sales, store, store_sku, [(sku, 1)])
                price = Decimal(prices[sku_code][_PRICE_INDEX[store.code]])
                offers.append((store_sku, titles[sku_code], price))
            for store_sku, title, components, price in BUNDLES.get(store.code, []):
                orders.map_store_sku(
                    sales, store, store_sku, [(self.skus[c], q) for c, q in components]
                )
                offers.append((store_sku, title, Decimal(price)))
            self.offers[store.code] = offers

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
                "email": email or _email(buyer["name"]),
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
            buyer = _buyer(rng.choice(pool))
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
        b = _buyer
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
        for pk in pending[: max(0, len(pending) - 6)]:  # leave a few to work on
            active = ("draft", "labelled")
            if ShipmentOrder.objects.filter(order_id=pk, shipment__status__in=active).exists():
                continue  # merged with an order shipped just before
            try:
                made += ship.create_shipments(logistics, order_ids=[pk])
            except DomainError:
                continue  # no channel fits: it stays on the list, with the reason
        for s in made[:4]:
            ship.ship_shipment(logistics, s)
        for code in sorted({s.channel.code for s in made[:3]}):
            manifests.close_manifest(logistics, code)


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
        counts = dict(Order.objects.values_list("status").annotate(n=Count("id")))
        summary = {
            "users": User.objects.count(),
            "products": Product.objects.count(),
            "skus": Sku.objects.count(),
            "warehouses": Warehouse.objects.count(),
            "stores": Store.objects.count(),
            "orders": sum(counts.values()),
            "orders_by_status": {s: counts.get(s, 0) for s in OrderStatus.values},
        }
        audit.record(builder.users["admin"], MARKER_ACTION, None, summary, entity="demo")
    return summary
