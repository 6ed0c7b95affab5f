"""One timeline (section 7): the last-mile carrier's events written beside the provider's own.

``record_carrier_events`` is the one door for the last mile's news, polled
(``poll_last_mile``, a job of every worker sweep asking each carrier account through the
carrier contract about the waybills not asked within ``TRADELANE_LASTMILE_POLL_INTERVAL_S``)
or pushed (``record_pushed``: the carrier tracking webhook hands it every push it parsed,
beside the seller's shipments): each event, normalised to
``logistics.tracking.codes``, becomes a ``WaybillEvent`` marked ``LastMileEvent`` (the same
status, time and text never twice); an exception or a failed delivery opens a
"tracking exception" problem; delivered and returned move the waybill. ``merged_timeline`` is
the waybill's events in time order with their ``source`` (provider or last_mile), as the
portal, the public page and the open API show them.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from collections import defaultdict
from collections.abc import Iterable

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from tradelane.core import audit
from tradelane.core.crypto import decrypt_json
from tradelane.core.periodic import every_sweep
from tradelane.core.states import transition
from tradelane.logistics.carriers import contract as gateways
from tradelane.logistics.models import CarrierAccount
from tradelane.logistics.tracking import codes

from ..hub.models import ProblemReason
from ..hub.problems import open_problem
from ..waybills import notifications
from ..waybills.models import Waybill, WaybillEvent, WaybillStatus
from ..waybills.states import TRANSITIONS
from .models import LastMileEvent

PROVIDER, LAST_MILE = "provider", "last_mile"
PROBLEM_STATUSES = frozenset({codes.EXCEPTION, codes.DELIVERY_FAILED, codes.DAMAGED, codes.LOST})
MOVES_TO = {codes.DELIVERED: WaybillStatus.DELIVERED, codes.RETURNED: WaybillStatus.RETURNED}
POLLED = (WaybillStatus.RECEIVED, WaybillStatus.HELD, WaybillStatus.IN_TRANSIT)
POLL_BATCH = 30  # numbers per track call (FedEx tracks at most 30 per request)
POLL_LIMIT = 500  # waybills per sweep

log = logging.getLogger(__name__)


def event_key(status: str, occurred_at, text: str) -> str:
    raw = f"{status}|{occurred_at.isoformat()}|{(text or '').strip()}"
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def _text(e: gateways.TrackEvent) -> str:
    return (e.raw_text or e.raw_code or e.status).strip()[:300]


def record_carrier_events(w: Waybill, events: Iterable[gateways.TrackEvent]) -> int:
    """Write the last-mile carrier's ``events`` of ``w`` not yet on its timeline; returns how
    many were new. Runs as the system (a poll or a pushed hook)."""
    fresh: dict[str, gateways.TrackEvent] = {}
    for e in events:
        status = e.status if e.status in codes.STATUSES else codes.UNKNOWN
        fresh.setdefault(event_key(status, e.occurred_at, _text(e)), e)
    if not fresh:
        return 0
    with transaction.atomic():
        w = Waybill.objects.select_for_update().select_related("customer", "channel").get(pk=w.pk)
        known = set(LastMileEvent.objects.filter(waybill=w, key__in=list(fresh))
                    .values_list("key", flat=True))  # fmt: skip
        new = sorted(((k, e) for k, e in fresh.items() if k not in known),
                     key=lambda ke: ke[1].occurred_at)  # fmt: skip
        now = timezone.now()
        for key, e in new:
            status = e.status if e.status in codes.STATUSES else codes.UNKNOWN
            location = (e.location or ", ".join(x for x in (e.city, e.country) if x))[:100]
            row = WaybillEvent.objects.create(
                waybill=w, status=status, description=_text(e), location=location,
                occurred_at=e.occurred_at, created_at=now,
            )  # fmt: skip
            LastMileEvent.objects.create(event=row, waybill=w, carrier=w.last_mile_carrier,
                                         number=w.last_mile_number, raw_code=e.raw_code[:60],
                                         key=key, created_at=now)  # fmt: skip
            if status in PROBLEM_STATUSES:
                open_problem(None, w, ProblemReason.TRACKING_EXCEPTION,
                             f"{w.last_mile_carrier}: {_text(e)}")  # fmt: skip
            target = MOVES_TO.get(status)
            if target and target in TRANSITIONS.get(w.status, ()):
                before = w.status
                transition(w, target, table=TRANSITIONS, actor=None,
                           reason=f"last-mile carrier {w.last_mile_carrier}")  # fmt: skip
                audit.record(None, "waybill.move", w,
                             {"status": [before, target], "reason": "last mile"})  # fmt: skip
                notifications.notify(w, notifications.STATUS_CHANGED, {"status": [before, target]})
    return len(new)


def account_for(carrier: str) -> CarrierAccount | None:
    """The active carrier account that tracks ``carrier``'s numbers (by its carrier name or
    its code), or None."""
    return (CarrierAccount.objects.filter(Q(carrier=carrier) | Q(code=carrier), is_active=True)
            .order_by("code").first())  # fmt: skip


def poll_interval() -> dt.timedelta:
    """How long a waybill's last-mile news is left alone after its carrier was asked."""
    return dt.timedelta(seconds=settings.TRADELANE_LASTMILE_POLL_INTERVAL_S)


def due_for_poll(now: dt.datetime, limit: int = POLL_LIMIT) -> list[Waybill]:
    """The waybills on the way with a last-mile number whose carrier was not asked within
    ``poll_interval`` (never asked first, then the longest unasked), at most ``limit``."""
    cutoff = now - poll_interval()
    return list(
        Waybill.objects.filter(status__in=POLLED)
        .exclude(last_mile_number="")
        .filter(Q(last_mile_polled_at__isnull=True) | Q(last_mile_polled_at__lt=cutoff))
        .order_by(F("last_mile_polled_at").asc(nulls_first=True), "id")[:limit]
    )


def poll_last_mile(now: dt.datetime | None = None, limit: int = POLL_LIMIT) -> dict[str, int]:
    """Ask each last-mile carrier for the news of its waybills that are due (one ``track``
    call per carrier and batch of ``POLL_BATCH``). Every waybill taken is marked asked, also
    when its carrier has no account here or failed: it is due again after ``poll_interval``,
    so a carrier that is down is not asked again every sweep and cannot keep the others
    waiting."""
    now = now or timezone.now()
    counts = {"waybills": 0, "events": 0, "failed": 0, "no_account": 0}
    by_carrier: dict[str, list[Waybill]] = defaultdict(list)
    for w in due_for_poll(now, limit):
        by_carrier[w.last_mile_carrier].append(w)
    for carrier, rows in by_carrier.items():
        acc = account_for(carrier)
        if acc is None:
            counts["no_account"] += len(rows)
            Waybill.objects.filter(pk__in=[w.pk for w in rows]).update(last_mile_polled_at=now)
            continue
        account = gateways.Account(acc.code, acc.carrier,
                                   decrypt_json(acc.credentials) if acc.credentials else {},
                                   acc.test_mode, acc.base_url)  # fmt: skip
        for start in range(0, len(rows), POLL_BATCH):
            batch = rows[start : start + POLL_BATCH]
            Waybill.objects.filter(pk__in=[w.pk for w in batch]).update(last_mile_polled_at=now)
            try:
                results = gateways.gateway_for(acc.carrier).track(
                    account, [w.last_mile_number for w in batch]
                )
            except Exception:  # a carrier down: asked again after the interval
                log.warning("last-mile poll of %s failed", acc.code, exc_info=True)
                counts["failed"] += len(batch)
                continue
            numbers = {w.last_mile_number: w for w in batch}
            for result in results:
                w = numbers.get(result.tracking_number)
                if w is not None:
                    counts["waybills"] += 1
                    counts["events"] += record_carrier_events(w, result.events)
    return counts


@every_sweep("lastmile_tracking_poll")
def _sweep_last_mile() -> dict[str, int]:
    """Every sweep looks (one indexed query); only the waybills due are asked."""
    return poll_last_mile()


def record_pushed(account_code: str, results: Iterable[gateways.TrackResult]) -> dict:
    """A carrier's pushed news (a tracking webhook of our carrier account ``account_code``)
    about last-mile numbers: each result whose number is the last-mile number of a waybill
    (not cancelled) goes on that waybill's timeline through ``record_carrier_events``, as a
    poll's answer would. When one number is on waybills of several carriers, those of the
    account's carrier (its carrier name or code) win. Returns the counts and the numbers it
    knew, so the caller can say which ones nobody knew."""
    results = [r for r in results if r.tracking_number and r.tracking_number.strip()]
    numbers = sorted({r.tracking_number.strip() for r in results})
    counts: dict = {"waybills": 0, "events": 0, "known_numbers": []}
    if not numbers:
        return counts
    found: dict[str, list[Waybill]] = defaultdict(list)
    qs = (Waybill.objects.filter(last_mile_number__in=numbers)
          .exclude(status=WaybillStatus.CANCELLED).order_by("pk"))  # fmt: skip
    for w in qs:
        found[w.last_mile_number].append(w)
    acc = CarrierAccount.objects.filter(code=account_code).values("carrier", "code").first()
    own = {str(v).casefold() for v in (acc or {}).values()}
    for number, rows in found.items():
        mine = [w for w in rows if w.last_mile_carrier.casefold() in own]
        found[number] = mine or rows
    for r in results:
        for w in found.get(r.tracking_number.strip(), ()):
            counts["waybills"] += 1
            counts["events"] += record_carrier_events(w, r.events)
    counts["known_numbers"] = sorted(found)
    return counts


def merged_timeline(w: Waybill) -> list[dict]:
    """The waybill's one timeline, oldest first, each event with its ``source``."""
    rows = w.events.select_related("last_mile").order_by("occurred_at", "id")
    return [
        {"status": e.status, "description": e.description, "location": e.location,
         "occurred_at": e.occurred_at.isoformat(),
         "source": LAST_MILE if hasattr(e, "last_mile") else PROVIDER}
        for e in rows
    ]  # fmt: skip
