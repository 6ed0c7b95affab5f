"""A store's imported catalog: one row per platform variant, with the SKU mapping proposed for
it (imported from ``stores.models``, so the app registry sees it)."""

from __future__ import annotations

from django.conf import settings as django_settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


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


# who may move a proposal where (``core.states``); a re-import turns an unmatched or
# proposed row into the other when its data changed; accepted and rejected rows stay
TRANSITIONS = {
    ProposalState.UNMATCHED: {ProposalState.PROPOSED, ProposalState.ACCEPTED},
    ProposalState.PROPOSED: {
        ProposalState.ACCEPTED,
        ProposalState.REJECTED,
        ProposalState.UNMATCHED,
    },  # fmt: skip
    ProposalState.REJECTED: {ProposalState.PROPOSED},
    ProposalState.ACCEPTED: set(),
}


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
        app_label = "stores"
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
