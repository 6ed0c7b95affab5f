"""Reads of the dispatch center (调度中心): what flows between stores, orders, warehouses,
carriers and finance. Every function runs a fixed number of queries whatever the number of
stores or rows (aggregates grouped by store; lists are paginated querysets).

``now`` is a parameter everywhere so that alerts and "today" are testable.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.apps import apps
from django.db.models import Count, Q
from django.db.models.fields.json import KT
from django.db.models.functions import TruncHour
from django.utils import timezone

from tradelane.core.models import Job, OutboxMessage
from tradelane.orders.models import Order

from ..models import StoreConnection, SyncRun, WebhookDelivery
from ..settings_schema import settings_of

_SCRIPT = re.compile(r"<script\b.*?</script>", re.S)
# outbox topics the dispatch center shows: pushes to stores and carrier label calls
OUTBOX_PREFIXES = ("store.", "logistics.")
STORE_TOPICS = ("store.fulfillment", "store.stock")


def start_of_day(now: datetime) -> datetime:
    local = timezone.localtime(now)
    return local.replace(hour=0, minute=0, second=0, microsecond=0)


@dataclass
class StorePanel:
    connection: StoreConnection
    alert_after: int  # the store's alert_after_minutes setting
    alert: bool = False
    minutes_since_sync: int | None = None
    orders_today: int = 0
    webhooks_today: int = 0
    webhooks_failed_today: int = 0
    pushes_pending: int = 0
    pushes_dead: int = 0
    last_run: SyncRun | None = None
    extra: dict = field(default_factory=dict)

    @property
    def store(self):
        return self.connection.store

    def as_dict(self) -> dict:
        c = self.connection
        return {
            "connection_id": c.pk,
            "store_id": c.store_id,
            "store_code": c.store.code,
            "store_name": c.store.name,
            "platform": c.platform,
            "shop_domain": c.shop_domain,
            "state": c.state,
            "last_sync_at": c.last_sync_at,
            "last_error": c.last_error,
            "alert": self.alert,
            "alert_after_minutes": self.alert_after,
            "minutes_since_sync": self.minutes_since_sync,
            "orders_today": self.orders_today,
            "webhooks_today": self.webhooks_today,
            "webhooks_failed_today": self.webhooks_failed_today,
            "pushes_pending": self.pushes_pending,
            "pushes_dead": self.pushes_dead,
        }


def store_panels(now: datetime | None = None) -> list[StorePanel]:
    """One panel per store connection (5 queries in all)."""
    now = now or timezone.now()
    today = start_of_day(now)
    conns = list(StoreConnection.objects.select_related("store").order_by("store__code", "id"))
    if not conns:
        return []
    platforms = {c.platform for c in conns}
    orders = dict(
        Order.objects.filter(created_at__gte=today, source__in=platforms)
        .values_list("store_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    hooks: dict[int, list[int]] = {}
    for row in (
        WebhookDelivery.objects.filter(received_at__gte=today)
        .values("connection_id")
        .annotate(n=Count("id"), failed=Count("id", filter=Q(status="failed")))
        .order_by()
    ):
        hooks[row["connection_id"]] = [row["n"], row["failed"]]
    pushes: dict[str, dict[str, int]] = {}
    for row in (
        OutboxMessage.objects.filter(topic__in=STORE_TOPICS)
        .exclude(status=OutboxMessage.Status.SENT)
        .annotate(store=KT("payload__store_id"))
        .values("store", "status")
        .annotate(n=Count("id"))
        .order_by()
    ):
        pushes.setdefault(str(row["store"]), {})[row["status"]] = row["n"]
    last_runs = {}
    for run in SyncRun.objects.filter(
        pk__in=[
            pk
            for pk in SyncRun.objects.filter(connection__in=conns)
            .values("connection_id")
            .annotate(last=_max_id())
            .values_list("last", flat=True)
        ]
    ):
        last_runs[run.connection_id] = run
    panels = []
    for c in conns:
        minutes = settings_of(c).alert_after_minutes
        since = c.last_sync_at or c.created_at
        elapsed = int((now - since).total_seconds() // 60) if since else None
        alert = c.state != StoreConnection.State.DISCONNECTED and (
            elapsed is not None and elapsed >= minutes
        )
        h = hooks.get(c.pk, [0, 0])
        p = pushes.get(str(c.store_id), {})
        panels.append(
            StorePanel(
                connection=c,
                alert=alert,
                minutes_since_sync=elapsed if c.last_sync_at else None,
                alert_after=minutes,
                orders_today=orders.get(c.store_id, 0),
                webhooks_today=h[0],
                webhooks_failed_today=h[1],
                pushes_pending=p.get(OutboxMessage.Status.PENDING, 0),
                pushes_dead=p.get(OutboxMessage.Status.DEAD, 0),
                last_run=last_runs.get(c.pk),
            )
        )
    return panels


def _max_id():
    from django.db.models import Max

    return Max("id")


# --- the tabs -------------------------------------------------------------------------------


@dataclass
class ListFilters:
    store: int | None = None  # orders.Store id
    status: str = ""
    since_hours: int | None = None  # only rows of the last n hours
    topic: str = ""

    def since(self, now: datetime) -> datetime | None:
        return now - timedelta(hours=self.since_hours) if self.since_hours else None


def _filtered(qs, f: ListFilters, now: datetime | None, *, at: str, store=None, topic=None):
    """``qs`` narrowed by the filters: ``store``/``topic`` name the fields those filters apply
    to (None: the list has no such filter), ``at`` the time field ``since_hours`` applies to."""
    if store and f.store:
        qs = qs.filter(**{store: f.store})
    if f.status:
        qs = qs.filter(status=f.status)
    if topic and f.topic:
        qs = qs.filter(**{topic: f.topic})
    since = f.since(now or timezone.now())
    if since:
        qs = qs.filter(**{f"{at}__gte": since})
    return qs


def sync_runs(f: ListFilters, now: datetime | None = None):
    qs = SyncRun.objects.select_related("connection__store").order_by("-started_at", "-id")
    return _filtered(qs, f, now, at="started_at", store="connection__store_id")


def webhooks(f: ListFilters, now: datetime | None = None):
    qs = (
        WebhookDelivery.objects.select_related("connection__store")
        .defer("body")
        .order_by("-received_at", "-id")
    )
    return _filtered(qs, f, now, at="received_at", store="connection__store_id", topic="topic")


def outbox(f: ListFilters, now: datetime | None = None):
    prefix = Q()
    for p in OUTBOX_PREFIXES:
        prefix |= Q(topic__startswith=p)
    qs = OutboxMessage.objects.filter(prefix).order_by("-created_at", "-id")
    return _filtered(qs, f, now, at="created_at", store="payload__store_id", topic="topic")


def jobs(f: ListFilters, now: datetime | None = None):
    qs = Job.objects.select_related("created_by").order_by("-created_at", "-id")
    return _filtered(qs, f, now, at="created_at", topic="kind")


def inbound_tracking_model():
    """``logistics.InboundTracking`` when the logistics app has it (carrier webhooks)."""
    try:
        return apps.get_model("logistics", "InboundTracking")
    except LookupError:
        return None


def tracking_hooks(f: ListFilters, now: datetime | None = None):
    model = inbound_tracking_model()
    if model is None:
        return None
    qs = model.objects.defer("body").order_by("-received_at", "-id")
    return _filtered(qs, f, now, at="received_at", topic="source")


TABS = ("runs", "webhooks", "outbox", "jobs", "tracking")
LISTS = {
    "runs": sync_runs,
    "webhooks": webhooks,
    "outbox": outbox,
    "jobs": jobs,
    "tracking": tracking_hooks,
}
ATTENTION = {  # what counts in a tab's badge: the rows needing attention
    "runs": Q(status=SyncRun.Status.FAILED),
    "webhooks": Q(status=WebhookDelivery.Status.FAILED),
    "outbox": Q(status=OutboxMessage.Status.DEAD),
    "jobs": Q(status=Job.Status.FAILED),
    "tracking": Q(status="failed"),
}


def tab_counts(f: ListFilters, now: datetime | None = None) -> dict[str, dict[str, int]]:
    """{tab: {"total": rows matching the filters, "attention": failed/dead among them}}
    (one query per tab), ignoring the status filter so every tab shows its whole size."""
    now = now or timezone.now()
    plain = ListFilters(store=f.store, since_hours=f.since_hours)
    out = {}
    for tab in TABS:
        qs = LISTS[tab](plain, now)
        if qs is None:
            continue
        out[tab] = qs.order_by().aggregate(
            total=Count("id"), attention=Count("id", filter=ATTENTION[tab])
        )
    return out


def payload_text(raw: bytes | memoryview | dict | str) -> str:
    """A stored body or payload, pretty-printed when it is JSON."""
    if isinstance(raw, memoryview):
        raw = bytes(raw)
    if isinstance(raw, bytes):
        try:
            raw = raw.decode("utf-8")
        except UnicodeDecodeError:
            return raw.decode("latin-1")
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except ValueError:
            return raw
    return json.dumps(raw, indent=2, ensure_ascii=False, sort_keys=True, default=str)


# --- the chart ------------------------------------------------------------------------------


def hourly(now: datetime | None = None, hours: int = 24) -> dict:
    """Orders imported per hour per store and failures per hour over the last ``hours``
    (3 queries). Hours are the local clock's, oldest first."""
    now = now or timezone.now()
    end = timezone.localtime(now).replace(minute=0, second=0, microsecond=0)
    slots = [end - timedelta(hours=hours - 1 - i) for i in range(hours)]
    start = slots[0]
    index = {s: i for i, s in enumerate(slots)}
    tz = timezone.get_current_timezone()

    def slot(moment):
        return index.get(timezone.localtime(moment).replace(minute=0, second=0, microsecond=0))

    conns = dict(
        StoreConnection.objects.values_list("store_id", "store__code").order_by("store__code")
    )
    platforms = set(StoreConnection.objects.values_list("platform", flat=True))
    per_store = {code: [0] * hours for code in conns.values()}
    for row in (
        Order.objects.filter(created_at__gte=start, store_id__in=list(conns), source__in=platforms)
        .annotate(h=TruncHour("created_at", tzinfo=tz))
        .values("store_id", "h")
        .annotate(n=Count("id"))
        .order_by()
    ):
        i = slot(row["h"])
        if i is not None:
            per_store[conns[row["store_id"]]][i] += row["n"]
    hook_failures = [0] * hours
    for row in (
        WebhookDelivery.objects.filter(received_at__gte=start, status="failed")
        .annotate(h=TruncHour("received_at", tzinfo=tz))
        .values("h")
        .annotate(n=Count("id"))
        .order_by()
    ):
        i = slot(row["h"])
        if i is not None:
            hook_failures[i] += row["n"]
    push_failures = [0] * hours
    prefix = Q()
    for p in OUTBOX_PREFIXES:
        prefix |= Q(topic__startswith=p)
    for row in (
        OutboxMessage.objects.filter(prefix, created_at__gte=start)
        .filter(Q(status=OutboxMessage.Status.DEAD) | ~Q(last_error=""))
        .exclude(status=OutboxMessage.Status.SENT)
        .annotate(h=TruncHour("created_at", tzinfo=tz))
        .values("h")
        .annotate(n=Count("id"))
        .order_by()
    ):
        i = slot(row["h"])
        if i is not None:
            push_failures[i] += row["n"]
    return {
        "hours": [s.isoformat() for s in slots],
        "labels": [s.strftime("%H") for s in slots],
        "orders": per_store,
        "webhook_failures": hook_failures,
        "push_failures": push_failures,
    }


def _style():
    from pygal.style import Style

    return Style(
        background="transparent",
        plot_background="transparent",
        foreground="#38444f",
        foreground_strong="#1f2933",
        foreground_subtle="#e3e8ee",
        colors=COLORS,
        font_family="Noto Sans CJK SC, sans-serif",
        label_font_size=11,
        major_label_font_size=11,
        legend_font_size=12,
        title_font_size=13,
    )


COLORS = ("#2d8cff", "#2f9e5b", "#e0a100", "#7a2f94", "#0f6e5b", "#5b6670")
FAILURE_COLORS = ("#b42318", "#e0a100")


def _bars(data: dict, series: list[tuple[str, list[int]]], *, stacked: bool, height: int,
          colors=None, width: int = 900) -> str:  # fmt: skip
    import pygal

    style = _style()
    if colors:
        style.colors = colors
    cls = pygal.StackedBar if stacked else pygal.Bar
    chart = cls(
        js=[],
        style=style,
        height=height,
        width=width,
        show_legend=False,  # the page draws the legend in HTML (readable at any size)
        show_minor_x_labels=False,
        margin=6,
        spacing=6,
        min_scale=1,
        max_scale=5,
        disable_xml_declaration=True,
        show_y_guides=True,
    )
    chart.x_labels = data["labels"]
    chart.x_labels_major = data["labels"][::3]
    if series:  # pygal fails on y_labels without any series (no store connected yet)
        top = max([sum(col) for col in zip(*(v for _label, v in series), strict=True)] or [0])
        step = max(1, -(-top // 4))
        chart.y_labels = list(range(0, max(top, 1) + step, step))
    for label, values in series:
        chart.add(label, values)
    # js=[] loads no script file, but pygal still writes an inline config <script>: drop it
    return _SCRIPT.sub("", chart.render(is_unicode=True))


def orders_svg(data: dict) -> str:
    """Orders imported per hour, stacked by store (server-side SVG, no JavaScript)."""
    return _bars(data, list(data["orders"].items()), stacked=True, height=220)


def failures_svg(data: dict, webhook_label: str, push_label: str) -> str:
    """Webhook failures and failed pushes per hour."""
    series = [(webhook_label, data["webhook_failures"]), (push_label, data["push_failures"])]
    return _bars(data, series, stacked=True, height=220, width=450, colors=FAILURE_COLORS)


def legend(labels: list[str], colors=COLORS) -> list[tuple[str, str]]:
    """[(label, colour)] in pygal's series order, for an HTML legend beside a chart."""
    return [(label, colors[i % len(colors)]) for i, label in enumerate(labels)]
