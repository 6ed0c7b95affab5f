"""The provider staff's partner pages: customers (a salesperson sees only their own, through
``scoping``), customer levels, downstream agents and upstream lines. Thin: every write is a
``partners.services`` call."""

from __future__ import annotations

from functools import wraps

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from tradelane.accounts.roles import PROVIDER_SALES, P
from tradelane.core.errors import DomainError, ValidationFailed
from tradelane.logistics.models import Channel
from tradelane.web import labels
from tradelane.web.views.guards import permission_required

from . import scoping, selectors, services
from .models import CommissionMode, CustomerLevel, PaymentTerms, SettlementMode, UpstreamLine

CUSTOMER_FIELDS = ("code", "company", "contact_name", "email", "phone", "country", "currency",
                   "settlement_mode", "payment_terms", "credit_limit")  # fmt: skip


def post_needs(perm: str):
    """A page anyone with the view permission reads, whose form (POST) needs ``perm``: 403
    before the view runs."""

    def decorate(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if request.method == "POST" and not request.user.has_perm(perm):
                raise PermissionDenied(perm)
            return view(request, *args, **kwargs)

        return wrapped

    return decorate


def _salespeople():
    from django.contrib.auth import get_user_model

    return get_user_model().objects.filter(groups__name=PROVIDER_SALES, is_active=True)


def _typed(request, names) -> dict:
    return {k: (request.POST.get(k) or "").strip() for k in names}


@never_cache
@permission_required(P.PARTNER_VIEW)
@post_needs(P.PARTNER_MANAGE)
def customers(request):
    """客户: the customers in the user's scope; partner managers add one."""
    error, typed, status = None, {}, 200
    if request.method == "POST":
        typed = _typed(request, (*CUSTOMER_FIELDS, "level", "salesperson", "agent"))
        try:
            level = CustomerLevel.objects.filter(code=typed["level"]).first()
            if level is None:
                raise ValidationFailed(_("Choose a customer level"), code="level_required")
            fields = {k: typed[k] for k in CUSTOMER_FIELDS[2:] if typed[k]}
            if "credit_limit" in fields:
                fields["credit_limit"] = fields["credit_limit"].replace(",", "")
            if typed["salesperson"]:
                fields["salesperson"] = _salespeople().filter(pk=typed["salesperson"]).first()
            if typed["agent"]:
                fields["agent"] = selectors.agents().filter(code=typed["agent"]).first()
            row = services.create_customer(
                request.user, code=typed["code"], company=typed["company"], level=level, **fields
            )
        except DomainError as exc:
            error, status = labels.domain_error(exc), exc.status
        except (ValueError, ArithmeticError):
            error, status = labels.error_dict("invalid_number", _("Not a number"), None), 422
        else:
            messages.success(request, _("Customer %(code)s created.") % {"code": row.code})
            return redirect("web:provider_customer", code=row.code)
    q = (request.GET.get("q") or "").strip()[:100]
    state = request.GET.get("status", "")
    page = Paginator(selectors.customer_list(request.user, q, state), 50).get_page(
        request.GET.get("page")
    )
    return render(request, "forwarding/partners/customers.html", {
        "title": _("Customers"), "page": page, "q": q, "state": state, "error": error,
        "typed": typed, "levels": CustomerLevel.objects.all(), "agents": selectors.agents(),
        "salespeople": _salespeople(), "settlement_modes": SettlementMode.choices,
        "payment_terms": PaymentTerms.choices,
        "may_manage": request.user.has_perm(P.PARTNER_MANAGE),
    }, status=status)  # fmt: skip


def _customer_page(request, row, *, status: int = 200, **extra):
    """The customer's page; ``extra`` carries what one POST answer shows once (a new key, a
    new webhook secret) or the refusal it met."""
    from ..waybills.pricing import open_channels

    return render(request, "forwarding/partners/customer.html", {
        "title": row.company, "c": row, "channels": open_channels(row),
        "members": row.members.select_related("user"),
        "api_keys": selectors.customer_api_keys(row),
        "may_manage": request.user.has_perm(P.PARTNER_MANAGE), **extra,
    }, status=status)  # fmt: skip


@never_cache
@permission_required(P.PARTNER_VIEW)
def customer(request, code: str):
    return _customer_page(request, scoping.customer(request.user, code))


def _chosen_user(request):
    from django.contrib.auth import get_user_model

    pk = (request.POST.get("user") or "").strip()
    return get_user_model().objects.filter(pk=int(pk)).first() if pk.isdigit() else None


@never_cache
@require_POST
@permission_required(P.PARTNER_MANAGE)
def customer_api_key(request, code: str):
    """A new open API key for one of the customer's portal users: the answer shows the full
    key, this once."""
    row = scoping.customer(request.user, code)
    name = request.POST.get("name", "")
    try:
        key, raw = services.create_customer_api_key(
            request.user, row, user=_chosen_user(request), name=name
        )
    except DomainError as exc:
        return _customer_page(request, row, status=exc.status, key_error=labels.domain_error(exc),
                              key_typed={"name": name.strip()})  # fmt: skip
    return _customer_page(request, row, new_key=raw, new_key_row=key)


@never_cache
@require_POST
@permission_required(P.PARTNER_MANAGE)
def customer_api_key_revoke(request, code: str, pk: int):
    row = scoping.customer(request.user, code)
    key = selectors.customer_api_keys(row).filter(pk=pk).first()
    if key is None:
        from django.http import Http404

        raise Http404("No such key")
    try:
        services.revoke_customer_api_key(request.user, row, key)
    except DomainError as exc:
        messages.error(request, labels.domain_error(exc)["message"])
    else:
        messages.success(request, _("API key %(name)s revoked.") % {"name": key.name})
    return redirect("web:provider_customer", code=row.code)


@never_cache
@require_POST
@permission_required(P.PARTNER_MANAGE)
def customer_webhook(request, code: str):
    """Set or clear the webhook address; a new signing secret is shown this once."""
    row = scoping.customer(request.user, code)
    url = request.POST.get("url", "") if request.POST.get("action") != "clear" else ""
    try:
        row, secret = services.set_webhook(request.user, row, url)
    except DomainError as exc:
        return _customer_page(request, row, status=exc.status,
                              webhook_error=labels.domain_error(exc),
                              webhook_typed=url.strip())  # fmt: skip
    if not secret:
        messages.success(request, _("Webhook address cleared."))
        return redirect("web:provider_customer", code=row.code)
    return _customer_page(request, row, new_webhook_secret=secret)


@never_cache
@require_POST
@permission_required(P.PARTNER_MANAGE)
def customer_status(request, code: str):
    row = scoping.customer(request.user, code)
    try:
        services.set_customer_status(request.user, row, request.POST.get("status", ""))
    except DomainError as exc:
        messages.error(request, labels.domain_error(exc)["message"])
    else:
        messages.success(request, _("Saved."))
    return redirect("web:provider_customer", code=row.code)


@never_cache
@require_POST
@permission_required(P.PARTNER_MANAGE)
def customer_portal_user(request, code: str):
    row = scoping.customer(request.user, code)
    try:
        user = services.create_portal_user(
            request.user, username=request.POST.get("username", ""),
            password=request.POST.get("password") or None, customer=row,
            email=request.POST.get("email", ""),
        )  # fmt: skip
    except DomainError as exc:
        messages.error(request, labels.domain_error(exc)["message"])
    else:
        messages.success(request, _("Portal user %(name)s created.") % {"name": user.username})
    return redirect("web:provider_customer", code=row.code)


@never_cache
@permission_required(P.PARTNER_VIEW)
@post_needs(P.PARTNER_MANAGE)
def levels(request):
    """等级: which sale sheet prices a customer and which channels it sees."""
    error, typed, status = None, {}, 200
    if request.method == "POST":
        typed = _typed(request, ("code", "name"))
        try:
            services.create_level(request.user, code=typed["code"], name=typed["name"],
                                  channels=request.POST.getlist("channels"))  # fmt: skip
        except DomainError as exc:
            error, status = labels.domain_error(exc), exc.status
        else:
            messages.success(request, _("Saved."))
            return redirect("web:provider_levels")
    return render(request, "forwarding/partners/levels.html", {
        "title": _("Customer levels"), "levels": selectors.levels(), "error": error,
        "typed": typed, "channels": Channel.objects.filter(is_active=True),
        "may_manage": request.user.has_perm(P.PARTNER_MANAGE),
    }, status=status)  # fmt: skip


@never_cache
@permission_required(P.PARTNER_VIEW)
@post_needs(P.PARTNER_MANAGE)
def agents(request):
    """同行/分销 (downstream agents) and 上游 (upstream lines), on one page, by their own names."""
    error, typed, status = None, {}, 200
    if request.method == "POST":
        what = request.POST.get("what")
        typed = _typed(request, ("code", "name", "commission_mode", "commission_rate", "kind",
                                 "currency"))  # fmt: skip
        try:
            if what == "agent":
                services.create_agent(
                    request.user, code=typed["code"], name=typed["name"],
                    commission_mode=typed["commission_mode"] or CommissionMode.PER_WAYBILL,
                    commission_rate=typed["commission_rate"] or "0",
                )  # fmt: skip
            else:
                services.create_upstream_line(
                    request.user, code=typed["code"], name=typed["name"],
                    kind=typed["kind"] or UpstreamLine.Kind.FORWARDER,
                    channels=request.POST.getlist("channels"),
                )  # fmt: skip
        except DomainError as exc:
            error, status = labels.domain_error(exc), exc.status
        else:
            messages.success(request, _("Saved."))
            return redirect("web:provider_agents")
    return render(request, "forwarding/partners/agents.html", {
        "title": _("Agents and upstream lines"), "agents": selectors.agents(),
        "lines": selectors.upstream_lines(), "error": error, "typed": typed,
        "commission_modes": CommissionMode.choices, "line_kinds": UpstreamLine.Kind.choices,
        "channels": Channel.objects.filter(is_active=True),
        "may_manage": request.user.has_perm(P.PARTNER_MANAGE),
    }, status=status)  # fmt: skip
