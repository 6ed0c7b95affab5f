"""Holds (扣件): a parcel the hub must stop. An open problem with a hold reason
(``HOLD_REASONS``: customs, the customer's intercept, arrears) or a customer's intercept
request stops the parcel at its next scan; a received parcel is moved to ``held`` at once.

The customer's intercept (``waybills.services.request_intercept``, from the portal and both
APIs) becomes a CUSTOMER_INTERCEPT problem in the same transaction (``on_intercept``).
Closing a hold goes through ``resolve`` here: released (or re-routed) puts the parcel back to
received when no other hold is open, returned sends it back to the customer.

A parcel just received passes the receipt checks (``check_receipt``): the finance app (a layer
above) registers one at start-up (``register_receipt_check``, as outbound registers the bag
finder) that charges the parcel to the customer's balance and credit, or answers why it must
be held (arrears, 欠费扣件); the hub then holds it in the same transaction.
"""

from __future__ import annotations

from collections.abc import Callable

from django.db import transaction
from django.utils import timezone

from tradelane.accounts.permissions import require
from tradelane.accounts.roles import P
from tradelane.core import audit
from tradelane.core.errors import ValidationFailed
from tradelane.core.statements import Param, Select

from ..waybills import services as waybills
from ..waybills.models import Waybill, WaybillStatus
from .models import HOLD_REASONS, ProblemOutcome, ProblemParcel, ProblemReason
from .problems import open_problem, resolve_problem


def open_holds(w: Waybill):
    return ProblemParcel.objects.filter(
        waybill=w, reason__in=list(HOLD_REASONS), resolved_at__isnull=True
    )


# every inbound scan asks it: compiled once (``core.statements``)
_FIRST_HOLD = Select(lambda: open_holds(Param("waybill")).order_by("opened_at", "id")
                     .values("reason", "note")[:1])  # fmt: skip


def hold_of(w: Waybill) -> dict | None:
    """Why ``w`` must be stopped (``{"reason", "note"}``), or None."""
    row = _FIRST_HOLD.first(waybill=w.pk)
    if row is not None:
        return {"reason": row["reason"], "note": row["note"]}
    if w.intercept_requested_at is not None:
        return {"reason": ProblemReason.CUSTOMER_INTERCEPT.value, "note": w.intercept_reason}
    return None


def hold(actor, w: Waybill, reason: str, note: str = "") -> ProblemParcel:
    """Put ``w`` on hold for ``reason`` (one of ``HOLD_REASONS``); a received parcel moves to
    ``held``. ``actor`` None: the system (a rule, the customer's own request)."""
    if reason not in HOLD_REASONS:
        raise ValidationFailed(f"{reason!r} is not a hold", code="not_a_hold",
                               details={"choices": sorted(HOLD_REASONS)})  # fmt: skip
    with transaction.atomic():
        locked = Waybill.objects.select_for_update().select_related("customer", "channel")
        return _hold_locked(actor, locked.get(pk=w.pk), reason, note)


def _hold_locked(actor, w: Waybill, reason: str, note: str) -> ProblemParcel:
    """``hold`` on a waybill the caller has locked (and keeps using: its status moves)."""
    problem, _ = open_problem(actor, w, reason, note)
    if w.status == WaybillStatus.RECEIVED:
        waybills.move(None, w, WaybillStatus.HELD, f"hold: {reason}")
    return problem


# (actor, the received waybill, locked) -> None (it may go on) or {"reason", "note"} (a hold)
ReceiptCheck = Callable[..., dict | None]
_receipt_checks: list[ReceiptCheck] = []


def register_receipt_check(check: ReceiptCheck) -> None:
    if check not in _receipt_checks:
        _receipt_checks.append(check)


# (actor, the hold about to be released) -> None: called before the waybill is locked, in
# the release's transaction (finance charges a parcel released from an arrears hold)
ReleaseHook = Callable[..., None]
_release_hooks: list[ReleaseHook] = []


def register_release_hook(hook: ReleaseHook) -> None:
    if hook not in _release_hooks:
        _release_hooks.append(hook)


def check_receipt(actor, w: Waybill) -> dict | None:
    """Run the receipt checks on ``w``, just received and locked by the caller, in its
    transaction: the first hold one answers is put on ``w`` (which moves to ``held``) and
    returned (``{"reason", "note", "problem"}``); None when the parcel may go on."""
    for check in _receipt_checks:
        found = check(actor, w)
        if found is not None:
            problem = _hold_locked(actor, w, found["reason"], found.get("note", ""))
            return {"reason": str(found["reason"]), "note": problem.note, "problem": problem.pk}
    return None


def on_intercept(sender, *, waybill: Waybill, reason: str, actor=None, **_kw) -> None:
    """``waybills.services.intercept_requested``: the customer's request is a hold at once."""
    hold(None, waybill, ProblemReason.CUSTOMER_INTERCEPT, reason)


waybills.intercept_requested.connect(on_intercept, dispatch_uid="hub.holds.on_intercept")


def resolve(
    actor, problem: ProblemParcel, outcome: str, note: str = "", *, perm: str = P.PROBLEM_HANDLE
) -> ProblemParcel:
    """Close ``problem`` (``problems.resolve_problem``) and, for a hold, act on the parcel:
    released or re-routed: back to received when no other hold is open (a customer's
    intercept is then no longer asked for); returned: the parcel goes back to the customer.
    ``perm``: the permission that lets the actor close it (finance's, for an arrears hold
    released on payment or by hand). The release hooks run first (``register_release_hook``):
    a parcel released from an arrears hold is charged to its customer (finance)."""
    require(actor, perm)
    with transaction.atomic():
        if problem.is_hold and outcome in (ProblemOutcome.RELEASED, ProblemOutcome.REROUTED):
            for hook in _release_hooks:
                hook(actor, problem)
        w = None
        if problem.waybill_id:
            w = (Waybill.objects.select_for_update().select_related("customer", "channel")
                 .get(pk=problem.waybill_id))  # fmt: skip
        problem = resolve_problem(actor, problem, outcome, note, perm=perm)
        if w is None or not problem.is_hold:
            return problem
        if outcome == ProblemOutcome.RETURNED:
            if w.status in (WaybillStatus.RECEIVED, WaybillStatus.HELD):
                waybills.move(None, w, WaybillStatus.RETURNED, f"returned: {note}"[:200])
            return problem
        if outcome not in (ProblemOutcome.RELEASED, ProblemOutcome.REROUTED):
            return problem
        if problem.reason == ProblemReason.CUSTOMER_INTERCEPT and w.intercept_requested_at:
            Waybill.objects.filter(pk=w.pk).update(
                intercept_requested_at=None, updated_at=timezone.now()
            )
            w.intercept_requested_at = None
            audit.record(actor, "waybill.intercept_release", w, {"note": note})
        if w.status == WaybillStatus.HELD and not open_holds(w).exists():
            waybills.move(None, w, WaybillStatus.RECEIVED, f"released: {note}"[:200])
    return problem
