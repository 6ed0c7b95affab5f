"""Shared by the hub's tests: a provider whose customers have webhooks, a scan with defaults,
and the webhooks and counts a refusal must leave as they were."""

from __future__ import annotations

from tradelane.core.models import OutboxMessage
from tradelane.forwarding.models import (
    InboundPiece,
    InboundScan,
    ProblemParcel,
    UnknownParcel,
    Waybill,
    WaybillEvent,
)
from tradelane.forwarding.partners import services as partners
from tradelane.forwarding.tests.factories import provider

from .. import inbound


def hub_provider():
    p = provider()
    partners.set_webhook(p.admin, p.acme, "https://erp.example/hooks")
    partners.set_webhook(p.admin, p.bolt, "https://bolt.example/hooks")
    return p


def scan(p, code, *, weight_g=1200, station="S1", actor=None, **kw) -> dict:
    return inbound.scan(actor or p.hub, code=code, station=station, weight_g=weight_g, **kw)


def webhooks(event=None) -> list[dict]:
    rows = OutboxMessage.objects.filter(topic="forwarding.customer_webhook").order_by("id")
    bodies = [m.payload["body"] for m in rows]
    return [b for b in bodies if event is None or b["event"] == event]


def counts() -> dict:
    return {
        "pieces": InboundPiece.objects.count(), "scans": InboundScan.objects.count(),
        "problems": ProblemParcel.objects.count(), "unknown": UnknownParcel.objects.count(),
        "events": WaybillEvent.objects.count(), "webhooks": len(webhooks()),
        "received": Waybill.objects.filter(status="received").count(),
    }  # fmt: skip
