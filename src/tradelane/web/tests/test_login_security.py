"""Logins are throttled per user name and per address; an admin unlocks; passwords are checked."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from tradelane.accounts import roles, services
from tradelane.core.errors import ValidationFailed
from tradelane.core.models import AuditLog

from . import data

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def small_limit(settings):
    settings.AXES_FAILURE_LIMIT = 3


def _login(client: Client, username: str, password: str, url: str = "/login/", **extra):
    return client.post(url, {"username": username, "password": password}, **extra)


def test_wrong_passwords_lock_the_user_out_and_even_the_right_one_waits():
    data.user(roles.CUSTOMER_SERVICE, "cs_li")
    client = Client()
    for _ in range(2):
        r = _login(client, "cs_li", "wrong")
        assert r.status_code == 200 and "用户名或密码错误" in r.content.decode()
    locked = _login(client, "cs_li", "wrong")  # the third failure reaches the limit
    assert locked.status_code == 429
    assert "登录失败次数过多" in locked.content.decode()
    right = _login(client, "cs_li", data.PASSWORD)
    assert right.status_code == 429
    assert "_auth_user_id" not in client.session


def test_the_message_is_in_english_for_an_english_reader():
    data.user(roles.CUSTOMER_SERVICE, "cs_en")
    client = Client(headers={"Accept-Language": "en"})
    for _ in range(3):
        r = _login(client, "cs_en", "wrong")
    assert r.status_code == 429
    assert "Too many failed logins" in r.content.decode()


def test_one_address_guessing_many_user_names_is_locked_out():
    data.user(roles.SALES, "sales_a")
    client = Client(REMOTE_ADDR="203.0.113.9")
    for name in ("x1", "x2", "x3"):
        _login(client, name, "guess")
    r = _login(client, "sales_a", data.PASSWORD)
    assert r.status_code == 429
    # another address is not affected
    other = Client(REMOTE_ADDR="198.51.100.7")
    assert _login(other, "sales_a", data.PASSWORD).status_code == 302


def test_the_admin_site_login_is_throttled_too():
    data.user(roles.ADMIN, "boss_admin")
    client = Client()
    for _ in range(3):
        r = _login(client, "boss_admin", "wrong", url="/admin/login/?next=/admin/")
    assert r.status_code == 429


def test_an_admin_unlocks_a_locked_out_user_and_it_is_audited():
    data.user(roles.CUSTOMER_SERVICE, "cs_li")
    admin = data.user(roles.ADMIN, "the_admin")
    victim = Client()
    for _ in range(3):
        _login(victim, "cs_li", "wrong")
    assert _login(victim, "cs_li", data.PASSWORD).status_code == 429

    staff = Client()
    staff.force_login(admin)
    page = staff.get(reverse("web:login_lockouts"))
    assert page.status_code == 200
    text = page.content.decode()
    assert "cs_li" in text and "已锁定" in text
    r = staff.post(reverse("web:login_lockouts"), {"username": "cs_li"})
    assert r.status_code == 302
    assert AuditLog.objects.filter(action="accounts.login.unlock", object_id="cs_li").count() == 1
    assert _login(victim, "cs_li", data.PASSWORD).status_code == 302


def test_only_user_managers_see_the_lockouts_page():
    cs = data.user(roles.CUSTOMER_SERVICE, "cs_li")
    client = Client()
    client.force_login(cs)
    assert client.get(reverse("web:login_lockouts")).status_code == 403
    r = client.post(reverse("web:login_lockouts"), {"username": "cs_li"})
    assert r.status_code == 403
    assert not AuditLog.objects.filter(action="accounts.login.unlock").exists()


def test_unlock_needs_a_target():
    admin = data.user(roles.ADMIN, "the_admin")
    with pytest.raises(ValidationFailed) as err:
        services.unlock_logins(admin)
    assert err.value.code == "unlock_target_required"


@pytest.mark.parametrize(
    "password, problem",
    [
        ("short1A!", "太短"),  # under 10 characters
        ("1234567890123", "只包含数字"),  # numeric only
        ("password123", "太常见"),  # on Django's common list
        ("newperson-2026", "相似"),  # like the user name
    ],
)
def test_new_users_passwords_pass_djangos_validators(password, problem):
    from django.utils import translation

    from tradelane.accounts.models import User

    admin = data.user(roles.ADMIN, "the_admin")
    with translation.override("zh-hans"), pytest.raises(ValidationFailed) as err:
        services.create_user(admin, username="newperson", password=password, roles=["sales"])
    assert err.value.code == "weak_password"
    assert problem in err.value.message
    assert not User.objects.filter(username="newperson").exists()
