"""The webhook subscriptions a connection needs, at our public address: create the missing
ones (all or none), remove ours on disconnect. Platform calls only (no database writes: the
callers, ``verification.py`` and ``services.disconnect``, record the outcome).

Our address is ``TRADELANE_PUBLIC_URL`` + ``/hooks/<platform>/<webhook_token>``; a
subscription is ours when the platform lists exactly that address.
"""

from __future__ import annotations

from django.conf import settings

from ..contract import ConnectorError, WebhookSubscription


def webhook_address(connection) -> str:
    """Our public webhook URL for the connection ("" when the public address is not set)."""
    base = (getattr(settings, "TRADELANE_PUBLIC_URL", "") or "").rstrip("/")
    if not base:
        return ""
    return f"{base}/hooks/{connection.platform}/{connection.webhook_token}"


def as_dict(sub: WebhookSubscription) -> dict:
    return {"id": sub.id, "topic": sub.topic, "address": sub.address,
            "created_at": sub.created_at, "active": sub.active}  # fmt: skip


class RegistrationFailed(ConnectorError):
    """Creating a subscription was refused; the ones created before it were removed again
    (``left_over``: those that could not be removed)."""

    def __init__(self, message: str, left_over: list[str]):
        super().__init__(message)
        self.left_over = left_over


def ensure(connector, address: str) -> dict:
    """Create each needed topic missing (or switched off) at ``address``. All or none: when
    one is refused, those created in this call are deleted again and ``RegistrationFailed``
    is raised. A switched-off one is deleted only after its replacement exists.

    Returns ``{"listed": [...before], "created": [topics], "replaced": [topics]}``."""
    listed = connector.list_webhooks()
    ours = [s for s in listed if s.address == address]
    created: list[WebhookSubscription] = []
    stale: list[WebhookSubscription] = []
    try:
        for topic in connector.webhook_topics():
            mine = [s for s in ours if s.topic == topic]
            if any(s.active for s in mine):
                continue
            created.append(connector.create_webhook(topic, address))
            stale += mine
    except ConnectorError as exc:
        left_over = []
        for sub in created:
            try:
                connector.delete_webhook(sub.id)
            except ConnectorError:
                left_over.append(sub.id)
        raise RegistrationFailed(str(exc), left_over) from exc
    for sub in stale:
        try:
            connector.delete_webhook(sub.id)
        except ConnectorError:
            pass  # a switched-off subscription left behind does no harm; the next check retries
    return {
        "listed": [as_dict(s) for s in listed],
        "created": [s.topic for s in created],
        "replaced": sorted({s.topic for s in stale}),
    }


def remove(connector, address: str) -> list[str]:
    """Delete every subscription at ``address``; the topics removed."""
    removed = []
    for sub in connector.list_webhooks():
        if sub.address == address:
            connector.delete_webhook(sub.id)
            removed.append(sub.topic)
    return sorted(removed)
