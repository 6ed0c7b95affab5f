"""The staff page of a customer's ERP credentials: partner managers issue (the secret shown
once) and revoke, partner readers only list, another salesperson's customer is 404, a portal
user of another customer cannot be chosen, and a revoked credential stops logging in."""

from __future__ import annotations

import pytest
from django.test import Client

from tradelane.core.models import AuditLog
from tradelane.forwarding.tests.factories import provider

from .. import services
from ..models import Vendor, VendorCredential
from ..selectors import authenticate

pytestmark = pytest.mark.django_db

PAGE = "/provider/customers/ACME/tms-credentials/"


@pytest.fixture
def p():
    return provider()


def client_for(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def between(html: str, testid: str) -> str:
    return html.split(f'data-testid="{testid}">')[1].split("<")[0]


def test_eccang_credentials_are_shown_once_and_revoking_stops_them(p):
    c = client_for(p.sales1)
    r = c.post(PAGE, {"vendor": "eccang", "user": p.acme_user.pk})
    assert r.status_code == 200
    cred = VendorCredential.objects.get(customer=p.acme)
    html = r.content.decode()
    token, key = between(html, "tms-identifier"), between(html, "tms-secret")
    assert token == cred.identifier and html.count(key) == 1 and "appKey" in html
    assert authenticate(Vendor.ECCANG, token, key) == cred
    page = c.get(PAGE).content.decode()
    assert key not in page and token in page and f'data-testid="tms-revoke-{cred.pk}"' in page
    r = c.post(f"{PAGE}{cred.pk}/revoke/")
    assert r.status_code == 302 and r["Location"] == PAGE
    cred.refresh_from_db()
    assert (cred.active, cred.revoked_at is not None) == (False, True)
    assert authenticate(Vendor.ECCANG, token, key) is None
    assert f'data-testid="tms-revoke-{cred.pk}"' not in c.get(PAGE).content.decode()
    assert [a.action for a in AuditLog.objects.filter(actor=p.sales1).order_by("pk")][-2:] == [
        "forwarder_api.credential_issue", "forwarder_api.credential_revoke"]  # fmt: skip


def test_hualei_username_and_password_once(p):
    c = client_for(p.admin)
    r = c.post(PAGE, {"vendor": "hualei", "user": p.acme_user.pk, "username": "acme-erp"},
               HTTP_ACCEPT_LANGUAGE="en")  # fmt: skip
    assert r.status_code == 200
    html = r.content.decode()
    password = between(html, "tms-secret")
    assert between(html, "tms-identifier") == "acme-erp" and html.count(password) == 1
    assert authenticate(Vendor.HUALEI, "acme-erp", password) is not None
    assert password not in c.get(PAGE).content.decode()
    # the name is taken now: 409, nothing written, shown in Chinese too
    before = (VendorCredential.objects.count(), AuditLog.objects.count())
    r = c.post(PAGE, {"vendor": "hualei", "user": p.acme_user.pk, "username": "acme-erp"},
               HTTP_ACCEPT_LANGUAGE="zh-hans")  # fmt: skip
    assert r.status_code == 409 and 'data-error-code="username_taken"' in r.content.decode()
    assert "该用户名已被占用。" in r.content.decode()
    assert (VendorCredential.objects.count(), AuditLog.objects.count()) == before


def test_another_customers_portal_user_cannot_be_chosen(p):
    before = (VendorCredential.objects.count(), AuditLog.objects.count())
    c = client_for(p.admin)
    r = c.post(PAGE, {"vendor": "eccang", "user": p.bolt_user.pk}, HTTP_ACCEPT_LANGUAGE="en")
    assert r.status_code == 404
    html = r.content.decode()
    assert 'data-error-code="portal_user_not_found"' in html
    assert "No such portal user of this customer." in html
    r = c.post(PAGE, {"vendor": "eccang", "user": p.bolt_user.pk},
               HTTP_ACCEPT_LANGUAGE="zh-hans")  # fmt: skip
    assert "该客户没有这个门户用户。" in r.content.decode()
    assert c.post(PAGE, {"vendor": "eccang", "user": p.sales1.pk}).status_code == 404
    assert c.post(PAGE, {"vendor": "eccang", "user": ""}).status_code == 404
    assert c.post(PAGE, {"vendor": "cainiao", "user": p.acme_user.pk}).status_code == 422
    assert (VendorCredential.objects.count(), AuditLog.objects.count()) == before


def test_another_salesperson_gets_404_and_readers_only_read(p):
    cred, _secret = services.issue(p.admin, vendor=Vendor.ECCANG, user=p.acme_user)
    bolt_cred, _ = services.issue(p.admin, vendor=Vendor.ECCANG, user=p.bolt_user)
    before = (VendorCredential.objects.filter(active=True).count(), AuditLog.objects.count())
    other = client_for(p.sales2)  # BOLT's salesperson
    assert other.get(PAGE).status_code == 404
    assert other.post(PAGE, {"vendor": "eccang", "user": p.acme_user.pk}).status_code == 404
    assert other.post(f"{PAGE}{cred.pk}/revoke/").status_code == 404
    # a credential is revoked only through its own customer's page
    r = client_for(p.admin).post(f"/provider/customers/ACME/tms-credentials/{bolt_cred.pk}/revoke/")
    assert r.status_code == 404
    reader = client_for(p.service)
    html = reader.get(PAGE).content.decode()
    assert cred.identifier in html and bolt_cred.identifier not in html
    assert 'data-testid="tms-issue-form"' not in html and "tms-revoke-" not in html
    assert reader.post(PAGE, {"vendor": "eccang", "user": p.acme_user.pk}).status_code == 403
    assert reader.post(f"{PAGE}{cred.pk}/revoke/").status_code == 403
    assert client_for(p.acme_user).get(PAGE).status_code == 403
    assert (VendorCredential.objects.filter(active=True).count(),
            AuditLog.objects.count()) == before  # fmt: skip
