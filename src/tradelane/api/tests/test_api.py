"""The API's shared behaviour: authentication, the error format, idempotency, docs, paging."""

from __future__ import annotations

import json
import re

import pytest
from django.contrib.staticfiles import finders
from django.test import Client

from tradelane.accounts import roles
from tradelane.accounts.models import ApiKey
from tradelane.api.paging import PageParams, paginate
from tradelane.api.testing import Api, role_clients
from tradelane.catalog.models import Product
from tradelane.core.models import AuditLog, IdempotencyRecord

pytestmark = pytest.mark.django_db


@pytest.fixture
def api_as(make_user):
    return role_clients(make_user)


@pytest.fixture
def anon():
    return Api()


PRODUCT = {"code": "P-1", "name": "Product one"}


# --- docs -----------------------------------------------------------------------------------


def test_openapi_schema_loads_and_documents_errors(anon):
    r = anon.get("/api/v1/openapi.json")
    assert r.status_code == 200
    spec = r.json()
    assert spec["info"]["title"] == "Tradelane API"
    for path in (
        "/api/v1/me",
        "/api/v1/products",
        "/api/v1/skus/{sku_id}",
        "/api/v1/warehouses",
        "/api/v1/stock/balances",
        "/api/v1/stock/movements",
        "/api/v1/orders",
        "/api/v1/orders/{order_id}/transition",
        "/api/v1/orders/merge",
        "/api/v1/orders/{order_id}/split",
        "/api/v1/orders/review",
        "/api/v1/orders/allocate",
    ):
        assert path in spec["paths"], path
    create = spec["paths"]["/api/v1/products"]["post"]
    assert set(create["responses"]) == {"201", "400", "401", "403", "404", "409", "413", "422"}
    schemes = spec["components"]["securitySchemes"]
    assert {s["type"] for s in schemes.values()} == {"http", "apiKey"}
    assert "ErrorOut" in spec["components"]["schemas"]
    assert "ProductPage" in spec["components"]["schemas"]


@pytest.mark.parametrize("path", ["/api/docs", "/api/docs/", "/api/v1/docs"])
def test_docs_page_answers(anon, path):
    r = anon.client.get(path)
    assert r.status_code == 200
    page = r.content.decode()
    assert "/api/v1/openapi.json" in page
    # served from our own static files, not a CDN: the docs work without the internet
    assert "/static/ninja/swagger-ui-bundle.js" in page
    assets = re.findall(r'<(?:script|link)[^>]*(?:src|href)="([^"]+)"', page)
    assert assets and all(a.startswith("/static/") for a in assets), assets
    assert "//cdn" not in page  # nor any CDN address the page builds (the CSRF token is random)
    assert finders.find("ninja/swagger-ui-bundle.js") is not None


# --- authentication -------------------------------------------------------------------------


def test_no_credentials_is_401_everywhere(anon):
    for method, path in [("get", "/me"), ("get", "/orders"), ("post", "/products")]:
        r = getattr(anon, method)(path)
        assert r.status_code == 401, path
        assert r.json() == {"code": "not_authenticated", "message": "Log in or send an API key"}
        assert r["WWW-Authenticate"].startswith("Bearer")


def test_api_key_by_bearer_and_header_and_revocation(api_as):
    session = api_as(roles.PURCHASING)
    r = session.post("/me/api-keys", {"name": "erp sync"})
    assert r.status_code == 201
    created = r.json()
    raw = created["key"]
    assert raw.startswith(f"tl_{created['prefix']}_")
    stored = ApiKey.objects.get(pk=created["id"])
    assert raw not in (stored.digest, stored.prefix)  # only the digest is kept

    bearer = Api(key=raw)
    r = bearer.get("/me")
    assert r.status_code == 200 and r.json()["username"] == "api_purchasing"
    header = Api()
    header.headers["X-API-Key"] = raw
    assert header.get("/me").json()["username"] == "api_purchasing"
    # a key acts with its user's roles, and needs no CSRF token
    assert bearer.post("/products", PRODUCT).status_code == 201
    assert ApiKey.objects.get(pk=created["id"]).last_used_at is not None

    listed = session.get("/me/api-keys").json()
    assert [k["name"] for k in listed] == ["erp sync"] and "key" not in listed[0]

    r = session.delete(f"/me/api-keys/{created['id']}")
    assert r.status_code == 200 and r.json()["revoked_at"] is not None
    before = Product.objects.count()
    for client in (bearer, header):
        r = client.get("/me")
        assert r.status_code == 401
        assert r.json() == {
            "code": "invalid_api_key",
            "message": "The API key is unknown or revoked",
        }
        assert client.post("/products", {"code": "P-2", "name": "x"}).status_code == 401
    assert Product.objects.count() == before


def test_wrong_or_malformed_keys_are_refused(db):
    for header in ("Bearer tl_nothere_secret", "Bearer not-a-key", "Bearer "):
        r = Client().get("/api/v1/me", headers={"Authorization": header})
        assert r.status_code == 401, header
    r = Client().get("/api/v1/me", headers={"X-API-Key": "tl_x_y"})
    assert r.json()["code"] == "invalid_api_key"


def test_bad_key_does_not_fall_back_to_the_session(api_as):
    api = api_as(roles.BOSS)
    assert api.get("/me").status_code == 200
    r = api.get("/me", Authorization="Bearer tl_nothere_secret")
    assert r.status_code == 401


def test_someone_elses_key_cannot_be_revoked(api_as):
    a = api_as(roles.PURCHASING)
    b = api_as(roles.WAREHOUSE)
    key_id = a.post("/me/api-keys", {"name": "mine"}).json()["id"]
    r = b.delete(f"/me/api-keys/{key_id}")
    assert r.status_code == 404
    assert ApiKey.objects.get(pk=key_id).revoked_at is None


def test_session_needs_csrf_token_for_unsafe_methods(make_user):
    user = make_user(roles.PURCHASING, "csrf_user")
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    assert client.get("/api/v1/me").status_code == 200  # safe methods need no token
    body = json.dumps(PRODUCT)
    r = client.post("/api/v1/products", body, content_type="application/json")
    assert r.status_code == 403
    assert r.json()["code"] == "csrf_failed"
    assert Product.objects.count() == 0
    client.get("/api/docs")  # any page; make sure a CSRF cookie exists
    from django.middleware.csrf import _get_new_csrf_string, _mask_cipher_secret

    secret = _get_new_csrf_string()
    client.cookies["csrftoken"] = secret
    r = client.post(
        "/api/v1/products",
        body,
        content_type="application/json",
        headers={"X-CSRFToken": _mask_cipher_secret(secret)},
    )
    assert r.status_code == 201
    assert Product.objects.count() == 1


def test_me_lists_roles_and_permissions(api_as):
    r = api_as(roles.WAREHOUSE).get("/me")
    body = r.json()
    assert body["username"] == "api_warehouse"
    assert body["roles"] == [{"code": "warehouse", "label_zh": "仓库", "label_en": "Warehouse"}]
    assert body["permissions"] == sorted(roles.ROLE_PERMISSIONS[roles.WAREHOUSE])


def test_api_key_name_is_required(api_as):
    api = api_as(roles.BOSS)
    r = api.post("/me/api-keys", {"name": "   "})
    assert r.status_code == 422 and r.json()["code"] == "name_required"
    r = api.post("/me/api-keys", {})
    assert r.status_code == 422 and r.json()["details"][0]["field"] == "name"
    assert ApiKey.objects.count() == 0


# --- error format ---------------------------------------------------------------------------


def test_unknown_api_path_is_json_404(api_as):
    api = api_as(roles.BOSS)
    r = api.get("/api/v1/no-such-thing")
    assert r.status_code == 404
    assert r.json() == {
        "code": "not_found",
        "message": "No API endpoint at /api/v1/no-such-thing",
    }
    assert api.get("/api/v2/orders").json()["code"] == "not_found"


def test_malformed_json_is_400(api_as):
    api = api_as(roles.PURCHASING)
    r = api.client.post("/api/v1/products", "{not json", content_type="application/json")
    assert r.status_code == 400
    assert r.json()["code"] == "bad_request"
    assert Product.objects.count() == 0


def test_unexpected_error_is_500_without_traceback(api_as, monkeypatch, caplog):
    from tradelane.catalog import selectors

    def boom(*args, **kwargs):
        raise RuntimeError("secret internals /etc/passwd")

    monkeypatch.setattr(selectors, "products_for", boom)
    r = api_as(roles.BOSS).get("/products")
    assert r.status_code == 500
    assert r.json() == {
        "code": "server_error",
        "message": "Something went wrong on our side; it has been logged",
    }
    assert b"secret internals" not in r.content and b"Traceback" not in r.content
    assert "secret internals" in caplog.text  # it is logged for us


# --- idempotency ----------------------------------------------------------------------------


def test_same_key_same_body_is_answered_once(api_as):
    api = api_as(roles.PURCHASING)
    first = api.post("/products", PRODUCT, **{"Idempotency-Key": "k-1"})
    assert first.status_code == 201
    assert "Idempotent-Replayed" not in first
    again = api.post("/products", PRODUCT, **{"Idempotency-Key": "k-1"})
    assert again.status_code == 201
    assert again["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    assert Product.objects.count() == 1
    assert AuditLog.objects.filter(action="catalog.product.create").count() == 1


def test_same_key_other_body_is_422_and_creates_nothing(api_as):
    api = api_as(roles.PURCHASING)
    assert api.post("/products", PRODUCT, **{"Idempotency-Key": "k-2"}).status_code == 201
    other = {"code": "P-OTHER", "name": "Another"}
    r = api.post("/products", other, **{"Idempotency-Key": "k-2"})
    assert r.status_code == 422
    assert r.json()["code"] == "idempotency_key_reused"
    assert list(Product.objects.values_list("code", flat=True)) == ["P-1"]


def test_keys_are_per_caller_and_refusals_replay(api_as):
    purchasing = api_as(roles.PURCHASING)
    cs = api_as(roles.CUSTOMER_SERVICE)
    r = cs.post("/products", PRODUCT, **{"Idempotency-Key": "shared"})
    assert r.status_code == 403
    again = cs.post("/products", PRODUCT, **{"Idempotency-Key": "shared"})
    assert again.status_code == 403 and again["Idempotent-Replayed"] == "true"
    # another caller with the same key is not affected
    assert purchasing.post("/products", PRODUCT, **{"Idempotency-Key": "shared"}).status_code == 201
    assert Product.objects.count() == 1


def test_idempotency_with_api_key_and_unauthenticated(api_as):
    raw = api_as(roles.PURCHASING).post("/me/api-keys", {"name": "k"}).json()["key"]
    program = Api(key=raw)
    a = program.post("/products", PRODUCT, **{"Idempotency-Key": "prog-1"})
    b = program.post("/products", PRODUCT, **{"Idempotency-Key": "prog-1"})
    assert (a.status_code, b.status_code, b["Idempotent-Replayed"]) == (201, 201, "true")
    assert Product.objects.count() == 1
    # a refused authentication is not remembered
    bad = Api(key="tl_nothere_secret")
    assert bad.post("/products", PRODUCT, **{"Idempotency-Key": "x"}).status_code == 401
    assert not IdempotencyRecord.objects.filter(key="x").exists()


# --- paging ---------------------------------------------------------------------------------


def test_paginate_counts_and_slices(db):
    for i in range(7):
        Product.objects.create(code=f"P{i}", name=str(i))
    qs = Product.objects.order_by("code")
    page = paginate(qs, PageParams(limit=3, offset=3))
    assert page["count"] == 7 and (page["limit"], page["offset"]) == (3, 3)
    assert [p.code for p in page["items"]] == ["P3", "P4", "P5"]
    assert paginate(qs, PageParams(limit=3, offset=7))["items"] == []
    page = paginate(
        qs, PageParams(limit=2, offset=0), transform=lambda rows: [r.code for r in rows]
    )
    assert page["items"] == ["P0", "P1"]


# --- hostile input --------------------------------------------------------------------------


def test_out_of_range_ids_and_nul_text_are_4xx_not_500(api_as, wh_cn):
    api = api_as(roles.ADMIN)
    huge = str(2**64)
    r = api.get(f"/products/{huge}")
    assert (r.status_code, r.json()["code"]) == (404, "not_found")
    assert api.get("/products/0").status_code == 404
    r = api.get("/skus", {"product_id": huge})
    assert (r.status_code, r.json()["details"][0]["field"]) == (422, "product_id")
    r = api.post("/orders/review", {"ids": [int(huge)]})
    assert (r.status_code, r.json()["details"][0]["field"]) == (422, "ids.0")
    r = api.post("/stock/receipts", {"sku_id": int(huge), "warehouse_id": wh_cn.pk, "quantity": 1})
    assert r.status_code == 422
    r = api.get("/products", {"q": "mug\x00"})
    assert r.status_code == 422
    assert r.json()["details"] == [
        {"field": "q", "loc": ["query", "q"], "message": "Text may not contain NUL characters",
         "type": "nul_character"}
    ]  # fmt: skip
    r = api.post("/products", {"code": "P\x00", "name": "x"})
    assert (r.status_code, r.json()["code"]) == (400, "bad_request")
    r = api.post("/orders/import", {"orders": [{"store": "\x00"}]})
    assert r.status_code == 400
    assert Product.objects.count() == 0


def test_number_literals_are_exact_decimals(api_as):
    api = api_as(roles.PURCHASING)
    r = api.post(
        "/products",
        {"code": "P-D", "name": "d", "skus": [{"code": "S-D", "name": "s", "cost_amount": 0.1,
                                              "weight_kg": 0.0005}]},
    )  # fmt: skip
    assert r.status_code == 201
    sku = r.json()["skus"][0]
    assert (sku["cost_amount"], sku["weight_g"]) == ("0.1000", 1)


def test_too_large_body_is_413(api_as, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    r = api_as(roles.PURCHASING).post("/products", {"code": "P", "name": "x" * 2000})
    assert (r.status_code, r.json()["code"]) == (413, "too_large")
    assert Product.objects.count() == 0
