"""Tracking by polling: ask karrio carriers and Tradelane providers about shipments out there.

Every sweep (``core.periodic``) picks shipments in ``labelled`` or ``shipped`` whose channel is
of kind ``karrio`` or ``tradelane`` with a carrier account and whose ``last_polled_at`` is
older than ``POLL_EVERY`` (or never), oldest first, at most ``LIMIT`` per sweep. They are
grouped per carrier account and tracked in batches of ``BATCH``; each batch's results go to
the logistics domain's ``tracking.record_track_results(actor, account_code, results,
source="poll")``, which records the events and the poll time. A number the carrier did not
return is handed over with no events, so the domain still marks it polled. One account
failing (bad credentials, carrier down) is logged and does not stop the others; its
shipments are tried again next sweep.
"""

from __future__ import annotations

import datetime as dt
import importlib
import logging
from collections import defaultdict
from collections.abc import Callable
from typing import Any

from django.db.models import F, Q
from django.utils import timezone

from tradelane.core.periodic import every_sweep
from tradelane.logistics.carriers import contract as gateways
from tradelane.logistics.models import CarrierAccount, Shipment, ShipmentStatus
from tradelane.logistics.rates import selectors
from tradelane.logistics.rates.descriptions import KIND_KARRIO, KIND_TRADELANE

log = logging.getLogger(__name__)

POLL_EVERY = dt.timedelta(hours=2)
BATCH = 30  # FedEx tracks at most 30 numbers per request
LIMIT = 3000  # shipments per sweep


def _recorder() -> Callable[..., Any]:
    """``tradelane.logistics.tracking.record_track_results`` (looked up at call time)."""
    return importlib.import_module("tradelane.logistics.tracking.services").record_track_results


def due(now: dt.datetime | None = None, limit: int = LIMIT) -> dict[str, list[str]]:
    """{carrier account code: [tracking numbers]} due for a poll (one query)."""
    cutoff = (now or timezone.now()) - POLL_EVERY
    rows = (
        Shipment.objects.filter(
            status__in=[ShipmentStatus.LABELLED, ShipmentStatus.SHIPPED],
            channel__kind__in=(KIND_KARRIO, KIND_TRADELANE),
            channel__carrier_account__isnull=False,
            channel__carrier_account__is_active=True,
        )
        .exclude(tracking_number="")
        .filter(Q(last_polled_at__isnull=True) | Q(last_polled_at__lt=cutoff))
        .order_by(F("last_polled_at").asc(nulls_first=True), "id")
        .values_list("channel__carrier_account_id", "tracking_number")[:limit]
    )
    out: dict[str, list[str]] = defaultdict(list)
    for account_code, number in rows:
        out[account_code].append(number)
    return dict(out)


def poll(now: dt.datetime | None = None, *, actor: Any = None) -> dict[str, Any]:
    """Track what is due; returns counts per account (and errors by account)."""
    record = _recorder()
    work = due(now)
    accounts = {a.code: a for a in CarrierAccount.objects.filter(code__in=list(work))}
    summary: dict[str, Any] = {"accounts": 0, "tracked": 0, "errors": {}}
    for code, numbers in work.items():
        account = selectors.carrier_account_data(accounts[code])
        try:
            gateway = gateways.gateway_for(account.carrier)
        except Exception as exc:  # carrier not installed: say so, poll the others
            summary["errors"][code] = str(exc)
            continue
        summary["accounts"] += 1
        for start in range(0, len(numbers), BATCH):
            batch = numbers[start : start + BATCH]
            try:
                results = gateway.track(account, batch)
            except gateways.CarrierError as exc:
                log.warning("tracking poll of %s failed: %s", code, exc)
                summary["errors"][code] = exc.code
                break
            seen = {r.tracking_number for r in results}
            results = list(results) + [
                gateways.TrackResult(tracking_number=n, events=()) for n in batch if n not in seen
            ]
            record(actor, code, results, source="poll")
            summary["tracked"] += len(batch)
    return summary


@every_sweep("carrier_tracking_poll")
def _sweep() -> dict[str, Any]:
    return poll()
