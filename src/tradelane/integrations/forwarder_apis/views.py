"""The provider staff's page of one customer's ERP credentials (ECCANG appToken/appKey, Hualei
username/password): listed for partner readers, issued and revoked by partner managers. Thin:
every write is a ``services`` call; the customer comes through ``forwarding.partners.scoping``
(another salesperson's customer is 404)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from tradelane.accounts.roles import P
from tradelane.core.errors import DomainError
from tradelane.forwarding.partners import scoping
from tradelane.web import labels
from tradelane.web.views.guards import permission_required

from . import selectors, services
from .models import Vendor


def _page(request, row, *, status: int = 200, **extra):
    return render(request, "forwarder_apis/tms_credentials.html", {
        "title": _("ERP credentials"), "c": row, "credentials": selectors.for_customer(row),
        "members": row.members.select_related("user"), "vendors": Vendor.choices,
        "may_manage": request.user.has_perm(P.PARTNER_MANAGE), **extra,
    }, status=status)  # fmt: skip


@never_cache
@permission_required(P.PARTNER_VIEW)
def tms_credentials(request, code: str):
    """GET: the customer's credentials. POST: issue one; the answer shows its secret once."""
    row = scoping.customer(request.user, code)
    if request.method != "POST":
        return _page(request, row)
    if not request.user.has_perm(P.PARTNER_MANAGE):
        raise PermissionDenied(P.PARTNER_MANAGE)
    typed = {k: (request.POST.get(k) or "").strip() for k in ("vendor", "user", "username")}
    user = (
        get_user_model().objects.filter(pk=int(typed["user"])).first()
        if typed["user"].isdigit()
        else None
    )
    try:
        cred, secret = services.issue(
            request.user, vendor=typed["vendor"], user=user, username=typed["username"],
            customer=row,
        )  # fmt: skip
    except DomainError as exc:
        return _page(request, row, status=exc.status, error=labels.domain_error(exc),
                     typed=typed)  # fmt: skip
    return _page(request, row, issued=cred, secret=secret)


@never_cache
@require_POST
@permission_required(P.PARTNER_MANAGE)
def tms_credential_revoke(request, code: str, pk: int):
    row = scoping.customer(request.user, code)
    cred = selectors.for_customer(row).filter(pk=pk).first()
    if cred is None:
        raise Http404("No such credential")
    try:
        services.revoke(request.user, cred)
    except DomainError as exc:
        messages.error(request, labels.domain_error(exc)["message"])
    else:
        messages.success(request, _("Credential %(name)s revoked.") % {"name": cred.identifier})
    return redirect("forwarder_apis:tms_credentials", code=row.code)
