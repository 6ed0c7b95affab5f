"""Every write to appointments and freight space: hubs, their slots and the drop-offs booked
in them, pickup requests and their states, departures and the space booked on them.

Each call checks the actor's permission (staff holding ``forwarding.change_customeraccount``
manage hubs, slots and departures; whoever may add waybills books, for the customer
``scoping.acting_customer`` gives: a portal customer always for itself), runs in one
transaction and writes its audit row. Capacity is taken with one conditional UPDATE
(``booked + n <= capacity``, the departure still published and before its cut-off) inside the
booking's transaction, so concurrent bookings can never together exceed it; a refused booking
writes nothing. Cancelling gives the capacity back the same way.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from tradelane.accounts.permissions import require
from tradelane.accounts.roles import P
from tradelane.core import audit
from tradelane.core.countries import check_country
from tradelane.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from tradelane.core.states import transition

from ..partners import scoping
from ..partners.models import CustomerAccount
from ..waybills.models import Waybill
from ..waybills.validation import check_address, check_phone
from .models import (
    Departure,
    DepartureStatus,
    FreightMode,
    Hub,
    HubSlot,
    PickupKind,
    PickupRequest,
    PickupStatus,
    PickupTask,
    SlotUnit,
    SpaceBooking,
    SpaceStatus,
    TaskStatus,
)
from .states import (
    DEPARTURE_TRANSITIONS,
    PICKUP_TRANSITIONS,
    SPACE_TRANSITIONS,
    TASK_TRANSITIONS,
)

MAX_PIECES = 10_000
MAX_WEIGHT_G = 100_000_000_000  # 100,000 t: a whole ship
MAX_VOLUME_CM3 = 1_000_000_000_000  # 1,000,000 m³
MAX_SLOT_CAPACITY = 100_000
MAX_PICKUP_WEIGHT_G = 100_000_000  # 100 t, within a 32-bit column
MAX_WAYBILLS = 500
HUB_CODE = re.compile(r"^[A-Z0-9][A-Z0-9._/-]{0,19}$")
IATA = re.compile(r"^[A-Z]{3}$")
LOCODE = re.compile(r"^([A-Z]{2})([A-Z2-9]{3})$")


class _Problems:
    """Field errors gathered before one ``ValidationFailed`` (``details["errors"]``)."""

    def __init__(self) -> None:
        self.items: list[dict] = []

    def add(self, where: str, code: str, message: str) -> None:
        self.items.append({"field": where, "code": code, "message": message})

    def raise_any(self) -> None:
        if self.items:
            first = self.items[0]
            raise ValidationFailed(
                first["message"], code=first["code"], details={"errors": self.items}
            )


def _count(value, where: str, problems: _Problems, *, maximum: int, minimum: int = 1) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        try:
            value = int(str(value).strip())
        except (TypeError, ValueError):
            problems.add(where, "invalid_number", f"{where} must be a whole number")
            return 0
    if not minimum <= value <= maximum:
        problems.add(where, "out_of_range", f"{where} must be between {minimum} and {maximum}")
    return value


def _window(start: dt.time, end: dt.time, problems: _Problems, where: str = "window") -> None:
    if start is None or end is None or end <= start:
        problems.add(where, "invalid_time_window", "the time window must end after it starts")


def _staff(actor) -> None:
    """Hubs, slots and departures are the provider's: staff who manage partners."""
    require(actor, P.PARTNER_MANAGE)
    if scoping.is_portal_user(actor):
        raise PermissionDenied("Only the provider's staff may do this")


def _booker(actor, customer: str | int | None) -> CustomerAccount:
    require(actor, P.WAYBILL_ADD)
    return scoping.acting_customer(actor, customer)


def _owned(actor, model, pk: int, perm: str | None):
    """The row ``pk`` of ``model`` if ``actor`` holds ``perm`` and sees its customer."""
    if perm:
        require(actor, perm)
    found = scoping.scoped(actor, model.objects.filter(pk=pk)).first()
    if found is None:
        if model is PickupRequest:
            raise NotFound(f"No pickup {pk}", code="pickup_not_found")
        raise NotFound(f"No booking {pk}", code="booking_not_found")
    return found


# --- hubs and slots -------------------------------------------------------------------------


def create_hub(actor, *, code: str, name: str, address: dict) -> Hub:
    _staff(actor)
    problems = _Problems()
    code = (code or "").strip().upper()
    if not HUB_CODE.match(code):
        problems.add("code", "invalid_code", "a hub code is 1 to 20 letters, digits, . _ - /")
    name = (name or "").strip()
    if not name or len(name) > 200:
        problems.add("name", "required", "a hub needs a name")
    clean, errors = check_address({**(address or {}), "name": name or "-"}, "address")
    problems.items.extend(errors)
    problems.raise_any()
    fields = {k: clean[k] for k in ("address1", "address2", "city", "state", "postcode",
                                    "country", "phone")}  # fmt: skip
    try:
        with transaction.atomic():
            hub = Hub.objects.create(code=code, name=name, **fields)
            audit.record(actor, "forwarding.hub.create", hub, {"code": code, **fields})
    except IntegrityError:
        raise Conflict(f"Hub {code} exists already", code="hub_exists") from None
    return hub


def create_slot(
    actor,
    hub: Hub,
    *,
    date: dt.date,
    start_time: dt.time,
    end_time: dt.time,
    capacity: int,
    unit: str = SlotUnit.PIECES,
    published: bool = True,
) -> HubSlot:
    """A drop-off window of ``hub`` with room for ``capacity`` pieces (or bookings)."""
    _staff(actor)
    problems = _Problems()
    if date is None or date < timezone.localdate():
        problems.add("date", "date_in_past", "a slot's day must be today or later")
    _window(start_time, end_time, problems)
    capacity = _count(capacity, "capacity", problems, maximum=MAX_SLOT_CAPACITY)
    if unit not in SlotUnit.values:
        problems.add("unit", "invalid_choice", "a slot counts pieces or bookings")
    problems.raise_any()
    try:
        with transaction.atomic():
            slot = HubSlot.objects.create(
                hub=hub, date=date, start_time=start_time, end_time=end_time, unit=unit,
                capacity=capacity, published=published,
            )  # fmt: skip
            audit.record(actor, "forwarding.slot.create", slot, {
                "hub": hub.code, "date": date, "start": start_time, "end": end_time,
                "capacity": capacity, "unit": unit,
            })  # fmt: skip
    except IntegrityError:
        raise Conflict(
            f"Hub {hub.code} has a slot at {start_time:%H:%M} on {date} already",
            code="slot_exists",
        ) from None
    return slot


def _slot_refusal(slot_id: int, units: int) -> Conflict:
    slot = HubSlot.objects.get(pk=slot_id)
    details = {"capacity": slot.capacity, "booked": slot.booked, "remaining": slot.remaining,
               "asked": units}  # fmt: skip
    if not slot.published:
        return Conflict("This slot is not open for bookings", code="slot_closed", details=details)
    if slot.date < timezone.localdate():
        return Conflict("This slot is in the past", code="slot_closed", details=details)
    return Conflict(
        f"The slot has room for {slot.remaining} {slot.unit}, not {units}",
        code="slot_full", details=details,
    )  # fmt: skip


def book_slot(
    actor,
    slot: HubSlot,
    *,
    customer: str | int | None = None,
    pieces: int,
    estimated_weight_g: int,
    contact_name: str,
    contact_phone: str,
    note: str = "",
) -> PickupRequest:
    """A drop-off at the slot's hub, in its window; holds ``pieces`` of a slot counted in
    pieces, one of a slot counted in bookings. ``slot_full`` when it does not fit."""
    account = _booker(actor, customer)
    problems = _Problems()
    pieces = _count(pieces, "pieces", problems, maximum=MAX_PIECES)
    weight = _count(estimated_weight_g, "estimated_weight_g", problems, maximum=MAX_PICKUP_WEIGHT_G)
    contact_name = (contact_name or "").strip()
    if not contact_name or len(contact_name) > 200:
        problems.add("contact_name", "required", "the name of who brings the parcels")
    phone = check_phone(contact_phone, slot.hub.country)
    if not (contact_phone or "").strip():
        problems.add("contact_phone", "required", "a phone number to reach you is required")
    elif phone is None:
        problems.add("contact_phone", "invalid_phone", f"{contact_phone!r} is not a valid phone")
    problems.raise_any()
    units = pieces if slot.unit == SlotUnit.PIECES else 1
    with transaction.atomic():
        took = HubSlot.objects.filter(
            pk=slot.pk, published=True, date__gte=timezone.localdate(),
            booked__lte=F("capacity") - units,
        ).update(booked=F("booked") + units)  # fmt: skip
        if took != 1:
            raise _slot_refusal(slot.pk, units)
        booking = PickupRequest.objects.create(
            customer=account, kind=PickupKind.DROP_OFF, status=PickupStatus.SCHEDULED,
            date=slot.date, window_start=slot.start_time, window_end=slot.end_time,
            pieces=pieces, estimated_weight_g=weight, contact_name=contact_name,
            contact_phone=phone, slot=slot, slot_units=units,
            note=(note or "").strip()[:500], created_by=_user(actor),
        )  # fmt: skip
        audit.record(actor, "forwarding.slot.book", booking, {
            "customer": account.code, "slot": slot.pk, "units": units, "pieces": pieces,
        })  # fmt: skip
    slot.refresh_from_db(fields=["booked"])
    return booking


def _user(actor):
    return actor if getattr(actor, "pk", None) else None


# --- pickup requests ------------------------------------------------------------------------


def request_pickup(
    actor,
    *,
    customer: str | int | None = None,
    date: dt.date,
    window_start: dt.time,
    window_end: dt.time,
    pieces: int,
    estimated_weight_g: int,
    address: dict,
    note: str = "",
    waybills: Iterable[str] = (),
) -> PickupRequest:
    """A pickup at ``address`` (checked as a consignee's is; its name is the contact and a
    phone is required) on ``date`` between the window's times; it waits as ``requested``
    until a dispatcher gives it to a driver (``pickup_tasks``). ``waybills``: numbers of the
    customer's own whose parcels the driver collects (each gets a "picked up" event)."""
    account = _booker(actor, customer)
    problems = _Problems()
    if date is None or date < timezone.localdate():
        problems.add("date", "date_in_past", "a pickup's day must be today or later")
    _window(window_start, window_end, problems)
    pieces = _count(pieces, "pieces", problems, maximum=MAX_PIECES)
    weight = _count(estimated_weight_g, "estimated_weight_g", problems, maximum=MAX_PICKUP_WEIGHT_G)
    clean, errors = check_address(address, "address")
    problems.items.extend(errors)
    if isinstance(address, dict) and not str(address.get("phone") or "").strip():
        problems.add("address.phone", "required", "a phone number to reach you is required")
    problems.raise_any()
    linked = _waybills_of(account, waybills)
    with transaction.atomic():
        pickup = PickupRequest.objects.create(
            customer=account, kind=PickupKind.PICKUP, date=date, window_start=window_start,
            window_end=window_end, pieces=pieces, estimated_weight_g=weight,
            contact_name=clean["name"], contact_phone=clean["phone"], company=clean["company"],
            address1=clean["address1"], address2=clean["address2"], city=clean["city"],
            state=clean["state"], postcode=clean["postcode"], country=clean["country"],
            note=(note or "").strip()[:500], created_by=_user(actor),
        )  # fmt: skip
        if linked:
            pickup.waybills.set(linked)
        audit.record(actor, "forwarding.pickup.request", pickup, {
            "customer": account.code, "date": date, "pieces": pieces, "weight_g": weight,
            "waybills": [w.number for w in linked],
        })  # fmt: skip
    return pickup


def schedule_pickup(actor, pickup: PickupRequest, *, note: str = "") -> PickupRequest:
    """The provider confirms a requested pickup (the hub issue adds its driver)."""
    _staff(actor)
    pickup = _owned(actor, PickupRequest, pickup.pk, None)
    with transaction.atomic():
        transition(pickup, PickupStatus.SCHEDULED, table=PICKUP_TRANSITIONS, actor=actor,
                   reason=note)  # fmt: skip
        audit.record(actor, "forwarding.pickup.schedule", pickup, {"note": note})
    return pickup


def record_outcome(
    actor, pickup: PickupRequest, *, collected: bool, note: str = ""
) -> PickupRequest:
    """A scheduled pickup or drop-off happened (``collected``) or did not (``failed``)."""
    if not (getattr(actor, "is_authenticated", False) and actor.has_perm(P.HUB_RECEIVE)):
        _staff(actor)
    pickup = _owned(actor, PickupRequest, pickup.pk, None)
    if _open_tasks(pickup).exists():
        raise Conflict("A driver has this pickup: its stop is marked on the driver's list",
                       code="pickup_task_open")  # fmt: skip
    to = PickupStatus.COLLECTED if collected else PickupStatus.FAILED
    note = (note or "").strip()[:500]
    with transaction.atomic():
        transition(pickup, to, table=PICKUP_TRANSITIONS, actor=actor, reason=note,
                   extra={"outcome_note": note})  # fmt: skip
        audit.record(actor, f"forwarding.pickup.{to}", pickup, {"note": note})
    return pickup


def _open_tasks(pickup: PickupRequest):
    return PickupTask.objects.filter(
        pickup_id=pickup.pk, status__in=(TaskStatus.ASSIGNED, TaskStatus.EXCEPTION)
    )


def cancel_pickup(actor, pickup: PickupRequest, *, reason: str = "") -> PickupRequest:
    """Cancel a pickup or drop-off not yet collected; a drop-off gives its slot units back."""
    found = _owned(actor, PickupRequest, pickup.pk, P.WAYBILL_CHANGE)
    reason = (reason or "").strip()[:500]
    with transaction.atomic():
        transition(found, PickupStatus.CANCELLED, table=PICKUP_TRANSITIONS, actor=actor,
                   reason=reason)  # fmt: skip
        if found.slot_id and found.slot_units:
            HubSlot.objects.filter(pk=found.slot_id).update(booked=F("booked") - found.slot_units)
        for task in _open_tasks(found):  # the driver's stop goes off the list
            transition(task, TaskStatus.CLOSED, table=TASK_TRANSITIONS, actor=actor,
                       reason="pickup cancelled")  # fmt: skip
        audit.record(actor, "forwarding.pickup.cancel", found, {
            "reason": reason, "slot": found.slot_id, "units": found.slot_units,
        })  # fmt: skip
    pickup.status, pickup.updated_at = found.status, found.updated_at
    return pickup


# --- departures and space -------------------------------------------------------------------


def port_code(mode: str, code: str, where: str, problems: _Problems) -> str:
    """An airport's IATA code (3 letters) for air, a port's UN/LOCODE (country + 3) for sea."""
    code = (code or "").strip().upper().replace(" ", "")
    if mode == FreightMode.AIR:
        if not IATA.match(code):
            problems.add(where, "invalid_port_code", f"{where}: an airport is 3 letters (IATA)")
        return code
    match = LOCODE.match(code)
    if not match:
        problems.add(
            where, "invalid_port_code", f"{where}: a port is a 5-character UN/LOCODE (CNSZX)"
        )
        return code
    try:
        check_country(match[1])
    except ValidationFailed:
        problems.add(where, "invalid_port_code", f"{where}: {match[1]} is not a country")
    return code


def create_departure(
    actor,
    *,
    mode: str,
    origin: str,
    destination: str,
    vessel: str,
    departure_date: dt.date,
    cutoff_at: dt.datetime,
    capacity_g: int,
    capacity_cm3: int,
    carrier: str = "",
    note: str = "",
    publish: bool = True,
) -> Departure:
    """A sailing or flight to sell space on; published at once unless ``publish`` is False."""
    _staff(actor)
    problems = _Problems()
    if mode not in FreightMode.values:
        problems.add("mode", "invalid_choice", "a departure goes by air or by sea")
    origin = port_code(mode, origin, "origin", problems)
    destination = port_code(mode, destination, "destination", problems)
    if origin and origin == destination:
        problems.add("destination", "same_port", "loading and discharge must differ")
    vessel = (vessel or "").strip()
    if not vessel or len(vessel) > 100:
        problems.add("vessel", "required", "name the vessel and voyage, or the flight")
    if departure_date is None or departure_date < timezone.localdate():
        problems.add("departure_date", "date_in_past", "the departure must be today or later")
    if cutoff_at is None or timezone.is_naive(cutoff_at):
        problems.add("cutoff_at", "required", "a cut-off date and time (with its time zone)")
    elif departure_date and timezone.localtime(cutoff_at).date() > departure_date:
        problems.add("cutoff_at", "cutoff_after_departure", "the cut-off must be before it leaves")
    capacity_g = _count(capacity_g, "capacity_g", problems, maximum=MAX_WEIGHT_G)
    capacity_cm3 = _count(capacity_cm3, "capacity_cm3", problems, maximum=MAX_VOLUME_CM3)
    problems.raise_any()
    with transaction.atomic():
        departure = Departure.objects.create(
            mode=mode, origin=origin, destination=destination, carrier=(carrier or "")[:100],
            vessel=vessel, departure_date=departure_date, cutoff_at=cutoff_at,
            capacity_g=capacity_g, capacity_cm3=capacity_cm3, note=(note or "")[:500],
            created_by=_user(actor),
        )  # fmt: skip
        audit.record(actor, "forwarding.departure.create", departure, {
            "mode": mode, "origin": origin, "destination": destination, "vessel": vessel,
            "departure_date": departure_date, "cutoff_at": cutoff_at,
            "capacity_g": capacity_g, "capacity_cm3": capacity_cm3,
        })  # fmt: skip
        if publish:
            transition(departure, DepartureStatus.PUBLISHED, table=DEPARTURE_TRANSITIONS,
                       actor=actor)  # fmt: skip
    return departure


def set_departure_status(actor, departure: Departure, status: str) -> Departure:
    """Publish a drafted departure, or close a published one to new bookings."""
    _staff(actor)
    with transaction.atomic():
        before = departure.status
        transition(departure, status, table=DEPARTURE_TRANSITIONS, actor=actor)
        audit.record(actor, f"forwarding.departure.{status}", departure,
                     {"status": [before, status]})  # fmt: skip
    return departure


def _space_refusal(departure_id: int, weight_g: int, volume_cm3: int) -> Conflict:
    d = Departure.objects.get(pk=departure_id)
    details = {"remaining_g": d.remaining_g, "remaining_cm3": d.remaining_cm3,
               "asked_g": weight_g, "asked_cm3": volume_cm3}  # fmt: skip
    if d.status != DepartureStatus.PUBLISHED:
        return Conflict("This departure takes no bookings", code="departure_closed",
                        details=details)  # fmt: skip
    if d.cutoff_at <= timezone.now():
        return Conflict(f"The cut-off was {d.cutoff_at:%Y-%m-%d %H:%M}",
                        code="cutoff_passed", details=details)  # fmt: skip
    if d.remaining_g < weight_g:
        return Conflict(f"{d.remaining_g} g left on this departure, not {weight_g} g",
                        code="departure_full_weight", details=details)  # fmt: skip
    return Conflict(f"{d.remaining_cm3} cm³ left on this departure, not {volume_cm3} cm³",
                    code="departure_full_volume", details=details)  # fmt: skip


def _waybills_of(account: CustomerAccount, numbers: Iterable[str]) -> list[Waybill]:
    wanted = sorted({str(n).strip() for n in numbers if str(n).strip()})
    if len(wanted) > MAX_WAYBILLS:
        raise ValidationFailed(f"At most {MAX_WAYBILLS} waybills", code="too_many")
    found = list(Waybill.objects.filter(customer=account, number__in=wanted))
    missing = sorted(set(wanted) - {w.number for w in found})
    if missing:
        raise NotFound(
            f"No waybill {', '.join(missing[:5])} of customer {account.code}",
            code="waybill_not_found", details={"numbers": missing},
        )  # fmt: skip
    return found


def book_space(
    actor,
    departure: Departure,
    *,
    customer: str | int | None = None,
    pieces: int,
    weight_g: int,
    volume_cm3: int,
    reference: str = "",
    note: str = "",
    waybills: Iterable[str] = (),
) -> SpaceBooking:
    """Space for ``pieces`` cartons weighing ``weight_g`` and taking ``volume_cm3``, if it all
    fits before the cut-off (``departure_full_weight``/``_volume``, ``cutoff_passed``,
    ``departure_closed`` otherwise); ``waybills`` are numbers of the customer's own."""
    account = _booker(actor, customer)
    problems = _Problems()
    pieces = _count(pieces, "pieces", problems, maximum=MAX_PIECES)
    weight_g = _count(weight_g, "weight_g", problems, maximum=MAX_WEIGHT_G)
    volume_cm3 = _count(volume_cm3, "volume_cm3", problems, maximum=MAX_VOLUME_CM3)
    reference = (reference or "").strip()
    if len(reference) > 60:
        problems.add("reference", "too_long", "a reference is at most 60 characters")
    problems.raise_any()
    linked = _waybills_of(account, waybills)
    with transaction.atomic():
        took = Departure.objects.filter(
            pk=departure.pk,
            status=DepartureStatus.PUBLISHED,
            cutoff_at__gt=timezone.now(),
            booked_g__lte=F("capacity_g") - weight_g,
            booked_cm3__lte=F("capacity_cm3") - volume_cm3,
        ).update(booked_g=F("booked_g") + weight_g, booked_cm3=F("booked_cm3") + volume_cm3)
        if took != 1:
            raise _space_refusal(departure.pk, weight_g, volume_cm3)
        booking = SpaceBooking.objects.create(
            departure=departure, customer=account, pieces=pieces, weight_g=weight_g,
            volume_cm3=volume_cm3, reference=reference, note=(note or "").strip()[:500],
            created_by=_user(actor),
        )  # fmt: skip
        if linked:
            booking.waybills.set(linked)
        audit.record(actor, "forwarding.space.book", booking, {
            "customer": account.code, "departure": departure.pk, "pieces": pieces,
            "weight_g": weight_g, "volume_cm3": volume_cm3,
            "waybills": [w.number for w in linked],
        })  # fmt: skip
    return booking


def link_waybills(actor, booking: SpaceBooking, numbers: Iterable[str]) -> SpaceBooking:
    """The waybills (of the booking's customer) that travel in this space, replacing the list."""
    found = _owned(actor, SpaceBooking, booking.pk, P.WAYBILL_CHANGE)
    if found.status != SpaceStatus.BOOKED:
        raise Conflict("This booking is cancelled", code="booking_cancelled")
    linked = _waybills_of(found.customer, numbers)
    with transaction.atomic():
        before = sorted(found.waybills.values_list("number", flat=True))
        found.waybills.set(linked)
        audit.record(actor, "forwarding.space.waybills", found,
                     {"waybills": [before, sorted(w.number for w in linked)]})  # fmt: skip
    return found


def cancel_space(actor, booking: SpaceBooking, *, reason: str = "") -> SpaceBooking:
    """Give the booking's weight and volume back to its departure."""
    found = _owned(actor, SpaceBooking, booking.pk, P.WAYBILL_CHANGE)
    reason = (reason or "").strip()[:500]
    with transaction.atomic():
        transition(found, SpaceStatus.CANCELLED, table=SPACE_TRANSITIONS, actor=actor,
                   reason=reason)  # fmt: skip
        Departure.objects.filter(pk=found.departure_id).update(
            booked_g=F("booked_g") - found.weight_g, booked_cm3=F("booked_cm3") - found.volume_cm3
        )
        audit.record(actor, "forwarding.space.cancel", found, {
            "reason": reason, "weight_g": found.weight_g, "volume_cm3": found.volume_cm3,
        })  # fmt: skip
    booking.status, booking.updated_at = found.status, found.updated_at
    return booking
