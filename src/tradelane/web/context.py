"""Navigation by role for the base template."""

from __future__ import annotations

from tradelane.accounts.roles import P


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav": []}
    items = []
    if user.has_perm(P.ORDER_VIEW):
        items.append(("web:orders", "orders"))
    if user.has_perm(P.PRODUCT_VIEW):
        items.append(("web:products", "products"))
    if user.has_perm(P.STOCK_VIEW):
        items.append(("web:stock", "stock"))
    return {"nav": items}
