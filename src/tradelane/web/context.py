"""For the base template: navigation by role (only what the user's permissions allow) and the
banners that tell admins what the installation is missing."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from tradelane.accounts.roles import HUB_DRIVER, PORTAL_AGENT, PORTAL_CUSTOMER, P, roles_of
from tradelane.logistics.documents import fonts

from . import labels

# (url name, label, permission or None, key for the "g <key>" shortcut)
NAV = (
    ("web:home", _("Home"), None, "h"),
    ("web:orders", _("Order workbench"), P.ORDER_VIEW, "o"),
    ("web:products", _("Products"), P.PRODUCT_VIEW, "p"),
    ("web:stock", _("Stock"), P.STOCK_VIEW, "s"),
    # any one of these permissions shows the entry
    (
        "web:io",
        _("Import & export"),
        (P.ORDER_ADD, P.PRODUCT_ADD, P.PRODUCT_CHANGE, P.STOCK_ADJUST, P.STOCK_RECEIVE),
        "i",
    ),
    ("web:shipping", pgettext_lazy("nav", "Shipping"), P.SHIPMENT_VIEW, "f"),
    ("web:tracking", _("Tracking"), P.TRACKING_READ, "t"),
    ("web:channels", _("Channels"), P.CHANNEL_VIEW, "c"),
    ("web:dispatch", _("Dispatch center"), P.DISPATCH_VIEW, "d"),
    ("web:stores", _("Stores"), (P.DISPATCH_VIEW, P.STORE_MANAGE), "m"),
    ("web:provider_customers", _("Customers"), P.PARTNER_VIEW, "k"),
    ("web:portal", _("Customer portal"), P.WAYBILL_VIEW, "w"),
    ("web:departures", _("Freight space and pickups"), P.PARTNER_VIEW, "b"),
    ("web:pickup_driver", _("My pickups"), P.PICKUP_DRIVE, "r"),
    ("web:hub_scan", _("Inbound scan"), P.HUB_RECEIVE, "e"),
    ("web:hub_bags", _("Bags and dispatches"), (P.HUB_RECEIVE, P.HUB_DISPATCH), "l"),
    ("web:lastmile", _("Last-mile switch"), P.HUB_RECEIVE, "z"),
    ("web:customs", pgettext_lazy("nav", "Customs"), P.CUSTOMS_VIEW, "x"),
    ("web:finance_payables", _("Upstream bills"), P.PAYABLE_VIEW, "u"),
    ("web:commissions", _("Commissions"), P.COMMISSION_VIEW, "y"),
    ("web:finance_credit", _("Balances and credit"), P.LEDGER_VIEW, "j"),
    ("web:finance_statements", _("Statements"), P.STATEMENT_VIEW, "q"),
)

# a portal user (a provider's customer or agent) sees the portal only
PORTAL_NAV = (
    ("web:portal", _("Workspace"), None, "h"),
    ("web:portal_waybills", _("Waybills"), None, "w"),
    ("web:portal_waybill_new", _("New waybill"), P.WAYBILL_ADD, "n"),
    ("web:io", _("Bulk upload"), P.WAYBILL_ADD, "i"),
    ("web:departures", _("Freight space"), None, "b"),
    ("web:pickups", _("Pickups"), None, "u"),
    ("web:portal_prices", _("Price lists"), None, "p"),
    ("web:portal_statements", _("Statements"), None, "s"),
    ("web:portal_api", _("Open API"), None, "a"),
    ("web:portal_commissions", _("Commission statements"), None, "y"),  # an agent's only
    ("web:portal_balance", _("Balance"), None, "v"),
)

# the Settings menu: (url name, label, permission or any of several)
SETTINGS_NAV = (
    ("web:users", _("Users and roles"), P.USERS_MANAGE),
    ("web:company", _("Company profile"), P.COMPANY_MANAGE),
    ("web:blocked_buyers", _("Blocked buyers"), P.ORDER_REVIEW),
    ("web:warehouses", _("Warehouses"), P.WAREHOUSE_MANAGE),
    ("web:stock_operations", _("Stock adjustments and transfers"),
     (P.STOCK_RECEIVE, P.STOCK_ADJUST, P.STOCK_TRANSFER)),
    ("web:product_new", _("New product"), P.PRODUCT_ADD),
    ("web:login_lockouts", _("Login lockouts"), P.USERS_MANAGE),
)  # fmt: skip


def is_portal_role(user) -> bool:
    """A provider's customer or agent (its roles are read once per request anyway)."""
    return bool({PORTAL_CUSTOMER, PORTAL_AGENT} & set(roles_of(user)))


def _may(user, perm) -> bool:
    perms = perm if isinstance(perm, tuple) else (perm,) if perm else ()
    return not perms or any(user.has_perm(p) for p in perms)


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav": []}
    path = request.path
    portal_user = is_portal_role(user)
    items = []
    for name, label, perm, key in PORTAL_NAV if portal_user else NAV:
        if not _may(user, perm):
            continue
        if name == "web:pickup_driver" and HUB_DRIVER not in roles_of(user):
            continue  # a driver's own list: not for the admin, who holds every permission
        if name == "web:portal_commissions" and PORTAL_AGENT not in roles_of(user):
            continue  # an agent's commission statements: not a customer's
        url = reverse(name)
        active = path == url if url in ("/", "/portal/") else path.startswith(url)
        if name == "web:portal_waybills" and path.startswith(reverse("web:portal_waybill_new")):
            active = False
        items.append({"name": name, "url": url, "label": label, "active": active, "key": key})
    if portal_user:
        return {"nav": items, "settings_nav": [], "portal_user": True,
                "user_roles": [labels.ROLE.get(r, r) for r in roles_of(user)]}  # fmt: skip
    settings_items = [
        {"url": reverse(name), "label": label, "active": path.startswith(reverse(name))}
        for name, label, perm in SETTINGS_NAV
        if _may(user, perm)
    ]
    return {
        "nav": items,
        "settings_nav": settings_items,
        # a settings page under another entry's address (stock operations) lights that entry
        "settings_active": path.startswith("/settings/"),
        "user_roles": [labels.ROLE.get(r, r) for r in roles_of(user)],
    }


def installation_warnings(request):
    """Banners for admins (who may manage the company) about the installation itself: a missing
    CJK font blanks the Chinese text of every PDF for readers without one."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not user.has_perm(P.COMPANY_MANAGE):
        return {}
    if not fonts.missing_cjk_font():
        return {}
    return {
        "installation_warnings": [
            _(
                "This server has no Chinese (CJK) font for PDFs: labels, invoices and customs "
                "forms show their Chinese text blank in PDF readers without one. Install it on "
                "the server (%(command)s) or set %(setting)s to a font file, then restart "
                "Tradelane."
            )
            % {"command": fonts.INSTALL_COMMAND, "setting": fonts.ENV_VAR}
        ]
    }
