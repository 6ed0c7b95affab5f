"""Warehouses, the append-only stock ledger and the balances it maintains."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone


class Warehouse(models.Model):
    class Kind(models.TextChoices):
        OWN = "own", "own"
        OVERSEAS = "overseas", "overseas"
        THIRD_PARTY = "third_party", "third party"
        PLATFORM = "platform", "platform fulfilled (e.g. FBA)"

    code = models.CharField(max_length=32, unique=True)
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.OWN)
    country = models.CharField(max_length=2)
    state = models.CharField(max_length=100, blank=True)
    city = models.CharField(max_length=100, blank=True)
    address = models.CharField(max_length=300, blank=True)
    postcode = models.CharField(max_length=20, blank=True)
    contact = models.CharField(max_length=100, blank=True)
    phone = models.CharField(max_length=40, blank=True)
    priority = models.IntegerField(default=100)  # lower is preferred
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["priority", "code"]
        permissions = [
            ("view_stock", "Can view stock"),
            ("receive_stock", "Can receive stock"),
            ("adjust_stock", "Can adjust stock"),
            ("transfer_stock", "Can transfer stock"),
        ]

    def __str__(self) -> str:
        return self.code


class StockBalance(models.Model):
    """On hand and reserved per SKU and warehouse, kept by the ledger's services.

    The database refuses a negative available quantity (on_hand - reserved) and a negative
    reservation, so no code path can oversell.
    """

    sku = models.ForeignKey("catalog.Sku", on_delete=models.PROTECT, related_name="balances")
    warehouse = models.ForeignKey(Warehouse, on_delete=models.PROTECT, related_name="balances")
    on_hand = models.IntegerField(default=0)
    reserved = models.IntegerField(default=0)
    safety_stock = models.IntegerField(default=0)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["sku", "warehouse"], name="balance_sku_warehouse"),
            models.CheckConstraint(condition=Q(reserved__gte=0), name="balance_reserved_gte_0"),
            models.CheckConstraint(
                condition=Q(on_hand__gte=F("reserved")), name="balance_available_gte_0"
            ),
            models.CheckConstraint(condition=Q(safety_stock__gte=0), name="balance_safety_gte_0"),
        ]

    @property
    def available(self) -> int:
        return self.on_hand - self.reserved


class StockMovement(models.Model):
    """One append-only ledger row. Deltas apply to on_hand and reserved of one balance."""

    class Kind(models.TextChoices):
        RECEIPT = "receipt", "receipt"
        RESERVATION = "reservation", "reservation"
        RELEASE = "release", "release"
        SHIPMENT = "shipment", "shipment"
        ADJUSTMENT = "adjustment", "adjustment"
        TRANSFER_OUT = "transfer_out", "transfer out"
        TRANSFER_IN = "transfer_in", "transfer in"

    sku = models.ForeignKey("catalog.Sku", on_delete=models.PROTECT, related_name="+")
    warehouse = models.ForeignKey(Warehouse, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    on_hand_delta = models.IntegerField(default=0)
    reserved_delta = models.IntegerField(default=0)
    source_type = models.CharField(max_length=32, blank=True)  # "order", "transfer", "manual"
    source_id = models.CharField(max_length=64, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [
            models.Index(fields=["source_type", "source_id"]),
            models.Index(fields=["sku", "warehouse", "created_at"]),
        ]

    def save(self, *args, **kwargs):
        # Data integrity, not workflow: ledger rows are written once and never changed.
        if self.pk is not None:
            raise ValueError("Stock movements are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("Stock movements are append-only")
