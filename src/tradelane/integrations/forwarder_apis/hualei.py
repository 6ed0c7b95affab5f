"""A Hualei TMS compatible endpoint, at the paths Hualei's servers use (URL1 and URL2 of a
forwarder on Hualei are both this site):

- ``selectAuth.htm?username=&password=`` -> ``{'ack':'true','customer_id':..,
  'customer_userid':..}`` in single quotes, as Hualei answers (clients swap the quotes);
- ``createOrderApi.htm`` with the form field ``param=<JSON>`` carrying ``customer_id`` and
  ``customer_userid``, ``product_id`` (our channel code), ``order_customerinvoicecode`` (the
  reference), ``consignee_*``, ``orderInvoiceParam[...]``; it answers ``ack``, ``message``
  (URL-encoded GBK), ``order_id``, ``reference_number``, ``tracking_number``; when the number
  comes later the message says 无法获取转单号, which Hualei clients look for;
- ``getOrderTrackingNumber.htm?documentCode=`` (or ``order_id=``) -> ``order_customerinvoicecode``
  and ``order_serveinvoicecode`` (the reference again while the number is pending);
- ``selectTrack.htm?documentCode=a,b`` -> ``[{ack, message, data: [{trackingNumber,
  trackContent, trackDetails: [...]}]}]`` in GBK;
- ``getProductList.htm`` -> ``[{product_id, product_shortname, express_type, ...}]`` in GBK;
- ``order/FastRpt/PDF_NEW.aspx?order_id=`` -> a redirect to the label PDF.

Hualei's own servers answer the queries to anyone who knows a number; here a query names only
what the caller may see: the ``order_id`` createOrderApi returned (signed), or a reference or
tracking number together with ``customer_id`` and ``customer_userid`` (or ``username`` and
``password``). Every write goes through the forwarding services as the credential's user.
"""

from __future__ import annotations

import json
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from urllib.parse import quote

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from tradelane.core.errors import DomainError
from tradelane.forwarding.waybills.models import Waybill, WaybillSource
from tradelane.logistics.models import Channel

from . import label_links, operations
from .models import Vendor, VendorCredential
from .selectors import authenticate, by_user_token, user_token

CHARSET = "GBK"
MAX_BODY = 2 * 1024 * 1024
CENT = Decimal("0.01")

AUTH_FAILED = "用户名或密码错误 The username or password is wrong"
NOT_AUTHORISED = "客户ID或登录人ID错误 customer_id or customer_userid is wrong"
BAD_PARAM = "param不是有效的JSON param is not valid JSON"
NOT_FOUND = "订单不存在 No such order: {0}"
NUMBER_LATER = "无法获取转单号，请稍后调用getOrderTrackingNumber The tracking number comes later"


def encoded(text: str) -> str:
    """A message as Hualei sends it: GBK bytes, URL-encoded (clients urldecode it)."""
    return quote(text.encode(CHARSET, errors="replace"), safe="")


def gbk(data, status: int = 200) -> HttpResponse:
    body = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return HttpResponse(body.encode(CHARSET, errors="replace"), status=status,
                        content_type=f"text/plain; charset={CHARSET}")  # fmt: skip


def _arg(request: HttpRequest, name: str) -> str:
    return str(request.POST.get(name) or request.GET.get(name) or "").strip()


def _caller(request: HttpRequest) -> VendorCredential | None:
    if _arg(request, "customer_userid"):
        return by_user_token(Vendor.HUALEI, _arg(request, "customer_id"),
                             _arg(request, "customer_userid"))  # fmt: skip
    if _arg(request, "username"):
        return authenticate(Vendor.HUALEI, _arg(request, "username"), _arg(request, "password"))
    return None


def _by_order_id(order_id: str) -> tuple[VendorCredential, Waybill] | None:
    """The waybill a signed ``order_id`` names, read as one of its customer's Hualei users."""
    number = label_links.from_order_id(order_id)
    if number is None:
        return None
    for cred in VendorCredential.objects.select_related("customer", "user").filter(
        vendor=Vendor.HUALEI, active=True, user__is_active=True,
        customer__waybills__number=number,
    ):  # fmt: skip
        w = operations.find(cred, number)
        if w is not None:
            return cred, w
    return None


def _lookup(request: HttpRequest, code: str) -> Waybill | None:
    signed = _by_order_id(code)
    if signed is not None:
        return signed[1]
    cred = _caller(request)
    return operations.find(cred, code) if cred is not None else None


# --- selectAuth.htm ---------------------------------------------------------------------------


@csrf_exempt
def select_auth(request: HttpRequest) -> HttpResponse:
    cred = authenticate(Vendor.HUALEI, _arg(request, "username"), _arg(request, "password"))
    if cred is None:
        fields = {"ack": "false", "customer_id": "", "customer_userid": "",
                  "message": encoded(AUTH_FAILED)}  # fmt: skip
    else:
        fields = {"ack": "true", "customer_id": str(cred.pk), "customer_userid": user_token(cred)}
    # single quotes, as Hualei writes it (every value here is quote-free: ids, hex, %-codes)
    body = "{" + ",".join(f"'{k}':'{v}'" for k, v in fields.items()) + "}"
    return HttpResponse(body, content_type=f"text/plain; charset={CHARSET}")


# --- createOrderApi.htm -----------------------------------------------------------------------


def _s(d: dict, key: str) -> str:
    value = d.get(key)
    return "" if value is None else str(value).strip()


def _unit_value(line: dict) -> object:
    amount, pcs = line.get("invoice_amount"), line.get("invoice_pcs")
    try:
        total, n = Decimal(str(amount)), int(str(pcs))
    except (InvalidOperation, ValueError, TypeError):
        return amount  # parse names the field
    if n <= 0:
        return amount
    return str((total / n).quantize(CENT, ROUND_HALF_UP))


def to_payload(p: dict) -> dict:
    """Hualei's createOrderApi ``param`` as the dict ``validation.parse`` reads (g, mm)."""
    lines = [x for x in (p.get("orderInvoiceParam") or []) if isinstance(x, dict)]
    items = [
        {"name_en": x.get("invoice_title"), "name_zh": x.get("sku"),
         "quantity": x.get("invoice_pcs"), "unit_value": _unit_value(x),
         "currency": _s(x, "invoice_currency") or "USD",
         "unit_weight_g": operations.grams(x.get("invoice_weight")) or 0,
         "hs_code": x.get("hs_code"), "sku": x.get("sku_code"),
         "origin": x.get("origin_country") or "CN", "material": x.get("invoice_material"),
         "sales_url": x.get("transaction_url")}
        for x in lines
    ]  # fmt: skip
    weight = operations.grams(p.get("weight"))
    if weight is None:
        weight = sum(
            (operations.grams(x.get("invoice_weight")) or 0) * int(str(x.get("invoice_pcs") or 0))
            for x in lines if str(x.get("invoice_pcs") or "0").isdigit()
        )  # fmt: skip
    try:
        n = max(int(_s(p, "order_piece") or 1), 1)
    except ValueError:
        n = 1
    pieces = (
        [{"weight_g": -(-weight // n)} for _ in range(min(n, 100))]
        if isinstance(weight, int) and weight > 0 else [{"weight_g": weight or None}]
    )  # fmt: skip
    ioss = _s(p, "shipper_taxno") if _s(p, "shipper_taxnotype").upper() == "IOSS" else ""
    return {
        "reference": p.get("order_customerinvoicecode"),
        "channel": p.get("product_id"),
        "consignee": operations.chinese_address({
            "name": _s(p, "consignee_name"), "company": _s(p, "consignee_companyname"),
            "phone": _s(p, "consignee_telephone") or _s(p, "consignee_mobile"),
            "email": _s(p, "consignee_email"), "address1": _s(p, "consignee_address"),
            "address2": " ".join(x for x in (_s(p, "consignee_streetno"),
                                             _s(p, "consignee_doorno")) if x),
            "city": _s(p, "consignee_city"), "state": _s(p, "consignee_state"),
            "postcode": _s(p, "consignee_postcode"), "country": _s(p, "country"),
        }),
        "shipper": operations.chinese_address({
            "name": _s(p, "shipper_name"), "company": _s(p, "shipper_companyname"),
            "phone": _s(p, "shipper_telephone"), "address1": _s(p, "shipper_address1"),
            "address2": _s(p, "shipper_address2"), "city": _s(p, "shipper_city"),
            "state": _s(p, "shipper_state"), "postcode": _s(p, "shipper_postcode"),
            "country": _s(p, "shipper_country"),
        }),
        "pieces": pieces,
        "items": items,
        "incoterm": _s(p, "duty_type").upper() or "DDU",
        "ioss": ioss,
        "vat_number": _s(p, "consignee_taxno"),
        "note": _s(p, "order_customnote"),
    }  # fmt: skip


def _order_answer(ack: bool, message: str, *, reference: str = "", w: Waybill | None = None):
    later = w is not None and operations.number_later(w)
    return JsonResponse({
        "ack": "true" if ack else "false",
        "message": encoded(NUMBER_LATER if later else message),
        "order_id": label_links.order_id(w) if w is not None else "",
        "reference_number": w.reference if w is not None else reference,
        "tracking_number": "" if w is None or later else w.tracking_number,
        "order_transfercode": "",
    })  # fmt: skip


@csrf_exempt
def create_order(request: HttpRequest) -> HttpResponse:
    if len(request.body) > MAX_BODY:
        return _order_answer(False, "请求过大 The request is too large")
    try:
        p = json.loads(_arg(request, "param") or "null")
    except ValueError:
        return _order_answer(False, BAD_PARAM)
    if isinstance(p, list) and len(p) == 1:
        p = p[0]
    if not isinstance(p, dict):
        return _order_answer(False, BAD_PARAM)
    reference = _s(p, "order_customerinvoicecode")
    cred = by_user_token(Vendor.HUALEI, _s(p, "customer_id"), _s(p, "customer_userid"))
    if cred is None:
        return _order_answer(False, NOT_AUTHORISED, reference=reference)
    try:
        result = operations.create(cred, to_payload(p), WaybillSource.HUALEI)
    except DomainError as exc:
        return _order_answer(False, operations.text(exc.code, exc.message), reference=reference)
    if result.waybill is None:
        return _order_answer(False, operations.error_text(result.errors), reference=reference)
    return _order_answer(True, "", w=result.waybill)


# --- the queries --------------------------------------------------------------------------------


@csrf_exempt
def tracking_number(request: HttpRequest) -> HttpResponse:
    code = _arg(request, "order_id") or _arg(request, "documentCode")
    w = _lookup(request, code)
    if w is None:
        return JsonResponse({"ack": "false", "status": "false", "order_id": "",
                             "msg": encoded(NOT_FOUND.format(code)),
                             "message": encoded(NOT_FOUND.format(code))})  # fmt: skip
    later = operations.number_later(w)
    return JsonResponse({
        "ack": "true", "status": "true", "order_id": label_links.order_id(w),
        "order_customerinvoicecode": w.reference,
        "order_serveinvoicecode": w.reference if later else w.tracking_number,
        "order_transfercode": w.last_mile_number,
    })  # fmt: skip


@csrf_exempt
def select_track(request: HttpRequest) -> HttpResponse:
    codes = [c.strip() for c in _arg(request, "documentCode").split(",") if c.strip()][:50]
    rows = []
    for code in codes:
        w = _lookup(request, code)
        if w is None:
            continue
        events = list(reversed(operations.events(w)))
        rows.append({
            "trackingNumber": w.tracking_number or w.number, "referenceNumber": w.reference,
            "trackContent": events[0].description if events else "",
            "trackDetails": [
                {"track_date": e.occurred_at.strftime("%Y-%m-%d %H:%M:%S"),
                 "track_location": e.location, "track_content": e.description,
                 "track_kind": e.status}
                for e in events
            ],
        })  # fmt: skip
    if not rows:
        return gbk([{"ack": "false", "message": encoded(NOT_FOUND.format(",".join(codes))),
                     "data": []}])  # fmt: skip
    return gbk([{"ack": "true", "message": "", "data": rows}])


@csrf_exempt
def product_list(request: HttpRequest) -> HttpResponse:
    """The customer's open channels with credentials; without them, as Hualei lists its
    products to anyone, the active channels' codes and names (no prices)."""
    cred = _caller(request)
    channels = (
        operations.channels(cred) if cred is not None
        else Channel.objects.filter(is_active=True).order_by("code")
    )  # fmt: skip
    return gbk([
        {"product_id": ch.code, "product_shortname": ch.name, "express_type": "",
         "product_doornorule": "",
         "product_tracknoapitype": "" if ch.s10_prefix and ch.s10_country else "2"}
        for ch in channels
    ])  # fmt: skip


@csrf_exempt
def print_label(request: HttpRequest) -> HttpResponse:
    """``PDF_NEW.aspx?Format=&PrintType=&order_id=a,b``: Hualei answers with a redirect to the
    PDF; the label exists once the tracking number does."""
    found: list[tuple[VendorCredential, Waybill]] = []
    for order_id in _arg(request, "order_id").split(",")[:100]:
        named = _by_order_id(order_id)
        if named is None or operations.number_later(named[1]):
            return HttpResponse(encoded(NUMBER_LATER if named else NOT_FOUND.format(order_id)),
                                status=404, content_type="text/plain")  # fmt: skip
        found.append(named)
    if not found or len({cred.customer_id for cred, _w in found}) > 1:
        return HttpResponse(encoded(NOT_FOUND.format("-")), status=404,
                            content_type="text/plain")  # fmt: skip
    return HttpResponseRedirect(label_links.url(request, found[0][0], *(w for _c, w in found)))
