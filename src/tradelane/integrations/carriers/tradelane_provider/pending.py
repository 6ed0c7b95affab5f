"""Shipments waiting for a provider's number, asked again when no webhook came.

The provider's webhook normally brings the number ("number later"). Should it be lost (our
address was down for longer than the provider retries, or the webhook was never registered),
every sweep asks again for the shipments that have waited ``ASK_EVERY`` since their last
news: the label purchase is queued once more with the same idempotency key
(``carrier_calls.label_when_numbered``), which looks the waybill up by its reference and either
labels the shipment or records that it still waits (and so the time it was last asked).
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from tradelane.core.periodic import every_sweep
from tradelane.logistics.models import Shipment, ShipmentStatus
from tradelane.logistics.rates.descriptions import KIND_TRADELANE
from tradelane.logistics.shipping import carrier_calls

ASK_EVERY = dt.timedelta(hours=2)
LIMIT = 1000


def ask_again(now: dt.datetime | None = None, limit: int = LIMIT) -> int:
    now = now or timezone.now()
    waiting = (
        Shipment.objects.filter(
            status=ShipmentStatus.DRAFT, channel__kind=KIND_TRADELANE, tracking_number="",
            updated_at__lt=now - ASK_EVERY,
        )
        .exclude(carrier_shipment_id="")
        .order_by("updated_at", "id")[:limit]
    )  # fmt: skip
    bucket = f"asked-{now:%Y%m%d%H}"
    return sum(carrier_calls.label_when_numbered(s, bucket) for s in waiting)


@every_sweep("provider_pending_numbers")
def _sweep() -> int:
    return ask_again()
