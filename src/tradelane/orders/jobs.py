"""Job kinds for bulk work on orders (run by the task worker, with progress for the UI).

Each kind takes ``{"order_ids": [...], ...}`` and calls the order services in slices, reporting
progress after every slice, so a person watching the workbench sees the bar move. The services
check permissions themselves; views check them too before starting a job.

Results are plain dicts of counts, plus up to ``MAX_ERRORS`` refused orders with their error
code and message (``{"order_id", "number", "code", "message"}``) for the per-order kinds.
"""

from __future__ import annotations

from tradelane.core import jobs
from tradelane.core.errors import DomainError

from . import importing, services  # importing registers its own kind, "orders.import"
from .models import Order
from .states import OrderStatus as S

MAX_ERRORS = 20

APPROVE = "orders.approve"
REVIEW = "orders.review"
INVALID = "orders.invalid"
ALLOCATE = "orders.allocate"
KINDS = (APPROVE, REVIEW, INVALID, ALLOCATE, importing.JOB_KIND)


def _ids(params: dict) -> list[int]:
    return sorted({int(i) for i in params.get("order_ids") or []})


def _slices(ids: list[int], parts: int = 20, least: int = 50) -> list[list[int]]:
    """Cut ``ids`` into about ``parts`` slices of at least ``least`` ids (bulk paths stay bulk)."""
    size = max(least, -(-len(ids) // parts)) if ids else 1
    return [ids[i : i + size] for i in range(0, len(ids), size)]


def _bulk(service, actor, params, progress) -> dict:
    ids = _ids(params)
    totals: dict[str, int] = {}
    done = 0
    progress(0, len(ids))
    for part in _slices(ids):
        for key, value in service(actor, part).items():
            totals[key] = totals.get(key, 0) + value
        done += len(part)
        progress(done, len(ids))
    return totals


@jobs.kind(REVIEW)
def review(actor, params: dict, progress) -> dict:
    """Re-run every review rule on the orders."""
    return _bulk(services.review_orders, actor, params, progress)


@jobs.kind(ALLOCATE)
def allocate(actor, params: dict, progress) -> dict:
    """Allocate approved and pending-purchase orders to a warehouse and reserve their stock."""
    return _bulk(services.allocate_orders, actor, params, progress)


def _one_by_one(actor, params, progress, to_status: str, ok_key: str) -> dict:
    ids = _ids(params)
    reason = str(params.get("reason") or "")
    result: dict = {ok_key: 0, "refused": 0, "errors": []}
    progress(0, len(ids))
    done = 0
    for part in _slices(ids, least=10):
        for order in Order.objects.filter(pk__in=part).order_by("id"):
            if order.status == to_status:
                result["refused"] += 1
                _note(result, order, "already_in_state", f"already {to_status}")
                continue
            try:
                services.change_status(actor, order, to_status, reason)
            except DomainError as exc:
                result["refused"] += 1
                _note(result, order, exc.code, exc.message)
            else:
                result[ok_key] += 1
        done += len(part)
        progress(done, len(ids))
    return result


def _note(result: dict, order: Order, code: str, message: str) -> None:
    if len(result["errors"]) < MAX_ERRORS:
        result["errors"].append(
            {
                "order_id": order.pk,
                "number": str(order),
                "code": code,
                "message": message,
                "status": order.status,
            }
        )


@jobs.kind(APPROVE)
def approve(actor, params: dict, progress) -> dict:
    """Approve orders by hand (after a call to the buyer, for example)."""
    return _one_by_one(actor, params, progress, S.APPROVED, "approved")


@jobs.kind(INVALID)
def mark_invalid(actor, params: dict, progress) -> dict:
    """Mark orders invalid (fraud, duplicate); ``params["reason"]`` is required."""
    return _one_by_one(actor, params, progress, S.INVALID, "invalid")
