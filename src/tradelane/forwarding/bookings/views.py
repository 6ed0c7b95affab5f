"""The pages of appointments and freight space (预约, 舱位): customers see the published
departures with the space left and book it, request a pickup or book a drop-off slot; staff
publish departures, hubs and slots and list the bookings of each departure and slot.

Thin: forms are read here (kg and m³ turned into grams and cm³ at this edge), every write is a
``bookings.services`` call and every read a ``bookings.selectors`` one, which scope customers'
rows through ``partners.scoping``.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tradelane.accounts.roles import P
from tradelane.core.errors import Conflict, DomainError, ValidationFailed
from tradelane.web import labels
from tradelane.web.views.guards import int_or_none, permission_required, render_error

from ..partners import scoping
from . import pickup_tasks, selectors, services
from .models import FreightMode, SlotUnit, TaskException

READ = (P.PORTAL_USE, P.PARTNER_VIEW)
ALERT = "web/_alert.html"


def _bad(where: str, code: str, message: str) -> ValidationFailed:
    return ValidationFailed(message, code=code, details={"errors": [
        {"field": where, "code": code, "message": message}]})  # fmt: skip


def _date(request, name: str) -> dt.date:
    try:
        return dt.date.fromisoformat((request.POST.get(name) or "").strip())
    except ValueError:
        raise _bad(name, "invalid_date", f"{name} is not a date (YYYY-MM-DD)") from None


def _time(request, name: str) -> dt.time:
    try:
        return dt.time.fromisoformat((request.POST.get(name) or "").strip())
    except ValueError:
        raise _bad(name, "invalid_date", f"{name} is not a time (HH:MM)") from None


def _scaled(request, name: str, factor: int) -> int:
    """A kg or m³ figure from the form as whole grams or cm³ (rounded up)."""
    raw = (request.POST.get(name) or "").strip().replace(",", ".")
    try:
        value = Decimal(raw)
    except InvalidOperation:
        raise _bad(name, "invalid_number", f"{name} must be a number") from None
    if not value.is_finite() or value <= 0 or value > Decimal(10) ** 12:
        raise _bad(name, "out_of_range", f"{name} must be above 0")
    return int((value * factor).to_integral_value(rounding="ROUND_CEILING"))


def _error(exc: DomainError) -> dict:
    """The refusal in the user's language, with each field's problem for a checked form."""
    out = labels.domain_error(exc)
    found = exc.details.get("errors", []) if isinstance(exc.details, dict) else []
    out["fields"] = [
        {"field": e.get("field", ""), "message": labels.error_text(e["code"], e["message"])}
        for e in found
    ]
    return out


def _customer(request) -> str | None:
    """The customer a staff member books for (a portal customer's own is implied)."""
    return (request.POST.get("customer") or "").strip() or None


def _may_book(user) -> bool:
    return user.has_perm(P.WAYBILL_ADD)


def _may_manage(user) -> bool:
    return user.has_perm(P.PARTNER_MANAGE) and not scoping.is_portal_user(user)


def _customer_choices(user):
    return [] if scoping.is_portal_user(user) else list(scoping.customers(user)[:500])


def _shown(value: str) -> str:
    """A quantity as people read it on a board: thousands grouped, no trailing zeros
    ("7,719", "38.6")."""
    if not value:
        return value
    d = Decimal(value)
    d = d.quantize(Decimal(1)) if d == d.to_integral_value() else d.normalize()
    return f"{d:,}"


def _departure_row(d) -> dict:
    return {
        "d": d,
        "left_kg": _shown(selectors.kg(d.remaining_g)),
        "left_m3": _shown(selectors.m3(d.remaining_cm3)),
        "cap_kg": _shown(selectors.kg(d.capacity_g)),
        "cap_m3": _shown(selectors.m3(d.capacity_cm3)),
    }


# --- departures -------------------------------------------------------------------------------


@permission_required(READ)
def departures(request):
    rows = [_departure_row(d) for d in selectors.departures(request.user)[:200]]
    return render(request, "forwarding/bookings/departures.html", {
        "title": _("Departures"), "rows": rows, "may_manage": _may_manage(request.user),
        "modes": FreightMode.choices, "today": timezone.localdate(),
    })  # fmt: skip


@require_POST
@permission_required(P.PARTNER_MANAGE)
def departure_new(request):
    try:
        cutoff = dt.datetime.combine(_date(request, "cutoff_date"), _time(request, "cutoff_time"))
        d = services.create_departure(
            request.user, mode=request.POST.get("mode", ""),
            origin=request.POST.get("origin", ""), destination=request.POST.get("destination", ""),
            carrier=request.POST.get("carrier", ""), vessel=request.POST.get("vessel", ""),
            departure_date=_date(request, "departure_date"),
            cutoff_at=timezone.make_aware(cutoff),
            capacity_g=_scaled(request, "capacity_kg", 1000),
            capacity_cm3=_scaled(request, "capacity_m3", 1_000_000),
            note=request.POST.get("note", ""), publish=request.POST.get("publish") == "on",
        )  # fmt: skip
    except DomainError as exc:
        return render_error(request, exc, ALERT)
    messages.success(request, _("Departure saved."))
    return redirect("web:departure", pk=d.pk)


def _departure_page(request, d, status: int = 200, error=None):
    user = request.user
    bookings = list(selectors.space_bookings(user, departure_id=d.pk)
                    .prefetch_related("waybills")[:500])  # fmt: skip
    rows = [{"b": b, "kg": selectors.kg(b.weight_g), "m3": selectors.m3(b.volume_cm3),
             "waybills": [w.number for w in b.waybills.all()]} for b in bookings]  # fmt: skip
    totals = selectors.booked_totals(user, d.pk)
    context = {
        "title": str(d), "row": _departure_row(d), "rows": rows, "error": error,
        "totals": {**totals, "kg": selectors.kg(totals["weight_g"]),
                   "m3": selectors.m3(totals["volume_cm3"])},
        "may_book": _may_book(user), "may_manage": _may_manage(user),
        "may_cancel": user.has_perm(P.WAYBILL_CHANGE),
        "customers": _customer_choices(user), "is_portal": scoping.is_portal_user(user),
        "open": d.status == "published" and d.cutoff_at > timezone.now(),
    }  # fmt: skip
    return render(request, "forwarding/bookings/departure.html", context, status=status)


@permission_required(READ)
def departure(request, pk: int):
    d = selectors.departure(request.user, pk)
    if request.method != "POST":
        return _departure_page(request, d)
    try:
        services.book_space(
            request.user, d, customer=_customer(request),
            pieces=int_or_none(request.POST.get("pieces")) or 0,
            weight_g=_scaled(request, "weight_kg", 1000),
            volume_cm3=_scaled(request, "volume_m3", 1_000_000),
            reference=request.POST.get("reference", ""), note=request.POST.get("note", ""),
            waybills=(request.POST.get("waybills") or "").replace(",", " ").split(),
        )  # fmt: skip
    except DomainError as exc:
        d.refresh_from_db()
        return _departure_page(request, d, status=exc.status, error=_error(exc))
    messages.success(request, _("Space booked."))
    return redirect("web:departure", pk=d.pk)


@require_POST
@permission_required(P.PARTNER_MANAGE)
def departure_status(request, pk: int):
    d = selectors.departure(request.user, pk)
    try:
        services.set_departure_status(request.user, d, request.POST.get("status", ""))
    except DomainError as exc:
        return render_error(request, exc, ALERT)
    return redirect("web:departure", pk=d.pk)


@require_POST
@permission_required(P.WAYBILL_CHANGE)
def space_cancel(request, pk: int):
    b = selectors.space_booking(request.user, pk)
    try:
        services.cancel_space(request.user, b, reason=request.POST.get("reason", ""))
    except DomainError as exc:
        return render_error(request, exc, ALERT)
    messages.success(request, _("Booking cancelled: its space is free again."))
    return redirect("web:departure", pk=b.departure_id)


# --- pickups and slots -----------------------------------------------------------------------


def _day(request) -> dt.date:
    """The day a board or a driver's list shows (``?day=``), today by default."""
    try:
        return dt.date.fromisoformat((request.GET.get("day") or "").strip())
    except ValueError:
        return timezone.localdate()


def _dispatch_context(request, day=None) -> dict:
    """The dispatcher's board of one day: waiting pickups, each driver's route, exceptions."""
    user, day = request.user, day or _day(request)
    if not selectors.is_dispatcher(user):
        return {}
    return {
        "may_dispatch": True, "day": day, "today": timezone.localdate(),
        "prev_day": day - dt.timedelta(days=1), "next_day": day + dt.timedelta(days=1),
        "unassigned": list(selectors.unassigned_pickups(day).select_related("customer")
                           .order_by("window_start", "postcode", "pk")[:300]),
        "routes": selectors.routes(user, day), "drivers": list(selectors.drivers()),
        "exceptions": selectors.open_exceptions(user),
        "areas": list(pickup_tasks.DriverArea.objects.select_related("driver")),
    }  # fmt: skip


def _pickups_page(request, status: int = 200, error=None, day=None):
    user = request.user
    slots = [s for s in selectors.slots(user)[:200]]
    return render(request, "forwarding/bookings/pickups.html", {
        "title": _("Pickups and drop-offs"), "pickups": list(selectors.pickups(user)[:200]),
        "slots": slots, "error": error, "may_book": _may_book(user),
        "may_manage": _may_manage(user), "may_cancel": user.has_perm(P.WAYBILL_CHANGE),
        "may_collect": user.has_perm(P.HUB_RECEIVE) or _may_manage(user),
        "customers": _customer_choices(user), "tomorrow": timezone.localdate()
        + dt.timedelta(days=1), "is_portal": scoping.is_portal_user(user),
        **_dispatch_context(request, day),
    }, status=status)  # fmt: skip


@permission_required(READ)
def pickups(request):
    if request.method != "POST":
        return _pickups_page(request)
    address = {k: request.POST.get(k, "") for k in (
        "name", "company", "phone", "address1", "address2", "city", "state", "postcode",
        "country")}  # fmt: skip
    try:
        services.request_pickup(
            request.user, customer=_customer(request), date=_date(request, "date"),
            window_start=_time(request, "window_start"), window_end=_time(request, "window_end"),
            pieces=int_or_none(request.POST.get("pieces")) or 0,
            estimated_weight_g=_scaled(request, "weight_kg", 1000), address=address,
            note=request.POST.get("note", ""),
            waybills=(request.POST.get("waybills") or "").replace(",", " ").split(),
        )  # fmt: skip
    except DomainError as exc:
        return _pickups_page(request, status=exc.status, error=_error(exc))
    messages.success(request, _("Pickup requested."))
    return redirect("web:pickups")


@require_POST
@permission_required(READ)
def pickup_action(request, pk: int):
    found = selectors.pickup(request.user, pk)
    action = request.POST.get("action", "")
    note = request.POST.get("note", "")
    try:
        if action == "cancel":
            services.cancel_pickup(request.user, found, reason=note)
        elif action == "schedule":
            services.schedule_pickup(request.user, found, note=note)
        elif action in ("collected", "failed"):
            services.record_outcome(request.user, found, collected=action == "collected",
                                    note=note)  # fmt: skip
        else:
            raise ValidationFailed(f"Unknown action {action!r}", code="invalid_choice")
    except DomainError as exc:
        return render_error(request, exc, ALERT)
    if found.slot_id:
        return redirect("web:slot", pk=found.slot_id)
    return redirect("web:pickups")


@permission_required(READ)
def slot(request, pk: int):
    s = selectors.slot(request.user, pk)
    error, status = None, 200
    if request.method == "POST":
        try:
            services.book_slot(
                request.user, s, customer=_customer(request),
                pieces=int_or_none(request.POST.get("pieces")) or 0,
                estimated_weight_g=_scaled(request, "weight_kg", 1000),
                contact_name=request.POST.get("contact_name", ""),
                contact_phone=request.POST.get("contact_phone", ""),
                note=request.POST.get("note", ""),
            )  # fmt: skip
        except DomainError as exc:
            error, status = _error(exc), exc.status
            s.refresh_from_db()
        else:
            messages.success(request, _("Drop-off booked."))
            return redirect("web:slot", pk=s.pk)
    user = request.user
    return render(request, "forwarding/bookings/slot.html", {
        "title": str(s), "s": s, "bookings": list(selectors.pickups(user, slot_id=s.pk)[:500]),
        "error": error, "may_book": _may_book(user), "may_cancel": user.has_perm(P.WAYBILL_CHANGE),
        "may_collect": user.has_perm(P.HUB_RECEIVE) or _may_manage(user),
        "customers": _customer_choices(user),
    }, status=status)  # fmt: skip


@permission_required(P.PARTNER_MANAGE)
def hubs(request):
    """Staff: the hubs and their slots; a new hub or a new slot."""
    if request.method == "POST":
        try:
            if request.POST.get("action") == "slot":
                hub = selectors.hubs(request.user).filter(
                    pk=int_or_none(request.POST.get("hub"))).first()  # fmt: skip
                if hub is None:
                    raise _bad("hub", "required", "choose a hub")
                services.create_slot(
                    request.user, hub, date=_date(request, "date"),
                    start_time=_time(request, "start_time"), end_time=_time(request, "end_time"),
                    capacity=int_or_none(request.POST.get("capacity")) or 0,
                    unit=request.POST.get("unit", SlotUnit.PIECES),
                )  # fmt: skip
            else:
                services.create_hub(
                    request.user, code=request.POST.get("code", ""),
                    name=request.POST.get("name", ""),
                    address={k: request.POST.get(k, "") for k in (
                        "phone", "address1", "address2", "city", "state", "postcode", "country")},
                )  # fmt: skip
        except DomainError as exc:
            return render_error(request, exc, ALERT)
        messages.success(request, _("Saved."))
        return redirect("web:hubs")
    return render(request, "forwarding/bookings/hubs.html", {
        "title": _("Hubs and slots"), "hubs": list(selectors.hubs(request.user)),
        "slots": list(selectors.slots(request.user)[:300]), "units": SlotUnit.choices,
        "tomorrow": timezone.localdate() + dt.timedelta(days=1),
    })  # fmt: skip


# --- pickup tasks: the dispatcher's board and the driver's list --------------------------------


def _board(day) -> str:
    return f"{reverse('web:pickups')}?day={day.isoformat()}"


@require_POST
@permission_required(P.PICKUP_DISPATCH)
def pickup_dispatch(request):
    """The board's buttons: assign a day by area, assign or reassign one stop, move a stop up
    or down its route, close a failed stop or accept a short count, add or edit a driver
    area."""
    user, post = request.user, request.POST
    action = post.get("action", "")
    day = timezone.localdate()
    try:
        day = _date(request, "day") if post.get("day") else day
        if action == "auto":
            result = pickup_tasks.auto_assign(user, day)
            messages.success(request, _("%(n)s pickups assigned; %(left)s no area covers.")
                             % {"n": result.total, "left": len(result.unmatched)})  # fmt: skip
        elif action == "assign":
            pickup = selectors.unassigned_pickups().filter(
                pk=int_or_none(post.get("pickup"))).first()  # fmt: skip
            if pickup is None:
                raise Conflict("This pickup has a driver already or is closed",
                                        code="pickup_assigned")  # fmt: skip
            pickup_tasks.assign(user, pickup, post.get("driver"), date=day)
        elif action in ("reassign", "close", "accept"):
            task = selectors.task(user, int_or_none(post.get("task")) or 0)
            if action == "reassign":
                pickup_tasks.reassign(user, task, post.get("driver"), date=day,
                                      note=post.get("note", ""))  # fmt: skip
            elif action == "close":
                pickup_tasks.close_task(user, task, note=post.get("note", ""))
            else:
                pickup_tasks.accept_count(user, task, note=post.get("note", ""))
        elif action in ("up", "down"):
            task = selectors.task(user, int_or_none(post.get("task")) or 0)
            pickup_tasks.move_stop(user, task, action)
        elif action == "area_update":
            area = selectors.driver_area(int_or_none(post.get("area")))
            pickup_tasks.update_area(
                user, area, name=post.get("name", ""), city=post.get("city", ""),
                postcodes=post.get("postcodes", ""), districts=post.get("districts", ""),
                driver=post.get("driver"), active=post.get("active") == "1",
            )  # fmt: skip
        elif action == "area":
            pickup_tasks.create_area(
                user, code=post.get("code", ""), name=post.get("name", ""),
                city=post.get("city", ""), postcodes=post.get("postcodes", ""),
                districts=post.get("districts", ""), driver=post.get("driver"),
            )  # fmt: skip
        else:
            raise ValidationFailed(f"Unknown action {action!r}", code="invalid_choice")
    except DomainError as exc:
        return _pickups_page(request, status=exc.status, error=_error(exc), day=day)
    if action != "auto":
        messages.success(request, _("Saved."))
    return redirect(_board(day))


@permission_required(P.PICKUP_DRIVE)
def driver(request):
    """A driver's stops of the day in order, for a phone: address, phone, window, pieces,
    and the buttons collected / exception."""
    return _driver_page(request, _day(request))


def _driver_page(request, day, status: int = 200, error=None):
    return render(request, "forwarding/bookings/driver.html", {
        "title": _("My pickups"), "day": day, "today": timezone.localdate(), "error": error,
        "prev_day": day - dt.timedelta(days=1), "next_day": day + dt.timedelta(days=1),
        "stops": selectors.driver_stops(request.user, day),
        "door_exceptions": [(c, TaskException(c).label) for c in pickup_tasks.DOOR_EXCEPTIONS],
    }, status=status)  # fmt: skip


@require_POST
@permission_required(P.PICKUP_DRIVE)
def driver_task(request, pk: int):
    """Collected with a count, or an exception at the door, on one's own stop (another
    driver's is "not found")."""
    task = selectors.task(request.user, pk)
    post = request.POST
    try:
        if post.get("action") == "collected":
            done = pickup_tasks.mark_collected(
                request.user, task, pieces=int_or_none(post.get("pieces")) or 0,
                confirm_fewer=post.get("confirm_fewer") == "on", note=post.get("note", ""),
            )  # fmt: skip
            if done.status == "exception":
                messages.warning(request, _(
                    "%(n)s of %(of)s pieces: the dispatcher will check the short count."
                ) % {"n": done.collected_pieces, "of": done.requested_pieces})  # fmt: skip
            else:
                messages.success(request, _("Collected %(n)s pieces.")
                                 % {"n": done.collected_pieces})  # fmt: skip
        else:
            pickup_tasks.report_exception(request.user, task, reason=post.get("reason", ""),
                                          note=post.get("note", ""))  # fmt: skip
            messages.success(request, _("Reported to the dispatcher."))
    except DomainError as exc:
        return _driver_page(request, task.route.date, status=exc.status, error=_error(exc))
    return redirect(f"{reverse('web:pickup_driver')}?day={task.route.date.isoformat()}")
