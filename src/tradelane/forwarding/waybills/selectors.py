"""Reads of waybills shared by the portal, the open API, the facades and the webhooks; every
one goes through ``partners.scoping`` first."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db.models import QuerySet
from django.utils import timezone

from tradelane.core.errors import NotFound
from tradelane.core.money import quantize

from ..partners import scoping
from .models import Waybill, WaybillEvent

KG = Decimal(1000)


def kg(grams: int | None) -> str | None:
    """Grams as a kg string with three decimals (the API's unit)."""
    if grams is None:
        return None
    return str((Decimal(grams) / KG).quantize(Decimal("0.001")))


def money_text(amount: Decimal | None, currency: str) -> str | None:
    """An amount in its currency's minor units (JPY 0, CNY 2, KWD 3), as text."""
    return None if amount is None else str(quantize(Decimal(amount), currency))


def waybills(user) -> QuerySet[Waybill]:
    return scoping.scoped(user, Waybill.objects.select_related("customer", "channel"))


def waybill(user, number_or_id: str | int) -> Waybill:
    """One waybill in the user's scope by our number (or id), else ``NotFound``."""
    if isinstance(number_or_id, int):
        return scoping.get_scoped(user, waybills(user), pk=number_or_id)
    return scoping.get_scoped(user, waybills(user), number=number_or_id)


def by_any_number(user, number: str) -> Waybill:
    """One waybill in the user's scope by our number, else by its tracking number, else by its
    last-mile number (the newest, if a carrier reused one), else ``NotFound``: a customer's
    system that kept only the number on the label still finds its parcel."""
    try:
        return waybill(user, number)
    except NotFound:
        pass
    for field in ("tracking_number", "last_mile_number"):
        found = waybills(user).filter(**{field: number}).order_by("-created_at", "-id").first()
        if found is not None:
            return found
    raise NotFound(f"No waybill {number}", code="waybill_not_found")


def by_reference(user, customer_id: int, reference: str) -> Waybill:
    return scoping.get_scoped(user, waybills(user), customer_id=customer_id, reference=reference)


def search(
    user,
    *,
    status: str = "",
    created_from: dt.date | None = None,
    created_to: dt.date | None = None,
    q: str = "",
) -> QuerySet[Waybill]:
    """The list with its filters (newest first), still in the user's scope."""
    qs = waybills(user)
    if status:
        qs = qs.filter(status=status)
    # the days as a range of instants (from the first day's local midnight to the one after
    # the last day), which the (customer, status, created_at) index answers in order; a
    # ``created_at__date`` lookup would convert every row's time first
    if created_from:
        qs = qs.filter(created_at__gte=_midnight(created_from))
    if created_to:
        qs = qs.filter(created_at__lt=_midnight(created_to + dt.timedelta(days=1)))
    if q:
        q = q.strip()
        qs = (
            qs.filter(number=q)
            | qs.filter(reference=q)
            | qs.filter(tracking_number=q)
            | (qs.filter(last_mile_number=q))
        )
    return qs.order_by("-created_at", "-id")


def _midnight(day: dt.date) -> dt.datetime:
    """The start of ``day`` in the current time zone (as ``__date`` lookups read days)."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def timeline(w: Waybill) -> list[WaybillEvent]:
    return list(w.events.order_by("occurred_at", "id"))


def waybill_dict(w: Waybill) -> dict:
    """The waybill as the open API and the webhooks show it to its customer (no cost)."""
    return {
        "number": w.number,
        "reference": w.reference,
        "customer": w.customer.code,
        "channel": w.channel.code,
        "status": w.status,
        "tracking_number": w.tracking_number or None,
        "tracking_status": w.tracking_status,
        "last_mile_carrier": w.last_mile_carrier or None,
        "last_mile_number": w.last_mile_number or None,
        "pieces": w.pieces,
        "forecast_weight_kg": kg(w.forecast_weight_g),
        "measured_weight_kg": kg(w.measured_weight_g),
        "chargeable_weight_kg": kg(w.chargeable_weight_g),
        "price": (
            {"amount": money_text(w.sale_amount, w.sale_currency), "currency": w.sale_currency}
            if w.sale_amount is not None
            else None
        ),
        "charges": [{k: c[k] for k in ("code", "amount", "currency")} for c in w.charges],
        "consignee_country": w.consignee_country,
        "intercept_requested": w.intercept_requested_at is not None,
        "created_at": w.created_at.isoformat(),
        "updated_at": w.updated_at.isoformat(),
    }
