"""Reads of orders, taking the acting user (portal users will be scoped here later)."""

from __future__ import annotations

from datetime import date, datetime

from django.db.models import Count, Q, QuerySet

from tradelane.accounts.permissions import require
from tradelane.accounts.roles import P
from tradelane.core.errors import NotFound
from tradelane.core.states import history
from tradelane.inventory.services import held

from .allocation import SOURCE
from .models import Order, Package, Store
from .states import OPEN_STATES, OrderStatus


def orders_for(
    user,
    *,
    status: str | None = None,
    store_id: int | None = None,
    country: str | None = None,
    q: str | None = None,
    placed_from: date | datetime | None = None,
    placed_to: date | datetime | None = None,
    stopped: bool = False,
) -> QuerySet[Order]:
    """``stopped``: only open orders the automation stopped (``orders.automation``)."""
    require(user, P.ORDER_VIEW)
    qs = Order.objects.select_related("store", "warehouse")
    if stopped:
        qs = qs.filter(automation_stopped_at__isnull=False, status__in=OPEN_STATES)
    if status:
        qs = qs.filter(status=status)
    if store_id:
        qs = qs.filter(store_id=store_id)
    if country:
        qs = qs.filter(ship_country=country.upper())
    if q:
        q = q.strip()
        match = (
            Q(number__icontains=q)
            | Q(external_id__icontains=q)
            | Q(buyer_name__icontains=q)
            | Q(buyer_email__icontains=q)
            | Q(ship_name__icontains=q)
        )
        bare = q.lstrip("#").strip()
        if bare and bare != q:  # "#1025" also finds a store that numbers its orders "1025"
            match |= Q(number__icontains=bare) | Q(external_id__icontains=bare)
        qs = qs.filter(match)
    if placed_from:
        qs = qs.filter(placed_at__date__gte=placed_from)
    if placed_to:
        qs = qs.filter(placed_at__date__lte=placed_to)
    return qs.order_by("-placed_at", "-id")


def status_counts(user) -> dict[str, int]:
    require(user, P.ORDER_VIEW)
    counts = dict.fromkeys(OrderStatus.values, 0)
    for row in Order.objects.values("status").annotate(n=Count("id")):
        counts[row["status"]] = row["n"]
    return counts


def order_detail(user, order_id: int) -> Order:
    require(user, P.ORDER_VIEW)
    order = (
        Order.objects.select_related("store", "warehouse")
        .prefetch_related("lines__sku")
        .filter(pk=order_id)
        .first()
    )
    if order is None:
        raise NotFound(f"Order {order_id} does not exist", code="order_not_found")
    return order


def stopped_count(user) -> int:
    """Open orders the automation stopped (the workbench's badge), one count."""
    require(user, P.ORDER_VIEW)
    return Order.objects.filter(automation_stopped_at__isnull=False, status__in=OPEN_STATES).count()


def order_history(user, order: Order):
    require(user, P.ORDER_VIEW)
    return history(order)


def order_reservations(user, order: Order) -> dict[tuple[int, int], int]:
    """{(sku_id, warehouse_id): reserved units} this order holds now."""
    require(user, P.ORDER_VIEW)
    return held(SOURCE, [str(order.pk)]).get(str(order.pk), {})


def order_packages(user, order: Order) -> QuerySet[Package]:
    require(user, P.ORDER_VIEW)
    return (
        Package.objects.filter(lines__order_line__order=order)
        .distinct()
        .select_related("warehouse")
        .prefetch_related("lines__order_line")
    )


def stores_for(user) -> QuerySet[Store]:
    require(user, P.ORDER_VIEW)
    return Store.objects.order_by("name")


def currencies_without_rate(base: str) -> list[dict]:
    """Open orders' currencies with no exchange rate to the company's ``base`` currency (either
    way round): ``[{"currency", "orders"}]``. Their high-value check is skipped until the rate
    exists: a configuration alert for the home page, in one query."""
    from tradelane.core.models import FxRate

    rows = (
        Order.objects.filter(status__in=OPEN_STATES)
        .exclude(currency=base)
        .exclude(currency__in=FxRate.objects.filter(quote=base).values("base"))
        .exclude(currency__in=FxRate.objects.filter(base=base).values("quote"))
        .order_by("currency")
        .values_list("currency")
        .annotate(n=Count("id"))
    )
    return [{"currency": c, "orders": n} for c, n in rows if c]
