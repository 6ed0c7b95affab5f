"""A store connection's health (read only): webhook subscriptions as the platform lists them
now against those needed, the last delivery received per topic, the last successful pull,
the token's expiry, the API version and its end of support, and what the last verification
proved. One platform call (the webhook list, one attempt); the rest from our own tables.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from django.db.models import Max
from django.utils import timezone

from ..contract import ConnectorError, connector_for
from ..models import StoreConnection, SyncRun, WebhookDelivery
from ..settings_schema import settings_of
from .verification import INTERACTIVE
from .webhook_subscriptions import webhook_address

VERSION_WARNING_DAYS = 90  # warn when the API version's support ends sooner than this


@dataclass
class TopicHealth:
    topic: str  # as the platform's subscription API names it
    delivery_topic: str  # as deliveries carry it
    present: bool | None  # None: the platform could not be asked
    active: bool
    last_delivery_at: datetime | None


@dataclass
class Health:
    connection: StoreConnection
    verification: dict
    address: str
    webhooks_supported: bool
    topics: list[TopicHealth] = field(default_factory=list)
    other_subscriptions: int = 0  # at our address, for topics we do not need
    listing_error: str = ""
    last_success: SyncRun | None = None
    last_failure: SyncRun | None = None
    poll_minutes: int = 15
    api_supported_until: date | None = None
    api_days_left: int | None = None
    token_expires_at: datetime | None = None

    @property
    def missing(self) -> list[str]:
        return [t.topic for t in self.topics if t.present is False or not t.active]

    @property
    def api_warning(self) -> bool:
        return self.api_days_left is not None and self.api_days_left < VERSION_WARNING_DAYS


def _date(value: str) -> date | None:
    try:
        return date.fromisoformat(value[:10]) if value else None
    except ValueError:
        return None


def parse_moment(value: str) -> datetime | None:
    try:
        return datetime.fromisoformat(value) if value else None
    except ValueError:
        return None


def health_of(connection: StoreConnection, *, connector=None, now=None) -> Health:
    now = now or timezone.now()
    record = dict(connection.verification or {})
    connector = connector or connector_for(connection, **INTERACTIVE)
    needed = list(connector.webhook_topics())
    address = webhook_address(connection)
    result = Health(
        connection=connection,
        verification=record,
        address=address,
        webhooks_supported=bool(needed),
        poll_minutes=settings_of(connection).sync_interval_minutes,
        api_supported_until=_date(record.get("api_supported_until") or ""),
        token_expires_at=parse_moment(record.get("token_expires_at") or ""),
    )
    if result.api_supported_until:
        result.api_days_left = (result.api_supported_until - now.date()).days
    runs = SyncRun.objects.filter(
        connection=connection, kind__in=[SyncRun.Kind.IMPORT, SyncRun.Kind.RECONCILE]
    )
    result.last_success = runs.filter(status=SyncRun.Status.SUCCEEDED).order_by(
        "-finished_at", "-id").first()  # fmt: skip
    result.last_failure = runs.filter(status=SyncRun.Status.FAILED).order_by(
        "-finished_at", "-id").first()  # fmt: skip
    if not needed:
        return result
    listed = None
    if connection.state != StoreConnection.State.DISCONNECTED:
        try:
            listed = [s for s in connector.list_webhooks() if address and s.address == address]
        except ConnectorError as exc:
            result.listing_error = str(exc)[:500]
    delivered = {
        row["topic"]: row["last"]
        for row in WebhookDelivery.objects.filter(connection=connection)
        .values("topic").annotate(last=Max("received_at"))
    }  # fmt: skip
    for topic in needed:
        mine = [s for s in listed or [] if s.topic == topic]
        delivery_topic = connector.webhook_delivery_topic(topic)
        result.topics.append(TopicHealth(
            topic=topic,
            delivery_topic=delivery_topic,
            present=None if listed is None else bool(mine),
            active=any(s.active for s in mine) if mine else listed is None,
            last_delivery_at=delivered.get(delivery_topic),
        ))  # fmt: skip
    result.other_subscriptions = len([s for s in listed or [] if s.topic not in needed])
    return result
