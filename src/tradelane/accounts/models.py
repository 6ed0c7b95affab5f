"""Users, API keys and the company profile."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone


class User(AbstractUser):
    """A person who logs in. Roles are groups (see roles.py)."""

    language = models.CharField(max_length=10, blank=True, default="")

    class Meta:
        permissions = [
            ("manage_users", "Can manage users, roles and API keys"),
            ("manage_company", "Can change the company profile"),
        ]


class ApiKey(models.Model):
    """A key for programs. Only a SHA-256 digest of the secret is stored.

    The full key is ``tl_<prefix>_<secret>`` and is shown once, when it is created. The key
    acts as its user, with that user's roles.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_keys"
    )
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=16, unique=True)
    digest = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.name} (tl_{self.prefix}_…)"


class Company(models.Model):
    """The one company this installation runs (a singleton row, pk=1)."""

    name = models.CharField(max_length=200, default="Tradelane Demo Co.")
    base_currency = models.CharField(max_length=3, default="CNY")
    time_zone = models.CharField(max_length=64, default="Asia/Shanghai")
    languages = models.JSONField(default=list)  # e.g. ["zh-hans", "en"]
    # Review: orders worth at least this much (base currency) wait for a call to the buyer.
    review_high_value = models.DecimalField(max_digits=18, decimal_places=2, default=5000)
    # Review: the same buyer, address and items again within this many hours is a duplicate.
    review_duplicate_hours = models.PositiveIntegerField(default=72)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name_plural = "company"

    def __str__(self) -> str:
        return self.name


class BlockedBuyer(models.Model):
    """Buyers customer service has blocked: their orders wait for contact."""

    email = models.CharField(max_length=254, blank=True, db_index=True)
    phone = models.CharField(max_length=40, blank=True, db_index=True)
    name = models.CharField(max_length=200, blank=True)
    reason = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(email="", phone=""), name="blockedbuyer_email_or_phone"
            )
        ]
