"""An ECCANG TMS compatible endpoint: ``POST /default/svc/web-service``.

The shape is the one seller ERPs send to the many forwarders who rent ECCANG's TMS: a SOAP
``callService`` whose children are ``paramsJson`` (a JSON text), ``appToken``, ``appKey`` and
``service``; the reply is ``callServiceResponse/response`` holding the JSON envelope ``{ask:
Success|Failure, message, Error: {errCode, errMessage}, data}``. Some clients post the same
four fields as a form or as JSON instead of SOAP; they get the bare JSON envelope. Services:
createOrder, getTrackNumber, getLabelUrl, cancelOrder, getCargoTrack, getShippingMethod,
feeTrail, interceptOrder. Each maps onto the forwarding services as the credential's portal
user; ``createOrder``'s fields become the dict of ``forwarding.waybills.validation.parse``.

The errCode values are Tradelane's own (ECCANG's are not published); every errMessage and
message is Chinese first, then English.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from xml.sax.saxutils import escape

from defusedxml import DefusedXmlException, ElementTree
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt

from tradelane.core.errors import DomainError
from tradelane.forwarding.waybills.models import WaybillSource
from tradelane.logistics.tracking import codes

from . import label_links, operations
from .models import Vendor, VendorCredential
from .selectors import authenticate

MAX_BODY = 2 * 1024 * 1024
FIELDS = ("paramsJson", "appToken", "appKey", "service")

# errCode values (Tradelane's; the message says what happened in both languages)
AUTH_FAILED = "1001"
UNKNOWN_SERVICE = "1002"
BAD_PARAMS = "1003"
INVALID_ORDER = "2001"
DUPLICATE_REFERENCE = "2002"
NOT_FOUND = "2003"
WRONG_STATE = "2004"
NUMBER_LATER = "2005"
NO_CHANNEL = "2006"
REFUSED = "3001"

CODE_OF = {
    "reference_conflict": DUPLICATE_REFERENCE, "duplicate_reference": DUPLICATE_REFERENCE,
    "waybill_not_found": NOT_FOUND, "not_found": NOT_FOUND,
    "not_cancellable": WRONG_STATE, "not_interceptable": WRONG_STATE,
    "cancel_instead": WRONG_STATE, "intercept_already_requested": WRONG_STATE,
    "invalid_transition": WRONG_STATE,
    "channel_not_open": NO_CHANNEL, "no_open_channel": NO_CHANNEL,
    "no_channel_accepts": NO_CHANNEL,
    "customer_suspended": REFUSED, "permission_denied": REFUSED,
}  # fmt: skip

# our tracking statuses as ECCANG's two-letter track codes (IR and NT as ECCANG's answers show)
TRACK_CODE = {
    codes.INFO_RECEIVED: "IR", codes.PICKED_UP: "PU", codes.IN_TRANSIT: "NT",
    codes.CUSTOMS: "CC", codes.CUSTOMS_RELEASED: "CR", codes.OUT_FOR_DELIVERY: "OD",
    codes.DELIVERED: "DL", codes.RETURNED: "RT", codes.EXCEPTION: "EX",
}  # fmt: skip

TEXT = {
    AUTH_FAILED: "appToken或appKey错误 The appToken or appKey is wrong",
    UNKNOWN_SERVICE: "不支持的service The service is not supported: {0}",
    BAD_PARAMS: "paramsJson不是有效的JSON paramsJson is not valid JSON",
    NOT_FOUND: "订单不存在 No such order: {0}",
    NUMBER_LATER: "跟踪号稍后生成，暂无标签 The tracking number comes later: no label yet",
    "missing": "缺少参数 Missing parameter: {0}",
}


class Failure(Exception):
    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code, self.message = code, message


def _success(data=None, **top) -> dict:
    out = {"ask": "Success", "message": "Success", **top}
    if data is not None:
        out["data"] = data
    return out


def _failure(code: str, message: str, **top) -> dict:
    return {"ask": "Failure", "message": message, **top,
            "Error": {"errCode": code, "errMessage": message}}  # fmt: skip


def _from_domain(exc: DomainError) -> Failure:
    errors = (exc.details or {}).get("errors") if isinstance(exc.details, dict) else None
    message = operations.error_text(errors) if errors else operations.text(exc.code, exc.message)
    return Failure(CODE_OF.get(exc.code, INVALID_ORDER), message)


# --- the request and the reply ----------------------------------------------------------------


def read_call(request: HttpRequest) -> tuple[dict, bool]:
    """The four fields of a call and whether it came as SOAP."""
    body = request.body
    if body.lstrip()[:1] == b"<":
        root = ElementTree.fromstring(body)
        found = {}
        for el in root.iter():
            name = el.tag.rsplit("}", 1)[-1]
            if name in FIELDS and name not in found:
                found[name] = (el.text or "").strip()
        return found, True
    if "json" in (request.content_type or "") or body.lstrip()[:1] == b"{":
        data = json.loads(body or b"{}")
        return ({k: data.get(k) for k in FIELDS if k in data} if isinstance(data, dict) else {},
                False)  # fmt: skip
    return {k: request.POST.get(k, "") for k in FIELDS if k in request.POST}, False


def reply(envelope: dict, soap: bool) -> HttpResponse:
    text = json.dumps(envelope, ensure_ascii=False, separators=(",", ":"))
    if not soap:
        return HttpResponse(text, content_type="application/json; charset=utf-8")
    xml = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<SOAP-ENV:Envelope xmlns:SOAP-ENV="http://schemas.xmlsoap.org/soap/envelope/" '
        'xmlns:ns1="http://www.example.org/Ec/"><SOAP-ENV:Body><ns1:callServiceResponse>'
        f"<response>{escape(text)}</response></ns1:callServiceResponse></SOAP-ENV:Body>"
        "</SOAP-ENV:Envelope>"
    )
    return HttpResponse(xml.encode(), content_type="text/xml; charset=utf-8")


def _params(raw) -> dict:
    if isinstance(raw, dict):
        return raw
    if raw in (None, ""):
        return {}
    try:
        value = json.loads(raw)
    except (TypeError, ValueError):
        raise Failure(BAD_PARAMS, TEXT[BAD_PARAMS]) from None
    if not isinstance(value, dict):
        raise Failure(BAD_PARAMS, TEXT[BAD_PARAMS])
    return value


def _codes(p: dict, *keys: str) -> list[str]:
    for key in keys:
        value = p.get(key)
        if value not in (None, "", []):
            values = value if isinstance(value, list) else str(value).split(",")
            return [str(v).strip() for v in values if str(v).strip()][:100]
    raise Failure(BAD_PARAMS, TEXT["missing"].format(keys[0]))


def _one(cred: VendorCredential, p: dict):
    (code,) = _codes(p, "reference_no", "order_code", "shipping_method_no")[:1]
    w = operations.find(cred, code)
    if w is None:
        raise Failure(NOT_FOUND, TEXT[NOT_FOUND].format(code))
    return w


# --- createOrder --------------------------------------------------------------------------------


def _address(d: dict, prefix: str, country: str) -> dict:
    d = d if isinstance(d, dict) else {}

    def get(key):
        value = d.get(f"{prefix}_{key}")
        return "" if value is None else str(value).strip()

    streets = [get("street"), get("street2"), get("street3")]
    return {
        "name": get("name"), "company": get("company"),
        "phone": get("telephone") or get("mobile"), "email": get("email"),
        "address1": streets[0] or get("doorplate"),
        "address2": " ".join(s for s in streets[1:] if s),
        "city": get("city"), "state": get("province"), "postcode": get("postcode"),
        "country": country or get("countrycode"),
    }  # fmt: skip


def _pieces(p: dict) -> list[dict]:
    volume = p.get("Volume")
    if isinstance(volume, list) and volume and all(isinstance(v, dict) for v in volume):
        weights = [v.get("weight") for v in volume]
        if all(w not in (None, "") for w in weights):
            return [
                {"weight_g": operations.grams(v.get("weight")),
                 **{f"{s}_mm": operations.millimetres(v.get(s)) for s in
                    ("length", "width", "height")}}
                for v in volume
            ]  # fmt: skip
    n = p.get("order_pieces") or 1
    try:
        n = max(int(str(n).strip()), 1)
    except ValueError:
        n = 1
    total = operations.grams(p.get("order_weight"))
    dims = {f"{s}_mm": operations.millimetres(p.get(s)) for s in ("length", "width", "height")}
    if isinstance(total, int):
        each = -(-total // n)
        return [{"weight_g": each, **dims} for _ in range(min(n, 100))]
    return [{"weight_g": total, **dims}]


def to_payload(p: dict) -> dict:
    """ECCANG's createOrder paramsJson as the dict ``validation.parse`` reads (g, mm)."""
    consignee = p.get("Consignee") or {}
    items = []
    for it in p.get("ItemArr") or []:
        if not isinstance(it, dict):
            items.append(it)
            continue
        items.append({
            "name_en": it.get("invoice_enname"), "name_zh": it.get("invoice_cnname"),
            "quantity": it.get("invoice_quantity"), "unit_value": it.get("invoice_unitcharge"),
            "currency": it.get("invoice_currencycode") or "USD",
            "unit_weight_g": operations.grams(it.get("invoice_weight")) or 0,
            "hs_code": it.get("hs_code"), "sku": it.get("sku"),
            "sales_url": it.get("invoice_url"), "material": it.get("invoice_material"),
        })  # fmt: skip
    ioss = p.get("ioss") or (consignee.get("IOSS") if isinstance(consignee, dict) else "")
    return {
        "reference": p.get("reference_no"),
        "channel": p.get("shipping_method"),
        "consignee": operations.chinese_address(
            _address(consignee, "consignee", str(p.get("country_code") or ""))
        ),
        "shipper": operations.chinese_address(_address(p.get("Shipper") or {}, "shipper", "")),
        "pieces": _pieces(p),
        "items": items,
        "ioss": ioss or "",
        "vat_number": (consignee.get("consignee_taxno") or "") if isinstance(consignee, dict)
        else "",
        "note": p.get("order_info") or "",
    }  # fmt: skip


def _numbers(w) -> dict:
    later = operations.number_later(w)
    return {
        "reference_no": w.reference,
        "shipping_method_no": "" if later else w.tracking_number,
        "order_code": w.number,
        "track_status": "2" if later else "1",  # 1: number given, 2: the number comes later
    }


def create_order(cred: VendorCredential, p: dict) -> dict:
    result = operations.create(cred, to_payload(p), WaybillSource.ECCANG)
    if result.waybill is None:
        raise Failure(CODE_OF.get(result.code, INVALID_ORDER),
                      operations.error_text(result.errors))  # fmt: skip
    numbers = _numbers(result.waybill)
    return _success(numbers, **numbers)


def get_track_number(cred: VendorCredential, p: dict) -> dict:
    found = [w for code in _codes(p, "reference_no", "order_code")
             if (w := operations.find(cred, code)) is not None]  # fmt: skip
    if not found:
        raise Failure(
            NOT_FOUND, TEXT[NOT_FOUND].format(",".join(_codes(p, "reference_no", "order_code")))
        )
    return _success([
        {**_numbers(w), "WayBillNumber": w.number, "TrackingNumber": _numbers(w)[
            "shipping_method_no"]}
        for w in found
    ])  # fmt: skip


def get_label_url(request: HttpRequest, cred: VendorCredential, p: dict) -> dict:
    w = _one(cred, p)
    if operations.number_later(w):
        raise Failure(NUMBER_LATER, TEXT[NUMBER_LATER])
    link = label_links.url(request, cred, w)
    return _success([{"reference_no": w.reference, "order_code": w.number, "url": link,
                      "type": "pdf"}], url=link, type="pdf")  # fmt: skip


def cancel_order(cred: VendorCredential, p: dict) -> dict:
    w = operations.cancel(cred, _one(cred, p))
    return _success({"reference_no": w.reference, "order_code": w.number, "status": w.status})


def intercept_order(cred: VendorCredential, p: dict) -> dict:
    reason = str(p.get("reason") or p.get("remark") or "").strip() or "拦截 Stop requested"
    w = operations.intercept(cred, _one(cred, p), reason)
    return _success({"reference_no": w.reference, "order_code": w.number})


def get_cargo_track(cred: VendorCredential, p: dict) -> dict:
    rows = []
    for code in _codes(p, "codes", "reference_no"):
        w = operations.find(cred, code)
        if w is None:
            continue
        events = operations.events(w)
        detail = [
            {"Occur_date": e.occurred_at.strftime("%Y-%m-%d %H:%M:%S"),
             "Status": TRACK_CODE.get(e.status, "NT"), "Comment": e.description,
             "track_area": e.location}
            for e in reversed(events)
        ]  # fmt: skip
        rows.append({
            "Code": code, "Country_code": w.consignee_country,
            "New_date": detail[0]["Occur_date"] if detail else "",
            "New_Comment": detail[0]["Comment"] if detail else "",
            "Status": detail[0]["Status"] if detail else "NO", "Detail": detail,
        })  # fmt: skip
    if not rows:
        raise Failure(
            NOT_FOUND, TEXT[NOT_FOUND].format(",".join(_codes(p, "codes", "reference_no")))
        )
    return {**_success(), "Data": rows, "data": rows}


def get_shipping_method(cred: VendorCredential, p: dict) -> dict:
    return _success([
        {"code": ch.code, "cn_name": ch.name, "en_name": ch.name,
         "shipping_method_type": "", "remark": "",
         "track_status": "1" if ch.s10_prefix and ch.s10_country else "2"}
        for ch in operations.channels(cred)
    ])  # fmt: skip


def fee_trail(cred: VendorCredential, p: dict) -> dict:
    country = str(p.get("country_code") or "").strip()
    weight = operations.grams(p.get("weight"))
    if not country or not isinstance(weight, int) or weight <= 0:
        raise Failure(BAD_PARAMS, TEXT["missing"].format("country_code, weight"))
    dims = {f"{s}_mm": operations.millimetres(p.get(s)) for s in ("length", "width", "height")}
    if not all(isinstance(v, int) for v in dims.values()):
        raise Failure(BAD_PARAMS, TEXT["missing"].format("length, width, height"))
    offers = operations.quote(
        cred, country=country, weight_g=weight, pieces=p.get("pieces") or 1,
        postcode=str(p.get("postcode") or ""), channel=str(p.get("shipping_method") or ""),
        **dims,
    )  # fmt: skip
    rows = [
        {"ServiceCode": o.channel_code, "ServiceCnName": o.channel_name,
         "ServiceEnName": o.channel_name, "TotalFee": str(o.price.amount),
         "currency": o.price.currency,
         "ChargeWeight": operations.kg_text(o.sale.chargeable_g),
         "Fees": [{"code": line.code, "amount": str(line.amount.amount),
                   "text": line.description} for line in o.sale.lines]}
        for o in offers if o.ok and o.price is not None
    ]  # fmt: skip
    if not rows:
        reasons = [r for o in offers for r in o.reasons] or [
            {"code": "no_channel_accepts", "message": "No open channel accepts this parcel"}
        ]
        raise Failure(
            NO_CHANNEL,
            operations.error_text(
                [{"field": "", "code": r["code"], "message": r["message"]} for r in reasons]
            ),
        )
    return _success(rows)


SERVICES: dict[str, Callable] = {
    "createOrder": create_order,
    "getTrackNumber": get_track_number,
    "cancelOrder": cancel_order,
    "interceptOrder": intercept_order,
    "getCargoTrack": get_cargo_track,
    "getShippingMethod": get_shipping_method,
    "feeTrail": fee_trail,
}


def call(request: HttpRequest, fields: dict) -> dict:
    cred = authenticate(Vendor.ECCANG, str(fields.get("appToken") or ""),
                        str(fields.get("appKey") or ""))  # fmt: skip
    if cred is None:
        return _failure(AUTH_FAILED, TEXT[AUTH_FAILED])
    service = str(fields.get("service") or "").strip()
    params: dict = {}
    try:
        params = _params(fields.get("paramsJson"))
        if service == "getLabelUrl":
            return get_label_url(request, cred, params)
        handler = SERVICES.get(service)
        if handler is None:
            return _failure(UNKNOWN_SERVICE, TEXT[UNKNOWN_SERVICE].format(service or "-"))
        return handler(cred, params)
    except Failure as exc:
        extra = {"reference_no": params.get("reference_no")} if service == "createOrder" else {}
        return _failure(exc.code, exc.message, **extra)
    except DomainError as exc:
        failure = _from_domain(exc)
        return _failure(failure.code, failure.message)


@csrf_exempt
def web_service(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return reply(_failure(UNKNOWN_SERVICE, "请用POST Use POST"), False)
    if len(request.body) > MAX_BODY:
        return reply(_failure(BAD_PARAMS, "请求过大 The request is too large"), False)
    try:
        fields, soap = read_call(request)
    except (ValueError, ElementTree.ParseError, DefusedXmlException):
        return reply(_failure(BAD_PARAMS, "请求无法解析 The request cannot be read"), False)
    return reply(call(request, fields), soap)


WSDL = """<?xml version="1.0" encoding="UTF-8"?>
<wsdl:definitions xmlns:soap="http://schemas.xmlsoap.org/wsdl/soap/"
  xmlns:tns="http://www.example.org/Ec/" xmlns:wsdl="http://schemas.xmlsoap.org/wsdl/"
  xmlns:xsd="http://www.w3.org/2001/XMLSchema" name="Ec"
  targetNamespace="http://www.example.org/Ec/">
  <wsdl:types>
    <xsd:schema targetNamespace="http://www.example.org/Ec/">
      <xsd:element name="callService">
        <xsd:complexType><xsd:sequence>
          <xsd:element name="paramsJson" type="xsd:string"/>
          <xsd:element name="appToken" type="xsd:string"/>
          <xsd:element name="appKey" type="xsd:string"/>
          <xsd:element name="service" type="xsd:string"/>
        </xsd:sequence></xsd:complexType>
      </xsd:element>
      <xsd:element name="callServiceResponse">
        <xsd:complexType><xsd:sequence>
          <xsd:element name="response" type="xsd:string"/>
        </xsd:sequence></xsd:complexType>
      </xsd:element>
    </xsd:schema>
  </wsdl:types>
  <wsdl:message name="callServiceRequest">
    <wsdl:part element="tns:callService" name="parameters"/>
  </wsdl:message>
  <wsdl:message name="callServiceResponse">
    <wsdl:part element="tns:callServiceResponse" name="parameters"/>
  </wsdl:message>
  <wsdl:portType name="Ec">
    <wsdl:operation name="callService">
      <wsdl:input message="tns:callServiceRequest"/>
      <wsdl:output message="tns:callServiceResponse"/>
    </wsdl:operation>
  </wsdl:portType>
  <wsdl:binding name="EcSOAP" type="tns:Ec">
    <soap:binding style="document" transport="http://schemas.xmlsoap.org/soap/http"/>
    <wsdl:operation name="callService">
      <soap:operation soapAction="http://www.example.org/Ec/callService"/>
      <wsdl:input><soap:body use="literal"/></wsdl:input>
      <wsdl:output><soap:body use="literal"/></wsdl:output>
    </wsdl:operation>
  </wsdl:binding>
  <wsdl:service name="Ec">
    <wsdl:port binding="tns:EcSOAP" name="EcSOAP">
      <soap:address location="{location}"/>
    </wsdl:port>
  </wsdl:service>
</wsdl:definitions>
"""


def wsdl(request: HttpRequest) -> HttpResponse:
    """``/default/svc/wsdl``, for SOAP clients that read the service description first (PHP's
    SoapClient): one document/literal operation, callService."""
    location = escape(request.build_absolute_uri(reverse("forwarder_apis:eccang")))
    return HttpResponse(WSDL.replace("{location}", location).encode(),
                        content_type="text/xml; charset=utf-8")  # fmt: skip
