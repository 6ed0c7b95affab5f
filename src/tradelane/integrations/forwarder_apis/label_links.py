"""The label PDF an ERP downloads from the URL getLabelUrl (ECCANG) or PDF_NEW.aspx (Hualei)
gives it. The URL carries a signed token naming the credential and the waybills
(``django.core.signing``), so the ERP fetches it without credentials, as it does from the
vendors' servers, and nobody can make up another. The labels are printed by
``forwarding.waybills.printing`` as the credential's portal user (the same labels as the open
API's and the portal's, in that user's scope); a revoked credential's links stop working, and
there is no label while the tracking number is still to come ("number later")."""

from __future__ import annotations

from django.core import signing
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.views.decorators.http import require_GET

from tradelane.core.errors import DomainError
from tradelane.forwarding.waybills import printing
from tradelane.forwarding.waybills.models import Waybill

from .models import VendorCredential

SALT = "forwarder_apis.label"
MAX_AGE = 90 * 24 * 3600  # an ERP prints again weeks later


def token(cred: VendorCredential, waybills) -> str:
    return signing.dumps({"c": cred.pk, "w": [w.pk for w in waybills]}, salt=SALT,
                         compress=True)  # fmt: skip


def url(request: HttpRequest, cred: VendorCredential, *waybills: Waybill) -> str:
    """The label PDF of these waybills (one label per piece)."""
    return request.build_absolute_uri(reverse("forwarder_apis:label", args=[token(cred, waybills)]))


def order_id(w: Waybill) -> str:
    """Hualei's ``order_id``: the waybill number with a short signature, so a label or number
    asked for by it alone (as Hualei clients do) names only a waybill the caller was given."""
    return signing.Signer(salt=SALT, sep=".").sign(w.number)


def from_order_id(value: str) -> str | None:
    try:
        return signing.Signer(salt=SALT, sep=".").unsign(str(value or "").strip())
    except signing.BadSignature:
        return None


@require_GET
def label(request: HttpRequest, token: str) -> HttpResponse:
    try:
        named = signing.loads(token, salt=SALT, max_age=MAX_AGE)
        cred_id, ids = int(named["c"]), [int(i) for i in named["w"]]
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        raise Http404("No such label") from None
    cred = (
        VendorCredential.objects.select_related("user")
        .filter(pk=cred_id, active=True, user__is_active=True)
        .first()
    )
    if cred is None:
        raise Http404("No such label")
    try:
        pdf = printing.labels(cred.user, ids, "pdf")
    except DomainError:
        raise Http404("No such label") from None
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = 'inline; filename="labels.pdf"'
    return response
