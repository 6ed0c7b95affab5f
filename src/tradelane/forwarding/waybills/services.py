"""Every write to waybills: create (one or a batch of up to 500, a result per item), edit and
cancel before inbound, intercept requests after it, and the numbers and weights that arrive
later. Each call checks the actor's permission and that the customer is in its scope
(``partners.scoping``), runs in one transaction, writes its audit rows and queues the
customer's webhooks through the outbox.

Idempotent by the customer's reference: the same reference with the same body is the existing
waybill (``existing``), with another body a ``reference_conflict`` (409); nothing is written
for a refused item, and with ``all_or_nothing`` nothing at all when one item is refused.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import F
from django.dispatch import Signal
from django.utils import timezone

from tradelane.accounts.permissions import require
from tradelane.accounts.roles import P
from tradelane.core import audit
from tradelane.core.bulk import collector_paused, insert_rows
from tradelane.core.errors import (
    Conflict,
    DomainError,
    InvalidTransition,
    NotFound,
    PermissionDenied,
    ValidationFailed,
)
from tradelane.core.money import Money
from tradelane.core.statements import insert
from tradelane.core.states import transition
from tradelane.logistics.shipping.numbers import make_s10
from tradelane.logistics.shipping.services import take_s10_serials
from tradelane.logistics.tracking import codes

from ..partners import scoping
from ..partners.models import CustomerAccount, PartnerStatus
from . import notifications, price_listeners
from .models import (
    TrackingStatus,
    Waybill,
    WaybillEvent,
    WaybillItem,
    WaybillPiece,
    WaybillSeries,
    WaybillSource,
    WaybillStatus,
)
from .pricing import Offer, Pricer, parcel_for, parcel_of
from .selectors import money_text
from .states import EDITABLE, INTERCEPTABLE, TRANSITIONS
from .validation import PieceInput, WaybillInput, parse

# sent inside request_intercept's transaction (waybill=, reason=, actor=): the hub turns the
# request into a hold at once (``hub.holds``)
intercept_requested = Signal()

MAX_BATCH = 500
NUMBER_PREFIX = "TL"
CREATED, EXISTING, REJECTED = "created", "existing", "rejected"


@dataclass
class CreateResult:
    index: int
    reference: str
    result: str  # created | existing | rejected
    waybill: Waybill | None = None
    errors: list[dict] = field(default_factory=list)

    @property
    def code(self) -> str:
        return self.errors[0]["code"] if self.errors else ""


def _error(code: str, message: str, where: str = "", **extra) -> dict:
    return {"field": where, "code": code, "message": message, **extra}


def _check_customer(actor, customer: CustomerAccount) -> None:
    if not scoping.customers(actor).filter(pk=customer.pk).exists():
        raise NotFound(f"No customer {customer.code}", code="customer_not_found")
    if customer.status != PartnerStatus.ACTIVE:
        raise PermissionDenied(
            f"Customer {customer.code} is suspended: no new waybills", code="customer_suspended"
        )


def _in_scope(actor, w: Waybill, perm: str) -> None:
    require(actor, perm)
    if not scoping.sees_customer(actor, w.customer):
        raise NotFound(f"No waybill {w.number}", code="waybill_not_found")


def take_numbers(n: int, on: dt.date | None = None) -> list[str]:
    """``n`` consecutive waybill numbers ``TL<yymmdd><7 digits>`` of the day, taken with one
    conditional update of the day's series inside the caller's transaction."""
    if n <= 0:
        return []
    day = on or timezone.localdate()
    with transaction.atomic():
        series, _ = WaybillSeries.objects.get_or_create(prefix=NUMBER_PREFIX, day=day)
        WaybillSeries.objects.filter(pk=series.pk).update(next_serial=F("next_serial") + n)
        end = WaybillSeries.objects.values_list("next_serial", flat=True).get(pk=series.pk)
    stamp = day.strftime("%y%m%d")
    return [f"{NUMBER_PREFIX}{stamp}{serial:07d}" for serial in range(end - n, end)]


def _choose(
    pricer: Pricer, data: WaybillInput, parcel, on: dt.date | None = None
) -> tuple[Offer | None, list[dict]]:
    if data.channel:
        ch = pricer.compiled.get(data.channel)
        if ch is None:
            return None, [
                _error(
                    "channel_not_open",
                    f"Channel {data.channel} is not open to this customer",
                    "channel",
                    open=sorted(pricer.compiled),
                )
            ]
        offer = pricer.offer(ch, parcel, on)
        if not offer.ok:
            return None, [
                _error(r["code"], f"{data.channel}: {r['message']}", "channel",
                       channel=data.channel)
                for r in offer.reasons
            ]  # fmt: skip
        return offer, []
    offers = pricer.offers(parcel, on)
    if offers and offers[0].ok:
        return offers[0], []
    if not offers:
        return None, [_error("no_open_channel", "No channel is open to this customer", "channel")]
    errors = [_error("no_channel_accepts", "No open channel accepts this waybill", "channel")]
    for o in offers:
        errors.extend(
            _error(r["code"], f"{o.channel_code}: {r['message']}", "channel",
                   channel=o.channel_code)
            for r in o.reasons
        )  # fmt: skip
    return None, errors


def _price_fields(offer: Offer) -> dict:
    sale, cost = offer.priced.sale, offer.priced.cost
    return {
        "chargeable_weight_g": sale.chargeable_g,
        "sale_amount": sale.total.amount if sale.total else None,
        "sale_currency": sale.currency,
        "sale_level": offer.sale_level,
        "cost_amount": cost.total.amount if cost.ok and cost.total else None,
        "cost_currency": cost.currency if cost.ok else "",
        "charges": [
            {"code": line.code, "amount": str(line.amount.amount),
             "currency": line.amount.currency, "text": line.description}
            for line in sale.lines
        ],
    }  # fmt: skip


def _fields(data: WaybillInput, customer: CustomerAccount) -> dict:
    c = data.consignee
    return {
        "reference": data.reference,
        "consignee_name": c["name"],
        "consignee_company": c.get("company", ""),
        "consignee_phone": c.get("phone", ""),
        "consignee_email": c.get("email", ""),
        "consignee_address1": c["address1"],
        "consignee_address2": c.get("address2", ""),
        "consignee_city": c["city"],
        "consignee_state": c.get("state", ""),
        "consignee_postcode": c.get("postcode", ""),
        "consignee_country": c["country"],
        "shipper": data.shipper or dict(customer.shipper),
        "incoterm": data.incoterm,
        "ioss": data.ioss,
        "vat_number": data.vat_number,
        "eori": data.eori,
        "declared_value": data.declared_value,
        "declared_currency": data.declared_currency,
        "insurance_value": data.insurance_value,
        "insurance_currency": data.insurance_currency,
        "battery": data.flag("battery"),
        "liquid": data.flag("liquid"),
        "magnet": data.flag("magnet"),
        "note": data.note,
        "pieces": len(data.pieces),
        "forecast_weight_g": data.weight_g,
        "body_hash": data.body_hash(),
    }


def _children(w: Waybill, data: WaybillInput) -> tuple[list[WaybillPiece], list[WaybillItem]]:
    pieces = [
        WaybillPiece(waybill=w, seq=i + 1, weight_g=p.weight_g, length_mm=p.length_mm,
                     width_mm=p.width_mm, height_mm=p.height_mm)
        for i, p in enumerate(data.pieces)
    ]  # fmt: skip
    items = [
        WaybillItem(
            waybill=w, seq=i + 1, name_zh=it.name_zh, name_en=it.name_en, quantity=it.quantity,
            unit_value=it.unit_value, currency=it.currency, unit_weight_g=it.unit_weight_g,
            hs_code=it.hs_code, origin=it.origin, material=it.material, sku=it.sku,
            sales_url=it.sales_url, battery=it.battery, liquid=it.liquid, magnet=it.magnet,
        )
        for i, it in enumerate(data.items)
    ]  # fmt: skip
    return pieces, items


def _s10_numbers(channels: Sequence) -> dict:
    """Our own S10 numbers where the channel has a series (otherwise the number comes later):
    {channel code: iterator of its numbers}, one block
    of serials per channel for the whole batch (in the batch's order, as one at a time)."""
    wanted: dict[str, tuple] = {}
    for ch in channels:
        if ch.s10_prefix and ch.s10_country:
            code, prefix, country = ch.code, ch.s10_prefix, ch.s10_country
            count = wanted.get(code, (prefix, country, 0))[2]
            wanted[code] = (prefix, country, count + 1)
    return {
        code: iter([make_s10(prefix, serial, country)
                    for serial in take_s10_serials(prefix, country, count)])
        for code, (prefix, country, count) in wanted.items()
    }  # fmt: skip


def create_waybills(
    actor,
    customer: CustomerAccount,
    payloads: Sequence[dict],
    *,
    source: str = WaybillSource.API,
    all_or_nothing: bool = False,
    check_only: bool = False,
) -> list[CreateResult]:
    """Create up to ``MAX_BATCH`` waybills for ``customer``; one result per payload, in order
    (see ``validation.parse`` for a payload's shape). ``check_only``: every check, no write
    (a "created" result then has no waybill): an upload's first pass."""
    require(actor, P.WAYBILL_ADD)
    if len(payloads) > MAX_BATCH:
        raise ValidationFailed(
            f"At most {MAX_BATCH} waybills per request", code="batch_too_large",
            details={"max": MAX_BATCH, "sent": len(payloads)},
        )  # fmt: skip
    _check_customer(actor, customer)
    with collector_paused():  # a bounded batch: see ``core.bulk.collector_paused``
        try:
            return _create(actor, customer, payloads, source, all_or_nothing, check_only)
        except IntegrityError:
            # another request took one of these references meanwhile: run again, "existing"
            return _create(actor, customer, payloads, source, all_or_nothing, check_only)


def _create(actor, customer, payloads, source, all_or_nothing, check_only) -> list[CreateResult]:
    results: list[CreateResult] = []
    parsed: list[tuple[CreateResult, WaybillInput]] = []
    seen: set[str] = set()
    for index, payload in enumerate(payloads):
        data, errors = parse(payload)
        ref = data.reference if data else str((payload or {}).get("reference", ""))[:60]
        result = CreateResult(index, ref, REJECTED, errors=errors)
        results.append(result)
        if data is None:
            continue
        if data.reference in seen:
            result.errors = [_error("duplicate_reference", "The reference is twice in this "
                                    "request", "reference")]  # fmt: skip
            continue
        seen.add(data.reference)
        parsed.append((result, data))
    existing = {
        w.reference: w
        for w in Waybill.objects.select_related("customer", "channel").filter(
            customer=customer, reference__in=[d.reference for _, d in parsed]
        )
    }
    pricer = Pricer(customer)
    today = timezone.localdate()  # one day for the whole batch
    channels = pricer.channels
    todo: list[tuple[CreateResult, WaybillInput, Offer]] = []
    for result, data in parsed:
        old = existing.get(data.reference)
        if old is not None:
            if old.body_hash == data.body_hash():
                result.result, result.waybill = EXISTING, old
            else:
                result.errors = [_error(
                    "reference_conflict",
                    f"Waybill {old.number} already has reference {data.reference} with "
                    "other contents", "reference", number=old.number,
                )]  # fmt: skip
            continue
        try:
            parcel = parcel_of(data, on_date=today)
        except DomainError as exc:
            result.errors = [_error(exc.code, exc.message, "pieces")]
            continue
        offer, errors = _choose(pricer, data, parcel, today)
        if offer is None:
            result.errors = errors
            continue
        todo.append((result, data, offer))
    # a result still to be written is REJECTED without errors until its row exists
    if all_or_nothing and any(r.errors for r in results):
        for result, _data, _offer in todo:
            result.errors = [_error("batch_rejected", "Not written: another waybill of this "
                                    "all-or-nothing batch was refused")]  # fmt: skip
        return results
    if check_only:
        for result, _data, _offer in todo:
            result.result = CREATED
        return results
    if not todo:
        return results
    now = timezone.now()
    with transaction.atomic():
        numbers = take_numbers(len(todo))
        s10 = _s10_numbers([channels[offer.channel_code] for _r, _d, offer in todo])
        rows, columns = [], []
        names, defaults = _waybill_columns()
        insert_names = [n for n in names if n != Waybill._meta.pk.attname]
        own_shipper = dict(customer.shipper)
        for (_result, data, offer), number in zip(todo, numbers, strict=True):
            channel = channels[offer.channel_code]
            tracking = next(s10[channel.code]) if channel.code in s10 else ""
            values = {
                **defaults, "number": number, "customer_id": customer.pk,
                "channel_id": channel.pk, "source": source, "tracking_number": tracking,
                "tracking_status": TrackingStatus.ASSIGNED if tracking else TrackingStatus.PENDING,
                "created_by_id": actor.pk if getattr(actor, "pk", None) else None,
                "created_at": now, "updated_at": now,
                **_fields(data, customer), **_price_fields(offer),
            }  # fmt: skip
            # positional: Model.__init__'s fast path (no keyword matching per field)
            w = Waybill(*[values[n] for n in names])
            w.customer, w.channel = customer, channel
            rows.append(w)
            if not data.shipper:  # the customer's own: one object, so its JSON is made once
                values["shipper"] = own_shipper
            columns.append([values[n] for n in insert_names])
        _insert_waybills(rows, insert_names, columns)
        pieces, items, events = [], [], []
        for w, (result, data, _offer) in zip(rows, todo, strict=True):
            _child_rows(w.pk, data, pieces, items)
            events.append((w.pk, codes.INFO_RECEIVED, "Waybill created, waiting for the parcel",
                           "", now, now))  # fmt: skip
            result.result, result.waybill = CREATED, w
        insert_rows(WaybillPiece, _PIECE_FIELDS, pieces)
        insert_rows(WaybillItem, _ITEM_FIELDS, items)
        insert_rows(WaybillEvent, _EVENT_FIELDS, events)
        price_listeners.waybills_priced(
            actor, [(w, offer.priced) for w, (_r, _d, offer) in zip(rows, todo, strict=True)],
            price_listeners.ESTIMATED, new=True,
        )  # fmt: skip
        audit.record_many(
            actor, "waybill.create", "forwarding.waybill", [w.pk for w in rows],
            {"source": source, "customer": customer.code},
        )  # fmt: skip
    return results


# the rows a batch writes, set-based (``core.bulk.insert_rows``: the values prepared by each
# field as the ORM would, without a model object per piece, item and event)
_PIECE_FIELDS = ("waybill_id", "seq", "weight_g", "length_mm", "width_mm", "height_mm")
_ITEM_FIELDS = ("waybill_id", "seq", "name_zh", "name_en", "quantity", "unit_value", "currency",
                "unit_weight_g", "hs_code", "origin", "material", "sku", "sales_url", "battery",
                "liquid", "magnet")  # fmt: skip
_EVENT_FIELDS = ("waybill_id", "status", "description", "location", "occurred_at", "created_at")


def _waybill_columns() -> tuple[list[str], dict]:
    """The waybill's columns in the model's order (attnames, the id first) and their
    defaults (as a new ``Waybill()`` would have them)."""
    fields_ = Waybill._meta.concrete_fields
    return [f.attname for f in fields_], {f.attname: f.get_default() for f in fields_}


def _insert_waybills(rows: list[Waybill], names: list[str], values: list[list]) -> None:
    """Write new waybills (consecutive numbers of one day's series; ``values``: each one's
    columns ``names``, as it was built) and give each its id, read back by number: the
    waybills as ``bulk_create`` would leave them."""
    insert_rows(Waybill, names, values)
    numbers = {w.number: w for w in rows}
    found = Waybill.objects.filter(number__gte=min(numbers), number__lte=max(numbers))
    for number, pk in found.values_list("number", "id"):
        w = numbers.get(number)
        if w is not None:
            w.pk = pk
            w._state.adding, w._state.db = False, found.db
    assert all(w.pk is not None for w in rows), "a new waybill was not read back"


def _child_rows(waybill_id: int, data: WaybillInput, pieces: list, items: list) -> None:
    pieces.extend(
        (waybill_id, i + 1, p.weight_g, p.length_mm, p.width_mm, p.height_mm)
        for i, p in enumerate(data.pieces)
    )
    items.extend(
        (waybill_id, i + 1, it.name_zh, it.name_en, it.quantity, it.unit_value, it.currency,
         it.unit_weight_g, it.hs_code, it.origin, it.material, it.sku, it.sales_url, it.battery,
         it.liquid, it.magnet)
        for i, it in enumerate(data.items)
    )  # fmt: skip


def create_waybill(
    actor, customer: CustomerAccount, payload: dict, *, source: str = WaybillSource.PORTAL
) -> tuple[Waybill, bool]:
    """One waybill: ``(waybill, created)``; a refusal raises with every error in details."""
    (result,) = create_waybills(actor, customer, [payload], source=source)
    if result.result == REJECTED:
        raise_for(result)
    assert result.waybill is not None
    return result.waybill, result.result == CREATED


def raise_for(result: CreateResult) -> None:
    """A rejected item as the error a single request answers with."""
    first = result.errors[0]
    details = {"errors": result.errors}
    if first["code"] == "reference_conflict":
        raise Conflict(first["message"], code="reference_conflict", details=details)
    raise ValidationFailed(first["message"], code=first["code"], details=details)


def record_event(w: Waybill, status: str, description: str, location: str = "") -> None:
    """One step on the waybill's timeline (``WaybillEvent``), in the caller's transaction: the
    hub's scans, bags, dispatches and customs write theirs here, the last mile's come in by
    polling or push; the portal, the public page and the open API read the one timeline."""
    insert(WaybillEvent(waybill=w, status=status, description=description,
                        location=location))  # fmt: skip


PICKED_UP_TEXT = "Picked up by our driver"


def record_picked_up(actor, waybill_ids: Sequence[int], *, location: str = "") -> int:
    """A driver collected these waybills' parcels at the customer's door: a "picked up"
    event on each one still waiting for inbound (set-based; the status stays ``created``
    until the hub scans it in). The caller (``bookings.pickup_tasks``) has checked that the
    pickup is the actor's to collect; this runs inside its transaction. Returns the count."""
    if not (actor.has_perm(P.PICKUP_DRIVE) or actor.has_perm(P.PICKUP_DISPATCH)):
        require(actor, P.PICKUP_DRIVE)
    ids = list(
        Waybill.objects.filter(pk__in=list(waybill_ids), status=WaybillStatus.CREATED)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    if not ids:
        return 0
    now = timezone.now()
    with transaction.atomic():
        insert_rows(WaybillEvent, _EVENT_FIELDS,
                    ((pk, codes.PICKED_UP, PICKED_UP_TEXT, location[:100], now, now)
                     for pk in ids))  # fmt: skip
        audit.record_many(actor, "waybill.picked_up", Waybill._meta.label_lower, ids,
                          {"location": location})  # fmt: skip
        told = Waybill.objects.filter(pk__in=ids).exclude(customer__webhook_url="")
        for w in told.select_related("customer", "channel"):
            notifications.notify(w, notifications.PICKED_UP, {"location": location})
    return len(ids)


def cancel_waybill(actor, w: Waybill, *, reason: str = "") -> Waybill:
    """Cancel before inbound; after it, ask for an intercept instead (``not_cancellable``)."""
    _in_scope(actor, w, P.WAYBILL_CHANGE)
    if w.status not in EDITABLE:
        raise Conflict(
            f"Waybill {w.number} is {w.status}: only a waybill not yet received can be "
            "cancelled; ask for an intercept instead",
            code="not_cancellable", details={"status": w.status},
        )  # fmt: skip
    with transaction.atomic():
        transition(w, WaybillStatus.CANCELLED, table=TRANSITIONS, actor=actor, reason=reason)
        record_event(w, codes.EXCEPTION, "Waybill cancelled by the customer")
        audit.record(actor, "waybill.cancel", w, {"reason": reason})
        notifications.notify(w, notifications.STATUS_CHANGED, {"status": ["created", "cancelled"]})
    return w


def edit_waybill(actor, w: Waybill, payload: dict) -> Waybill:
    """Replace what the customer sent, before inbound; the reference stays, the price is
    quoted again (the channel may change: it must be open and accept it)."""
    _in_scope(actor, w, P.WAYBILL_CHANGE)
    if w.status not in EDITABLE:
        raise Conflict(
            f"Waybill {w.number} is {w.status}: it can no longer be edited",
            code="not_editable", details={"status": w.status},
        )  # fmt: skip
    data, errors = parse({**payload, "reference": w.reference})
    if data is None:
        raise ValidationFailed(errors[0]["message"], code=errors[0]["code"],
                               details={"errors": errors})  # fmt: skip
    customer = w.customer
    pricer = Pricer(customer)
    offer, errors = _choose(pricer, data, parcel_of(data))
    if offer is None:
        raise ValidationFailed(errors[0]["message"], code=errors[0]["code"],
                               details={"errors": errors})  # fmt: skip
    values = {**_fields(data, customer), **_price_fields(offer)}
    channel = pricer.channels[offer.channel_code]
    with transaction.atomic():
        locked = Waybill.objects.select_for_update().get(pk=w.pk)
        if locked.status not in EDITABLE:
            raise Conflict(f"Waybill {w.number} is {locked.status}", code="not_editable")
        changes = audit.diff(locked, values)
        if channel.pk != locked.channel_id:
            changes["channel"] = [locked.channel.code, channel.code]
        Waybill.objects.filter(pk=w.pk).update(channel=channel, updated_at=timezone.now(),
                                               **values)  # fmt: skip
        w.piece_rows.all().delete()
        w.items.all().delete()
        w.refresh_from_db()
        pieces, items = _children(w, data)
        WaybillPiece.objects.bulk_create(pieces)
        WaybillItem.objects.bulk_create(items)
        audit.record(actor, "waybill.edit", w, changes)
        stage = (
            price_listeners.CHANNEL_CHANGE if "channel" in changes else price_listeners.ESTIMATED
        )
        price_listeners.waybills_priced(actor, [(w, offer.priced)], stage)
        if "sale_amount" in changes:
            # as text in the currency's minor units, as at inbound (a Decimal is not JSON)
            price = [money_text(v, w.sale_currency) for v in changes["sale_amount"]]
            notifications.notify(w, notifications.FEES_CHANGED, {"price": price})
    return w


def request_intercept(actor, w: Waybill, reason: str) -> Waybill:
    """拦截: after inbound the customer asks the hub to stop the parcel; the hub acts on it."""
    _in_scope(actor, w, P.WAYBILL_CHANGE)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed("Say why the parcel should be stopped", code="reason_required")
    if w.status not in INTERCEPTABLE:
        code = "cancel_instead" if w.status in EDITABLE else "not_interceptable"
        raise Conflict(
            f"Waybill {w.number} is {w.status}: "
            + ("cancel it instead" if w.status in EDITABLE else "it can no longer be stopped"),
            code=code, details={"status": w.status},
        )  # fmt: skip
    if w.intercept_requested_at is not None:
        raise Conflict(f"An intercept of {w.number} is already asked for",
                       code="intercept_already_requested")  # fmt: skip
    with transaction.atomic():
        now = timezone.now()
        changed = Waybill.objects.filter(pk=w.pk, intercept_requested_at__isnull=True).update(
            intercept_requested_at=now, intercept_reason=reason[:300], updated_at=now
        )
        if not changed:
            raise Conflict(f"An intercept of {w.number} is already asked for",
                           code="intercept_already_requested")  # fmt: skip
        w.intercept_requested_at, w.intercept_reason = now, reason[:300]
        audit.record(actor, "waybill.intercept_request", w, {"reason": reason})
        intercept_requested.send(sender=Waybill, waybill=w, reason=reason, actor=actor)
    return w


def measured_offer(w: Waybill, pieces: Sequence[PieceInput]) -> Offer:
    """The customer's price on the waybill's own channel for the parcel as measured (its
    ``ok`` False when the channel refuses it: overweight, oversize...)."""
    pricer = Pricer(w.customer, [w.channel])
    return pricer.offer(pricer.compiled[w.channel.code], parcel_of_waybill(w, pieces))


def measured_offers(w: Waybill, pieces: Sequence[PieceInput]) -> list[Offer]:
    """Every channel open to the waybill's customer, priced for the parcel as measured,
    the accepting ones first and the cheapest of those first."""
    return Pricer(w.customer).offers(parcel_of_waybill(w, pieces))


def new_tracking_number(channel) -> str:
    """Our own S10 number on ``channel`` if it numbers its own parcels, else "" (the number
    comes later); taken in the caller's transaction."""
    numbers = _s10_numbers([channel])
    return next(numbers[channel.code]) if channel.code in numbers else ""


def receive(
    actor,
    w: Waybill,
    *,
    weight_g: int,
    pieces: Sequence[PieceInput] | None = None,
    location: str = "",
    offer: Offer | None = None,
    perm: str = P.HUB_RECEIVE,
    fee_stage: str = price_listeners.ACTUAL,
) -> Waybill:
    """Inbound at the hub: the measured weight replaces the forecast and the sale price is
    quoted again on it; the customer is told the status, the weight and the fee change.

    ``pieces``: each carton as measured (else the weight shared over the forecast's);
    ``offer``: the ``measured_offer`` the caller already made for these pieces; ``perm``:
    the permission that lets the actor receive (the problem queue's, when customer service
    attaches a parcel that came without a forecast); ``fee_stage``: what the fee lines of the
    new price say priced it (``price_listeners.CHANNEL_CHANGE`` when the hub switched it)."""
    _in_scope(actor, w, perm)
    if weight_g <= 0:
        raise ValidationFailed("The measured weight must be above 0", code="invalid_weight")
    measured = list(pieces or [])
    if not measured:
        rows = list(w.piece_rows.all())
        share = -(-weight_g // max(len(rows), 1))
        measured = [PieceInput(share, r.length_mm, r.width_mm, r.height_mm) for r in rows] or [
            PieceInput(weight_g)
        ]
    if offer is None:
        offer = measured_offer(w, measured)
    before = {"chargeable": w.chargeable_weight_g, "price": w.sale_amount}
    values = {"measured_weight_g": weight_g}
    if offer.ok:
        values.update(_price_fields(offer))
    with transaction.atomic():
        # one UPDATE moves the status and writes the measure and the new price; ``transition``
        # sets them on ``w`` too, so the row is not read again (nor its customer and channel)
        transition(w, WaybillStatus.RECEIVED, table=TRANSITIONS, actor=actor,
                   reason="inbound scan", extra=values)  # fmt: skip
        record_event(w, codes.IN_TRANSIT, "Received at the hub and weighed", location)
        audit.record(actor, "waybill.receive", w, {"weight_g": weight_g, "price_ok": offer.ok})
        if offer.ok:
            price_listeners.waybills_priced(actor, [(w, offer.priced)], fee_stage)
        notifications.notify(w, notifications.STATUS_CHANGED, {"status": ["created", "received"]})
        if w.chargeable_weight_g != before["chargeable"] or weight_g != w.forecast_weight_g:
            notifications.notify(w, notifications.WEIGHT_CHANGED, {
                "forecast_weight_g": w.forecast_weight_g, "measured_weight_g": weight_g,
                "chargeable_weight_g": [before["chargeable"], w.chargeable_weight_g],
            })  # fmt: skip
        if w.sale_amount != before["price"]:
            delta = (w.sale_amount or Decimal(0)) - (before["price"] or Decimal(0))
            cur = w.sale_currency
            notifications.notify(w, notifications.FEES_CHANGED, {
                "price": [money_text(before["price"], cur), money_text(w.sale_amount, cur)],
                "delta": money_text(delta, cur), "currency": cur,
            })  # fmt: skip
    return w


# the steps after inbound that ``move`` makes: the timeline's tracking code and text
MOVES = {
    WaybillStatus.HELD: (codes.EXCEPTION, "Held at the hub"),
    WaybillStatus.RECEIVED: (codes.IN_TRANSIT, "Released at the hub"),  # from held only
    WaybillStatus.IN_TRANSIT: (codes.IN_TRANSIT, "Left the hub"),
    WaybillStatus.DELIVERED: (codes.DELIVERED, "Delivered"),
    WaybillStatus.RETURNED: (codes.RETURNED, "Returned to the sender"),
}


def move(actor, w: Waybill, to_status: str, reason: str = "", *, location: str = "") -> Waybill:
    """The hub's and the last mile's steps after inbound (``states.TRANSITIONS``): hold (扣件)
    and release, leave the hub, delivered, returned; a timeline event, an audit row and the
    customer's webhook. Inbound is ``receive`` (it weighs) and a cancel ``cancel_waybill``.
    ``actor`` None is the hub's own rule (a customer's intercept holds a received parcel;
    the problem queue releases it); the person who triggered it is on that row's audit."""
    if actor is not None:
        _in_scope(actor, w, P.HUB_RECEIVE)
    release = to_status == WaybillStatus.RECEIVED
    if to_status not in MOVES or (release and w.status != WaybillStatus.HELD):
        raise InvalidTransition(
            f"Waybill {w.number} cannot go from {w.status!r} to {to_status!r} here",
            details={"from": w.status, "to": to_status},
        )  # fmt: skip
    before = w.status
    status, text = MOVES[to_status]
    with transaction.atomic():
        transition(w, to_status, table=TRANSITIONS, actor=actor, reason=reason)
        record_event(w, status, text, location)
        audit.record(actor, "waybill.move", w, {"status": [before, to_status], "reason": reason})
        notifications.notify(w, notifications.STATUS_CHANGED, {"status": [before, to_status]})
    return w


def parcel_of_waybill(w: Waybill, pieces: Sequence[PieceInput]):
    return parcel_for(
        pieces, country=w.consignee_country, postcode=w.consignee_postcode,
        city=w.consignee_city, declared_value=Money.of(w.declared_value, w.declared_currency),
        battery=w.battery, liquid=w.liquid, magnet=w.magnet, on_date=timezone.localdate(),
    )  # fmt: skip


def assign_numbers(
    actor,
    w: Waybill,
    *,
    tracking_number: str = "",
    last_mile_carrier: str = "",
    last_mile_number: str = "",
) -> Waybill:
    """The numbers that come later: our tracking number, or the last mile's (转单)."""
    _in_scope(actor, w, P.HUB_RECEIVE)
    values: dict = {}
    if tracking_number and tracking_number != w.tracking_number:
        values.update(tracking_number=tracking_number.strip()[:60],
                      tracking_status=TrackingStatus.ASSIGNED)  # fmt: skip
    if last_mile_number and last_mile_number != w.last_mile_number:
        values.update(last_mile_number=last_mile_number.strip()[:60],
                      last_mile_carrier=last_mile_carrier.strip()[:60])  # fmt: skip
        if not w.tracking_number and "tracking_number" not in values:
            values.update(tracking_number=values["last_mile_number"],
                          tracking_status=TrackingStatus.ASSIGNED)  # fmt: skip
    if not values:
        return w
    with transaction.atomic():
        changes = audit.diff(w, values)
        Waybill.objects.filter(pk=w.pk).update(**values, updated_at=timezone.now())
        w.refresh_from_db()
        audit.record(actor, "waybill.numbers", w, changes)
        if "tracking_number" in changes:
            notifications.notify(w, notifications.TRACKING_NUMBER_ASSIGNED, changes)
        if "last_mile_number" in changes:
            notifications.notify(w, notifications.LAST_MILE_ASSIGNED, changes)
    return w
