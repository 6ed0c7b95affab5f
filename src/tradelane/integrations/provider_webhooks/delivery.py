"""Delivery of the provider's webhooks to its customers (outbox topic
``forwarding.customer_webhook``, queued by ``forwarding.waybills.notifications.notify``).

The payload's ``body`` is POSTed as JSON to the customer's ``webhook_url`` as it is at delivery
time, with ``X-Tradelane-Event``, ``X-Tradelane-Delivery`` (the same on every retry: the
customer deduplicates by it) and ``X-Tradelane-Signature: sha256=<hex HMAC-SHA256 of the raw
body with the customer's webhook secret>``. A 2xx answer is delivered; anything else (another
status, a redirect, a timeout, a refused connection) is ``RetryLater`` and the outbox tries
again with its backoff (honouring ``Retry-After``). A customer without an address any more
is not sent anything.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging

import httpx

from tradelane.core.outbox import RetryLater, handler
from tradelane.forwarding.partners.models import CustomerAccount
from tradelane.forwarding.waybills.notifications import TOPIC

from ..stores.http import retry_after_seconds

log = logging.getLogger(__name__)

TIMEOUT = httpx.Timeout(connect=5.0, read=10.0, write=10.0, pool=5.0)
USER_AGENT = "Tradelane-Webhooks/1"


def signature(body: bytes, secret: str) -> str:
    """``sha256=<hex>``: HMAC-SHA256 of the raw body with the customer's secret."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def encode(body: dict) -> bytes:
    return json.dumps(body, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode()


@handler(TOPIC)
def deliver(msg) -> None:
    p = msg.payload
    customer = (
        CustomerAccount.objects.filter(pk=p.get("customer_id"))
        .values("code", "webhook_url", "webhook_secret")
        .first()
    )
    if customer is None or not customer["webhook_url"]:
        log.info("webhook %s: the customer has no webhook address, nothing sent",
                 p.get("delivery_id"))  # fmt: skip
        return
    body = p.get("body") or {}
    raw = encode(body)
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "X-Tradelane-Event": str(body.get("event", "")),
        "X-Tradelane-Delivery": str(p.get("delivery_id") or body.get("id", "")),
        "X-Tradelane-Signature": signature(raw, customer["webhook_secret"]),
    }
    url = customer["webhook_url"]
    try:
        response = httpx.post(url, content=raw, headers=headers, timeout=TIMEOUT,
                              follow_redirects=False)  # fmt: skip
    except httpx.HTTPError as exc:  # refused, reset, timed out, bad address
        raise RetryLater(f"{url}: {type(exc).__name__}: {exc}") from exc
    if not 200 <= response.status_code < 300:
        raise RetryLater(
            f"{url}: HTTP {response.status_code}",
            retry_after=retry_after_seconds(response.headers.get("Retry-After")),
        )
