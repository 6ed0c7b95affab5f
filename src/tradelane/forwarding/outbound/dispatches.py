"""Dispatches (出库/交接): sealed bags of one channel handed over together to its line or
carrier, by air (MAWB, flight, date, IATA airports) or by truck (plate, receiving depot).

Bags go on while the dispatch is open (sealed ones of its channel only: an unsealed bag cannot
leave); at loading every bag is scanned against the dispatch (``load_scan``: a bag of another
dispatch or none is refused loudly, ``missing_bags`` lists the ones not scanned yet). The
dispatch is handed over only when every bag was load-scanned, no parcel in it is on hold and
its totals reconcile (``reconcile``); then, set-based, every parcel moves to in transit with a
"Handed over" event, an audit row and the customer's ``status_changed`` webhook, and every
bag is dispatched.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Count, Q, Sum
from django.utils import timezone

from tradelane.accounts.permissions import require
from tradelane.accounts.roles import P
from tradelane.core import audit
from tradelane.core.bulk import insert_rows
from tradelane.core.errors import Conflict, NotFound, ValidationFailed
from tradelane.core.states import bulk_transition, transition
from tradelane.logistics.models import Channel
from tradelane.logistics.tracking import codes

from ..hub.models import HOLD_REASONS, ProblemParcel
from ..waybills import notifications
from ..waybills.models import Waybill, WaybillEvent, WaybillStatus
from ..waybills.states import TRANSITIONS as WAYBILL_TRANSITIONS
from . import ids
from .bags import _EVENT_FIELDS, find_bag
from .models import Bag, BagItem, BagStatus, Dispatch, DispatchMode, DispatchStatus, PostalRoute
from .states import BAG_TRANSITIONS, DISPATCH_TRANSITIONS

IATA = re.compile(r"^[A-Z]{3}$")
FLIGHT = re.compile(r"^[A-Z0-9]{2}\d{1,5}[A-Z]?$")
HANDED_OVER_TEXT = "Handed over to the line"


def _text(value, limit: int) -> str:
    return (value or "").strip()[:limit]


def create_dispatch(
    actor,
    *,
    channel: Channel | str,
    mode: str,
    hub=None,
    mawb: str = "",
    flight: str = "",
    departure_date: dt.date | None = None,
    origin_airport: str = "",
    destination_airport: str = "",
    truck_plate: str = "",
    receiving_depot: str = "",
    note: str = "",
) -> Dispatch:
    require(actor, P.HUB_DISPATCH)
    if isinstance(channel, str):
        found = Channel.objects.filter(code=channel).first()
        if found is None:
            raise NotFound(f"No channel {channel}", code="channel_not_found")
        channel = found
    values: dict = {"mode": mode, "note": _text(note, 500)}
    if mode == DispatchMode.AIR:
        values["mawb"] = ids.normalise_mawb(mawb)
        flight = _text(flight, 10).upper().replace(" ", "")
        if not FLIGHT.match(flight):
            raise ValidationFailed(f"{flight!r} is not a flight number (CA1234)",
                                   code="invalid_flight")  # fmt: skip
        airports = [_text(origin_airport, 3).upper(), _text(destination_airport, 3).upper()]
        if not all(IATA.match(a) for a in airports) or airports[0] == airports[1]:
            raise ValidationFailed(
                "Give the two airports as IATA codes (PVG, LHR)",
                code="invalid_airport",
                details={"airports": airports},
            )
        if departure_date is None:
            raise ValidationFailed("Give the flight's date", code="departure_date_required")
        values.update(flight=flight, origin_airport=airports[0],
                      destination_airport=airports[1], departure_date=departure_date)  # fmt: skip
    elif mode == DispatchMode.TRUCK:
        plate = _text(truck_plate, 20).upper()
        if not plate:
            raise ValidationFailed("Give the truck's plate", code="truck_plate_required")
        values.update(truck_plate=plate, receiving_depot=_text(receiving_depot, 200),
                      departure_date=departure_date)  # fmt: skip
    else:
        raise ValidationFailed(f"Unknown mode {mode!r}", code="invalid_dispatch_mode",
                               details={"choices": list(DispatchMode.values)})  # fmt: skip
    with transaction.atomic():
        d = Dispatch.objects.create(number=ids.own_number(ids.DISPATCH_PREFIX), channel=channel,
                                    hub=hub, created_by=actor, **values)  # fmt: skip
        audit.record(actor, "forwarding.dispatch.create", d,
                     {"number": d.number, "channel": channel.code, **values})  # fmt: skip
    return d


def _locked(d: Dispatch) -> Dispatch:
    locked = Dispatch.objects.select_for_update().select_related("channel").get(pk=d.pk)
    if locked.status != DispatchStatus.OPEN:
        raise Conflict(f"Dispatch {locked.number} is handed over already",
                       code="dispatch_closed")  # fmt: skip
    return locked


def _bag(code_or_bag) -> Bag:
    """The bag as it is now (a ``Bag`` passed in is read again), or the one a code names."""
    if isinstance(code_or_bag, Bag):
        return Bag.objects.select_related("channel", "dispatch").get(pk=code_or_bag.pk)
    return find_bag(code_or_bag)


def add_bag(actor, dispatch: Dispatch, bag_or_code) -> Bag:
    """Put a sealed bag of the dispatch's channel on it (again: the same answer)."""
    require(actor, P.HUB_DISPATCH)
    with transaction.atomic():
        d = _locked(dispatch)
        bag = Bag.objects.select_for_update().get(pk=_bag(bag_or_code).pk)
        if bag.dispatch_id == d.pk:
            return bag
        if bag.status == BagStatus.OPEN:
            raise Conflict(f"Bag {bag.label_id} is not sealed: seal it before it leaves",
                           code="bag_not_sealed")  # fmt: skip
        if bag.dispatch_id is not None or bag.status != BagStatus.SEALED:
            other = bag.dispatch.number if bag.dispatch_id else ""
            raise Conflict(
                f"Bag {bag.label_id} is on dispatch {other}",
                code="bag_on_other_dispatch",
                details={"dispatch": other},
            )
        if bag.channel_id != d.channel_id:
            raise Conflict(
                f"Bag {bag.label_id} is for {bag.channel.code}, not {d.channel.code}",
                code="bag_wrong_line",
                details={"bag": bag.channel.code, "dispatch": d.channel.code},
            )
        Bag.objects.filter(pk=bag.pk).update(dispatch=d, load_scanned_at=None,
                                             updated_at=timezone.now())  # fmt: skip
        audit.record(actor, "forwarding.dispatch.add_bag", d, {"bag": bag.label_id})
        bag.refresh_from_db()
    return bag


def remove_bag(actor, dispatch: Dispatch, bag_or_code) -> Bag:
    require(actor, P.HUB_DISPATCH)
    with transaction.atomic():
        d = _locked(dispatch)
        bag = _bag(bag_or_code)
        if bag.dispatch_id != d.pk:
            raise NotFound(f"Bag {bag.label_id} is not on dispatch {d.number}",
                           code="bag_not_on_dispatch")  # fmt: skip
        Bag.objects.filter(pk=bag.pk).update(dispatch=None, load_scanned_at=None,
                                             updated_at=timezone.now())  # fmt: skip
        audit.record(actor, "forwarding.dispatch.remove_bag", d, {"bag": bag.label_id})
        bag.refresh_from_db()
    return bag


@dataclass(frozen=True)
class LoadScan:
    bag: Bag
    first: bool  # False: this bag was load-scanned before
    scanned: int
    total: int


def load_scan(actor, dispatch: Dispatch, code: str) -> LoadScan:
    """A bag scanned at the truck or the ULD: a bag not on this dispatch is a stray."""
    require(actor, P.HUB_DISPATCH)
    with transaction.atomic():
        d = _locked(dispatch)
        try:
            bag = find_bag(code)
        except NotFound as exc:
            raise NotFound(
                f"Stray: no bag has the id {code}",
                code="stray_bag",
                details={"code": code, "dispatch": None},
            ) from exc
        if bag.dispatch_id != d.pk:
            other = bag.dispatch.number if bag.dispatch_id else None
            raise Conflict(
                f"Stray bag {bag.label_id}: it is not on dispatch {d.number}",
                code="stray_bag",
                details={"code": code, "dispatch": other},
            )
        first = bag.load_scanned_at is None
        if first:
            Bag.objects.filter(pk=bag.pk).update(load_scanned_at=timezone.now())
            audit.record(actor, "forwarding.dispatch.load_scan", d, {"bag": bag.label_id})
            bag.refresh_from_db()
        counts = Bag.objects.filter(dispatch=d).aggregate(
            total=Count("pk"), scanned=Count("pk", filter=Q(load_scanned_at__isnull=False))
        )
    return LoadScan(bag, first, counts["scanned"], counts["total"])


def missing_bags(dispatch: Dispatch) -> list[Bag]:
    return list(Bag.objects.filter(dispatch=dispatch, load_scanned_at__isnull=True)
                .order_by("pk"))  # fmt: skip


@dataclass
class Reconciliation:
    """The dispatch's totals from its bags' counters and from its parcels; equal, or not."""

    bags: int
    parcels: int
    pieces: int
    gross_weight_g: int  # the bags on the scale (or their parcels' weight when not weighed)
    parcels_weight_g: int
    chargeable_weight_g: int
    counted: dict = field(default_factory=dict)  # the same from the parcels themselves
    differences: list[dict] = field(default_factory=list)  # per bag: field, counter, counted

    @property
    def ok(self) -> bool:
        return not self.differences


def reconcile(dispatch: Dispatch) -> Reconciliation:
    """Totals of ``dispatch`` as its bags say and as its parcels add up, with every bag whose
    counters differ from its parcels (parcels, pieces, weight, chargeable weight)."""
    bag_rows = list(Bag.objects.filter(dispatch=dispatch).values(
        "pk", "number", "receptacle_id", "parcel_count", "piece_count", "parcels_weight_g",
        "chargeable_weight_g", "weighed_g").order_by("pk"))  # fmt: skip
    parcels = {
        row["bag_item__bag"]: row
        for row in Waybill.objects.filter(bag_item__bag__dispatch=dispatch)
        .values("bag_item__bag")
        .annotate(
            parcels=Count("pk"), pieces=Sum("pieces"), chargeable=Sum("chargeable_weight_g"),
            measured=Sum("measured_weight_g"),
            unmeasured=Sum("forecast_weight_g", filter=Q(measured_weight_g__isnull=True)),
        )
        .order_by()
    }  # fmt: skip
    pairs = (
        ("parcel_count", "parcels"),
        ("piece_count", "pieces"),
        ("parcels_weight_g", "weight_g"),
        ("chargeable_weight_g", "chargeable_g"),
    )
    differences, counted = [], {"parcels": 0, "pieces": 0, "weight_g": 0, "chargeable_g": 0}
    for b in bag_rows:
        row = parcels.get(b["pk"], {})
        got = {"parcels": row.get("parcels", 0), "pieces": row.get("pieces") or 0,
               "weight_g": (row.get("measured") or 0) + (row.get("unmeasured") or 0),
               "chargeable_g": row.get("chargeable") or 0}  # fmt: skip
        for name, value in got.items():
            counted[name] += value
        for counter, key in pairs:
            if b[counter] != got[key]:
                differences.append({"bag": b["receptacle_id"] or b["number"], "field": key,
                                    "counter": b[counter], "counted": got[key]})  # fmt: skip
    return Reconciliation(
        bags=len(bag_rows), parcels=sum(b["parcel_count"] for b in bag_rows),
        pieces=sum(b["piece_count"] for b in bag_rows),
        gross_weight_g=sum(b["weighed_g"] or b["parcels_weight_g"] for b in bag_rows),
        parcels_weight_g=sum(b["parcels_weight_g"] for b in bag_rows),
        chargeable_weight_g=sum(b["chargeable_weight_g"] for b in bag_rows),
        counted=counted, differences=differences,
    )  # fmt: skip


def hand_over(actor, dispatch: Dispatch, *, location: str = "") -> Dispatch:
    """Close the dispatch (交接): every bag load-scanned, no parcel held, totals reconciled;
    then every parcel is in transit and every bag dispatched, in one transaction."""
    require(actor, P.HUB_DISPATCH)
    with transaction.atomic():
        d = _locked(dispatch)
        bag_ids = list(Bag.objects.select_for_update().filter(dispatch=d)
                       .values_list("pk", flat=True))  # fmt: skip
        if not bag_ids:
            raise ValidationFailed(f"Dispatch {d.number} has no bags", code="dispatch_empty")
        missing = [b.label_id for b in missing_bags(d)]
        if missing:
            raise Conflict(f"{len(missing)} bag(s) not load-scanned: {', '.join(missing[:10])}",
                           code="bags_not_loaded", details={"missing": missing})  # fmt: skip
        totals = reconcile(d)
        if not totals.ok:
            raise Conflict("The bags' totals do not match their parcels",
                           code="dispatch_does_not_reconcile",
                           details={"differences": totals.differences})  # fmt: skip
        waybill_ids = list(BagItem.objects.filter(bag_id__in=bag_ids).order_by("waybill_id")
                           .values_list("waybill_id", flat=True))  # fmt: skip
        _refuse_held(waybill_ids)
        now = timezone.now()
        bulk_transition(Waybill, waybill_ids, WaybillStatus.RECEIVED, WaybillStatus.IN_TRANSIT,
                        table=WAYBILL_TRANSITIONS, actor=actor,
                        reason=f"dispatch {d.number}")  # fmt: skip
        text = f"{HANDED_OVER_TEXT} ({_transport(d)})"[:300]
        where = (location or (d.origin_airport if d.mode == DispatchMode.AIR else ""))[:100]
        insert_rows(
            WaybillEvent,
            _EVENT_FIELDS,
            ((pk, codes.IN_TRANSIT, text, where, now, now) for pk in waybill_ids),
        )
        audit.record_many(
            actor,
            "waybill.move",
            Waybill._meta.label_lower,
            waybill_ids,
            {"status": ["received", "in_transit"], "dispatch": d.number},
        )
        bulk_transition(
            Bag,
            bag_ids,
            BagStatus.SEALED,
            BagStatus.DISPATCHED,
            table=BAG_TRANSITIONS,
            actor=actor,
            reason=f"dispatch {d.number}",
        )
        transition(d, DispatchStatus.HANDED_OVER, table=DISPATCH_TRANSITIONS, actor=actor,
                   reason="handed over",
                   extra={"handed_over_at": now, "handed_over_by": actor})  # fmt: skip
        _close_postal_dispatches(bag_ids)
        audit.record(actor, "forwarding.dispatch.hand_over", d, {
            "bags": totals.bags, "parcels": totals.parcels, "pieces": totals.pieces,
            "gross_weight_g": totals.gross_weight_g,
            "chargeable_weight_g": totals.chargeable_weight_g,
        })  # fmt: skip
        told = Waybill.objects.filter(pk__in=waybill_ids).exclude(customer__webhook_url="")
        for w in told.select_related("customer", "channel"):
            notifications.notify(
                w,
                notifications.STATUS_CHANGED,
                {"status": ["received", "in_transit"], "dispatch": d.number},
            )
    return d


def _transport(d: Dispatch) -> str:
    if d.mode == DispatchMode.AIR:
        return f"MAWB {d.mawb}, {d.flight} {d.origin_airport}-{d.destination_airport}"
    return f"truck {d.truck_plate}" + (f" to {d.receiving_depot}" if d.receiving_depot else "")


def _refuse_held(waybill_ids: list[int]) -> None:
    """A parcel held or on an open hold after it was bagged stops the whole dispatch."""
    not_received = list(Waybill.objects.filter(pk__in=waybill_ids)
                        .exclude(status=WaybillStatus.RECEIVED)
                        .values_list("number", flat=True)[:50])  # fmt: skip
    on_hold = list(ProblemParcel.objects.filter(
        waybill_id__in=waybill_ids, reason__in=list(HOLD_REASONS), resolved_at__isnull=True
    ).values_list("waybill__number", flat=True)[:50])  # fmt: skip
    held = sorted(set(not_received) | set(on_hold))
    if held:
        raise Conflict(
            f"{len(held)} parcel(s) held or no longer received: take them out first",
            code="dispatch_has_held_parcels",
            details={"parcels": held},
        )


def _close_postal_dispatches(bag_ids: list[int]) -> None:
    """A route whose current S8 dispatch has bags in this handover starts its next one."""
    rows = Bag.objects.filter(pk__in=bag_ids, postal_route__isnull=False).values_list(
        "postal_route_id", "receptacle_id"
    )
    used = {(route, rid[: ids.S8_LENGTH]) for route, rid in rows if rid}
    for route in PostalRoute.objects.select_for_update().filter(pk__in={r for r, _ in used}):
        current = ids.s8_dispatch_id(route.origin_office, route.destination_office,
                                     route.mail_category, route.mail_subclass,
                                     route.dispatch_year, route.dispatch_serial)  # fmt: skip
        if (route.pk, current) in used:
            route.dispatch_serial = route.dispatch_serial % 9999 + 1
            route.next_receptacle = 1
            route.save(update_fields=["dispatch_serial", "next_receptacle"])
