"""Saved column mappings (templates) and uploaded files waiting for their import."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class Entity(models.TextChoices):
    ORDERS = "orders", "orders"
    PRODUCTS = "products", "products"
    STOCK = "stock", "stock"


class ColumnMapping(models.Model):
    """A template: which of their column headers holds each of our fields, plus defaults."""

    name = models.CharField(max_length=100)
    entity = models.CharField(max_length=16, choices=Entity.choices)
    mapping = models.JSONField(default=dict, blank=True)  # our field -> their column header
    defaults = models.JSONField(default=dict, blank=True)  # our field -> value when empty
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["entity", "name"]
        constraints = [
            models.UniqueConstraint(fields=["entity", "name"], name="columnmapping_entity_name"),
        ]

    def __str__(self) -> str:
        return f"{self.entity}: {self.name}"


class Upload(models.Model):
    """An uploaded spreadsheet between its preview and its import (kept in the database, so
    any web process or worker can read it; removed a day later by the periodic sweep)."""

    entity = models.CharField(max_length=16, choices=Entity.choices)
    filename = models.CharField(max_length=200)
    kind = models.CharField(max_length=8)  # csv | xlsx
    sheet = models.CharField(max_length=100, blank=True)
    content = models.BinaryField()
    headers = models.JSONField(default=list)
    # None: more rows than an upload request reads; the import job counts them
    row_count = models.PositiveIntegerField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["created_at"])]
