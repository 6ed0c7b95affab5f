"""Store connections, raw webhook deliveries, sync runs and platform inventory item ids.

The dispatch-center UI reads ``SyncRun`` and ``WebhookDelivery``; connectors for other
platforms reuse every model here (nothing is Shopify-specific but ``PlatformInventoryItem``'s
ids, which are opaque strings).
"""

from __future__ import annotations

import secrets

from django.conf import settings as django_settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from tradelane.core.crypto import decrypt_json


def _new_token() -> str:
    return secrets.token_urlsafe(24)


class StoreConnection(models.Model):
    class State(models.TextChoices):
        CONNECTED = "connected", "connected"
        DISCONNECTED = "disconnected", "disconnected"
        ERROR = "error", "error"

    store = models.OneToOneField(
        "orders.Store", on_delete=models.PROTECT, related_name="connection"
    )
    platform = models.CharField(max_length=16)  # orders.Store.Platform
    shop_domain = models.CharField(max_length=255)  # e.g. acme.myshopify.com
    base_url = models.CharField(max_length=300, blank=True)  # override (fakes, self-hosted)
    credentials_encrypted = models.TextField(blank=True)  # core.crypto.encrypt_json(dict)
    settings = models.JSONField(default=dict, blank=True)  # schemas.StoreSettings
    state = models.CharField(max_length=16, choices=State.choices, default=State.CONNECTED)
    webhook_token = models.CharField(max_length=64, unique=True, default=_new_token)
    cursor = models.CharField(max_length=200, blank=True)  # last committed sync cursor
    last_sync_at = models.DateTimeField(null=True, blank=True)
    # a sync holds the connection until then (taken with a conditional UPDATE, so two workers
    # never sync one store at once; a crashed worker's lease runs out)
    sync_lease_until = models.DateTimeField(null=True, blank=True)
    # stock push: the highest inventory.StockMovement id already covered by a queued
    # ``store.stock`` message (null: never pushed, the first sweep pushes every mapped SKU)
    stock_pushed_movement_id = models.BigIntegerField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    # what the last test call proved and what happened to the webhooks
    # (``onboarding/verification.py``: shop, plan, currency, scopes, webhooks, when)
    verification = models.JSONField(default=dict, blank=True)
    connected_by = models.ForeignKey(
        django_settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["state", "platform"])]

    def __str__(self) -> str:
        return f"{self.platform}:{self.shop_domain}"

    def credentials(self) -> dict:
        return decrypt_json(self.credentials_encrypted)


class WebhookDelivery(models.Model):
    class Status(models.TextChoices):
        RECEIVED = "received", "received"
        PROCESSED = "processed", "processed"
        IGNORED = "ignored", "ignored"
        FAILED = "failed", "failed"

    connection = models.ForeignKey(
        StoreConnection, on_delete=models.CASCADE, related_name="webhooks"
    )
    delivery_id = models.CharField(max_length=128)  # the platform's, same across retries
    topic = models.CharField(max_length=64)
    body = models.BinaryField()  # the raw bytes, exactly as signed
    headers = models.JSONField(default=dict)
    received_at = models.DateTimeField(default=timezone.now)
    triggered_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.RECEIVED)
    error = models.TextField(blank=True)
    attempts = models.PositiveIntegerField(default=0)  # processing attempts
    duplicates = models.PositiveIntegerField(default=0)  # deliveries of the same id after this
    processed_at = models.DateTimeField(null=True, blank=True)
    order = models.ForeignKey(
        "orders.Order", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["connection", "delivery_id"], name="webhook_delivery_unique"
            )
        ]
        indexes = [
            models.Index(fields=["status", "received_at"]),
            models.Index(fields=["connection", "-received_at"]),
        ]


class SyncRun(models.Model):
    class Kind(models.TextChoices):
        IMPORT = "import", "import"
        RECONCILE = "reconcile", "reconcile"
        PUSH = "push", "push"

    class Status(models.TextChoices):
        RUNNING = "running", "running"
        SUCCEEDED = "succeeded", "succeeded"
        FAILED = "failed", "failed"

    connection = models.ForeignKey(StoreConnection, on_delete=models.CASCADE, related_name="runs")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.RUNNING)
    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    fetched = models.PositiveIntegerField(default=0)
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)  # stale, same content, locked, filtered
    rejected = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)
    cursor_before = models.CharField(max_length=200, blank=True)
    cursor_after = models.CharField(max_length=200, blank=True)

    class Meta:
        indexes = [models.Index(fields=["connection", "-started_at"])]
        ordering = ["-started_at", "-id"]


class PlatformInventoryItem(models.Model):
    """Which platform inventory item a store SKU is (Shopify: gid://shopify/InventoryItem/...)."""

    connection = models.ForeignKey(
        StoreConnection, on_delete=models.CASCADE, related_name="inventory_items"
    )
    store_sku = models.CharField(max_length=128)
    inventory_item_id = models.CharField(max_length=128)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["connection", "store_sku"], name="platform_inventory_item_unique"
            )
        ]


# --- a connected store's imported catalog (onboarding/: the import job and the proposals) ---


class MatchKind(models.TextChoices):
    MAPPED = "mapped", "mapped"  # the store SKU had a mapping already
    EXACT_SKU = "exact_sku", "exact_sku"  # the store SKU is one of our SKU codes
    BARCODE = "barcode", "barcode"  # the variant's barcode is one of our SKUs' barcodes
    TITLE = "title", "title"  # the titles are alike (rapidfuzz score above the threshold)
    NONE = "", "none"


class ProposalState(models.TextChoices):
    UNMATCHED = "unmatched", "unmatched"  # nothing proposed (no store SKU, or no match)
    PROPOSED = "proposed", "proposed"
    ACCEPTED = "accepted", "accepted"  # the SKU mapping and the inventory item id exist
    REJECTED = "rejected", "rejected"


class StoreVariant(models.Model):
    """One variant of a connected store's catalog and the SKU mapping proposed for it."""

    connection = models.ForeignKey(
        "stores.StoreConnection", on_delete=models.CASCADE, related_name="variants"
    )
    variant_id = models.CharField(max_length=128)  # the platform's (the upsert key)
    inventory_item_id = models.CharField(max_length=128, blank=True)
    store_sku = models.CharField(max_length=128, blank=True)
    barcode = models.CharField(max_length=64, blank=True)
    title = models.CharField(max_length=300, blank=True)
    product_title = models.CharField(max_length=300, blank=True)
    proposed_sku = models.ForeignKey(
        "catalog.Sku", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    match_kind = models.CharField(max_length=12, choices=MatchKind.choices, blank=True)
    # 0 to 1: exact SKU 1, barcode 0.95, a title its rapidfuzz score / 100
    confidence = models.DecimalField(max_digits=4, decimal_places=3, null=True, blank=True)
    state = models.CharField(
        max_length=12, choices=ProposalState.choices, default=ProposalState.UNMATCHED
    )
    imported_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    decided_by = models.ForeignKey(
        django_settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["connection", "variant_id"], name="store_variant_unique"
            ),
            models.CheckConstraint(
                condition=Q(confidence__isnull=True) | Q(confidence__gte=0, confidence__lte=1),
                name="store_variant_confidence_0_1",
            ),
        ]
        indexes = [
            models.Index(fields=["connection", "state"]),
            models.Index(fields=["connection", "store_sku"]),
        ]
