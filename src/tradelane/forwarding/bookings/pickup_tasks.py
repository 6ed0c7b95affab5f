"""Pickup tasks: the provider's drivers collect what customers asked to have picked up.

Dispatchers (``P.PICKUP_DISPATCH``: hub operators and provider service) keep the driver areas
(postcodes or their prefixes, districts of the city, each with its default driver), assign a
day's requested pickups to the areas' drivers in one set-based pass (``auto_assign``) or one
by one (``assign``), reassign a stop to another driver or day (``reassign``: the task ends as
``reassigned`` and a new one starts on the other route, so the history stays), close a stop
that failed (the pickup is ``failed``) or accept a short count. A driver (``P.PICKUP_DRIVE``)
sees and acts on the stops of its own routes only: another driver's task is "not found"
(``selectors.task``).

Marking a stop collected checks the count against the request: more pieces than requested is
refused (``pieces_over_requested``, nothing changes); fewer becomes a ``fewer_pieces``
exception for the dispatcher unless the driver confirms it (the customer had only these
ready). A collected pickup is ``collected`` for the customer (its pickups page shows the
task) and each of its waybills still waiting for inbound gets a "picked up" event through
``waybills.services.record_picked_up``.

Every call checks the actor's permission, runs in one transaction, moves states through
``core.states.transition`` (the set-based pass through ``bulk_transition``) and writes audit rows.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from tradelane.accounts.permissions import require
from tradelane.accounts.roles import HUB_DRIVER, P
from tradelane.core import audit
from tradelane.core.bulk import insert_rows
from tradelane.core.errors import Conflict, PermissionDenied, ValidationFailed
from tradelane.core.states import bulk_transition, transition

from ..partners import scoping
from ..waybills import services as waybill_services
from . import selectors
from .models import (
    DriverArea,
    PickupKind,
    PickupRequest,
    PickupRoute,
    PickupStatus,
    PickupTask,
    TaskException,
    TaskStatus,
)
from .services import HUB_CODE, MAX_PIECES, _count, _Problems
from .states import PICKUP_TRANSITIONS, TASK_TRANSITIONS

POSTCODE = re.compile(r"^[0-9A-Z-]{1,10}$")
MAX_AREA_ENTRIES = 200
# what a driver reports at the door; a short count is ``mark_collected``'s
DOOR_EXCEPTIONS = (TaskException.NOBODY_THERE, TaskException.REFUSED, TaskException.ADDRESS_WRONG)
# a pickup waits for a driver in these states (a drop-off never does)
WAITING = (PickupStatus.REQUESTED, PickupStatus.SCHEDULED)
_TASK_FIELDS = ("pickup_id", "route_id", "sequence", "status", "requested_pieces", "exception",
                "note", "assigned_by_id", "assigned_at", "updated_at")  # fmt: skip


def _dispatcher(actor) -> None:
    require(actor, P.PICKUP_DISPATCH)
    if scoping.is_portal_user(actor):
        raise PermissionDenied("Only the provider's staff may do this")


def _driver(driver) -> object:
    """An active user holding the driver's role (a user or its id)."""
    pk = getattr(driver, "pk", driver)
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        pk = None
    users = get_user_model().objects.filter(is_active=True, groups__name=HUB_DRIVER)
    found = users.filter(pk=pk).first() if pk else None
    if found is None:
        raise ValidationFailed(f"{driver} is not an active driver", code="not_a_driver",
                               details={"errors": [{"field": "driver", "code": "not_a_driver",
                                                    "message": "choose a driver"}]})  # fmt: skip
    return found


# --- areas ----------------------------------------------------------------------------------


def _entries(values: Iterable[str] | str, where: str, problems: _Problems, *, postcode: bool):
    if isinstance(values, str):
        values = values.replace(",", " ").replace("，", " ").replace("、", " ").split()
    out: list[str] = []
    for raw in values or ():
        v = str(raw).strip()
        v = v.replace(" ", "").upper() if postcode else v
        if not v:
            continue
        if postcode and not POSTCODE.match(v):
            problems.add(where, "invalid_postcode", f"{v!r} is not a postcode or its prefix")
        elif not postcode and len(v) > 50:
            problems.add(where, "too_long", "a district is at most 50 characters")
        elif v not in out:
            out.append(v)
    if len(out) > MAX_AREA_ENTRIES:
        problems.add(where, "too_many", f"at most {MAX_AREA_ENTRIES} entries")
    return out


def _area_values(problems: _Problems, *, name, city, postcodes, districts) -> dict:
    """The checked fields of an area (create and edit share them)."""
    name = (name or "").strip()
    if not name or len(name) > 200:
        problems.add("name", "required", "an area needs a name")
    codes = _entries(postcodes, "postcodes", problems, postcode=True)
    names = _entries(districts, "districts", problems, postcode=False)
    if not codes and not names and not problems.items:
        problems.add("postcodes", "area_empty", "an area needs postcodes or districts")
    return {"name": name, "city": (city or "").strip()[:100], "postcodes": codes,
            "districts": names}  # fmt: skip


def create_area(
    actor,
    *,
    code: str,
    name: str,
    driver,
    postcodes: Iterable[str] | str = (),
    districts: Iterable[str] | str = (),
    city: str = "",
) -> DriverArea:
    """An area of the city (postcodes or prefixes, districts) and the driver who covers it."""
    _dispatcher(actor)
    problems = _Problems()
    code = (code or "").strip().upper()
    if not HUB_CODE.match(code):
        problems.add("code", "invalid_code", "an area code is 1 to 20 letters, digits, . _ - /")
    values = _area_values(problems, name=name, city=city, postcodes=postcodes,
                          districts=districts)  # fmt: skip
    problems.raise_any()
    who = _driver(driver)
    try:
        with transaction.atomic():
            area = DriverArea.objects.create(code=code, driver=who, **values)
            audit.record(actor, "forwarding.pickup_area.create", area, {
                "code": code, "city": values["city"], "postcodes": values["postcodes"],
                "districts": values["districts"], "driver": who.username,
            })  # fmt: skip
    except IntegrityError:
        raise Conflict(f"Area {code} exists already", code="area_exists") from None
    return area


def update_area(
    actor,
    area: DriverArea,
    *,
    name: str,
    driver,
    postcodes: Iterable[str] | str = (),
    districts: Iterable[str] | str = (),
    city: str = "",
    active: bool = True,
) -> DriverArea:
    """Change an area's name, city, postcodes, districts, driver or whether it is in use
    (its code stays: past routes and audit rows name it). Stops already on a route keep
    their driver; the next ``auto_assign`` uses the new area."""
    _dispatcher(actor)
    problems = _Problems()
    values = _area_values(problems, name=name, city=city, postcodes=postcodes,
                          districts=districts)  # fmt: skip
    problems.raise_any()
    who = _driver(driver)
    values.update(driver=who, active=bool(active))
    with transaction.atomic():
        locked = DriverArea.objects.select_for_update().get(pk=area.pk)
        changes = audit.diff(locked, values)
        if not changes:
            return locked
        if "driver" in changes:
            changes["driver"] = [locked.driver.username, who.username]
        DriverArea.objects.filter(pk=locked.pk).update(**values)
        locked.refresh_from_db()
        audit.record(actor, "forwarding.pickup_area.update", locked, changes)
    return locked


def _city(value: str) -> str:
    return (value or "").strip().removesuffix("市").casefold()


def area_for(areas: list[DriverArea], *, postcode: str, city: str, text: str):
    """The area of an address: the longest postcode prefix that matches, else the first area
    (by code) naming a district the address mentions; None when none covers it."""
    pc = (postcode or "").replace(" ", "").upper()
    best, best_len = None, 0
    here = [a for a in areas if not a.city or _city(a.city) == _city(city)]
    for a in here:
        for prefix in a.postcodes:
            if pc and pc.startswith(prefix) and len(prefix) > best_len:
                best, best_len = a, len(prefix)
    if best is not None:
        return best
    for a in here:
        if any(d and d in text for d in a.districts):
            return a
    return None


# --- assigning ------------------------------------------------------------------------------


@dataclass
class AssignResult:
    """What ``auto_assign`` did: stops per driver (username) and the pickups no area covers."""

    date: dt.date
    assigned: dict[str, int] = field(default_factory=dict)
    unmatched: list[int] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(self.assigned.values())


def _routes(driver_ids: Iterable[int], date: dt.date) -> dict[int, PickupRoute]:
    """The routes of these drivers on ``date``, made where missing (a fixed number of
    queries; a route another dispatcher made meanwhile is taken as it is)."""
    ids = sorted(set(driver_ids))
    have = {r.driver_id: r for r in PickupRoute.objects.filter(date=date, driver_id__in=ids)}
    missing = [PickupRoute(driver_id=d, date=date) for d in ids if d not in have]
    if missing:
        PickupRoute.objects.bulk_create(missing, ignore_conflicts=True)
        have = {r.driver_id: r for r in PickupRoute.objects.filter(date=date, driver_id__in=ids)}
    return have


def _next_sequences(route_ids: Iterable[int]) -> dict[int, int]:
    last = dict(
        PickupTask.objects.filter(route_id__in=list(route_ids))
        .values("route_id")
        .annotate(m=Max("sequence"))
        .values_list("route_id", "m")
    )
    return {r: (last.get(r) or 0) + 1 for r in route_ids}


def _insert_tasks(actor, plan: dict[int, list[tuple[int, int]]], date: dt.date) -> list[int]:
    """Tasks at the end of each driver's route for ``plan`` {driver id: [(pickup, pieces)]}."""
    wanted = [pickup_id for stops in plan.values() for pickup_id, _pieces in stops]
    # lock the pickups, then check they still wait: a dispatcher assigning them at the same
    # time waits here for the other's transaction and is then refused whole
    list(PickupRequest.objects.select_for_update().filter(pk__in=wanted).values_list("pk"))
    if selectors.unassigned_pickups().filter(pk__in=wanted).count() != len(wanted):
        raise Conflict("Some of these pickups were assigned meanwhile; reload and try again",
                       code="pickup_assigned")  # fmt: skip
    routes = _routes(plan, date)
    nxt = _next_sequences([r.pk for r in routes.values()])
    now = timezone.now()
    actor_id = actor.pk if getattr(actor, "pk", None) else None
    rows, pickup_ids = [], []
    for driver_id, stops in plan.items():
        route = routes[driver_id]
        for offset, (pickup_id, pieces) in enumerate(stops):
            rows.append((pickup_id, route.pk, nxt[route.pk] + offset, TaskStatus.ASSIGNED,
                         pieces, "", "", actor_id, now, now))  # fmt: skip
            pickup_ids.append(pickup_id)
    try:
        insert_rows(PickupTask, _TASK_FIELDS, rows)
    except IntegrityError:
        raise Conflict("Some of these pickups were assigned meanwhile; reload and try again",
                       code="pickup_assigned") from None  # fmt: skip
    return pickup_ids


def _schedule(actor, rows: list[tuple[int, str]], reason: str) -> None:
    """Requested pickups become scheduled once they have a driver (all or none)."""
    requested = [pk for pk, status in rows if status == PickupStatus.REQUESTED]
    bulk_transition(PickupRequest, requested, PickupStatus.REQUESTED, PickupStatus.SCHEDULED,
                    table=PICKUP_TRANSITIONS, actor=actor, reason=reason)  # fmt: skip


def auto_assign(actor, date: dt.date) -> AssignResult:
    """Give every pickup of ``date`` still waiting for a driver to its area's driver, at the
    end of that driver's route, in the order of the time windows (then postcode). Set-based:
    a fixed number of queries whatever the count. Pickups no area covers stay unassigned."""
    _dispatcher(actor)
    result = AssignResult(date=date)
    areas = list(DriverArea.objects.filter(active=True, driver__is_active=True)
                 .select_related("driver").order_by("code"))  # fmt: skip
    waiting = list(
        selectors.unassigned_pickups(date)
        .order_by("window_start", "postcode", "pk")
        .values_list("pk", "status", "pieces", "postcode", "city", "state", "address1",
                     "address2")
    )  # fmt: skip
    plan: dict[int, list[tuple[int, int]]] = {}
    names: dict[int, str] = {}
    for pk, _status, pieces, postcode, city, state, address1, address2 in waiting:
        area = area_for(areas, postcode=postcode, city=city,
                        text=" ".join((state, city, address1, address2)))  # fmt: skip
        if area is None:
            result.unmatched.append(pk)
            continue
        plan.setdefault(area.driver_id, []).append((pk, pieces))
        names[area.driver_id] = area.driver.username
    if not plan:
        return result
    status_of = {pk: status for pk, status, *_ in waiting}
    with transaction.atomic():
        ids = _insert_tasks(actor, plan, date)
        _schedule(actor, [(pk, status_of[pk]) for pk in ids], "assigned to a driver")
        audit.record_many(actor, "forwarding.pickup.assign", "forwarding.pickuprequest", ids,
                          {"date": date, "auto": True})  # fmt: skip
    result.assigned = {names[d]: len(stops) for d, stops in sorted(plan.items())}
    return result


def assign(actor, pickup: PickupRequest, driver, *, date: dt.date | None = None) -> PickupTask:
    """Put one waiting pickup on ``driver``'s route of ``date`` (the pickup's own day)."""
    _dispatcher(actor)
    found = PickupRequest.objects.filter(pk=pickup.pk).first()
    if found is None or found.kind != PickupKind.PICKUP:
        raise Conflict("Only a pickup at the customer's address goes to a driver",
                       code="not_a_pickup")  # fmt: skip
    if (
        found.status not in WAITING
        or not selectors.unassigned_pickups().filter(pk=found.pk).exists()
    ):
        raise Conflict(f"Pickup {found.pk} has a driver already or is closed",
                       code="pickup_assigned", details={"status": found.status})  # fmt: skip
    who = _driver(driver)
    day = _day(date or found.date)
    with transaction.atomic():
        _insert_tasks(actor, {who.pk: [(found.pk, found.pieces)]}, day)
        _schedule(actor, [(found.pk, found.status)], "assigned to a driver")
        audit.record(actor, "forwarding.pickup.assign", found,
                     {"date": day, "driver": who.username})  # fmt: skip
    return PickupTask.objects.select_related("route__driver").get(
        pickup=found, status=TaskStatus.ASSIGNED
    )


def _day(date: dt.date | None) -> dt.date:
    if date is None or date < timezone.localdate():
        raise ValidationFailed("a route's day must be today or later", code="date_in_past",
                               details={"errors": [{"field": "date", "code": "date_in_past",
                                                    "message": "today or later"}]})  # fmt: skip
    return date


def reassign(actor, task: PickupTask, driver, *, date: dt.date | None = None,
             note: str = "") -> PickupTask:  # fmt: skip
    """Give a stop not yet collected to ``driver`` on ``date`` (the same day by default): this
    task ends as ``reassigned``, a new one starts at the end of that route."""
    _dispatcher(actor)
    found = selectors.task(actor, task.pk)
    who = _driver(driver)
    day = _day(date or found.route.date)
    note = (note or "").strip()[:500]
    with transaction.atomic():
        transition(found, TaskStatus.REASSIGNED, table=TASK_TRANSITIONS, actor=actor,
                   reason=note)  # fmt: skip
        routes = _routes([who.pk], day)
        seq = _next_sequences([routes[who.pk].pk])[routes[who.pk].pk]
        new = PickupTask.objects.create(
            pickup_id=found.pickup_id, route=routes[who.pk], sequence=seq,
            requested_pieces=found.requested_pieces, assigned_by=_user(actor), note=note,
        )  # fmt: skip
        audit.record(actor, "forwarding.pickup.reassign", found.pickup, {
            "task": [found.pk, new.pk], "driver": [found.route.driver.username, who.username],
            "date": [found.route.date, day], "note": note,
        })  # fmt: skip
    return new


def move_stop(actor, task: PickupTask, direction: str) -> PickupTask:
    """Move a stop one place up or down its route (the driver's order of the day): it swaps
    places with the neighbouring stop, whatever that one's state. The route is locked, so
    two dispatchers reordering at once take turns; the first or last stop stays put."""
    _dispatcher(actor)
    if direction not in ("up", "down"):
        raise ValidationFailed(f"Move a stop up or down, not {direction!r}",
                               code="invalid_choice")  # fmt: skip
    found = selectors.task(actor, task.pk)
    with transaction.atomic():
        PickupRoute.objects.select_for_update().filter(pk=found.route_id).first()
        stops = list(PickupTask.objects.filter(route_id=found.route_id)
                     .order_by("sequence", "pk").values_list("pk", "sequence"))  # fmt: skip
        order = [pk for pk, _seq in stops]
        at = order.index(found.pk)
        to = at - 1 if direction == "up" else at + 1
        if not 0 <= to < len(order):
            return found
        order[at], order[to] = order[to], order[at]
        seqs = dict(stops)
        wanted = {pk: i + 1 for i, pk in enumerate(order)}
        changed = [PickupTask(pk=pk, sequence=n, updated_at=timezone.now())
                   for pk, n in wanted.items() if seqs[pk] != n]  # fmt: skip
        PickupTask.objects.bulk_update(changed, ["sequence", "updated_at"])
        audit.record(actor, "forwarding.pickup.move_stop", found.pickup, {
            "task": found.pk, "route": found.route_id,
            "sequence": [seqs[found.pk], wanted[found.pk]],
        })  # fmt: skip
    found.refresh_from_db()
    return found


def _user(actor):
    return actor if getattr(actor, "pk", None) else None


# --- at the door ----------------------------------------------------------------------------


def _collected(actor, task: PickupTask, pieces: int) -> None:
    """The pickup is collected: its state, the outcome the customer reads, and a "picked up"
    event on each linked waybill still waiting for inbound."""
    pickup = task.pickup
    who = task.route.driver
    outcome = f"{pieces}/{task.requested_pieces} · {who.get_full_name() or who.username}"
    transition(pickup, PickupStatus.COLLECTED, table=PICKUP_TRANSITIONS, actor=actor,
               reason=f"collected {pieces}/{task.requested_pieces}",
               extra={"outcome_note": outcome})  # fmt: skip
    linked = list(pickup.waybills.values_list("pk", flat=True))
    if linked:
        waybill_services.record_picked_up(actor, linked, location=pickup.city)


def mark_collected(actor, task: PickupTask, *, pieces, confirm_fewer: bool = False,
                   note: str = "") -> PickupTask:  # fmt: skip
    """The driver counted ``pieces`` at the door. More than requested: refused
    (``pieces_over_requested``); fewer: a ``fewer_pieces`` exception unless
    ``confirm_fewer`` (the customer confirmed it has only these); else collected."""
    if not actor.has_perm(P.PICKUP_DISPATCH):
        require(actor, P.PICKUP_DRIVE)
    found = selectors.task(actor, task.pk)
    problems = _Problems()
    pieces = _count(pieces, "pieces", problems, maximum=MAX_PIECES)
    problems.raise_any()
    if found.status != TaskStatus.ASSIGNED:
        raise Conflict(f"This stop is {found.status} already", code="task_closed",
                       details={"status": found.status})  # fmt: skip
    if pieces > found.requested_pieces:
        raise Conflict(
            f"{pieces} pieces counted, but only {found.requested_pieces} were requested: "
            "ask the customer to request a pickup for the others",
            code="pieces_over_requested",
            details={"requested": found.requested_pieces, "counted": pieces},
        )  # fmt: skip
    short = pieces < found.requested_pieces and not confirm_fewer
    note = (note or "").strip()[:500]
    values = {"collected_pieces": pieces, "done_by": _user(actor), "done_at": timezone.now(),
              "note": note or found.note}  # fmt: skip
    with transaction.atomic():
        if short:
            transition(found, TaskStatus.EXCEPTION, table=TASK_TRANSITIONS, actor=actor,
                       reason=TaskException.FEWER_PIECES,
                       extra={**values, "exception": TaskException.FEWER_PIECES})  # fmt: skip
        else:
            transition(found, TaskStatus.COLLECTED, table=TASK_TRANSITIONS, actor=actor,
                       reason=note, extra=values)  # fmt: skip
            _collected(actor, found, pieces)
        audit.record(actor, "forwarding.pickup_task.count", found, {
            "pieces": pieces, "requested": found.requested_pieces, "confirmed": confirm_fewer,
            "status": found.status,
        })  # fmt: skip
    return found


def report_exception(actor, task: PickupTask, *, reason: str, note: str = "") -> PickupTask:
    """Nobody there, the customer refused, or the address is wrong: the dispatcher decides
    (reassign or close). A short count is ``mark_collected``'s."""
    if not actor.has_perm(P.PICKUP_DISPATCH):
        require(actor, P.PICKUP_DRIVE)
    found = selectors.task(actor, task.pk)
    if reason not in DOOR_EXCEPTIONS:
        raise ValidationFailed(f"{reason!r} is not an exception a driver reports",
                               code="invalid_choice",
                               details={"choices": list(DOOR_EXCEPTIONS)})  # fmt: skip
    if found.status != TaskStatus.ASSIGNED:
        raise Conflict(f"This stop is {found.status} already", code="task_closed",
                       details={"status": found.status})  # fmt: skip
    note = (note or "").strip()[:500]
    with transaction.atomic():
        transition(found, TaskStatus.EXCEPTION, table=TASK_TRANSITIONS, actor=actor,
                   reason=reason, extra={"exception": reason, "note": note,
                                         "done_by": _user(actor),
                                         "done_at": timezone.now()})  # fmt: skip
        audit.record(actor, "forwarding.pickup_task.exception", found,
                     {"reason": reason, "note": note})  # fmt: skip
    return found


# --- the dispatcher decides -----------------------------------------------------------------


def _open_exception(actor, task: PickupTask) -> PickupTask:
    _dispatcher(actor)
    found = selectors.task(actor, task.pk)
    if found.status != TaskStatus.EXCEPTION:
        raise Conflict(f"This stop is {found.status}, not an exception", code="task_not_exception",
                       details={"status": found.status})  # fmt: skip
    return found


def close_task(actor, task: PickupTask, *, note: str = "") -> PickupTask:
    """The stop failed for good: the task is closed and the pickup ``failed`` with the
    reason the customer reads."""
    found = _open_exception(actor, task)
    note = (note or "").strip()[:500]
    outcome = found.exception + (f": {note}" if note else "")
    with transaction.atomic():
        transition(found, TaskStatus.CLOSED, table=TASK_TRANSITIONS, actor=actor, reason=note)
        transition(found.pickup, PickupStatus.FAILED, table=PICKUP_TRANSITIONS, actor=actor,
                   reason=found.exception, extra={"outcome_note": outcome[:500]})  # fmt: skip
        audit.record(actor, "forwarding.pickup_task.close", found,
                     {"exception": found.exception, "note": note})  # fmt: skip
    return found


def accept_count(actor, task: PickupTask, *, note: str = "") -> PickupTask:
    """A short count (``fewer_pieces``) the dispatcher accepts: collected as counted."""
    found = _open_exception(actor, task)
    if found.exception != TaskException.FEWER_PIECES or found.collected_pieces is None:
        raise Conflict("Only a short count can be accepted", code="task_not_exception",
                       details={"exception": found.exception})  # fmt: skip
    with transaction.atomic():
        transition(found, TaskStatus.COLLECTED, table=TASK_TRANSITIONS, actor=actor,
                   reason=(note or "short count accepted")[:500])  # fmt: skip
        _collected(actor, found, found.collected_pieces)
        audit.record(
            actor,
            "forwarding.pickup_task.accept",
            found,
            {"pieces": found.collected_pieces, "requested": found.requested_pieces},
        )
    return found
