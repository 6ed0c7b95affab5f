"""The label PDF an ERP downloads from the URL getLabelUrl (ECCANG) or PDF_NEW.aspx (Hualei)
gives it. The URL carries a signed token naming the waybill (``django.core.signing``), so the
ERP fetches it without credentials, as it does from the vendors' servers, and nobody can guess
another one. The label is drawn by ``logistics.documents`` (4x6, the tracking number's
barcode); it exists only once the tracking number does ("number later" has none yet)."""

from __future__ import annotations

from django.core import signing
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.views.decorators.http import require_GET

from tradelane.forwarding.waybills.models import Waybill

SALT = "forwarder_apis.label"
MAX_AGE = 90 * 24 * 3600  # an ERP prints again weeks later


def token(waybills) -> str:
    return signing.dumps([w.number for w in waybills], salt=SALT, compress=True)


def url(request: HttpRequest, *waybills: Waybill) -> str:
    """The label PDF of these waybills (one page each)."""
    return request.build_absolute_uri(reverse("forwarder_apis:label", args=[token(waybills)]))


def order_id(w: Waybill) -> str:
    """Hualei's ``order_id``: the waybill number with a short signature, so a label or number
    asked for by it alone (as Hualei clients do) names only a waybill the caller was given."""
    return signing.Signer(salt=SALT, sep=".").sign(w.number)


def from_order_id(value: str) -> str | None:
    try:
        return signing.Signer(salt=SALT, sep=".").unsign(str(value or "").strip())
    except signing.BadSignature:
        return None


def _address(data: dict, fallback_name: str):
    from tradelane.logistics.documents.data import Address

    return Address(
        name=data.get("name") or fallback_name, company=data.get("company", ""),
        address1=data.get("address1") or "-", address2=data.get("address2", ""),
        city=data.get("city") or "-", state=data.get("state", ""),
        postcode=data.get("postcode", ""), country=data.get("country") or "CN",
        phone=data.get("phone", ""),
    )  # fmt: skip


def _label(w: Waybill):
    from tradelane.logistics.documents.data import LabelData

    receiver = _address(
        {
            "name": w.consignee_name, "company": w.consignee_company,
            "address1": w.consignee_address1, "address2": w.consignee_address2,
            "city": w.consignee_city, "state": w.consignee_state,
            "postcode": w.consignee_postcode, "country": w.consignee_country,
            "phone": w.consignee_phone,
        },
        w.consignee_name,
    )  # fmt: skip
    return LabelData(
        sender=_address(dict(w.shipper or {}), w.customer.company), receiver=receiver,
        tracking_number=w.tracking_number, channel_code=w.channel.code,
        service_name=w.channel.name, reference=w.reference, pieces=max(w.pieces, 1),
        weight_g=w.chargeable_weight_g or w.forecast_weight_g, date=w.created_at.date(),
    )  # fmt: skip


def render(waybills) -> bytes:
    from tradelane.logistics.documents.labels_pdf import render_labels_pdf

    return render_labels_pdf([_label(w) for w in waybills])


@require_GET
def label(request: HttpRequest, token: str) -> HttpResponse:
    try:
        numbers = signing.loads(token, salt=SALT, max_age=MAX_AGE)
    except signing.BadSignature:
        raise Http404("No such label") from None
    found = {
        w.number: w
        for w in Waybill.objects.select_related("customer", "channel").filter(
            number__in=[str(n) for n in numbers][:100]
        )
    }
    waybills = [found[n] for n in numbers if n in found]
    if not waybills or any(not w.tracking_number or w.status == "cancelled" for w in waybills):
        raise Http404("No such label")
    response = HttpResponse(render(waybills), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{waybills[0].number}.pdf"'
    return response
