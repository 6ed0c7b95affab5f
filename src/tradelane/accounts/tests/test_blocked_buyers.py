"""The block list (黑名单): its page (list, search, add, remove) in both languages, the
services behind it, who may, and that every refusal changes nothing."""

from __future__ import annotations

import pytest
from django.test import Client

from tradelane.accounts import services
from tradelane.accounts.models import BlockedBuyer
from tradelane.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from tradelane.core.models import AuditLog

pytestmark = pytest.mark.django_db
URL = "/settings/blocked-buyers/"


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_block_and_unblock_with_audit(cs):
    row = services.block_buyer(cs, email=" Fraud@Example.com ", name="Tom", reason="chargebacks")
    assert (row.email, row.phone, row.name, row.reason, row.created_by) == (
        "fraud@example.com", "", "Tom", "chargebacks", cs,
    )  # fmt: skip
    services.unblock_buyer(cs, row.pk)
    assert not BlockedBuyer.objects.exists()
    assert list(AuditLog.objects.order_by("id").values_list("action", "changes")) == [
        ("accounts.blocked_buyer.create", {"email": "fraud@example.com", "phone": ""}),
        (
            "accounts.blocked_buyer.delete",
            {"email": "fraud@example.com", "phone": "", "name": "Tom"},
        ),
    ]


def test_refusals_change_nothing(cs, warehouse_user, sales):
    row = services.block_buyer(cs, phone="+15550100")
    audits = AuditLog.objects.count()
    with pytest.raises(Conflict) as exc:
        services.block_buyer(cs, phone="+15550100", email="new@example.com")
    assert exc.value.code == "already_blocked"
    with pytest.raises(ValidationFailed) as exc:
        services.block_buyer(cs, name="nobody")
    assert exc.value.code == "email_or_phone_required"
    with pytest.raises(NotFound) as exc:
        services.unblock_buyer(cs, row.pk + 1)
    assert exc.value.code == "blocked_buyer_not_found"
    for user in (warehouse_user, sales):
        with pytest.raises(PermissionDenied):
            services.block_buyer(user, email="x@example.com")
        with pytest.raises(PermissionDenied):
            services.unblock_buyer(user, row.pk)
    assert list(BlockedBuyer.objects.values_list("pk", "email", "phone")) == [
        (row.pk, "", "+15550100")
    ]
    assert AuditLog.objects.count() == audits


def test_the_page_lists_adds_searches_and_removes(cs):
    client = logged_in(cs)
    page = client.get(URL, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'data-testid="no-blocked"' in page and "Nobody is blocked." in page
    r = client.post(
        URL,
        {"email": "fraud@example.com", "phone": "", "name": "Tom", "reason": "x"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert r.status_code == 302 and r.url == URL
    row = BlockedBuyer.objects.get()
    page = client.get(URL, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "fraud@example.com is on the block list." in page
    assert f'data-testid="blocked-{row.pk}"' in page and "cs_user" in page
    assert (
        f'data-testid="blocked-{row.pk}"' not in client.get(URL, {"q": "nomatch"}).content.decode()
    )
    assert f'data-testid="blocked-{row.pk}"' in client.get(URL, {"q": "FRAUD"}).content.decode()
    r = client.post(f"{URL}{row.pk}/remove/")
    assert r.status_code == 302 and not BlockedBuyer.objects.exists()


def test_the_page_speaks_chinese_and_shows_a_refusal_with_what_was_typed(cs):
    services.block_buyer(cs, email="fraud@example.com")
    client = logged_in(cs)
    client.cookies["django_language"] = "zh-hans"
    page = client.get(URL).content.decode()
    assert "黑名单" in page and "移出黑名单" in page
    r = client.post(URL, {"email": "FRAUD@example.com", "name": "Tom"})
    assert r.status_code == 409
    page = r.content.decode()
    assert 'data-error-code="already_blocked"' in page and "该买家已在黑名单中。" in page
    assert 'value="Tom"' in page
    assert BlockedBuyer.objects.count() == 1


def test_only_who_reviews_orders_may_open_it(cs, admin, warehouse_user, sales, logistics):
    row = services.block_buyer(cs, email="fraud@example.com")
    for user in (cs, admin):
        assert logged_in(user).get(URL).status_code == 200
        assert 'href="/settings/blocked-buyers/"' in logged_in(user).get("/").content.decode()
    for user in (warehouse_user, sales, logistics):
        client = logged_in(user)
        assert client.get(URL).status_code == 403
        assert client.post(URL, {"email": "x@example.com"}).status_code == 403
        assert client.post(f"{URL}{row.pk}/remove/").status_code == 403
        assert 'href="/settings/blocked-buyers/"' not in client.get("/").content.decode()
    assert list(BlockedBuyer.objects.values_list("email", flat=True)) == ["fraud@example.com"]
    assert Client().get(URL).status_code == 302  # log in first
