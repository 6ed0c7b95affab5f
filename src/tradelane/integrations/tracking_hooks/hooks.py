"""Verification and processing of tracking webhooks (no HTTP here: views.py is the edge).

An account of a Tradelane provider (``carrier == "tradelane"``) speaks the provider's own
webhooks (``carriers.tradelane_provider.webhooks``): ``X-Tradelane-Signature: sha256=<hex>``,
``X-Tradelane-Delivery`` as the delivery id, a waybill in the body. Its rows are stored the
same way and processed by that module.

Any other carrier's push goes to the seller's shipments (``logistics.tracking``) and to the
provider's waybills whose last-mile number it names (``forwarding.lastmile.tracking``): one
push, both sides of an installation that sells and forwards.
"""

from __future__ import annotations

import hashlib
import json
import logging

from tradelane.core.crypto import decrypt_json
from tradelane.forwarding.lastmile import tracking as lastmile_tracking
from tradelane.integrations.carriers.tradelane_provider import webhooks as provider
from tradelane.integrations.carriers.tradelane_provider.gateway import CARRIER as PROVIDER
from tradelane.integrations.stores.wire_formats import hmac_sha256_b64, signature_matches
from tradelane.logistics.models import CarrierAccount, InboundTracking
from tradelane.logistics.tracking import services as tracking

from . import mapping

log = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-Tradelane-Signature"
DELIVERY_HEADER = "X-Tradelane-Delivery-Id"
KEPT_HEADERS = (SIGNATURE_HEADER, DELIVERY_HEADER, provider.DELIVERY_HEADER,
                provider.EVENT_HEADER, "Content-Type", "User-Agent")  # fmt: skip


# base64 HMAC-SHA256 of the raw body: the same signature the store webhooks use
sign = hmac_sha256_b64


def _account(account_code: str) -> tuple[str, str]:
    """(carrier, webhook secret) of an active account; ("", "") when there is none."""
    account = CarrierAccount.objects.filter(code=account_code, is_active=True).first()
    if account is None or not account.credentials:
        return "", ""
    try:
        secret = str(decrypt_json(account.credentials).get("webhook_secret") or "")
    except Exception:  # an unreadable token is "no secret": refuse, never accept
        log.exception("tracking hook: credentials of %s cannot be read", account_code)
        return account.carrier, ""
    return account.carrier, secret


def webhook_secret(account_code: str) -> str:
    return _account(account_code)[1]


def carrier_of(account_code: str) -> str:
    return (
        CarrierAccount.objects.filter(code=account_code).values_list("carrier", flat=True).first()
        or ""
    )


def verify(account_code: str, body: bytes, signature: str) -> bool:
    carrier, secret = _account(account_code)
    if not secret or not signature:
        return False
    if carrier == PROVIDER:  # the provider's own scheme only, never the base64 one
        return provider.signature_ok(body, signature, secret)
    return signature_matches(body, signature.strip(), [secret])


def delivery_header(headers) -> str:
    """The sender's delivery id: ours (``X-Tradelane-Delivery-Id``) or a provider's."""
    return headers.get(DELIVERY_HEADER, "") or headers.get(provider.DELIVERY_HEADER, "")


def delivery_id(body: bytes, header: str = "") -> str:
    header = (header or "").strip()
    return header[:128] if header else "sha256:" + hashlib.sha256(body).hexdigest()


def process(inbound_id: int) -> str:
    """Parse a stored webhook and record its results. Returns the row's final status."""
    row = tracking.claim_inbound(inbound_id)
    if row is None:
        return InboundTracking.Status.PROCESSED  # done before: nothing twice
    if carrier_of(row.source) == PROVIDER:
        return provider.process(row)
    try:
        payload = json.loads(bytes(row.body).decode("utf-8"))
        results = mapping.results_from_push(payload)
    except (ValueError, UnicodeDecodeError) as exc:
        tracking.finish_inbound(row, InboundTracking.Status.FAILED, f"{type(exc).__name__}: {exc}")
        return row.status
    if results is None:
        tracking.finish_inbound(row, InboundTracking.Status.IGNORED, "not a tracking update")
        return row.status
    outcome = tracking.record_track_results(None, row.source, results, source="webhook")
    # the same push about a provider's waybills: their last-mile numbers (the one timeline)
    last_mile = lastmile_tracking.record_pushed(row.source, results)
    known = set(last_mile["known_numbers"])
    unknown = [n for n in outcome["unknown_numbers"] if n.strip() not in known]
    note = ""
    if unknown:
        note = "unknown numbers: " + ", ".join(unknown[:20])
    tracking.finish_inbound(row, InboundTracking.Status.PROCESSED, note)
    return row.status
