"""The demo's provider: a Shenzhen forwarder (物流商) beside the seller, through the services.

Three customer levels, five customers (one with its own sale sheet, two through a downstream
agent), the agent, two salespeople, the provider's staff, three channels with a cost sheet, a
standard sale sheet and one per level (the European postal one has an S10 series, so its
waybills get a tracking number at once; the others wait for it, "number pending"), portal
users for two customers and the agent, and waybills in every state: created in one batch per
customer (``create_waybills``), then weighed in at the hub (the measured weight changes the
price), held, sent on, delivered, returned or cancelled through the waybill services.

Deterministic: the same waybills, numbers and prices on every load (only the dates follow the
clock).
"""

from __future__ import annotations

import datetime as dt
import zlib
from decimal import Decimal

from .data import BUYERS, PORTAL_USERS, PROVIDER_USERS, buyer_of
from .passwords import set_printed_passwords

D = Decimal
SINCE = dt.date(2026, 1, 1)
S10 = ("LZ", "CN", 30000001, 39999999)

LEVELS = [  # (code, name, channels)
    ("STD", "标准 Standard", ("SZ-USLINE", "SZ-EUPOST")),
    ("SILVER", "银牌 Silver", ("SZ-USLINE", "SZ-EUPOST", "SZ-BATT")),
    ("GOLD", "金牌 Gold", ("SZ-USLINE", "SZ-EUPOST", "SZ-BATT")),
]

# (code, name, countries, channel fields, cost (per kg, registration),
#  sale {level: (per kg, registration)}; level "" is the standard sale sheet)
CHANNELS = [
    ("SZ-USLINE", "深圳美国专线 Shenzhen US special line", ("US",),
     dict(carrier="Shenzhen US Line", service_type="line", max_weight_g=30000,
          volumetric_divisor=6000, transit_days_min=7, transit_days_max=12),
     ("52", "14"), {"": ("78", "20"), "STD": ("74", "18"), "SILVER": ("68", "16"),
                    "GOLD": ("62", "15")}),
    ("SZ-EUPOST", "欧洲挂号小包 Europe registered small packet", ("GB", "DE", "FR", "NL", "IT"),
     dict(carrier="China Post", service_type="postal", max_weight_g=2000, s10_prefix=S10[0],
          s10_country=S10[1], transit_days_min=10, transit_days_max=20),
     ("60", "17"), {"": ("88", "24"), "STD": ("84", "22"), "SILVER": ("78", "20"),
                    "GOLD": ("72", "19")}),
    ("SZ-BATT", "带电专线 Battery line", ("US", "GB", "DE"),
     dict(carrier="Shenzhen US Line", service_type="line", max_weight_g=20000,
          volumetric_divisor=6000, accepts_battery=True, transit_days_min=8,
          transit_days_max=14),
     ("66", "18"), {"": ("96", "25"), "STD": ("92", "24"), "SILVER": ("86", "22"),
                    "GOLD": ("80", "20")}),
]  # fmt: skip
# HUAQI's own price on the US line, before its level's (customer_sheet_level)
OWN_SHEET = ("HUAQI", "SZ-USLINE", ("58", "14"))

AGENT = ("HKLINK", "香港联运 HK Link Logistics (同行)")
# the lines it buys from (上游): (code, name, kind, channels their cost sheets price)
UPSTREAM = [
    ("USLINE-A", "美线干线 A US Line Partner", "forwarder", ("SZ-USLINE", "SZ-BATT")),
    ("CNPOST-SZ", "中国邮政深圳 China Post Shenzhen", "postal", ("SZ-EUPOST",)),
]
# (code, company, level, salesperson, through the agent, extra fields)
CUSTOMERS = [
    ("HUAQI", "深圳华琪电子有限公司 Huaqi Electronics", "GOLD", "fwd.sales1", False,
     dict(contact_name="黄经理", phone="+86 755 8612 3456", payment_terms="credit",
          credit_limit="50000")),
    ("LONGTENG", "东莞龙腾服饰 Longteng Apparel", "STD", "fwd.sales1", False,
     dict(contact_name="林小姐", phone="+86 769 2233 4455")),
    ("MINGYUE", "明月家居 Mingyue Home", "SILVER", "fwd.sales2", True,
     dict(contact_name="Ms. Chen", phone="+852 2345 6789", country="HK", currency="HKD")),
    ("BAIHE", "百合美妆 Baihe Beauty", "STD", "fwd.sales2", True,
     dict(contact_name="周先生", extra_channels=["SZ-BATT"])),
    # the demo seller itself, who also pushes waybills through the link (``link``)
    ("BRIGHTWAY", "深圳明途跨境 Brightway Trading (the demo seller)", "SILVER", "fwd.sales2",
     False, dict(contact_name="何经理", settlement_mode="monthly")),
]  # fmt: skip
SHIPPER = {
    "name": "深圳物流商仓 Shenzhen hub",
    "address1": "宝安区福海街道 12号",
    "city": "深圳",
    "state": "广东",
    "postcode": "518103",
    "country": "CN",
    "phone": "+86 755 2999 0000",
}

# What becomes of each customer's waybills, in order.
FATES = ["created", "created", "received", "held", "in_transit", "delivered", "returned",
         "cancelled"]  # fmt: skip
GOODS = [  # (name en, name zh, hs, unit value USD, weight g, battery)
    ("Cotton T-shirt", "棉T恤", "610910", "6.50", 420, False),
    ("Ceramic mug", "陶瓷杯", "691200", "4.00", 900, False),
    ("Bluetooth earbuds", "蓝牙耳机", "851830", "15.00", 350, True),
    ("Yoga mat", "瑜伽垫", "950691", "10.00", 1400, False),
]
COUNTRIES = ("US", "GB", "DE", "FR", "US", "NL", "US", "IT")
LAST_MILE = {"US": ("USPS", "940010000000"), "GB": ("Royal Mail", "RM00"),
             "DE": ("DHL Paket", "00340434")}  # fmt: skip
HELD_REASON = "清关资料不全 / customs documents missing"
RETURN_REASON = "收件人拒收 / refused by the consignee"


def _sheet(kind: str, countries, per_kg: str, reg: str, max_g: int, level: str = ""):
    from tradelane.logistics.rates.descriptions import AreaRule, BracketData, SheetData, ZoneData

    zone = ZoneData("Z1", "Z1", tuple(AreaRule(country=c) for c in countries))
    return SheetData(
        kind=kind, customer_level=level, currency="CNY", effective_date=SINCE, zones=(zone,),
        brackets=(BracketData("Z1", 0, max_g, per_kg=D(per_kg), registration=D(reg)),),
    )  # fmt: skip


def _consignee(country: str, i: int) -> dict:
    names = [b[0] for b in BUYERS if b[5] == country]
    b = buyer_of(names[i % len(names)])
    return {k: b[k] for k in ("name", "phone", "address1", "city", "state", "postcode", "country")}


def _payload(code: str, n: int) -> dict:
    country = COUNTRIES[n % len(COUNTRIES)]
    name_en, name_zh, hs, value, grams, battery = GOODS[n % len(GOODS)]
    if battery and code in ("LONGTENG",):  # a level without the battery line
        name_en, name_zh, hs, value, grams, battery = GOODS[0]
    if battery and country not in ("US", "GB", "DE"):
        country = "DE"
    channel = "SZ-BATT" if battery else ("SZ-USLINE" if country == "US" else "SZ-EUPOST")
    return {
        "reference": f"{code}-{n + 1:04d}",
        "channel": channel,
        "consignee": _consignee(country, n),
        "pieces": [{"weight_g": grams, "length_mm": 200, "width_mm": 150, "height_mm": 50}],
        "items": [{"name_en": name_en, "name_zh": name_zh, "quantity": 1 + n % 2,
                   "unit_value": value, "currency": "USD", "hs_code": hs, "origin": "CN",
                   "battery": battery}],
    }  # fmt: skip


def load(users: dict) -> dict:
    """Create the provider inside the caller's transaction; returns its summary. ``users`` has
    the seller's demo users by name (``admin`` does the set-up, ``boss`` reads both sides)."""
    from django.db.models import Count

    from tradelane.accounts import services as accounts
    from tradelane.logistics.rates import services as rates
    from tradelane.logistics.shipping import services as ship

    from ..forwarding.partners import services as partners
    from ..forwarding.partners.models import customer_sheet_level
    from ..forwarding.waybills import services as waybills
    from ..forwarding.waybills.models import Waybill, WaybillSource, WaybillStatus

    admin = users["admin"]
    staff = {
        u.username: accounts.create_user(
            admin,
            username=u.username,
            password=None,
            roles=[u.role],
            first_name=u.first_name,
            email=f"{u.username}@example.com",
            check_password=False,
        )  # fmt: skip
        for u in PROVIDER_USERS
    }
    channels = {}
    for code, name, countries, fields, cost, sale in CHANNELS:
        ch = rates.create_channel(
            admin, code=code, name=name, currency="CNY", destinations=list(countries),
            tracking_url_template="https://t.17track.net/en#nums={tracking}", **fields,
        )  # fmt: skip
        max_g = fields["max_weight_g"]
        rates.create_rate_sheet(admin, ch, _sheet("cost", countries, *cost, max_g))
        for level, prices in sale.items():
            rates.create_rate_sheet(admin, ch, _sheet("sale", countries, *prices, max_g, level))
        channels[code] = ch
    ship.add_s10_series(admin, *S10)
    own_code, own_channel, own_prices = OWN_SHEET
    own = CHANNELS[[c[0] for c in CHANNELS].index(own_channel)]
    rates.create_rate_sheet(admin, channels[own_channel], _sheet(
        "sale", own[2], *own_prices, own[3]["max_weight_g"], customer_sheet_level(own_code)
    ))  # fmt: skip

    levels = {
        code: partners.create_level(admin, code=code, name=name, channels=chans)
        for code, name, chans in LEVELS
    }
    agent = partners.create_agent(admin, code=AGENT[0], name=AGENT[1], commission_mode="per_kg",
                                 commission_rate=D("1.50"))  # fmt: skip
    for code, name, kind, chans in UPSTREAM:
        partners.create_upstream_line(admin, code=code, name=name, kind=kind, channels=chans)
    customers = {}
    for code, company, level, sales, via_agent, extra in CUSTOMERS:
        extra = dict(extra)
        chans = extra.pop("extra_channels", ())
        customers[code] = partners.create_customer(
            admin, code=code, company=company, level=levels[level], extra_channels=chans,
            salesperson=staff[sales], agent=agent if via_agent else None,
            shipper=SHIPPER, email=f"ops@{code.lower()}.example.com", **extra,
        )  # fmt: skip
    portal = {}
    for p in PORTAL_USERS:
        account = {"agent": agent} if p.is_agent else {"customer": customers[p.account]}
        portal[p.username] = partners.create_portal_user(
            admin, username=p.username, password=None, check_password=False, **account
        )
    set_printed_passwords(
        {staff[u.username].pk: u.password for u in PROVIDER_USERS}
        | {portal[p.username].pk: p.password for p in PORTAL_USERS}
    )
    portal_of = {p.account: portal[p.username] for p in PORTAL_USERS if not p.is_agent}

    hub, service = staff["fwd.hub"], staff["fwd.service"]
    for code, customer in customers.items():
        actor = portal_of.get(code, service)
        source = WaybillSource.PORTAL if code in portal_of else WaybillSource.STAFF
        payloads = [_payload(code, n) for n in range(len(FATES))]
        results = waybills.create_waybills(actor, customer, payloads, source=source)
        refused = [(r.reference, r.errors) for r in results if r.result != "created"]
        if refused:
            raise RuntimeError(f"demo waybills refused: {refused[:3]}")
        for result, payload, fate in zip(results, payloads, FATES, strict=True):
            _work(waybills, hub, service, result.waybill, payload, fate)

    departures = _departures(admin, staff["fwd.service"], customers)
    _pickups(staff, customers, portal_of)
    from . import provider_hub

    hub_day = provider_hub.load(staff, customers, portal_of)
    counts = dict(Waybill.objects.values_list("status").annotate(n=Count("id")))
    return {
        "customers": len(customers),
        "departures": departures,
        "waybills": sum(counts.values()),
        "waybills_by_status": {s: counts.get(s, 0) for s in WaybillStatus.values},
        "number_pending": Waybill.objects.filter(tracking_status="pending").count(),
        "hub": hub_day,
    }


# (mode, origin, destination, carrier, vessel or flight, days from today, kg, m3,
#  bookings: (customer, pieces, kg, m3, reference))
DEPARTURES = [
    ("air", "SZX", "LAX", "China Southern", "CZ327", 3, 8000, 40,
     (("HUAQI", 24, 186, "0.9", "HQ-AIR-0101"), ("BRIGHTWAY", 10, 95, "0.5", "BW-AIR-07"))),
    ("air", "SZX", "FRA", "Lufthansa Cargo", "LH8419", 5, 6000, 30,
     (("LONGTENG", 40, 310, "1.6", "LT-FRA-12"),)),
    ("sea", "CNYTN", "USLGB", "COSCO", "COSCO SHIPPING ARIES 052E", 12, 26000, 67,
     (("HUAQI", 180, 2400, "9.5", "HQ-SEA-2026-03"), ("MINGYUE", 60, 820, "4.2", ""))),
]  # fmt: skip


def _departures(admin, service, customers: dict) -> int:
    """Flights and a sailing to sell space on, with the customers' bookings on them (cut-off
    the evening before, Shanghai time; the dates follow the clock)."""
    from zoneinfo import ZoneInfo

    from django.utils import timezone

    from ..forwarding.bookings import services as bookings

    today = timezone.localdate()
    for mode, origin, dest, carrier, vessel, days, kg, m3, booked in DEPARTURES:
        leaves = today + dt.timedelta(days=days)
        cutoff = dt.datetime.combine(leaves - dt.timedelta(days=1), dt.time(18),
                                     tzinfo=ZoneInfo("Asia/Shanghai"))  # fmt: skip
        departure = bookings.create_departure(
            admin, mode=mode, origin=origin, destination=dest, carrier=carrier,
            vessel=vessel, departure_date=leaves, cutoff_at=cutoff, capacity_g=kg * 1000,
            capacity_cm3=m3 * 1_000_000,
        )  # fmt: skip
        for code, pieces, weight_kg, volume_m3, reference in booked:
            bookings.book_space(
                service, departure, customer=customers[code].pk, pieces=pieces,
                weight_g=weight_kg * 1000, volume_cm3=int(D(volume_m3) * 1_000_000),
                reference=reference,
            )  # fmt: skip
    return len(DEPARTURES)


def _work(waybills, hub, service, w, payload: dict, fate: str) -> None:
    """Take one new waybill to its ``fate`` the way the hub and the last mile would."""
    from ..forwarding.waybills.models import WaybillStatus as S

    if fate == S.CREATED:
        return
    if fate == S.CANCELLED:
        waybills.cancel_waybill(service, w, reason="客户取消 / cancelled by the customer")
        return
    # weighed in at the hub: a little heavier than forecast, so the price changes
    forecast = payload["pieces"][0]["weight_g"]
    waybills.receive(hub, w, weight_g=forecast + 180, location="Shenzhen hub")
    if fate == S.HELD:
        waybills.move(hub, w, S.HELD, HELD_REASON, location="Shenzhen hub")
        return
    if fate == S.RECEIVED:
        return
    if not w.tracking_number:  # the last mile's number arrives before the parcel leaves
        carrier, stem = LAST_MILE[w.consignee_country]
        number = f"{stem}{zlib.crc32(w.reference.encode()):010d}"
        waybills.assign_numbers(hub, w, last_mile_carrier=carrier, last_mile_number=number)
    waybills.move(hub, w, S.IN_TRANSIT, location="Shenzhen hub")
    if fate == S.DELIVERED:
        waybills.move(hub, w, S.DELIVERED)
    elif fate == S.RETURNED:
        waybills.move(hub, w, S.RETURNED, RETURN_REASON)


# pickup areas of Shenzhen: (code, name, postcodes, districts, driver)
PICKUP_AREAS = [
    ("SZ-NS", "南山 Nanshan", ("518057", "518052", "518054"), ("南山区",), "fwd.driver"),
    ("SZ-FT", "福田 Futian", ("518031", "518048", "518033"), ("福田区",), "fwd.driver2"),
]
# (customer, day (0 today, 1 tomorrow), window start, pieces, kg, contact, phone, address1,
#  postcode, linked created waybills); the last one lies outside every area (it waits)
PICKUPS = [
    ("HUAQI", 0, 9, 3, "18.5", "陈经理", "13800138000", "南山区科苑路 88号 华琪大厦 5楼",
     "518057", 2),
    ("MINGYUE", 0, 10, 6, "42", "林小姐", "13923456781", "南山区粤海街道 科技园 12栋",
     "518052", 0),
    ("BRIGHTWAY", 0, 14, 4, "30", "周先生", "13612345678", "南山区蛇口 工业八路 6号", "518054", 0),
    ("LONGTENG", 0, 9, 8, "65", "黄主管", "13798765432", "福田区深南大道 3008号 龙腾仓",
     "518031", 0),
    ("BAIHE", 0, 13, 5, "12", "吴小姐", "13512349876", "福田区华强北路 1002号", "518048", 0),
    ("HUAQI", 1, 9, 2, "9", "陈经理", "13800138000", "南山区科苑路 88号 华琪大厦 5楼",
     "518057", 0),
    ("BRIGHTWAY", 1, 10, 3, "21", "周先生", "13612345678", "宝安区西乡街道 宝源路 18号", "518101",
     0),
]  # fmt: skip


def _pickups(staff: dict, customers: dict, portal_of: dict) -> None:
    """Pickup requests of today and tomorrow, routed by area to the two drivers: on today's
    routes one stop collected (its waybills picked up), one short count and one nobody there
    for the dispatcher, the others still to do; tomorrow one waits outside every area."""
    import datetime as dt_

    from django.utils import timezone

    from ..forwarding.bookings import pickup_tasks
    from ..forwarding.bookings import services as bookings
    from ..forwarding.waybills.models import Waybill, WaybillStatus

    hub, service = staff["fwd.hub"], staff["fwd.service"]
    for code, name, postcodes, districts, driver in PICKUP_AREAS:
        pickup_tasks.create_area(hub, code=code, name=name, city="深圳", postcodes=postcodes,
                                 districts=districts, driver=staff[driver])  # fmt: skip
    today = timezone.localdate()
    made = []
    for code, day, start, pieces, kg, contact, phone, address1, postcode, linked in PICKUPS:
        customer = customers[code]
        actor = portal_of.get(code, service)
        numbers = list(
            Waybill.objects.filter(customer=customer, status=WaybillStatus.CREATED)
            .order_by("number").values_list("number", flat=True)[:linked]
        ) if linked else []  # fmt: skip
        made.append(bookings.request_pickup(
            actor, customer=code, date=today + dt_.timedelta(days=day),
            window_start=dt_.time(start), window_end=dt_.time(start + 3), pieces=pieces,
            estimated_weight_g=int(D(kg) * 1000), waybills=numbers,
            address={"name": contact, "company": customer.company.split(" ")[0],
                     "phone": phone, "address1": address1, "city": "深圳市", "state": "广东省",
                     "postcode": postcode, "country": "CN"},
        ))  # fmt: skip
    for day in (0, 1):
        pickup_tasks.auto_assign(hub, today + dt_.timedelta(days=day))
    stops = {p.pk: p.tasks.get() for p in made[:5]}
    driver = staff["fwd.driver"]
    pickup_tasks.mark_collected(driver, stops[made[0].pk], pieces=3)
    pickup_tasks.report_exception(driver, stops[made[2].pk], reason="nobody_there",
                                  note="电话无人接听 / no answer")  # fmt: skip
    pickup_tasks.mark_collected(staff["fwd.driver2"], stops[made[4].pk], pieces=4)
