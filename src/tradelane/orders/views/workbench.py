"""The order workbench (订单处理): tabs by status, filters, bulk work with progress, order page."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, F, Prefetch
from django.db.models.fields.json import KT
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from tradelane.accounts.roles import P
from tradelane.catalog.models import Sku
from tradelane.core import errors, jobs
from tradelane.core.errors import DomainError, ValidationFailed
from tradelane.core.models import Job
from tradelane.core.selectors import jobs_of
from tradelane.inventory.models import Warehouse
from tradelane.orders import automation, importing, selectors, services
from tradelane.orders import jobs as order_jobs
from tradelane.orders.models import Order, OrderLine, Package
from tradelane.orders.states import OPEN_STATES, REVIEWABLE_STATES, TRANSITIONS
from tradelane.orders.states import OrderStatus as S
from tradelane.web import labels
from tradelane.web.code_labels import country_label
from tradelane.web.views.guards import int_or_none, permission_required, render_error

from . import order_files
from . import split as split_form
from .order_edit import edit_form, with_edits
from .order_shipments import shipments_panel

PAGE_SIZE = 50
MAX_BULK = 2000  # orders per bulk action (a page is 50; "select all" stays far below this)

# --- the workbench --------------------------------------------------------------------------


@dataclass
class Filters:
    status: str = ""  # "" = all statuses
    store: int | None = None
    country: str = ""
    q: str = ""
    placed_from: dt.date | None = None
    placed_to: dt.date | None = None
    stopped: bool = False  # only the orders the automation stopped
    problems: list[str] = field(default_factory=list)

    @property
    def active(self) -> bool:
        return bool(
            self.store
            or self.country
            or self.q
            or self.placed_from
            or self.placed_to
            or self.stopped
        )

    def selector_kwargs(self, *, with_status: bool = True) -> dict:
        return {
            "status": self.status or None if with_status else None,
            "store_id": self.store,
            "country": self.country or None,
            "q": self.q or None,
            "placed_from": self.placed_from,
            "placed_to": self.placed_to,
            "stopped": self.stopped,
        }


def _date(value: str, problems: list[str], what: str) -> dt.date | None:
    value = (value or "").strip()
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        problems.append(_("%(field)s is not a date (YYYY-MM-DD).") % {"field": what})
        return None


def default_status(user) -> str:
    """The tab a role opens first: the orders waiting for it."""
    if user.has_perm(P.ORDER_REVIEW):
        return S.PENDING_REVIEW
    if user.has_perm(P.ORDER_ALLOCATE):
        return S.APPROVED
    return ""


def parse_filters(request) -> Filters:
    get = request.GET
    problems: list[str] = []
    status = get.get("status")
    if status is None:
        status = default_status(request.user)
    if status not in S.values:
        status = ""
    country = (get.get("country") or "").strip().upper()[:2]
    return Filters(
        status=status,
        store=int_or_none(get.get("store")),
        country=country,
        q=(get.get("q") or "").strip()[:100],
        placed_from=_date(get.get("from", ""), problems, _("From")),
        placed_to=_date(get.get("to", ""), problems, _("To")),
        stopped=get.get("stopped") == "1",
        problems=problems,
    )


def _tab_counts(user, filters: Filters) -> dict[str, int]:
    if not filters.active:
        return selectors.status_counts(user)
    counts = dict.fromkeys(S.values, 0)
    rows = (
        selectors.orders_for(user, **filters.selector_kwargs(with_status=False))
        .order_by()
        .values("status")
        .annotate(n=Count("id"))
    )
    for row in rows:
        counts[row["status"]] = row["n"]
    return counts


def _bulk_actions(user) -> list[dict]:
    actions = []
    if user.has_perm(P.ORDER_REVIEW):
        actions += [
            {"name": "approve", "label": _("Approve"), "key": "a"},
            {"name": "review", "label": _("Re-run review"), "key": "r"},
            {"name": "invalid", "label": _("Mark invalid"), "key": "i", "danger": True},
        ]
    if user.has_perm(P.ORDER_ALLOCATE):
        actions.append({"name": "allocate", "label": _("Allocate stock"), "key": "l"})
    if user.has_perm(P.ORDER_MERGE_SPLIT):
        actions.append({"name": "merge", "label": _("Merge"), "key": "m"})
    return actions


def _open_packages(order_ids: list[int]) -> dict[int, list[Package]]:
    """{order id: its open packages} for a page of orders, in one query."""
    out: dict[int, list[Package]] = {}
    if not order_ids:
        return out
    rows = (
        Package.objects.filter(
            status=Package.Status.OPEN, lines__order_line__order_id__in=order_ids
        )
        .annotate(order_id=F("lines__order_line__order_id"))
        .order_by("pk")
        .distinct()
    )
    for package in rows:  # one row per (package, order)
        out.setdefault(package.order_id, []).append(package)
    return out


def _tab_with_hits(filters: Filters, counts: dict[str, int]) -> str | None:
    """A search that finds nothing on the open tab but something on others moves to them: the
    one tab holding every hit, or All when they spread over several. None: stay where you are."""
    if not filters.q or not filters.status or counts.get(filters.status, 0):
        return None
    with_hits = [s for s, n in counts.items() if n]
    if not with_hits:
        return None
    if len(with_hits) == 1 and with_hits[0] in labels.STATUS_TABS:
        return with_hits[0]
    return ""


@permission_required(P.ORDER_VIEW)
def workbench(request):
    user = request.user
    filters = parse_filters(request)
    counts = _tab_counts(user, filters)
    searched_tab = filters.status
    moved_to = _tab_with_hits(filters, counts)
    if moved_to is not None:
        filters.status = moved_to
    qs = selectors.orders_for(user, **filters.selector_kwargs()).prefetch_related(
        Prefetch(
            "lines",
            queryset=OrderLine.objects.only(
                "id", "order_id", "line_no", "store_sku", "store_quantity", "quantity", "sku_id"
            ),
        )
    )
    page_number = None if moved_to is not None else request.GET.get("page")
    page = Paginator(qs, PAGE_SIZE).get_page(page_number)
    tabs = [{"status": "", "label": _("All"), "count": sum(counts.values())}]
    tabs += [
        {"status": s, "label": labels.status_label(s), "count": counts.get(s, 0)}
        for s in labels.STATUS_TABS
    ]
    rows = []
    packages = _open_packages([o.pk for o in page.object_list])
    for order in page.object_list:
        seen: dict[str, int] = {}
        for line in order.lines.all():
            seen.setdefault(line.store_sku, line.store_quantity)
        problems = [
            {
                "code": v.get("code"),
                "result": v.get("result"),
                "text": labels.verdict_text(v["code"]),
            }
            for v in (order.review or [])
            if v.get("result") != "pass"
        ]
        rows.append(
            {
                "order": order,
                "items": list(seen.items()),
                "problems": problems,
                "packages": packages.get(order.pk, []),
                "stopped": order.automation_stopped_at is not None and order.status in OPEN_STATES,
            }
        )
    context = {
        "title": _("Order workbench"),
        "filters": filters,
        "tabs": tabs,
        "page": page,
        "rows": rows,
        "stores": selectors.stores_for(user) if not request.htmx else [],
        "bulk_actions": _bulk_actions(user),
        "status_labels": labels.STATUS,
        "can_import": user.has_perm(P.ORDER_ADD),
        "moved_from": labels.status_label(searched_tab) if moved_to is not None else "",
        "moved_to": labels.status_label(moved_to) if moved_to else "",
        "stopped_count": selectors.stopped_count(user),
    }
    if request.htmx and request.htmx.target == "workbench":
        response = render(request, "orders/workbench.html#workbench", context)
    else:
        response = render(request, "orders/workbench.html", context)
    if moved_to is not None:  # the address bar shows the tab the hits are on
        query = request.GET.copy()
        query["status"] = moved_to
        query.pop("page", None)
        url = f"{reverse('web:orders')}?{query.urlencode()}"
        if request.htmx:
            response["HX-Push-Url"] = url
    return response


# --- bulk work with progress ----------------------------------------------------------------

BULK = {
    "approve": (order_jobs.APPROVE, P.ORDER_REVIEW),
    "review": (order_jobs.REVIEW, P.ORDER_REVIEW),
    "invalid": (order_jobs.INVALID, P.ORDER_REVIEW),
    "allocate": (order_jobs.ALLOCATE, P.ORDER_ALLOCATE),
}

JOB_TITLE = {
    order_jobs.APPROVE: gettext_lazy("Bulk approve"),
    order_jobs.REVIEW: gettext_lazy("Bulk re-review"),
    order_jobs.INVALID: gettext_lazy("Bulk mark invalid"),
    order_jobs.ALLOCATE: gettext_lazy("Bulk stock allocation"),
    importing.JOB_KIND: gettext_lazy("Import orders"),
    "logistics.rate_shop": gettext_lazy("Bulk rate shopping"),
}


@require_POST
@login_required
def bulk(request):
    action = request.POST.get("action", "")
    if action not in BULK and action != "merge":
        return render_error(request, ValidationFailed("unknown action", code="unknown_action"))
    job_kind, perm = BULK.get(action, (None, P.ORDER_MERGE_SPLIT))
    if not request.user.has_perm(perm):
        if request.htmx:  # an in-place message, not a whole 403 page inside the job box
            return render_error(request, errors.PermissionDenied(perm))
        raise PermissionDenied(perm)
    ids = sorted({i for i in map(int_or_none, request.POST.getlist("ids")) if i})
    if action == "merge":
        return _merge(request, ids)
    reason = (request.POST.get("reason") or "").strip()
    try:
        if not ids:
            raise ValidationFailed("select at least one order", code="nothing_selected")
        if len(ids) > MAX_BULK:
            raise ValidationFailed("too many orders", code="too_many_selected")
        if job_kind == order_jobs.INVALID and not reason:
            raise ValidationFailed("Give a reason", code="reason_required")
        job = jobs.start(
            request.user, job_kind, {"order_ids": ids, "reason": reason}, total=len(ids)
        )
    except DomainError as exc:
        if not request.htmx:
            messages.error(request, labels.domain_error(exc)["message"])
            return redirect(_back(request))
        return render_error(request, exc)
    if not request.htmx:
        return redirect(f"{reverse('web:job', args=[job.pk])}")
    return job_response(request, job_row(request.user, job.pk))


def _merge(request, ids: list[int]):
    """Merge the selected orders into one parcel, at once (one all-or-nothing service call)."""
    user = request.user
    try:
        if len(ids) > MAX_BULK:
            raise ValidationFailed("too many orders", code="too_many_selected")
        package = services.merge_orders(user, ids)
    except DomainError as exc:
        error = _explained(user, exc)
        if not request.htmx:
            messages.error(request, error["message"])
            return redirect(_back(request))
        return render(request, "web/_alert.html", {"error": error}, status=exc.status)
    orders = list(selectors.orders_for(user).filter(pk__in=ids).order_by("pk"))
    text = _("Merged %(orders)s into parcel %(package)s, shipping from %(warehouse)s.") % {
        "orders": ", ".join(map(str, orders)),
        "package": package,
        "warehouse": f"{package.warehouse.code} {package.warehouse.name}",
    }
    if not request.htmx:
        messages.success(request, text)
        return redirect(_back(request))
    response = render(request, "orders/_merged.html", {"package": package, "orders": orders})
    response["HX-Trigger"] = "ordersChanged"
    return response


def _explained(user, exc: DomainError) -> dict:
    """``labels.domain_error`` with the specifics a person needs: which orders, which SKUs."""
    error = labels.domain_error(exc)
    details = exc.details if isinstance(exc.details, dict) else {}
    if exc.code == "merge_wrong_status" and details.get("order_ids"):
        found = selectors.orders_for(user).filter(pk__in=details["order_ids"]).order_by("pk")
        error["detail"] = ", ".join(
            _("%(order)s: %(status)s") % {"order": o, "status": labels.status_label(o.status)}
            for o in found
        )
    elif exc.code == "insufficient_stock" and details.get("shortage"):
        error["detail"] = "; ".join(_shortage_text(details["shortage"]))
    elif exc.code == "insufficient_stock" and details.get("sku_ids"):
        codes = dict(Sku.objects.filter(pk__in=details["sku_ids"]).values_list("pk", "code"))
        error["detail"] = _("Short of: %(skus)s") % {
            "skus": ", ".join(codes.get(i, str(i)) for i in details["sku_ids"])
        }
    return error


def _shortage_text(shortage: list[dict]) -> list[str]:
    sku_ids = {s.get("sku_id") for s in shortage}
    wh_ids = {s.get("warehouse_id") for s in shortage if s.get("warehouse_id")}
    codes = dict(Sku.objects.filter(pk__in=sku_ids).values_list("pk", "code"))
    warehouses = dict(Warehouse.objects.filter(pk__in=wh_ids).values_list("pk", "code"))
    return [
        _("%(sku)s: %(needed)s needed, %(available)s available in %(warehouse)s")
        % {
            "sku": codes.get(s.get("sku_id"), s.get("sku_id")),
            "needed": s.get("needed"),
            "available": s.get("available"),
            "warehouse": warehouses.get(s.get("warehouse_id"), "—"),
        }
        for s in shortage
    ]


def _back(request) -> str:
    target = request.POST.get("next") or ""
    if target.startswith("/") and not target.startswith("//"):
        return target
    return reverse("web:orders")


def _job_context(job: Job) -> dict:
    result = job.result if isinstance(job.result, dict) else {}
    refused = [
        {
            "order_id": e.get("order_id"),
            "number": e.get("number"),
            "code": e.get("code"),
            "message": labels.error_text(e.get("code", ""), e.get("message", "")),
        }
        for e in result.get("errors", [])
    ]
    finished = job.status in (Job.Status.DONE, Job.Status.FAILED)
    error = error_detail = ""
    if job.status == Job.Status.FAILED:
        error = (
            labels.error_text(result.get("code", ""), job.error, result.get("details"))
            if result
            else job.error
        )
        error_detail = job.error if error != job.error else ""
    is_import = job.kind == importing.JOB_KIND
    report = None
    if is_import and job.status == Job.Status.DONE:
        report = order_files.report_context(result, getattr(job, "file_format", "") or "")
    return {
        "job": job,
        "job_title": JOB_TITLE.get(job.kind, job.kind),
        "percent": job.percent,
        "finished": finished,
        "counts": [] if is_import else labels.count_items(result),
        "errors": refused,
        "error": error,
        "error_detail": error_detail,
        "is_import": is_import,
        "file_name": getattr(job, "file_name", "") or "",
        "report": report,
    }


def job_response(request, job: Job):
    context = _job_context(job)
    template = "orders/_job.html" if request.htmx else "orders/job_page.html"
    response = render(request, template, context)
    if context["finished"] and request.htmx:
        # The workbench listens for this and reloads its list and tab counts.
        response["HX-Trigger"] = "ordersChanged"
    return response


def job_row(user, pk: int) -> Job | None:
    """The job if ``user`` may follow it (``core.selectors.jobs_of``: the one rule of the API
    and the UI), without its parameters (an import's holds the whole file), with the name and
    format of an import's file."""
    return (
        jobs_of(user)
        .filter(pk=pk)
        .defer("params")
        .annotate(
            file_name=KT("params__filename"),
            file_format=KT("params__format"),
        )
        .first()
    )


@login_required
def job_status(request, pk: int):
    job = job_row(request.user, pk)
    if job is None:  # missing, or someone else's
        raise Http404
    return job_response(request, job)


# --- the order page -------------------------------------------------------------------------


@dataclass(frozen=True)
class Action:
    name: str
    label: str
    perm: str
    from_states: tuple[str, ...]
    needs_reason: bool = False
    danger: bool = False


def _actions() -> list[Action]:
    reviewable = tuple(REVIEWABLE_STATES)
    return [
        Action("approve", _("Approve"), P.ORDER_REVIEW, (S.PENDING_REVIEW, S.PENDING_CONTACT)),
        Action("review", _("Re-run review"), P.ORDER_REVIEW, reviewable),
        Action(
            "contact",
            _("Pending contact"),
            P.ORDER_REVIEW,
            _from(S.PENDING_CONTACT, exclude=(S.PENDING_CONTACT,)),
            needs_reason=True,
        ),
        Action("allocate", _("Allocate stock"), P.ORDER_ALLOCATE, (S.APPROVED, S.PENDING_PURCHASE)),
        Action("deallocate", _("Release stock"), P.ORDER_ALLOCATE, (S.PENDING_SHIPMENT,)),
        Action("ship", _("Mark shipped"), P.ORDER_ALLOCATE, (S.PENDING_SHIPMENT,)),
        Action("deliver", _("Mark delivered"), P.ORDER_ALLOCATE, (S.SHIPPED,)),
        Action(
            "reopen",
            _("Back to review"),
            P.ORDER_REVIEW,
            (S.PENDING_CONTACT, S.APPROVED, S.INVALID),
        ),
        Action("invalid", _("Mark invalid"), P.ORDER_REVIEW, _from(S.INVALID), True, danger=True),
        Action("cancel", _("Cancel order"), P.ORDER_CANCEL, _from(S.CANCELLED), True, danger=True),
        Action("resume", _("Resume automation"), P.ORDER_ALLOCATE, tuple(OPEN_STATES)),
    ]


def _from(target: str, exclude: tuple[str, ...] = ()) -> tuple[str, ...]:
    """States the transition table lets reach ``target``."""
    return tuple(s for s, allowed in TRANSITIONS.items() if target in allowed and s not in exclude)


def allowed_actions(user, order) -> list[Action]:
    return [
        a
        for a in _actions()
        if order.status in a.from_states
        and user.has_perm(a.perm)
        and (a.name != "resume" or order.automation_stopped_at is not None)
    ]


def _run_action(user, order, action: str, reason: str) -> str:
    """Do one action; return the success message."""
    if action == "approve":
        services.change_status(user, order, S.APPROVED, reason)
        return _("Order approved.")
    if action == "contact":
        services.change_status(user, order, S.PENDING_CONTACT, reason)
        return _("Order waits for contact with the buyer.")
    if action == "invalid":
        services.change_status(user, order, S.INVALID, reason)
        return _("Order marked invalid.")
    if action == "cancel":
        services.cancel_order(user, order, reason)
        return _("Order cancelled.")
    if action == "reopen":
        services.change_status(user, order, S.PENDING_REVIEW, reason)
        return _("Order is back in review.")
    if action == "deallocate":
        services.change_status(user, order, S.APPROVED, reason)
        return _("Stock released; the order is approved again.")
    if action == "deliver":
        services.change_status(user, order, S.DELIVERED, reason)
        return _("Order marked delivered.")
    if action == "ship":
        services.mark_shipped(user, order, reason)
        return _("Order marked shipped.")
    if action == "review":
        counts = services.review_orders(user, [order.pk])
        return _("Review done: %(result)s.") % {"result": _summary(counts)}
    if action == "allocate":
        counts = services.allocate_orders(user, [order.pk])
        return _("Allocation done: %(result)s.") % {"result": _summary(counts)}
    if action == "resume":
        automation.resume(user, order)
        return _("Automation resumed: the next step runs in a moment.")
    raise ValidationFailed("unknown action", code="unknown_action")


def _summary(counts: dict) -> str:
    items = labels.count_items(counts)
    return ", ".join(f"{label} {n}" for label, n in items) or _("nothing changed")


def _detail_context(request, order, *, split: dict | None = None, edit: dict | None = None) -> dict:
    """The order page. ``split``: the split form as the user left it (``data``, ``error``,
    ``bad_lines``, ``is_open``) when a split was refused; ``edit``: the edit form likewise
    (``data``, ``error``)."""
    user = request.user
    lines = list(order.lines.all())
    sku_by_id = {line.sku_id: line.sku for line in lines if line.sku_id}
    groups: dict[tuple[str, int], list] = {}
    for line in lines:
        groups.setdefault((line.store_sku, line.store_quantity), []).append(line)
    line_groups = [
        {"store_sku": key[0], "store_quantity": key[1], "lines": group, "bundle": len(group) > 1}
        for key, group in groups.items()
    ]
    held = selectors.order_reservations(user, order)
    wh_ids = {wh for (_sku, wh) in held} | {
        s.get("warehouse_id") for s in order.shortage or [] if s.get("warehouse_id")
    }
    warehouses = Warehouse.objects.in_bulk(wh_ids) if wh_ids else {}
    reservations = [
        {
            "sku": sku_by_id.get(sku_id),
            "sku_id": sku_id,
            "warehouse": warehouses.get(wh_id),
            "quantity": qty,
        }
        for (sku_id, wh_id), qty in sorted(held.items())
    ]
    shortage = [
        {
            "sku": sku_by_id.get(s.get("sku_id")),
            "sku_id": s.get("sku_id"),
            "needed": s.get("needed"),
            "available": s.get("available"),
            "warehouse": warehouses.get(s.get("warehouse_id")),
        }
        for s in order.shortage or []
    ]
    verdicts = [
        {
            "rule": str(labels.RULE.get(v.get("rule"), v.get("rule"))),
            "result": v.get("result"),
            "result_label": str(labels.RESULT.get(v.get("result"), v.get("result"))),
            "code": v.get("code"),
            "text": labels.verdict_text(v.get("code", "")),
            "detail": v.get("detail", ""),
        }
        for v in order.review or []
    ]
    events = [
        {
            "event": e,
            "from_label": labels.status_label(e.from_state) if e.field == "status" else "",
            "to_label": _event_label(e),
            "to_class": e.to_state if e.field in ("status", "automation") else "package",
            "reason": labels.event_reason(e.reason),
        }
        for e in selectors.order_history(user, order)
    ]
    events = with_edits(events)
    events.reverse()  # newest first
    packages = _packages(user, order)
    merged = [str(p["package"]) for p in packages if p["open"] and p["others"]]
    actions = allowed_actions(user, order)
    stop = order.automation_stop or {}
    return {
        "title": _("Order %(number)s") % {"number": order},
        "order": order,
        "automation_stop": {
            "step": labels.automation_step(stop.get("step", "")),
            "code": stop.get("code", ""),
            "message": labels.error_text(stop.get("code", ""), stop.get("message", "")),
            "detail": stop.get("message", ""),
            "at": order.automation_stopped_at,
        }
        if order.automation_stopped_at and order.status in OPEN_STATES
        else None,
        "status_label": labels.status_label(order.status),
        "payment_label": labels.PAYMENT.get(order.payment_status, order.payment_status),
        "source_label": labels.source_label(order.source),
        "country_name": _country(order.ship_country),
        "line_groups": line_groups,
        "reservations": reservations,
        "shortage": shortage,
        "verdicts": verdicts,
        "events": events,
        "packages": packages,
        "shipments": shipments_panel(user, order),
        "edit": edit_form(user, order, lines, **(edit or {})),
        "actions": actions,
        "needs_reason": any(a.needs_reason for a in actions),
        "split": split_form.split_form(
            user,
            order,
            lines,
            held,
            merged_into=merged,
            live=split_form.live_shipments(order),
            **(split or {}),
        ),  # fmt: skip
    }


def _event_label(e) -> str:
    if e.field == "status":
        return labels.status_label(e.to_state)
    if e.field == automation.FIELD:
        return labels.automation_step(e.to_state)
    return _("Package")


def _packages(user, order) -> list[dict]:
    """The order's parcels: kind, warehouse, status, its own lines in each, and for a merged
    parcel the other orders in it (a fixed number of queries however many lines)."""
    qs = selectors.order_packages(user, order).prefetch_related(
        Prefetch(
            "lines__order_line__order",
            queryset=Order.objects.only("id", "number", "external_id", "status"),
        ),
        "lines__order_line__sku",
    )
    out = []
    for package in qs.order_by("pk"):
        own, others = [], {}
        for pl in package.lines.all():
            line = pl.order_line
            if line.order_id == order.pk:
                own.append({"sku": line.sku, "store_sku": line.store_sku, "quantity": pl.quantity})
            else:
                others.setdefault(line.order_id, line.order)
        out.append(
            {
                "package": package,
                "lines": own,
                "others": sorted(others.values(), key=lambda o: o.pk),
                "open": package.status == Package.Status.OPEN,
            }
        )
    out.sort(key=lambda p: not p["open"])  # open parcels first, each group oldest first
    return out


def _country(code: str) -> str:
    return country_label(code)


@permission_required(P.ORDER_VIEW)
def order_detail(request, pk: int):
    order = selectors.order_detail(request.user, pk)
    context = _detail_context(request, order)
    context["back"] = _safe_back(request.GET.get("back", ""))
    return render(request, "orders/detail.html", context)


def _safe_back(url: str) -> str:
    if url.startswith("/") and not url.startswith("//"):
        return url
    return reverse("web:orders")


@require_POST
@permission_required(P.ORDER_VIEW)
def order_action(request, pk: int):
    order = selectors.order_detail(request.user, pk)
    action = request.POST.get("action", "")
    perm = next((a.perm for a in _actions() if a.name == action), None)
    if perm is not None and not request.user.has_perm(perm):  # refused: 403, nothing tried
        if request.htmx:
            return render_error(request, errors.PermissionDenied(perm))
        raise PermissionDenied(perm)
    reason = (request.POST.get("reason") or "").strip()[:500]
    flash = None
    error = None
    status = 200
    try:
        text = _run_action(request.user, order, action, reason)
    except DomainError as exc:
        error = labels.domain_error(exc)
        status = exc.status
    else:
        flash = text
    if not request.htmx:
        if error:
            messages.error(request, error["message"])
        else:
            messages.success(request, flash)
        return redirect("web:order", pk=pk)
    order = selectors.order_detail(request.user, pk)  # fresh: status, verdicts, history
    context = _detail_context(request, order)
    context.update({"flash": flash, "error": error, "reason": reason if error else ""})
    response = render(request, "orders/detail.html#order-main", context, status=status)
    return response


@permission_required(P.ORDER_VIEW)
def order_split(request, pk: int):
    """GET (htmx): the split form again with one more parcel. POST: split the order."""
    order = selectors.order_detail(request.user, pk)
    if not request.user.has_perm(P.ORDER_MERGE_SPLIT):
        if request.htmx:
            return render_error(request, errors.PermissionDenied(P.ORDER_MERGE_SPLIT))
        raise PermissionDenied(P.ORDER_MERGE_SPLIT)
    lines = list(order.lines.all())
    if request.method == "GET":
        if not request.htmx:
            return redirect("web:order", pk=pk)
        held = selectors.order_reservations(request.user, order)
        form = split_form.split_form(
            request.user, order, lines, held, data=request.GET,
            live=split_form.live_shipments(order),
        )  # fmt: skip
        if form is None:
            return render_error(request, errors.Conflict("cannot split", code="split_wrong_status"))
        return render(
            request, "orders/_split.html", {"order": order, "split": {**form, "open": True}}
        )
    if request.method != "POST":
        return redirect("web:order", pk=pk)
    try:
        voided, packages = split_form.run_split(request.user, order, lines, request.POST)
    except DomainError as exc:
        if not request.htmx:
            messages.error(request, _explained(request.user, exc)["message"])
            return redirect("web:order", pk=pk)
        details = exc.details if isinstance(exc.details, dict) else {}
        bad_lines = set(details.get("line_ids") or [])
        error = _explained(request.user, exc)
        if bad_lines:
            codes = [line.sku.code for line in lines if line.pk in bad_lines and line.sku]
            error["detail"] = _("Check the highlighted lines: %(skus)s") % {
                "skus": ", ".join(codes)
            }
        split = {"data": request.POST, "error": error, "bad_lines": bad_lines, "is_open": True}
        order = selectors.order_detail(request.user, pk)  # unchanged: nothing was written
        context = _detail_context(request, order, split=split)
        if context["split"] is None:  # no form to show it in (the order cannot be split)
            context["error"] = split["error"]
        return render(request, "orders/detail.html#order-main", context, status=exc.status)
    codes = dict(
        Warehouse.objects.filter(pk__in={p.warehouse_id for p in packages}).values_list(
            "pk", "code"
        )
    )
    flash = _("Split into %(packages)s.") % {
        "packages": ", ".join(f"{p} ({codes.get(p.warehouse_id, '')})" for p in packages)
    }
    if voided:
        flash = (
            _("Voided shipment %(shipments)s.") % {"shipments": ", ".join(s.number for s in voided)}
            + " "
            + flash
        )
    if not request.htmx:
        messages.success(request, flash)
        return redirect("web:order", pk=pk)
    order = selectors.order_detail(request.user, pk)
    context = _detail_context(request, order)
    context["flash"] = flash
    return render(request, "orders/detail.html#order-main", context)
