"""Weight differences (重量差异): the chargeable weight as measured against the forecast's,
beyond a tolerance of the customer's, else of the channel's, else the hub's setting."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction
from django.db.models import Q

from tradelane.accounts.permissions import require
from tradelane.accounts.roles import P
from tradelane.core import audit
from tradelane.core.errors import ValidationFailed
from tradelane.core.statements import Param, Select

from . import config
from .models import WeightTolerance


def set_tolerance(actor, *, customer=None, channel=None, grams: int, percent) -> WeightTolerance:
    """A customer's (or a channel's) tolerance: the larger of ``grams`` and ``percent`` of
    the forecast chargeable weight."""
    require(actor, P.PARTNER_MANAGE)
    if (customer is None) == (channel is None):
        raise ValidationFailed("Give a customer or a channel", code="tolerance_owner")
    try:
        pct = Decimal(str(percent))
    except ArithmeticError:
        pct = Decimal(-1)
    if not isinstance(grams, int) or grams < 0 or not pct.is_finite() or not 0 <= pct <= 100:
        raise ValidationFailed("Grams from 0, percent from 0 to 100", code="invalid_tolerance")
    owner = {"customer": customer} if customer is not None else {"channel": channel}
    with transaction.atomic():
        row, _ = WeightTolerance.objects.update_or_create(
            **owner, defaults={"grams": grams, "percent": pct}
        )
        audit.record(actor, "forwarding.weight_tolerance.set", row,
                     {"grams": grams, "percent": str(pct)})  # fmt: skip
    return row


# every received scan asks it: compiled once (``core.statements``)
_TOLERANCES = Select(lambda: WeightTolerance.objects.filter(
    Q(customer_id=Param("customer")) | Q(channel_id=Param("channel"))
).values_list("customer_id", "grams", "percent"))  # fmt: skip


def tolerance_for(w) -> tuple[int, Decimal]:
    """(grams, percent) that apply to the waybill ``w``."""
    rows = {
        ("customer" if customer_id else "channel"): (grams, percent)
        for customer_id, grams, percent in _TOLERANCES.all(customer=w.customer_id,
                                                           channel=w.channel_id)
    }  # fmt: skip
    return rows.get("customer") or rows.get("channel") or config.default_tolerance()


def weight_difference(w, forecast_chargeable_g: int) -> dict | None:
    """The difference of ``w``'s chargeable weight (as received) from the forecast's, or None
    when it is within the tolerance."""
    grams, percent = tolerance_for(w)
    allowed = max(grams, int((Decimal(forecast_chargeable_g) * percent / 100)
                             .to_integral_value(ROUND_HALF_UP)))  # fmt: skip
    diff = w.chargeable_weight_g - forecast_chargeable_g
    if abs(diff) <= allowed:
        return None
    return {
        "forecast_chargeable_g": forecast_chargeable_g,
        "chargeable_g": w.chargeable_weight_g,
        "difference_g": diff,
        "tolerance_g": allowed,
        "tolerance": {"grams": grams, "percent": str(percent)},
    }
