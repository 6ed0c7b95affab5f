"""The settings pages for people: add (invite or password), roles, deactivate, reset, the
one-time set-password link, and the company profile; refusals change nothing."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse

from tradelane.accounts import roles, services
from tradelane.accounts.models import Company, User
from tradelane.core.models import AuditLog

pytestmark = pytest.mark.django_db
PW = "Quartz-Lantern-47"


def _user(role: str, username: str) -> User:
    u = User.objects.create_user(username=username, password=PW)
    u.groups.set(Group.objects.filter(name=role))
    return User.objects.get(pk=u.pk)


@pytest.fixture
def admin_client():
    admin = _user(roles.ADMIN, "root")
    client = Client()
    client.force_login(admin)
    client.admin = admin
    return client


def _login(username: str, password: str, client: Client | None = None) -> bool:
    """Log in through the login page (django-axes wants the request)."""
    client = client or Client()
    response = client.post(reverse("web:login"), {"username": username, "password": password})
    return response.status_code == 302 and response["Location"] == reverse("web:home")


def _link(response) -> str:
    match = re.search(
        r'value="(http://testserver(/set-password/[^"]+))"', response.content.decode()
    )
    assert match, response.content.decode()[:2000]
    return match[2]


def test_an_invited_user_sets_a_password_once_and_logs_in_with_their_role(admin_client):
    page = admin_client.post(
        reverse("web:users"),
        {"username": "wh2", "first_name": "小王", "roles": ["warehouse"], "how": "invite"},
    )
    assert page.status_code == 200
    user = User.objects.get(username="wh2")
    assert not user.has_usable_password()
    assert list(user.groups.values_list("name", flat=True)) == ["warehouse"]
    assert "不会发送邮件" in page.content.decode() or "一次性" in page.content.decode()
    link = _link(page)

    anon = Client()
    short = anon.post(link, {"password": "abc", "again": "abc"})
    assert short.status_code == 422
    assert not User.objects.get(pk=user.pk).has_usable_password()
    done = anon.post(link, {"password": PW, "again": PW})
    assert done.status_code == 302 and done["Location"] == reverse("web:login")
    assert User.objects.get(pk=user.pk).check_password(PW)
    # the link died with its first use
    again = anon.get(link)
    assert again.status_code == 400 and 'data-testid="bad-link"' in again.content.decode()

    assert _login("wh2", PW, anon)
    home = anon.get("/").content.decode()
    assert reverse("web:stock_operations") in home  # the warehouse may adjust stock
    assert reverse("web:users") not in home
    assert anon.get(reverse("web:users")).status_code == 403


def test_a_user_with_a_password_can_log_in_at_once(admin_client):
    page = admin_client.post(
        reverse("web:users"),
        {"username": "cs2", "roles": ["customer_service"], "how": "password", "password": PW},
    )
    user = User.objects.get(username="cs2")
    assert page.status_code == 302 and page["Location"] == reverse(
        "web:user_detail", args=[user.pk]
    )
    assert _login("cs2", PW)


def test_refused_additions_say_why_and_write_nothing(admin_client):
    before = (User.objects.count(), AuditLog.objects.count())
    weak = admin_client.post(
        reverse("web:users"),
        {"username": "x1", "roles": ["sales"], "how": "password", "password": "123"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert weak.status_code == 422
    assert 'data-field-error="password"' in weak.content.decode()
    taken = admin_client.post(
        reverse("web:users"), {"username": "root", "roles": ["sales"], "how": "invite"}
    )
    assert taken.status_code == 422 and "该用户名已被使用" in taken.content.decode()
    no_role = admin_client.post(reverse("web:users"), {"username": "x2", "how": "invite"})
    assert no_role.status_code == 422
    assert (User.objects.count(), AuditLog.objects.count()) == before


def test_roles_deactivate_and_reset(admin_client):
    person = _user(roles.SALES, "sam")
    url = reverse("web:user_detail", args=[person.pk])
    assert (
        admin_client.post(url, {"action": "roles", "roles": ["boss", "sales"]}).status_code == 302
    )
    assert sorted(person.groups.values_list("name", flat=True)) == ["boss", "sales"]

    assert admin_client.post(url, {"action": "deactivate"}).status_code == 302
    assert not User.objects.get(pk=person.pk).is_active
    assert not _login("sam", PW)
    admin_client.post(url, {"action": "activate"})
    assert User.objects.get(pk=person.pk).is_active

    reset = admin_client.post(url, {"action": "reset_password"})
    assert reset.status_code == 200
    assert not _login("sam", PW)  # the old password is gone
    link = _link(reset)
    assert Client().post(link, {"password": "New-" + PW, "again": "New-" + PW}).status_code == 302
    assert _login("sam", "New-" + PW)


def test_an_admin_cannot_lock_themselves_out(admin_client):
    url = reverse("web:user_detail", args=[admin_client.admin.pk])
    before = AuditLog.objects.count()
    refused = admin_client.post(url, {"action": "roles", "roles": ["sales"]})
    assert refused.status_code == 422
    assert "不能对自己的账号" in refused.content.decode()
    admin_client.post(url, {"action": "deactivate"})
    admin = User.objects.get(pk=admin_client.admin.pk)
    assert admin.is_active and list(admin.groups.values_list("name", flat=True)) == ["admin"]
    assert AuditLog.objects.count() == before


def test_the_company_profile(admin_client):
    url = reverse("web:company")
    form = {
        "name": "ACME 跨境", "base_currency": "usd", "time_zone": "Europe/Berlin",
        "languages": ["en"], "review_high_value": "800.50", "review_duplicate_hours": "24",
    }  # fmt: skip
    assert admin_client.post(url, form).status_code == 302
    c = Company.objects.get(pk=1)
    assert (c.name, c.base_currency, c.time_zone, c.languages) == (
        "ACME 跨境",
        "USD",
        "Europe/Berlin",
        ["en"],
    )
    assert (c.review_high_value, c.review_duplicate_hours) == (Decimal("800.50"), 24)
    bad = admin_client.post(url, {**form, "base_currency": "XYZ"}, HTTP_ACCEPT_LANGUAGE="en")
    assert bad.status_code == 422 and 'data-field-error="base_currency"' in bad.content.decode()
    assert Company.objects.get(pk=1).base_currency == "USD"


def test_the_company_service_refuses_bad_values():
    admin = _user(roles.ADMIN, "root")
    for field, value in (("time_zone", "Mars/Base"), ("languages", ["xx"]),
                         ("review_duplicate_hours", -1), ("review_high_value", "-5")):  # fmt: skip
        with pytest.raises(services.ValidationFailed) as err:
            services.update_company(admin, **{field: value})
        assert err.value.details["field"] == field


def test_others_may_not_open_the_settings_of_people():
    boss = _user(roles.BOSS, "boss")
    client = Client()
    client.force_login(boss)
    for name in ("web:users", "web:company"):
        assert client.get(reverse(name)).status_code == 403
    assert client.post(reverse("web:users"), {"username": "z", "roles": ["admin"],
                                              "how": "invite"}).status_code == 403  # fmt: skip
    assert not User.objects.filter(username="z").exists()
    home = client.get("/").content.decode()
    assert 'data-testid="settings-menu"' not in home
