"""Rate-shop reads shared by pages and other sub-packages.

A kept choice is current while the parcel it priced still exists: a package's choice while
the package is open, an order's own choice while the order is in no open package. A choice
made before a merge or split priced a parcel that is gone; shipments never use it, and the
pages do not show it.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from tradelane.orders.models import Package, PackageLine

from .models import RateChoice


def current_choices() -> QuerySet[RateChoice]:
    """The choices that price a parcel which still exists (see the module docstring)."""
    packaged = PackageLine.objects.filter(package__status=Package.Status.OPEN).values(
        "order_line__order_id"
    )
    return RateChoice.objects.filter(
        Q(package__status=Package.Status.OPEN)
        | (Q(package__isnull=True) & ~Q(order_id__in=packaged))
    )
