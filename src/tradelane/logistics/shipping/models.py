"""Shipments of orders and packages: parcels, items, documents, S10 series and daily manifests."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from ..rates.models import MONEY, Channel, value_choices
from ..shipping.numbers import new_public_key
from ..tracking import codes as tracking_codes


class S10Series(models.Model):
    """A range of UPU S10 serials for one prefix and country, taken with a conditional
    update so that two processes never hand out the same number."""

    prefix = models.CharField(max_length=2)
    country = models.CharField(max_length=2)
    next_serial = models.PositiveIntegerField(default=1)
    last_serial = models.PositiveIntegerField(default=99999999)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["prefix", "country"], name="s10_series_unique"),
            models.CheckConstraint(
                condition=Q(next_serial__lte=F("last_serial") + 1), name="s10_series_in_range"
            ),
        ]


class ShipmentStatus(models.TextChoices):
    DRAFT = "draft", "draft"  # created, no label yet (or the label is being bought)
    LABELLED = "labelled", "labelled"  # tracking number and label exist
    SHIPPED = "shipped", "shipped"  # handed over to the carrier
    DELIVERED = "delivered", "delivered"
    RETURNED = "returned", "returned"
    CANCELLED = "cancelled", "cancelled"  # a label, if any, is voided


class Manifest(models.Model):
    """The day's hand-over list of one channel."""

    number = models.CharField(max_length=40, unique=True)
    channel = models.ForeignKey(Channel, on_delete=models.PROTECT, related_name="manifests")
    date = models.DateField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)


class Shipment(models.Model):
    """What one channel carries for us: one or several parcels, for one order (or part of one,
    when split) or several merged orders."""

    number = models.CharField(max_length=40, unique=True)  # our reference, e.g. SH2611300001
    status = models.CharField(
        max_length=12, choices=ShipmentStatus.choices, default=ShipmentStatus.DRAFT
    )
    channel = models.ForeignKey(Channel, on_delete=models.PROTECT, related_name="shipments")
    warehouse = models.ForeignKey("inventory.Warehouse", on_delete=models.PROTECT, related_name="+")
    store = models.ForeignKey(
        "orders.Store", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reference = models.CharField(max_length=128, blank=True)  # the customer's / order numbers
    # numbers
    tracking_number = models.CharField(max_length=64, blank=True, db_index=True)
    carrier_shipment_id = models.CharField(max_length=128, blank=True)
    label_request_key = models.CharField(max_length=80, unique=True, null=True, blank=True)
    label_error = models.TextField(blank=True)
    last_mile_carrier = models.CharField(max_length=100, blank=True)
    last_mile_tracking_number = models.CharField(max_length=64, blank=True, db_index=True)
    last_mile_at = models.DateTimeField(null=True, blank=True)
    # the public tracking page: any of the shipment's numbers with ``public_key`` (the links we
    # hand out carry it); the tracking number alone only when we drew it at random
    public_key = models.CharField(max_length=32, unique=True, default=new_public_key)
    public_by_number = models.BooleanField(default=False)
    # receiver
    ship_name = models.CharField(max_length=200)
    ship_company = models.CharField(max_length=200, blank=True)
    ship_address1 = models.CharField(max_length=300)
    ship_address2 = models.CharField(max_length=300, blank=True)
    ship_city = models.CharField(max_length=100, blank=True)
    ship_state = models.CharField(max_length=100, blank=True)
    ship_postcode = models.CharField(max_length=20, blank=True)
    ship_country = models.CharField(max_length=2)
    ship_phone = models.CharField(max_length=40, blank=True)
    ship_email = models.CharField(max_length=254, blank=True)
    # what and how much
    pieces = models.PositiveSmallIntegerField(default=1)
    weight_g = models.PositiveIntegerField(default=0)  # all parcels
    # customs
    declared_value = models.DecimalField(**MONEY, default=0)
    declared_currency = models.CharField(max_length=3, blank=True)
    customs_category = models.CharField(max_length=20, default="sale_of_goods")
    customs_document = models.CharField(max_length=8, blank=True)  # none, cn22, cn23, invoice
    incoterm = models.CharField(max_length=3, default="DDU")  # DDU or DDP
    ioss_number = models.CharField(max_length=40, blank=True)
    vat_number = models.CharField(max_length=40, blank=True)
    eori_number = models.CharField(max_length=40, blank=True)
    # the quote it was created with
    charge_currency = models.CharField(max_length=3, blank=True)
    quoted_amount = models.DecimalField(**MONEY, null=True, blank=True)  # sale / our price
    cost_amount = models.DecimalField(**MONEY, null=True, blank=True)
    chargeable_weight_g = models.PositiveIntegerField(null=True, blank=True)
    zone_code = models.CharField(max_length=40, blank=True)
    quote_detail = models.JSONField(default=dict, blank=True)
    # tracking
    tracking_status = models.CharField(
        max_length=24, choices=value_choices(tracking_codes.STATUSES), blank=True
    )
    tracking_status_at = models.DateTimeField(null=True, blank=True)
    last_polled_at = models.DateTimeField(null=True, blank=True)
    manifest = models.ForeignKey(
        Manifest, null=True, blank=True, on_delete=models.SET_NULL, related_name="shipments"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    labelled_at = models.DateTimeField(null=True, blank=True)
    shipped_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["status", "-created_at"]),
            models.Index(fields=["channel", "shipped_at"]),
            models.Index(fields=["tracking_status", "tracking_status_at"]),
        ]
        # reading shipments, labels and manifests is the default view_shipment
        permissions = [
            ("ship", "Can create shipments and hand them over"),
            ("cancel_shipment", "Can cancel shipments (voids carrier labels)"),
            ("rate_shop", "Can rate-shop orders and parcels"),
            ("close_manifest", "Can close manifests"),
            ("manage_tracking", "Can work the tracking exception queue"),
        ]

    def __str__(self) -> str:
        return self.number


class ShipmentOrder(models.Model):
    """An order (or, with ``package``, the part of it in one split/merged package) that the
    shipment carries."""

    shipment = models.ForeignKey(Shipment, on_delete=models.CASCADE, related_name="order_links")
    order = models.ForeignKey("orders.Order", on_delete=models.PROTECT, related_name="+")
    package = models.ForeignKey(
        "orders.Package", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["shipment", "order"], name="shipment_order_unique"),
        ]


class ShipmentParcel(models.Model):
    shipment = models.ForeignKey(Shipment, on_delete=models.CASCADE, related_name="parcels")
    seq = models.PositiveSmallIntegerField()  # 1..N
    weight_g = models.PositiveIntegerField()
    length_mm = models.PositiveIntegerField(default=0)
    width_mm = models.PositiveIntegerField(default=0)
    height_mm = models.PositiveIntegerField(default=0)
    measured = models.BooleanField(default=False)  # weighed/measured, not derived from SKUs
    tracking_number = models.CharField(max_length=64, blank=True)  # per piece, if any

    class Meta:
        ordering = ["shipment", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["shipment", "seq"], name="parcel_unique_seq"),
            models.CheckConstraint(condition=Q(weight_g__gt=0), name="parcel_weight_positive"),
        ]


class ShipmentItem(models.Model):
    """One customs line: what is inside, from the catalog's customs attributes."""

    shipment = models.ForeignKey(Shipment, on_delete=models.CASCADE, related_name="items")
    order_line = models.ForeignKey(
        "orders.OrderLine", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    sku = models.ForeignKey(
        "catalog.Sku", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    quantity = models.PositiveIntegerField()
    name_zh = models.CharField(max_length=200, blank=True)
    name_en = models.CharField(max_length=200)
    hs_code = models.CharField(max_length=12, blank=True)
    unit_value = models.DecimalField(**MONEY)
    currency = models.CharField(max_length=3)
    origin_country = models.CharField(max_length=2, default="CN")
    weight_g = models.PositiveIntegerField(default=0)  # per unit
    battery = models.BooleanField(default=False)

    class Meta:
        ordering = ["shipment", "id"]


class ShipmentDocument(models.Model):
    """A rendered document kept with the shipment (a carrier's label arrives once and must be
    printable again): in the database, not on a local disk, so any machine can serve it."""

    shipment = models.ForeignKey(Shipment, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(max_length=16)  # label, carrier_label, cn23, invoice
    format = models.CharField(max_length=4)  # pdf, zpl
    content = models.BinaryField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["shipment", "kind", "format"], name="shipment_document_unique"
            ),
        ]
