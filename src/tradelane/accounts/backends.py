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
from django.db.models import Value

from tradelane.core.statements import Param, Select

_USER = Select(lambda: get_user_model()._default_manager.filter(pk=Param("pk")))
_FIELDS = ("content_type__app_label", "codename")
_OWN = Select(lambda: Permission.objects.filter(user=Param("user")).values_list(*_FIELDS))
_GROUPS = Select(lambda: Permission.objects.filter(group__user=Param("user"))
                 .values_list(*_FIELDS))  # fmt: skip
_ALL = Select(lambda: Permission.objects.values_list(*_FIELDS))
# both at once, as a request asks for all of them (has_perm): the user's own rows are
# flagged 1, the groups' 0 (a permission held both ways comes twice)
_BOTH = Select(lambda: Permission.objects.filter(user=Param("user")).annotate(
    own=Value(1)).values_list(*_FIELDS, "own").order_by().union(
    Permission.objects.filter(group__user=Param("user2")).annotate(own=Value(0))
    .values_list(*_FIELDS, "own").order_by(), all=True))  # fmt: skip


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

    def get_all_permissions(self, user_obj, obj=None):
        # one query for the user's own and the groups' permissions (Django's reads each apart)
        if (user_obj.is_active and not user_obj.is_anonymous and obj is None
                and not user_obj.is_superuser and not hasattr(user_obj, "_perm_cache")
                and not hasattr(user_obj, "_user_perm_cache")):  # fmt: skip
            own, groups = set(), set()
            for ct, name, is_own in _BOTH.all(user=user_obj.pk, user2=user_obj.pk):
                (own if is_own else groups).add(f"{ct}.{name}")
            user_obj._user_perm_cache = own
            user_obj._group_perm_cache = groups
        return super().get_all_permissions(user_obj, obj)
