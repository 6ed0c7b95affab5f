"""The sign-in backend and session store on compiled statements (``accounts/backends.py``,
``accounts/sessions.py``) answer exactly as Django's own: the same user, the same permission
sets, no user for an inactive or unknown id, no session once expired or flushed."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth import backends as django_backends
from django.contrib.auth.models import Permission
from django.contrib.sessions.models import Session
from django.utils import timezone

from tradelane.accounts import roles
from tradelane.accounts.backends import ModelBackend
from tradelane.accounts.models import User
from tradelane.accounts.sessions import SessionStore

pytestmark = pytest.mark.django_db


def _fresh(user):
    return User.objects.get(pk=user.pk)


def test_permissions_are_djangos_for_a_role_own_permissions_and_a_superuser(make_user):
    user = make_user(roles.HUB_OPERATOR, "hub1")
    user.user_permissions.add(Permission.objects.get(codename="view_auditlog"))
    ours, theirs = ModelBackend(), django_backends.ModelBackend()
    got, want = _fresh(user), _fresh(user)
    assert ours.get_user_permissions(got) == theirs.get_user_permissions(want) == {
        "core.view_auditlog"}  # fmt: skip
    assert ours.get_group_permissions(got) == theirs.get_group_permissions(want)
    assert ours.get_all_permissions(got) == theirs.get_all_permissions(want)
    assert len(ours.get_group_permissions(got)) > 1
    boss = User.objects.create_superuser("root1", password="pw-Test-123")
    assert ours.get_all_permissions(_fresh(boss)) == theirs.get_all_permissions(_fresh(boss))
    assert len(ours.get_all_permissions(_fresh(boss))) == Permission.objects.count()


def test_all_permissions_asked_first_come_in_one_query_and_fill_both_caches(make_user):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    user = make_user(roles.HUB_OPERATOR, "hub3")
    user.user_permissions.add(Permission.objects.get(codename="view_auditlog"))
    want = django_backends.ModelBackend()
    expected = (want.get_user_permissions(_fresh(user)), want.get_group_permissions(_fresh(user)))
    got = _fresh(user)
    with CaptureQueriesContext(connection) as ctx:
        every = ModelBackend().get_all_permissions(got)
        assert ModelBackend().has_perm(got, "core.view_auditlog")
    assert len(ctx.captured_queries) == 1
    assert every == expected[0] | expected[1] == want.get_all_permissions(_fresh(user))
    assert (got._user_perm_cache, got._group_perm_cache) == expected


def test_an_inactive_or_unknown_user_is_nobody_and_holds_nothing(make_user):
    user = make_user(roles.HUB_OPERATOR, "hub2")
    backend = ModelBackend()
    assert backend.get_user(user.pk).username == "hub2"
    assert backend.get_user(str(user.pk)).pk == user.pk  # the session keeps it as text
    User.objects.filter(pk=user.pk).update(is_active=False)
    assert backend.get_user(user.pk) is None
    assert backend.get_all_permissions(_fresh(user)) == set()
    assert backend.get_user(999_999) is None and backend.get_user("x") is None


def test_a_session_is_read_until_it_expires_or_is_flushed():
    store = SessionStore()
    store["k"] = "v"
    store.create()
    key = store.session_key
    assert SessionStore(key).load() == {"k": "v"}
    Session.objects.filter(pk=key).update(expire_date=timezone.now() - dt.timedelta(seconds=1))
    expired = SessionStore(key)
    assert expired.load() == {} and expired.session_key is None
    store = SessionStore()
    store["k"] = "w"
    store.create()
    key = store.session_key
    store.flush()
    assert SessionStore(key).load() == {}
    assert SessionStore("no-such-key-000000000000000000000").load() == {}
