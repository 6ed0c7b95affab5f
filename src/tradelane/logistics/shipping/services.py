"""Shipments: create from allocated orders, number or buy a label, cancel, hand over.

Every write takes the acting user, needs ``P.SHIP`` (cancelling ``P.SHIPMENT_CANCEL``), runs
in one transaction and is audited;
status changes go through ``core.states.transition`` with ``states.SHIPMENT_TRANSITIONS``.

Grouping: an order alone is one shipment; an open merged package is one shipment carrying its
orders; each open package of a split order is its own shipment.

Numbers: our own rate-sheet channels with an S10 prefix take the next serial of their
``S10Series`` with a conditional UPDATE (never the same number twice, refused when the range
is used up) and get a UPU S10 number; our own channels without a prefix get a random number
(``numbers.random_tracking_number``: the channel code, 15 random digits and a check digit),
which alone opens the public tracking page; an S10 serial is sequential, so its page needs
the shipment's public key (``tracking.selectors.public_url``). Both are labelled at once. Carrier
channels (karrio, tradelane) stay draft and an outbox ``logistics.buy_label`` message, keyed
by the shipment's ``label_request_key``, buys the label (``carrier_calls``).
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Sequence

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from tradelane.accounts.permissions import require
from tradelane.accounts.roles import P
from tradelane.core import audit, outbox
from tradelane.core.errors import Conflict, NotFound, ValidationFailed
from tradelane.core.fx import Rates, total_in
from tradelane.core.money import Money
from tradelane.core.states import transition
from tradelane.orders import automation as order_automation
from tradelane.orders import services as order_services
from tradelane.orders.models import Order, OrderLine, Package, PackageLine
from tradelane.orders.states import OrderStatus

from ..customs import decisions as customs
from ..rates import selectors
from ..rates.descriptions import KIND_RATE_SHEET, SHEET_COST, fill_tracking_url
from ..rates.engine import quote
from ..rates.models import Channel
from ..rates.parcels import Item, Measured, build_parcel
from ..shopping.models import RateChoice
from ..shopping.services import Subject, load_rules, rule_matches
from ..tracking import selectors as tracking_selectors
from .models import S10Series, Shipment, ShipmentItem, ShipmentOrder, ShipmentParcel, ShipmentStatus
from .numbers import make_s10, random_tracking_number
from .states import ACTIVE_STATES, SHIPMENT_TRANSITIONS

S = ShipmentStatus
TOPIC_BUY_LABEL = "logistics.buy_label"
TOPIC_VOID_LABEL = "logistics.void_label"
TOPIC_FULFILLMENT = "store.fulfillment"


def take_s10_serial(prefix: str, country: str) -> int:
    """The next serial of the series, taken with a conditional UPDATE (inside the caller's
    transaction: the row stays locked until commit, so no two callers get one serial)."""
    return take_s10_serials(prefix, country, 1)[0]


def take_s10_serials(prefix: str, country: str, n: int) -> range:
    """The next ``n`` consecutive serials of the series, taken as ``take_s10_serial`` takes one
    (one conditional UPDATE for all of them; refused whole if fewer than ``n`` are left)."""
    if n <= 0:
        return range(0)
    with transaction.atomic():
        qs = S10Series.objects.filter(prefix=prefix, country=country)
        taken = qs.filter(next_serial__lte=F("last_serial") - (n - 1)).update(
            next_serial=F("next_serial") + n
        )
        if not taken:
            if not qs.exists():
                raise Conflict(
                    f"No S10 number series {prefix}…{country} is configured",
                    code="s10_series_missing",
                    details={"prefix": prefix, "country": country},
                )
            raise Conflict(
                f"The S10 number series {prefix}…{country} is used up",
                code="s10_series_exhausted",
                details={"prefix": prefix, "country": country},
            )
        end = qs.values_list("next_serial", flat=True).get()
        return range(end - n, end)


def _random_number(channel_code: str) -> str:
    """A random tracking number no shipment has (a clash among 10**15 is rare; drawn again)."""
    for _ in range(5):
        number = random_tracking_number(channel_code)
        if not Shipment.objects.filter(tracking_number=number).exists():
            return number
    raise Conflict("Could not draw a free tracking number", code="tracking_number_clash")


# --- grouping -----------------------------------------------------------------------------


class _Group:
    """One future shipment: orders, the package if any, and its lines (line, quantity)."""

    def __init__(self, orders: list[Order], package: Package | None, lines: list) -> None:
        self.orders = orders
        self.package = package
        self.lines = lines  # [(OrderLine, quantity)]


def _groups(order_ids: Sequence[int], package_ids: Sequence[int]) -> list[_Group]:
    order_ids = list(dict.fromkeys(int(i) for i in order_ids))
    package_ids = list(dict.fromkeys(int(i) for i in package_ids))
    if not order_ids and not package_ids:
        raise ValidationFailed("Give order ids or package ids", code="nothing_to_ship")
    orders = {o.pk: o for o in Order.objects.select_for_update().filter(pk__in=order_ids)}
    missing = [i for i in order_ids if i not in orders]
    if missing:
        raise NotFound("Some orders do not exist", code="order_not_found", details=missing)
    # the open packages of these orders, and the packages asked for
    open_pkg_ids = list(
        PackageLine.objects.filter(
            package__status=Package.Status.OPEN, order_line__order_id__in=order_ids
        ).values_list("package_id", flat=True)
    )
    packages = {p.pk: p for p in Package.objects.filter(pk__in=package_ids + open_pkg_ids)}
    missing_p = [i for i in package_ids if i not in packages]
    if missing_p:
        raise NotFound("Some packages do not exist", code="package_not_found", details=missing_p)
    closed = [i for i in package_ids if packages[i].status != Package.Status.OPEN]
    if closed:
        raise Conflict("Some packages are not open", code="package_not_open", details=closed)
    all_pkg_lines = list(
        PackageLine.objects.filter(package_id__in=list(packages)).select_related("order_line")
    )
    by_pkg: dict[int, list] = defaultdict(list)
    for pl in all_pkg_lines:
        by_pkg[pl.package_id].append((pl.order_line, pl.quantity))
    more = {ln.order_id for lines in by_pkg.values() for ln, _ in lines} - set(orders)
    if more:
        orders.update({o.pk: o for o in Order.objects.select_for_update().filter(pk__in=more)})
    packaged_orders = {ln.order_id for lines in by_pkg.values() for ln, _ in lines}
    groups: list[_Group] = []
    for pid in sorted(packages):
        lines = by_pkg[pid]
        gorders = sorted({ln.order_id for ln, _ in lines})
        groups.append(_Group([orders[i] for i in gorders], packages[pid], lines))
    plain = [i for i in order_ids if i not in packaged_orders]
    if plain:
        lines_by_order: dict[int, list] = defaultdict(list)
        for ln in OrderLine.objects.filter(order_id__in=plain).order_by("order_id", "line_no"):
            lines_by_order[ln.order_id].append((ln, ln.quantity))
        for i in plain:
            groups.append(_Group([orders[i]], None, lines_by_order[i]))
    return groups


def _check_groups(groups: list[_Group]) -> None:
    not_ready = sorted(
        {o.pk for g in groups for o in g.orders if o.status != OrderStatus.PENDING_SHIPMENT}
    )
    if not_ready:
        raise Conflict(
            "Only allocated orders (pending shipment) can be shipped",
            code="order_not_allocated",
            details={"order_ids": not_ready},
        )
    active = ShipmentOrder.objects.filter(shipment__status__in=ACTIVE_STATES)
    busy = set()
    for g in groups:
        if g.package is not None:
            if active.filter(package=g.package).exists():
                busy.update(o.pk for o in g.orders)
        elif active.filter(order_id=g.orders[0].pk).exists():
            busy.add(g.orders[0].pk)
    if busy:
        raise Conflict(
            "Some orders are already in an active shipment",
            code="already_in_shipment",
            details={"order_ids": sorted(busy)},
        )
    for g in groups:
        if any(ln.sku_id is None for ln, _ in g.lines):
            raise Conflict(
                "Map every line to a SKU before shipping",
                code="unmapped_sku",
                details={"order_ids": [o.pk for o in g.orders]},
            )
        if not g.lines:
            raise ValidationFailed(
                "Nothing to ship", code="nothing_to_ship", details=[o.pk for o in g.orders]
            )


def _item(line: OrderLine, qty: int) -> Item:
    sku = line.sku
    return Item(
        qty, sku.weight_g, sku.length_mm, sku.width_mm, sku.height_mm,
        sku.has_battery, sku.has_liquid, sku.has_magnet,
    )  # fmt: skip


def _value(group: _Group, rates: Rates) -> Money:
    currency_of = {o.pk: o.currency for o in group.orders}
    parts = (Money(ln.unit_price * qty, currency_of[ln.order_id]) for ln, qty in group.lines)
    return total_in(rates, parts, group.orders[0].currency)


# --- create ---------------------------------------------------------------------------------


def _clean_parcels(parcels: Sequence[Measured | dict] | None) -> list[Measured]:
    out = []
    for i, p in enumerate(parcels or ()):
        m = p if isinstance(p, Measured) else Measured(**p)
        if m.weight_g <= 0:
            raise ValidationFailed(
                "A parcel must weigh more than 0 g",
                code="parcel_weight_zero",
                details={"parcel": i},
            )
        out.append(m)
    return out


def _channel_for(group: _Group, channel: Channel | None) -> Channel:
    """The channel given, else the rate shop's choice for this very parcel: for an order
    alone its own choice; for a package the choice made for the package (all its orders'
    lines), kept alike for each of its orders. A choice made for the order alone before it
    was merged or split priced another parcel and does not count."""
    if channel is not None:
        return channel
    order_ids = [o.pk for o in group.orders]
    if group.package is None:
        found = RateChoice.objects.filter(order_id=order_ids[0], package__isnull=True)
    else:
        found = RateChoice.objects.filter(order_id__in=order_ids, package=group.package)
    chosen = {order_id: ch for order_id, ch in found.values_list("order_id", "channel_id")}
    picked = set(chosen.values())
    if set(chosen) == set(order_ids) and len(picked) == 1 and None not in picked:
        return Channel.objects.get(pk=picked.pop())
    raise ValidationFailed(
        "No channel given and no rate-shop choice for these orders: rate-shop them first",
        code="no_channel",
        details={"order_ids": [o.pk for o in group.orders]},
    )


def create_shipments(
    actor,
    *,
    order_ids: Sequence[int] = (),
    package_ids: Sequence[int] = (),
    channel: Channel | str | None = None,
    parcels: Sequence[Measured | dict] | None = None,
) -> list[Shipment]:
    """Create the shipments for these orders/packages (all or nothing)."""
    require(actor, P.SHIP)
    measured = _clean_parcels(parcels)
    if isinstance(channel, str):
        channel = selectors.channel(channel)
    if channel is not None and not channel.is_active:
        raise Conflict(f"Channel {channel.code} is not active", code="channel_inactive")
    with transaction.atomic():
        groups = _groups(order_ids, package_ids)
        _check_groups(groups)
        if measured and len(groups) > 1:
            raise ValidationFailed(
                "Measured parcels apply to one shipment at a time", code="parcels_for_one"
            )
        rates = Rates()
        rules = load_rules()
        made = [
            _create_one(actor, g, _channel_for(g, channel), measured, rates, rules) for g in groups
        ]
        # shipped on: a stop of the automation on these orders is over
        order_automation.clear_stops([o.pk for g in groups for o in g.orders])
    return made


def _create_one(actor, g: _Group, channel: Channel, measured: list[Measured], rates, rules):
    first = g.orders[0]
    items = [_item(ln, qty) for ln, qty in g.lines]
    value = _value(g, rates)
    now = timezone.now()
    # parcels: measured pieces, or one parcel from the SKUs (box estimate)
    sku_parcel = build_parcel(
        items,
        country=first.ship_country,
        postcode=first.ship_postcode,
        city=first.ship_city,
        declared_value=value,
    )
    pieces = measured or [
        Measured(
            sku_parcel.weight_g, sku_parcel.length_mm, sku_parcel.width_mm, sku_parcel.height_mm
        )
    ]
    weight = sum(p.weight_g * (p.pieces or 1) for p in pieces)
    # the quote (our own channels): the cost sheet, as the rate shop prices it
    compiled = selectors.compiled_channel(channel)
    q = None
    subject = Subject(sku_parcel, first.store_id, value, None)
    if channel.kind == KIND_RATE_SHEET:
        shop_parcel = sku_parcel
        if len(pieces) == 1 and measured:
            m = pieces[0]
            shop_parcel = build_parcel(
                items, country=first.ship_country, postcode=first.ship_postcode,
                city=first.ship_city, declared_value=value, measured=m,
            )  # fmt: skip
        q = quote(compiled, shop_parcel, sheet=SHEET_COST)
        if not q.ok:
            raise Conflict(
                f"Channel {channel.code} cannot carry this parcel",
                code="channel_refused",
                details={"reasons": [{"code": r.code, "message": r.message} for r in q.reasons]},
            )
    rule = next((r for r in rules if rule_matches(r, subject, rates)), None)
    decision = customs.decide(
        country=first.ship_country,
        store_id=first.store_id,
        value=value,
        force_ddp=bool(rule and rule.incoterm == "DDP"),
        rates=rates,
    )
    doc = customs.document_kind(channel.service_type, value, weight, rates=rates)
    shipment = Shipment.objects.create(
        number=f"TMP{uuid.uuid4().hex[:20]}",
        channel=channel,
        warehouse_id=(g.package.warehouse_id if g.package else first.warehouse_id),
        store_id=first.store_id,
        reference=",".join(o.number or o.external_id for o in g.orders)[:128],
        ship_name=first.ship_name,
        ship_company=first.ship_company,
        ship_address1=first.ship_address1,
        ship_address2=first.ship_address2,
        ship_city=first.ship_city,
        ship_state=first.ship_state,
        ship_postcode=first.ship_postcode,
        ship_country=first.ship_country,
        ship_phone=first.ship_phone or first.buyer_phone,
        ship_email=first.buyer_email,
        pieces=sum(p.pieces or 1 for p in pieces),
        weight_g=weight,
        declared_value=value.amount,
        declared_currency=value.currency,
        customs_document=doc,
        incoterm=decision.incoterm,
        ioss_number=decision.ioss_number,
        vat_number=decision.vat_number,
        eori_number=decision.eori_number,
        charge_currency=q.currency if q else "",
        quoted_amount=q.total.amount if q else None,
        cost_amount=q.total.amount if q else None,
        chargeable_weight_g=q.chargeable_g if q else None,
        zone_code=q.zone if q else "",
        quote_detail={
            "explanation": q.explain() if q else [],
            "rule": rule.name if rule else "",
            "customs": decision.reason,
        },
        created_by=actor,
        created_at=now,
        updated_at=now,
    )
    if shipment.warehouse_id is None:  # pragma: no cover - allocated orders have one
        raise Conflict("The order has no warehouse", code="order_not_allocated")
    shipment.number = f"SH{now:%y%m%d}{shipment.pk:06d}"
    Shipment.objects.filter(pk=shipment.pk).update(number=shipment.number)
    ShipmentOrder.objects.bulk_create(
        [ShipmentOrder(shipment=shipment, order=o, package=g.package) for o in g.orders]
    )
    seq = 0
    parcel_rows = []
    for m in pieces:
        for _ in range(m.pieces or 1):
            seq += 1
            parcel_rows.append(
                ShipmentParcel(
                    shipment=shipment,
                    seq=seq,
                    weight_g=m.weight_g,
                    length_mm=m.length_mm,
                    width_mm=m.width_mm,
                    height_mm=m.height_mm,
                    measured=bool(measured),
                )
            )
    ShipmentParcel.objects.bulk_create(parcel_rows)
    ShipmentItem.objects.bulk_create(
        [
            ShipmentItem(
                shipment=shipment,
                order_line=ln,
                sku=ln.sku,
                quantity=qty,
                name_zh=ln.sku.declared_name_zh or ln.sku.name,
                name_en=ln.sku.declared_name_en or ln.title or ln.sku.name,
                hs_code=ln.sku.hs_code,
                unit_value=ln.unit_price if ln.unit_price else ln.sku.declared_value,
                currency=value.currency if ln.unit_price else ln.sku.declared_currency,
                origin_country=ln.sku.origin_country or "CN",
                weight_g=ln.sku.weight_g,
                battery=ln.sku.has_battery,
            )
            for ln, qty in g.lines
        ]
    )
    if channel.kind == KIND_RATE_SHEET:
        if channel.s10_prefix:
            country = channel.s10_country or "CN"
            number = make_s10(
                channel.s10_prefix, take_s10_serial(channel.s10_prefix, country), country
            )
            public_by_number = False  # a sequential serial: guessable from its neighbours
        else:
            number, public_by_number = _random_number(channel.code), True
        transition(
            shipment, S.LABELLED, table=SHIPMENT_TRANSITIONS, actor=actor,
            reason="numbered by our channel",
            extra={"tracking_number": number, "labelled_at": timezone.now(),
                   "public_by_number": public_by_number},
        )  # fmt: skip
    else:
        key = f"label-{shipment.pk}-{uuid.uuid4().hex[:16]}"
        Shipment.objects.filter(pk=shipment.pk).update(label_request_key=key)
        shipment.label_request_key = key
        outbox.enqueue(TOPIC_BUY_LABEL, {"shipment_id": shipment.pk}, dedupe_key=key)
    audit.record(
        actor,
        "logistics.shipment.create",
        shipment,
        {
            "orders": [o.pk for o in g.orders],
            "package": g.package.pk if g.package else None,
            "channel": channel.code,
            "tracking_number": shipment.tracking_number,
        },
    )
    return shipment


# --- cancel and hand over -------------------------------------------------------------------


def _locked(shipment: Shipment | int) -> Shipment:
    pk = shipment if isinstance(shipment, int) else shipment.pk
    found = Shipment.objects.select_for_update().select_related("channel").filter(pk=pk).first()
    if found is None:
        raise NotFound(f"Shipment {pk} does not exist", code="shipment_not_found")
    return found


def cancel_shipment(actor, shipment: Shipment | int, reason: str = "") -> Shipment:
    """draft or labelled -> cancelled; a carrier's label is voided through the outbox. The
    orders stay pending shipment and can be shipped again."""
    require(actor, P.SHIPMENT_CANCEL)
    with transaction.atomic():
        s = _locked(shipment)
        transition(
            s, S.CANCELLED, table=SHIPMENT_TRANSITIONS, actor=actor,
            reason=reason or "cancelled", extra={"cancelled_at": timezone.now()},
        )  # fmt: skip
        if s.channel.kind != KIND_RATE_SHEET and (s.carrier_shipment_id or s.tracking_number):
            outbox.enqueue(TOPIC_VOID_LABEL, {"shipment_id": s.pk}, dedupe_key=f"void-{s.pk}")
        audit.record(actor, "logistics.shipment.cancel", s, {"reason": reason})
    return s


def tracking_url(channel: Channel, number: str, shipment: Shipment | None = None) -> str:
    """The channel's tracking link for ``number``; without a template, our public page (with
    the shipment's public key) when the installation's public address is known."""
    url = fill_tracking_url(channel.tracking_url_template, number)
    if not url and shipment is not None:
        url = tracking_selectors.public_url(shipment, number)
    return url


def ship_shipment(
    actor, shipment: Shipment | int, *, carrier_report: bool = False, at=None
) -> Shipment:
    """labelled -> shipped: the orders whose every open package is now shipped are marked
    shipped (stock leaves through the ledger) and the store is told (outbox).

    ``carrier_report``: the carrier's tracking shows the parcel moving (``logistics.tracking``
    calls this, at the event's time ``at``); no user permission applies, ``actor`` may be None.
    """
    if not carrier_report:
        require(actor, P.SHIP)
    with transaction.atomic():
        s = _locked(shipment)
        transition(
            s, S.SHIPPED, table=SHIPMENT_TRANSITIONS, actor=actor,
            reason="carrier: parcel moving" if carrier_report else "handed over",
            extra={"shipped_at": at or timezone.now()},
        )  # fmt: skip
        links = list(ShipmentOrder.objects.filter(shipment=s).select_related("order"))
        carrier = s.channel.carrier or s.channel.name
        shipped = []
        for link in links:
            order = link.order
            if order.status != OrderStatus.PENDING_SHIPMENT:
                raise Conflict(
                    f"Order {order.pk} is no longer pending shipment",
                    code="order_not_allocated",
                    details={"order_id": order.pk, "status": order.status},
                )
            done = order_services.ship_packages(
                actor, order, [link.package_id] if link.package_id else [],
                reason=f"shipment {s.number}", carrier_report=carrier_report,
            )  # fmt: skip
            if done:
                shipped.append(order.pk)
            outbox.enqueue(
                TOPIC_FULFILLMENT,
                {
                    "order_id": order.pk,
                    "store_id": order.store_id,
                    "tracking_company": carrier,
                    "tracking_number": s.tracking_number,
                    "tracking_url": tracking_url(s.channel, s.tracking_number, s),
                    "update": False,
                    "package_id": link.package_id,
                },
                dedupe_key=f"fulfillment-{order.pk}-{s.pk}",
            )
        audit.record(actor, "logistics.shipment.ship", s, {"orders_shipped": shipped})
    return s


def record_carrier_charge(
    actor,
    shipment: Shipment | int,
    charge: Money,
    *,
    chargeable_weight_g: int | None = None,
    reason: str = "",
    carrier_report: bool = False,
) -> bool:
    """What the carrier now charges for the shipment (a provider re-rated it at inbound on the
    weight it measured) becomes its cost; each change is kept in ``quote_detail`` and audited
    with the amount before. ``carrier_report``: the carrier says so (a webhook or a poll), no
    user permission applies. False when nothing changed."""
    if not carrier_report:
        require(actor, P.SHIP)
    if not isinstance(charge, Money) or charge.amount < 0:
        raise ValidationFailed("A carrier charge is a money amount of 0 or more",
                               code="invalid_charge")  # fmt: skip
    with transaction.atomic():
        s = _locked(shipment)
        same_weight = chargeable_weight_g is None or chargeable_weight_g == s.chargeable_weight_g
        if (s.cost_amount == charge.amount and s.charge_currency == charge.currency
                and same_weight):  # fmt: skip
            return False
        before = {"amount": s.cost_amount, "currency": s.charge_currency,
                  "chargeable_weight_g": s.chargeable_weight_g}  # fmt: skip
        detail = dict(s.quote_detail or {})
        detail["carrier_charges"] = [*detail.get("carrier_charges", []), {
            "at": timezone.now().isoformat(), "amount": str(charge.amount),
            "currency": charge.currency, "chargeable_weight_g": chargeable_weight_g,
            "reason": reason[:200],
        }][-20:]  # fmt: skip
        values = {"cost_amount": charge.amount, "charge_currency": charge.currency,
                  "quote_detail": detail, "updated_at": timezone.now()}  # fmt: skip
        if chargeable_weight_g is not None:
            values["chargeable_weight_g"] = chargeable_weight_g
        Shipment.objects.filter(pk=s.pk).update(**values)
        audit.record(actor, "logistics.shipment.carrier_charge", s, {
            "before": before, "amount": charge.amount, "currency": charge.currency,
            "chargeable_weight_g": chargeable_weight_g, "reason": reason,
        })  # fmt: skip
    return True


def add_s10_series(actor, prefix: str, country: str, first: int, last: int) -> S10Series:
    """Configure a range of S10 serials for a prefix and country (e.g. from the post office)."""
    require(actor, P.CHANNEL_CHANGE)
    prefix, country = (prefix or "").strip().upper(), (country or "").strip().upper()
    if len(prefix) != 2 or not prefix.isalpha() or len(country) != 2 or not country.isalpha():
        raise ValidationFailed("An S10 prefix and country are two letters each", code="invalid_s10")
    if not 0 < first <= last <= 99999999:
        raise ValidationFailed("Serials run from 1 to 99999999", code="invalid_s10_range")
    with transaction.atomic():
        if S10Series.objects.filter(prefix=prefix, country=country).exists():
            raise Conflict(f"The S10 series {prefix}…{country} exists", code="duplicate")
        series = S10Series.objects.create(
            prefix=prefix, country=country, next_serial=first, last_serial=last
        )
        audit.record(actor, "logistics.s10_series.create", series, {"first": first, "last": last})
    return series
