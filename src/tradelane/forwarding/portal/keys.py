"""A customer's portal user manages the open API's keys of its own user (the key acts for that
customer, PROVIDER_API: "Auth"). Writes go through ``accounts.services`` (which lets anyone
create and revoke their own keys); this module adds the portal's rule: only a portal user of
one customer account holds provider API keys here, and a key of another user is "not found"."""

from __future__ import annotations

from django.db.models import QuerySet

from tradelane.accounts import services as accounts
from tradelane.accounts.models import ApiKey
from tradelane.accounts.permissions import require
from tradelane.accounts.roles import P
from tradelane.core.errors import NotFound, PermissionDenied

from ..partners import scoping


def _customer_user(actor) -> None:
    require(actor, P.PORTAL_USE)
    m = scoping.membership(actor)
    if m is None or not m.customer_id:
        raise PermissionDenied(
            "Only a customer's portal user holds provider API keys",
            code="portal_customer_required",
        )


def keys(actor) -> QuerySet[ApiKey]:
    """The actor's own keys, newest first (none for a user who holds no portal account)."""
    m = scoping.membership(actor)
    if m is None or not m.customer_id:
        return ApiKey.objects.none()
    return ApiKey.objects.filter(user_id=actor.pk).order_by("-created_at", "-id")


def create_key(actor, name: str) -> tuple[ApiKey, str]:
    """A new key of the actor's own user: ``(key, raw)``; the raw key is shown once."""
    _customer_user(actor)
    return accounts.create_api_key(actor, user=actor, name=name)


def revoke_key(actor, key_id: int) -> ApiKey:
    key = ApiKey.objects.filter(pk=key_id, user_id=actor.pk, revoked_at=None).first()
    if key is None:  # another user's key is not found, whoever asks
        raise NotFound(f"No API key {key_id}", code="api_key_not_found")
    _customer_user(actor)
    accounts.revoke_api_key(actor, key)
    return key
