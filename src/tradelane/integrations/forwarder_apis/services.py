"""Issuing and revoking the vendor credentials of a customer's ERP. The provider's staff
(``partners.manage``) issue them for a portal user of one customer in their scope; the secret
is returned once and only its digest is kept."""

from __future__ import annotations

import hashlib
import re
import secrets

from django.db import IntegrityError, transaction
from django.utils import timezone

from tradelane.accounts.permissions import require
from tradelane.accounts.roles import P
from tradelane.core import audit
from tradelane.core.errors import Conflict, NotFound, ValidationFailed
from tradelane.forwarding.partners import scoping

from .models import Vendor, VendorCredential

USERNAME = re.compile(r"^[A-Za-z0-9_.-]{3,40}$")


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def issue(
    actor, *, vendor: str, user, username: str = "", customer=None
) -> tuple[VendorCredential, str]:
    """New credentials for ``user``'s ERP: ECCANG gets a random ``appToken`` (the identifier)
    and ``appKey``; Hualei the ``username`` given and a random password. Returns the row and
    the secret, which is shown this once. Given ``customer`` (the staff page of one customer),
    ``user`` must be a portal user of that customer (anyone else is "not found")."""
    require(actor, P.PARTNER_MANAGE)
    if vendor not in Vendor.values:
        raise ValidationFailed(f"No vendor {vendor!r}", code="invalid_choice")
    member = scoping.membership(user) if user is not None else None
    if customer is not None and (member is None or member.customer_id != customer.pk):
        raise NotFound("No such portal user of this customer", code="portal_user_not_found")
    if member is None or not member.customer_id:
        raise ValidationFailed(
            "Vendor credentials act as the portal user of one customer",
            code="customer_portal_user_required",
        )
    if not scoping.customers(actor).filter(pk=member.customer_id).exists():
        raise NotFound(f"No customer {member.customer_id}", code="customer_not_found")
    if vendor == Vendor.ECCANG:
        identifier, secret = secrets.token_hex(16), secrets.token_hex(16)
    else:
        identifier, secret = (username or "").strip(), secrets.token_hex(12)
        if not USERNAME.match(identifier):
            raise ValidationFailed(
                "A Hualei username is 3 to 40 letters, digits, '.', '_' or '-'",
                code="invalid_username",
            )
    try:
        with transaction.atomic():
            cred = VendorCredential.objects.create(
                vendor=vendor, identifier=identifier, secret_digest=digest(secret),
                customer_id=member.customer_id, user=user, created_by=actor,
            )  # fmt: skip
            audit.record(actor, "forwarder_api.credential_issue", cred,
                         {"vendor": vendor, "identifier": identifier, "user": user.pk})  # fmt: skip
    except IntegrityError:
        raise Conflict(f"The username {identifier} is taken", code="username_taken") from None
    return cred, secret


def revoke(actor, cred: VendorCredential) -> VendorCredential:
    require(actor, P.PARTNER_MANAGE)
    if not scoping.customers(actor).filter(pk=cred.customer_id).exists():
        raise NotFound(f"No customer {cred.customer_id}", code="customer_not_found")
    with transaction.atomic():
        VendorCredential.objects.filter(pk=cred.pk).update(active=False,
                                                           revoked_at=timezone.now())  # fmt: skip
        cred.refresh_from_db()
        audit.record(actor, "forwarder_api.credential_revoke", cred, {"vendor": cred.vendor})
    return cred
