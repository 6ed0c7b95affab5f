"""The hub's settings, read from Django settings first and then the environment (so a test
overrides them with ``override_settings`` and a deployment with its environment):

``TRADELANE_HUB_WEIGHT_DIFFERENCE``  ``rerate`` (default): a chargeable weight beyond the
    tolerance is accepted and re-rated, the scan flags it; ``problem``: it goes to the problem
    queue as well (the parcel stays received).
``TRADELANE_HUB_CHANNEL_CHANGE``  when the forecast channel refuses the parcel as measured:
    ``prompt`` (default): the scan lists the customer's channels that accept it, with price,
    and receives nothing until one is picked; ``problem``: received on its channel and sent to
    the problem queue; ``cheapest``: switched to the cheapest accepting channel.
``TRADELANE_HUB_WEIGHT_TOLERANCE_G`` / ``TRADELANE_HUB_WEIGHT_TOLERANCE_PCT``  the hub's
    tolerance when neither the customer nor the channel has one (default 100 g / 5 %).
"""

from __future__ import annotations

import os
from decimal import Decimal, InvalidOperation

from django.conf import settings

RERATE, PROBLEM = "rerate", "problem"
PROMPT, CHEAPEST = "prompt", "cheapest"
WEIGHT_DIFFERENCE_MODES = (RERATE, PROBLEM)
CHANNEL_CHANGE_MODES = (PROMPT, PROBLEM, CHEAPEST)


def _read(name: str, default: str) -> str:
    value = getattr(settings, name, None)
    if value is None:
        value = os.environ.get(name, "")
    return str(value).strip().lower() or default


def weight_difference_mode() -> str:
    mode = _read("TRADELANE_HUB_WEIGHT_DIFFERENCE", RERATE)
    return mode if mode in WEIGHT_DIFFERENCE_MODES else RERATE


def channel_change_mode() -> str:
    mode = _read("TRADELANE_HUB_CHANNEL_CHANGE", PROMPT)
    return mode if mode in CHANNEL_CHANGE_MODES else PROMPT


def default_tolerance() -> tuple[int, Decimal]:
    """(grams, percent) of the hub's own tolerance."""
    try:
        grams = max(int(_read("TRADELANE_HUB_WEIGHT_TOLERANCE_G", "100")), 0)
    except ValueError:
        grams = 100
    try:
        percent = Decimal(_read("TRADELANE_HUB_WEIGHT_TOLERANCE_PCT", "5"))
    except InvalidOperation:
        percent = Decimal(5)
    if not percent.is_finite() or not 0 <= percent <= 100:
        percent = Decimal(5)
    return grams, percent


def stations() -> list[str]:
    """The inbound stations the scan screen offers (``TRADELANE_HUB_STATIONS``, comma-separated;
    default IN-1 to IN-4)."""
    raw = getattr(settings, "TRADELANE_HUB_STATIONS", None)
    if raw is None:
        raw = os.environ.get("TRADELANE_HUB_STATIONS", "")
    names = [s.strip()[:40] for s in (raw.split(",") if isinstance(raw, str) else raw)]
    return [s for s in names if s] or ["IN-1", "IN-2", "IN-3", "IN-4"]
