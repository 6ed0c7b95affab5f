"""Every write to store connections made by a person: connect, disconnect, settings, secrets,
inventory item ids. (Writes made by the sync engine and the webhook intake live in sync.py and
webhooks.py; they act as the system and audit too.)"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from tradelane.accounts.permissions import require
from tradelane.accounts.roles import P
from tradelane.core import audit
from tradelane.core.crypto import encrypt_json
from tradelane.core.errors import Conflict, ValidationFailed
from tradelane.inventory.models import Warehouse
from tradelane.logistics.shopping import configuration as shipping_config
from tradelane.orders import services as order_services
from tradelane.orders.models import Store

from . import contract
from .models import PlatformInventoryItem, StoreConnection
from .onboarding import verification
from .settings_schema import clean_settings

REQUIRED_CREDENTIALS = {
    "shopify": ("webhook_secrets",),
    "woocommerce": ("consumer_key", "consumer_secret", "webhook_secrets"),
    "amazon": ("refresh_token", "client_id", "client_secret"),
}
# one of these sets is required too: Shopify takes a static Admin API token, or the client
# credentials of a Dev Dashboard app (shopify/auth.py)
ONE_OF_CREDENTIALS = {
    "shopify": (("access_token",), ("client_id", "client_secret")),
}


def _missing_one_of(platform: str, creds: dict) -> list[str]:
    choices = ONE_OF_CREDENTIALS.get(platform)
    if not choices or any(all(creds.get(k) for k in keys) for keys in choices):
        return []
    started = [keys for keys in choices if any(creds.get(k) for k in keys)]
    keys = started[0] if started else choices[0]
    return [k for k in keys if not creds.get(k)]


def _clean_credentials(platform: str, credentials: dict) -> dict:
    if not isinstance(credentials, dict):
        raise ValidationFailed("Credentials must be an object", code="invalid_credentials")
    creds = dict(credentials)
    secrets = creds.get("webhook_secrets")
    if isinstance(secrets, str):
        creds["webhook_secrets"] = [secrets]
    missing = _missing_one_of(platform, creds)
    missing += [k for k in REQUIRED_CREDENTIALS.get(platform, ()) if not creds.get(k)]
    if missing:
        raise ValidationFailed(
            f"Missing credentials: {', '.join(missing)}",
            code="missing_credentials",
            details={"missing": missing},
        )
    return creds


def _check_platform_warehouse(cleaned: dict) -> None:
    code = cleaned.get("platform_warehouse") or ""
    if code and not Warehouse.objects.filter(code=code, kind=Warehouse.Kind.PLATFORM).exists():
        raise ValidationFailed(
            f"No warehouse {code!r} of kind platform (e.g. FBA)",
            code="invalid_platform_warehouse",
            details={"field": "platform_warehouse"},
        )


def _propagate(actor, store: Store, cleaned: dict, previous: dict) -> None:
    """Keep the domain in step with the saved settings (call inside ``atomic()``): the store's
    warehouse priority always; the store's EU IOSS number when the setting changed (so a number
    entered in the logistics customs configuration is not removed by an unrelated save)."""
    order_services.set_warehouse_priority(actor, store, cleaned["warehouse_priority"])
    if cleaned["ioss_number"] != (previous.get("ioss_number") or ""):
        shipping_config.set_store_ioss(actor, store.pk, cleaned["ioss_number"])


def connect(
    actor,
    store: Store,
    *,
    shop_domain: str,
    credentials: dict,
    settings: dict | None = None,
    base_url: str = "",
    onboard: bool = False,
) -> StoreConnection:
    """Connect a store to its platform (or reconnect a disconnected one with new credentials).

    ``onboard``: then make the test call and create the webhooks the connector needs
    (``onboarding.verification``), after the connection is saved: a failure there leaves it
    saved, and its ``verification`` says what failed."""
    require(actor, P.STORE_MANAGE)
    platform = store.platform
    if platform not in contract.platforms():
        raise ValidationFailed(
            f"No connector for the platform {platform!r}", code="unsupported_platform"
        )
    shop_domain = (shop_domain or "").strip().lower()
    if not shop_domain:
        raise ValidationFailed("The shop domain is required", code="required")
    creds = _clean_credentials(platform, credentials)
    cleaned = clean_settings(settings)
    _check_platform_warehouse(cleaned)
    with transaction.atomic():
        existing = StoreConnection.objects.select_for_update().filter(store=store).first()
        if existing is not None and existing.state == StoreConnection.State.CONNECTED:
            raise Conflict("The store is connected already", code="already_connected")
        previous = dict(existing.settings or {}) if existing is not None else {}
        _propagate(actor, store, cleaned, previous)  # first: a refusal leaves ``existing`` as is
        values = {
            "platform": platform,
            "shop_domain": shop_domain,
            "base_url": (base_url or "").strip(),
            "credentials_encrypted": encrypt_json(creds),
            "settings": cleaned,
            "state": StoreConnection.State.CONNECTED,
            "last_error": "",
            "connected_by": actor,
            "updated_at": timezone.now(),
        }
        if existing is None:
            conn = StoreConnection.objects.create(store=store, **values)
        else:
            for key, value in values.items():
                setattr(existing, key, value)
            existing.save()
            conn = existing
        audit.record(
            actor,
            "stores.connection.connect",
            conn,
            {"platform": platform, "shop_domain": shop_domain, "settings": cleaned},
        )  # never the credentials
    if onboard:
        verification.verify(actor, conn)
    return conn


def disconnect(actor, connection: StoreConnection, reason: str = "") -> StoreConnection:
    """Disconnect; the webhooks a verification registered are removed from the platform first
    (a failure there is recorded in ``verification["webhooks"]["removal"]``, the disconnect
    goes on: the subscriptions then point at an address that answers 404)."""
    require(actor, P.STORE_MANAGE)
    removal = verification.remove_webhooks(connection)  # a platform call: outside the transaction
    with transaction.atomic():
        mark_disconnected(connection, reason or "disconnected by a user", actor=actor)
        if removal:
            record = dict(connection.verification or {})
            record["webhooks"] = {**(record.get("webhooks") or {}), "removal": removal}
            StoreConnection.objects.filter(pk=connection.pk).update(verification=record)
            connection.verification = record
            audit.record(actor, "stores.connection.webhooks_removed", connection, removal)
    return connection


def mark_disconnected(connection: StoreConnection, reason: str, *, actor=None) -> None:
    """Disconnect (also the system's path: app uninstalled). Call inside ``atomic()``."""
    StoreConnection.objects.filter(pk=connection.pk).update(
        state=StoreConnection.State.DISCONNECTED, last_error=reason, updated_at=timezone.now()
    )
    connection.state = StoreConnection.State.DISCONNECTED
    connection.last_error = reason
    audit.record(actor, "stores.connection.disconnect", connection, {"reason": reason})


def update_settings(
    actor, connection: StoreConnection, settings: dict, *, automation: dict | None = None
) -> StoreConnection:
    """Save the connection's settings; ``automation`` (``auto_allocate``, ``auto_ship``,
    ``order_priority``) sets the store's automation in the same transaction."""
    require(actor, P.STORE_MANAGE)
    cleaned = clean_settings({**(connection.settings or {}), **(settings or {})})
    _check_platform_warehouse(cleaned)
    with transaction.atomic():
        if automation is not None:
            order_services.set_automation(actor, connection.store, **automation)
        _propagate(actor, connection.store, cleaned, connection.settings or {})
        changes = {k: [connection.settings.get(k), v] for k, v in cleaned.items()
                   if connection.settings.get(k) != v}  # fmt: skip
        StoreConnection.objects.filter(pk=connection.pk).update(
            settings=cleaned, updated_at=timezone.now()
        )
        connection.settings = cleaned
        audit.record(actor, "stores.connection.settings", connection, changes)
    return connection


def update_credentials(actor, connection: StoreConnection, credentials: dict) -> StoreConnection:
    """Replace credentials (merged with the stored ones). For a webhook secret rotation pass
    ``{"webhook_secrets": [new, old]}``: both verify until the old one is dropped."""
    require(actor, P.STORE_MANAGE)
    creds = _clean_credentials(connection.platform, {**connection.credentials(), **credentials})
    with transaction.atomic():
        token = encrypt_json(creds)
        StoreConnection.objects.filter(pk=connection.pk).update(
            credentials_encrypted=token, updated_at=timezone.now()
        )
        connection.credentials_encrypted = token
        audit.record(
            actor, "stores.connection.credentials", connection, {"keys": sorted(credentials)}
        )
    return connection


def set_inventory_items(actor, connection: StoreConnection, items: dict[str, str]) -> int:
    """Record which platform inventory item each store SKU is ({store_sku: item id})."""
    require(actor, P.STORE_MANAGE)
    items = {str(k).strip(): str(v).strip() for k, v in items.items() if str(k).strip()}
    with transaction.atomic():
        PlatformInventoryItem.objects.filter(
            connection=connection, store_sku__in=list(items)
        ).delete()
        PlatformInventoryItem.objects.bulk_create(
            [
                PlatformInventoryItem(connection=connection, store_sku=k, inventory_item_id=v)
                for k, v in items.items()
            ],
            batch_size=1000,
        )
        audit.record(actor, "stores.inventory_items.set", connection, {"count": len(items)})
    return len(items)
