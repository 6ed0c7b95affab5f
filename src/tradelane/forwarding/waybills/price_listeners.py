"""Who is told that waybills were priced: the finance app posts their fee lines (it sits above
forwarding, so it registers here at start-up, as outbound registers the hub's bag finder).

Called inside the pricing write's transaction with the acting user, the waybills and the
priced quote each was written on, and why it was priced (``ESTIMATED`` at creation or an edit
before inbound, ``ACTUAL`` at inbound on the measured weight, ``CHANNEL_CHANGE`` when it went
on another channel); ``new`` says the waybills were just created (nothing posted for them yet).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from tradelane.logistics.rates.engine import PricedQuote

from .models import Waybill

ESTIMATED = "estimated"
ACTUAL = "actual"
CHANNEL_CHANGE = "channel_change"

PriceListener = Callable[..., None]  # (actor, [(waybill, priced)], stage, *, new) -> None
_listeners: list[PriceListener] = []


def register_price_listener(listener: PriceListener) -> None:
    if listener not in _listeners:
        _listeners.append(listener)


def waybills_priced(
    actor, priced: Sequence[tuple[Waybill, PricedQuote]], stage: str, *, new: bool = False
) -> None:
    if not priced:
        return
    for listener in _listeners:
        listener(actor, priced, stage, new=new)
