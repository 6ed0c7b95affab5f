"""Channels and their rate sheets: zones with rules, weight brackets, surcharges, fuel history.

Weights are integer grams, lengths integer millimetres, money Decimal with the currency of the
channel or sheet. Rows are written only by ``services``; the engine (``engine``) reads them
through ``selectors.compiled_channels``, which compiles each channel once per ``version``.
"""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from ..carriers.models import CarrierAccount
from . import descriptions as spec


def value_choices(values: tuple[str, ...]) -> list[tuple[str, str]]:
    return [(v, v.replace("_", " ")) for v in values]


MONEY = dict(max_digits=18, decimal_places=spec.MAX_DECIMALS)


class Channel(models.Model):
    """One service of one carrier or provider."""

    code = models.CharField(max_length=40, unique=True)
    name = models.CharField(max_length=200)
    carrier = models.CharField(max_length=100, blank=True)
    kind = models.CharField(
        max_length=16, choices=value_choices(spec.CHANNEL_KINDS), default=spec.KIND_RATE_SHEET
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
        max_length=20, choices=value_choices(spec.VOLUMETRIC_MODES), default=spec.MODE_FULL
    )
    volumetric_free_limit_mm = models.PositiveIntegerField(null=True, blank=True)
    volumetric_free_measure = models.CharField(
        max_length=16, choices=value_choices(spec.SIZE_MEASURES), default=spec.MEASURE_LONGEST
    )
    volumetric_min_side_mm = models.PositiveIntegerField(null=True, blank=True)
    weight_step_g = models.PositiveIntegerField(default=1)
    weight_step_threshold_g = models.PositiveIntegerField(null=True, blank=True)
    weight_step_above_g = models.PositiveIntegerField(null=True, blank=True)
    min_chargeable_g = models.PositiveIntegerField(default=0)
    pricing_date = models.CharField(
        max_length=10, choices=value_choices(spec.PRICING_DATES), default=spec.DATE_RECEIVED
    )
    service_type = models.CharField(
        max_length=10, choices=value_choices(spec.SERVICE_TYPES), default=spec.SERVICE_LINE
    )
    label_size = models.CharField(
        max_length=10, choices=value_choices(spec.LABEL_SIZES), default=spec.LABEL_4X6
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
    kind = models.CharField(max_length=8, choices=value_choices(spec.SHEET_KINDS))
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
    kind = models.CharField(max_length=16, choices=value_choices(spec.SURCHARGE_KINDS))
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


# --- shipments ----------------------------------------------------------------------------------


# --- tracking -----------------------------------------------------------------------------------
