"""Tracking: carrier events in, shipment and order states out, and the exception queue.

Events come from the carriers' pollers and webhooks (``record_track_results``), from the
logistics team (``add_manual_event``) and from the system (last-mile switch, expiry). Rules:

- an event is stored once: its ``fingerprint`` (number, time, raw code, text) is unique per
  shipment, so a carrier repeating itself, a webhook retried 8 times or a poll overlapping a
  webhook leave one row;
- a shipment's ``tracking_status`` is the status of its latest event by ``occurred_at``
  (events arrive out of order; the answer converges whatever the order);
- a MOVING event on a labelled shipment hands it over (shipment shipped, its orders shipped
  through ``orders.services.mark_shipped``, so stock leaves through the ledger); DELIVERED
  delivers shipment and orders; RETURNED returns the shipment;
- an exception status that is the shipment's latest opens a ``TrackingException`` (one open
  per shipment and kind) for the logistics team;
- a last-mile number is recorded on the shipment and pushed to the store (outbox
  ``store.fulfillment`` with ``update: true``), once per new number.

``actor`` None means the system (a poller, a webhook task); a person needs
``P.TRACKING_MANAGE``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from tradelane.accounts.permissions import require
from tradelane.accounts.roles import P
from tradelane.core import audit, outbox
from tradelane.core.bulk import update_rows
from tradelane.core.errors import Conflict, DomainError, ValidationFailed
from tradelane.core.periodic import every_sweep
from tradelane.core.states import transition

from ..carriers import contract as gateways
from ..rates import descriptions as spec
from ..shipping.models import Shipment, ShipmentOrder, ShipmentStatus
from ..shipping.numbers import check_entered_number
from ..shipping.states import SHIPMENT_TRANSITIONS
from . import codes as tc
from . import selectors as tracking_selectors
from .models import InboundTracking, TrackingEvent, TrackingException

log = logging.getLogger(__name__)

SOURCES = ("poll", "webhook", "manual", "system")
LAST_MILE_CODE = "last_mile"  # raw code of the system event that records a last-mile switch
EXPIRED_CODE = "expired"
# exception kinds that a delivery settles by itself
SETTLED_BY_DELIVERY = (tc.DELIVERY_FAILED, tc.DELAYED, tc.EXPIRED, tc.EXCEPTION)
FULFILLMENT_TOPIC = "store.fulfillment"


def _check_actor(actor) -> None:
    if actor is not None:
        require(actor, P.TRACKING_MANAGE)


def fingerprint(number: str, occurred_at: dt.datetime, raw_code: str, raw_text: str,
                status: str = "") -> str:  # fmt: skip
    """One event's identity: the same carrier event twice has the same fingerprint."""
    when = occurred_at.astimezone(dt.UTC).replace(microsecond=0).isoformat()
    # the normalized status only counts when the carrier gave neither code nor text
    extra = "" if (raw_code or raw_text) else status
    data = "\x1f".join((number.strip().upper(), when, raw_code.strip(), raw_text.strip(), extra))
    return hashlib.sha256(data.encode()).hexdigest()


def _clean_event(ev: gateways.TrackEvent) -> gateways.TrackEvent:
    if ev.status not in tc.STATUSES:
        raise ValidationFailed(
            f"Unknown tracking status {ev.status!r}",
            code="unknown_tracking_status",
            details={"status": ev.status, "allowed": list(tc.STATUSES)},
        )
    if ev.occurred_at.tzinfo is None:
        raise ValidationFailed("Event times must carry a time zone", code="naive_datetime")
    return ev


def _event_row(shipment_id: int, number: str, ev: gateways.TrackEvent, source: str):
    return TrackingEvent(
        shipment_id=shipment_id,
        tracking_number=number[:64],
        occurred_at=ev.occurred_at,
        status=ev.status,
        raw_code=(ev.raw_code or "")[:64],
        raw_text=(ev.raw_text or "")[:500],
        city=(ev.city or "")[:100],
        country=(ev.country or "")[:2].upper(),
        location=(ev.location or "")[:200],
        source=source,
        fingerprint=fingerprint(number, ev.occurred_at, ev.raw_code, ev.raw_text, ev.status),
    )


@dataclass
class _Outcome:
    events_new: int = 0
    shipped: int = 0
    delivered: int = 0
    returned: int = 0
    exceptions: int = 0
    last_mile: int = 0


# --- the core: store events, then settle each touched shipment ----------------------------------


def _insert_events(rows: list[TrackingEvent]) -> dict[int, list[TrackingEvent]]:
    """Insert what is not stored yet; returns the new rows by shipment id (set-based)."""
    if not rows:
        return {}
    unique: dict[tuple[int, str], TrackingEvent] = {}
    for row in rows:
        unique.setdefault((row.shipment_id, row.fingerprint), row)
    ship_ids = sorted({k[0] for k in unique})
    fps = sorted({k[1] for k in unique})
    existing: set[tuple[int, str]] = set()
    for start in range(0, len(fps), 500):
        existing.update(
            TrackingEvent.objects.filter(
                shipment_id__in=ship_ids, fingerprint__in=fps[start : start + 500]
            ).values_list("shipment_id", "fingerprint")
        )
    fresh = [row for key, row in unique.items() if key not in existing]
    # a concurrent writer may have stored some meanwhile: the constraint keeps one row
    TrackingEvent.objects.bulk_create(fresh, ignore_conflicts=True, batch_size=500)
    out: dict[int, list[TrackingEvent]] = defaultdict(list)
    for row in fresh:
        out[row.shipment_id].append(row)
    return out


def _latest_by_shipment(ship_ids: Sequence[int]) -> dict[int, tuple[str, dt.datetime]]:
    """{shipment id: (status, occurred_at) of its latest event}, one query (system last-mile
    events do not count: they say nothing about where the parcel is)."""
    latest = (
        TrackingEvent.objects.filter(shipment_id=OuterRef("pk"))
        .exclude(raw_code=LAST_MILE_CODE, source="system")
        .order_by("-occurred_at", "-id")
    )
    rows = (
        Shipment.objects.filter(pk__in=list(ship_ids))
        .annotate(
            latest_status=Subquery(latest.values("status")[:1]),
            latest_at=Subquery(latest.values("occurred_at")[:1]),
        )
        .values_list("pk", "latest_status", "latest_at")
    )
    return {pk: (status, at) for pk, status, at in rows if status}


def _orders_of(shipment: Shipment):
    from tradelane.orders.models import Order

    ids = ShipmentOrder.objects.filter(shipment=shipment).values_list("order_id", flat=True)
    return list(Order.objects.filter(pk__in=list(ids)).order_by("pk"))


def _hand_over(actor, shipment: Shipment, at: dt.datetime) -> None:
    """The one hand-over path (``shipping.services.ship_shipment``): shipment labelled ->
    shipped, its orders shipped (stock leaves through the ledger), the store told the tracking
    number."""
    from ..shipping import services as shipping

    shipping.ship_shipment(actor, shipment, carrier_report=True, at=at)
    shipment.refresh_from_db()


def _deliver(actor, shipment: Shipment, at: dt.datetime) -> None:
    from tradelane.orders import services as order_services
    from tradelane.orders.states import OrderStatus

    transition(
        shipment, ShipmentStatus.DELIVERED, table=SHIPMENT_TRANSITIONS, actor=actor,
        reason="carrier: delivered", extra={"delivered_at": at},
    )  # fmt: skip
    for order in _orders_of(shipment):
        if order.status == OrderStatus.SHIPPED:
            order_services.change_status(
                actor, order, OrderStatus.DELIVERED, "carrier: delivered", carrier_report=True
            )
    TrackingException.objects.filter(
        shipment=shipment, status=TrackingException.Status.OPEN, kind__in=SETTLED_BY_DELIVERY
    ).update(
        status=TrackingException.Status.RESOLVED,
        resolved_at=timezone.now(),
        resolution="delivered (carrier)",
    )


def _open_exception(
    shipment_id: int, kind: str, detail: str, at: dt.datetime | None = None
) -> bool:
    """Open one exception of this kind unless one is open already; True if opened."""
    if TrackingException.objects.filter(
        shipment_id=shipment_id, kind=kind, status=TrackingException.Status.OPEN
    ).exists():
        return False
    made = TrackingException.objects.bulk_create(
        [TrackingException(shipment_id=shipment_id, kind=kind, detail=detail[:500],
                           opened_at=at or timezone.now())],
        ignore_conflicts=True,
    )  # fmt: skip
    return bool(made)


def _settle(actor, shipment: Shipment, new: list[TrackingEvent], latest, out: _Outcome) -> None:
    """Apply what the new events mean to one shipment (its status already recomputed)."""
    status, at = latest
    moving = [e for e in new if e.status in tc.MOVING and e.source != "system"]
    if shipment.status == ShipmentStatus.LABELLED and (moving or status in tc.MOVING):
        first = min((e.occurred_at for e in moving), default=at)
        _hand_over(actor, shipment, first)
        out.shipped += 1
    if status == tc.DELIVERED and shipment.status == ShipmentStatus.SHIPPED:
        _deliver(actor, shipment, at)
        out.delivered += 1
    elif status == tc.RETURNED and shipment.status in (
        ShipmentStatus.SHIPPED,
        ShipmentStatus.DELIVERED,
    ):
        transition(
            shipment, ShipmentStatus.RETURNED, table=SHIPMENT_TRANSITIONS, actor=actor,
            reason="carrier: returned",
        )  # fmt: skip
        out.returned += 1
    if status in tc.EXCEPTIONS and any(e.status == status for e in new):
        text = next((e.raw_text for e in new if e.status == status and e.raw_text), "")
        if _open_exception(shipment.pk, status, text or status, at):
            out.exceptions += 1


def _needs_settling(shipment: Shipment, new: list[TrackingEvent], status: str) -> bool:
    if shipment.status in (ShipmentStatus.DRAFT, ShipmentStatus.CANCELLED):
        return False  # no label, or voided: nothing to move
    if shipment.status == ShipmentStatus.LABELLED and (
        status in tc.MOVING or any(e.status in tc.MOVING and e.source != "system" for e in new)
    ):
        return True
    if status == tc.DELIVERED and shipment.status == ShipmentStatus.SHIPPED:
        return True
    if status == tc.RETURNED and shipment.status != ShipmentStatus.RETURNED:
        return True
    return status in tc.EXCEPTIONS and any(e.status == status for e in new)


def _apply(actor, rows: list[TrackingEvent], source: str, out: _Outcome) -> None:
    """Insert events, recompute the latest status of touched shipments, settle each.

    Set-based for the common case (news that moves nothing): a constant number of queries
    whatever the batch size; only shipments that change state or open an exception are
    handled one by one."""
    fresh = _insert_events(rows)
    if not fresh:
        return
    out.events_new += sum(len(v) for v in fresh.values())
    ids = sorted(fresh)
    latest = _latest_by_shipment(ids)
    shipments = Shipment.objects.in_bulk(ids)
    now = timezone.now()
    changed = []
    for ship_id in ids:
        shipment = shipments[ship_id]
        if (
            ship_id in latest
            and (shipment.tracking_status, shipment.tracking_status_at) != latest[ship_id]
        ):
            shipment.tracking_status, shipment.tracking_status_at = latest[ship_id]
            changed.append((shipment.tracking_status, shipment.tracking_status_at, now, ship_id))
    update_rows(Shipment, ("tracking_status", "tracking_status_at", "updated_at"), changed)
    # carrier news ends "no news"
    news = [i for i in ids if any(e.source != "system" for e in fresh[i])]
    news = [i for i in news if latest.get(i, ("",))[0] != tc.EXPIRED]
    for start in range(0, len(news), 900):
        TrackingException.objects.filter(
            shipment_id__in=news[start : start + 900],
            kind=tc.EXPIRED,
            status=TrackingException.Status.OPEN,
        ).update(
            status=TrackingException.Status.RESOLVED, resolved_at=now,
            resolution="news from the carrier",
        )  # fmt: skip
    for ship_id in ids:
        shipment = shipments[ship_id]
        if ship_id not in latest or not _needs_settling(
            shipment, fresh[ship_id], latest[ship_id][0]
        ):
            continue
        try:
            with transaction.atomic():  # one shipment that cannot move does not stop the batch
                _settle(actor, shipment, fresh[ship_id], latest[ship_id], out)
        except DomainError:
            log.exception("tracking: could not settle shipment %s", shipment.number)
    audit.record_many(
        actor, "logistics.tracking.events", "logistics.shipment", ids, {"source": source}
    )


def _match(numbers: Iterable[str], account_code: str = "") -> dict[str, list[Shipment]]:
    """{number: shipments carrying it as provider or last-mile number}, one query. When a
    number is on several shipments, those of the account's channels win."""
    wanted = sorted({n.strip() for n in numbers if n and n.strip()})
    if not wanted:
        return {}
    found: dict[str, list[Shipment]] = defaultdict(list)
    qs = (
        Shipment.objects.filter(
            Q(tracking_number__in=wanted) | Q(last_mile_tracking_number__in=wanted)
        )
        .exclude(status=ShipmentStatus.CANCELLED)
        .select_related("channel")
        .order_by("pk")
    )
    for s in qs:
        for n in {s.tracking_number, s.last_mile_tracking_number}:
            if n in wanted:
                found[n].append(s)
    if account_code:
        for n, ships in found.items():
            own = [s for s in ships if s.channel.carrier_account_id == account_code]
            if own:
                found[n] = own
    return found


def record_track_results(
    actor, account_code: str, results: list[gateways.TrackResult], source: str = "poll"
) -> dict[str, Any]:
    """Store what a carrier says about many numbers at once (a poll or a webhook)."""
    _check_actor(actor)
    if source not in SOURCES:
        raise ValidationFailed(f"Unknown source {source!r}", code="invalid_source")
    for r in results:
        for ev in r.events:
            _clean_event(ev)
    out = _Outcome()
    unknown: list[str] = []
    with transaction.atomic():
        matches = _match((r.tracking_number for r in results), account_code)
        rows: list[TrackingEvent] = []
        switches: list[tuple[Shipment, str, str]] = []
        for r in results:
            ships = matches.get(r.tracking_number.strip(), [])
            if not ships:
                unknown.append(r.tracking_number)
                continue
            for s in ships:
                rows.extend(_event_row(s.pk, r.tracking_number, ev, source) for ev in r.events)
                if r.last_mile_tracking_number and (
                    r.last_mile_tracking_number.strip() != s.last_mile_tracking_number
                ):
                    switches.append((s, r.last_mile_carrier, r.last_mile_tracking_number))
        _apply(actor, rows, source, out)
        for s, carrier, number in switches:
            s.refresh_from_db()
            if _switch_last_mile(actor, s, carrier, number):
                out.last_mile += 1
        polled = sorted({s.pk for ships in matches.values() for s in ships})
        if source == "poll" and polled:
            Shipment.objects.filter(pk__in=polled).update(last_polled_at=timezone.now())
    return {
        "results": len(results),
        "matched": len(results) - len(unknown),
        "unknown_numbers": unknown,
        "events_new": out.events_new,
        "shipped": out.shipped,
        "delivered": out.delivered,
        "returned": out.returned,
        "exceptions_opened": out.exceptions,
        "last_mile_switched": out.last_mile,
    }


def record_events(
    actor, shipment: Shipment, events: Iterable[gateways.TrackEvent], source: str,
    number: str = "",
) -> dict[str, Any]:  # fmt: skip
    """Store events for one known shipment (``number`` defaults to its tracking number)."""
    _check_actor(actor)
    if source not in SOURCES:
        raise ValidationFailed(f"Unknown source {source!r}", code="invalid_source")
    events = [_clean_event(ev) for ev in events]
    number = number or shipment.tracking_number or shipment.number
    out = _Outcome()
    with transaction.atomic():
        _apply(actor, [_event_row(shipment.pk, number, ev, source) for ev in events], source, out)
    shipment.refresh_from_db()
    return {"events_new": out.events_new, "shipped": out.shipped, "delivered": out.delivered,
            "returned": out.returned, "exceptions_opened": out.exceptions}  # fmt: skip


def add_manual_event(
    actor, shipment: Shipment, status: str, text: str, occurred_at: dt.datetime | None = None,
    *, city: str = "", country: str = "",
) -> dict[str, Any]:  # fmt: skip
    """The logistics team records what a carrier said on the phone or by e-mail."""
    require(actor, P.TRACKING_MANAGE)
    text = (text or "").strip()
    if not text:
        raise ValidationFailed("Describe the event", code="text_required")
    occurred_at = occurred_at or timezone.now()
    if timezone.is_naive(occurred_at):
        occurred_at = timezone.make_aware(occurred_at)
    if occurred_at > timezone.now() + dt.timedelta(minutes=5):
        raise ValidationFailed("The event is in the future", code="future_event")
    ev = gateways.TrackEvent(
        occurred_at=occurred_at, status=status, raw_code="manual", raw_text=text[:500],
        city=city, country=country,
    )  # fmt: skip
    with transaction.atomic():
        result = record_events(actor, shipment, [ev], "manual")
        audit.record(actor, "logistics.tracking.manual_event", shipment,
                     {"status": status, "text": text, "occurred_at": occurred_at})  # fmt: skip
    return result


# --- last mile ------------------------------------------------------------------------------------


def _switch_last_mile(actor, shipment: Shipment, carrier: str, number: str) -> bool:
    carrier, number = (carrier or "").strip()[:100], (number or "").strip()[:64]
    if not number or number == shipment.last_mile_tracking_number:
        return False
    now = timezone.now()
    old = shipment.last_mile_tracking_number
    Shipment.objects.filter(pk=shipment.pk).update(
        last_mile_carrier=carrier, last_mile_tracking_number=number, last_mile_at=now,
        updated_at=now,
    )  # fmt: skip
    shipment.last_mile_carrier, shipment.last_mile_tracking_number = carrier, number
    shipment.last_mile_at = now
    text = f"Last mile: {carrier} {number}".replace("  ", " ")
    TrackingEvent.objects.bulk_create(
        [TrackingEvent(
            shipment=shipment, tracking_number=number, occurred_at=now,
            status=shipment.tracking_status or tc.IN_TRANSIT, raw_code=LAST_MILE_CODE,
            raw_text=text, source="system",
            fingerprint=fingerprint(number, now, LAST_MILE_CODE, f"{carrier} {number}"),
        )],
        ignore_conflicts=True,
    )  # fmt: skip
    url = tracking_selectors.public_url(shipment, number)  # with the shipment's public key
    for order in _orders_of(shipment):
        outbox.enqueue(
            FULFILLMENT_TOPIC,
            {
                "order_id": order.pk,
                "store_id": order.store_id,
                "tracking_company": carrier,
                "tracking_number": number,
                "tracking_url": url,
                "update": True,
                "previous_number": old or shipment.tracking_number,
            },
            dedupe_key=f"{FULFILLMENT_TOPIC}:{order.pk}:last-mile:{number}",
        )
    audit.record(actor, "logistics.tracking.last_mile", shipment,
                 {"carrier": carrier, "number": [old, number]})  # fmt: skip
    return True


def set_last_mile(actor, shipment: Shipment, carrier: str, number: str) -> Shipment:
    """Record the last-mile carrier and number by hand (or from an API call)."""
    require(actor, P.TRACKING_MANAGE)
    number = (number or "").strip()
    if not number:
        raise ValidationFailed("The last-mile number is required", code="required")
    number = check_entered_number(number)  # an S10 number with a wrong check digit: refused
    if not (carrier or "").strip():
        raise ValidationFailed("The last-mile carrier is required", code="required")
    if shipment.status in (ShipmentStatus.DRAFT, ShipmentStatus.CANCELLED):
        raise Conflict(
            "A shipment without a valid label has no last mile", code="shipment_not_tracked"
        )
    with transaction.atomic():
        shipment = Shipment.objects.select_for_update().get(pk=shipment.pk)
        _switch_last_mile(actor, shipment, carrier, number)
    return shipment


# --- the exception queue --------------------------------------------------------------------------


def resolve_exception(actor, exc: TrackingException, resolution: str) -> TrackingException:
    require(actor, P.TRACKING_MANAGE)
    resolution = (resolution or "").strip()
    if not resolution:
        raise ValidationFailed("Say how it was resolved", code="resolution_required")
    with transaction.atomic():
        now = timezone.now()
        changed = TrackingException.objects.filter(
            pk=exc.pk, status=TrackingException.Status.OPEN
        ).update(
            status=TrackingException.Status.RESOLVED, resolved_at=now, resolved_by=actor,
            resolution=resolution[:500],
        )  # fmt: skip
        if changed != 1:
            raise Conflict("This exception is already resolved", code="already_resolved")
        exc.refresh_from_db()
        audit.record(actor, "logistics.tracking.resolve", exc,
                     {"kind": exc.kind, "resolution": resolution})  # fmt: skip
    return exc


# --- expiry ---------------------------------------------------------------------------------------


def expire_days(channel) -> int:
    return channel.expire_after_days or spec.DEFAULT_EXPIRE_DAYS.get(channel.service_type, 30)


def expire_stale(now: dt.datetime | None = None) -> dict[str, int]:
    """Shipped shipments with no news for their channel's N days get an ``expired`` event and
    exception. Idempotent: an expired shipment is not expired again until news arrives."""
    from ..rates.models import Channel

    now = now or timezone.now()
    expired = 0
    with transaction.atomic():
        base = (
            Shipment.objects.filter(status=ShipmentStatus.SHIPPED)
            .exclude(tracking_status__in=[*tc.TERMINAL, tc.EXPIRED])
            .annotate(last_news=Coalesce("tracking_status_at", "shipped_at", "labelled_at"))
        )
        channel_ids = list(base.order_by().values_list("channel_id", flat=True).distinct())
        for channel in Channel.objects.filter(pk__in=channel_ids):
            days = expire_days(channel)
            stale = list(
                base.filter(channel=channel, last_news__lt=now - dt.timedelta(days=days))
                .order_by("pk")
                .values_list("pk", "tracking_number", "last_news")
            )
            if not stale:
                continue
            text = f"No tracking news for {days} days"
            rows = []
            for pk, number, last in stale:
                rows.append(TrackingEvent(
                    shipment_id=pk, tracking_number=number or "", occurred_at=now,
                    status=tc.EXPIRED, raw_code=EXPIRED_CODE, raw_text=text, source="system",
                    fingerprint=fingerprint(number or str(pk), last, EXPIRED_CODE, "no news"),
                ))  # fmt: skip
            TrackingEvent.objects.bulk_create(rows, ignore_conflicts=True, batch_size=500)
            ids = [pk for pk, _, _ in stale]
            for start in range(0, len(ids), 900):
                Shipment.objects.filter(pk__in=ids[start : start + 900]).update(
                    tracking_status=tc.EXPIRED, tracking_status_at=now, updated_at=now
                )
            already = set(
                TrackingException.objects.filter(
                    shipment_id__in=ids, kind=tc.EXPIRED, status=TrackingException.Status.OPEN
                ).values_list("shipment_id", flat=True)
            )
            TrackingException.objects.bulk_create(
                [TrackingException(shipment_id=pk, kind=tc.EXPIRED, detail=text, opened_at=now)
                 for pk in ids if pk not in already],
                ignore_conflicts=True, batch_size=500,
            )  # fmt: skip
            audit.record_many(None, "logistics.tracking.expired", "logistics.shipment", ids,
                              {"days": days})  # fmt: skip
            expired += len(ids)
    return {"expired": expired}


@every_sweep("tracking_expiry")
def _sweep_expiry() -> object:
    return expire_stale()


# --- inbound webhooks (stored raw first; processed by an integration's task) ----------------------


def store_inbound(
    source: str, delivery_id: str, headers: dict[str, str], body: bytes
) -> tuple[InboundTracking, bool]:
    """Keep a carrier's webhook raw, once per (source, delivery id). Returns (row, created)."""
    source, delivery_id = source[:40], delivery_id[:128]
    existing = InboundTracking.objects.filter(source=source, delivery_id=delivery_id).first()
    if existing is not None:
        return existing, False
    with transaction.atomic():
        # a concurrent delivery of the same webhook: the constraint keeps one row
        InboundTracking.objects.bulk_create(
            [InboundTracking(source=source, delivery_id=delivery_id, headers=headers, body=body)],
            ignore_conflicts=True,
        )
    return InboundTracking.objects.get(source=source, delivery_id=delivery_id), True


def claim_inbound(inbound_id: int) -> InboundTracking | None:
    """The row to process, or None when it is processed already (tasks may run twice)."""
    return (
        InboundTracking.objects.filter(pk=inbound_id)
        .exclude(status=InboundTracking.Status.PROCESSED)
        .first()
    )


def finish_inbound(inbound: InboundTracking, status: str, error: str = "") -> None:
    if status not in InboundTracking.Status.values:
        raise ValidationFailed(f"Unknown status {status!r}", code="invalid_status")
    InboundTracking.objects.filter(pk=inbound.pk).update(
        status=status, error=error[:4000], processed_at=timezone.now()
    )
    inbound.status = status
