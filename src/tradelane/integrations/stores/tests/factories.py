"""Helpers the connector tests share."""

from __future__ import annotations

from tradelane.core.outbox import enqueue


def ship(order, number="LP123", update=False, *, tracking_url: str | None = None):
    """Queue the ``store.fulfillment`` push of ``order`` with tracking ``number`` (the tracking
    URL is ``https://t.example/<number>`` unless given)."""
    if tracking_url is None:
        tracking_url = f"https://t.example/{number}"
    return enqueue(
        "store.fulfillment",
        {"order_id": order.pk, "store_id": order.store_id, "tracking_company": "YunExpress",
         "tracking_number": number, "tracking_url": tracking_url, "update": update},
        dedupe_key=f"ful:{order.pk}:{number}:{update}",
    )  # fmt: skip
