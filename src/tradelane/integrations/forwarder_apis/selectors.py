"""Who is calling: the credential behind an ECCANG appToken/appKey or a Hualei username and
password (or the customer_id / customer_userid pair that Hualei's selectAuth hands out)."""

from __future__ import annotations

import hashlib
import hmac

from django.conf import settings

from .models import VendorCredential
from .services import digest


def _live(vendor: str, **lookup) -> VendorCredential | None:
    return (
        VendorCredential.objects.select_related("customer", "user")
        .filter(vendor=vendor, active=True, user__is_active=True, **lookup)
        .first()
    )


def authenticate(vendor: str, identifier: str, secret: str) -> VendorCredential | None:
    """The active credential with this identifier and secret, else None."""
    identifier, secret = (identifier or "").strip(), (secret or "").strip()
    if not identifier or not secret:
        return None
    cred = _live(vendor, identifier=identifier)
    if cred is None or not hmac.compare_digest(cred.secret_digest, digest(secret)):
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
    cred = _live(vendor, pk=int(customer_id))
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
