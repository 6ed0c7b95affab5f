"""Log in, log out, pick the language, and the home page of each role."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST
from django.views.i18n import set_language as django_set_language

from tradelane.accounts import services as account_services
from tradelane.accounts.roles import HUB_DRIVER, P, roles_of
from tradelane.accounts.selectors import base_currency
from tradelane.core.errors import DomainError

from .. import labels
from ..context import is_portal_role
from .guards import permission_required

LANGUAGE_COOKIE_AGE = 365 * 24 * 3600  # a year: people choose once


def _set_language_cookie(response, language: str) -> None:
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE or "Lax",
    )


class LoginView(auth_views.LoginView):
    template_name = "web/login.html"
    redirect_authenticated_user = True
    extra_context = {"title": _("Log in")}

    def form_valid(self, form):
        response = super().form_valid(form)
        # The language the person chose last time, on any device, wins over the browser's.
        language = getattr(form.get_user(), "language", "")
        if language in dict(settings.LANGUAGES):
            _set_language_cookie(response, language)
        return response


class LogoutView(auth_views.LogoutView):
    pass


def locked_out(request, original_response=None, credentials=None):
    """django-axes' answer once a user name or an address has failed too often (429): the
    login page again, saying why and for how long, in the reader's language."""
    from django.contrib.auth.forms import AuthenticationForm

    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    username = (credentials or {}).get("username") or request.POST.get("username", "")
    form = AuthenticationForm(request, initial={"username": username})
    return render(
        request,
        "web/login.html",
        {"title": _("Log in"), "form": form, "locked_out": True, "lockout_minutes": minutes},
        status=429,
    )


@permission_required(P.USERS_MANAGE)
def login_lockouts(request):
    """Failed logins and lockouts (django-axes), and the admin's unlock."""
    from django.contrib import messages
    from django.shortcuts import redirect

    from tradelane.accounts import selectors as account_selectors

    if request.method == "POST":
        try:
            forgotten = account_services.unlock_logins(
                request.user,
                username=request.POST.get("username", ""),
                ip_address=request.POST.get("ip_address", ""),
            )
        except DomainError as exc:
            messages.error(request, labels.domain_error(exc)["message"])
        else:
            messages.success(
                request,
                _("Unlocked: %(count)s recorded failures forgotten.") % {"count": forgotten},
            )
        return redirect("web:login_lockouts")
    return render(
        request,
        "web/login_lockouts.html",
        {
            "title": _("Login lockouts"),
            "attempts": account_selectors.login_lockouts(request.user),
            "limit": settings.AXES_FAILURE_LIMIT,
            "minutes": int(settings.AXES_COOLOFF_TIME.total_seconds() // 60),
        },
    )


@require_POST
def set_language(request):
    """Django's set_language, plus a cookie that lasts and the choice kept on the user."""
    response = django_set_language(request)
    language = request.POST.get("language", "")
    if language in dict(settings.LANGUAGES):
        _set_language_cookie(response, language)
        if request.user.is_authenticated:
            try:
                account_services.set_language(request.user, language)
            except DomainError:
                pass
    return response


# What each role looks at first: the statuses of the orders waiting for it.
_FOCUS = {
    "customer_service": ("pending_review", "pending_contact"),
    "logistics": ("approved", "pending_shipment", "pending_purchase"),
    "warehouse": ("pending_shipment",),
    "purchasing": ("pending_purchase",),
    "sales": ("pending_review", "shipped"),
    "boss": labels.STATUS_TABS,
    "admin": labels.STATUS_TABS,
}


@login_required
def home(request):
    from tradelane.inventory import selectors as stock
    from tradelane.orders import selectors as orders

    user = request.user
    if is_portal_role(user):  # a provider's customer or agent: its own workspace
        return redirect("web:portal")
    user_roles = roles_of(user)
    if user_roles == [HUB_DRIVER]:  # a driver: the day's pickup stops
        return redirect("web:pickup_driver")
    context: dict = {
        "title": _("Home"),
        "role_names": [str(labels.ROLE.get(r, r)) for r in user_roles],
    }
    if user.has_perm(P.ORDER_VIEW):
        counts = orders.status_counts(user)
        focus: list[str] = []
        for role in user_roles:
            for status in _FOCUS.get(role, ()):
                if status not in focus:
                    focus.append(status)
        if not focus:
            focus = list(labels.STATUS_TABS)
        context["overview"] = len(focus) == len(labels.STATUS_TABS)
        focus.sort(key=labels.STATUS_TABS.index)
        context["cards"] = [
            {"status": s, "label": labels.status_label(s), "count": counts.get(s, 0)} for s in focus
        ]
        context["open_total"] = sum(
            counts.get(s, 0)
            for s in ("pending_review", "pending_contact", "approved", "pending_purchase",
                      "pending_shipment")
        )  # fmt: skip
    if any(user.has_perm(p) for p in (P.ORDER_REVIEW, P.COMPANY_MANAGE, P.CHANNEL_CHANGE)):
        # a configuration alert: orders in currencies without an exchange rate skip the
        # high-value check (and rate shopping cannot convert their values)
        base = base_currency()
        context["fx_missing"] = orders.currencies_without_rate(base)
        context["fx_base"] = base
        context["fx_admin"] = user.is_staff and user.has_perm("core.add_fxrate")
    if user.has_perm(P.STOCK_VIEW):
        low = stock.low_stock_for(user)
        context["low_stock_count"] = low.count()
        context["low_stock"] = list(low[:8])
    return render(request, "web/home.html", context)
