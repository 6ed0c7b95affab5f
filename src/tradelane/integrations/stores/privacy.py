"""Privacy requests from a platform (Shopify's mandatory compliance webhooks,
https://shopify.dev/docs/apps/build/compliance/privacy-law-compliance), applied to our orders:

- ``customers/data_request``: the orders holding that buyer's data are listed in an audit row
  (``stores.privacy.data_request``), for the merchant to answer the buyer from;
- ``customers/redact``: the buyer's personal data is erased from the orders named in
  ``orders_to_redact`` and those with the buyer's email, placed before the request;
- ``shop/redact`` (48 hours after the app is uninstalled): every buyer's personal data of the
  store, in orders placed before the request.

Redaction keeps amounts, lines, states and the country (``orders.services.redact_buyer_data``).
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import Q

from tradelane.core import audit
from tradelane.orders import services as order_services
from tradelane.orders.models import Order

from .contract import EventKind, WebhookEvent
from .models import StoreConnection


def apply(actor, connection: StoreConnection, event: WebhookEvent, received_at) -> list[int]:
    """Act on one privacy event; the ids of the orders it concerned."""
    before = event.triggered_at or received_at
    store = connection.store
    if event.kind == EventKind.REDACT_SHOP:
        return order_services.redact_buyer_data(
            actor, store, before=before, whole_store=True, reason=event.topic
        )
    if event.kind == EventKind.REDACT_CUSTOMER:
        return order_services.redact_buyer_data(
            actor, store, before=before, external_ids=event.order_external_ids,
            email=event.customer_email, reason=event.topic,
        )  # fmt: skip
    match = Q(external_id__in=list(event.order_external_ids))
    if event.customer_email:
        match |= Q(buyer_email__iexact=event.customer_email)
    found = list(
        Order.objects.filter(match, store=store).order_by("id").values_list("id", "number")
    )
    with transaction.atomic():
        audit.record(
            actor,
            "stores.privacy.data_request",
            connection,
            {"orders": [n or str(i) for i, n in found], "customer_email": event.customer_email},
        )
    return [i for i, _ in found]
