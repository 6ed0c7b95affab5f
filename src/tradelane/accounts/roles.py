"""Roles are Django groups with a fixed set of permissions; both the API and the UI check them.

Permission names live here as constants so that the API, the UI and the tests name the same
thing. ``sync_roles`` (run after every migrate) creates the groups and sets their permissions.
"""

from __future__ import annotations


class P:
    """Permission names (``app_label.codename``)."""

    ORDER_VIEW = "orders.view_order"
    ORDER_ADD = "orders.add_order"  # create and import orders
    ORDER_CHANGE = "orders.change_order"  # edit address, lines, notes
    ORDER_REVIEW = "orders.review_order"  # run review, approve, invalid, pending contact
    ORDER_ALLOCATE = "orders.allocate_order"
    ORDER_MERGE_SPLIT = "orders.merge_split_order"
    ORDER_CANCEL = "orders.cancel_order"
    STORE_MANAGE = "orders.change_store"  # stores, connections, customs numbers (IOSS/VAT/EORI)
    STORE_SKU_MAP = "orders.change_storeskumapping"  # map store SKUs to ours (bundles too)
    PRODUCT_VIEW = "catalog.view_product"
    PRODUCT_ADD = "catalog.add_product"
    PRODUCT_CHANGE = "catalog.change_product"
    STOCK_VIEW = "inventory.view_stock"
    STOCK_RECEIVE = "inventory.receive_stock"
    STOCK_ADJUST = "inventory.adjust_stock"
    STOCK_TRANSFER = "inventory.transfer_stock"
    WAREHOUSE_MANAGE = "inventory.change_warehouse"
    REPORTS_VIEW = "orders.view_reports"
    USERS_MANAGE = "accounts.manage_users"
    COMPANY_MANAGE = "accounts.manage_company"
    CHANNEL_VIEW = "logistics.view_channel"  # channels, rate sheets, quotes, rules (read)
    CHANNEL_CHANGE = "logistics.change_channel"  # create and edit channels, rules, thresholds
    RATESHEET_CHANGE = "logistics.change_ratesheet"  # create, import and edit rate sheets
    SHIPMENT_VIEW = "logistics.view_shipment"  # shipments, labels, manifests, tracking (read)
    SHIP = "logistics.ship"  # create shipments, hand them over
    SHIPMENT_CANCEL = "logistics.cancel_shipment"  # cancel shipments (voids carrier labels)
    RATE_SHOP = "logistics.rate_shop"  # rate-shop orders and parcels (keeps the choices)
    MANIFEST_CLOSE = "logistics.close_manifest"  # close the day's manifest of a channel
    TRACKING_READ = "logistics.view_trackingevent"  # tracking search, timelines, an order's parcels
    TRACKING_VIEW = "logistics.view_trackingexception"  # the tracking exception queue (read)
    TRACKING_MANAGE = "logistics.manage_tracking"  # resolve exceptions, manual events, last mile
    DISPATCH_VIEW = "stores.view_storeconnection"  # the dispatch center (read)
    DISPATCH_OPERATE = "stores.change_storeconnection"  # sync now, push stock, retry, replay
    # the provider side (forwarding app)
    PARTNER_VIEW = "forwarding.view_customeraccount"  # customers, levels, agents, lines (read)
    PARTNER_MANAGE = "forwarding.change_customeraccount"  # create and edit partners, portal users
    ALL_CUSTOMERS = "forwarding.view_all_customers"  # every customer, not only one's own (sales)
    WAYBILL_VIEW = "forwarding.view_waybill"  # waybills, labels, tracking (read)
    WAYBILL_ADD = "forwarding.add_waybill"  # create waybills for a customer
    WAYBILL_CHANGE = "forwarding.change_waybill"  # edit, cancel, intercept
    HUB_RECEIVE = "forwarding.receive_waybill"  # inbound scan and weigh at the hub
    PORTAL_USE = "forwarding.use_portal"  # the customer or agent portal (own account only)
    PICKUP_DISPATCH = "forwarding.dispatch_pickuptask"  # driver areas, assign and reassign pickups
    PICKUP_DRIVE = "forwarding.drive_pickuptask"  # a driver's own pickup stops: collect, report
    PROBLEM_HANDLE = "forwarding.handle_problemparcel"  # the problem queue and holds (问题件, 扣件)
    HUB_DISPATCH = "forwarding.dispatch_bag"  # dispatches: MAWB/truck, load scan, hand over
    CUSTOMS_VIEW = "forwarding.view_customsbatch"  # customs batches, exports, documents (read)
    CUSTOMS_DECLARE = "forwarding.declare_customs"  # make customs batches, hold and clear (报关)
    # money (finance app)
    FX_RATE_MANAGE = "core.change_fxrate"  # enter manual exchange rates
    LEDGER_VIEW = "finance.view_account"  # partners' account ledgers and balances (read)
    LEDGER_POST = "finance.post_ledgerentry"  # open accounts, post charges, receipts, credit notes
    FEE_VIEW = "finance.view_waybillfeeline"  # a waybill's fee lines and margin (read)
    FEE_ADJUST = "finance.adjust_waybillfeeline"  # manual fee lines, re-rating, statements
    PAYABLE_VIEW = "finance.view_upstreambill"  # upstream bills and their audit (read)
    PAYABLE_MANAGE = "finance.manage_upstreambill"  # import bills, accept/dispute, pay lines
    COMMISSION_VIEW = "finance.view_commissionstatement"  # agreements, statements, reports (read)
    COMMISSION_MANAGE = "finance.manage_commission"  # agreements, compute, confirm, settle, payouts
    CREDIT_MANAGE = "finance.manage_credit"  # release arrears holds by hand (欠费扣件放行)
    STATEMENT_VIEW = "finance.view_statement"  # statements, their disputes and receipts (read)
    STATEMENT_MANAGE = "finance.manage_statement"  # generate, issue, resolve disputes (对账单)
    RECEIPT_POST = "finance.add_receipt"  # record receipts and allocate them to statements


CUSTOMER_SERVICE = "customer_service"
PURCHASING = "purchasing"
LOGISTICS = "logistics"
WAREHOUSE = "warehouse"
SALES = "sales"
BOSS = "boss"
ADMIN = "admin"
# the provider's staff and its portal users
PROVIDER_SALES = "provider_sales"
PROVIDER_SERVICE = "provider_service"
HUB_OPERATOR = "hub_operator"
HUB_DRIVER = "hub_driver"
PROVIDER_FINANCE = "provider_finance"
PORTAL_CUSTOMER = "portal_customer"
PORTAL_AGENT = "portal_agent"

_VIEW_ALL = [P.ORDER_VIEW, P.PRODUCT_VIEW, P.STOCK_VIEW]

ROLE_PERMISSIONS: dict[str, list[str]] = {
    CUSTOMER_SERVICE: [
        *_VIEW_ALL, P.ORDER_ADD, P.ORDER_CHANGE, P.ORDER_REVIEW, P.ORDER_CANCEL,
        P.ORDER_MERGE_SPLIT, P.TRACKING_READ, P.TRACKING_VIEW,
    ],
    PURCHASING: [*_VIEW_ALL, P.PRODUCT_ADD, P.PRODUCT_CHANGE, P.STOCK_RECEIVE],
    LOGISTICS: [*_VIEW_ALL, P.ORDER_ALLOCATE, P.ORDER_MERGE_SPLIT, P.STOCK_TRANSFER,
                P.CHANNEL_VIEW, P.CHANNEL_CHANGE, P.RATESHEET_CHANGE, P.SHIPMENT_VIEW, P.SHIP,
                P.SHIPMENT_CANCEL, P.RATE_SHOP, P.MANIFEST_CLOSE, P.TRACKING_READ, P.TRACKING_VIEW,
                P.TRACKING_MANAGE, P.DISPATCH_VIEW, P.DISPATCH_OPERATE],
    WAREHOUSE: [*_VIEW_ALL, P.STOCK_RECEIVE, P.STOCK_ADJUST, P.STOCK_TRANSFER, P.SHIPMENT_VIEW,
                P.SHIP, P.TRACKING_READ],
    SALES: [*_VIEW_ALL, P.PRODUCT_CHANGE, P.STORE_SKU_MAP],
    # reads everything, writes nothing
    BOSS: [*_VIEW_ALL, P.REPORTS_VIEW, P.CHANNEL_VIEW, P.SHIPMENT_VIEW, P.TRACKING_READ,
           P.TRACKING_VIEW, P.DISPATCH_VIEW, P.PARTNER_VIEW, P.ALL_CUSTOMERS, P.WAYBILL_VIEW,
           P.CUSTOMS_VIEW, P.LEDGER_VIEW, P.FEE_VIEW, P.PAYABLE_VIEW, P.COMMISSION_VIEW,
           P.STATEMENT_VIEW],
    # sales: only the customers bound to them (forwarding.partners.scoping)
    PROVIDER_SALES: [P.CHANNEL_VIEW, P.PARTNER_VIEW, P.PARTNER_MANAGE, P.WAYBILL_VIEW,
                     P.WAYBILL_ADD],
    PROVIDER_SERVICE: [P.CHANNEL_VIEW, P.PARTNER_VIEW, P.ALL_CUSTOMERS, P.WAYBILL_VIEW,
                       P.WAYBILL_ADD, P.WAYBILL_CHANGE, P.TRACKING_READ, P.PICKUP_DISPATCH,
                       P.PROBLEM_HANDLE],
    HUB_OPERATOR: [P.PARTNER_VIEW, P.ALL_CUSTOMERS, P.WAYBILL_VIEW, P.HUB_RECEIVE,
                   P.PICKUP_DISPATCH, P.PROBLEM_HANDLE, P.HUB_DISPATCH, P.CUSTOMS_VIEW,
                   P.CUSTOMS_DECLARE],
    # a driver sees and acts on the pickup stops of its own routes only (bookings.pickup_tasks)
    HUB_DRIVER: [P.PICKUP_DRIVE],
    PROVIDER_FINANCE: [P.CHANNEL_VIEW, P.PARTNER_VIEW, P.ALL_CUSTOMERS, P.WAYBILL_VIEW,
                       P.FX_RATE_MANAGE, P.LEDGER_VIEW, P.LEDGER_POST, P.FEE_VIEW,
                       P.FEE_ADJUST, P.PAYABLE_VIEW, P.PAYABLE_MANAGE, P.COMMISSION_VIEW,
                       P.COMMISSION_MANAGE, P.CREDIT_MANAGE, P.STATEMENT_VIEW,
                       P.STATEMENT_MANAGE, P.RECEIPT_POST],
    # a portal user acts for one customer (or agent) account only: scoping.py decides which
    PORTAL_CUSTOMER: [P.PORTAL_USE, P.WAYBILL_VIEW, P.WAYBILL_ADD, P.WAYBILL_CHANGE],
    PORTAL_AGENT: [P.PORTAL_USE, P.WAYBILL_VIEW],
    ADMIN: [
        v for k, v in vars(P).items() if k.isupper()
    ],
}  # fmt: skip

ROLE_LABELS = {
    CUSTOMER_SERVICE: ("客服", "Customer service"),
    PURCHASING: ("采购", "Purchasing"),
    LOGISTICS: ("物流", "Logistics operations"),
    WAREHOUSE: ("仓库", "Warehouse"),
    SALES: ("销售", "Sales"),
    BOSS: ("老板", "Boss"),
    ADMIN: ("管理员", "Admin"),
    PROVIDER_SALES: ("业务员", "Provider sales"),
    PROVIDER_SERVICE: ("客服（物流商）", "Provider customer service"),
    HUB_OPERATOR: ("操作员（仓库）", "Hub operator"),
    HUB_DRIVER: ("司机（取件）", "Pickup driver"),
    PROVIDER_FINANCE: ("财务", "Provider finance"),
    PORTAL_CUSTOMER: ("客户门户", "Customer portal"),
    PORTAL_AGENT: ("代理门户", "Agent portal"),
}


def sync_roles() -> None:
    from django.contrib.auth.models import Group, Permission

    wanted = {p for perms in ROLE_PERMISSIONS.values() for p in perms}
    by_name: dict[str, Permission] = {}
    for perm in Permission.objects.select_related("content_type"):
        name = f"{perm.content_type.app_label}.{perm.codename}"
        if name in wanted:
            by_name[name] = perm
    missing = wanted - by_name.keys()
    if missing:
        # Permissions are created by post_migrate of their own apps; if some are not there yet
        # this runs again after the next app's post_migrate.
        return
    for role, perms in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=role)
        group.permissions.set([by_name[p] for p in perms])


def sync_roles_after_migrate(sender, **kwargs) -> None:
    sync_roles()


def roles_of(user) -> list[str]:
    if not getattr(user, "is_authenticated", False):
        return []
    if user.is_superuser:
        return [ADMIN]
    cached = getattr(user, "_tradelane_roles", None)
    if cached is None:
        cached = sorted(user.groups.values_list("name", flat=True))
        user._tradelane_roles = cached
    return cached
