"""Normalizing and validating one order of an import, and its fingerprints.

``normalize_order`` turns one order dict of the normalized form (see the package's doc) into
the Order fields, its lines and two hashes, or a list of errors (``{"field", "code",
"message"}``) that rejects it: a rejected order writes nothing. ``content_hash`` is the sha256
of the canonical normalized form (the same order again is ``unchanged``); ``fingerprint``
(``order_fingerprint``) is what the review's duplicate rule compares.
"""

from __future__ import annotations

import hashlib
import json
import sys
from collections import defaultdict
from collections.abc import Iterable
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils import timezone

from tradelane.core.countries import check_country
from tradelane.core.errors import ValidationFailed
from tradelane.core.money import check_currency

from ..models import Order, OrderLine, Store
from ..states import PaymentStatus
from .report import _err

MAX_QUANTITY = 1_000_000


MAX_NOTE = 10_000  # characters of the note kept with an order


_Q4 = Decimal("0.0001")


_ZERO = Decimal("0.0000")


_AMOUNT_LIMIT = Decimal("1e14")  # DecimalField(max_digits=18, decimal_places=4)


_PAYMENT = frozenset(PaymentStatus.values)


def _max_len(name: str) -> int:
    return Order._meta.get_field(name).max_length


# (input key inside its group, Order field, required)
_BUYER = (("name", "buyer_name"), ("email", "buyer_email"), ("phone", "buyer_phone"))


_ADDRESS = (
    ("name", "ship_name"), ("company", "ship_company"), ("address1", "ship_address1"),
    ("address2", "ship_address2"), ("city", "ship_city"), ("state", "ship_state"),
    ("postcode", "ship_postcode"), ("country", "ship_country"), ("phone", "ship_phone"),
)  # fmt: skip


_TOTALS = (
    ("items", "items_total"), ("shipping", "shipping_total"), ("tax", "tax_total"),
    ("discount", "discount_total"), ("grand", "grand_total"),
)  # fmt: skip


_LIMITS = {
    name: _max_len(name)
    for name in ("external_id", "number", *(f for _, f in _BUYER), *(f for _, f in _ADDRESS))
}


_STORE_SKU_MAX = OrderLine._meta.get_field("store_sku").max_length


_TITLE_MAX = OrderLine._meta.get_field("title").max_length


# Fields an import sets on an order (besides store, external_id, status and bookkeeping).
DATA_FIELDS = (
    "number", "placed_at", "currency", "payment_status",
    "buyer_name", "buyer_email", "buyer_phone",
    "ship_name", "ship_company", "ship_address1", "ship_address2", "ship_city", "ship_state",
    "ship_postcode", "ship_country", "ship_phone",
    "items_total", "shipping_total", "tax_total", "discount_total", "grand_total", "note",
)  # fmt: skip


def _text(value: Any, name: str, errors: list, limit: int | None, required: bool = False) -> str:
    if value is None:
        text = ""
    elif isinstance(value, str):
        text = value.strip()
    elif isinstance(value, int | Decimal) and not isinstance(value, bool):
        text = str(value)
    else:
        errors.append(_err(name, "invalid_type", f"{name} must be text"))
        return ""
    if required and not text:
        errors.append(_err(name, "required", f"{name} is required"))
    elif limit is not None and len(text) > limit:
        errors.append(_err(name, "too_long", f"{name} is longer than {limit} characters"))
    elif "\x00" in text:
        errors.append(_err(name, "invalid_text", f"{name} holds a NUL character"))
    return text


def _amount(value: Any, name: str, errors: list) -> Decimal | None:
    """A non-negative Decimal with at most 4 decimal places; None when absent."""
    if value.__class__ is str:
        if not value:
            return None
        try:
            amount = Decimal(value)  # surrounding blanks are allowed
        except InvalidOperation:
            amount = None
    elif value is None:
        return None
    elif isinstance(value, Decimal):
        amount = value
    elif isinstance(value, int) and not isinstance(value, bool):
        amount = Decimal(value)
    elif isinstance(value, float):  # never money
        errors.append(_err(name, "invalid_amount", f"{name}: give amounts as decimal strings"))
        return None
    else:
        amount = None
    if amount is None or not amount.is_finite():
        errors.append(_err(name, "invalid_amount", f"{name} is not a decimal amount: {value!r}"))
        return None
    if amount < 0:
        errors.append(_err(name, "negative_amount", f"{name} must not be negative"))
        return None
    if amount >= _AMOUNT_LIMIT:
        errors.append(_err(name, "invalid_amount", f"{name} is too large"))
        return None
    rounded = amount.quantize(_Q4)
    if rounded != amount:
        errors.append(_err(name, "invalid_amount", f"{name} has more than 4 decimal places"))
        return None
    return rounded


def _quantity(value: Any, name: str, errors: list) -> int:
    qty = None
    if isinstance(value, int) and not isinstance(value, bool):
        qty = value
    elif isinstance(value, str):
        text = value.strip()
        if text.isascii() and text.isdigit():
            qty = int(text)
    elif isinstance(value, Decimal) and value.is_finite() and value == value.to_integral_value():
        qty = int(value)
    if value is None or value == "":
        errors.append(_err(name, "required", f"{name} is required"))
        return 0
    if qty is None or not 1 <= qty <= MAX_QUANTITY:
        errors.append(
            _err(name, "invalid_quantity", f"{name} must be a whole number from 1: {value!r}")
        )
        return 0
    return qty


def _placed_at(value: Any, errors: list) -> datetime | None:
    if value is None or value == "":
        return None
    moment = None
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value.strip())
        except ValueError:
            moment = None
    if moment is None:
        errors.append(
            _err("placed_at", "invalid_datetime", f"placed_at is not ISO 8601: {value!r}")
        )
        return None
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment, timezone.get_default_timezone())
    return moment


def _group(raw: dict, key: str, errors: list) -> dict:
    value = raw.get(key)
    if value is None:
        return {}
    if not isinstance(value, dict):
        errors.append(_err(key, "invalid_type", f"{key} must be an object"))
        return {}
    return value


def _norm(value: str) -> str:
    return " ".join(value.lower().split())


def order_fingerprint(
    *,
    buyer_email: str = "",
    buyer_name: str = "",
    ship_name: str = "",
    ship_address1: str = "",
    ship_address2: str = "",
    ship_city: str = "",
    ship_postcode: str = "",
    ship_country: str = "",
    items: Iterable[tuple[str, int]] = (),
) -> str:
    """sha256 of the normalized buyer, address and items: equal for the 'same order twice'.

    Text is lower-cased with runs of blanks collapsed, the postcode loses its blanks, and
    ``items`` (store SKU, quantity) are summed per SKU and sorted, so line order and splitting
    one SKU over two lines do not matter. The review's duplicate rule compares these.
    """
    summed: dict[str, int] = defaultdict(int)
    for store_sku, qty in items:
        summed[_norm(store_sku)] += int(qty)
    parts = [
        _norm(buyer_email),
        _norm(buyer_name),
        _norm(ship_name),
        _norm(ship_address1),
        _norm(ship_address2),
        _norm(ship_city),
        _norm(ship_postcode).replace(" ", ""),
        (ship_country or "").strip().upper(),
        ";".join(f"{sku}*{qty}" for sku, qty in sorted(summed.items())),
    ]
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


# (input key, Order field, label in errors, max length or None, required, max length), once
_BUYER_SPEC = tuple((k, n, f"buyer.{k}", _LIMITS[n], False, _LIMITS[n]) for k, n in _BUYER)


_ADDRESS_SPEC = tuple(
    (k, n, f"shipping_address.{k}", None if k == "country" else _LIMITS[n],
     k in ("name", "address1", "country"), sys.maxsize if k == "country" else _LIMITS[n])
    for k, n in _ADDRESS
)  # fmt: skip


_TOTALS_SPEC = tuple((k, n, f"totals.{k}") for k, n in _TOTALS)


_EXTERNAL_ID_MAX = _LIMITS["external_id"]


_NUMBER_MAX = _LIMITS["number"]


_canonical_json = json.JSONEncoder(
    ensure_ascii=False, separators=(",", ":"), check_circular=False
).encode


# Pure checks remembered by their exact input text: a file repeats the same few currencies,
# countries and amounts on every order. Only accepted values are kept (an error is always
# found afresh, with its message), and at most _MEMO_LIMIT of each, so a file of random
# values cannot grow them without bound.
_MEMO_LIMIT = 20_000
_CURRENCIES: dict[str, str] = {}
_COUNTRIES: dict[str, str] = {}
_AMOUNTS: dict[str, Decimal] = {}


def _currency(value: Any) -> str:
    """``check_currency``, remembered for text input."""
    if value.__class__ is not str:
        return check_currency(value)
    hit = _CURRENCIES.get(value)
    if hit is None:
        hit = check_currency(value)
        if len(_CURRENCIES) < _MEMO_LIMIT:
            _CURRENCIES[value] = hit
    return hit


def _country(value: str) -> str:
    """``check_country``, remembered."""
    hit = _COUNTRIES.get(value)
    if hit is None:
        hit = check_country(value)
        if len(_COUNTRIES) < _MEMO_LIMIT:
            _COUNTRIES[value] = hit
    return hit


def _amount_memo(value: Any, name: str, errors: list) -> Decimal | None:
    """``_amount``, remembered for the text of an accepted amount."""
    if value.__class__ is not str:
        return _amount(value, name, errors)
    hit = _AMOUNTS.get(value)
    if hit is None:
        hit = _amount(value, name, errors)
        if hit is not None and len(_AMOUNTS) < _MEMO_LIMIT:
            _AMOUNTS[value] = hit
    return hit


def _fields(group: dict, spec: tuple, out: dict, errors: list) -> None:
    get = group.get
    for key, name, label, limit, required, cap in spec:
        value = get(key)
        if value.__class__ is str:
            value = value.strip()
            if (required and not value) or len(value) > cap or "\x00" in value:
                value = _text(value, label, errors, limit, required)  # records the error
        else:
            value = _text(value, label, errors, limit, required)
        out[name] = value


def normalize_order(raw: Any, stores: dict[str, tuple[int, str, bool]]) -> tuple[dict, list]:
    """Validate one order dict; return (normalized, errors). Rejected when errors is not empty.

    ``stores`` maps a store code to (id, currency, is_active). The normalized dict holds the
    Order fields, ``store_id``, ``store_code``, ``lines`` [(store_sku, title, qty, price)],
    ``content_hash``, ``fingerprint`` and ``placed_at_utc`` (the ISO 8601 text of
    ``placed_at`` in UTC, "" without one).
    """
    errors: list[dict] = []
    if not isinstance(raw, dict):
        return {}, [_err("", "invalid_type", "an order must be an object")]
    get = raw.get
    found_by_reader = get("_errors")  # the CSV reader's findings
    if found_by_reader and isinstance(found_by_reader, list):
        errors.extend(e for e in found_by_reader if isinstance(e, dict))

    # Text fields: the common case (clean text within its limit) checked inline; anything
    # else goes through _text, which records the error.
    code = get("store")
    if not (code.__class__ is str and (code := code.strip()) and "\x00" not in code):
        code = _text(get("store"), "store", errors, None, required=True)
    store = stores.get(code) if code else None
    if code and store is None:
        errors.append(_err("store", "unknown_store", f"No store with the code {code!r}"))
    elif store is not None and not store[2]:
        errors.append(_err("store", "store_inactive", f"The store {code!r} is not active"))
    external_id = get("external_id")
    if not (
        external_id.__class__ is str
        and (external_id := external_id.strip())
        and len(external_id) <= _EXTERNAL_ID_MAX
        and "\x00" not in external_id
    ):
        external_id = _text(
            get("external_id"), "external_id", errors, _EXTERNAL_ID_MAX, required=True
        )
    number = get("number")
    if not (
        number.__class__ is str
        and len(number := number.strip()) <= _NUMBER_MAX
        and "\x00" not in number
    ):
        number = _text(get("number"), "number", errors, _NUMBER_MAX)
    placed = _placed_at(get("placed_at"), errors)
    out: dict[str, Any] = {
        "store_code": code,
        "store_id": store[0] if store else None,
        "external_id": external_id,
        "number": number,
        "placed_at": placed,
    }

    currency = get("currency") or (store[1] if store else "")
    try:
        out["currency"] = currency = _currency(currency) if currency else ""
    except ValidationFailed as exc:
        errors.append(_err("currency", exc.code, exc.message))

    payment = get("payment_status")
    if payment is None or payment == "":
        payment = "paid"
    elif payment.__class__ is not str or payment not in _PAYMENT:
        payment = str(payment).strip().lower()
        if payment not in _PAYMENT:
            errors.append(
                _err(
                    "payment_status",
                    "invalid_payment_status",
                    f"payment_status must be one of {', '.join(PaymentStatus.values)}",
                )
            )
    out["payment_status"] = payment

    _fields(_group(raw, "buyer", errors), _BUYER_SPEC, out, errors)
    _fields(_group(raw, "shipping_address", errors), _ADDRESS_SPEC, out, errors)
    if out["ship_country"]:
        try:
            out["ship_country"] = _country(out["ship_country"])
        except ValidationFailed as exc:
            errors.append(_err("shipping_address.country", exc.code, exc.message))

    lines_in = get("lines")
    lines: list[tuple[str, str, int, Decimal]] = []
    if not isinstance(lines_in, list) or not lines_in:
        if lines_in is not None and not isinstance(lines_in, list):
            errors.append(_err("lines", "invalid_type", "lines must be a list"))
        else:
            errors.append(_err("lines", "no_lines", "An order needs at least one line"))
    else:
        amounts = _AMOUNTS
        for i, line in enumerate(lines_in):
            if not isinstance(line, dict):
                errors.append(_err(f"lines[{i}]", "invalid_type", "a line must be an object"))
                continue
            line_get = line.get
            store_sku = line_get("store_sku")
            if store_sku.__class__ is str and 0 < len(store_sku) <= _STORE_SKU_MAX:
                store_sku = store_sku.strip()
            if (
                not store_sku
                or store_sku.__class__ is not str
                or len(store_sku) > _STORE_SKU_MAX
                or "\x00" in store_sku
            ):
                store_sku = _text(store_sku, f"lines[{i}].store_sku", errors, _STORE_SKU_MAX, True)
            title = line_get("title")
            if title.__class__ is not str or "\x00" in title:
                title = _text(title, f"lines[{i}].title", errors, None)
            title = title.strip()[:_TITLE_MAX]
            qty = line_get("quantity")
            if qty.__class__ is not int or not 1 <= qty <= MAX_QUANTITY:
                qty = _quantity(qty, f"lines[{i}].quantity", errors)
            value = line_get("unit_price")
            price = amounts.get(value) if value.__class__ is str else None
            if price is None:
                price = _amount_memo(value, f"lines[{i}].unit_price", errors)
            lines.append((store_sku, title, qty, _ZERO if price is None else price))
    out["lines"] = lines

    totals = _group(raw, "totals", errors)
    totals_get = totals.get
    for key, name, label in _TOTALS_SPEC:
        value = totals_get(key)
        out[name] = None if value is None else _amount_memo(value, label, errors)
    if out["items_total"] is None:
        out["items_total"] = sum([q * p for _, _, q, p in lines], _ZERO)
    for name in ("shipping_total", "tax_total", "discount_total"):
        if out[name] is None:
            out[name] = _ZERO
    if out["grand_total"] is None:
        grand = out["items_total"] + out["shipping_total"] + out["tax_total"]
        grand -= out["discount_total"]
        if grand < 0:
            errors.append(
                _err("totals.grand", "negative_amount", "The discount exceeds the order's value")
            )
        out["grand_total"] = grand
    # computed totals must fit their columns too (the lines' quantities x prices may not)
    for name, label in (("items_total", "totals.items"), ("grand_total", "totals.grand")):
        if out[name] >= _AMOUNT_LIMIT:
            errors.append(_err(label, "invalid_amount", f"{label} is too large"))
            out[name] = _ZERO
        else:
            out[name] = out[name].quantize(_Q4)
    note = get("note")
    if not (note.__class__ is str and len(note := note.strip()) <= MAX_NOTE and "\x00" not in note):
        note = _text(get("note"), "note", errors, MAX_NOTE)
    out["note"] = note

    if errors:
        return out, errors

    # Amounts are quantized to 4 places, so str() never uses an exponent here.
    buyer_name, buyer_email = out["buyer_name"], out["buyer_email"]
    ship_name, ship_address1, ship_address2 = (
        out["ship_name"], out["ship_address1"], out["ship_address2"]
    )  # fmt: skip
    ship_city, ship_postcode = out["ship_city"], out["ship_postcode"]
    ship_country = out["ship_country"]
    out["placed_at_utc"] = placed_utc = placed.astimezone(UTC).isoformat() if placed else ""
    canonical = [
        code, external_id, number, placed_utc,
        currency, payment,
        buyer_name, buyer_email, out["buyer_phone"],
        ship_name, out["ship_company"], ship_address1, ship_address2,
        ship_city, out["ship_state"], ship_postcode, ship_country,
        out["ship_phone"],
        str(out["items_total"]), str(out["shipping_total"]), str(out["tax_total"]),
        str(out["discount_total"]), str(out["grand_total"]), note,
        [[s, t, q, str(p)] for s, t, q, p in lines],
    ]  # fmt: skip
    sha256 = hashlib.sha256
    out["content_hash"] = sha256(_canonical_json(canonical).encode()).hexdigest()
    # order_fingerprint's parts, built inline (the same text, hence the same hash)
    summed: dict[str, int] = {}
    for store_sku, _, qty, _ in lines:
        key = " ".join(store_sku.lower().split())
        summed[key] = summed.get(key, 0) + qty
    items = ";".join([f"{sku}*{qty}" for sku, qty in sorted(summed.items())])
    fingerprint = "\x1f".join(
        [
            " ".join(buyer_email.lower().split()),
            " ".join(buyer_name.lower().split()),
            " ".join(ship_name.lower().split()),
            " ".join(ship_address1.lower().split()),
            " ".join(ship_address2.lower().split()),
            " ".join(ship_city.lower().split()),
            "".join(ship_postcode.lower().split()),
            ship_country,  # already upper-cased by the country check (or empty)
            items,
        ]
    )
    out["fingerprint"] = sha256(fingerprint.encode()).hexdigest()
    return out, errors


def stores_by_code() -> dict[str, tuple[int, str, bool]]:
    """The ``stores`` that ``normalize_order`` takes: code -> (id, currency, is_active)."""
    return {
        code: (pk, currency, active)
        for pk, code, currency, active in Store.objects.values_list(
            "id", "code", "currency", "is_active"
        )
    }
