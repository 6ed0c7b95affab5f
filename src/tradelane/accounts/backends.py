"""Sign-in and permission reads on compiled statements (``core.statements``).

Django's ``ModelBackend`` reads the signed-in user and then the user's own and the groups'
permissions with three ORM queries on every request; building and compiling them cost more
than running them (about a third of a hub scan's request overhead, before the view). These
are the same reads, with the same answers (the user row, ``user_can_authenticate``, the
``app_label.codename`` sets cached on the user for the request), compiled once per thread.
"""

from __future__ import annotations

from django.contrib.auth import backends, get_user_model
from django.contrib.auth.models import Permission

from tradelane.core.statements import Param, Select

_USER = Select(lambda: get_user_model()._default_manager.filter(pk=Param("pk")))
_FIELDS = ("content_type__app_label", "codename")
_OWN = Select(lambda: Permission.objects.filter(user=Param("user")).values_list(*_FIELDS))
_GROUPS = Select(lambda: Permission.objects.filter(group__user=Param("user"))
                 .values_list(*_FIELDS))  # fmt: skip
_ALL = Select(lambda: Permission.objects.values_list(*_FIELDS))


class ModelBackend(backends.ModelBackend):
    """``django.contrib.auth.backends.ModelBackend`` on compiled statements."""

    def get_user(self, user_id):
        try:
            user = _USER.get(pk=int(user_id))
        except (get_user_model().DoesNotExist, TypeError, ValueError):
            return None
        return user if self.user_can_authenticate(user) else None

    def _get_permissions(self, user_obj, obj, from_name):
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        cache_name = f"_{from_name}_perm_cache"
        if not hasattr(user_obj, cache_name):
            if user_obj.is_superuser:
                rows = _ALL.all()
            else:
                rows = (_GROUPS if from_name == "group" else _OWN).all(user=user_obj.pk)
            setattr(user_obj, cache_name, {f"{ct}.{name}" for ct, name in rows})
        return getattr(user_obj, cache_name)
