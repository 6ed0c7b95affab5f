"""Customs configuration: dated thresholds (IOSS, de minimis, CN22) and stores' IOSS, VAT
and EORI numbers."""

from __future__ import annotations

from django.db import models

from ..rates.models import MONEY


class CustomsThreshold(models.Model):
    """Dated customs configuration per destination (a country code, or EU for the union).

    kind: ``ioss`` (EU IOSS up to EUR 150), ``vat_at_sale`` (UK GBP 135), ``de_minimis``
    (duty-free value; the US one is suspended since 2025-08-29: amount 0), ``cn22`` (value and
    weight up to which a CN22 suffices, 300 SDR and 2 kg)."""

    destination = models.CharField(max_length=2)
    kind = models.CharField(max_length=16)
    amount = models.DecimalField(**MONEY)
    currency = models.CharField(max_length=3)
    max_weight_g = models.PositiveIntegerField(null=True, blank=True)
    effective_from = models.DateField()
    effective_to = models.DateField(null=True, blank=True)
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["destination", "kind", "-effective_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["destination", "kind", "effective_from"], name="threshold_unique_from"
            ),
        ]


class StoreCustomsNumber(models.Model):
    """IOSS, VAT or EORI number of a store for a destination (a country, EU, or blank: all)."""

    store = models.ForeignKey("orders.Store", on_delete=models.CASCADE, related_name="+")
    destination = models.CharField(max_length=2, blank=True)
    kind = models.CharField(max_length=8)  # ioss, vat, eori
    number = models.CharField(max_length=40)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["store", "destination", "kind"], name="store_customs_number_unique"
            ),
        ]
