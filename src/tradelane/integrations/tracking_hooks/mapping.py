"""Pure mapping of a 17TRACK-style tracking push (webhook v2) to our ``TrackResult``s.

The shape (17TRACK API v2.2 push, ``event`` ``TRACKING_UPDATED``)::

    {"event": "TRACKING_UPDATED",
     "data": {"number": "RR123456785CN", "carrier": 3011,
              "track_info": {
                  "latest_status": {"status": "InTransit", "sub_status": "InTransit_Other"},
                  "tracking": {"providers": [
                      {"provider": {"key": 3011, "name": "China Post"},
                       "events": [{"time_iso": "2025-03-01T10:00:00+08:00",
                                   "time_utc": "2025-03-01T02:00:00Z",
                                   "description": "...", "location": "SHENZHEN",
                                   "stage": "PickedUp", "sub_status": "InTransit_PickedUp",
                                   "address": {"country": "CN", "city": "Shenzhen", ...}}]}]}}}}

``data`` may also be a list of such objects. 17TRACK's vocabulary: main statuses NotFound,
InfoReceived, InTransit, Expired, AvailableForPickup, OutForDelivery, DeliveryFailure,
Delivered, Exception; sub-statuses such as ``InTransit_CustomsProcessing`` or
``Exception_Returning``; and per-event milestones (``stage``) InfoReceived, PickedUp,
Departure, Arrival, AvailableForPickup, OutForDelivery, Delivered, Returning, Returned.

Our extension (not 17TRACK's): ``data.last_mile = {"carrier": ..., "number": ...}`` names a
last-mile carrier and number when the sender knows one.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from tradelane.logistics.carriers.contract import TrackEvent, TrackResult
from tradelane.logistics.tracking import codes as tc

# sub_status -> ours (the most precise field 17TRACK sends)
SUB_STATUS = {
    "NotFound_Other": tc.UNKNOWN,
    "NotFound_InvalidCode": tc.UNKNOWN,
    "InfoReceived": tc.INFO_RECEIVED,
    "InTransit_PickedUp": tc.PICKED_UP,
    "InTransit_Other": tc.IN_TRANSIT,
    "InTransit_Departure": tc.IN_TRANSIT,
    "InTransit_Arrival": tc.IN_TRANSIT,
    "InTransit_CustomsProcessing": tc.CUSTOMS,
    "InTransit_CustomsRequiringInformation": tc.CUSTOMS,
    "InTransit_CustomsReleased": tc.CUSTOMS_RELEASED,
    "Expired_Other": tc.EXPIRED,
    "AvailableForPickup_Other": tc.AVAILABLE_FOR_PICKUP,
    "OutForDelivery_Other": tc.OUT_FOR_DELIVERY,
    "DeliveryFailure_Other": tc.DELIVERY_FAILED,
    "DeliveryFailure_NoBody": tc.DELIVERY_FAILED,
    "DeliveryFailure_Security": tc.DELIVERY_FAILED,
    "DeliveryFailure_Rejected": tc.DELIVERY_FAILED,
    "DeliveryFailure_InvalidAddress": tc.DELIVERY_FAILED,
    "Delivered_Other": tc.DELIVERED,
    "Exception_Other": tc.EXCEPTION,
    "Exception_Returning": tc.RETURNING,
    "Exception_Returned": tc.RETURNED,
    "Exception_NoBody": tc.EXCEPTION,
    "Exception_Security": tc.EXCEPTION,
    "Exception_Damage": tc.DAMAGED,
    "Exception_Rejected": tc.EXCEPTION,
    "Exception_Delayed": tc.DELAYED,
    "Exception_Lost": tc.LOST,
    "Exception_Destroyed": tc.DAMAGED,
    "Exception_Cancel": tc.EXCEPTION,
}
# sub-statuses that say less than a milestone does (the milestone wins over them)
GENERIC_SUB_STATUS = frozenset(
    {"InTransit_Other", "InTransit_Departure", "InTransit_Arrival", "NotFound_Other"}
)
# stage (milestone) -> ours
STAGE = {
    "InfoReceived": tc.INFO_RECEIVED,
    "PickedUp": tc.PICKED_UP,
    "Departure": tc.IN_TRANSIT,
    "Arrival": tc.IN_TRANSIT,
    "AvailableForPickup": tc.AVAILABLE_FOR_PICKUP,
    "OutForDelivery": tc.OUT_FOR_DELIVERY,
    "Delivered": tc.DELIVERED,
    "Returning": tc.RETURNING,
    "Returned": tc.RETURNED,
}
# main status -> ours (last resort)
MAIN_STATUS = {
    "NotFound": tc.UNKNOWN,
    "InfoReceived": tc.INFO_RECEIVED,
    "InTransit": tc.IN_TRANSIT,
    "Expired": tc.EXPIRED,
    "AvailableForPickup": tc.AVAILABLE_FOR_PICKUP,
    "OutForDelivery": tc.OUT_FOR_DELIVERY,
    "DeliveryFailure": tc.DELIVERY_FAILED,
    "Delivered": tc.DELIVERED,
    "Exception": tc.EXCEPTION,
}

UPDATE_EVENTS = frozenset({"TRACKING_UPDATED"})


class PayloadError(ValueError):
    """The body is not a tracking push we understand."""


def status_of(stage: str | None, sub_status: str | None) -> str:
    """Our status for one event: a precise sub-status, else the milestone, else the
    sub-status's main part, else ``unknown`` (never guessed)."""
    stage, sub_status = (stage or "").strip(), (sub_status or "").strip()
    if sub_status in SUB_STATUS and sub_status not in GENERIC_SUB_STATUS:
        return SUB_STATUS[sub_status]
    if stage in STAGE:
        return STAGE[stage]
    if sub_status in SUB_STATUS:
        return SUB_STATUS[sub_status]
    main = sub_status.split("_", 1)[0]
    return MAIN_STATUS.get(main, tc.UNKNOWN)


def parse_time(event: dict[str, Any]) -> dt.datetime:
    for key in ("time_utc", "time_iso"):
        value = event.get(key)
        if not value or not isinstance(value, str):
            continue
        try:
            when = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            continue
        return when if when.tzinfo else when.replace(tzinfo=dt.UTC)
    raise PayloadError(f"event without a readable time: {event!r:.200}")


def _event(raw: dict[str, Any]) -> TrackEvent:
    address = raw.get("address") or {}
    country = str(address.get("country") or "").strip().upper()
    stage, sub = raw.get("stage"), raw.get("sub_status")
    return TrackEvent(
        occurred_at=parse_time(raw),
        status=status_of(stage, sub),
        raw_code=str(sub or stage or "")[:64],
        raw_text=str(raw.get("description") or "").strip()[:500],
        city=str(address.get("city") or "").strip()[:100],
        country=country if len(country) == 2 and country.isalpha() else "",
        location=str(raw.get("location") or "").strip()[:200],
    )


def _result(item: dict[str, Any]) -> TrackResult:
    number = str(item.get("number") or "").strip()
    if not number:
        raise PayloadError("tracking push without a number")
    info = item.get("track_info") or {}
    providers = (info.get("tracking") or {}).get("providers") or []
    events = tuple(
        _event(e) for p in providers if isinstance(p, dict) for e in (p.get("events") or [])
    )
    latest = (info.get("latest_status") or {}).get("status") or ""
    last_mile = item.get("last_mile") or {}
    return TrackResult(
        tracking_number=number,
        events=events,
        delivered=latest == "Delivered",
        last_mile_carrier=str(last_mile.get("carrier") or "").strip(),
        last_mile_tracking_number=str(last_mile.get("number") or "").strip(),
    )


def results_from_push(payload: Any) -> list[TrackResult] | None:
    """The results of one push; None when the push is not a tracking update (ignored)."""
    if not isinstance(payload, dict):
        raise PayloadError("the body is not a JSON object")
    if payload.get("event") not in UPDATE_EVENTS:
        return None
    data = payload.get("data")
    items = data if isinstance(data, list) else [data]
    if not items or not all(isinstance(i, dict) for i in items):
        raise PayloadError("data is not an object or a list of objects")
    return [_result(i) for i in items]
