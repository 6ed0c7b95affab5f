"""How our carrier clients wait and retry, shared by the karrio carriers' client (``client``)
and the Tradelane provider's (``tradelane_provider.client``), and free of karrio, so the
provider's client does not import the carriers' SDK.

Exponential backoff with full jitter (the wait is uniform in 0..min(cap, base * 2^attempt)),
unless the other side said how long to wait (``Retry-After``, RFC 9110 §10.2.3: a number of
seconds or an HTTP date).
"""

from __future__ import annotations

import email.utils
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
NOT_PROCESSED = frozenset({429, 503})  # the other side says it did not do it: safe to resend


@dataclass
class RetryPolicy:
    connect_timeout: float = 5.0
    read_timeout: float = 30.0
    attempts: int = 4  # first try included
    backoff_base: float = 0.5
    backoff_cap: float = 20.0
    retry_after_cap: float = 120.0  # a longer Retry-After is returned to the caller instead
    sleep: Callable[[float], None] = time.sleep
    jitter: Callable[[], float] = random.random
    sleeps: list[float] = field(default_factory=list)  # every wait, for tests and logs
    requests: int = 0

    def delay(self, attempt: int, retry_after: float | None) -> float:
        if retry_after is not None:
            return retry_after
        return self.jitter() * min(self.backoff_cap, self.backoff_base * 2**attempt)


def parse_retry_after(value: str | None) -> float | None:
    """Seconds to wait from a ``Retry-After`` value; None when absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())
