"""Tracking webhooks: ``POST /hooks/tracking/<account code>`` (a 17TRACK-style push).

Verified with the account's ``webhook_secret`` (``X-Tradelane-Signature`` = base64
HMAC-SHA256 of the raw body), stored raw first (``logistics.tracking.store_inbound``,
deduplicated by ``X-Tradelane-Delivery-Id`` or the body's SHA-256), answered 200 at once, and
processed by a task (``tasks.process_inbound``) that can run twice without doing the work twice.
Its events go to the seller's shipments with the numbers and to the provider's waybills whose
last-mile number they are (``forwarding.lastmile.tracking.record_pushed``).

A Tradelane provider's account (``carrier == "tradelane"``) takes the provider's webhooks at
the same address, with the provider's signature (``sha256=<hex>``) and delivery id
(``X-Tradelane-Delivery``); ``carriers.tradelane_provider.webhooks`` applies them.
"""
