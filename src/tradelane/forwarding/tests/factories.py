"""A small provider for tests, built through the real services: two channels with cost and
sale sheets (standard, per level, one customer's own), two levels, customers, an agent, staff
and portal users. ``provider()`` returns them in a namespace."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from types import SimpleNamespace

from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import Client

from tradelane.accounts import roles
from tradelane.accounts.roles import sync_roles
from tradelane.logistics.rates import services as rates
from tradelane.logistics.rates.descriptions import AreaRule, BracketData, SheetData, ZoneData

from ..partners import services as partners
from ..partners.models import customer_sheet_level

D = Decimal
SINCE = dt.date(2020, 1, 1)


def sheet(kind: str, per_kg: str, reg: str, *, level: str = "", countries=("US", "GB", "DE")):
    zone = ZoneData("Z1", "Z1", tuple(AreaRule(country=c) for c in countries))
    return SheetData(
        kind=kind, customer_level=level, currency="CNY", effective_date=SINCE, zones=(zone,),
        brackets=(BracketData("Z1", 0, 30000, per_kg=D(per_kg), registration=D(reg)),),
    )  # fmt: skip


def channel(admin, code: str, *, cost=("40", "8"), sale=("60", "10"), levels=None, **kw):
    """A channel with a cost sheet, a standard sale sheet and ``levels`` {level: (per_kg, reg)}."""
    countries = kw.pop("countries", ("US", "GB", "DE"))
    ch = rates.create_channel(
        admin, code=code, name=f"{code} line", currency="CNY", transit_days_min=6,
        transit_days_max=10, **kw,
    )  # fmt: skip
    rates.create_rate_sheet(admin, ch, sheet("cost", *cost, countries=countries))
    rates.create_rate_sheet(admin, ch, sheet("sale", *sale, countries=countries))
    for level, prices in (levels or {}).items():
        rates.create_rate_sheet(admin, ch, sheet("sale", *prices, level=level,
                                                 countries=countries))  # fmt: skip
    return ch


def user(username: str, *role_names: str, **kw):
    sync_roles()
    from django.contrib.auth.models import Group

    u = get_user_model().objects.create_user(username=username, password="pw-Tradelane-1", **kw)
    u.groups.set(Group.objects.filter(name__in=role_names))
    return u


def provider() -> SimpleNamespace:
    admin = get_user_model().objects.create_superuser("padmin", password="pw-Tradelane-1")
    us = channel(admin, "USLINE", levels={"VIP": ("50", "9")}, s10_prefix="", s10_country="")
    eu = channel(admin, "EUPOST", cost=("30", "5"), sale=("45", "6"), countries=("GB", "DE"))
    battery = channel(admin, "BATT", accepts_battery=True)
    std = partners.create_level(admin, code="STD", name="Standard", channels=["USLINE", "EUPOST"])
    vip = partners.create_level(admin, code="VIP", name="VIP", channels=["USLINE", "EUPOST"])
    sales1 = user("sales1", roles.PROVIDER_SALES)
    sales2 = user("sales2", roles.PROVIDER_SALES)
    agent = partners.create_agent(admin, code="AG1", name="Agent One")
    acme = partners.create_customer(admin, code="ACME", company="Acme Trading", level=std,
                                    salesperson=sales1, agent=agent)  # fmt: skip
    bolt = partners.create_customer(admin, code="BOLT", company="Bolt Goods", level=vip,
                                    salesperson=sales2, extra_channels=["BATT"])  # fmt: skip
    # ACME's own price on USLINE comes before its level's and the standard sale sheet
    rates.create_rate_sheet(admin, us, sheet("sale", "55", "10",
                                             level=customer_sheet_level("ACME")))  # fmt: skip
    acme_user = partners.create_portal_user(admin, username="acme", password="pw-Tradelane-1",
                                            customer=acme)  # fmt: skip
    bolt_user = partners.create_portal_user(admin, username="bolt", password="pw-Tradelane-1",
                                            customer=bolt)  # fmt: skip
    agent_user = partners.create_portal_user(admin, username="agent1", password="pw-Tradelane-1",
                                             agent=agent)  # fmt: skip
    hub = user("hub1", roles.HUB_OPERATOR)
    service = user("cs1", roles.PROVIDER_SERVICE)
    return SimpleNamespace(**locals())


def payload(reference: str = "R1", **over) -> dict:
    """One waybill as every door sends it (grams, millimetres)."""
    data = {
        "reference": reference,
        "channel": "USLINE",
        "consignee": {
            "name": "Jane Doe", "phone": "+1 212 555 0100", "address1": "350 Fifth Avenue",
            "city": "New York", "state": "NY", "postcode": "10118", "country": "US",
        },
        "pieces": [{"weight_g": 1200, "length_mm": 300, "width_mm": 200, "height_mm": 100}],
        "items": [{
            "name_en": "Cotton T-shirt", "name_zh": "棉T恤", "quantity": 2, "unit_value": "12.50",
            "currency": "USD", "hs_code": "610910", "origin": "CN", "material": "cotton",
        }],
    }  # fmt: skip
    data.update(over)
    return data


TWO_PIECES = [
    {"weight_g": 1200, "length_mm": 300, "width_mm": 200, "height_mm": 100},
    {"weight_g": 800, "length_mm": 200, "width_mm": 200, "height_mm": 100},
]


def numbered(p, reference: str, tracking: str, *, customer=None, user=None, **over):
    """A waybill of ``customer`` (ACME by default) created by its portal user and numbered by
    the hub, so that its label prints."""
    from ..waybills import services

    w, _ = services.create_waybill(user or p.acme_user, customer or p.acme,
                                   payload(reference, **over))  # fmt: skip
    return services.assign_numbers(p.hub, w, tracking_number=tracking)


def signed_in(user, lang: str | None = "en") -> Client:
    """A test client signed in as ``user``, reading pages in ``lang`` (None: the default)."""
    c = Client()
    c.force_login(user)
    if lang:
        c.cookies[settings.LANGUAGE_COOKIE_NAME] = lang
    return c
