"""The vendor credentials a provider issues to a customer's ERP: an ECCANG ``appToken`` /
``appKey`` pair or a Hualei ``username`` / ``password``. The token or username is the
identifier and is stored as such; of the key or password only a SHA-256 digest is kept (both
are random secrets made by ``services.issue``, so a fast digest is enough). Each credential
acts as one portal user of one customer: its waybills are created by that user, so the
forwarding scoping applies to everything the facades read or write."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from tradelane.forwarding.partners.models import CustomerAccount


class Vendor(models.TextChoices):
    ECCANG = "eccang", "ECCANG TMS"
    HUALEI = "hualei", "Hualei TMS"


class VendorCredential(models.Model):
    vendor = models.CharField(max_length=16, choices=Vendor.choices)
    identifier = models.CharField(max_length=64)  # ECCANG appToken, Hualei username
    secret_digest = models.CharField(max_length=64)  # sha256 hex of the appKey / password
    customer = models.ForeignKey(
        CustomerAccount, on_delete=models.PROTECT, related_name="vendor_credentials"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="vendor_credentials"
    )
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["vendor", "identifier"], name="vendor_credential_once")
        ]

    def __str__(self) -> str:
        return f"{self.vendor}:{self.identifier} ({self.customer_id})"
