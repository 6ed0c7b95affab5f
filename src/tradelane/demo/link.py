"""The demo's link: the demo seller (Brightway) ships through the demo provider over HTTP.

One installation holds both sides, and the link between them is the real one, over HTTP, the
way two installations talk (``tests/test_provider_link_e2e.py`` runs it between two):

At load (``prepare``, inside the demo's transaction, through the services of both sides):
  - the provider's customer BRIGHTWAY (the seller itself) gets an open-API key for its portal
    user;
  - the seller adds the provider as a carrier account ``szfwd`` (carrier ``tradelane``, the
    installation's own address, that key) and a channel ``SZFWD-US`` onto the provider's US
    line, priced by its own cost sheet: what it expects to pay (the provider's Silver price);
  - and ships ``LINK_ORDERS`` of its US orders waiting for shipment on it: draft shipments,
    each with an outbox ``logistics.buy_label`` message. Nothing crosses HTTP yet.

When ``tradelane up`` runs, its worker delivers those messages: ``POST /api/v1/provider/
waybills`` to the same server, and the provider answers "number later". ``start`` (a thread of
``up``) points the account at the address ``up`` serves on, registers the seller's webhook
intake with the provider (``PUT /api/v1/provider/webhook``), then plays the hub once for the
pushed waybills: the first is weighed in heavier (the fee-change webhook re-rates the seller's
shipment), the second is weighed, given its last-mile number and sent on (the seller's
shipment gets its number and label, is handed over, and the store hears of the tracking).
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field
from decimal import Decimal

log = logging.getLogger(__name__)

CUSTOMER = "BRIGHTWAY"  # the seller, as the provider's customer
ACCOUNT = "szfwd"  # the provider, as the seller's carrier account
CHANNEL = "SZFWD-US"  # the seller's channel onto the provider's line
PROVIDER_CHANNEL = "SZ-USLINE"
LINK_ORDERS = 3
DEFAULT_URL = "http://127.0.0.1:8000"  # `tradelane up`'s default address
EXTRA_GRAMS = 250  # what the hub's scale finds beyond the forecast
LAST_MILE = ("USPS", "9400111899560000")  # a stem; the waybill's serial follows


def prepare(users: dict, *, base_url: str = "") -> dict:
    """Both ends of the link and the seller's first shipments on it; returns how many."""
    from django.conf import settings

    from tradelane.core.errors import DomainError
    from tradelane.forwarding.partners import services as partners
    from tradelane.forwarding.partners.models import CustomerAccount, PortalMembership
    from tradelane.logistics.rates import services as rates
    from tradelane.logistics.rates.descriptions import AreaRule, BracketData, SheetData, ZoneData
    from tradelane.logistics.shipping import services as ship
    from tradelane.orders.models import Order
    from tradelane.orders.states import OrderStatus

    from .provider import CHANNELS, SINCE

    admin, logistics = users["admin"], users["logistics"]
    customer = CustomerAccount.objects.get(code=CUSTOMER)
    member = PortalMembership.objects.select_related("user").get(customer=customer)
    _, key = partners.create_customer_api_key(admin, customer, user=member.user,
                                              name="Brightway ERP (Tradelane)")  # fmt: skip
    url = base_url or getattr(settings, "TRADELANE_PUBLIC_URL", "") or DEFAULT_URL
    rates.create_carrier_account(admin, ACCOUNT, "深圳货代 Shenzhen forwarder (Tradelane)",
                                 "tradelane", {"api_key": key}, base_url=url)  # fmt: skip
    _, _, countries, fields, _, sale = next(c for c in CHANNELS if c[0] == PROVIDER_CHANNEL)
    per_kg, registration = sale[customer.level.code]
    ch = rates.create_channel(
        admin, code=CHANNEL, name="货代美国专线 Forwarder US line (SZFWD)", currency="CNY",
        kind="tradelane", carrier="Shenzhen forwarder", carrier_account=ACCOUNT,
        service_code=PROVIDER_CHANNEL, destinations=list(countries),
        **{k: v for k, v in fields.items() if k != "carrier"},
    )  # fmt: skip
    zone = ZoneData("Z1", "Z1", tuple(AreaRule(country=c) for c in countries))
    rates.create_rate_sheet(admin, ch, SheetData(
        kind="cost", currency="CNY", effective_date=SINCE, zones=(zone,),
        brackets=(BracketData("Z1", 0, fields["max_weight_g"], per_kg=Decimal(per_kg),
                              registration=Decimal(registration)),),
    ))  # fmt: skip
    waiting = (
        Order.objects.filter(
            status=OrderStatus.PENDING_SHIPMENT, ship_country__in=countries, store__code="SHOP-US"
        )  # fmt: skip
        .order_by("placed_at", "id")
        .values_list("id", flat=True)
    )
    orders, shipments = 0, 0
    for pk in waiting:
        try:  # a split order is a shipment per parcel
            shipments += len(ship.create_shipments(logistics, order_ids=[pk], channel=ch))
        except DomainError:
            continue  # merged with another order, or too heavy for the line: not this one
        orders += 1
        if orders >= LINK_ORDERS:
            break
    return {"orders": orders, "shipments": shipments}


@dataclass
class LiveLink:
    web_url: str
    stop_event: threading.Event = field(default_factory=threading.Event)
    thread: threading.Thread | None = None
    played: list[str] = field(default_factory=list)  # waybill numbers the hub worked on
    error: str = ""

    def stop(self, timeout: float = 10.0) -> None:
        self.stop_event.set()
        if self.thread is not None:
            self.thread.join(timeout)


def start(web_url: str, *, wait_s: float = 300.0, every: float = 2.0) -> LiveLink | None:
    """Run the link's live part in a thread of ``up``; None without the demo's link."""
    from tradelane.logistics.models import CarrierAccount

    if not CarrierAccount.objects.filter(code=ACCOUNT, carrier="tradelane").exists():
        return None
    link = LiveLink(web_url=web_url.rstrip("/"))
    link.thread = threading.Thread(target=_run, args=(link, wait_s, every), name="demo-link",
                                   daemon=True)  # fmt: skip
    link.thread.start()
    return link


def _run(link: LiveLink, wait_s: float, every: float) -> None:
    from django.db import connection

    try:
        connect(link.web_url, stop=link.stop_event)
        deadline = time.monotonic() + wait_s
        while not link.stop_event.is_set() and time.monotonic() < deadline:
            link.played = play_hub()
            if len(link.played) >= 2:
                break
            link.stop_event.wait(every)
    except Exception as exc:  # noqa: BLE001 - the demo's app runs on without its link
        link.error = str(exc)
        log.warning("the demo link stopped: %s", exc)
    finally:
        connection.close()


def connect(web_url: str, *, stop: threading.Event | None = None, tries: int = 30) -> str:
    """Point the seller's account at ``web_url`` and register its webhook intake there with the
    provider, over HTTP (again only when the address changed); returns the intake URL."""
    from tradelane.accounts.models import User
    from tradelane.forwarding.partners.models import CustomerAccount
    from tradelane.integrations.carriers.tradelane_provider import connection as link
    from tradelane.logistics.carriers.contract import CarrierError
    from tradelane.logistics.models import CarrierAccount
    from tradelane.logistics.rates import services as rates

    admin = User.objects.get(username="admin")
    account = CarrierAccount.objects.get(code=ACCOUNT)
    if account.base_url != web_url:
        account = rates.update_carrier_account(admin, account, base_url=web_url)
    intake = link.intake_url(account, web_url)
    if CustomerAccount.objects.filter(code=CUSTOMER, webhook_url=intake).exists():
        return intake
    for attempt in range(tries):  # the server may still be starting
        try:
            return link.register_webhook(admin, account, web_url)
        except CarrierError:
            if attempt == tries - 1 or (stop.wait(1.0) if stop else time.sleep(1.0)):
                raise
    return intake


def play_hub() -> list[str]:
    """The hub's part for the waybills the seller pushed: the first weighed in heavier, the
    second weighed, numbered with its last mile and sent on. Returns the numbers worked on
    (those already past the step are counted, so a restart does not do it twice)."""
    from tradelane.accounts.models import User
    from tradelane.forwarding.waybills import services as waybills
    from tradelane.forwarding.waybills.models import Waybill, WaybillSource
    from tradelane.forwarding.waybills.models import WaybillStatus as S

    pushed = list(
        Waybill.objects.filter(customer__code=CUSTOMER, source=WaybillSource.API)
        .prefetch_related("piece_rows")
        .order_by("id")[:2]
    )
    hub = User.objects.get(username="fwd.hub")
    for i, w in enumerate(pushed):
        w.refresh_from_db()
        if w.status == S.CREATED:
            forecast = sum(p.weight_g for p in w.piece_rows.all())
            waybills.receive(hub, w, weight_g=forecast + EXTRA_GRAMS, location="Shenzhen hub")
            w.refresh_from_db()
        if i == 1 and w.status == S.RECEIVED:
            carrier, stem = LAST_MILE
            waybills.assign_numbers(hub, w, last_mile_carrier=carrier,
                                    last_mile_number=f"{stem}{w.pk:06d}")  # fmt: skip
            waybills.move(hub, w, S.IN_TRANSIT, location="Shenzhen hub")
    return [w.number for w in pushed]
