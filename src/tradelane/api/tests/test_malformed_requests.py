"""Malformed requests get a 4xx in the API's format, never a 500 or an HTML page; JSON bodies
are typed as the OpenAPI document says, nothing looser."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from tradelane.accounts import roles
from tradelane.api.testing import Api, role_clients
from tradelane.catalog.models import Product
from tradelane.core.models import AuditLog
from tradelane.integrations.spreadsheets.models import Upload
from tradelane.logistics.models import Channel, RateSheet
from tradelane.orders.models import Order

pytestmark = pytest.mark.django_db

UPLOADS = [
    "/api/v1/spreadsheets/uploads",
    "/api/v1/orders/import/file",
    "/api/v1/channels/SLOW/rate-sheets/upload",
]


@pytest.fixture
def api_as(make_user):
    return role_clients(make_user)


@pytest.fixture
def channel(db):
    return Channel.objects.create(code="SLOW", name="Slow line", currency="CNY")


def _csrf_client(user) -> Client:
    """A browser-like session client: Django's CSRF check runs (and reads the form)."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    return client


def _nothing_written():
    return (Upload.objects.count(), Order.objects.count(), RateSheet.objects.count())


# --- multipart without a boundary: 400 ------------------------------------------------------


@pytest.mark.parametrize("path", UPLOADS)
def test_multipart_without_a_boundary_is_400_with_a_key(api_as, channel, path):
    raw = api_as(roles.ADMIN).post("/me/api-keys", {"name": "k"}).json()["key"]
    before = _nothing_written()
    r = Client().post(
        path,
        data=b"--x\r\nContent-Disposition: form-data; name=entity\r\n\r\norders\r\n--x--",
        content_type="multipart/form-data",  # no boundary=...
        headers={"Authorization": f"Bearer {raw}"},
    )
    assert r.status_code == 400
    assert r["Content-Type"] == "application/json; charset=utf-8"
    assert r.json()["code"] == "bad_request"
    assert "boundary" in r.json()["message"]
    assert _nothing_written() == before


@pytest.mark.parametrize("path", UPLOADS)
def test_multipart_without_a_boundary_is_400_with_a_session(admin, channel, path):
    """With a CSRF cookie the session's check looks for the token in the form, and so reads
    the body first: there too it is a 400, not a 500."""
    from django.middleware.csrf import _get_new_csrf_string

    client = _csrf_client(admin)
    client.cookies["csrftoken"] = _get_new_csrf_string()
    r = client.post(path, data=b"garbage", content_type="multipart/form-data")
    assert (r.status_code, r.json()["code"]) == (400, "bad_request")
    assert _nothing_written() == (0, 0, 0)


# --- unknown paths: the JSON 404, for writes too --------------------------------------------


@pytest.mark.parametrize(
    "method, path",
    [
        ("post", "/api/v1/no-such-thing"),
        ("delete", "/api/v1/products/0"),  # 0 is no id: no route matches
        ("patch", "/api/v2/orders"),
        ("put", "/api/v1/orders/1/nothing"),
    ],
)
def test_a_write_to_an_unknown_api_path_is_the_json_404(admin, method, path):
    """Not Django's HTML page about a missing CSRF token: nothing is there to protect."""
    r = getattr(_csrf_client(admin), method)(path, data="{}", content_type="application/json")
    assert r.status_code == 404
    assert r.json() == {"code": "not_found", "message": f"No API endpoint at {path}"}
    assert not AuditLog.objects.exists()


def test_a_write_to_a_real_path_still_needs_the_csrf_token(admin):
    r = _csrf_client(admin).post(
        "/api/v1/products",
        data=json.dumps({"code": "P", "name": "x"}),
        content_type="application/json",
    )
    assert (r.status_code, r.json()["code"]) == (403, "csrf_failed")
    assert not Product.objects.exists()


# --- unreadable bodies: the documented 400 --------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        b'{"code": "P\x00", "name": "x"}',  # a raw NUL byte
        b'{"code": "P\\u0000", "name": "x"}',  # an escaped one
        b'{"code\\u0000": "P", "name": "x"}',  # in a key
        b'{"code": "P", "name": "\\ud800"}',  # a lone surrogate: not storable as UTF-8
        b'{"code": "P", "name": "x", "skus": [{"code": "S", "name": "s", "cost_amount": NaN}]}',
        b'{"code": "P", "name": "x", "skus": [{"code": "S", "name": "s", "weight_kg": Infinity}]}',
        b"\xff\xfe not utf-8",
    ],
)
def test_an_unreadable_body_is_the_documented_400(api_as, body):
    api = api_as(roles.PURCHASING)
    r = api.client.post("/api/v1/products", body, content_type="application/json")
    assert r.status_code == 400
    assert r.json()["code"] == "bad_request"
    assert not Product.objects.exists()
    doc = api.get("/openapi.json").json()
    assert "400" in doc["paths"]["/api/v1/products"]["post"]["responses"]


def test_nul_in_a_form_field_or_file_name_is_refused(api_as, channel):
    api = api_as(roles.ADMIN)
    r = api.client.post(
        "/api/v1/spreadsheets/uploads",
        {"entity": "orders\x00", "file": _file("o.csv", b"store,external_id\r\n")},
    )
    assert r.status_code == 422
    assert r.json()["details"][0]["type"] == "nul_character"
    assert Upload.objects.count() == 0


def _file(name: str, content: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content)


# --- JSON bodies are strictly typed ---------------------------------------------------------


@pytest.mark.parametrize(
    "body, field, kind",
    [
        ({"code": "P", "name": "x", "skus": [{"code": "S", "name": "s", "has_battery": "true"}]},
         "skus.0.has_battery", "bool_type"),
        ({"code": "P", "name": "x", "skus": [{"code": "S", "name": "s", "has_battery": 1}]},
         "skus.0.has_battery", "bool_type"),
        ({"code": "P", "name": "x", "skus": [{"code": "S", "name": "s", "weight_kg": "1e3"}]},
         "skus.0.weight_kg", "decimal_parsing"),
        ({"code": "P", "name": "x", "skus": [{"code": "S", "name": "s", "weight_kg": True}]},
         "skus.0.weight_kg", "decimal_type"),
        ({"code": "P", "name": "x", "skus": [["S", "s"]]}, "skus.0", "model_type"),
        ({"code": 5, "name": "x"}, "code", "string_type"),
    ],
)  # fmt: skip
def test_body_values_of_the_wrong_json_type_are_422(api_as, body, field, kind):
    r = api_as(roles.PURCHASING).post("/products", body)
    assert r.status_code == 422, r.json()
    assert [(d["field"], d["type"]) for d in r.json()["details"]] == [(field, kind)]
    assert not Product.objects.exists()


@pytest.mark.parametrize("body", [[], [None, None], None, "x", 5])
def test_a_body_that_is_no_json_object_is_422(api_as, make_sku, body):
    """ninja's schemas read attributes of any object: ``[]`` made a PATCH of nothing (200)."""
    sku = make_sku("MUG")
    api = api_as(roles.PURCHASING)
    r = api.client.patch(
        f"/api/v1/skus/{sku.pk}", json.dumps(body), content_type="application/json"
    )
    assert r.status_code == 422
    assert r.json()["details"][0]["type"] in ("model_type", "missing")


def test_integers_are_json_integers_and_query_integers_plain_digits(api_as, wh_cn, make_sku):
    sku = make_sku("MUG")
    api = api_as(roles.WAREHOUSE)
    for quantity in ("5", True, 5.5):
        r = api.post("/stock/receipts", {"sku_id": sku.pk, "warehouse_id": wh_cn.pk,
                                         "quantity": quantity})  # fmt: skip
        assert r.status_code == 422, quantity
        assert r.json()["details"][0]["field"] == "quantity"
    # 5.0 is the integer 5 in JSON (and in JSON Schema)
    r = api.post("/stock/receipts", {"sku_id": sku.pk, "warehouse_id": wh_cn.pk,
                                     "quantity": 5.0})  # fmt: skip
    assert r.status_code == 201
    for query in ({"limit": " 5"}, {"limit": "5.0"}, {"limit": "+5"}, {"low_only": "1"},
                  {"low_only": "yes"}, {"warehouse_id": "0x1"}):  # fmt: skip
        r = api.get("/stock/balances", query)
        assert r.status_code == 422, query
    assert api.get("/stock/balances", {"limit": "5", "low_only": "true"}).status_code == 200


def test_dates_are_iso_dates_not_numbers(api_as):
    api = api_as(roles.BOSS)
    for value in ("0", "1700000000", "2026-11-20T10:00:00"):
        r = api.get("/orders", {"placed_from": value})
        assert r.status_code == 422, value
        assert r.json()["details"][0]["field"] == "placed_from"
    assert api.get("/orders", {"placed_from": "2026-11-20"}).status_code == 200


def test_an_unauthenticated_public_lookup_documents_no_401(db):
    doc = Api().get("/openapi.json").json()
    assert "401" not in doc["paths"]["/api/v1/tracking/{number}"]["get"]["responses"]


@pytest.mark.parametrize("text", ["P\x00", "\ud800", "x\udfff", "\U0001f600 and \x00"])
def test_a_nul_or_lone_surrogate_is_found_however_the_json_writes_it(text):
    from tradelane.api.parser import _may_hold_nul, has_nul

    for ascii_only in (True, False):
        try:
            raw = json.dumps({"a": [text]}, ensure_ascii=ascii_only).encode()
        except UnicodeEncodeError:  # a raw surrogate is not UTF-8: the reader refuses it
            continue
        assert has_nul(json.loads(raw))
        assert _may_hold_nul(raw)


def test_a_body_without_risky_escapes_skips_the_walk():
    from tradelane.api.parser import _may_hold_nul

    assert not _may_hold_nul(json.dumps({"name": "Lukas Müller", "zh": "棉T恤"}).encode())
    assert not _may_hold_nul(json.dumps({"emoji": "\U0001f600"}, ensure_ascii=False).encode())
    assert _may_hold_nul(b'{"a": "\\\\u0000"}')  # an escaped backslash: walked, harmless
    assert _may_hold_nul('{"a": "x"}'.encode("utf-16"))
