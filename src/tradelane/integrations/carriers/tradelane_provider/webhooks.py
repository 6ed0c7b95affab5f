"""The provider's webhooks, on the seller's side: verify, and apply to our shipment.

The provider POSTs ``{"id", "event", "occurred_at", "changes", "waybill": Waybill}`` to the
URL the seller registered (``register``: ``PUT /provider/webhook``), with
``X-Tradelane-Event``, ``X-Tradelane-Delivery`` (the dedupe key) and
``X-Tradelane-Signature: sha256=<hex HMAC-SHA256 of the raw body>`` made with the secret the
provider returned, which we keep in the carrier account's credentials (``webhook_secret``).

The intake is the carrier tracking webhook's (``tracking_hooks``: ``POST /hooks/tracking/<our
carrier account code>``): verified, stored raw once per delivery id, answered at once, then
processed by its task, which hands a provider's row to ``process`` here. The waybill in the
body is a snapshot of the provider's truth at the change, so ``process`` applies what it says:

- its tracking number, when our shipment waits for one ("number later"): the label is fetched
  now (``carrier_calls.label_shipment``), or through the outbox if the provider is busy;
- its price (and chargeable weight), when it differs from our cost: the provider re-rated the
  parcel on the weight its hub measured (``shipping.services.record_carrier_charge``);
- ``waybill.status_changed``: a tracking event (``mapping.WAYBILL_STATUS``), which hands the
  shipment over when the hub has the parcel (the store is told the tracking number);
- ``waybill.problem_opened`` / ``problem_resolved``: an exception on the shipment, then how
  the hub settled it (``mapping.problem_event``);
- its last-mile number: recorded on the shipment and pushed to the store
  (``tracking.services.record_track_results``, the path every carrier's last mile takes).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging

from django.utils import timezone

from tradelane.core.errors import DomainError
from tradelane.core.outbox import RetryLater
from tradelane.logistics.carriers import contract as g
from tradelane.logistics.models import InboundTracking, Shipment, ShipmentStatus
from tradelane.logistics.shipping import carrier_calls
from tradelane.logistics.shipping import services as shipping
from tradelane.logistics.tracking import services as tracking

from . import mapping

log = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-Tradelane-Signature"
DELIVERY_HEADER = "X-Tradelane-Delivery"
EVENT_HEADER = "X-Tradelane-Event"
STATUS_CHANGED = "waybill.status_changed"
PICKED_UP = "waybill.picked_up"  # the provider's driver collected it; the status stays created
PROBLEMS = ("waybill.problem_opened", "waybill.problem_resolved")  # 问题件 at the provider's hub
EVENTS = (
    STATUS_CHANGED, "waybill.weight_changed", "waybill.fees_changed",
    "waybill.tracking_number_assigned", "waybill.last_mile_assigned", PICKED_UP, *PROBLEMS,
)  # fmt: skip


def sign(body: bytes, secret: str) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def signature_ok(body: bytes, signature: str, secret: str) -> bool:
    if not secret or not signature:
        return False
    return hmac.compare_digest(sign(body, secret), signature.strip())


def _shipment(account_code: str, w: mapping.WaybillView) -> Shipment | None:
    """Our shipment of this waybill: its reference is our shipment number (else the
    provider's number we keep as the carrier's shipment id)."""
    qs = (
        Shipment.objects.filter(channel__carrier_account_id=account_code)
        .exclude(status=ShipmentStatus.CANCELLED)
        .select_related("channel")
    )
    return (qs.filter(number=w.reference).first() if w.reference else None) or (
        qs.filter(carrier_shipment_id=w.number).first() if w.number else None
    )


def _fetch_label(shipment: Shipment, number: str) -> None:
    try:
        carrier_calls.label_shipment(shipment.pk)
    except RetryLater as exc:  # the provider is busy: the outbox asks again
        log.info("provider label of %s later: %s", shipment.number, exc)
        carrier_calls.label_when_numbered(shipment, number)


def apply(account_code: str, payload: dict) -> str:
    """Apply one webhook body; returns what it did (for the stored row's note)."""
    event = str(payload.get("event") or "")
    if event not in EVENTS or not isinstance(payload.get("waybill"), dict):
        return "ignored"
    w = mapping.waybill_view(payload["waybill"])
    shipment = _shipment(account_code, w)
    if shipment is None:
        return f"unknown waybill {w.number or w.reference}"
    done = []
    if carrier_calls.awaiting_number(shipment) and not w.tracking_pending:
        _fetch_label(shipment, w.tracking_number)
        shipment.refresh_from_db()
        done.append("numbered" if shipment.tracking_number else "label queued")
    if w.price is not None and (
        w.price.amount != shipment.cost_amount or w.price.currency != shipment.charge_currency
        or (w.chargeable_weight_g is not None
            and w.chargeable_weight_g != shipment.chargeable_weight_g)
    ):  # fmt: skip
        shipping.record_carrier_charge(
            None, shipment, w.price, chargeable_weight_g=w.chargeable_weight_g,
            reason=f"{event} {w.number}", carrier_report=True,
        )  # fmt: skip
        done.append(f"charge {w.price.amount} {w.price.currency}")
    events: tuple[g.TrackEvent, ...] = ()
    if event in (STATUS_CHANGED, PICKED_UP, *PROBLEMS):
        at = mapping.parse_time(payload.get("occurred_at")) or timezone.now()
        if event == PICKED_UP:
            ev = mapping.picked_up_event(at, w.number)
        elif event in PROBLEMS:
            ev = mapping.problem_event(event, at, w.number, payload.get("changes") or {})
        else:
            ev = mapping.status_event(w.status, at, w.number)
        events = (ev,) if ev is not None else ()
    if shipment.tracking_number:
        outcome = tracking.record_track_results(
            None, account_code,
            [g.TrackResult(
                tracking_number=shipment.tracking_number, events=events,
                last_mile_carrier=w.last_mile_carrier,
                last_mile_tracking_number=w.last_mile_number,
            )],
            source="webhook",
        )  # fmt: skip
        if outcome["last_mile_switched"]:
            done.append(f"last mile {w.last_mile_number}")
    elif events:  # still waiting for its number: keep the news on the shipment
        tracking.record_events(None, shipment, events, "webhook", number=w.number)
    if events:
        done.append(f"status {w.status}")
    return ", ".join(done) or "nothing new"


def process(row: InboundTracking) -> str:
    """Process a stored provider webhook (claimed by ``tracking_hooks.hooks.process``)."""
    try:
        payload = json.loads(bytes(row.body).decode("utf-8"))
        if not isinstance(payload, dict):
            raise ValueError("the body is not a JSON object")
        note = apply(row.source, payload)
    except (ValueError, UnicodeDecodeError, DomainError) as exc:
        tracking.finish_inbound(row, InboundTracking.Status.FAILED, f"{type(exc).__name__}: {exc}")
        return row.status
    status = (
        InboundTracking.Status.IGNORED if note == "ignored" else InboundTracking.Status.PROCESSED
    )
    tracking.finish_inbound(row, status, "" if note == "ignored" else note)
    return row.status
