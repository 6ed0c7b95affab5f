"""Parcels without a forecast (无预报件): a scanned code that matched no waybill is kept as it
was weighed, with a NO_FORECAST problem, until customer service finds whose it is. Attaching
it to a customer records that; attaching it to one of the customer's waybills receives that
waybill on the parcel's weight and closes the problem."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from tradelane.accounts.permissions import require
from tradelane.accounts.roles import P
from tradelane.core import audit
from tradelane.core.errors import Conflict, NotFound

from ..partners import scoping
from ..partners.models import CustomerAccount
from ..waybills import services as waybills
from ..waybills.models import Waybill, WaybillStatus
from ..waybills.validation import PieceInput
from . import holds
from .models import InboundPiece, ProblemOutcome, ProblemReason, UnknownParcel
from .problems import open_problem, resolve_problem


def record_unknown(
    actor, *, code: str, station: str, weight_g: int, length_mm: int = 0, width_mm: int = 0,
    height_mm: int = 0, note: str = "",
) -> tuple[UnknownParcel, bool]:  # fmt: skip
    """The parcel ``code`` that matched nothing, and its problem; ``(row, made)``. The same
    code scanned again while it waits is the same parcel."""
    require(actor, P.HUB_RECEIVE)
    with transaction.atomic():
        found = (UnknownParcel.objects.select_for_update()
                 .filter(code=code, attached_at__isnull=True).first())  # fmt: skip
        if found is not None:
            return found, False
        problem, _ = open_problem(actor, None, ProblemReason.NO_FORECAST,
                                  f"{code} at {station}, {weight_g} g")  # fmt: skip
        parcel = UnknownParcel.objects.create(
            code=code, station=station, weight_g=weight_g, length_mm=length_mm,
            width_mm=width_mm, height_mm=height_mm, note=note[:500], scanned_by=actor,
            problem=problem,
        )  # fmt: skip
        audit.record(actor, "forwarding.unknown_parcel.record", parcel,
                     {"code": code, "station": station, "weight_g": weight_g})  # fmt: skip
    return parcel, True


def attach(
    actor, parcel: UnknownParcel, customer: CustomerAccount, waybill: Waybill | None = None,
    note: str = "",
) -> UnknownParcel:  # fmt: skip
    """The parcel is ``customer``'s; with ``waybill`` (one of theirs, not yet received) that
    waybill is received on the parcel's weight and sides and the problem is closed."""
    require(actor, P.PROBLEM_HANDLE)
    if not scoping.customers(actor).filter(pk=customer.pk).exists():
        raise NotFound(f"No customer {customer.code}", code="customer_not_found")
    if waybill is not None and waybill.customer_id != customer.pk:
        raise NotFound(f"No waybill {waybill.number} of {customer.code}",
                       code="waybill_not_found")  # fmt: skip
    with transaction.atomic():
        parcel = UnknownParcel.objects.select_for_update().get(pk=parcel.pk)
        if parcel.waybill_id is not None:
            raise Conflict("This parcel is attached to a waybill already",
                           code="parcel_already_attached")  # fmt: skip
        now = timezone.now()
        parcel.customer, parcel.attached_by, parcel.attached_at = customer, actor, now
        if waybill is not None:
            w = (Waybill.objects.select_for_update().select_related("customer", "channel")
                 .get(pk=waybill.pk))  # fmt: skip
            if w.status != WaybillStatus.CREATED:
                raise Conflict(f"Waybill {w.number} is {w.status}: it is in already",
                               code="waybill_not_receivable",
                               details={"status": w.status})  # fmt: skip
            sides = (parcel.length_mm, parcel.width_mm, parcel.height_mm)
            pieces = [PieceInput(parcel.weight_g, *sides)] if w.pieces == 1 else None
            waybills.receive(actor, w, weight_g=parcel.weight_g, pieces=pieces,
                             location=parcel.station, perm=P.PROBLEM_HANDLE)  # fmt: skip
            if w.pieces == 1:
                InboundPiece.objects.create(
                    waybill=w, seq=1, station=parcel.station, weight_g=parcel.weight_g,
                    length_mm=sides[0], width_mm=sides[1], height_mm=sides[2],
                    scanned_by=parcel.scanned_by, scanned_at=parcel.scanned_at,
                )  # fmt: skip
            parcel.waybill = w
            holds.check_receipt(actor, w)  # the customer's balance and credit (finance)
        parcel.save(update_fields=["customer", "waybill", "attached_by", "attached_at"])
        audit.record(actor, "forwarding.unknown_parcel.attach", parcel, {
            "customer": customer.code, "waybill": waybill.number if waybill else None,
            "note": note,
        })  # fmt: skip
        if waybill is not None:
            text = f"attached to {customer.code} {waybill.number}. {note}".strip()
            resolve_problem(actor, parcel.problem, ProblemOutcome.RELEASED, text)
    return parcel
