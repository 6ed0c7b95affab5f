"""Products and their SKUs (variants), with weights, dimensions, cost and customs attributes."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone


class Status(models.TextChoices):
    ACTIVE = "active", "active"
    INACTIVE = "inactive", "inactive"


class Product(models.Model):
    code = models.CharField(max_length=64, unique=True)
    name = models.CharField(max_length=300)
    name_en = models.CharField(max_length=300, blank=True)
    image_url = models.URLField(max_length=500, blank=True)
    # an uploaded picture (checked by catalog.images), in the default storage
    image = models.FileField(upload_to="catalog/products/", max_length=200, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.ACTIVE)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Sku(models.Model):
    """A sellable variant. Weight in grams, dimensions in millimetres, money with currency."""

    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="skus")
    code = models.CharField(max_length=64, unique=True)
    name = models.CharField(max_length=300)
    variant = models.CharField(max_length=200, blank=True)  # "Red / XL"
    # GTIN / EAN / UPC / ISBN printed on the item: matches a store's variant by barcode
    barcode = models.CharField(max_length=64, blank=True, db_index=True)
    weight_g = models.PositiveIntegerField(default=0)
    length_mm = models.PositiveIntegerField(default=0)
    width_mm = models.PositiveIntegerField(default=0)
    height_mm = models.PositiveIntegerField(default=0)
    cost_amount = models.DecimalField(max_digits=18, decimal_places=4, default=0)
    cost_currency = models.CharField(max_length=3, default="CNY")
    # customs
    declared_name_zh = models.CharField(max_length=200, blank=True)
    declared_name_en = models.CharField(max_length=200, blank=True)
    hs_code = models.CharField(max_length=12, blank=True)
    declared_value = models.DecimalField(max_digits=18, decimal_places=4, default=0)
    declared_currency = models.CharField(max_length=3, default="USD")
    origin_country = models.CharField(max_length=2, default="CN")
    has_battery = models.BooleanField(default=False)
    has_liquid = models.BooleanField(default=False)
    has_magnet = models.BooleanField(default=False)
    image_url = models.URLField(max_length=500, blank=True)
    image = models.FileField(upload_to="catalog/skus/", max_length=200, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.ACTIVE)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(cost_amount__gte=0), name="sku_cost_not_negative"),
            models.CheckConstraint(
                condition=Q(declared_value__gte=0), name="sku_declared_value_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return self.code
