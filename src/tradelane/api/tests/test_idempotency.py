"""Idempotency-Key: bound to the verified caller, leased while in progress, streamed bodies."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from tradelane.accounts import roles
from tradelane.accounts.models import ApiKey
from tradelane.api.testing import Api, role_clients
from tradelane.catalog.models import Product
from tradelane.core import idempotency
from tradelane.core.models import IdempotencyRecord

pytestmark = pytest.mark.django_db

PRODUCT = {"code": "P-1", "name": "Product one"}


@pytest.fixture
def api_as(make_user):
    return role_clients(make_user)


def test_a_wrong_secret_with_a_real_prefix_gets_no_stored_answer(api_as):
    """The probe: the admin's new key was replayed to a caller who knew only its prefix."""
    admin = api_as(roles.ADMIN)
    created = admin.post("/me/api-keys", {"name": "ci"}, **{"Idempotency-Key": "k"})
    assert created.status_code == 201
    raw = created.json()["key"]
    prefix = raw.split("_")[1]
    thief = Api(key=f"tl_{prefix}_x")
    stolen = thief.post("/me/api-keys", {"name": "ci"}, **{"Idempotency-Key": "k"})
    assert stolen.status_code == 401
    assert raw not in stolen.content.decode()
    assert "Idempotent-Replayed" not in stolen
    assert ApiKey.objects.count() == 1


def test_a_new_api_key_is_never_stored_or_replayed(api_as):
    admin = api_as(roles.ADMIN)
    first = admin.post("/me/api-keys", {"name": "ci"}, **{"Idempotency-Key": "k2"})
    raw = first.json()["key"]
    assert first["Cache-Control"] == "no-store"
    record = IdempotencyRecord.objects.get(key="k2")
    assert (record.status_code, record.withheld, record.response_body) == (201, True, None)
    # not even the same verified user, by session or by the new key, sees the secret again
    for caller in (admin, Api(key=raw)):
        again = caller.post("/me/api-keys", {"name": "ci"}, **{"Idempotency-Key": "k2"})
        assert (again.status_code, again.json()["code"]) == (409, "idempotency_response_withheld")
        assert raw not in again.content.decode()
    assert ApiKey.objects.filter(name="ci").count() == 1


def test_keys_of_one_user_are_invisible_to_another(api_as):
    purchasing = api_as(roles.PURCHASING)
    assert purchasing.post("/products", PRODUCT, **{"Idempotency-Key": "mine"}).status_code == 201
    admin = api_as(roles.ADMIN)
    other = {"code": "P-2", "name": "Two"}
    # another caller's same key with another body is their own new request, not "reused"
    r = admin.post("/products", other, **{"Idempotency-Key": "mine"})
    assert r.status_code == 201 and "Idempotent-Replayed" not in r
    assert sorted(Product.objects.values_list("code", flat=True)) == ["P-1", "P-2"]


def test_an_api_key_and_the_session_of_one_user_share_their_keys(api_as, make_user):
    api = api_as(roles.PURCHASING)
    raw = api.post("/me/api-keys", {"name": "prog"}).json()["key"]
    by_session = api.post("/products", PRODUCT, **{"Idempotency-Key": "same"})
    by_key = Api(key=raw).post("/products", PRODUCT, **{"Idempotency-Key": "same"})
    assert by_key["Idempotent-Replayed"] == "true" and by_key.json() == by_session.json()
    assert Product.objects.count() == 1


def test_a_session_request_without_csrf_reaches_no_stored_answer(make_user):
    user = make_user(roles.PURCHASING, "csrf_user")
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    token_client = Api(client=client)
    # with the CSRF token (as the web app sends it) the first request runs
    client.get("/")  # sets the csrftoken cookie
    csrf = client.cookies["csrftoken"].value
    ok = token_client.post("/products", PRODUCT, **{"Idempotency-Key": "c", "X-CSRFToken": csrf})
    assert ok.status_code == 201
    forged = token_client.post("/products", PRODUCT, **{"Idempotency-Key": "c"})
    assert (forged.status_code, forged.json()["code"]) == (403, "csrf_failed")
    assert "Idempotent-Replayed" not in forged


def test_a_key_left_in_progress_by_a_crash_can_be_retried_after_its_lease(api_as, settings):
    api = api_as(roles.PURCHASING)
    user = api.user
    # a request that was killed after claiming its key: in progress, lease long gone
    IdempotencyRecord.objects.create(
        scope=f"user:{user.pk}",
        key="crash",
        method="POST",
        path="/api/v1/products",
        request_hash=_digest_of(api, "/products", PRODUCT),
        lease_token="dead",
        leased_until=timezone.now() - timedelta(seconds=1),
    )
    r = api.post("/products", PRODUCT, **{"Idempotency-Key": "crash"})
    assert r.status_code == 201 and "Idempotent-Replayed" not in r
    assert Product.objects.count() == 1
    again = api.post("/products", PRODUCT, **{"Idempotency-Key": "crash"})
    assert again["Idempotent-Replayed"] == "true" and again.json() == r.json()
    assert Product.objects.count() == 1


def test_a_key_still_in_its_lease_answers_409_and_runs_nothing(api_as):
    api = api_as(roles.PURCHASING)
    IdempotencyRecord.objects.create(
        scope=f"user:{api.user.pk}",
        key="busy",
        method="POST",
        path="/api/v1/products",
        request_hash=_digest_of(api, "/products", PRODUCT),
        lease_token="alive",
        leased_until=timezone.now() + timedelta(seconds=30),
    )
    r = api.post("/products", PRODUCT, **{"Idempotency-Key": "busy"})
    assert (r.status_code, r.json()["code"]) == (409, "idempotency_in_progress")
    assert Product.objects.count() == 0


def test_a_request_that_outlived_its_lease_cannot_overwrite_the_retry(db, make_user):
    first = idempotency.claim("user:1", "slow", method="POST", path="/p", request_hash="h")
    assert isinstance(first, idempotency.Claimed)
    IdempotencyRecord.objects.filter(pk=first.pk).update(
        leased_until=timezone.now() - timedelta(seconds=1)
    )
    retry = idempotency.claim("user:1", "slow", method="POST", path="/p", request_hash="h")
    assert isinstance(retry, idempotency.Claimed) and retry.token != first.token
    assert idempotency.claim("user:1", "slow", method="POST", path="/p", request_hash="h") == (
        idempotency.IN_PROGRESS
    )
    assert idempotency.finish(
        retry, status_code=201, body=b"retry", content_type="text/plain", withhold=False
    )
    assert not idempotency.finish(
        first, status_code=201, body=b"late", content_type="text/plain", withhold=False
    )
    replay = idempotency.claim("user:1", "slow", method="POST", path="/p", request_hash="h")
    assert replay == idempotency.Replay(201, b"retry", "text/plain")


def test_an_upload_over_the_in_memory_limit_is_not_refused_by_the_key(admin, settings):
    """Django's 2.5 MB DATA_UPLOAD_MAX_MEMORY_SIZE is for bodies read into memory; an upload
    endpoint allows 20 MB, and a key must not change that."""
    rows = "sku,quantity\n" + "".join(f"SKU-{i:07d},{i % 90 + 1}\n" for i in range(200_000))
    data = rows.encode()
    assert len(data) > settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    client = Client()
    client.force_login(admin)

    def upload():
        return client.post(
            "/api/v1/spreadsheets/uploads",
            {"entity": "stock", "file": SimpleUploadedFile("stock.csv", data, "text/csv")},
            headers={"Idempotency-Key": "big-upload"},
        )

    first = upload()
    assert first.status_code == 201, first.content[:300]
    again = upload()
    assert again.status_code == 201 and again["Idempotent-Replayed"] == "true"
    assert again.json()["upload_id"] == first.json()["upload_id"]


def test_a_json_body_over_the_limit_is_still_the_endpoints_413(api_as, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    r = api_as(roles.PURCHASING).post(
        "/products", {"code": "P", "name": "x" * 2000}, **{"Idempotency-Key": "big-json"}
    )
    assert (r.status_code, r.json()["code"]) == (413, "too_large")
    assert not IdempotencyRecord.objects.filter(key="big-json", status_code=None).exists()


def test_a_body_over_the_idempotency_cap_is_413_naming_it(api_as, settings):
    settings.TRADELANE_IDEMPOTENCY_MAX_BODY_BYTES = 100
    r = api_as(roles.PURCHASING).post(
        "/products", {"code": "P", "name": "x" * 200}, **{"Idempotency-Key": "cap"}
    )
    assert (r.status_code, r.json()["details"]) == (413, {"limit": 100})
    assert Product.objects.count() == 0


def test_the_same_body_to_another_query_is_another_request(api_as):
    api = api_as(roles.PURCHASING)
    assert api.post("/products", PRODUCT, **{"Idempotency-Key": "q"}).status_code == 201
    r = api.post("/products?dry=1", PRODUCT, **{"Idempotency-Key": "q"})
    assert (r.status_code, r.json()["code"]) == (422, "idempotency_key_reused")


def _digest_of(api: Api, path: str, body: dict) -> str:
    """The hash the middleware computes for this request (built through the same function)."""
    import json

    from django.test import RequestFactory

    from tradelane.api.idempotency import request_digest

    request = RequestFactory().post(
        "/api/v1" + path, data=json.dumps(body), content_type="application/json"
    )
    digest = request_digest(request)
    request._stream = io.BytesIO()
    return digest
