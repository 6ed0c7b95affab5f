"""The problem queue (问题件): open a problem on a waybill, and close it with an outcome.

``open_problem`` is what every step that finds something wrong calls (the inbound scan, the
last-mile switch, customs, tracking exceptions, the customer's intercept): one open row per
waybill and reason, whoever raises it and however often; the customer is told by webhook and
sees it in the portal. ``resolve_problem`` records the outcome with who and when.
"""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils import timezone

from tradelane.accounts.permissions import require
from tradelane.accounts.roles import P
from tradelane.core import audit
from tradelane.core.errors import Conflict, ValidationFailed

from ..waybills import notifications
from ..waybills.models import Waybill
from .models import ProblemOutcome, ProblemParcel, ProblemReason

DEFAULT_DUE = dt.timedelta(hours=24)


def _problem_changes(p: ProblemParcel) -> dict:
    return {"problem": {"id": p.pk, "reason": p.reason, "note": p.note,
                        "due_at": p.due_at.isoformat(), "outcome": p.outcome or None}}  # fmt: skip


def open_problem(
    actor,
    waybill: Waybill | None,
    reason: str,
    note: str = "",
    *,
    owner=None,
    due_in: dt.timedelta = DEFAULT_DUE,
) -> tuple[ProblemParcel, bool]:
    """The open problem of ``waybill`` for ``reason``, made if there is none; ``(row, made)``.

    ``actor`` None is the system (a task that gave up retrying). Runs in the caller's
    transaction when there is one; a concurrent opener of the same problem gets the same row.
    """
    if actor is not None and not actor.has_perm(P.HUB_RECEIVE):
        require(actor, P.PROBLEM_HANDLE)
    if reason not in ProblemReason.values:
        raise ValidationFailed(f"Unknown problem reason {reason!r}", code="invalid_reason",
                               details={"choices": list(ProblemReason.values)})  # fmt: skip
    if waybill is not None:
        found = ProblemParcel.objects.filter(
            waybill=waybill, reason=reason, resolved_at__isnull=True
        ).first()
        if found is not None:
            return found, False
    now = timezone.now()
    try:
        with transaction.atomic():
            p = ProblemParcel.objects.create(
                waybill=waybill, reason=reason, note=(note or "")[:500], owner=owner,
                due_at=now + due_in, opened_by=actor, opened_at=now,
            )  # fmt: skip
    except IntegrityError:  # the same problem opened a moment ago by another station
        return ProblemParcel.objects.get(
            waybill=waybill, reason=reason, resolved_at__isnull=True
        ), False  # fmt: skip
    audit.record(actor, "forwarding.problem.open", p, {"reason": reason, "note": p.note,
                 "waybill": waybill.number if waybill else None})  # fmt: skip
    if waybill is not None:
        notifications.notify(waybill, notifications.PROBLEM_OPENED, _problem_changes(p))
    return p, True


def resolve_problem(
    actor, problem: ProblemParcel, outcome: str, note: str = "", *, perm: str = P.PROBLEM_HANDLE
) -> ProblemParcel:
    """Close ``problem`` with ``outcome`` (released, returned, destroyed, re-routed) and why;
    ``perm``: the permission the actor needs (finance's for an arrears hold)."""
    require(actor, perm)
    if outcome not in ProblemOutcome.values:
        raise ValidationFailed(f"Unknown outcome {outcome!r}", code="invalid_outcome",
                               details={"choices": list(ProblemOutcome.values)})  # fmt: skip
    note = (note or "").strip()
    if not note:
        raise ValidationFailed("Say why", code="reason_required")
    now = timezone.now()
    with transaction.atomic():
        changed = ProblemParcel.objects.filter(pk=problem.pk, resolved_at__isnull=True).update(
            outcome=outcome, outcome_note=note[:500], resolved_by=actor, resolved_at=now
        )
        if not changed:
            raise Conflict("This problem is already closed", code="problem_closed")
        problem.refresh_from_db()
        audit.record(actor, "forwarding.problem.resolve", problem,
                     {"outcome": outcome, "note": note})  # fmt: skip
        if problem.waybill_id:
            notifications.notify(problem.waybill, notifications.PROBLEM_RESOLVED,
                                 _problem_changes(problem))  # fmt: skip
    return problem


def take_problem(actor, problem: ProblemParcel) -> ProblemParcel:
    """The actor owns the open ``problem`` from now on (takes it over from whoever had it)."""
    require(actor, P.PROBLEM_HANDLE)
    with transaction.atomic():
        changed = ProblemParcel.objects.filter(pk=problem.pk, resolved_at__isnull=True).update(
            owner=actor
        )
        if not changed:
            raise Conflict("This problem is already closed", code="problem_closed")
        before = problem.owner_id
        problem.refresh_from_db()
        audit.record(actor, "forwarding.problem.take", problem, {"owner": [before, actor.pk]})
    return problem
