"""Accounts with real carrier APIs (karrio) and Tradelane providers; secrets encrypted."""

from __future__ import annotations

from django.db import models
from django.utils import timezone


class CarrierAccount(models.Model):
    """Credentials for a real carrier API (through karrio) or a Tradelane provider.

    ``credentials`` holds a Fernet token (``core.crypto``), never the secrets in clear.
    ``base_url`` overrides the carrier's server (a provider's URL, or a local fake in tests).
    """

    code = models.CharField(max_length=40, unique=True)
    name = models.CharField(max_length=200)
    carrier = models.CharField(max_length=40)  # karrio carrier name (dhl_express, ...) or tradelane
    credentials = models.TextField(blank=True)
    test_mode = models.BooleanField(default=False)
    base_url = models.CharField(max_length=300, blank=True)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} ({self.carrier})"
