"""Webhooks to the customer when a waybill's status, weight, fees or numbers change.

Written to the outbox in the same transaction as the change (ARCHITECTURE.md rule 7); the
delivery (signed POST to ``CustomerAccount.webhook_url``, retries with backoff) is the
``forwarding.customer_webhook`` handler in the integrations layer. The payload is a snapshot
of the waybill as the open API shows it, taken at the change.
"""

from __future__ import annotations

import uuid

from django.utils import timezone

from tradelane.core import outbox

from .models import Waybill

TOPIC = "forwarding.customer_webhook"
STATUS_CHANGED = "waybill.status_changed"
WEIGHT_CHANGED = "waybill.weight_changed"
FEES_CHANGED = "waybill.fees_changed"
TRACKING_NUMBER_ASSIGNED = "waybill.tracking_number_assigned"
LAST_MILE_ASSIGNED = "waybill.last_mile_assigned"
PICKED_UP = "waybill.picked_up"  # the driver collected it; the status stays created
PROBLEM_OPENED = "waybill.problem_opened"  # the hub found a problem (问题件) or holds it
PROBLEM_RESOLVED = "waybill.problem_resolved"  # with its outcome
EVENTS = (STATUS_CHANGED, WEIGHT_CHANGED, FEES_CHANGED, TRACKING_NUMBER_ASSIGNED,
          LAST_MILE_ASSIGNED, PICKED_UP, PROBLEM_OPENED, PROBLEM_RESOLVED)  # fmt: skip


def notify(waybill: Waybill, event: str, changes: dict | None = None) -> None:
    """Queue ``event`` for the waybill's customer, if it has a webhook address."""
    from .selectors import waybill_dict

    customer = waybill.customer
    if not customer.webhook_url:
        return
    delivery = uuid.uuid4().hex
    outbox.enqueue(
        TOPIC,
        {
            "customer_id": customer.pk,
            "delivery_id": delivery,
            "body": {
                "id": delivery,
                "event": event,
                "occurred_at": timezone.now().isoformat(),
                "changes": changes or {},
                "waybill": waybill_dict(waybill),
            },
        },
        dedupe_key=f"{TOPIC}:{delivery}",
    )
