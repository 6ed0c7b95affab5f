"""System users: the accounts automatic work acts as (store syncs, the order automation), so
that audit rows and state events name who did a thing. Each has an unusable password and only
the permissions it is given; created on first use, safely when two workers race."""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.db import IntegrityError, transaction


def system_user(username: str, display_name: str, permissions: Iterable[str]):
    """The system user ``username`` (``app_label.codename`` permissions), created if missing;
    one made by an older version that lacks a permission now listed is given it."""
    permissions = tuple(permissions)
    User = get_user_model()
    user = User.objects.filter(username=username).first()
    if user is None:
        user = User(username=username, is_active=True, first_name=display_name)
        user.set_unusable_password()
        try:
            with transaction.atomic():
                user.save()
        except IntegrityError:  # another worker created it meanwhile
            return User.objects.get(username=username)
    elif all(user.has_perm(name) for name in permissions):
        return user
    perms = []
    for name in permissions:
        app_label, codename = name.split(".")
        perms += list(
            Permission.objects.filter(content_type__app_label=app_label, codename=codename)
        )
    user.user_permissions.set(perms)
    return User.objects.get(pk=user.pk)  # fresh permission cache
