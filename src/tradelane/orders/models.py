"""Stores, store-SKU mappings, orders, lines and packages (merge/split)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from .states import OrderStatus, PaymentStatus


class Store(models.Model):
    class Platform(models.TextChoices):
        SHOPIFY = "shopify", "Shopify"
        WOOCOMMERCE = "woocommerce", "WooCommerce"
        AMAZON = "amazon", "Amazon"
        MANUAL = "manual", "Manual / spreadsheet"
        OTHER = "other", "Other"

    code = models.CharField(max_length=32, unique=True)
    name = models.CharField(max_length=200)
    platform = models.CharField(max_length=16, choices=Platform.choices)
    currency = models.CharField(max_length=3)
    country = models.CharField(max_length=2)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)
    # Warehouse codes, best first: allocation tries these before the others (set by
    # ``services.set_warehouse_priority``; a store connection's settings keep it in step).
    warehouse_priority = models.JSONField(default=list, blank=True)
    # The automation pipeline (``orders.automation``, the store settings page): allocate an
    # order as soon as its review passes (and again when stock arrives for it); after
    # allocation, rate-shop it and create its shipment (which numbers or buys the label).
    # Allocating only reserves stock and is undone with one click, so it is on by default;
    # creating shipments spends money with carriers once the shipping rules are right, so a
    # store turns it on itself.
    auto_allocate = models.BooleanField(default=True)
    auto_ship = models.BooleanField(default=False)
    # Orders placed at the same moment take stock in this order (lower first).
    order_priority = models.PositiveSmallIntegerField(default=100)

    def __str__(self) -> str:
        return self.name


class StoreSkuMapping(models.Model):
    """A store's SKU maps to one of ours, or (several rows) is a bundle of several of ours."""

    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="sku_mappings")
    store_sku = models.CharField(max_length=128)
    sku = models.ForeignKey("catalog.Sku", on_delete=models.PROTECT, related_name="store_mappings")
    quantity = models.PositiveIntegerField(default=1)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["store", "store_sku", "sku"], name="mapping_unique"),
            models.CheckConstraint(condition=Q(quantity__gte=1), name="mapping_quantity_gte_1"),
        ]
        indexes = [models.Index(fields=["store", "store_sku"])]


class Order(models.Model):
    store = models.ForeignKey(Store, on_delete=models.PROTECT, related_name="orders")
    external_id = models.CharField(max_length=128)
    number = models.CharField(max_length=64, blank=True)  # the store's order number, e.g. #1001
    status = models.CharField(
        max_length=20, choices=OrderStatus.choices, default=OrderStatus.PENDING_REVIEW
    )
    source = models.CharField(max_length=16, default="api")  # api, import, shopify, ...
    placed_at = models.DateTimeField(default=timezone.now)
    # buyer
    buyer_name = models.CharField(max_length=200, blank=True)
    buyer_email = models.CharField(max_length=254, blank=True)
    buyer_phone = models.CharField(max_length=40, blank=True)
    # shipping address
    ship_name = models.CharField(max_length=200)
    ship_company = models.CharField(max_length=200, blank=True)
    ship_address1 = models.CharField(max_length=300)
    ship_address2 = models.CharField(max_length=300, blank=True)
    ship_city = models.CharField(max_length=100, blank=True)
    ship_state = models.CharField(max_length=100, blank=True)
    ship_postcode = models.CharField(max_length=20, blank=True)
    ship_country = models.CharField(max_length=2)
    ship_phone = models.CharField(max_length=40, blank=True)
    # money, all in ``currency``
    currency = models.CharField(max_length=3)
    items_total = models.DecimalField(max_digits=18, decimal_places=4, default=0)
    shipping_total = models.DecimalField(max_digits=18, decimal_places=4, default=0)
    tax_total = models.DecimalField(max_digits=18, decimal_places=4, default=0)
    discount_total = models.DecimalField(max_digits=18, decimal_places=4, default=0)
    grand_total = models.DecimalField(max_digits=18, decimal_places=4, default=0)
    payment_status = models.CharField(
        max_length=20, choices=PaymentStatus.choices, default=PaymentStatus.PAID
    )
    # work
    warehouse = models.ForeignKey(
        "inventory.Warehouse", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    review = models.JSONField(default=list, blank=True)  # [{rule, result, code, detail}]
    reviewed_at = models.DateTimeField(null=True, blank=True)
    shortage = models.JSONField(default=list, blank=True)  # [{sku, needed, available}]
    fingerprint = models.CharField(max_length=64, db_index=True)  # buyer + address + items
    content_hash = models.CharField(max_length=64)  # of the imported form, for idempotent import
    # the platform's last change time of the order as we applied it (orders.platform)
    platform_updated_at = models.DateTimeField(null=True, blank=True)
    note = models.TextField(blank=True)
    # An automatic step that failed stops the order until someone resumes it:
    # {"step": "allocate" | "rate_shop" | "ship", "code", "message"} (``orders.automation``);
    # null when not stopped (nullable: the set-based importer inserts only the columns it knows).
    automation_stop = models.JSONField(null=True, blank=True, default=None)
    automation_stopped_at = models.DateTimeField(null=True, blank=True, db_index=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["store", "external_id"], name="order_store_external_id"
            ),
        ]
        indexes = [
            models.Index(fields=["status", "-placed_at"]),
            models.Index(fields=["-placed_at"]),
        ]
        permissions = [
            ("review_order", "Can review orders"),
            ("allocate_order", "Can allocate orders"),
            ("merge_split_order", "Can merge and split orders"),
            ("cancel_order", "Can cancel orders"),
            ("view_reports", "Can view reports"),
        ]

    def __str__(self) -> str:
        return self.number or self.external_id


class OrderLine(models.Model):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    line_no = models.PositiveIntegerField()
    store_sku = models.CharField(max_length=128)
    store_quantity = models.PositiveIntegerField(default=1)  # quantity on the store's line
    title = models.CharField(max_length=300, blank=True)
    sku = models.ForeignKey(
        "catalog.Sku", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )  # null: the store SKU has no mapping yet
    quantity = models.PositiveIntegerField()  # our SKU's units (bundles expanded)
    unit_price = models.DecimalField(max_digits=18, decimal_places=4, default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["order", "line_no"], name="orderline_unique_no"),
            models.CheckConstraint(condition=Q(quantity__gte=1), name="orderline_quantity_gte_1"),
        ]
        ordering = ["order_id", "line_no"]


class Package(models.Model):
    """A parcel to ship: lines of one order (split) or of several orders (merge)."""

    class Kind(models.TextChoices):
        MERGED = "merged", "merged"
        SPLIT = "split", "split"

    class Status(models.TextChoices):
        OPEN = "open", "open"
        SHIPPED = "shipped", "shipped"
        CANCELLED = "cancelled", "cancelled"

    kind = models.CharField(max_length=8, choices=Kind.choices)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.OPEN)
    warehouse = models.ForeignKey("inventory.Warehouse", on_delete=models.PROTECT, related_name="+")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"PKG{self.pk:06d}"


class PackageLine(models.Model):
    package = models.ForeignKey(Package, on_delete=models.CASCADE, related_name="lines")
    order_line = models.ForeignKey(
        OrderLine, on_delete=models.CASCADE, related_name="package_lines"
    )
    quantity = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gte=1), name="packageline_quantity_gte_1"),
        ]
