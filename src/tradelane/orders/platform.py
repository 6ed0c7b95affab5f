"""Applying orders from a sales platform (webhooks, pulls): upsert so that deliveries converge.

``apply_platform_orders(actor, store, orders)`` takes platform-neutral order dicts (the shape of
``orders.importing`` plus ``platform_updated_at``, ``cancelled`` and ``platform_status``, see
``integrations/stores/contract.py``) and, set-based:

1. drops every order whose ``platform_updated_at`` is not newer than the one we stored (an
   ``orders/create`` arriving after ``orders/updated`` changes nothing: ``stale``); of two
   versions of one order in the same batch, the newer wins;
2. drops orders not seen before whose payment status is not in ``import_statuses`` (when
   given): ``filtered``;
3. hands the rest to ``importing.import_orders`` (the one importer: new orders are created in
   pending review and reviewed, changed ones updated while still reviewable, same content is
   unchanged, unique (store, external id) so nothing is ever duplicated);
4. stamps ``platform_updated_at`` and the payment status (a refund changes it also on an order
   already shipped), in one statement per row set;
5. cancels the orders the platform cancelled, when they can still be cancelled (one service
   call per cancelled order: cancellations are rare and release reservations);
6. records orders the platform ships itself (``fulfilled_by_platform``, e.g. Amazon FBA) as
   shipped from the store's ``platform_warehouse`` (``services.record_platform_fulfilled``: no
   allocation, no stock movement). They are imported without review (nothing for our team to
   check); stale versions count too, so a reconciliation after the warehouse is configured
   picks up the ones left in review.

All in one transaction with the store's row locked, so two workers applying versions of the
same order one after the other cannot interleave (stale check and write are atomic).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from tradelane.accounts.permissions import require
from tradelane.accounts.roles import P
from tradelane.core.bulk import update_rows
from tradelane.core.errors import DomainError
from tradelane.core.states import transition

from . import importing
from .models import Order, Store
from .states import PLATFORM_FULFILLED_TRANSITIONS, TRANSITIONS, PaymentStatus
from .states import OrderStatus as S

# An invalid order cancelled on the platform is reopened, then cancelled (the table has no
# invalid -> cancelled edge).
CANCELLABLE = frozenset(
    [S.INVALID, *(s for s, targets in TRANSITIONS.items() if S.CANCELLED in targets)]
)


@dataclass
class ApplyReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    stale: int = 0
    filtered: int = 0
    rejected: int = 0
    cancelled: int = 0
    payment_changed: int = 0
    platform_fulfilled: int = 0  # recorded as shipped by the platform (FBA)
    errors: list[dict] = field(default_factory=list)  # rejected rows and refused cancellations
    order_ids: dict[str, int] = field(default_factory=dict)  # external id -> order id

    def as_dict(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if k != "order_ids"}


def _moment(value: Any) -> datetime | None:
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, str) and value:
        try:
            moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        except ValueError:
            return None
    else:
        return None
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment, timezone.get_default_timezone())
    return moment


def apply_platform_orders(
    actor,
    store: Store,
    orders: list[dict],
    *,
    source: str = "",
    import_statuses: list[str] | None = None,
    platform_warehouse: str = "",
) -> ApplyReport:
    require(actor, P.ORDER_ADD)
    report = ApplyReport()
    # 1. the newest version of each order in the batch
    newest: dict[str, tuple[datetime | None, dict]] = {}
    for raw in orders:
        ext = str(raw.get("external_id") or "").strip()
        moment = _moment(raw.get("platform_updated_at"))
        kept = newest.get(ext)
        if kept is not None and (moment is None or (kept[0] is not None and kept[0] >= moment)):
            report.stale += 1
            continue
        if kept is not None:
            report.stale += 1
        newest[ext] = (moment, {**raw, "store": store.code, "external_id": ext})
    if not newest:
        return report

    with transaction.atomic():
        Store.objects.select_for_update().filter(pk=store.pk).first()  # one applier per store
        existing = {
            ext: (pk, status, payment, stamp)
            for ext, pk, status, payment, stamp in Order.objects.filter(
                store=store, external_id__in=list(newest)
            ).values_list("external_id", "id", "status", "payment_status", "platform_updated_at")
        }
        fresh: list[dict] = []
        for ext, (moment, raw) in newest.items():
            found = existing.get(ext)
            if (
                found is not None
                and found[3] is not None
                and (moment is None or moment <= found[3])
            ):
                report.stale += 1
                report.order_ids[ext] = found[0]
                continue
            if (
                found is None
                and import_statuses is not None
                and str(raw.get("payment_status") or "paid") not in import_statuses
            ):
                report.filtered += 1
                continue
            fresh.append(raw)
        if not fresh:
            _platform_fulfilled(actor, store, newest, platform_warehouse, report)
            return report

        by_us = [r for r in fresh if not r.get("fulfilled_by_platform")]
        by_platform = [r for r in fresh if r.get("fulfilled_by_platform")]
        for rows, review in ((by_us, True), (by_platform, False)):
            if not rows:
                continue
            result = importing.import_orders(
                actor, rows, source=source or store.platform, review=review
            )
            report.created += result.created
            report.updated += result.updated
            report.unchanged += result.unchanged
            report.rejected += result.rejected
            for row in result.rows:
                if row["result"] == importing.REJECTED:
                    report.errors.append(
                        {"external_id": row["external_id"], "errors": row["errors"]}
                    )
        # 4. stamp the platform time and the payment status of every order that landed
        landed = {
            ext: (pk, status, payment)
            for ext, pk, status, payment in Order.objects.filter(
                store=store, external_id__in=[r["external_id"] for r in fresh]
            ).values_list("external_id", "id", "status", "payment_status")
        }
        stamps = []
        payments: dict[str, list[int]] = defaultdict(list)
        to_cancel: list[tuple[int, str]] = []
        for raw in fresh:
            ext = raw["external_id"]
            if ext not in landed:
                continue  # rejected
            pk, status, payment = landed[ext]
            report.order_ids[ext] = pk
            stamps.append((newest[ext][0], pk))
            wanted = str(raw.get("payment_status") or "").strip().lower()
            if wanted in PaymentStatus.values and wanted != payment:
                payments[wanted].append(pk)
            if raw.get("cancelled") and status != S.CANCELLED:
                to_cancel.append((pk, status))
        update_rows(Order, ("platform_updated_at",), stamps)
        for wanted, ids in payments.items():
            report.payment_changed += Order.objects.filter(pk__in=ids).update(
                payment_status=wanted, updated_at=timezone.now()
            )
        # 5. cancellations
        if to_cancel:
            from .services import cancel_order

            for pk, status in to_cancel:
                if status not in CANCELLABLE:
                    report.errors.append(
                        {
                            "order_id": pk,
                            "errors": [
                                {
                                    "code": "not_cancellable",
                                    "message": f"cancelled on the platform but {status} here",
                                }
                            ],
                        }
                    )
                    continue
                try:
                    with transaction.atomic():
                        order = Order.objects.get(pk=pk)
                        if order.status == S.INVALID:
                            transition(
                                order, S.PENDING_REVIEW, table=TRANSITIONS, actor=actor,
                                reason="cancelled on the platform",
                            )  # fmt: skip
                        cancel_order(actor, order, "cancelled on the platform")
                    report.cancelled += 1
                except DomainError as exc:
                    report.errors.append({"order_id": pk, "errors": [exc.as_dict()]})
        # 6. orders the platform ships itself
        _platform_fulfilled(actor, store, newest, platform_warehouse, report)
    return report


def _platform_fulfilled(actor, store, newest, warehouse_code: str, report: ApplyReport) -> None:
    wanted = [
        ext
        for ext, (_moment, raw) in newest.items()
        if raw.get("fulfilled_by_platform") and not raw.get("cancelled")
    ]
    if not wanted:
        return
    ids = list(
        Order.objects.filter(
            store=store, external_id__in=wanted, status__in=list(PLATFORM_FULFILLED_TRANSITIONS)
        ).values_list("id", flat=True)
    )
    if not ids:
        return
    if not warehouse_code:
        report.errors.append(
            {
                "order_ids": ids,
                "errors": [
                    {
                        "code": "platform_warehouse_missing",
                        "message": "fulfilled by the platform, but the store names no "
                        "platform warehouse: left in review",
                    }
                ],
            }
        )
        return
    from .services import record_platform_fulfilled

    try:
        with transaction.atomic():
            report.platform_fulfilled += record_platform_fulfilled(
                actor, ids, warehouse_code, "fulfilled by the platform"
            )
    except DomainError as exc:
        report.errors.append({"order_ids": ids, "errors": [exc.as_dict()]})
