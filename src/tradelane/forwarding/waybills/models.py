"""Waybills (运单): what a customer hands the provider to carry, with its three numbers.

A waybill has the customer's ``reference`` (unique per customer), the provider's ``number``
(given at creation, always) and a ``tracking_number`` that may come later ("number pending":
``tracking_status`` pending until it is assigned), plus the last-mile carrier and number the
hub switches it to (转单). The forecast (pieces, weights, dimensions) is the customer's; the
measured weight replaces it at inbound and the sale price is quoted again. Prices are the
customer's sale price and the provider's cost, each Decimal with its currency, as quoted.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from tradelane.logistics.models import MONEY, Channel

from ..partners.models import CustomerAccount


class WaybillStatus(models.TextChoices):
    CREATED = "created", "created"  # 已预报: forecast, before inbound
    RECEIVED = "received", "received"  # 已入库: scanned and weighed at the hub
    HELD = "held", "held"  # 扣件: held at the hub (arrears, problem, intercept)
    IN_TRANSIT = "in_transit", "in transit"  # left the hub
    DELIVERED = "delivered", "delivered"
    RETURNED = "returned", "returned"
    CANCELLED = "cancelled", "cancelled"  # cancelled before inbound


class TrackingStatus(models.TextChoices):
    """ECCANG's track_status idea: 1 the number is there, 2 it comes later."""

    ASSIGNED = "assigned", "assigned"
    PENDING = "pending", "pending"


class Incoterm(models.TextChoices):
    DDU = "DDU", "DDU"
    DDP = "DDP", "DDP"


class WaybillSource(models.TextChoices):
    PORTAL = "portal", "portal"
    API = "api", "open API"
    UPLOAD = "upload", "bulk upload"
    ECCANG = "eccang", "ECCANG-compatible API"
    HUALEI = "hualei", "Hualei-compatible API"
    STAFF = "staff", "provider staff"


class Waybill(models.Model):
    number = models.CharField(max_length=40, unique=True)
    customer = models.ForeignKey(CustomerAccount, on_delete=models.PROTECT, related_name="waybills")
    reference = models.CharField(max_length=60)  # the customer's, unique per customer
    channel = models.ForeignKey(Channel, on_delete=models.PROTECT, related_name="waybills")
    status = models.CharField(
        max_length=12, choices=WaybillStatus.choices, default=WaybillStatus.CREATED
    )
    source = models.CharField(max_length=8, choices=WaybillSource.choices)
    tracking_number = models.CharField(max_length=60, blank=True)
    tracking_status = models.CharField(
        max_length=8, choices=TrackingStatus.choices, default=TrackingStatus.PENDING
    )
    last_mile_carrier = models.CharField(max_length=60, blank=True)
    last_mile_number = models.CharField(max_length=60, blank=True)
    # when the last-mile carrier was last asked about it (``lastmile.tracking.poll_last_mile``)
    last_mile_polled_at = models.DateTimeField(null=True, blank=True)
    # consignee
    consignee_name = models.CharField(max_length=200)
    consignee_company = models.CharField(max_length=200, blank=True)
    consignee_phone = models.CharField(max_length=40, blank=True)
    consignee_email = models.CharField(max_length=254, blank=True)
    consignee_address1 = models.CharField(max_length=300)
    consignee_address2 = models.CharField(max_length=300, blank=True)
    consignee_city = models.CharField(max_length=100)
    consignee_state = models.CharField(max_length=100, blank=True)
    consignee_postcode = models.CharField(max_length=20, blank=True)
    consignee_country = models.CharField(max_length=2)
    # shipper (defaults to the customer's)
    shipper = models.JSONField(default=dict, blank=True)
    # customs
    incoterm = models.CharField(max_length=3, choices=Incoterm.choices, default=Incoterm.DDU)
    ioss = models.CharField(max_length=20, blank=True)
    vat_number = models.CharField(max_length=30, blank=True)
    eori = models.CharField(max_length=20, blank=True)
    declared_value = models.DecimalField(**MONEY)
    declared_currency = models.CharField(max_length=3)
    insurance_value = models.DecimalField(**MONEY, null=True, blank=True)
    insurance_currency = models.CharField(max_length=3, blank=True)
    battery = models.BooleanField(default=False)
    liquid = models.BooleanField(default=False)
    magnet = models.BooleanField(default=False)
    note = models.CharField(max_length=500, blank=True)
    # forecast (the customer's) and measured (the hub's); grams and millimetres
    pieces = models.PositiveSmallIntegerField(default=1)
    forecast_weight_g = models.PositiveIntegerField()
    measured_weight_g = models.PositiveIntegerField(null=True, blank=True)
    chargeable_weight_g = models.PositiveIntegerField(default=0)
    # the price as last quoted: the customer's sale price and the provider's cost
    sale_amount = models.DecimalField(**MONEY, null=True, blank=True)
    sale_currency = models.CharField(max_length=3, blank=True)
    sale_level = models.CharField(max_length=40, blank=True)  # the sheet level that priced it
    cost_amount = models.DecimalField(**MONEY, null=True, blank=True)
    cost_currency = models.CharField(max_length=3, blank=True)
    charges = models.JSONField(default=list, blank=True)  # [{code, amount, currency}]
    # a hash of what the customer sent: the same reference with another body is a conflict
    body_hash = models.CharField(max_length=64)
    intercept_requested_at = models.DateTimeField(null=True, blank=True)
    intercept_reason = models.CharField(max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-id"]
        permissions = [("receive_waybill", "Can scan and weigh waybills in at the hub")]
        constraints = [
            models.UniqueConstraint(
                fields=["customer", "reference"], name="waybill_reference_per_customer"
            ),
            models.CheckConstraint(condition=Q(pieces__gte=1), name="waybill_pieces_gte_1"),
            models.CheckConstraint(
                condition=~Q(tracking_status="assigned") | ~Q(tracking_number=""),
                name="waybill_assigned_has_number",
            ),
        ]
        indexes = [
            # the portal's list: one customer's waybills, newest first, by status and date
            models.Index(fields=["customer", "-created_at"], name="waybill_customer_created"),
            models.Index(
                fields=["customer", "status", "-created_at"], name="waybill_customer_status"
            ),
            models.Index(fields=["tracking_number"], name="waybill_tracking_number"),
            # the inbound scan finds a parcel by any of its numbers
            models.Index(fields=["reference"], name="waybill_reference"),
            models.Index(fields=["last_mile_number"], name="waybill_last_mile_number"),
            # the last-mile poll: waybills on the way, the longest unasked first
            models.Index(fields=["status", "last_mile_polled_at"], name="waybill_last_mile_poll"),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def weight_g(self) -> int:
        """The weight that prices it: measured once the hub weighed it, else the forecast."""
        return self.measured_weight_g or self.forecast_weight_g


class WaybillPiece(models.Model):
    """One carton of a waybill as forecast (and, after inbound, as measured)."""

    waybill = models.ForeignKey(Waybill, on_delete=models.CASCADE, related_name="piece_rows")
    seq = models.PositiveSmallIntegerField()
    weight_g = models.PositiveIntegerField()
    length_mm = models.PositiveIntegerField(default=0)
    width_mm = models.PositiveIntegerField(default=0)
    height_mm = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["waybill", "seq"]
        constraints = [models.UniqueConstraint(fields=["waybill", "seq"], name="waybill_piece_seq")]


class WaybillItem(models.Model):
    """A declared goods line: what customs and the channel are told."""

    waybill = models.ForeignKey(Waybill, on_delete=models.CASCADE, related_name="items")
    seq = models.PositiveSmallIntegerField()
    name_zh = models.CharField(max_length=200, blank=True)
    name_en = models.CharField(max_length=200)
    quantity = models.PositiveIntegerField()
    unit_value = models.DecimalField(**MONEY)
    currency = models.CharField(max_length=3)
    unit_weight_g = models.PositiveIntegerField(default=0)
    hs_code = models.CharField(max_length=12, blank=True)
    origin = models.CharField(max_length=2, default="CN")
    material = models.CharField(max_length=100, blank=True)
    sku = models.CharField(max_length=100, blank=True)
    sales_url = models.CharField(max_length=500, blank=True)
    battery = models.BooleanField(default=False)
    liquid = models.BooleanField(default=False)
    magnet = models.BooleanField(default=False)

    class Meta:
        ordering = ["waybill", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["waybill", "seq"], name="waybill_item_seq"),
            models.CheckConstraint(condition=Q(quantity__gte=1), name="waybill_item_qty_gte_1"),
        ]


class WaybillEvent(models.Model):
    """The waybill's tracking timeline as the customer sees it: ours (created, received,
    departed...) and the last mile's, normalised to the kernel's tracking status codes."""

    waybill = models.ForeignKey(Waybill, on_delete=models.CASCADE, related_name="events")
    status = models.CharField(max_length=30)  # logistics.tracking.codes
    description = models.CharField(max_length=300)
    location = models.CharField(max_length=100, blank=True)
    occurred_at = models.DateTimeField(default=timezone.now)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["waybill", "occurred_at", "id"]
        indexes = [models.Index(fields=["waybill", "occurred_at"], name="waybill_event_time")]


class WaybillSeries(models.Model):
    """The provider's waybill numbers per prefix and day: taken with a conditional update
    inside the caller's transaction, so two processes never hand out one number."""

    prefix = models.CharField(max_length=8)
    day = models.DateField()
    next_serial = models.PositiveIntegerField(default=1)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["prefix", "day"], name="waybill_series_unique")
        ]
