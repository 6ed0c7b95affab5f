"""Channel change (换渠道) at inbound: the forecast channel refuses the parcel as measured
(overweight, oversize...), so it goes on another of the customer's channels that accepts it.
Where the new channel numbers its own parcels the tracking number is issued again; where the
old one did and the new one does not, the old number is taken back (the new one comes later).
"""

from __future__ import annotations

from django.utils import timezone

from tradelane.core import audit
from tradelane.logistics.models import Channel

from ..waybills import notifications
from ..waybills import services as waybills
from ..waybills.models import TrackingStatus, Waybill
from ..waybills.pricing import Offer
from ..waybills.selectors import money_text


def offer_dict(o: Offer) -> dict:
    price = o.price
    return {
        "channel": o.channel_code, "name": o.channel_name,
        "price": money_text(price.amount, price.currency) if price else None,
        "amount": str(price.amount) if price else None,
        "currency": price.currency if price else "",
    }  # fmt: skip


def switch_channel(actor, w: Waybill, code: str) -> Waybill:
    """Put the locked waybill ``w`` on channel ``code`` (the caller checked it accepts the
    parcel), in the caller's transaction."""
    channel = Channel.objects.get(code=code)
    old = w.channel
    values: dict = {"channel": channel}
    tracking = waybills.new_tracking_number(channel)
    if tracking:
        values.update(tracking_number=tracking, tracking_status=TrackingStatus.ASSIGNED)
    elif old.s10_prefix and old.s10_country and w.tracking_number and not w.last_mile_number:
        values.update(tracking_number="", tracking_status=TrackingStatus.PENDING)
    changes = {"channel": [old.code, channel.code]}
    if "tracking_number" in values:
        changes["tracking_number"] = [w.tracking_number, values["tracking_number"]]
    Waybill.objects.filter(pk=w.pk).update(**values, updated_at=timezone.now())
    for name, value in values.items():
        setattr(w, name, value)
    audit.record(actor, "waybill.channel_change", w, changes)
    if values.get("tracking_number"):
        notifications.notify(w, notifications.TRACKING_NUMBER_ASSIGNED, changes)
    return w
