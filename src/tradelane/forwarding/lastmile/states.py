"""A last-mile label request's states (``core.states.transition``): pending (queued, or
waiting for its next try) -> fetching (the carrier is being asked) -> assigned, or back to
pending to try again after a backoff, or failed after the limit (the waybill then has a
"last-mile number failed" problem). "Retry now" puts a failed request back to pending."""

from __future__ import annotations

from .models import RequestStatus as R

REQUEST_TRANSITIONS: dict[str, set[str]] = {
    R.PENDING: {R.FETCHING, R.FAILED},
    R.FETCHING: {R.ASSIGNED, R.PENDING, R.FAILED},
    R.ASSIGNED: set(),
    R.FAILED: {R.PENDING},
}
OPEN = frozenset({R.PENDING, R.FETCHING})
