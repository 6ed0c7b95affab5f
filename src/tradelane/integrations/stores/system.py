"""The system user that syncs and webhooks act as (audit rows and state events name it)."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.db import IntegrityError, transaction

from tradelane.accounts.roles import P

USERNAME = "system.stores"
# ORDER_CHANGE: the privacy webhooks redact buyers' data (orders.services.redact_buyer_data)
PERMISSIONS = (P.ORDER_VIEW, P.ORDER_ADD, P.ORDER_CHANGE, P.ORDER_REVIEW, P.ORDER_CANCEL)


def system_actor():
    """The system user, created on first use; one made by an older version that lacks a
    permission now in ``PERMISSIONS`` is given it."""
    User = get_user_model()
    user = User.objects.filter(username=USERNAME).first()
    if user is None:
        user = User(username=USERNAME, is_active=True, first_name="Store sync")
        user.set_unusable_password()
        try:
            with transaction.atomic():
                user.save()
        except IntegrityError:  # another worker created it meanwhile
            return User.objects.get(username=USERNAME)
    elif all(user.has_perm(name) for name in PERMISSIONS):
        return user
    perms = []
    for name in PERMISSIONS:
        app_label, codename = name.split(".")
        perms += list(
            Permission.objects.filter(content_type__app_label=app_label, codename=codename)
        )
    user.user_permissions.set(perms)
    return User.objects.get(pk=user.pk)  # fresh permission cache
