"""The settings pages for people: users and their roles, the company profile and the block
list of buyers; and the public page where someone with a one-time link chooses their
password."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from tradelane.core.errors import DomainError
from tradelane.web import form_errors, labels
from tradelane.web.views.guards import permission_required

from . import selectors, services
from .forms import CompanyForm, SetPasswordForm, UserCreateForm, UserRolesForm, role_label
from .roles import P


def _link(request, uidb64: str, token: str) -> str:
    return request.build_absolute_uri(reverse("web:set_password", args=(uidb64, token)))


def _rows(users) -> list[dict]:
    return [{"user": u, "roles": [role_label(g.name) for g in u.groups.all()]} for u in users]


@never_cache
@permission_required(P.USERS_MANAGE)
def users(request):
    """Everyone who logs in, and the form that adds a person (invited or with a password)."""
    form = UserCreateForm(request.POST or None)
    link = None
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        fields = dict(
            username=d["username"], roles=d["roles"], email=d["email"],
            first_name=d["first_name"], language=d["language"],
        )  # fmt: skip
        try:
            if d["how"] == "invite":
                user, uidb64, token = services.invite_user(request.user, **fields)
                link = _link(request, uidb64, token)
            else:
                user = services.create_user(request.user, password=d["password"], **fields)
        except DomainError as exc:
            form_errors.add_to_form(form, exc)
        else:
            if link is None:
                messages.success(request, _("%(user)s can log in now.") % {"user": user.username})
                return redirect("web:user_detail", user.pk)
            messages.success(request, _("%(user)s is invited.") % {"user": user.username})
            return render(
                request, "accounts/password_link.html",
                {"title": _("Invitation link"), "person": user, "link": link, "invited": True},
            )  # fmt: skip
    return render(
        request,
        "accounts/users.html",
        {
            "title": _("Users and roles"),
            "rows": _rows(selectors.users_for(request.user)),
            "form": form,
            "open_form": request.method == "POST",
        },
        status=422 if request.method == "POST" else 200,
    )


@never_cache
@permission_required(P.USERS_MANAGE)
def user_detail(request, pk: int):
    """One person: their roles; deactivate or reactivate; a new one-time password link."""
    person = selectors.user_detail(request.user, pk)
    current = [g.name for g in person.groups.all()]
    form = UserRolesForm(initial={"roles": current})
    status = 200
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action == "roles":
                form = UserRolesForm(request.POST)
                if not form.is_valid():
                    raise _Invalid
                services.set_roles(request.user, person, form.cleaned_data["roles"])
                messages.success(request, _("Roles saved."))
            elif action in ("deactivate", "activate"):
                services.set_active(request.user, person, action == "activate")
                text = (
                    _("%(user)s can no longer log in.") if action == "deactivate"
                    else _("%(user)s can log in again.")
                )  # fmt: skip
                messages.success(request, text % {"user": person.username})
            elif action == "reset_password":
                uidb64, token = services.reset_password(request.user, person)
                return render(
                    request, "accounts/password_link.html",
                    {"title": _("Password reset link"), "person": person,
                     "link": _link(request, uidb64, token), "invited": False},
                )  # fmt: skip
            else:
                messages.error(request, _("Unknown action."))
                return redirect("web:user_detail", person.pk)
        except _Invalid:
            status = 422
        except DomainError as exc:
            if action != "roles":  # no form of its own: say it above the page
                messages.error(request, form_errors.message(exc))
                return redirect("web:user_detail", person.pk)
            form_errors.add_to_form(form, exc)
            status = exc.status
        else:
            return redirect("web:user_detail", person.pk)
    return render(
        request,
        "accounts/user_detail.html",
        {
            "title": person.username,
            "person": person,
            "roles": [role_label(r) for r in current],
            "form": form,
            "is_self": person.pk == request.user.pk,
        },
        status=status,
    )


class _Invalid(Exception):
    """The form itself refused the input (its errors are on it)."""


@never_cache
@permission_required(P.COMPANY_MANAGE)
def company(request):
    """The company profile: name, base currency, time zone, languages, review thresholds."""
    current = selectors.company()
    initial = {
        "name": current.name,
        "base_currency": current.base_currency,
        "time_zone": current.time_zone,
        "languages": current.languages,
        "review_high_value": current.review_high_value,
        "review_duplicate_hours": current.review_duplicate_hours,
    }
    form = CompanyForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.update_company(request.user, **form.cleaned_data)
            except DomainError as exc:
                form_errors.add_to_form(form, exc)
            else:
                messages.success(request, _("Company profile saved."))
                return redirect("web:company")
        status = 422
    return render(
        request,
        "accounts/company.html",
        {"title": _("Company profile"), "form": form, "company": current},
        status=status,
    )


@never_cache
def set_password(request, uidb64: str, token: str):
    """Open to anyone holding a valid one-time link (an invitation or a reset)."""
    person = services.user_for_token(uidb64, token)
    form = SetPasswordForm(request.POST or None)
    status = 200 if person else 400
    if request.method == "POST" and person is not None:
        if form.is_valid():
            try:
                services.set_password_with_token(uidb64, token, form.cleaned_data["password"])
            except DomainError as exc:
                form_errors.add_to_form(form, exc)
            else:
                messages.success(request, _("Your password is set. Log in with it now."))
                return redirect("web:login")
        status = 422
    response = render(
        request,
        "accounts/set_password.html",
        {"title": _("Choose your password"), "form": form, "person": person},
        status=status,
    )
    response["Referrer-Policy"] = "same-origin"  # the token must not leak to other sites
    return response


@never_cache
@permission_required(P.ORDER_REVIEW)
def blocked_buyers(request):
    """The block list (黑名单): buyers whose orders wait for contact; add one, find one."""
    from django.core.paginator import Paginator

    error, typed, status = None, {}, 200
    if request.method == "POST":
        typed = {k: request.POST.get(k, "") for k in ("email", "phone", "name", "reason")}
        try:
            row = services.block_buyer(request.user, **typed)
        except DomainError as exc:
            error, status = labels.domain_error(exc), exc.status
        else:
            messages.success(
                request, _("%(buyer)s is on the block list.") % {"buyer": row.email or row.phone}
            )
            return redirect("web:blocked_buyers")
    q = (request.GET.get("q") or "").strip()[:100]
    page = Paginator(selectors.blocked_buyers(request.user, q), 50).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "accounts/blocked_buyers.html",
        {"title": _("Blocked buyers"), "page": page, "q": q, "error": error, "typed": typed},
        status=status,
    )


@never_cache
@require_POST
@permission_required(P.ORDER_REVIEW)
def blocked_buyer_remove(request, pk: int):
    try:
        services.unblock_buyer(request.user, pk)
    except DomainError as exc:
        messages.error(request, labels.domain_error(exc)["message"])
    else:
        messages.success(request, _("The buyer is off the block list."))
    return redirect("web:blocked_buyers")
