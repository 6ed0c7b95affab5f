"""Tracking over HTTP: a shipment's events, manual events, the last-mile number, the exception
queue, and the public tracking lookup (no authentication, no personal data)."""

from __future__ import annotations

import datetime as dt

from ninja import Field, Query, Router, Schema, Status
from ninja.errors import HttpError

from tradelane.accounts.permissions import require
from tradelane.accounts.roles import P
from tradelane.api.errors import ErrorOut, responses
from tradelane.api.paging import PageParams, page_of, paginate
from tradelane.api.types import BodySchema, DateTime, Int
from tradelane.core.errors import NotFound
from tradelane.core.throttle import client_ident

from ..shipping.models import Shipment
from . import selectors as tracking_selectors
from . import services as tracking
from .models import TrackingException

router = Router()


def _shipment(user, shipment_id: int) -> Shipment:
    """Reading a shipment's tracking needs ``TRACKING_READ`` (customer service too); changing
    it needs ``TRACKING_MANAGE`` (the services check)."""
    require(user, P.TRACKING_READ)
    shipment = Shipment.objects.filter(pk=shipment_id).select_related("channel").first()
    if shipment is None:
        raise NotFound(f"Shipment {shipment_id} does not exist", code="shipment_not_found")
    return shipment


# --- schemas --------------------------------------------------------------------------------


class TrackingEventOut(Schema):
    id: int
    occurred_at: dt.datetime
    status: str
    raw_code: str
    raw_text: str
    city: str
    country: str
    location: str
    source: str
    tracking_number: str


class ShipmentTrackingOut(Schema):
    id: int
    number: str
    status: str
    tracking_number: str
    tracking_status: str
    tracking_status_at: dt.datetime | None
    last_mile_carrier: str
    last_mile_tracking_number: str
    last_mile_at: dt.datetime | None
    shipped_at: dt.datetime | None
    delivered_at: dt.datetime | None
    events: list[TrackingEventOut]


class ManualEventIn(BodySchema):
    status: str = Field(
        ..., max_length=32, description="a normalized tracking status (e.g. delivery_failed)"
    )
    text: str = Field(..., min_length=1, max_length=500)
    occurred_at: DateTime | None = Field(None, description="default: now")
    city: str = Field("", max_length=100)
    country: str = Field("", max_length=2)


class LastMileIn(BodySchema):
    carrier: str = Field(..., min_length=1, max_length=100)
    tracking_number: str = Field(..., min_length=1, max_length=64)


class ExceptionFilters(PageParams):
    kind: str | None = None
    status: str | None = Field("open", description="open, resolved, or empty for all")
    channel: str | None = Field(None, description="channel code")
    min_age_days: Int(0, 3650) | None = Field(None, description="opened at least N days ago")


class ExceptionOut(Schema):
    id: int
    kind: str
    status: str
    detail: str
    opened_at: dt.datetime
    age_days: int
    resolved_at: dt.datetime | None
    resolved_by: str | None
    resolution: str
    shipment_id: int
    shipment_number: str
    tracking_number: str
    tracking_status: str
    channel: str


class ResolveIn(BodySchema):
    resolution: str = Field(..., min_length=1, max_length=500)


class PublicEventOut(Schema):
    occurred_at: dt.datetime
    status: str
    text: str
    city: str
    country: str


class PublicPlaceOut(Schema):
    city: str
    country: str


class PublicLastMileOut(Schema):
    carrier: str
    tracking_number: str


class PublicTrackingOut(Schema):
    tracking_number: str
    status: str
    status_at: dt.datetime | None
    delivered: bool
    destination: PublicPlaceOut
    last_mile: PublicLastMileOut | None
    events: list[PublicEventOut]


def _shipment_out(shipment: Shipment) -> dict:
    return {
        **{f: getattr(shipment, f) for f in (
            "number", "status", "tracking_number", "tracking_status", "tracking_status_at",
            "last_mile_carrier", "last_mile_tracking_number", "last_mile_at", "shipped_at",
            "delivered_at",
        )},
        "id": shipment.pk,
        "events": list(tracking_selectors.timeline(shipment)),
    }  # fmt: skip


def _exceptions_out(rows: list[TrackingException]) -> list[dict]:
    return [
        {
            "id": e.pk,
            "kind": e.kind,
            "status": e.status,
            "detail": e.detail,
            "opened_at": e.opened_at,
            "age_days": tracking_selectors.age_days(e.opened_at),
            "resolved_at": e.resolved_at,
            "resolved_by": e.resolved_by.username if e.resolved_by else None,
            "resolution": e.resolution,
            "shipment_id": e.shipment_id,
            "shipment_number": e.shipment.number,
            "tracking_number": e.shipment.tracking_number,
            "tracking_status": e.shipment.tracking_status,
            "channel": e.shipment.channel.code,
        }
        for e in rows
    ]


# --- routes ---------------------------------------------------------------------------------


@router.get(
    "/shipments/{id:shipment_id}/tracking",
    response=responses(200, ShipmentTrackingOut),
    operation_id="shipment_tracking_get",
)
def shipment_tracking(request, shipment_id: int):
    """A shipment's tracking: its numbers, normalized status and every event, newest first."""
    return _shipment_out(_shipment(request.auth, shipment_id))


@router.post(
    "/shipments/{id:shipment_id}/tracking/events",
    response=responses(201, ShipmentTrackingOut),
    operation_id="shipment_tracking_add_event",
)
def add_event(request, shipment_id: int, payload: ManualEventIn):
    """Record an event by hand (what the carrier said by phone or e-mail)."""
    shipment = _shipment(request.auth, shipment_id)
    tracking.add_manual_event(
        request.auth, shipment, payload.status, payload.text, payload.occurred_at,
        city=payload.city, country=payload.country,
    )  # fmt: skip
    shipment.refresh_from_db()
    return Status(201, _shipment_out(shipment))


@router.post(
    "/shipments/{id:shipment_id}/tracking/last-mile",
    response=responses(200, ShipmentTrackingOut),
    operation_id="shipment_tracking_set_last_mile",
)
def set_last_mile(request, shipment_id: int, payload: LastMileIn):
    """Set the last-mile carrier and number; the store gets the new number (outbox)."""
    shipment = _shipment(request.auth, shipment_id)
    shipment = tracking.set_last_mile(
        request.auth, shipment, payload.carrier, payload.tracking_number
    )
    return _shipment_out(shipment)


@router.get(
    "/tracking/exceptions",
    response=responses(200, page_of(ExceptionOut)),
    operation_id="tracking_exceptions_list",
)
def list_exceptions(request, filters: Query[ExceptionFilters]):
    """The exception queue, oldest first."""
    require(request.auth, P.TRACKING_VIEW)
    qs = tracking_selectors.exceptions(
        kind=filters.kind or None,
        status=filters.status or None,
        channel=filters.channel or None,
        min_age_days=filters.min_age_days,
    )
    return paginate(qs, filters, transform=_exceptions_out)


@router.post(
    "/tracking/exceptions/{id:exception_id}/resolve",
    response=responses(200, ExceptionOut),
    operation_id="tracking_exceptions_resolve",
)
def resolve_exception(request, exception_id: int, payload: ResolveIn):
    require(request.auth, P.TRACKING_MANAGE)  # before the lookup: no probing for ids
    exc = tracking_selectors.exceptions(status=None).filter(pk=exception_id).first()
    if exc is None:
        raise NotFound(f"Exception {exception_id} does not exist", code="exception_not_found")
    tracking.resolve_exception(request.auth, exc, payload.resolution)
    exc = tracking_selectors.exceptions(status=None).get(pk=exception_id)
    return _exceptions_out([exc])[0]


@router.get(
    "/tracking/{number}",
    response={200: PublicTrackingOut, 404: ErrorOut, 422: ErrorOut, 429: ErrorOut},
    auth=None,
    operation_id="tracking_public_get",
)
def public_tracking(request, number: str, key: str = Query("", max_length=64)):
    """Public: the status timeline of a tracking number. A number we drew at random answers
    alone; any other number (S10, last-mile, carrier) needs ``key``, the shipment's public key
    that our tracking links carry. Unknown numbers, wrong keys and shipments not yet labelled
    all get the same 404; a client with too many of them in a while gets 429. No personal data
    beyond the destination city and country."""
    limit, ident = tracking_selectors.public_miss_limit(), client_ident(request)
    if limit.blocked(ident):
        raise HttpError(429, "Too many unknown tracking numbers from your address; try later")
    view = tracking_selectors.public_tracking(number, key)
    if view is None:
        limit.miss(ident)
        raise NotFound("Unknown tracking number", code="tracking_not_found")
    return view
