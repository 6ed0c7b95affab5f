"""Verify a store connection: one test call (what it proved: shop, plan, currency, scopes
granted against those needed, API version, token expiry), then the webhooks it needs are
created when missing. Run on connect (``services.connect(onboard=True)``) and by the health
page's "re-verify" button.

The platform calls run outside any transaction (a person waits for them: one attempt, no
retries); the record (``StoreConnection.verification``) and an audit row are written after,
in one transaction. A failed test call or a refused webhook leaves the connection saved and
says why in the record; a refused webhook leaves no other subscription behind
(``webhook_subscriptions.ensure``).
"""

from __future__ import annotations

from dataclasses import asdict

from django.db import transaction
from django.utils import timezone

from tradelane.accounts.permissions import require
from tradelane.accounts.roles import P
from tradelane.core import audit

from ..contract import ConnectorError, Unavailable, Verification, connector_for
from ..models import StoreConnection
from . import webhook_subscriptions as subs

INTERACTIVE = {"retries": 0}  # a person is waiting: fail fast, the button tries again


def _record_of(result: Verification) -> dict:
    data = asdict(result)
    data["scopes"] = [dict(s) for s in data["scopes"]]
    data["notes"] = [dict(n) for n in data["notes"]]
    for key in ("api_supported_until", "token_expires_at"):
        value = data.get(key)
        data[key] = value.isoformat() if value else ""
    return data


def check(connection: StoreConnection, *, register: bool = True, connector=None) -> dict:
    """Run the test call and (``register``) create the missing webhooks; the record. No
    database writes."""
    connector = connector or connector_for(connection, **INTERACTIVE)
    try:
        record = _record_of(connector.verify())
    except Unavailable as exc:
        record = _record_of(Verification(ok=False, error=str(exc)))
        record["unreachable"] = True
    except ConnectorError as exc:
        record = _record_of(Verification(ok=False, error=str(exc)))
    topics = list(connector.webhook_topics())
    address = subs.webhook_address(connection)
    hooks: dict = {"needed": topics, "address": address, "listed": [], "created": [],
                   "replaced": [], "error": "", "error_code": "", "left_over": []}  # fmt: skip
    if not topics:
        hooks["error_code"] = "polled"
    elif not record["ok"]:
        hooks["error_code"] = "not_verified"
    elif not address:
        hooks["error_code"] = "no_public_url"
    elif register:
        try:
            hooks.update(subs.ensure(connector, address))
        except subs.RegistrationFailed as exc:
            hooks.update(error=str(exc), error_code="refused", left_over=exc.left_over)
        except ConnectorError as exc:
            hooks.update(error=str(exc), error_code="unreachable")
    record["webhooks"] = hooks
    record["checked_at"] = timezone.now().isoformat()
    return record


def verify(actor, connection: StoreConnection, *, register: bool = True, connector=None) -> dict:
    """Check the connection now and record what it proved (``connection.verification``)."""
    require(actor, P.STORE_MANAGE)
    record = check(connection, register=register, connector=connector)
    with transaction.atomic():
        StoreConnection.objects.filter(pk=connection.pk).update(
            verification=record, updated_at=timezone.now()
        )
        audit.record(
            actor,
            "stores.connection.verify",
            connection,
            {
                "ok": record["ok"],
                "error": record["error"][:500],
                "missing_scopes": [s["name"] for s in record["scopes"]
                                   if s["needed"] and s["granted"] is False],
                "webhooks_created": record["webhooks"]["created"],
                "webhooks_error": record["webhooks"]["error_code"],
            },
        )  # fmt: skip
    connection.verification = record
    return record


def remove_webhooks(connection: StoreConnection) -> dict:
    """Delete our subscriptions on disconnect (only when a verification registered any):
    ``{}`` when there was nothing to remove, else ``{"removed": [...], "error": ""}``. A
    platform call, no database writes; a failure is reported, never raised."""
    hooks = (connection.verification or {}).get("webhooks") or {}
    address = hooks.get("address") or ""
    if not address or hooks.get("error_code") not in ("", "refused", "unreachable"):
        return {}  # never registered (polled, not verified, no public address)
    try:
        removed = subs.remove(connector_for(connection, **INTERACTIVE), address)
    except ConnectorError as exc:
        return {"removed": [], "error": str(exc)[:2000]}
    return {"removed": removed, "error": ""}
