"""Bags (袋/总包) and dispatches (出库/交接): what leaves the hub, and how.

A ``Bag`` is opened for one sort key (channel and destination country, ``hub.sorting``) and
holds the received parcels scanned into it (``BagItem``, one bag per waybill at most: a unique
constraint). It is sealed (封袋) once weighed and full, then put on a ``Dispatch``: one handover
to a line or carrier, by air (MAWB, flight, airports) or truck (plate, receiving depot). Every
bag of a dispatch is load-scanned before the dispatch is handed over; then its parcels are in
transit.

A bag always has the provider's own ``number`` (``BG`` + date + serial), given when it is
opened, and a postal bag (its channel's service type is postal) also gets the UPU S9
receptacle id (``receptacle_id``, 29 characters) when it is sealed: the weight is part of
the id, so the id is final only at the seal. The offices of exchange and the mail class of a
postal channel to one country are a ``PostalRoute``, which also keeps the route's current S8
dispatch number and the next receptacle serial.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from tradelane.logistics.models import Channel

from ..bookings.models import Hub
from ..waybills.models import Waybill


class BagKind(models.TextChoices):
    AIR = "air", _("Air")
    SURFACE = "surface", _("Surface")


class BagStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("bag", "Open")
    SEALED = "sealed", _("Sealed")
    DISPATCHED = "dispatched", _("Dispatched")


class DispatchMode(models.TextChoices):
    AIR = "air", _("Air")
    TRUCK = "truck", _("Truck")


class DispatchStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("dispatch", "Open")
    HANDED_OVER = "handed_over", _("Handed over")


class MailCategory(models.TextChoices):
    """UPU mail category, the 13th character of an S8 dispatch id."""

    PRIORITY = "A", "A (air / priority)"
    SAL = "B", "B (S.A.L.)"
    SURFACE = "C", "C (surface / non-priority)"
    PRIORITY_SURFACE = "D", "D (priority by surface)"


class PostalRoute(models.Model):
    """A postal channel's exchange with one destination country: the two offices of exchange
    (6 characters each, e.g. ``CNSHAA`` and ``USJFKA``), the mail category and subclass and
    the registered flag of its receptacles, and the route's S8 dispatch numbering."""

    channel = models.ForeignKey(Channel, on_delete=models.PROTECT, related_name="postal_routes")
    destination = models.CharField(max_length=2)
    origin_office = models.CharField(max_length=6)
    destination_office = models.CharField(max_length=6)
    mail_category = models.CharField(max_length=1, choices=MailCategory.choices, default="A")
    mail_subclass = models.CharField(max_length=2, default="UN")
    registered_flag = models.CharField(max_length=1, default="0")  # 0 none, 1 registered, 9 ins.
    # the current S8 dispatch: its year digit and serial, and the next receptacle in it
    dispatch_year = models.PositiveSmallIntegerField(default=0)
    dispatch_serial = models.PositiveSmallIntegerField(default=1)
    next_receptacle = models.PositiveSmallIntegerField(default=1)

    class Meta:
        ordering = ["channel", "destination"]
        constraints = [
            models.UniqueConstraint(fields=["channel", "destination"], name="postal_route_unique")
        ]

    def __str__(self) -> str:
        return f"{self.origin_office}{self.destination_office}{self.mail_category}"


class OutboundSeries(models.Model):
    """The provider's bag and dispatch numbers per prefix and day (a conditional update)."""

    prefix = models.CharField(max_length=4)
    day = models.DateField()
    next_serial = models.PositiveIntegerField(default=1)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["prefix", "day"], name="outbound_series_unique")
        ]


class Dispatch(models.Model):
    number = models.CharField(max_length=20, unique=True)
    channel = models.ForeignKey(Channel, on_delete=models.PROTECT, related_name="dispatches")
    mode = models.CharField(max_length=5, choices=DispatchMode.choices)
    status = models.CharField(
        max_length=12, choices=DispatchStatus.choices, default=DispatchStatus.OPEN
    )
    hub = models.ForeignKey(Hub, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    # air: the master air waybill, the flight and its airports (IATA)
    mawb = models.CharField(max_length=12, blank=True)  # 3-digit prefix, 8 digits: 176-12345675
    flight = models.CharField(max_length=10, blank=True)
    departure_date = models.DateField(null=True, blank=True)
    origin_airport = models.CharField(max_length=3, blank=True)
    destination_airport = models.CharField(max_length=3, blank=True)
    # truck: the plate and the depot that receives it
    truck_plate = models.CharField(max_length=20, blank=True)
    receiving_depot = models.CharField(max_length=200, blank=True)
    note = models.CharField(max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip
    created_at = models.DateTimeField(default=timezone.now)
    handed_over_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip
    handed_over_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-id"]
        permissions = [("dispatch_bag", "Can put sealed bags on a dispatch and hand it over")]

    def __str__(self) -> str:
        return self.number


class Bag(models.Model):
    number = models.CharField(max_length=20, unique=True)  # ours: BG + yymmdd + 5 digits
    receptacle_id = models.CharField(max_length=29, blank=True)  # UPU S9, set at the seal
    channel = models.ForeignKey(Channel, on_delete=models.PROTECT, related_name="bags")
    destination = models.CharField(max_length=2)
    sort_key = models.CharField(max_length=50)
    hub = models.ForeignKey(Hub, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=7, choices=BagKind.choices, default=BagKind.AIR)
    status = models.CharField(max_length=10, choices=BagStatus.choices, default=BagStatus.OPEN)
    postal_route = models.ForeignKey(
        PostalRoute, null=True, blank=True, on_delete=models.PROTECT, related_name="bags"
    )
    parcel_count = models.PositiveIntegerField(default=0)
    piece_count = models.PositiveIntegerField(default=0)
    parcels_weight_g = models.PositiveBigIntegerField(default=0)  # sum of the parcels' weights
    chargeable_weight_g = models.PositiveBigIntegerField(default=0)
    weighed_g = models.PositiveIntegerField(null=True, blank=True)  # the bag on the scale
    last_receptacle = models.BooleanField(default=False)
    dispatch = models.ForeignKey(
        Dispatch, null=True, blank=True, on_delete=models.SET_NULL, related_name="bags"
    )
    load_scanned_at = models.DateTimeField(null=True, blank=True)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip
    sealed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip
    sealed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["receptacle_id"], condition=~Q(receptacle_id=""),
                name="bag_receptacle_id_unique",
            ),
            models.CheckConstraint(
                condition=~Q(status="open") | Q(sealed_at__isnull=True), name="bag_open_unsealed"
            ),
        ]  # fmt: skip
        indexes = [models.Index(fields=["status", "sort_key"], name="bag_status_sort_key")]

    def __str__(self) -> str:
        return self.label_id

    @property
    def is_postal(self) -> bool:
        return self.postal_route_id is not None

    @property
    def label_id(self) -> str:
        """The id the label's barcode carries: the S9 id once sealed (postal), else ours."""
        return self.receptacle_id or self.number

    @property
    def gross_weight_g(self) -> int:
        """The bag on the scale, or the sum of its parcels when it was not weighed."""
        return self.weighed_g or self.parcels_weight_g


class BagItem(models.Model):
    bag = models.ForeignKey(Bag, on_delete=models.CASCADE, related_name="items")
    waybill = models.OneToOneField(Waybill, on_delete=models.PROTECT, related_name="bag_item")
    scanned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip
    scanned_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["bag", "id"]
