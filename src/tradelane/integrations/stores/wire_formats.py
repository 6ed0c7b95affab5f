"""What every connector reads and writes on the wire: header look-up, HMAC signatures, UTC
cursors, decimal amounts. Pure functions, no I/O."""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

CURSOR_FORMAT = "%Y-%m-%dT%H:%M:%SZ"


def header(headers: Mapping[str, str], name: str) -> str:
    """A header's value, looked up case-insensitively ("" when absent)."""
    value = headers.get(name)
    if value is not None:
        return value
    lower = name.lower()
    for key, val in headers.items():
        if key.lower() == lower:
            return val
    return ""


def hmac_sha256_b64(body: bytes, secret: str) -> str:
    """base64 of HMAC-SHA256(raw body, secret): Shopify's and WooCommerce's webhook signature."""
    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()


def signature_matches(body: bytes, given: str, secrets: list[str]) -> bool:
    """Does ``given`` verify with one of the (rotating) secrets? Constant-time comparison."""
    return bool(given) and any(
        hmac.compare_digest(hmac_sha256_b64(body, s), given) for s in secrets if s
    )


def parse_time(value: Any, *, naive_is_utc: bool = True) -> datetime | None:
    """An ISO 8601 timestamp ("Z" allowed); one without an offset is read as UTC."""
    if not value or not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo is None and naive_is_utc:
        moment = moment.replace(tzinfo=UTC)
    return moment


def utc_cursor(moment: datetime) -> str:
    """A fixed-width UTC cursor (string order = time order)."""
    return moment.astimezone(UTC).strftime(CURSOR_FORMAT)


def cursor_minus(cursor: str | None, seconds: int) -> str | None:
    """A time cursor moved back by ``seconds`` (None and unreadable cursors: from the start)."""
    if not cursor:
        return cursor
    moment = parse_time(cursor)
    if moment is None:
        return None
    return utc_cursor(moment - timedelta(seconds=seconds))


def decimal_text(value: Any) -> str | None:
    """An amount as a decimal string (never through float); None when absent or unreadable."""
    if value is None or value == "":
        return None
    try:
        return str(Decimal(str(value)))
    except InvalidOperation:
        return None


def unit_price(total: Any, quantity: int) -> str:
    """The unit price of a line priced as a whole (total / quantity), to 4 decimals."""
    amount = Decimal(decimal_text(total) or "0")
    if quantity <= 0:
        return str(amount)
    exact = amount / quantity
    cents = exact.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    if cents == exact:
        return str(cents)
    return str(exact.quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP))
