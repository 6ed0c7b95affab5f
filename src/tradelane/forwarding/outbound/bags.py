"""Bags (袋/总包): open one for a sort key, scan received parcels into it, take one out,
weigh it, seal it.

``scan_into_bag`` refuses, and changes nothing for, a parcel that is not ``received`` (not
scanned in yet, held, cancelled, gone), one with an open hold (``hub.models.HOLD_REASONS``),
one in another bag and one whose sort key is not the bag's (``wrong_bag``, naming the key it
needs and the open bag of that key); the same parcel scanned again into the same bag is the
same answer (``added`` False). ``seal_bag`` refuses an empty bag; once sealed the bag refuses
every scan. Both lock the bag's row (``select_for_update``; SQLite's IMMEDIATE transactions
take the one write lock at BEGIN) and read its status inside the lock, so a scan that races a
seal either lands before the seal (and is counted in it) or is refused after it.

The customer's timeline gets one "Bagged" event per parcel when the bag is sealed, written
set-based: the bag's id is final then (a postal bag's S9 id carries its weight), and a parcel
taken out again before the seal leaves no event behind.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import Count, F, Sum
from django.utils import timezone

from tradelane.accounts.permissions import require
from tradelane.accounts.roles import P
from tradelane.core import audit
from tradelane.core.bulk import insert_rows
from tradelane.core.errors import Conflict, NotFound, ValidationFailed
from tradelane.core.statements import Param, Select
from tradelane.core.states import transition
from tradelane.logistics.models import Channel
from tradelane.logistics.rates.descriptions import SERVICE_POSTAL
from tradelane.logistics.tracking import codes

from ..hub.models import HOLD_REASONS, ProblemParcel
from ..hub.sorting import sort_key, waybill_sort_key
from ..waybills.models import Waybill, WaybillEvent, WaybillStatus
from . import ids
from .models import Bag, BagItem, BagKind, BagStatus, PostalRoute
from .states import BAG_TRANSITIONS

BAGGED_TEXT = "Bagged"
_EVENT_FIELDS = ("waybill_id", "status", "description", "location", "occurred_at", "created_at")


@dataclass(frozen=True)
class BagScan:
    bag: Bag
    waybill: Waybill
    added: bool  # False: it was already in this bag (a second scan of the same parcel)


def find_waybill(code: str) -> Waybill:
    """The waybill a scanned code names: its number, tracking or last-mile number, or a
    carton label ``<number>-<piece>``."""
    code = (code or "").strip()
    if not code:
        raise ValidationFailed("Scan a parcel", code="scan_empty")
    qs = Waybill.objects.select_related("channel", "customer")
    for field in ("number", "tracking_number", "last_mile_number"):
        w = qs.filter(**{field: code}).order_by("pk").first()
        if w is not None:
            return w
    head, sep, tail = code.rpartition("-")
    if sep and tail.isdigit():
        w = qs.filter(number=head, pieces__gte=int(tail)).first()
        if w is not None:
            return w
    raise NotFound(f"No parcel has the code {code}", code="parcel_not_found",
                   details={"code": code})  # fmt: skip


def find_bag(code: str) -> Bag:
    """A bag by our number or its S9 receptacle id."""
    code = (code or "").strip().upper()
    bag = Bag.objects.filter(number=code).first() or (
        Bag.objects.filter(receptacle_id=code).first() if len(code) == ids.S9_LENGTH else None
    )
    if bag is None:
        raise NotFound(f"No bag has the id {code}", code="bag_not_found", details={"code": code})
    return bag


def postal_route(channel: Channel, destination: str) -> PostalRoute | None:
    return PostalRoute.objects.filter(channel=channel, destination=destination).first()


def open_bag(actor, *, channel: Channel | str, destination: str, hub=None,
             kind: str = BagKind.AIR) -> Bag:  # fmt: skip
    """A new open bag for ``channel``/``destination``; a postal channel needs its route."""
    require(actor, P.HUB_RECEIVE)
    if isinstance(channel, str):
        channel = Channel.objects.filter(code=channel).first() or _no_channel(channel)
    destination = (destination or "").strip().upper()
    if len(destination) != 2 or not destination.isalpha():
        raise ValidationFailed(f"{destination!r} is not a country code", code="invalid_country")
    if kind not in BagKind.values:
        raise ValidationFailed(f"Unknown bag kind {kind!r}", code="invalid_bag_kind",
                               details={"choices": list(BagKind.values)})  # fmt: skip
    route = None
    if channel.service_type == SERVICE_POSTAL:
        route = postal_route(channel, destination)
        if route is None:
            raise ValidationFailed(
                f"{channel.code} is postal and has no offices of exchange for {destination}",
                code="postal_route_missing",
                details={"channel": channel.code, "destination": destination},
            )  # fmt: skip
    with transaction.atomic():
        bag = Bag.objects.create(
            number=ids.own_number(ids.BAG_PREFIX), channel=channel, destination=destination,
            sort_key=sort_key(channel.code, destination), hub=hub, kind=kind,
            postal_route=route, opened_by=actor,
        )  # fmt: skip
        audit.record(actor, "forwarding.bag.open", bag,
                     {"number": bag.number, "sort_key": bag.sort_key, "kind": kind})  # fmt: skip
    return bag


def _no_channel(code: str):
    raise NotFound(f"No channel {code}", code="channel_not_found")


def open_bag_for(sort_key_value: str) -> Bag | None:
    return Bag.objects.filter(status=BagStatus.OPEN, sort_key=sort_key_value).order_by("pk").first()


# every inbound scan asks it: compiled once (``core.statements``)
_OPEN_BAG = Select(lambda: Bag.objects.filter(status=BagStatus.OPEN, sort_key=Param("key"))
                   .order_by("pk").values_list("receptacle_id", "number")[:1])  # fmt: skip


def open_bag_label(sort_key_value: str) -> str | None:
    """What the inbound scan screen shows: the label id of the open bag of a sort key."""
    row = _OPEN_BAG.first(key=sort_key_value)
    if row is None:
        return None
    receptacle_id, number = row
    return receptacle_id or number  # Bag.label_id


def _locked(bag: Bag) -> Bag:
    """The bag's row, locked until the end of the caller's transaction."""
    return Bag.objects.select_for_update().select_related("channel").get(pk=bag.pk)


def _refuse_if_not_open(bag: Bag) -> None:
    if bag.status != BagStatus.OPEN:
        raise Conflict(
            f"Bag {bag.label_id} is {bag.status}: it takes no more parcels",
            code="bag_sealed",
            details={"bag": bag.label_id, "status": bag.status},
        )


def _open_hold(w: Waybill) -> ProblemParcel | None:
    return ProblemParcel.objects.filter(
        waybill=w, reason__in=list(HOLD_REASONS), resolved_at__isnull=True
    ).first()


def scan_into_bag(actor, bag: Bag, code: str) -> BagScan:
    require(actor, P.HUB_RECEIVE)
    found = find_waybill(code)
    with transaction.atomic():
        locked = _locked(bag)
        _refuse_if_not_open(locked)
        w = (
            Waybill.objects.select_for_update()
            .select_related("channel", "customer")
            .get(pk=found.pk)
        )
        item = BagItem.objects.filter(waybill=w).select_related("bag").first()
        if item is not None and item.bag_id == locked.pk:
            return BagScan(locked, w, False)
        if item is not None:
            raise Conflict(f"{w.number} is already in bag {item.bag.label_id}",
                           code="already_bagged", details={"bag": item.bag.label_id})  # fmt: skip
        if w.status != WaybillStatus.RECEIVED:
            raise Conflict(f"{w.number} is {w.status}, not received at the hub",
                           code="parcel_not_received", details={"status": w.status})  # fmt: skip
        hold = _open_hold(w)
        if hold is not None:
            raise Conflict(f"{w.number} is on hold ({hold.reason})", code="parcel_on_hold",
                           details={"reason": hold.reason, "problem": hold.pk})  # fmt: skip
        needed = waybill_sort_key(w)
        if needed != locked.sort_key:
            other = open_bag_for(needed)
            raise Conflict(
                f"Wrong bag: {w.number} goes to {needed}, this bag is {locked.sort_key}",
                code="wrong_bag",
                details={"needs": needed, "bag": locked.sort_key,
                         "open_bag": other.number if other else None},
            )  # fmt: skip
        try:
            with transaction.atomic():
                BagItem.objects.create(bag=locked, waybill=w, scanned_by=actor)
        except IntegrityError:  # scanned into another bag at the same moment
            raise Conflict(f"{w.number} is already in a bag", code="already_bagged") from None
        Bag.objects.filter(pk=locked.pk).update(
            parcel_count=F("parcel_count") + 1, piece_count=F("piece_count") + w.pieces,
            parcels_weight_g=F("parcels_weight_g") + w.weight_g,
            chargeable_weight_g=F("chargeable_weight_g") + w.chargeable_weight_g,
            updated_at=timezone.now(),
        )  # fmt: skip
        audit.record(actor, "forwarding.bag.scan", locked, {"waybill": w.number})
        locked.refresh_from_db()
    return BagScan(locked, w, True)


def remove_from_bag(actor, bag: Bag, code: str) -> Bag:
    """Take a parcel out of an open bag (it goes back to the floor, still received)."""
    require(actor, P.HUB_RECEIVE)
    w = find_waybill(code)
    with transaction.atomic():
        locked = _locked(bag)
        _refuse_if_not_open(locked)
        item = BagItem.objects.filter(bag=locked, waybill=w).first()
        if item is None:
            raise NotFound(f"{w.number} is not in bag {locked.number}", code="not_in_bag")
        item.delete()
        Bag.objects.filter(pk=locked.pk).update(
            parcel_count=F("parcel_count") - 1, piece_count=F("piece_count") - w.pieces,
            parcels_weight_g=F("parcels_weight_g") - w.weight_g,
            chargeable_weight_g=F("chargeable_weight_g") - w.chargeable_weight_g,
            updated_at=timezone.now(),
        )  # fmt: skip
        audit.record(actor, "forwarding.bag.remove", locked, {"waybill": w.number})
        locked.refresh_from_db()
    return locked


def weigh_bag(actor, bag: Bag, weight_g: int) -> Bag:
    """The bag on the scale (grams), before the seal (a postal bag's S9 id carries it)."""
    require(actor, P.HUB_RECEIVE)
    if not isinstance(weight_g, int) or weight_g <= 0:
        raise ValidationFailed("The bag's weight must be above 0 g", code="invalid_weight")
    ids.hectograms(weight_g)
    with transaction.atomic():
        locked = _locked(bag)
        _refuse_if_not_open(locked)
        before = locked.weighed_g
        Bag.objects.filter(pk=locked.pk).update(weighed_g=weight_g, updated_at=timezone.now())
        audit.record(actor, "forwarding.bag.weigh", locked, {"weighed_g": [before, weight_g]})
        locked.refresh_from_db()
    return locked


def bag_totals(bag: Bag) -> dict:
    """Parcels, pieces and weights of the bag counted from its parcels (not its counters)."""
    row = Waybill.objects.filter(bag_item__bag=bag).aggregate(
        parcels=Count("pk"), pieces=Sum("pieces"), chargeable=Sum("chargeable_weight_g"),
        measured=Sum("measured_weight_g"), forecast=Sum("forecast_weight_g"),
        unmeasured_forecast=Sum("forecast_weight_g", filter=_unmeasured()),
    )  # fmt: skip
    weight = (row["measured"] or 0) + (row["unmeasured_forecast"] or 0)
    return {"parcels": row["parcels"], "pieces": row["pieces"] or 0, "weight_g": weight,
            "chargeable_g": row["chargeable"] or 0}  # fmt: skip


def _unmeasured():
    from django.db.models import Q

    return Q(measured_weight_g__isnull=True)


def _receptacle_id(bag: Bag, weight_g: int, last: bool) -> str:
    """Take the next receptacle of the route's current S8 dispatch (locking the route)."""
    route = PostalRoute.objects.select_for_update().get(pk=bag.postal_route_id)
    year = timezone.localdate().year % 10
    if route.dispatch_year != year:
        route.dispatch_year, route.dispatch_serial, route.next_receptacle = year, 1, 1
    s8 = ids.s8_dispatch_id(route.origin_office, route.destination_office, route.mail_category,
                            route.mail_subclass, year, route.dispatch_serial)  # fmt: skip
    receptacle = route.next_receptacle
    rid = ids.s9_receptacle_id(s8, receptacle, last=last, registered_flag=route.registered_flag,
                               weight_g=weight_g)  # fmt: skip
    if last or receptacle >= 999:  # the next bag starts the route's next dispatch
        route.dispatch_serial = route.dispatch_serial % 9999 + 1
        route.next_receptacle = 1
    else:
        route.next_receptacle = receptacle + 1
    route.save(update_fields=["dispatch_year", "dispatch_serial", "next_receptacle"])
    return rid


def seal_bag(actor, bag: Bag, *, last: bool = False) -> Bag:
    """Seal (封袋): the counters are taken again from the parcels, a postal bag gets its S9
    id (``last``: the last receptacle of its S8 dispatch), every parcel a "Bagged" event. A
    sealed bag sealed again is returned as it is."""
    require(actor, P.HUB_RECEIVE)
    with transaction.atomic():
        locked = _locked(bag)
        if locked.status != BagStatus.OPEN:
            return locked
        totals = bag_totals(locked)
        if not totals["parcels"]:
            raise ValidationFailed(f"Bag {locked.number} is empty: scan a parcel into it first",
                                   code="bag_empty")  # fmt: skip
        gross = locked.weighed_g or totals["weight_g"]
        now = timezone.now()
        values = {"parcel_count": totals["parcels"], "piece_count": totals["pieces"],
                  "parcels_weight_g": totals["weight_g"],
                  "chargeable_weight_g": totals["chargeable_g"], "sealed_at": now,
                  "sealed_by": actor, "last_receptacle": last}  # fmt: skip
        if locked.postal_route_id:
            values["receptacle_id"] = _receptacle_id(locked, gross, last)
        transition(locked, BagStatus.SEALED, table=BAG_TRANSITIONS, actor=actor,
                   reason="sealed", extra=values)  # fmt: skip
        waybill_ids = list(BagItem.objects.filter(bag=locked).values_list("waybill_id", flat=True))
        text = f"{BAGGED_TEXT} ({locked.label_id})"
        where = (locked.hub.code if locked.hub_id else "")[:100]
        insert_rows(
            WaybillEvent,
            _EVENT_FIELDS,
            ((pk, codes.IN_TRANSIT, text, where, now, now) for pk in waybill_ids),
        )
        audit.record(actor, "forwarding.bag.seal", locked, {
            "receptacle_id": locked.receptacle_id, "parcels": totals["parcels"],
            "gross_weight_g": gross, "last": last,
        })  # fmt: skip
    return locked
