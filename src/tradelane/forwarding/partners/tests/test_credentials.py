"""The "API credentials" section of a customer's staff page: open API keys of the customer's
portal users (made and revoked by partner managers, the full key shown once) and the webhook
address with its signing secret (shown once). Partner readers see the section without forms;
another salesperson's customer is 404; a portal user of another customer cannot be chosen."""

from __future__ import annotations

import pytest
from django.test import Client

from tradelane.accounts.models import ApiKey
from tradelane.core.models import AuditLog
from tradelane.forwarding.models import CustomerAccount
from tradelane.forwarding.tests.factories import provider, signed_in

pytestmark = pytest.mark.django_db

CHANNELS = "/api/v1/provider/channels"


@pytest.fixture
def p():
    return provider()


def make_key(c: Client, user, name="erp", code="ACME"):
    return c.post(f"/provider/customers/{code}/api-keys/", {"user": user.pk, "name": name})


def test_a_key_is_shown_once_and_works_until_revoked(p):
    c = signed_in(p.sales1, lang=None)
    r = make_key(c, p.acme_user)
    assert r.status_code == 200
    key = ApiKey.objects.get(user=p.acme_user, name="erp")
    html = r.content.decode()
    raw = html.split('data-testid="new-api-key-value">')[1].split("<")[0]
    assert raw.startswith(f"tl_{key.prefix}_") and html.count(raw) == 1
    assert AuditLog.objects.filter(action="accounts.apikey.create", actor=p.sales1).count() == 1
    # a later GET lists the key by its prefix only
    page = c.get("/provider/customers/ACME/").content.decode()
    assert raw not in page and f"tl_{key.prefix}_…" in page
    assert f'data-testid="api-key-revoke-{key.pk}"' in page

    api = Client()
    assert api.get(CHANNELS, HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 200
    r = c.post(f"/provider/customers/ACME/api-keys/{key.pk}/revoke/")
    assert r.status_code == 302 and r["Location"] == "/provider/customers/ACME/"
    key.refresh_from_db()
    assert key.revoked_at is not None
    assert AuditLog.objects.filter(action="accounts.apikey.revoke", actor=p.sales1).count() == 1
    r = api.get(CHANNELS, HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert r.status_code == 401 and r.json()["code"] == "invalid_api_key"
    page = c.get("/provider/customers/ACME/").content.decode()
    assert f'data-testid="api-key-revoke-{key.pk}"' not in page


def test_another_customers_portal_user_cannot_be_chosen(p):
    before = (ApiKey.objects.count(), AuditLog.objects.count())
    r = make_key(signed_in(p.admin, lang=None), p.bolt_user, code="ACME")
    assert r.status_code == 404
    assert 'data-error-code="portal_user_not_found"' in r.content.decode()
    # staff (not a portal user) and an unknown id are refused the same way
    assert make_key(signed_in(p.admin, lang=None), p.sales1).status_code == 404
    r = signed_in(p.admin, lang=None).post("/provider/customers/ACME/api-keys/", {"user": "99999",
                                                                       "name": "x"})  # fmt: skip
    assert r.status_code == 404
    # no name: 422, in Chinese too
    r = signed_in(p.admin, lang=None).post("/provider/customers/ACME/api-keys/",
                                 {"user": p.acme_user.pk, "name": " "},
                                 HTTP_ACCEPT_LANGUAGE="zh-hans")  # fmt: skip
    assert r.status_code == 422 and 'data-error-code="name_required"' in r.content.decode()
    assert (ApiKey.objects.count(), AuditLog.objects.count()) == before


def test_portal_user_not_found_reads_in_chinese(p):
    c = signed_in(p.admin, lang=None)
    r = c.post("/provider/customers/ACME/api-keys/", {"user": p.bolt_user.pk, "name": "x"},
               HTTP_ACCEPT_LANGUAGE="en")  # fmt: skip
    assert "No such portal user of this customer." in r.content.decode()
    r = c.post("/provider/customers/ACME/api-keys/", {"user": p.bolt_user.pk, "name": "x"},
               HTTP_ACCEPT_LANGUAGE="zh-hans")  # fmt: skip
    assert "该客户没有这个门户用户。" in r.content.decode()


def test_a_salesperson_of_another_customer_gets_404(p):
    from tradelane.forwarding.partners import services

    key, _raw = services.create_customer_api_key(p.admin, p.acme, user=p.acme_user, name="erp")
    c = signed_in(p.sales2, lang=None)  # BOLT's salesperson
    before = (ApiKey.objects.count(), AuditLog.objects.count())
    assert c.get("/provider/customers/ACME/").status_code == 404
    assert make_key(c, p.acme_user).status_code == 404
    assert c.post(f"/provider/customers/ACME/api-keys/{key.pk}/revoke/").status_code == 404
    assert c.post("/provider/customers/ACME/webhook/", {"url": "https://x.example/h"}
                  ).status_code == 404  # fmt: skip
    # nor through their own customer's page
    assert c.post(f"/provider/customers/BOLT/api-keys/{key.pk}/revoke/").status_code == 404
    key.refresh_from_db()
    assert key.revoked_at is None
    assert (ApiKey.objects.count(), AuditLog.objects.count()) == before
    assert CustomerAccount.objects.get(code="ACME").webhook_url == ""


def test_partner_readers_see_the_section_without_forms(p):
    from tradelane.forwarding.partners import services

    key, _raw = services.create_customer_api_key(p.admin, p.acme, user=p.acme_user, name="erp")
    c = signed_in(p.service, lang=None)  # reads partners, manages none
    html = c.get("/provider/customers/ACME/").content.decode()
    assert 'data-testid="customer-credentials"' in html and f"tl_{key.prefix}_…" in html
    assert 'data-testid="api-key-form"' not in html and 'data-testid="webhook-form"' not in html
    assert f'data-testid="api-key-revoke-{key.pk}"' not in html
    assert 'href="/provider/customers/ACME/tms-credentials/"' in html
    before = (ApiKey.objects.count(), AuditLog.objects.count())
    assert make_key(c, p.acme_user).status_code == 403
    assert c.post(f"/provider/customers/ACME/api-keys/{key.pk}/revoke/").status_code == 403
    assert c.post("/provider/customers/ACME/webhook/", {"url": "https://x.example/h"}
                  ).status_code == 403  # fmt: skip
    assert (ApiKey.objects.count(), AuditLog.objects.count()) == before
    # portal users never reach it
    assert signed_in(p.acme_user, lang=None).get("/provider/customers/ACME/").status_code == 403


def test_the_webhook_secret_is_shown_once_and_clearing_drops_it(p):
    c = signed_in(p.sales1, lang=None)
    r = c.post("/provider/customers/ACME/webhook/", {"url": "https://erp.acme.example/hook"})
    assert r.status_code == 200
    acme = CustomerAccount.objects.get(code="ACME")
    secret = acme.webhook_secret
    assert acme.webhook_url == "https://erp.acme.example/hook" and len(secret) == 48
    html = r.content.decode()
    assert html.count(secret) == 1 and f'new-webhook-secret-value">{secret}<' in html
    page = c.get("/provider/customers/ACME/").content.decode()
    assert secret not in page and "https://erp.acme.example/hook" in page
    # refused: not an address; nothing changed
    r = c.post("/provider/customers/ACME/webhook/", {"url": "ftp://x"})
    assert r.status_code == 422 and 'data-error-code="invalid_url"' in r.content.decode()
    acme.refresh_from_db()
    assert (acme.webhook_url, acme.webhook_secret) == ("https://erp.acme.example/hook", secret)
    r = c.post(
        "/provider/customers/ACME/webhook/", {"action": "clear", "url": "https://y.example/"}
    )
    assert r.status_code == 302
    acme.refresh_from_db()
    assert (acme.webhook_url, acme.webhook_secret) == ("", "")
    assert AuditLog.objects.filter(action="forwarding.customer.webhook").count() == 2
