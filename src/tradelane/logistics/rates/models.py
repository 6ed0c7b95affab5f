"""Channels and their rate sheets: zones with rules, weight brackets, surcharges, fuel history.

Weights are integer grams, lengths integer millimetres, money Decimal with the currency of the
channel or sheet. Rows are written only by ``services``; the engine (``rating``) reads them
through ``selectors.compiled_channels``, which compiles each channel once per ``version``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from ..shipping.numbers import new_public_key
from ..tracking import codes as tracking_codes
from . import descriptions as spec


def _choices(values: tuple[str, ...]) -> list[tuple[str, str]]:
    return [(v, v.replace("_", " ")) for v in values]


MONEY = dict(max_digits=18, decimal_places=spec.MAX_DECIMALS)


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


class Channel(models.Model):
    """One service of one carrier or provider."""

    code = models.CharField(max_length=40, unique=True)
    name = models.CharField(max_length=200)
    carrier = models.CharField(max_length=100, blank=True)
    kind = models.CharField(
        max_length=16, choices=_choices(spec.CHANNEL_KINDS), default=spec.KIND_RATE_SHEET
    )
    service_code = models.CharField(max_length=64, blank=True)
    currency = models.CharField(max_length=3)
    # limits (per piece)
    max_weight_g = models.PositiveIntegerField(null=True, blank=True)
    max_length_mm = models.PositiveIntegerField(null=True, blank=True)  # longest side
    max_girth_mm = models.PositiveIntegerField(null=True, blank=True)  # L + 2W + 2H
    max_declared_value = models.DecimalField(**MONEY, null=True, blank=True)
    max_declared_currency = models.CharField(max_length=3, blank=True)
    accepts_battery = models.BooleanField(default=False)
    accepts_liquid = models.BooleanField(default=False)
    accepts_magnet = models.BooleanField(default=False)
    destinations = models.JSONField(default=list, blank=True)  # country codes; empty: all
    transit_days_min = models.PositiveSmallIntegerField(null=True, blank=True)
    transit_days_max = models.PositiveSmallIntegerField(null=True, blank=True)
    tracking_url_template = models.CharField(max_length=500, blank=True)  # "...{tracking}..."
    is_active = models.BooleanField(default=True)
    # chargeable weight
    volumetric_divisor = models.PositiveIntegerField(null=True, blank=True)  # 5000/6000/8000
    volumetric_mode = models.CharField(
        max_length=20, choices=_choices(spec.VOLUMETRIC_MODES), default=spec.MODE_FULL
    )
    volumetric_free_limit_mm = models.PositiveIntegerField(null=True, blank=True)
    volumetric_free_measure = models.CharField(
        max_length=16, choices=_choices(spec.SIZE_MEASURES), default=spec.MEASURE_LONGEST
    )
    volumetric_min_side_mm = models.PositiveIntegerField(null=True, blank=True)
    weight_step_g = models.PositiveIntegerField(default=1)
    weight_step_threshold_g = models.PositiveIntegerField(null=True, blank=True)
    weight_step_above_g = models.PositiveIntegerField(null=True, blank=True)
    min_chargeable_g = models.PositiveIntegerField(default=0)
    pricing_date = models.CharField(
        max_length=10, choices=_choices(spec.PRICING_DATES), default=spec.DATE_RECEIVED
    )
    service_type = models.CharField(
        max_length=10, choices=_choices(spec.SERVICE_TYPES), default=spec.SERVICE_LINE
    )
    label_size = models.CharField(
        max_length=10, choices=_choices(spec.LABEL_SIZES), default=spec.LABEL_4X6
    )
    expire_after_days = models.PositiveSmallIntegerField(null=True, blank=True)
    s10_prefix = models.CharField(max_length=2, blank=True)
    s10_country = models.CharField(max_length=2, blank=True)
    carrier_account = models.ForeignKey(
        CarrierAccount,
        to_field="code",
        db_column="carrier_account_code",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="channels",
    )
    # bumped by every service that changes the channel or one of its sheets: compiled
    # channels are cached per (id, version) in each process
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(volumetric_divisor__isnull=True) | Q(volumetric_divisor__gt=0),
                name="channel_divisor_positive",
            ),
            models.CheckConstraint(condition=Q(weight_step_g__gt=0), name="channel_step_positive"),
            models.CheckConstraint(
                condition=Q(transit_days_min__isnull=True)
                | Q(transit_days_max__isnull=True)
                | Q(transit_days_min__lte=F("transit_days_max")),
                name="channel_transit_min_le_max",
            ),
            models.CheckConstraint(
                condition=Q(weight_step_threshold_g__isnull=True, weight_step_above_g__isnull=True)
                | Q(weight_step_threshold_g__gt=0, weight_step_above_g__gt=0),
                name="channel_step_threshold_complete",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class RateSheet(models.Model):
    """The cost a provider pays for a channel, or the sale price for one customer level,
    from an effective date on. The latest active sheet not after the pricing date applies."""

    channel = models.ForeignKey(Channel, on_delete=models.CASCADE, related_name="rate_sheets")
    kind = models.CharField(max_length=8, choices=_choices(spec.SHEET_KINDS))
    customer_level = models.CharField(max_length=40, blank=True)  # sale sheets; blank: standard
    name = models.CharField(max_length=200, blank=True)
    currency = models.CharField(max_length=3)
    effective_date = models.DateField()
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["channel", "kind", "customer_level", "-effective_date"]
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "kind", "customer_level", "effective_date"],
                name="ratesheet_unique_per_date",
            ),
            models.CheckConstraint(
                condition=~Q(kind=spec.SHEET_COST) | Q(customer_level=""),
                name="ratesheet_cost_has_no_level",
            ),
        ]

    def __str__(self) -> str:
        level = f" {self.customer_level}" if self.customer_level else ""
        return f"{self.channel.code} {self.kind}{level} from {self.effective_date}"


class Zone(models.Model):
    sheet = models.ForeignKey(RateSheet, on_delete=models.CASCADE, related_name="zones")
    code = models.CharField(max_length=40)
    name = models.CharField(max_length=200, blank=True)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["sheet", "position"]
        constraints = [
            models.UniqueConstraint(fields=["sheet", "code"], name="zone_unique_code"),
        ]

    def __str__(self) -> str:
        return self.code


class PlaceRule(models.Model):
    """A country, refined by at most one of: postcode prefix, postcode range, city."""

    country = models.CharField(max_length=2)
    postcode_prefix = models.CharField(max_length=20, blank=True)
    postcode_from = models.CharField(max_length=20, blank=True)
    postcode_to = models.CharField(max_length=20, blank=True)
    city = models.CharField(max_length=100, blank=True)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        abstract = True


class ZoneRule(PlaceRule):
    """Where a zone applies."""

    zone = models.ForeignKey(Zone, on_delete=models.CASCADE, related_name="rules")

    class Meta:
        ordering = ["zone", "position"]


class Bracket(models.Model):
    """Weight range (lower exclusive, upper inclusive, grams) of a zone and its price parts."""

    zone = models.ForeignKey(Zone, on_delete=models.CASCADE, related_name="brackets")
    lower_g = models.PositiveIntegerField()
    upper_g = models.PositiveIntegerField()
    flat_price = models.DecimalField(**MONEY, null=True, blank=True)
    first_weight_g = models.PositiveIntegerField(null=True, blank=True)
    first_fee = models.DecimalField(**MONEY, null=True, blank=True)
    step_g = models.PositiveIntegerField(null=True, blank=True)
    step_fee = models.DecimalField(**MONEY, null=True, blank=True)
    per_kg_rate = models.DecimalField(**MONEY, null=True, blank=True)
    registration_fee = models.DecimalField(**MONEY, null=True, blank=True)

    class Meta:
        ordering = ["zone", "upper_g"]
        constraints = [
            models.CheckConstraint(condition=Q(upper_g__gt=F("lower_g")), name="bracket_not_empty"),
            models.UniqueConstraint(fields=["zone", "upper_g"], name="bracket_unique_upper"),
        ]


class Surcharge(models.Model):
    sheet = models.ForeignKey(RateSheet, on_delete=models.CASCADE, related_name="surcharges")
    code = models.CharField(max_length=40)  # the charge line code
    kind = models.CharField(max_length=16, choices=_choices(spec.SURCHARGE_KINDS))
    description = models.CharField(max_length=200, blank=True)
    amount = models.DecimalField(**MONEY, null=True, blank=True)
    per_kg = models.DecimalField(**MONEY, null=True, blank=True)
    minimum = models.DecimalField(**MONEY, null=True, blank=True)
    threshold_mm = models.PositiveIntegerField(null=True, blank=True)
    threshold_g = models.PositiveIntegerField(null=True, blank=True)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["sheet", "position"]
        constraints = [
            models.UniqueConstraint(fields=["sheet", "code"], name="surcharge_unique_code"),
        ]


class RemoteAreaRule(PlaceRule):
    """Where a remote-area surcharge applies."""

    surcharge = models.ForeignKey(Surcharge, on_delete=models.CASCADE, related_name="areas")

    class Meta:
        ordering = ["surcharge", "position"]


class FuelRate(models.Model):
    """Fuel surcharge percentage from a date on, and the charge codes it applies to."""

    sheet = models.ForeignKey(RateSheet, on_delete=models.CASCADE, related_name="fuel_rates")
    effective_from = models.DateField()
    percent = models.DecimalField(max_digits=9, decimal_places=spec.MAX_DECIMALS)
    applies_to = models.JSONField(default=list)

    class Meta:
        ordering = ["sheet", "effective_from"]
        constraints = [
            models.UniqueConstraint(fields=["sheet", "effective_from"], name="fuel_unique_date"),
            models.CheckConstraint(condition=Q(percent__gte=0), name="fuel_not_negative"),
        ]


# --- rate shopping rules, customs configuration -------------------------------------------------

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
        max_length=24, choices=_choices(SHOP_STRATEGIES), default=SHOP_CHEAPEST
    )
    max_days = models.PositiveSmallIntegerField(null=True, blank=True)
    channels = models.JSONField(default=list, blank=True)  # allowed channel codes; empty: all
    incoterm = models.CharField(max_length=3, blank=True)  # DDP forces DDP; blank: by customs
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["priority", "id"]


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


class RateChoice(models.Model):
    """The rate shop's answer for one order: the channel picked (none when nothing can carry
    it), its price on the cost sheet, the rule that decided, and a short explanation. Written
    by ``shopping`` (one row per order, replaced by the next shop)."""

    order = models.OneToOneField("orders.Order", on_delete=models.CASCADE, related_name="+")
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


# --- shipments ----------------------------------------------------------------------------------


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
        max_length=24, choices=_choices(tracking_codes.STATUSES), blank=True
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


# --- tracking -----------------------------------------------------------------------------------


class TrackingEvent(models.Model):
    """One carrier event, normalized (``status``) with the carrier's own code and text kept."""

    shipment = models.ForeignKey(Shipment, on_delete=models.CASCADE, related_name="events")
    tracking_number = models.CharField(max_length=64)
    occurred_at = models.DateTimeField()
    status = models.CharField(max_length=24, choices=_choices(tracking_codes.STATUSES))
    raw_code = models.CharField(max_length=64, blank=True)
    raw_text = models.CharField(max_length=500, blank=True)
    city = models.CharField(max_length=100, blank=True)
    country = models.CharField(max_length=2, blank=True)
    location = models.CharField(max_length=200, blank=True)
    source = models.CharField(max_length=12, default="poll")  # poll, webhook, manual, system
    fingerprint = models.CharField(max_length=64)  # of (number, time, raw code, text)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["shipment", "occurred_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["shipment", "fingerprint"], name="tracking_event_unique"
            ),
        ]
        indexes = [models.Index(fields=["shipment", "occurred_at"])]


class TrackingException(models.Model):
    """The logistics team's exception queue: delivery failed, returned, no news for N days..."""

    class Status(models.TextChoices):
        OPEN = "open", "open"
        RESOLVED = "resolved", "resolved"

    shipment = models.ForeignKey(Shipment, on_delete=models.CASCADE, related_name="exceptions")
    kind = models.CharField(max_length=24, choices=_choices(tracking_codes.STATUSES))
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    detail = models.CharField(max_length=500, blank=True)
    opened_at = models.DateTimeField(default=timezone.now)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    resolution = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-opened_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["shipment", "kind"],
                condition=Q(status="open"),
                name="tracking_exception_one_open",
            ),
        ]


class InboundTracking(models.Model):
    """A carrier's tracking webhook, stored raw before anything else, deduplicated by the
    carrier's delivery id (or a digest of the body when it sends none)."""

    class Status(models.TextChoices):
        RECEIVED = "received", "received"
        PROCESSED = "processed", "processed"
        IGNORED = "ignored", "ignored"
        FAILED = "failed", "failed"

    source = models.CharField(max_length=40)  # carrier account code
    delivery_id = models.CharField(max_length=128)
    headers = models.JSONField(default=dict, blank=True)
    body = models.BinaryField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.RECEIVED)
    error = models.TextField(blank=True)
    received_at = models.DateTimeField(default=timezone.now)
    processed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["source", "delivery_id"], name="inbound_tracking_once"),
        ]
