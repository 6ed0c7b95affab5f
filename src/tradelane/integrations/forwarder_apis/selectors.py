"""Who is calling: the credential behind an ECCANG appToken/appKey or a Hualei username and
password (or the customer_id / customer_userid pair that Hualei's selectAuth hands out).

An ERP calls many times a second with the same credential, and building the credential, its
user (with the user's permissions) and its customer through the ORM cost about 5 ms of CPU per
call (``benchmarks/provider.py``, ``eccang_create``): the credential lookup, the user's and
groups' permissions that ``require`` loads, the portal membership that scoping reads. So the
objects are kept per process, keyed by the credential, together with the rows they were built
from. Every call still reads those rows, in one plain query (``FINGERPRINT``): the credential,
its user, customer, customer level and portal membership, and the ids of the user's groups, of
its own permissions and of its groups' permissions. Only when all of them are as they were are
the kept objects used (as copies, one per call); any change (revoked, a new key, the user
deactivated or given another role, the customer suspended or edited) is seen on the very next
call, in every process. The secret is checked against the stored digest on every call.
"""

from __future__ import annotations

import copy
import hashlib
import hmac
import threading

from django.conf import settings
from django.db import connection

from .models import VendorCredential
from .services import digest

# (vendor, "identifier" | "pk", value) -> (the rows as read, the credential built from them)
_KEPT: dict[tuple[str, str, object], tuple[tuple, VendorCredential]] = {}
_KEPT_MAX = 2048
_LOCK = threading.Lock()
_SQL: dict[tuple[str, str], str] = {}


def _live(vendor: str, **lookup) -> VendorCredential | None:
    return (
        VendorCredential.objects.select_related("customer__level", "user")
        .filter(vendor=vendor, active=True, user__is_active=True, **lookup)
        .first()
    )


def _fingerprint_sql(by: str) -> str:
    """One statement reading everything the kept objects were built from (``by``: the
    credential's ``identifier`` or ``id``)."""
    key = (connection.vendor, by)
    if key not in _SQL:
        from django.contrib.auth import get_user_model
        from django.contrib.auth.models import Group

        from tradelane.forwarding.partners.models import CustomerAccount, PortalMembership

        user = get_user_model()
        q = connection.ops.quote_name
        t = {
            "c": VendorCredential._meta.db_table, "u": user._meta.db_table,
            "cu": CustomerAccount._meta.db_table,
            "lv": CustomerAccount._meta.get_field("level").related_model._meta.db_table,
            "m": PortalMembership._meta.db_table, "ug": user.groups.through._meta.db_table,
            "up": user.user_permissions.through._meta.db_table,
            "gp": Group.permissions.through._meta.db_table,
        }  # fmt: skip
        t = {k: q(v) for k, v in t.items()}
        if connection.vendor == "postgresql":

            def ids(col):
                return f"string_agg(CAST({col} AS text), ',' ORDER BY {col})"
        else:  # the order may differ between reads: that is a miss, never a wrong hit

            def ids(col):
                return f"group_concat({col})"

        _SQL[key] = (
            f"SELECT c.*, u.*, cu.*, lv.*, m.id, m.customer_id, m.agent_id, "
            f"(SELECT {ids('ug.group_id')} FROM {t['ug']} ug WHERE ug.user_id = u.id), "
            f"(SELECT {ids('up.id')} FROM {t['up']} up WHERE up.user_id = u.id), "
            f"(SELECT {ids('gp.id')} FROM {t['gp']} gp JOIN {t['ug']} ug2 "
            f"ON ug2.group_id = gp.group_id WHERE ug2.user_id = u.id) "
            f"FROM {t['c']} c JOIN {t['u']} u ON u.id = c.user_id "
            f"JOIN {t['cu']} cu ON cu.id = c.customer_id JOIN {t['lv']} lv ON lv.id = cu.level_id "
            f"LEFT JOIN {t['m']} m ON m.user_id = u.id "
            f"WHERE c.vendor = %s AND c.{q(by)} = %s"
        )
    return _SQL[key]


def _fresh_copy(cred: VendorCredential) -> VendorCredential:
    """The kept credential as this call's own objects (its user keeps the permissions and the
    membership read with it)."""
    out = copy.copy(cred)
    out.user, out.customer = copy.copy(cred.user), copy.copy(cred.customer)
    return out


def _credential(vendor: str, by: str, value) -> tuple[VendorCredential | None, str]:
    """The live credential (``active``, its user active) and its stored digest."""
    with connection.cursor() as cur:
        cur.execute(_fingerprint_sql(by), [vendor, value])
        row = cur.fetchone()
    if row is None:
        return None, ""
    key = (vendor, by, value)
    kept = _KEPT.get(key)
    if kept is not None and kept[0] == row:
        return _fresh_copy(kept[1]), kept[1].secret_digest
    cred = _live(vendor, **{by: value})
    if cred is None:
        with _LOCK:
            _KEPT.pop(key, None)
        return None, ""
    # what scoping and the permission checks read, loaded once with the objects kept
    from tradelane.forwarding.partners import scoping

    cred.user.get_all_permissions()
    scoping.membership(cred.user)
    with _LOCK:
        if len(_KEPT) >= _KEPT_MAX:
            _KEPT.clear()
        _KEPT[key] = (row, cred)
    return _fresh_copy(cred), cred.secret_digest


def authenticate(vendor: str, identifier: str, secret: str) -> VendorCredential | None:
    """The active credential with this identifier and secret, else None."""
    identifier, secret = (identifier or "").strip(), (secret or "").strip()
    if not identifier or not secret:
        return None
    cred, stored = _credential(vendor, "identifier", identifier)
    if cred is None or not hmac.compare_digest(stored, digest(secret)):
        return None
    return cred


def user_token(cred: VendorCredential) -> str:
    """Hualei's ``customer_userid``: what every later call of the ERP carries instead of the
    password, so it is an HMAC of the credential (it changes when the password does)."""
    key = settings.SECRET_KEY.encode()
    raw = f"forwarder_apis.hualei:{cred.pk}:{cred.secret_digest}".encode()
    return hmac.new(key, raw, hashlib.sha256).hexdigest()[:32]


def by_user_token(vendor: str, customer_id: str, token: str) -> VendorCredential | None:
    customer_id, token = str(customer_id or "").strip(), str(token or "").strip()
    if not customer_id.isdigit() or not token:
        return None
    cred, _stored = _credential(vendor, "id", int(customer_id))
    if cred is None or not hmac.compare_digest(user_token(cred), token):
        return None
    return cred


def for_customer(customer):
    """Every credential of ``customer`` (revoked ones too), newest first."""
    return (
        VendorCredential.objects.filter(customer=customer)
        .select_related("user", "created_by")
        .order_by("-created_at", "-pk")
    )
