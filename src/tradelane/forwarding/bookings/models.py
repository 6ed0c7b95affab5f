"""Appointments (预约) and consolidated freight space (舱位/港口).

- A ``Hub`` (the provider's warehouse where parcels are handed in) publishes ``HubSlot``s: a
  day, a start and an end time, and a capacity counted in pieces or in bookings. ``booked``
  only moves through one conditional UPDATE (``booked + n <= capacity``) inside the booking's
  transaction, and the database refuses ``booked > capacity`` whatever writes it.
- A ``PickupRequest`` is a customer's ask: a pickup at its own address in a time window, or a
  drop-off in one of a hub's slots (then it holds ``slot_units`` of the slot's capacity).
- A ``Departure`` is a consolidated sailing or flight the provider sells space on: ports or
  airports of loading and discharge (IATA 3 letters for air, UN/LOCODE 5 for sea), vessel or
  flight, departure day, cut-off, and capacity in grams and cubic centimetres; a
  ``SpaceBooking`` holds part of it for a customer's cartons, and may name the customer's
  waybills that travel in it.
- A ``DriverArea`` is part of the provider's city (postcodes or their prefixes, districts)
  with its default driver; a ``PickupRoute`` is one driver's pickups of one day, and each
  ``PickupTask`` one stop on it: one attempt at one pickup request, with the pieces collected
  against those requested, who did it and when (``pickup_tasks.py``).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from ..partners.models import CustomerAccount
from ..waybills.models import Waybill


class Hub(models.Model):
    code = models.CharField(max_length=20, unique=True)
    name = models.CharField(max_length=200)
    address1 = models.CharField(max_length=300)
    address2 = models.CharField(max_length=300, blank=True)
    city = models.CharField(max_length=100)
    state = models.CharField(max_length=100, blank=True)
    postcode = models.CharField(max_length=20, blank=True)
    country = models.CharField(max_length=2)
    phone = models.CharField(max_length=40, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class SlotUnit(models.TextChoices):
    PIECES = "pieces", _("pieces")
    BOOKINGS = "bookings", _("bookings")


class HubSlot(models.Model):
    """A drop-off window of a hub with its capacity; ``booked`` counts in ``unit``."""

    hub = models.ForeignKey(Hub, on_delete=models.PROTECT, related_name="slots")
    date = models.DateField()
    start_time = models.TimeField()
    end_time = models.TimeField()
    unit = models.CharField(max_length=8, choices=SlotUnit.choices, default=SlotUnit.PIECES)
    capacity = models.PositiveIntegerField()
    booked = models.PositiveIntegerField(default=0)
    published = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["date", "start_time", "hub__code"]
        constraints = [
            models.UniqueConstraint(fields=["hub", "date", "start_time"], name="hubslot_unique"),
            models.CheckConstraint(
                condition=Q(booked__lte=F("capacity")), name="hubslot_booked_lte_capacity"
            ),
            models.CheckConstraint(
                condition=Q(end_time__gt=F("start_time")), name="hubslot_end_after_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.hub.code} {self.date} {self.start_time:%H:%M}-{self.end_time:%H:%M}"

    @property
    def remaining(self) -> int:
        return self.capacity - self.booked


class PickupKind(models.TextChoices):
    PICKUP = "pickup", _("pickup")
    DROP_OFF = "drop_off", _("drop-off")


class PickupStatus(models.TextChoices):
    REQUESTED = "requested", _("requested")
    SCHEDULED = "scheduled", _("scheduled")
    COLLECTED = "collected", _("collected")
    FAILED = "failed", _("failed")
    CANCELLED = "cancelled", _("cancelled")


class PickupRequest(models.Model):
    """A pickup at the customer's address, or a drop-off at a hub in one of its slots."""

    customer = models.ForeignKey(
        CustomerAccount, on_delete=models.PROTECT, related_name="pickup_requests"
    )
    kind = models.CharField(max_length=8, choices=PickupKind.choices)
    status = models.CharField(
        max_length=10, choices=PickupStatus.choices, default=PickupStatus.REQUESTED
    )
    date = models.DateField()
    window_start = models.TimeField()
    window_end = models.TimeField()
    pieces = models.PositiveIntegerField()
    estimated_weight_g = models.PositiveIntegerField()
    # where to collect (a pickup); empty for a drop-off
    contact_name = models.CharField(max_length=200)
    contact_phone = models.CharField(max_length=40)
    company = models.CharField(max_length=200, blank=True)
    address1 = models.CharField(max_length=300, blank=True)
    address2 = models.CharField(max_length=300, blank=True)
    city = models.CharField(max_length=100, blank=True)
    state = models.CharField(max_length=100, blank=True)
    postcode = models.CharField(max_length=20, blank=True)
    country = models.CharField(max_length=2, blank=True)
    # a drop-off's slot and what it holds of the slot's capacity
    slot = models.ForeignKey(
        HubSlot, on_delete=models.PROTECT, null=True, blank=True, related_name="bookings"
    )
    slot_units = models.PositiveIntegerField(default=0)
    note = models.CharField(max_length=500, blank=True)
    outcome_note = models.CharField(max_length=500, blank=True)  # why it failed, who collected
    # the customer's waybills the driver collects (each gets a "picked up" event)
    waybills = models.ManyToManyField(Waybill, blank=True, related_name="pickup_requests")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-date", "-pk"]
        indexes = [models.Index(fields=["customer", "status", "date"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(window_end__gt=F("window_start")), name="pickup_window_order"
            ),
            models.CheckConstraint(
                condition=(
                    Q(kind="drop_off", slot__isnull=False) | Q(kind="pickup", slot__isnull=True)
                ),
                name="pickup_slot_for_drop_off_only",
            ),
        ]

    def __str__(self) -> str:
        return f"PU{self.pk} {self.kind} {self.date}"


class FreightMode(models.TextChoices):
    AIR = "air", _("air")
    SEA = "sea", _("sea")


class DepartureStatus(models.TextChoices):
    DRAFT = "draft", _("draft")
    PUBLISHED = "published", _("published")
    CLOSED = "closed", _("closed")


class Departure(models.Model):
    """A consolidated sailing or flight; capacity and what is booked in grams and cm³."""

    mode = models.CharField(max_length=3, choices=FreightMode.choices)
    origin = models.CharField(max_length=5)  # IATA (air) or UN/LOCODE (sea) of loading
    destination = models.CharField(max_length=5)  # and of discharge
    carrier = models.CharField(max_length=100, blank=True)  # airline or shipping line
    vessel = models.CharField(max_length=100)  # vessel and voyage, or flight number
    departure_date = models.DateField()
    cutoff_at = models.DateTimeField()
    capacity_g = models.BigIntegerField()
    capacity_cm3 = models.BigIntegerField()
    booked_g = models.BigIntegerField(default=0)
    booked_cm3 = models.BigIntegerField(default=0)
    status = models.CharField(
        max_length=10, choices=DepartureStatus.choices, default=DepartureStatus.DRAFT
    )
    note = models.CharField(max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["departure_date", "cutoff_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(capacity_g__gt=0, capacity_cm3__gt=0), name="departure_capacity_gt_0"
            ),
            models.CheckConstraint(
                condition=Q(booked_g__gte=0, booked_cm3__gte=0), name="departure_booked_gte_0"
            ),
            models.CheckConstraint(
                condition=Q(booked_g__lte=F("capacity_g")), name="departure_weight_lte_capacity"
            ),
            models.CheckConstraint(
                condition=Q(booked_cm3__lte=F("capacity_cm3")), name="departure_volume_lte_capacity"
            ),
            models.CheckConstraint(
                condition=~Q(origin=F("destination")), name="departure_two_ports"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.origin}-{self.destination} {self.vessel} {self.departure_date}"

    @property
    def remaining_g(self) -> int:
        return self.capacity_g - self.booked_g

    @property
    def remaining_cm3(self) -> int:
        return self.capacity_cm3 - self.booked_cm3


class SpaceStatus(models.TextChoices):
    BOOKED = "booked", _("booked")
    CANCELLED = "cancelled", _("cancelled")


class SpaceBooking(models.Model):
    """Space on a departure held for one customer's cartons."""

    departure = models.ForeignKey(Departure, on_delete=models.PROTECT, related_name="bookings")
    customer = models.ForeignKey(
        CustomerAccount, on_delete=models.PROTECT, related_name="space_bookings"
    )
    status = models.CharField(
        max_length=10, choices=SpaceStatus.choices, default=SpaceStatus.BOOKED
    )
    pieces = models.PositiveIntegerField()
    weight_g = models.BigIntegerField()
    volume_cm3 = models.BigIntegerField()
    reference = models.CharField(max_length=60, blank=True)  # the customer's own
    note = models.CharField(max_length=500, blank=True)
    waybills = models.ManyToManyField(Waybill, blank=True, related_name="space_bookings")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["customer", "status"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(pieces__gt=0, weight_g__gt=0, volume_cm3__gt=0),
                name="spacebooking_positive",
            ),
        ]

    def __str__(self) -> str:
        return f"SB{self.pk} {self.departure_id}"


class DriverArea(models.Model):
    """Part of the provider's city a driver covers: postcodes or postcode prefixes, and
    districts (区) as the addresses spell them; the longest matching postcode wins, then a
    district named in the address."""

    code = models.CharField(max_length=20, unique=True)
    name = models.CharField(max_length=200)
    city = models.CharField(max_length=100, blank=True)  # empty: any city
    postcodes = models.JSONField(default=list, blank=True)  # ["518057", "5180"]
    districts = models.JSONField(default=list, blank=True)  # ["南山区", "福田区"]
    driver = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="pickup_areas"
    )
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class PickupRoute(models.Model):
    """One driver's pickups of one day; its tasks are the stops in ``sequence`` order."""

    driver = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="pickup_routes"
    )
    date = models.DateField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["date", "driver_id"]
        constraints = [
            models.UniqueConstraint(fields=["driver", "date"], name="pickuproute_driver_day")
        ]

    def __str__(self) -> str:
        return f"{self.driver} {self.date}"


class TaskStatus(models.TextChoices):
    ASSIGNED = "assigned", pgettext_lazy("pickup task", "assigned")
    COLLECTED = "collected", pgettext_lazy("pickup task", "collected")
    EXCEPTION = "exception", pgettext_lazy("pickup task", "exception")
    REASSIGNED = "reassigned", pgettext_lazy("pickup task", "reassigned")
    CLOSED = "closed", pgettext_lazy("pickup task", "closed")


class TaskException(models.TextChoices):
    NOBODY_THERE = "nobody_there", pgettext_lazy("pickup task", "nobody there")
    FEWER_PIECES = "fewer_pieces", pgettext_lazy("pickup task", "fewer pieces")
    REFUSED = "refused", pgettext_lazy("pickup task", "refused")
    ADDRESS_WRONG = "address_wrong", pgettext_lazy("pickup task", "address wrong")


# a pickup has at most one task in these states (the others are history)
LIVE_TASK = (TaskStatus.ASSIGNED, TaskStatus.EXCEPTION, TaskStatus.COLLECTED)


class PickupTask(models.Model):
    """One stop on a route: one attempt at one pickup request. A reassignment ends it
    (``reassigned``) and starts a new task on the other route."""

    pickup = models.ForeignKey(PickupRequest, on_delete=models.PROTECT, related_name="tasks")
    route = models.ForeignKey(PickupRoute, on_delete=models.PROTECT, related_name="tasks")
    sequence = models.PositiveIntegerField()
    status = models.CharField(
        max_length=10, choices=TaskStatus.choices, default=TaskStatus.ASSIGNED
    )
    requested_pieces = models.PositiveIntegerField()
    collected_pieces = models.PositiveIntegerField(null=True, blank=True)
    exception = models.CharField(max_length=16, choices=TaskException.choices, blank=True)
    note = models.CharField(max_length=500, blank=True)
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    assigned_at = models.DateTimeField(default=timezone.now)
    done_by = models.ForeignKey(  # who collected it or reported the exception
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )  # fmt: skip
    done_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["route", "sequence", "pk"]
        indexes = [models.Index(fields=["route", "sequence"])]
        permissions = [
            ("dispatch_pickuptask", "Can set driver areas and assign and reassign pickups"),
            ("drive_pickuptask", "Can collect and report one's own pickup stops"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["pickup"], condition=Q(status__in=LIVE_TASK), name="pickuptask_one_live"
            ),
            models.CheckConstraint(
                condition=Q(collected_pieces__isnull=True)
                | Q(collected_pieces__lte=F("requested_pieces")),
                name="pickuptask_collected_lte_requested",
            ),
        ]

    def __str__(self) -> str:
        return f"PT{self.pk} PU{self.pickup_id}"
