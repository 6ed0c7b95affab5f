"""The provider's open push API, ``/api/v1/provider/`` (tag "provider"): what any seller ERP
calls to quote, push waybills (batches of up to 500, a result per item), read them back, cancel
or stop them, print labels, follow tracking and set its webhook.

Thin: parse, convert kg/cm to grams/mm, call ``services``/``selectors``/``printing``, answer.
Who the call is for: a portal customer's key always acts for its own account
(``partners.scoping.acting_customer``); a staff key names the customer with ``?customer=``.
A waybill outside the caller's scope is "not found" (404 ``waybill_not_found``), never 403.
Creating needs an active customer (403 ``customer_suspended``); reading, cancelling and
intercepting existing waybills do not. Every POST takes ``Idempotency-Key``.
"""

from __future__ import annotations

from decimal import Decimal

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from ninja import Query, Router
from ninja.decorators import decorate_view

from tradelane.accounts.permissions import require
from tradelane.accounts.roles import P
from tradelane.api.errors import PDF, ZPL, file_responses, responses
from tradelane.api.paging import page_of, paginate
from tradelane.core.bulk import collector_paused
from tradelane.core.countries import check_country
from tradelane.core.errors import NotFound, PermissionDenied, ValidationFailed
from tradelane.core.money import Money, check_currency
from tradelane.logistics.rates.shapes import CM, KG, to_base

from ..lastmile.tracking import merged_timeline
from ..partners import scoping
from ..partners import services as partners
from ..partners.models import CustomerAccount
from . import pricing, printing, selectors, services
from .models import Waybill
from .schemas import (
    MAX_LABELS,
    ProviderChannelsOut,
    ProviderCreatedOut,
    ProviderCustomerQuery,
    ProviderInterceptIn,
    ProviderLabelQuery,
    ProviderLabelsIn,
    ProviderOffersOut,
    ProviderPieceIn,
    ProviderQuoteIn,
    ProviderTrackingOut,
    ProviderWaybillFilters,
    ProviderWaybillIn,
    ProviderWaybillOut,
    ProviderWaybillsIn,
    ProviderWebhookIn,
    ProviderWebhookOut,
)
from .validation import PieceInput

router = Router()


# --- who and for whom -----------------------------------------------------------------------


def _actor(request: HttpRequest, perm: str):
    require(request.auth, perm)
    return request.auth


def _writing_customer(user, code: str) -> CustomerAccount:
    """The customer new waybills (or a quote, or the webhook) are for: active only."""
    return scoping.acting_customer(user, code or None)


def _reading_customer(user, code: str) -> CustomerAccount:
    """The customer whose rows are read: a portal customer's own (suspended or not)."""
    m = scoping.membership(user)
    if m is not None and m.customer_id:
        if code and code != m.customer.code:
            raise NotFound(f"No customer {code}", code="customer_not_found")
        return m.customer
    if not code:
        raise PermissionDenied("Say which customer this is for", code="customer_required")
    return scoping.customer(user, code)


def _waybill(user, number: str, customer: str = "") -> Waybill:
    """By our number, the tracking number or the last-mile number (``selectors.by_any_number``)."""
    try:
        w = selectors.by_any_number(user, number)
    except NotFound:
        w = None
    if w is None or (customer and w.customer.code != customer):
        raise NotFound(f"No waybill {number}", code="waybill_not_found")
    return w


# --- edge units -----------------------------------------------------------------------------


def _piece(p: ProviderPieceIn, at: str) -> dict:
    return {
        "weight_g": to_base(p.weight_kg, KG, f"{at}.weight_kg"),
        "length_mm": to_base(p.length_cm, CM, f"{at}.length_cm"),
        "width_mm": to_base(p.width_cm, CM, f"{at}.width_cm"),
        "height_mm": to_base(p.height_cm, CM, f"{at}.height_cm"),
    }


def waybill_payload(w: ProviderWaybillIn, at: str = "") -> dict:
    """One waybill of the API (kg, cm) as ``validation.parse`` reads it (grams, mm)."""
    data = w.model_dump(exclude={"pieces", "items", "shipper"})
    if w.shipper is not None:
        data["shipper"] = w.shipper.model_dump()
    data["pieces"] = [_piece(p, f"{at}pieces.{i}") for i, p in enumerate(w.pieces)]
    items = []
    for i, it in enumerate(w.items):
        item = it.model_dump(exclude={"unit_weight_kg"})
        item["unit_weight_g"] = to_base(it.unit_weight_kg, KG, f"{at}items.{i}.unit_weight_kg")
        items.append(item)
    data["items"] = items
    return data


def _money(amount: Decimal | None, currency: str) -> dict | None:
    if amount is None:
        return None
    return {"amount": selectors.money_text(amount, currency), "currency": currency}


def _offer(o: pricing.Offer) -> dict:
    sale = o.sale
    lo, hi = sale.transit_days
    return {
        "channel": o.channel_code,
        "name": o.channel_name,
        "ok": o.ok,
        "price": _money(o.price.amount, o.price.currency) if o.ok and o.price else None,
        "charges": [
            {"code": line.code, "amount": selectors.money_text(line.amount.amount,
                                                               line.amount.currency),
             "currency": line.amount.currency, "text": line.description}
            for line in sale.lines
        ] if o.ok else [],
        "chargeable_weight_kg": selectors.kg(sale.chargeable_g) if o.ok else None,
        "transit_days_min": lo,
        "transit_days_max": hi,
        "reasons": o.reasons,
    }  # fmt: skip


def _item(r: services.CreateResult) -> dict:
    w = r.waybill
    return {
        "index": r.index,
        "reference": r.reference,
        "result": r.result,
        "number": w.number if w else None,
        "tracking_number": (w.tracking_number or None) if w else None,
        "tracking_status": w.tracking_status if w else None,
        "errors": [{k: e.get(k, "") for k in ("field", "code", "message")} for e in r.errors],
    }


# --- channels and quotes --------------------------------------------------------------------


@router.get(
    "/channels", response=responses(200, ProviderChannelsOut), operation_id="provider_channels",
    summary="Channels open to me",
)  # fmt: skip
def channels(request, params: Query[ProviderCustomerQuery]):
    """The active channels open to the customer (its level's and its own), with transit time
    and destinations."""
    user = _actor(request, P.WAYBILL_VIEW)
    customer = _writing_customer(user, params.customer)
    return {
        "channels": [
            {"code": ch.code, "name": ch.name, "transit_days_min": ch.transit_days_min,
             "transit_days_max": ch.transit_days_max, "destinations": list(ch.destinations or [])}
            for ch in pricing.open_channels(customer)
        ]
    }  # fmt: skip


@router.post(
    "/quote", response=responses(200, ProviderOffersOut), operation_id="provider_quote",
    summary="Quote a parcel on my channels",
)  # fmt: skip
def quote(request, payload: ProviderQuoteIn, params: Query[ProviderCustomerQuery]):
    """The customer's sale price on each open channel (its own sheet, else its level's, else
    the standard one), cheapest accepting first, then each refusal with its reasons. Never a
    cost price."""
    user = _actor(request, P.WAYBILL_VIEW)
    customer = _writing_customer(user, params.customer)
    country = check_country(payload.consignee.country)
    declared = None
    if payload.declared_value is not None:
        if not payload.declared_currency:
            raise ValidationFailed("A declared value needs its currency", code="currency_required",
                                   details={"field": "declared_currency"})  # fmt: skip
        declared = Money.of(payload.declared_value, check_currency(payload.declared_currency))
    pieces = [PieceInput(**_piece(p, f"pieces.{i}")) for i, p in enumerate(payload.pieces)]
    parcel = pricing.parcel_for(
        pieces, country=country, postcode=payload.consignee.postcode,
        city=payload.consignee.city, declared_value=declared, battery=payload.battery,
        liquid=payload.liquid, magnet=payload.magnet, on_date=timezone.localdate(),
    )  # fmt: skip
    return {"offers": [_offer(o) for o in pricing.offers(customer, parcel)]}


# --- waybills -------------------------------------------------------------------------------


@router.post(
    "/waybills", response=responses(200, ProviderCreatedOut),
    operation_id="provider_waybills_create", summary="Create waybills (up to 500)",
)  # fmt: skip
@decorate_view(collector_paused())  # reading, checking, writing and answering a bounded batch
def create_waybills(request, payload: ProviderWaybillsIn, params: Query[ProviderCustomerQuery]):
    """Up to 500 waybills in one request, each answered at its index: ``created``,
    ``existing`` (the same reference with the same contents: idempotent) or ``rejected`` with
    every error (``reference_conflict`` for the same reference with other contents). A
    refused item writes nothing; with ``all_or_nothing`` nothing is written when one is
    refused. ``tracking_status`` ``pending`` with no ``tracking_number`` is a normal answer:
    the number arrives by webhook (``waybill.tracking_number_assigned``) or by polling."""
    user = _actor(request, P.WAYBILL_ADD)
    customer = _writing_customer(user, params.customer)
    if len(payload.waybills) > services.MAX_BATCH:  # before converting 10,000 of them
        raise ValidationFailed(
            f"At most {services.MAX_BATCH} waybills per request", code="batch_too_large",
            details={"max": services.MAX_BATCH, "sent": len(payload.waybills)},
        )  # fmt: skip
    payloads = [waybill_payload(w, f"waybills.{i}.") for i, w in enumerate(payload.waybills)]
    results = services.create_waybills(user, customer, payloads, source="api",
                                       all_or_nothing=payload.all_or_nothing)  # fmt: skip
    counts = {k: sum(1 for r in results if r.result == k)
              for k in (services.CREATED, services.EXISTING, services.REJECTED)}  # fmt: skip
    return {**counts, "items": [_item(r) for r in results]}


@router.get(
    "/waybills", response=responses(200, page_of(ProviderWaybillOut)),
    operation_id="provider_waybills_list", summary="List my waybills",
)  # fmt: skip
def list_waybills(request, filters: Query[ProviderWaybillFilters]):
    """Newest first, by status, creation day (``YYYY-MM-DD``, inclusive) and number,
    reference or tracking number (``q``); ``limit``/``offset`` paging with the total count.
    A staff key sees every customer in its scope unless it names one."""
    user = _actor(request, P.WAYBILL_VIEW)
    qs = selectors.search(
        user, status=filters.status or "", created_from=filters.created_from,
        created_to=filters.created_to, q=filters.q,
    )  # fmt: skip
    if filters.customer:
        qs = qs.filter(customer_id=_reading_customer(user, filters.customer).pk)
    return paginate(qs, filters,
                    transform=lambda rows: [selectors.waybill_dict(w) for w in rows])  # fmt: skip


@router.get(
    "/waybills/by-reference/{reference}", response=responses(200, ProviderWaybillOut),
    operation_id="provider_waybills_by_reference", summary="Get a waybill by my reference",
)  # fmt: skip
def get_by_reference(request, reference: str, params: Query[ProviderCustomerQuery]):
    user = _actor(request, P.WAYBILL_VIEW)
    customer = _reading_customer(user, params.customer)
    try:
        w = selectors.by_reference(user, customer.pk, reference)
    except NotFound:
        raise NotFound(f"No waybill with reference {reference}",
                       code="waybill_not_found") from None  # fmt: skip
    return selectors.waybill_dict(w)


@router.get(
    "/waybills/{number}", response=responses(200, ProviderWaybillOut),
    operation_id="provider_waybills_get", summary="Get a waybill",
)  # fmt: skip
def get_waybill(request, number: str, params: Query[ProviderCustomerQuery]):
    """The waybill with its three numbers (yours, ours, the tracking number: ``null`` while
    ``tracking_status`` is ``pending``), weights, price and charges."""
    user = _actor(request, P.WAYBILL_VIEW)
    return selectors.waybill_dict(_waybill(user, number, params.customer))


@router.post(
    "/waybills/{number}/cancel", response=responses(200, ProviderWaybillOut),
    operation_id="provider_waybills_cancel", summary="Cancel a waybill before inbound",
)  # fmt: skip
def cancel_waybill(request, number: str, params: Query[ProviderCustomerQuery]):
    """Only before the hub receives the parcel (409 ``not_cancellable`` after: intercept)."""
    user = _actor(request, P.WAYBILL_CHANGE)
    w = services.cancel_waybill(user, _waybill(user, number, params.customer))
    return selectors.waybill_dict(_waybill(user, w.number))


@router.post(
    "/waybills/{number}/intercept", response=responses(200, ProviderWaybillOut),
    operation_id="provider_waybills_intercept", summary="Ask the hub to stop a parcel",
)  # fmt: skip
def intercept_waybill(
    request, number: str, payload: ProviderInterceptIn, params: Query[ProviderCustomerQuery]
):
    """After inbound (before it: cancel, 409 ``cancel_instead``); the hub acts on it."""
    user = _actor(request, P.WAYBILL_CHANGE)
    w = services.request_intercept(user, _waybill(user, number, params.customer),
                                   payload.reason)  # fmt: skip
    return selectors.waybill_dict(_waybill(user, w.number))


LABEL_TYPES = {"pdf": PDF, "zpl": f"{ZPL}; charset=utf-8"}


@router.get(
    "/waybills/{number}/label", response=responses(200, None),
    operation_id="provider_waybills_label", summary="The waybill's label (PDF or ZPL)",
    openapi_extra=file_responses(PDF, ZPL),
)  # fmt: skip
def label(request, number: str, params: Query[ProviderLabelQuery]):
    """One label per piece; 409 ``tracking_number_pending`` while the number is to come."""
    user = _actor(request, P.WAYBILL_VIEW)
    w = _waybill(user, number, params.customer)
    content = printing.labels(user, [w], params.format)
    response = HttpResponse(content, content_type=LABEL_TYPES[params.format])
    kind = "inline" if params.format == "pdf" else "attachment"
    response["Content-Disposition"] = f'{kind}; filename="{w.number}.{params.format}"'
    return response


@router.post(
    "/labels", response=responses(200, None), operation_id="provider_labels",
    summary="The labels of many waybills in one file (up to 100)",
    openapi_extra=file_responses(PDF, ZPL),
)  # fmt: skip
def labels(request, payload: ProviderLabelsIn, params: Query[ProviderCustomerQuery]):
    """Up to 100 waybills, each by our number, your reference or its tracking number, in one
    PDF (one label per page, one per piece) or one ZPL text (one ``^XA``..``^XZ`` per label),
    in the order sent.
    404 ``waybill_not_found`` lists in ``details.numbers`` every entry that names none of your
    waybills (nothing is printed); 422 ``too_many_labels`` over 100; 409
    ``tracking_number_pending`` or ``not_printable`` (cancelled) lists the waybills that have
    no label yet. A staff key names the customer (``?customer=``) to print by reference. A read:
    safe to repeat, so the file is not kept for an ``Idempotency-Key`` replay."""
    user = _actor(request, P.WAYBILL_VIEW)
    if len(payload.numbers) > MAX_LABELS:  # before looking up 10,000 of them
        raise ValidationFailed(
            f"At most {MAX_LABELS} labels per request ({len(payload.numbers)} sent)",
            code="too_many_labels", details={"max": MAX_LABELS, "count": len(payload.numbers)},
        )  # fmt: skip
    m = scoping.membership(user)
    own = m is not None and bool(m.customer_id)
    customer = _reading_customer(user, params.customer) if params.customer or own else None
    found, missing = selectors.by_numbers(
        user, payload.numbers, customer_id=customer.pk if customer else None, references=True
    )
    if missing:
        raise NotFound(f"No waybill {', '.join(missing[:10])}", code="waybill_not_found",
                       details={"numbers": missing})  # fmt: skip
    content = printing.labels(user, found, payload.format, limit=MAX_LABELS)
    response = HttpResponse(content, content_type=LABEL_TYPES[payload.format])
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    response["Content-Disposition"] = f'attachment; filename="labels-{stamp}.{payload.format}"'
    response["Cache-Control"] = "no-store"  # a read, safe to repeat: no stored replay of a file
    return response


@router.get(
    "/waybills/{number}/tracking", response=responses(200, ProviderTrackingOut),
    operation_id="provider_waybills_tracking", summary="The waybill's tracking timeline",
)  # fmt: skip
def tracking(request, number: str, params: Query[ProviderCustomerQuery]):
    user = _actor(request, P.WAYBILL_VIEW)
    w = _waybill(user, number, params.customer)
    return {
        "number": w.number,
        "tracking_number": w.tracking_number or None,
        "last_mile_carrier": w.last_mile_carrier or None,
        "last_mile_number": w.last_mile_number or None,
        "status": w.status,
        "events": merged_timeline(w),  # ours and the last mile's, with their source
    }  # fmt: skip


# --- webhook --------------------------------------------------------------------------------


@router.put(
    "/webhook", response=responses(200, ProviderWebhookOut), operation_id="provider_webhook_set",
    summary="Set my webhook address",
)  # fmt: skip
def set_webhook(request, payload: ProviderWebhookIn, params: Query[ProviderCustomerQuery]):
    """Where status, weight, fee and number changes are POSTed, signed with
    ``X-Tradelane-Signature: sha256=<hex HMAC-SHA256 of the body>``. A new secret is made each
    time and shown only in this answer; an empty ``url`` stops the webhooks."""
    user = request.auth
    require(user, P.PORTAL_USE if scoping.is_portal_user(user) else P.PARTNER_MANAGE)
    customer = _writing_customer(user, params.customer)
    customer, secret = partners.set_webhook(user, customer, payload.url)
    response = JsonResponse({"url": customer.webhook_url, "secret": secret})
    response["Cache-Control"] = "no-store"
    return response


# --- the collection -------------------------------------------------------------------------


@router.get(
    "/collection.json", auth=None, response=responses(200, dict),
    operation_id="provider_collection", summary="A Postman collection of this API",
)  # fmt: skip
def collection(request):
    """Every operation of the provider's API as a Postman v2.1 collection (import it into
    Postman, Bruno or Insomnia; set ``baseUrl`` and ``apiKey``). No secrets in it."""
    from tradelane.api.collection import postman_collection
    from tradelane.api.root import api

    base = request.build_absolute_uri("/").rstrip("/")
    return postman_collection(api, tag="provider", base_url=base,
                              name="Tradelane provider API")  # fmt: skip
