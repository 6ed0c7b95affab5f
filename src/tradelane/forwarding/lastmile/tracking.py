"""One timeline (section 7): the last-mile carrier's events written beside the provider's own.

``record_carrier_events`` is the one door for the last mile's news, polled
(``poll_last_mile``, a periodic job asking each carrier account through the carrier contract)
or pushed (a tracking hook calls it with the parsed events): each event, normalised to
``logistics.tracking.codes``, becomes a ``WaybillEvent`` marked ``LastMileEvent`` (the same
status, time and text never twice); an exception or a failed delivery opens a
"tracking exception" problem; delivered and returned move the waybill. ``merged_timeline`` is
the waybill's events in time order with their ``source`` (provider or last_mile), as the
portal, the public page and the open API show them.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from tradelane.core import audit
from tradelane.core.crypto import decrypt_json
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


def poll_last_mile(limit: int = 500) -> dict[str, int]:
    """Ask each last-mile carrier for the news of its waybills on the way (one ``track`` call
    per carrier and batch); a carrier that fails is skipped until the next run."""
    counts = {"waybills": 0, "events": 0, "failed": 0}
    todo = (Waybill.objects.filter(status__in=POLLED).exclude(last_mile_number="")
            .order_by("updated_at", "id")[:limit])  # fmt: skip
    by_carrier: dict[str, list[Waybill]] = defaultdict(list)
    for w in todo:
        by_carrier[w.last_mile_carrier].append(w)
    for carrier, rows in by_carrier.items():
        acc = account_for(carrier)
        if acc is None:
            continue
        account = gateways.Account(acc.code, acc.carrier,
                                   decrypt_json(acc.credentials) if acc.credentials else {},
                                   acc.test_mode, acc.base_url)  # fmt: skip
        try:
            results = gateways.gateway_for(acc.carrier).track(
                account, [w.last_mile_number for w in rows]
            )
        except Exception:  # a carrier down: the next run asks again
            counts["failed"] += len(rows)
            continue
        numbers = {w.last_mile_number: w for w in rows}
        for result in results:
            w = numbers.get(result.tracking_number)
            if w is not None:
                counts["waybills"] += 1
                counts["events"] += record_carrier_events(w, result.events)
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
