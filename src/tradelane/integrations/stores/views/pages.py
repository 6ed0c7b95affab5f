"""Screens of the store integrations (mounted in the web app, names ``web:dispatch...`` and
``web:stores...``): the dispatch center (调度中心) and the store connection screens.

Thin: reads through ``dispatch`` (selectors), writes through ``dispatch_services`` and
``services``; refused actions answer with the error in the user's language.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from tradelane.accounts.roles import P
from tradelane.core import errors
from tradelane.core.models import Job, OutboxMessage
from tradelane.inventory.models import Warehouse
from tradelane.orders.models import Store
from tradelane.orders.services import ORDER_PRIORITY_MAX
from tradelane.orders.states import PaymentStatus
from tradelane.web import labels

from .. import services
from ..contract import platforms
from ..dispatch import selectors as dispatch
from ..dispatch import services as dispatch_services
from ..models import StoreConnection, SyncRun, WebhookDelivery
from ..settings_schema import settings_of

PAGE_SIZE = 25

ERRORS = {
    "not_failed": gettext_lazy("Only a failed row can be tried again; this one is not failed."),
    "not_dead": gettext_lazy("Only a dead message can be replayed; this one is not dead."),
    "disconnected": gettext_lazy("The store is disconnected: connect it first."),
    "already_connected": gettext_lazy("The store is connected already."),
    "missing_credentials": gettext_lazy("Some credentials are missing."),
    "unsupported_platform": gettext_lazy("There is no connector for this platform."),
    "invalid_settings": gettext_lazy("Some settings are not valid."),
    "required": gettext_lazy("The shop domain is required."),
    "not_found": gettext_lazy("Not found (it may have been deleted)."),
}

TAB_LABELS = {
    "runs": gettext_lazy("Sync runs"),
    "webhooks": gettext_lazy("Webhooks"),
    "outbox": gettext_lazy("Pushes (outbox)"),
    "jobs": gettext_lazy("Tasks"),
    "tracking": gettext_lazy("Tracking webhooks"),
}
STATUS_OPTIONS = {
    "runs": SyncRun.Status.values,
    "webhooks": WebhookDelivery.Status.values,
    "outbox": OutboxMessage.Status.values,
    "jobs": Job.Status.values,
    "tracking": ["received", "processed", "ignored", "failed"],
}
STATUS_LABELS = {
    "running": gettext_lazy("running"),
    "succeeded": gettext_lazy("succeeded"),
    "failed": gettext_lazy("failed"),
    "received": gettext_lazy("received"),
    "processed": gettext_lazy("processed"),
    "ignored": gettext_lazy("ignored"),
    "pending": gettext_lazy("pending"),
    "sent": gettext_lazy("sent"),
    "dead": gettext_lazy("dead"),
    "queued": gettext_lazy("queued"),
    "done": gettext_lazy("done"),
    "connected": gettext_lazy("connected"),
    "disconnected": gettext_lazy("disconnected"),
    "error": gettext_lazy("error"),
}
KIND_LABELS = {
    "import": gettext_lazy("import"),
    "reconcile": gettext_lazy("reconcile"),
    "push": gettext_lazy("stock push"),
}
SINCE_OPTIONS = (
    (1, gettext_lazy("Last hour")),
    (24, gettext_lazy("Last 24 hours")),
    (168, gettext_lazy("Last 7 days")),
    (0, gettext_lazy("Any time")),
)
PLATFORM_LABELS = {"shopify": "Shopify", "woocommerce": "WooCommerce", "amazon": "Amazon"}
# credential fields per platform: (key, label, secret)
CREDENTIAL_FIELDS = {
    "shopify": [
        ("access_token", gettext_lazy("Admin API access token"), True),
        ("client_id", gettext_lazy("Client ID (Dev Dashboard app, instead of a token)"), False),
        ("client_secret", gettext_lazy("Client secret (Dev Dashboard app)"), True),
        ("webhook_secrets", gettext_lazy("Webhook signing secret"), True),
    ],
    "woocommerce": [
        ("consumer_key", gettext_lazy("Consumer key"), True),
        ("consumer_secret", gettext_lazy("Consumer secret"), True),
        ("webhook_secrets", gettext_lazy("Webhook secret"), True),
    ],
    "amazon": [
        ("client_id", gettext_lazy("LWA client id"), False),
        ("client_secret", gettext_lazy("LWA client secret"), True),
        ("refresh_token", gettext_lazy("Refresh token"), True),
    ],
}
SETTING_LABELS = {
    "import_statuses": gettext_lazy("Payment statuses to import"),
    "warehouse_priority": gettext_lazy("Warehouse priority"),
    "ioss_number": gettext_lazy("IOSS number"),
    "push_stock": gettext_lazy("Push stock levels"),
    "sync_interval_minutes": gettext_lazy("Sync every (minutes)"),
    "alert_after_minutes": gettext_lazy("Alert when not synced for (minutes)"),
}
SETTING_ERRORS = {
    "ioss_number": gettext_lazy("An IOSS number is IM followed by 10 digits."),
    "sync_interval_minutes": gettext_lazy("Enter a whole number from 1 to 1440."),
    "alert_after_minutes": gettext_lazy("Enter a whole number from 5 to 10080."),
    "import_statuses": gettext_lazy("Choose known payment statuses."),
    "warehouse_priority": gettext_lazy("Unknown warehouse codes: %(codes)s"),
    "order_priority": gettext_lazy("Enter a whole number from 0 to 32767."),
}


def _error_dict(exc: errors.DomainError) -> dict:
    label = ERRORS.get(exc.code)
    if label is not None:
        return {"code": exc.code, "message": str(label), "detail": exc.message}
    return labels.domain_error(exc)


def _perm(user, *perms) -> None:
    if not any(user.has_perm(p) for p in perms):
        raise PermissionDenied(perms[0])


def status_label(value: str) -> str:
    return str(STATUS_LABELS.get(value, value))


# --- the dispatch center --------------------------------------------------------------------


def _filters(request, tab: str) -> tuple[dispatch.ListFilters, int]:
    get = request.GET
    try:
        store = int(get.get("store") or 0) or None
    except ValueError:
        store = None
    status = get.get("status") or ""
    if status not in STATUS_OPTIONS.get(tab, ()):
        status = ""
    try:
        since = int(get.get("since", 24))
    except ValueError:
        since = 24
    if since not in {s for s, _label in SINCE_OPTIONS}:
        since = 24
    topic = (get.get("topic") or "").strip()[:64]
    return dispatch.ListFilters(store=store, status=status, since_hours=since or None,
                                topic=topic), since  # fmt: skip


def _rows(tab: str, page, store_names: dict) -> list[dict]:
    rows = []
    for obj in page.object_list:
        row = {"obj": obj, "status": obj.status, "status_label": status_label(obj.status)}
        if tab == "runs":
            row["duration"] = (
                round((obj.finished_at - obj.started_at).total_seconds(), 1)
                if obj.finished_at
                else None
            )
            row["kind_label"] = KIND_LABELS.get(obj.kind, obj.kind)
            row["can_retry"] = obj.status == SyncRun.Status.FAILED
        elif tab == "webhooks":
            row["can_replay"] = obj.status in dispatch_services.REPLAYABLE_WEBHOOKS
        elif tab == "outbox":
            row["can_replay"] = obj.status == OutboxMessage.Status.DEAD
            store_id = (obj.payload or {}).get("store_id")
            row["store_code"] = store_names.get(store_id) if isinstance(store_id, int) else ""
        rows.append(row)
    return rows


def _tab_context(request, tab: str, now) -> dict:
    if tab not in dispatch.TABS:
        tab = "runs"
    filters, since = _filters(request, tab)
    qs = dispatch.LISTS[tab](filters, now)
    if qs is None:
        tab = "runs"
        qs = dispatch.LISTS[tab](filters, now)
    counts = dispatch.tab_counts(filters, now)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    store_names = dict(Store.objects.values_list("id", "code"))
    tabs = [
        {"key": t, "label": TAB_LABELS[t], "count": c["total"], "attention": c["attention"]}
        for t, c in counts.items()
    ]
    return {
        "tab": tab,
        "tabs": tabs,
        "rows": _rows(tab, page, store_names),
        "page": page,
        "filters": filters,
        "since": since,
        "since_options": SINCE_OPTIONS,
        "status_options": [(s, status_label(s)) for s in STATUS_OPTIONS[tab]],
        "stores": Store.objects.filter(connection__isnull=False).order_by("code"),
        "store_names": store_names,
        "can_operate": request.user.has_perm(P.DISPATCH_OPERATE),
    }


def _summary_context(request, now) -> dict:
    panels = dispatch.store_panels(now)
    for p in panels:
        p.platform_label = PLATFORM_LABELS.get(p.connection.platform, p.connection.platform)
    data = dispatch.hourly(now)
    return {
        "panels": panels,
        "alerts": [p for p in panels if p.alert],
        "orders_chart": mark_safe(dispatch.orders_svg(data)),  # noqa: S308 - pygal's own SVG
        "failures_chart": mark_safe(  # noqa: S308
            dispatch.failures_svg(data, _("Webhook failures"), _("Failed pushes"))
        ),
        "orders_legend": dispatch.legend(list(data["orders"])),
        "failures_legend": dispatch.legend(
            [_("Webhook failures"), _("Failed pushes")], dispatch.FAILURE_COLORS
        ),
        "orders_24h": sum(sum(v) for v in data["orders"].values()),
        "failures_24h": sum(data["webhook_failures"]) + sum(data["push_failures"]),
        "now": now,
        "can_operate": request.user.has_perm(P.DISPATCH_OPERATE),
        "can_push_stock": request.user.has_perm(P.DISPATCH_OPERATE),
        "platform_labels": PLATFORM_LABELS,
    }


@login_required
@require_GET
def dispatch_page(request):
    _perm(request.user, P.DISPATCH_VIEW)
    now = timezone.now()
    tab = request.GET.get("tab") or "runs"
    context = {
        "title": _("Dispatch center"),
        **_summary_context(request, now),
        **_tab_context(request, tab, now),
    }
    return render(request, "stores/dispatch.html", context)


@login_required
@require_GET
def dispatch_tab(request):
    _perm(request.user, P.DISPATCH_VIEW)
    context = _tab_context(request, request.GET.get("tab") or "runs", timezone.now())
    return render(request, "stores/_dispatch_tab.html", context)


@login_required
@require_GET
def dispatch_summary(request):
    _perm(request.user, P.DISPATCH_VIEW)
    return render(
        request, "stores/_dispatch_summary.html", _summary_context(request, timezone.now())
    )


@login_required
@require_GET
def dispatch_payload(request, kind: str, pk: int):
    _perm(request.user, P.DISPATCH_VIEW)
    if kind == "webhook":
        row = get_object_or_404(WebhookDelivery, pk=pk)
        title = f"{row.topic} · {row.delivery_id}"
        text = dispatch.payload_text(row.body)
        meta = {"headers": row.headers, "error": row.error}
    elif kind == "outbox":
        row = get_object_or_404(OutboxMessage, pk=pk)
        title = f"{row.topic} · #{row.pk}"
        text = dispatch.payload_text(row.payload)
        meta = {"dedupe_key": row.dedupe_key, "error": row.last_error}
    elif kind == "job":
        row = get_object_or_404(Job, pk=pk)
        title = f"{row.kind} · #{row.pk}"
        text = dispatch.payload_text({"params": row.params, "result": row.result})
        meta = {"error": row.error}
    elif kind == "tracking":
        model = dispatch.inbound_tracking_model()
        row = model.objects.filter(pk=pk).first() if model else None
        if row is None:
            raise Http404
        title = f"{row.source} · {row.delivery_id}"
        text = dispatch.payload_text(row.body)
        meta = {"headers": row.headers, "error": row.error}
    elif kind == "run":
        row = get_object_or_404(SyncRun, pk=pk)
        title = f"{row.kind} · #{row.pk}"
        text = row.error or _("No error.")
        meta = {"cursor_before": row.cursor_before, "cursor_after": row.cursor_after}
    else:
        raise Http404
    if "headers" in meta:
        meta["headers"] = dispatch.payload_text(meta["headers"])
    return render(
        request, "stores/_payload.html", {"title": title, "text": text, "meta": meta, "kind": kind}
    )


ACTIONS = {
    "sync_now": (dispatch_services.sync_now, gettext_lazy("Sync queued for the store.")),
    "retry_run": (dispatch_services.retry_run, gettext_lazy("Sync queued again.")),
    "push_stock": (
        dispatch_services.push_stock_now,
        gettext_lazy("Stock push queued for the store."),
    ),
    "replay_webhook": (
        dispatch_services.replay_webhook,
        gettext_lazy("Webhook queued to be processed again from its stored body."),
    ),
    "replay_outbox": (
        dispatch_services.replay_outbox,
        gettext_lazy("Message queued to send again."),
    ),
}


@login_required
@require_POST
def dispatch_action(request):
    name = request.POST.get("action", "")
    if name not in ACTIONS:
        raise Http404
    try:
        pk = int(request.POST.get("id") or 0)
    except ValueError:
        pk = 0
    fn, done = ACTIONS[name]
    try:
        fn(request.user, pk)
    except errors.DomainError as exc:
        response = render(
            request, "web/_alert.html", {"error": _error_dict(exc)}, status=exc.status
        )
        return response
    response = HttpResponse(
        format_html('<div class="alert alert-success" role="status">{}</div>', done)
    )
    response["HX-Trigger"] = "dispatchChanged"
    if not request.htmx:
        return redirect(reverse("web:dispatch"))
    return response


# --- store connections ----------------------------------------------------------------------


def _mask(connection: StoreConnection) -> list[tuple[str, str]]:
    """(label, ••••last4) for each credential; never the whole secret."""
    try:
        creds = connection.credentials()
    except Exception:  # noqa: BLE001 - a key rotated away: show that, not a 500
        return [(_("Credentials"), _("cannot be read"))]
    out = []
    for key, label, _secret in CREDENTIAL_FIELDS.get(connection.platform, []):
        value = creds.get(key)
        if isinstance(value, list):
            value = value[0] if value else ""
        value = str(value or "")
        out.append((str(label), ("••••" + value[-4:]) if value else "—"))
    return out


@login_required
@require_GET
def stores_page(request):
    _perm(request.user, P.DISPATCH_VIEW, P.STORE_MANAGE)
    now = timezone.now()
    panels = {p.connection.store_id: p for p in dispatch.store_panels(now)}
    rows = []
    for store in Store.objects.order_by("code"):
        panel = panels.get(store.pk)
        rows.append(
            {
                "store": store,
                "panel": panel,
                "conn": panel.connection if panel else None,
                "masked": _mask(panel.connection) if panel else [],
                "supported": store.platform in platforms(),
            }
        )
    return render(
        request,
        "stores/stores.html",
        {
            "title": _("Stores"),
            "rows": rows,
            "can_manage": request.user.has_perm(P.STORE_MANAGE),
            "can_operate": request.user.has_perm(P.DISPATCH_OPERATE),
            "platform_labels": PLATFORM_LABELS,
        },
    )


def _settings_form(request, connection=None) -> tuple[dict, dict]:
    """(raw settings, field errors) from the POSTed settings form."""
    post = request.POST
    errs: dict[str, str] = {}
    raw: dict = {}
    raw["import_statuses"] = [s for s in post.getlist("import_statuses") if s]
    codes = [
        c.strip().upper() for c in post.get("warehouse_priority", "").replace("，", ",").split(",")
    ]
    codes = [c for c in codes if c]
    known = set(Warehouse.objects.filter(code__in=codes).values_list("code", flat=True))
    unknown = [c for c in codes if c not in known]
    if unknown:
        errs["warehouse_priority"] = str(SETTING_ERRORS["warehouse_priority"]) % {
            "codes": ", ".join(unknown)
        }
    raw["warehouse_priority"] = codes
    raw["ioss_number"] = post.get("ioss_number", "").strip()
    raw["push_stock"] = post.get("push_stock") == "on"
    for key in ("sync_interval_minutes", "alert_after_minutes"):
        value = post.get(key, "").strip()
        try:
            raw[key] = int(value)
        except ValueError:
            errs[key] = str(SETTING_ERRORS[key])
    # every problem at once: the schema's own checks too (the service checks them again)
    from ..settings_schema import clean_settings

    base = dict(connection.settings or {}) if connection is not None else {}
    try:
        clean_settings({**base, **{k: v for k, v in raw.items() if k not in errs}})
    except errors.ValidationFailed as exc:
        errs = {**_field_errors(exc), **errs}
    return raw, errs


def _field_errors(exc: errors.ValidationFailed) -> dict[str, str]:
    out = {}
    for e in (exc.details or {}).get("errors", []):
        key = e.get("field", "").split(".")[0]
        out[key] = str(SETTING_ERRORS.get(key, e.get("message", "")))
    return out


def _settings_context(values: dict) -> dict:
    return {
        "values": values,
        "payment_statuses": [(s.value, labels_payment(s.value)) for s in PaymentStatus],
        "warehouses": Warehouse.objects.order_by("priority", "code").values_list("code", "name"),
        "setting_labels": SETTING_LABELS,
    }


PAYMENT_LABELS = {
    "pending": gettext_lazy("payment pending"),
    "authorized": gettext_lazy("authorized"),
    "paid": gettext_lazy("paid"),
    "partially_refunded": gettext_lazy("partially refunded"),
    "refunded": gettext_lazy("refunded"),
    "voided": gettext_lazy("voided"),
}


def labels_payment(value: str) -> str:
    return str(PAYMENT_LABELS.get(value, value))


@login_required
def store_connect(request, store_id: int):
    _perm(request.user, P.STORE_MANAGE)
    store = Store.objects.filter(pk=store_id).first()
    if store is None:
        raise Http404
    conn = StoreConnection.objects.filter(store=store).first()
    fields = CREDENTIAL_FIELDS.get(store.platform, [])
    values = settings_of(conn).model_dump() if conn else dispatch_defaults()
    errs: dict[str, str] = {}
    error = None
    form = {
        "shop_domain": conn.shop_domain if conn else "",
        "base_url": conn.base_url if conn else "",
    }
    if request.method == "POST":
        form = {
            "shop_domain": request.POST.get("shop_domain", "").strip(),
            "base_url": request.POST.get("base_url", "").strip(),
        }
        creds = {}
        for key, _label, _secret in fields:
            value = request.POST.get(key, "").strip()
            if value:
                creds[key] = [value] if key == "webhook_secrets" else value
        if store.platform == "amazon" and request.POST.get("lwa_endpoint", "").strip():
            creds["lwa_endpoint"] = request.POST["lwa_endpoint"].strip()
        raw, errs = _settings_form(request)
        values = {**values, **raw}
        if not errs:
            try:
                services.connect(
                    request.user,
                    store,
                    shop_domain=form["shop_domain"],
                    base_url=form["base_url"],
                    credentials=creds,
                    settings={**(conn.settings if conn else {}), **raw},
                    onboard=True,
                )
            except errors.ValidationFailed as exc:
                errs = _field_errors(exc)
                error = _error_dict(exc)
                missing = (exc.details or {}).get("missing") or []
                for key in missing:
                    errs[key] = str(ERRORS["missing_credentials"])
            except errors.DomainError as exc:
                error = _error_dict(exc)
            else:  # start reading its locations and catalog (views/catalog.py), then land
                # on what the test call proved (the health page links to the catalog's progress)
                saved = StoreConnection.objects.get(store=store)
                _start_catalog_import(request, store)
                return redirect("web:store_health", pk=saved.pk)
    return render(
        request,
        "stores/connect.html",
        {
            "title": _("Connect a store"),
            "store": store,
            "conn": conn,
            "fields": fields,
            "form": form,
            "errors": errs,
            "error": error,
            "platform_label": PLATFORM_LABELS.get(store.platform, store.platform),
            **_settings_context(values),
        },
        status=422 if (errs or error) and request.method == "POST" else 200,
    )


def _start_catalog_import(request, store: Store):
    from ..onboarding import catalog_import

    conn = StoreConnection.objects.get(store=store)
    try:
        catalog_import.start(request.user, conn)
    except errors.DomainError:
        return redirect("web:stores")
    return redirect("web:store_catalog", pk=conn.pk)


def dispatch_defaults() -> dict:
    from ..settings_schema import clean_settings

    return clean_settings({})


@login_required
def store_settings(request, pk: int):
    _perm(request.user, P.STORE_MANAGE)
    conn = StoreConnection.objects.select_related("store").filter(pk=pk).first()
    if conn is None:
        raise Http404
    values = settings_of(conn).model_dump()
    errs: dict[str, str] = {}
    error = None
    automation = _automation_values(conn.store)
    if request.method == "POST":
        raw, errs = _settings_form(request, conn)
        posted, automation_errs = _automation_form(request)
        if posted is not None:  # the form's automation section was sent
            automation = posted
        errs.update(automation_errs)
        values = {**values, **raw}
        if not errs:
            try:
                services.update_settings(request.user, conn, raw, automation=posted)
            except errors.ValidationFailed as exc:
                errs = _field_errors(exc)
                error = _error_dict(exc)
            except errors.DomainError as exc:
                error = _error_dict(exc)
            else:
                from django.contrib import messages

                messages.success(request, _("Settings saved."))
                return redirect("web:stores")
        if errs and error is None:
            error = {
                "code": "invalid_settings",
                "message": str(ERRORS["invalid_settings"]),
                "detail": "",
            }
    return render(
        request,
        "stores/settings.html",
        {
            "title": _("Store settings"),
            "conn": conn,
            "store": conn.store,
            "errors": errs,
            "error": error,
            "masked": _mask(conn),
            "platform_label": PLATFORM_LABELS.get(conn.platform, conn.platform),
            "automation": automation,
            **_settings_context(values),
        },
        status=422 if errs or error else 200,
    )


def _automation_values(store: Store) -> dict:
    return {
        "auto_allocate": store.auto_allocate,
        "auto_ship": store.auto_ship,
        "order_priority": store.order_priority,
    }


def _automation_form(request) -> tuple[dict | None, dict[str, str]]:
    """(the store's automation switches, field errors) from the POSTed settings form; None
    when the form had no automation section (its checkboxes would read as "off")."""
    post = request.POST
    errs: dict[str, str] = {}
    if post.get("automation_form") != "1":
        return None, errs
    raw = post.get("order_priority", "").strip()
    try:
        priority = int(raw)
    except ValueError:
        priority = raw
    if not isinstance(priority, int) or not 0 <= priority <= ORDER_PRIORITY_MAX:
        errs["order_priority"] = str(SETTING_ERRORS["order_priority"])
    values = {
        "auto_allocate": post.get("auto_allocate") == "on",
        "auto_ship": post.get("auto_ship") == "on",
        "order_priority": priority,
    }
    return values, errs


@login_required
@require_POST
def store_disconnect(request, pk: int):
    _perm(request.user, P.STORE_MANAGE)
    conn = StoreConnection.objects.select_related("store").filter(pk=pk).first()
    if conn is None:
        raise Http404
    from django.contrib import messages

    try:
        services.disconnect(request.user, conn, request.POST.get("reason", "").strip())
    except errors.DomainError as exc:
        messages.error(request, _error_dict(exc)["message"])
    else:
        messages.success(request, _("Store disconnected."))
    return redirect("web:stores")


@login_required
@require_POST
def store_sync(request, pk: int):
    from django.contrib import messages

    try:
        dispatch_services.sync_now(request.user, pk)
    except errors.PermissionDenied as exc:
        raise PermissionDenied(exc.message) from exc
    except errors.DomainError as exc:
        messages.error(request, _error_dict(exc)["message"])
    else:
        messages.success(request, _("Sync queued for the store."))
    return redirect("web:stores")
