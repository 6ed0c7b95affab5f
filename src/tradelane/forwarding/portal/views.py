"""The customer portal (客户自助): a customer's workspace, its waybills (list, detail, cancel,
edit, intercept, their labels one by one or in a batch), a new waybill with its live quote,
its price lists and its API keys.

A portal user of a customer account always works on that account; an agent's portal user and
the provider's staff name the customer (``?customer=CODE``) among those ``partners.scoping``
lets them see. Every read goes through ``scoping`` / ``waybills.selectors`` (another
customer's waybill is 404, never 403), every write through ``waybills.services`` or
``portal.keys``."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tradelane.accounts.roles import P
from tradelane.core import errors
from tradelane.core.money import Money
from tradelane.web import labels
from tradelane.web.code_labels import country_choices
from tradelane.web.views.guards import permission_required

from ..hub import selectors as hub_selectors
from ..partners import scoping
from ..partners.models import CustomerAccount
from ..waybills import printing, selectors, services
from ..waybills.models import WaybillSource, WaybillStatus
from ..waybills.pricing import Pricer, parcel_for
from ..waybills.states import EDITABLE, INTERCEPTABLE
from ..waybills.validation import PieceInput
from . import forms, keys, price_lists

PAGE_SIZE = 50


# --- whose portal ---------------------------------------------------------------------------


def _customer(request) -> CustomerAccount | None:
    """The account the page is for: a customer's portal user's own; for agents and staff the
    one named by ``customer`` (outside the user's scope: 404), or None when none is named."""
    code = (request.GET.get("customer") or request.POST.get("customer") or "").strip()
    m = scoping.membership(request.user)
    if m is not None and m.customer_id and code in ("", m.customer.code):
        return m.customer
    if code:
        return scoping.customer(request.user, code)
    return None


def _base(request, customer: CustomerAccount | None, title: str) -> dict:
    m = scoping.membership(request.user)
    own = m is not None and bool(m.customer_id)
    return {
        "title": title,
        "customer": customer,
        # the customer named on every link, for the agents and staff who chose one
        "cq": f"?customer={customer.code}" if customer is not None and not own else "",
        "customer_code": customer.code if customer is not None and not own else "",
        "own_account": own,
    }


def _refused(request, exc: errors.DomainError) -> None:
    """A refusal of the action shown on the next page; "forbidden" and "not found" stay 403 and
    404 (the guard's)."""
    if isinstance(exc, (errors.PermissionDenied, errors.NotFound)):
        raise exc
    messages.error(request, labels.domain_error(exc)["message"])


def _pick(request, title: str, template: str = "forwarding/portal/pick.html"):
    """Agents and staff choose the customer first."""
    context = _base(request, None, title)
    context["customers"] = scoping.customers(request.user).order_by("code")[:500]
    context["next"] = request.path
    return render(request, template, context)


# --- the workspace --------------------------------------------------------------------------


@permission_required(P.WAYBILL_VIEW)
def workspace(request):
    customer = _customer(request)
    if customer is None:
        return _pick(request, _("Customer portal"))
    qs = selectors.waybills(request.user).filter(customer=customer)
    counts = dict(qs.order_by().values_list("status").annotate(n=Count("id")))
    cards = [
        {"status": s, "count": counts.get(s, 0)}
        for s in WaybillStatus.values
        if counts.get(s, 0) or s in EDITABLE
    ]
    context = _base(request, customer, _("Workspace"))
    context.update(
        cards=cards,
        total=sum(counts.values()),
        recent=qs.order_by("-created_at", "-id")[:10],
        can_add=request.user.has_perm(P.WAYBILL_ADD),
        pending_numbers=qs.filter(tracking_status="pending").exclude(status="cancelled").count(),
    )
    return render(request, "forwarding/portal/workspace.html", context)


# --- waybills -------------------------------------------------------------------------------


def _date(value: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat((value or "").strip())
    except ValueError:
        return None


def _search(request, customer: CustomerAccount | None, source) -> tuple:
    """The list's waybills by the filters in ``source`` (GET of the list, or the fields the
    batch print posts back), and those filters as they were understood."""
    status = source.get("status", "")
    if status not in WaybillStatus.values:
        status = ""
    created_from = _date(source.get("created_from", ""))
    created_to = _date(source.get("created_to", ""))
    q = source.get("q", "").strip()[:60]
    qs = selectors.search(
        request.user, status=status, created_from=created_from, created_to=created_to, q=q
    )
    if customer is not None:
        qs = qs.filter(customer=customer)
    shown = {
        "status": status,
        "created_from": created_from.isoformat() if created_from else "",
        "created_to": created_to.isoformat() if created_to else "",
        "q": q,
    }
    return qs, shown


def _list_url(customer_code: str, shown: dict) -> str:
    query = {k: v for k, v in {"customer": customer_code, **shown}.items() if v}
    return reverse("web:portal_waybills") + (f"?{urlencode(query)}" if query else "")


@permission_required(P.WAYBILL_VIEW)
def waybill_list(request):
    customer = _customer(request)
    qs, shown = _search(request, customer, request.GET)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    filters = request.GET.copy()
    filters.pop("page", None)
    context = _base(request, customer, _("Waybills"))
    context.update(
        page=page,
        statuses=WaybillStatus.values,
        **shown,
        filters=filters.urlencode(),
        many_customers=customer is None,
        max_labels=printing.MAX_LABELS,
        filter_fields=[(k, v) for k, v in shown.items() if v],
    )
    return render(request, "forwarding/portal/waybills.html", context)


@require_POST
@permission_required(P.WAYBILL_VIEW)
def waybill_labels(request):
    """The labels of the ticked waybills (``ids``, in the order shown), or of every waybill of
    the list's filter (``all``, at most ``printing.MAX_LABELS``), in one PDF or ZPL file. A
    waybill without its number yet or cancelled is skipped: the page then names each with why
    and offers the file of the others. Another customer's waybill is 404 (``scoping``)."""
    customer = _customer(request)
    fmt = request.POST.get("format", "pdf")
    if fmt not in printing.FORMATS:
        fmt = "pdf"
    qs, shown = _search(request, customer, request.POST)
    base = _base(request, customer, _("Print labels"))
    back = _list_url(base["customer_code"], shown)
    if request.POST.get("all"):
        count = qs.count()
        if count > printing.MAX_LABELS:
            limit = {"max": printing.MAX_LABELS, "count": count}
            messages.error(request, labels.error_text("too_many_labels", details=limit))
            return redirect(back)
        ids = list(qs.values_list("pk", flat=True))
    else:
        posted = request.POST.getlist("ids")
        if not all(i.isdigit() for i in posted):
            raise errors.NotFound("Some waybills do not exist", code="waybill_not_found")
        ids = [int(i) for i in posted]
    try:
        result = printing.batch(request.user, ids, fmt, customer=customer)
    except errors.DomainError as exc:
        _refused(request, exc)
        return redirect(back)
    if not result.skipped:
        return _label_file(result.content, fmt, f"labels-{timezone.localtime():%Y%m%d-%H%M}")
    base.update(
        fmt=fmt,
        printed=result.printed,
        skipped=[{"w": w, "reason": reason} for w, reason in result.skipped],
        back=back,
        many_customers=customer is None,
    )
    return render(request, "forwarding/portal/labels.html", base)


def _label_file(content: bytes | str, fmt: str, name: str, kind: str = "attachment"):
    if fmt == "pdf":
        response = HttpResponse(content, content_type="application/pdf")
    else:
        response = HttpResponse(content, content_type="text/plain; charset=utf-8")
    response["Content-Disposition"] = f'{kind}; filename="{name}.{fmt}"'
    return response


def _to_detail(request, w):
    return redirect(
        reverse("web:portal_waybill", args=[w.number]) + _base(request, w.customer, "")["cq"]
    )


def _waybill(request, number: str):
    return selectors.waybill(request.user, number)


@permission_required(P.WAYBILL_VIEW)
def waybill_detail(request, number: str):
    w = _waybill(request, number)
    context = _base(request, w.customer, w.number)
    context.update(_detail(request, w))
    return render(request, "forwarding/portal/waybill.html", context)


def _detail(request, w) -> dict:
    change = request.user.has_perm(P.WAYBILL_CHANGE)
    return {
        "w": w,
        "pieces": [
            {
                "seq": p.seq,
                "weight_kg": selectors.kg(p.weight_g),
                "length_cm": forms.cm(p.length_mm),
                "width_cm": forms.cm(p.width_mm),
                "height_cm": forms.cm(p.height_mm),
            }
            for p in w.piece_rows.order_by("seq")
        ],  # fmt: skip
        "items": list(w.items.order_by("seq")),
        "events": selectors.timeline(w),
        "problems": hub_selectors.open_problems_of(request.user, w),
        "price": selectors.money_text(w.sale_amount, w.sale_currency),
        "charges": [
            {**c, "amount": selectors.money_text(c["amount"], c["currency"])} for c in w.charges
        ],
        "forecast_kg": selectors.kg(w.forecast_weight_g),
        "measured_kg": selectors.kg(w.measured_weight_g),
        "chargeable_kg": selectors.kg(w.chargeable_weight_g),
        "can_print": bool(w.tracking_number) and w.status != WaybillStatus.CANCELLED,
        "can_cancel": change and w.status in EDITABLE,
        "can_edit": change and w.status in EDITABLE,
        "can_intercept": change and w.status in INTERCEPTABLE and w.intercept_requested_at is None,
    }


@require_POST
@permission_required(P.WAYBILL_VIEW)
def waybill_cancel(request, number: str):
    w = _waybill(request, number)
    try:
        services.cancel_waybill(request.user, w, reason=request.POST.get("reason", "")[:300])
    except errors.DomainError as exc:
        _refused(request, exc)
    else:
        messages.success(request, _("Waybill %(number)s cancelled.") % {"number": w.number})
    return _to_detail(request, w)


@require_POST
@permission_required(P.WAYBILL_VIEW)
def waybill_intercept(request, number: str):
    w = _waybill(request, number)
    try:
        services.request_intercept(request.user, w, request.POST.get("reason", ""))
    except errors.DomainError as exc:
        _refused(request, exc)
    else:
        messages.success(
            request, _("Intercept of %(number)s requested: the hub will stop the parcel.")
            % {"number": w.number},
        )  # fmt: skip
    return _to_detail(request, w)


@permission_required(P.WAYBILL_VIEW)
def waybill_label(request, number: str, fmt: str):
    """The waybill's label (one per piece) as PDF or ZPL, once its tracking number is there."""
    w = _waybill(request, number)
    try:
        content = printing.labels(request.user, [w], fmt)
    except errors.DomainError as exc:
        _refused(request, exc)
        return _to_detail(request, w)
    return _label_file(content, fmt, w.number, "inline")


# --- the form: create and edit --------------------------------------------------------------


def _form_page(request, customer, *, values, errors_by_input=None, general=None, w=None,
               status=200):  # fmt: skip
    context = _base(request, customer, _("Edit waybill %(number)s") % {"number": w.number}
                    if w else _("New waybill"))  # fmt: skip
    context.update(
        form=forms.layout(
            values,
            errors_by_input or {},
            countries=country_choices(),
            reference_locked=w is not None,
        ),
        general_errors=general or [],
        w=w,
        quote_url=reverse("web:portal_quote"),
    )
    return render(request, "forwarding/portal/waybill_form.html", context, status=status)


def _submit(request, customer, w=None):
    """Create (or, with ``w``, edit) from the posted form; the form again with its errors."""
    values = request.POST
    if values.get("add") or values.get("remove"):  # a row more or less: draw the form again
        return _form_page(request, customer, values=values, w=w)
    data = forms.payload(values)
    try:
        if w is None:
            w, _created = services.create_waybill(
                request.user, customer, data, source=WaybillSource.PORTAL
            )
            messages.success(request, _("Waybill %(number)s created.") % {"number": w.number})
        else:
            w = services.edit_waybill(request.user, w, data)
            messages.success(request, _("Waybill %(number)s changed.") % {"number": w.number})
    except (errors.ValidationFailed, errors.Conflict) as exc:
        found = (exc.details or {}).get("errors") or [
            {"field": "reference" if exc.code == "reference_conflict" else "",
             "code": exc.code, "message": exc.message}
        ]  # fmt: skip
        by_input, general = forms.error_messages(found, labels.error_text)
        return _form_page(request, customer, values=values, errors_by_input=by_input,
                          general=general, w=w, status=422)  # fmt: skip
    return _to_detail(request, w)


@permission_required(P.WAYBILL_ADD)
def waybill_new(request):
    customer = _customer(request)
    if customer is None:
        return _pick(request, _("New waybill"))
    if request.method == "POST":
        return _submit(request, customer)
    return _form_page(request, customer, values={})


@permission_required(P.WAYBILL_VIEW)
def waybill_edit(request, number: str):
    w = _waybill(request, number)  # another's waybill: 404 before any permission says more
    if not request.user.has_perm(P.WAYBILL_CHANGE):
        raise errors.PermissionDenied("Your role cannot change waybills")
    if request.method == "POST":
        return _submit(request, w.customer, w)
    if w.status not in EDITABLE:
        messages.error(request, labels.error_text("not_editable"))
        return redirect(reverse("web:portal_waybill", args=[w.number]))
    return _form_page(request, w.customer, values=forms.values_of(w), w=w)


def _parcel(data: dict):
    """The parcel of a half-filled form, or None while it lacks a destination or a weight."""
    country = data["consignee"].get("country", "")
    pieces = [
        PieceInput(p["weight_g"], *(p[s] if isinstance(p[s], int) else 0
                                    for s in ("length_mm", "width_mm", "height_mm")))
        for p in data["pieces"]
        if isinstance(p["weight_g"], int) and p["weight_g"] > 0
    ]  # fmt: skip
    if not country or not pieces:
        return None
    value, currency = None, ""
    try:
        lines = [
            (int(it["quantity"]), Money.of(it["unit_value"], it["currency"]))
            for it in data["items"]
            if it.get("unit_value") and it.get("currency")
        ]
        if lines and len({m.currency for _n, m in lines}) == 1:
            currency = lines[0][1].currency
            value = Money.of(sum(n * m.amount for n, m in lines), currency)
    except (ValueError, ArithmeticError, errors.DomainError):
        value = None
    flags = {f: any(it.get(f) for it in data["items"]) for f in ("battery", "liquid", "magnet")}
    return parcel_for(
        pieces, country=country, postcode=data["consignee"].get("postcode", ""),
        city=data["consignee"].get("city", ""), declared_value=value, **flags,
    )  # fmt: skip


def offer_rows(customer: CustomerAccount, parcel) -> list[dict]:
    """Every open channel's answer as the customer sees it (sale price only, never the cost)."""
    pricer = Pricer(customer)
    rows = []
    for o in pricer.offers(parcel):
        days = o.sale.transit_days
        rows.append({
            "code": o.channel_code, "name": o.channel_name, "ok": o.ok,
            "price": selectors.money_text(o.price.amount, o.price.currency) if o.price else None,
            "currency": o.price.currency if o.price else "",
            "days_min": days[0], "days_max": days[1],
            "chargeable_kg": selectors.kg(o.sale.chargeable_g) if o.ok else None,
            "charges": [{"code": ln.code, "amount": selectors.money_text(ln.amount.amount,
                         ln.amount.currency), "currency": ln.amount.currency}
                        for ln in o.sale.lines],
            "reasons": [{"code": r["code"], "text": labels.code_label(r["code"], "refusal")
                         if r["code"] in labels.REGISTRY["refusal"] else r["message"]}
                        for r in o.reasons],
        })  # fmt: skip
    return rows


@require_POST
@permission_required(P.WAYBILL_ADD)
def quote(request):
    """The live quote beside the form (htmx): every open channel, priced or why not."""
    customer = _customer(request)
    if customer is None:
        raise errors.NotFound("Say which customer", code="customer_not_found")
    data = forms.payload(request.POST)
    parcel = _parcel(data)
    rows = offer_rows(customer, parcel) if parcel is not None else None
    chosen = data.get("channel", "")
    if rows is not None and chosen not in {r["code"] for r in rows if r["ok"]}:
        chosen = next((r["code"] for r in rows if r["ok"]), "")
    return render(
        request,
        "forwarding/portal/_offers.html",
        {"offers": rows, "chosen": chosen, "customer": customer},
    )


# --- price lists ----------------------------------------------------------------------------


@permission_required(P.WAYBILL_VIEW)
def prices(request):
    customer = _customer(request)
    if customer is None:
        return _pick(request, _("Price lists"))
    context = _base(request, customer, _("Price lists"))
    own = customer.sheet_levels[0]
    context["sheets"] = [
        {"code": code, "name": name, "currency": data.currency, "since": data.effective_date,
         "which": "own" if data.customer_level == own else "level" if data.customer_level
         else "standard", "zones": len(data.zones)}
        for code, name, data in price_lists.sheets(customer)
    ]  # fmt: skip
    return render(request, "forwarding/portal/prices.html", context)


@permission_required(P.WAYBILL_VIEW)
def prices_download(request):
    customer = _customer(request)
    if customer is None:
        raise errors.NotFound("Say which customer", code="customer_not_found")
    response = HttpResponse(
        price_lists.workbook(customer),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    stamp = dt.date.today().isoformat()
    response["Content-Disposition"] = f'attachment; filename="prices-{customer.code}-{stamp}.xlsx"'
    return response


# --- the open API ---------------------------------------------------------------------------


def _api_page(request, *, new_key=None, status=200):
    customer = _customer(request)
    context = _base(request, customer, _("Open API"))
    context.update(
        keys=keys.keys(request.user),
        may_keys=scoping.membership(request.user) is not None and context["own_account"],
        new_key=new_key,
        base=request.build_absolute_uri("/api/v1/provider/"),
    )
    return render(request, "forwarding/portal/api.html", context, status=status)


@permission_required(P.WAYBILL_VIEW)
def api_page(request):
    return _api_page(request)


@require_POST
@permission_required(P.PORTAL_USE)
def api_key_create(request):
    try:
        key, raw = keys.create_key(request.user, request.POST.get("name", ""))
    except errors.DomainError as exc:
        _refused(request, exc)
        return redirect("web:portal_api")
    return _api_page(request, new_key={"key": key, "raw": raw})


@require_POST
@permission_required(P.PORTAL_USE)
def api_key_revoke(request, pk: int):
    key = keys.revoke_key(request.user, pk)
    messages.success(request, _("API key %(name)s revoked.") % {"name": key.name})
    return redirect("web:portal_api")
