"""What the demo holds: its people, products, warehouses, stores, stock, rates and buyers.

Plain data only; ``tradelane.demo`` loads it through the services.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from tradelane.accounts import roles

MARKER_ACTION = "demo.loaded"
SEED = 20250101
# The newest orders waiting for shipment are left without a shipment, for the shipping
# workbench; rate shopping has chosen a channel for each of them.
WAITING_LEFT = 15  # 3 of them then go through the provider link (``link``)
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


# The provider (a Shenzhen forwarder, 物流商): its staff; its boss is the seller's ``boss``.
PROVIDER_USERS = [
    DemoUser("fwd.sales1", "fwd-sales1-demo", roles.PROVIDER_SALES, "吴业务"),
    DemoUser("fwd.sales2", "fwd-sales2-demo", roles.PROVIDER_SALES, "郑业务"),
    DemoUser("fwd.service", "fwd-service-demo", roles.PROVIDER_SERVICE, "孙客服"),
    DemoUser("fwd.hub", "fwd-hub-demo", roles.HUB_OPERATOR, "钱操作"),
    DemoUser("fwd.finance", "fwd-finance-demo", roles.PROVIDER_FINANCE, "冯财务"),
    DemoUser("fwd.driver", "fwd-driver-demo", roles.HUB_DRIVER, "王师傅"),
    DemoUser("fwd.driver2", "fwd-driver2-demo", roles.HUB_DRIVER, "李师傅"),
]


@dataclass(frozen=True)
class PortalLogin:
    username: str
    password: str
    account: str  # the customer's or the agent's code
    is_agent: bool = False


# Portal users of three customers (one of them the demo seller) and of the downstream agent.
PORTAL_USERS = [
    PortalLogin("huaqi", "huaqi-demo", "HUAQI"),
    PortalLogin("longteng", "longteng-demo", "LONGTENG"),
    PortalLogin("brightway", "brightway-demo", "BRIGHTWAY"),
    PortalLogin("hklink", "hklink-demo", "HKLINK", is_agent=True),
]


def _login_line(username: str, password: str, label: str) -> str:
    return f"  {username:<11} {password:<16} {label}"


def logins_text() -> str:
    """The demo logins, one line per role, for ``tradelane up`` and ``tradelane demo``: the
    seller's, then the provider's staff and its portal users."""
    lines = ["Demo logins (username / password — role):"]
    for u in DEMO_USERS:
        zh, en = roles.ROLE_LABELS[u.role]
        lines.append(_login_line(u.username, u.password, f"{en} / {zh}"))
    lines.append("Provider 物流商 (Shenzhen forwarder; its boss is boss):")
    for u in PROVIDER_USERS:
        zh, en = roles.ROLE_LABELS[u.role]
        lines.append(_login_line(u.username, u.password, f"{en} / {zh}"))
    for p in PORTAL_USERS:
        zh, en = roles.ROLE_LABELS[roles.PORTAL_AGENT if p.is_agent else roles.PORTAL_CUSTOMER]
        lines.append(_login_line(p.username, p.password, f"{en} / {zh}: {p.account}"))
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
PRICE_INDEX = {"SHOP-US": 0, "WOO-DE": 1, "AMZ-UK": 2}
# Orders placed at the same moment take stock in this store order (Store.order_priority).
AUTOMATION_PRIORITY = {"SHOP-US": 10, "WOO-DE": 20, "AMZ-UK": 30}

# Store SKU naming per store, and which of our SKUs each store sells.
STORE_SKUS = {
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
    # outside every channel's coverage: one order waits for shipment without a channel
    ("Noah Keller", "Bahnhofstrasse 1", "Zürich", "", "8001", "CH", "+41 44 211 11 11"),
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


def email_of(name: str) -> str:
    ascii_name = name.translate(str.maketrans("üöäéáíóúñ", "uoaeaioun")).lower()
    return ascii_name.replace(" ", ".").replace("'", "") + "@example.com"


def buyer_of(name: str) -> dict:
    for b in BUYERS:
        if b[0] == name:
            return dict(zip(("name", "address1", "city", "state", "postcode", "country", "phone"),
                            b, strict=True))  # fmt: skip
    raise KeyError(name)


# --- reading back -----------------------------------------------------------------------------
