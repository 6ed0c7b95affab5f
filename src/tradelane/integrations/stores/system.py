"""The system user that syncs and webhooks act as (audit rows and state events name it)."""

from __future__ import annotations

from tradelane.accounts.roles import P
from tradelane.accounts.system_users import system_user

USERNAME = "system.stores"
# ORDER_CHANGE: the privacy webhooks redact buyers' data (orders.services.redact_buyer_data)
PERMISSIONS = (P.ORDER_VIEW, P.ORDER_ADD, P.ORDER_CHANGE, P.ORDER_REVIEW, P.ORDER_CANCEL)


def system_actor():
    return system_user(USERNAME, "Store sync", PERMISSIONS)
