"""The dispatch center's HTTP API under ``/api/v1/dispatch/...``: the same data as the page
(store panels, sync runs, webhooks, outbox pushes, jobs, hourly chart data) and its buttons."""

from __future__ import annotations

from datetime import datetime

from ninja import Field, Query, Router, Schema, Status

from tradelane.accounts.permissions import require
from tradelane.accounts.roles import P
from tradelane.api.errors import responses
from tradelane.api.paging import PageParams, page_of, paginate
from tradelane.api.types import Id, Int
from tradelane.core.errors import NotFound

from ..models import WebhookDelivery
from . import selectors as dispatch
from . import services as dispatch_services

router = Router()


class StorePanelOut(Schema):
    connection_id: int
    store_id: int
    store_code: str
    store_name: str
    platform: str
    shop_domain: str
    state: str
    last_sync_at: datetime | None
    last_error: str
    alert: bool
    alert_after_minutes: int
    minutes_since_sync: int | None
    orders_today: int
    webhooks_today: int
    webhooks_failed_today: int
    pushes_pending: int
    pushes_dead: int


class SyncRunOut(Schema):
    id: int
    connection_id: int
    kind: str
    status: str
    started_at: datetime
    finished_at: datetime | None
    fetched: int
    created: int
    updated: int
    unchanged: int
    rejected: int
    error: str
    cursor_before: str
    cursor_after: str


class WebhookOut(Schema):
    id: int
    connection_id: int
    delivery_id: str
    topic: str
    status: str
    attempts: int
    duplicates: int
    error: str
    received_at: datetime
    processed_at: datetime | None
    order_id: int | None


class WebhookDetailOut(WebhookOut):
    headers: dict
    body: str


class OutboxOut(Schema):
    id: int
    topic: str
    status: str
    attempts: int
    max_attempts: int
    next_attempt_at: datetime
    last_error: str
    created_at: datetime
    sent_at: datetime | None
    payload: dict


class JobOut(Schema):
    id: int
    kind: str
    status: str
    total: int
    done: int
    percent: int
    error: str
    created_at: datetime
    finished_at: datetime | None


class HourlyOut(Schema):
    hours: list[str]
    orders: dict[str, list[int]]
    webhook_failures: list[int]
    push_failures: list[int]


class DispatchFilters(PageParams):
    store_id: Id | None = Field(None, description="orders.Store id")
    status: str | None = Field(None, max_length=16)
    topic: str | None = Field(None, max_length=64, description="topic, job kind or carrier")
    since_hours: Int(1, 24 * 90) | None = Field(None, description="only the last n hours")

    def as_filters(self) -> dispatch.ListFilters:
        return dispatch.ListFilters(
            store=self.store_id,
            status=self.status or "",
            since_hours=self.since_hours,
            topic=self.topic or "",
        )


class ActionOut(Schema):
    id: int
    status: str
    queued: bool = True


def _view(request) -> None:
    require(request.auth, P.DISPATCH_VIEW)


@router.get(
    "/dispatch/stores",
    response=responses(200, list[StorePanelOut]),
    operation_id="dispatch_stores_list",
)
def stores(request):
    _view(request)
    return [p.as_dict() for p in dispatch.store_panels()]


@router.get("/dispatch/hourly", response=responses(200, HourlyOut), operation_id="dispatch_hourly")
def hourly(request):
    _view(request)
    return dispatch.hourly()


@router.get(
    "/dispatch/sync-runs",
    response=responses(200, page_of(SyncRunOut)),
    operation_id="dispatch_sync_runs_list",
)
def sync_runs(request, filters: Query[DispatchFilters]):
    _view(request)
    return paginate(dispatch.sync_runs(filters.as_filters()), filters)


@router.get(
    "/dispatch/webhooks",
    response=responses(200, page_of(WebhookOut)),
    operation_id="dispatch_webhooks_list",
)
def webhooks(request, filters: Query[DispatchFilters]):
    _view(request)
    return paginate(dispatch.webhooks(filters.as_filters()), filters)


@router.get(
    "/dispatch/webhooks/{id:delivery_id}",
    response=responses(200, WebhookDetailOut),
    operation_id="dispatch_webhooks_get",
)
def webhook(request, delivery_id: int):
    _view(request)
    row = WebhookDelivery.objects.filter(pk=delivery_id).first()
    if row is None:
        raise NotFound("No such webhook delivery")
    row.body = dispatch.payload_text(row.body)
    return row


@router.get(
    "/dispatch/outbox",
    response=responses(200, page_of(OutboxOut)),
    operation_id="dispatch_outbox_list",
)
def outbox(request, filters: Query[DispatchFilters]):
    _view(request)
    return paginate(dispatch.outbox(filters.as_filters()), filters)


@router.get(
    "/dispatch/jobs", response=responses(200, page_of(JobOut)), operation_id="dispatch_jobs_list"
)
def jobs(request, filters: Query[DispatchFilters]):
    _view(request)
    return paginate(dispatch.jobs(filters.as_filters()), filters)


@router.post(
    "/dispatch/stores/{id:connection_id}/sync",
    response=responses(202, ActionOut),
    operation_id="dispatch_stores_sync",
)
def sync_now(request, connection_id: int):
    conn = dispatch_services.sync_now(request.auth, connection_id)
    return Status(202, {"id": conn.pk, "status": conn.state})


@router.post(
    "/dispatch/stores/{id:connection_id}/push-stock",
    response=responses(202, ActionOut),
    operation_id="dispatch_stores_push_stock",
)
def push_stock(request, connection_id: int):
    """Queue a push of the store's available stock (all mapped SKUs); ``id`` is the outbox
    message's (see ``/dispatch/outbox``)."""
    msg = dispatch_services.push_stock_now(request.auth, connection_id)
    return Status(202, {"id": msg.pk, "status": msg.status})


@router.post(
    "/dispatch/sync-runs/{id:run_id}/retry",
    response=responses(202, ActionOut),
    operation_id="dispatch_sync_runs_retry",
)
def retry_run(request, run_id: int):
    run = dispatch_services.retry_run(request.auth, run_id)
    return Status(202, {"id": run.pk, "status": run.status})


@router.post(
    "/dispatch/webhooks/{id:delivery_id}/replay",
    response=responses(202, ActionOut),
    operation_id="dispatch_webhooks_replay",
)
def replay_webhook(request, delivery_id: int):
    row = dispatch_services.replay_webhook(request.auth, delivery_id)
    return Status(202, {"id": row.pk, "status": row.status})


@router.post(
    "/dispatch/outbox/{id:message_id}/replay",
    response=responses(202, ActionOut),
    operation_id="dispatch_outbox_replay",
)
def replay_outbox(request, message_id: int):
    msg = dispatch_services.replay_outbox(request.auth, message_id)
    return Status(202, {"id": msg.pk, "status": msg.status})
