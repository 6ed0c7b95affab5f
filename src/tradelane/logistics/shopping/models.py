"""Rate-shopping rules (which channel an order may take, by what strategy) and each order's
choice."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone

from ..rates.models import MONEY, Channel, value_choices

SHOP_CHEAPEST = "cheapest"


SHOP_FASTEST = "fastest"


SHOP_CHEAPEST_WITHIN = "cheapest_within_days"


SHOP_STRATEGIES = (SHOP_CHEAPEST, SHOP_FASTEST, SHOP_CHEAPEST_WITHIN)


class ShippingRule(models.Model):
    """A rate-shopping rule. Rules are tried by ``priority`` (lower first); the first whose
    conditions all hold decides which channels may carry the parcel and how to pick among them.
    Empty conditions match everything."""

    name = models.CharField(max_length=200)
    priority = models.IntegerField(default=100)
    is_active = models.BooleanField(default=True)
    # conditions
    countries = models.JSONField(default=list, blank=True)  # destination countries
    store = models.ForeignKey(
        "orders.Store", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    sku_attribute = models.CharField(max_length=10, blank=True)  # battery, liquid, magnet
    min_order_value = models.DecimalField(**MONEY, null=True, blank=True)
    max_order_value = models.DecimalField(**MONEY, null=True, blank=True)
    value_currency = models.CharField(max_length=3, blank=True)
    # decision
    strategy = models.CharField(
        max_length=24, choices=value_choices(SHOP_STRATEGIES), default=SHOP_CHEAPEST
    )
    max_days = models.PositiveSmallIntegerField(null=True, blank=True)
    channels = models.JSONField(default=list, blank=True)  # allowed channel codes; empty: all
    incoterm = models.CharField(max_length=3, blank=True)  # DDP forces DDP; blank: by customs
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["priority", "id"]


class RateChoice(models.Model):
    """The rate shop's answer for one order: the channel picked (none when nothing can carry
    it), its price on the cost sheet, the rule that decided, and a short explanation. Written
    by ``shopping.services`` and replaced by the next shop: one row for an order shopped
    alone (``package`` empty); an order in open packages has one row per package, each the
    answer for the whole package (all its orders' lines)."""

    order = models.ForeignKey("orders.Order", on_delete=models.CASCADE, related_name="+")
    package = models.ForeignKey(
        "orders.Package", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    channel = models.ForeignKey(
        Channel, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    amount = models.DecimalField(**MONEY, null=True, blank=True)
    currency = models.CharField(max_length=3, blank=True)
    chargeable_weight_g = models.PositiveIntegerField(null=True, blank=True)
    rule = models.ForeignKey(
        ShippingRule, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    strategy = models.CharField(max_length=24, blank=True)
    explanation = models.JSONField(default=list, blank=True)  # short lines
    quoted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["order"], condition=Q(package__isnull=True), name="rate_choice_order_alone"
            ),
            models.UniqueConstraint(
                fields=["order", "package"],
                condition=Q(package__isnull=False),
                name="rate_choice_order_package",
            ),
        ]
