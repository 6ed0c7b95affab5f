"""Credit control's one setting, read from Django settings first and then the environment:

``TRADELANE_CREDIT_HOLDS``  ``on``: a parcel received at the hub is charged to its customer's
    balance and credit limit, and held for arrears (欠费扣件) when they do not cover it;
    ``off`` (default): parcels are received without a charge (an installation turns it on once
    its customers' balances and limits are entered).
"""

from __future__ import annotations

import os

from django.conf import settings

ON, OFF = "on", "off"


def holds_on() -> bool:
    value = getattr(settings, "TRADELANE_CREDIT_HOLDS", None)
    if value is None:
        value = os.environ.get("TRADELANE_CREDIT_HOLDS", "")
    if isinstance(value, bool):
        return value
    return str(value).strip().lower() in (ON, "1", "true", "yes")
