"""Products and SKUs through the HTTP API."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tradelane.accounts import roles
from tradelane.api.testing import Api, role_clients
from tradelane.catalog.models import Product, Sku
from tradelane.core.models import AuditLog

pytestmark = pytest.mark.django_db


@pytest.fixture
def api_as(make_user):
    return role_clients(make_user)


@pytest.fixture
def anon():
    return Api()


MUG = {
    "code": "P-MUG",
    "name": "马克杯",
    "name_en": "Mug",
    "skus": [
        {
            "code": "MUG-RED",
            "name": "Mug red",
            "variant": "Red",
            "weight_kg": "0.35",
            "length_cm": "12",
            "width_cm": "9.05",
            "height_cm": 10,
            "cost_amount": "12.50",
            "cost_currency": "cny",
            "declared_name_zh": "陶瓷马克杯",
            "declared_name_en": "Ceramic mug",
            "hs_code": "6912.00",
            "declared_value": "5.00",
            "declared_currency": "USD",
            "origin_country": "cn",
            "has_magnet": True,
        }
    ],
}


def snapshot():
    return (
        list(Product.objects.order_by("id").values()),
        list(Sku.objects.order_by("id").values()),
        AuditLog.objects.count(),
    )


def test_create_product_with_sku_converts_units_and_audits(api_as):
    api = api_as(roles.PURCHASING)
    r = api.post("/products", MUG)
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["code"] == "P-MUG"
    assert body["sku_count"] == 1
    sku = body["skus"][0]
    assert sku["product_code"] == "P-MUG"
    assert sku["weight_g"] == 350
    assert Decimal(sku["weight_kg"]) == Decimal("0.35")
    assert (sku["length_mm"], sku["width_mm"], sku["height_mm"]) == (120, 91, 100)
    assert Decimal(sku["width_cm"]) == Decimal("9.1")
    assert sku["hs_code"] == "691200"
    assert sku["cost_currency"] == "CNY"
    assert Decimal(sku["cost_amount"]) == Decimal("12.50")
    assert sku["origin_country"] == "CN"
    assert sku["has_magnet"] is True and sku["has_battery"] is False
    stored = Sku.objects.get(code="MUG-RED")
    assert (stored.weight_g, stored.length_mm, stored.width_mm, stored.height_mm) == (
        350,
        120,
        91,
        100,
    )
    actions = sorted(AuditLog.objects.values_list("action", flat=True))
    assert actions == ["catalog.product.create", "catalog.sku.create"]
    assert set(AuditLog.objects.values_list("actor__username", flat=True)) == {"api_purchasing"}


@pytest.mark.parametrize(
    "change, code, field",
    [
        ({"hs_code": "12345"}, "invalid_hs_code", "hs_code"),
        ({"hs_code": "12345678901"}, "invalid_hs_code", "hs_code"),
        ({"cost_currency": "XXQ"}, "invalid_currency", "cost_currency"),
        ({"declared_currency": "EURO"}, "invalid_currency", "declared_currency"),
        ({"origin_country": "ZZ"}, "invalid_country", "origin_country"),
        ({"image_url": "ftp://example.com/a.png"}, "invalid_url", "image_url"),
    ],
)
def test_bad_sku_values_are_422_and_write_nothing(api_as, change, code, field):
    api = api_as(roles.PURCHASING)
    before = snapshot()
    payload = {**MUG, "skus": [{**MUG["skus"][0], **change}]}
    r = api.post("/products", payload)
    assert r.status_code == 422, r.content
    assert r.json()["code"] == code
    assert r.json()["details"] == {"field": field}
    assert snapshot() == before


def test_schema_errors_are_422_with_field_details(api_as):
    api = api_as(roles.PURCHASING)
    before = snapshot()
    r = api.post(
        "/products",
        {"code": "P1", "name": "x", "skus": [{"code": "S1", "name": "s", "weight_kg": "-1"}]},
    )
    assert r.status_code == 422
    body = r.json()
    assert body["code"] == "validation_error"
    assert [d["field"] for d in body["details"]] == ["skus.0.weight_kg"]
    assert body["details"][0]["type"] == "greater_than_equal"
    r = api.post("/products", {"name": "no code"})
    assert r.status_code == 422
    assert [d["field"] for d in r.json()["details"]] == ["code"]
    assert snapshot() == before


def test_duplicate_codes_conflict(api_as):
    api = api_as(roles.PURCHASING)
    assert api.post("/products", MUG).status_code == 201
    before = snapshot()
    r = api.post("/products", {**MUG, "skus": []})
    assert r.status_code == 409
    assert r.json() == {
        "code": "duplicate_code",
        "message": "A product with code 'P-MUG' exists",
        "details": {"code": "P-MUG"},
    }
    r = api.post("/products", {**MUG, "code": "P-OTHER"})  # its SKU code is taken
    assert r.status_code == 409
    assert r.json()["details"] == {"code": "MUG-RED"}
    pid = Product.objects.get(code="P-MUG").pk
    r = api.post(f"/products/{pid}/skus", {"code": "MUG-RED", "name": "again"})
    assert r.status_code == 409
    two = {**MUG, "code": "P-TWO", "skus": [{"code": "A", "name": "a"}, {"code": "A", "name": "b"}]}
    assert api.post("/products", two).status_code == 409
    assert snapshot() == before


def test_wrong_role_is_403_and_changes_nothing(api_as):
    purchasing = api_as(roles.PURCHASING)
    assert purchasing.post("/products", MUG).status_code == 201
    pid = Product.objects.get(code="P-MUG").pk
    sku_id = Sku.objects.get(code="MUG-RED").pk
    before = snapshot()
    cs = api_as(roles.CUSTOMER_SERVICE)
    r = cs.post("/products", {**MUG, "code": "P-2", "skus": []})
    assert r.status_code == 403
    assert r.json() == {
        "code": "permission_denied",
        "message": "Your role may not do this (catalog.add_product)",
        "details": {"permission": "catalog.add_product"},
    }
    assert cs.patch(f"/products/{pid}", {"name": "x"}).status_code == 403
    assert cs.patch(f"/skus/{sku_id}", {"hs_code": "999999"}).status_code == 403
    assert cs.post(f"/products/{pid}/skus", {"code": "N", "name": "n"}).status_code == 403
    # sales may change but not add
    sales = api_as(roles.SALES)
    assert sales.post(f"/products/{pid}/skus", {"code": "N", "name": "n"}).status_code == 403
    assert snapshot() == before
    r = sales.patch(f"/skus/{sku_id}", {"declared_value": "6.5"})
    assert r.status_code == 200
    assert Decimal(r.json()["declared_value"]) == Decimal("6.5")


def test_update_product_and_sku(api_as):
    api = api_as(roles.PURCHASING)
    pid = api.post("/products", MUG).json()["id"]
    sku_id = Sku.objects.get(code="MUG-RED").pk
    r = api.patch(f"/products/{pid}", {"name_en": "Big mug", "status": "inactive"})
    assert r.status_code == 200
    assert (r.json()["name_en"], r.json()["status"]) == ("Big mug", "inactive")
    r = api.patch(f"/skus/{sku_id}", {"weight_kg": "1.2345", "hs_code": "6912 00 10 00"})
    assert r.status_code == 200
    assert (r.json()["weight_g"], r.json()["hs_code"]) == (1235, "6912001000")
    sku = Sku.objects.get(pk=sku_id)
    assert (sku.weight_g, sku.hs_code, sku.length_mm) == (1235, "6912001000", 120)
    log = AuditLog.objects.filter(action="catalog.sku.update").get()
    assert log.changes == {"weight_g": [350, 1235], "hs_code": ["691200", "6912001000"]}
    # renaming onto another SKU's code is a conflict
    api.post(f"/products/{pid}/skus", {"code": "MUG-BLUE", "name": "blue"})
    r = api.patch(f"/skus/{sku_id}", {"code": "MUG-BLUE"})
    assert r.status_code == 409
    assert Sku.objects.get(pk=sku_id).code == "MUG-RED"


def test_get_and_404(api_as):
    api = api_as(roles.BOSS)
    r = api.get("/products/999999")
    assert r.status_code == 404
    assert r.json() == {"code": "product_not_found", "message": "Product 999999 does not exist"}
    assert api.get("/skus/999999").json()["code"] == "sku_not_found"


def _seed(n: int):
    for i in range(n):
        p = Product.objects.create(code=f"P{i:03d}", name=f"Product {i}")
        for j in range(3):
            Sku.objects.create(
                product=p,
                code=f"S{i:03d}-{j}",
                name=f"Sku {i}-{j}",
                status="inactive" if j == 2 else "active",
                hs_code="691200" if j == 0 else "420222",
                has_battery=j == 1,
            )


def test_list_products_pages_filters_and_counts_queries(api_as, django_assert_max_num_queries):
    api = api_as(roles.BOSS)
    api.get("/me")  # warm the session and permission caches out of the count
    _seed(30)
    with django_assert_max_num_queries(8):
        r = api.get("/products", {"limit": 10, "offset": 5})
    assert r.status_code == 200
    body = r.json()
    assert (body["count"], body["limit"], body["offset"]) == (30, 10, 5)
    assert [p["code"] for p in body["items"]] == [f"P{i:03d}" for i in range(5, 15)]
    assert all(p["sku_count"] == 3 and len(p["skus"]) == 3 for p in body["items"])
    r = api.get("/products", {"q": "S007-2"})  # matches through a SKU code
    assert [p["code"] for p in r.json()["items"]] == ["P007"]
    assert api.get("/products", {"offset": 100}).json()["items"] == []
    assert api.get("/products", {"limit": 0}).status_code == 422
    assert api.get("/products", {"limit": 501}).status_code == 422
    assert api.get("/products", {"status": "nope"}).status_code == 422


def test_list_skus_filters_and_counts_queries(api_as, django_assert_max_num_queries):
    api = api_as(roles.BOSS)
    api.get("/me")
    _seed(20)
    with django_assert_max_num_queries(7):
        r = api.get("/skus", {"limit": 500})
    assert r.json()["count"] == 60 and len(r.json()["items"]) == 60
    assert r.json()["items"][0]["product_code"] == "P000"
    r = api.get("/skus", {"status": "active", "hs_code": "6912", "limit": 500})
    assert r.json()["count"] == 20
    r = api.get("/skus", {"has_battery": "true"})
    assert r.json()["count"] == 20
    assert {s["code"][-1] for s in r.json()["items"]} == {"1"}
    r = api.get("/skus", {"q": "Sku 3-"})
    assert [s["code"] for s in r.json()["items"]] == ["S003-0", "S003-1", "S003-2"]


def test_anonymous_is_401(anon):
    r = anon.get("/products")
    assert r.status_code == 401
    assert r.json() == {"code": "not_authenticated", "message": "Log in or send an API key"}
    assert anon.post("/products", MUG).status_code == 401
    assert Product.objects.count() == 0
