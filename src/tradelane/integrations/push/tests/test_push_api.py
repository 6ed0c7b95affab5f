"""The push API: batches, per-item results, Idempotency-Key replay, errors, permissions."""

from __future__ import annotations

import pytest

from tradelane.accounts import roles
from tradelane.api.testing import Api
from tradelane.catalog.models import Sku
from tradelane.inventory import services as inventory
from tradelane.inventory.models import StockBalance, StockMovement
from tradelane.orders.models import Order

pytestmark = pytest.mark.django_db


@pytest.fixture
def store(company):
    from tradelane.orders.tests.factories import make_store

    return make_store()


def _order(ext="5001", qty=2):
    return {
        "store": "US1",
        "external_id": ext,
        "placed_at": "2026-11-20T10:15:00Z",
        "shipping_address": {
            "name": f"Jane {ext}",
            "address1": f"{ext} Main St",
            "city": "Austin",
            "postcode": "73301",
            "country": "US",
        },
        "lines": [{"store_sku": "A", "quantity": qty, "unit_price": "12.90"}],
    }


def test_push_orders_upsert_and_replay_with_the_same_key(admin, store, make_sku):
    make_sku("A")
    api = Api(admin)
    body = {"orders": [_order("1"), _order("2", qty=0)]}
    first = api.post("/push/orders", body, **{"Idempotency-Key": "k-1"})
    assert first.status_code == 200
    data = first.json()
    assert (data["created"], data["rejected"]) == (1, 1)
    assert [(i["index"], i["key"], i["result"]) for i in data["items"]] == [
        (0, "US1/1", "created"),
        (1, "US1/2", "rejected"),
    ]
    assert data["items"][1]["errors"][0]["code"] == "invalid_quantity"
    replay = api.post("/push/orders", body, **{"Idempotency-Key": "k-1"})
    assert replay.status_code == 200 and replay["Idempotent-Replayed"] == "true"
    assert replay.json() == data
    assert Order.objects.count() == 1
    other = api.post("/push/orders", {"orders": [_order("1")]}, **{"Idempotency-Key": "k-1"})
    assert other.status_code == 422 and other.json()["code"] == "idempotency_key_reused"
    # without a key, the same order again is unchanged; changed, it is updated
    again = api.post("/push/orders", {"orders": [_order("1"), _order("1b")]}).json()
    assert [i["result"] for i in again["items"]] == ["unchanged", "created"]
    changed = api.post("/push/orders", {"orders": [_order("1", qty=3)]}).json()
    assert changed["items"][0]["result"] == "updated", changed
    assert Order.objects.count() == 2


def test_push_batch_limits_are_clear_422(admin, store):
    api = Api(admin)
    too_many = api.post("/push/orders", {"orders": [_order(str(i)) for i in range(1001)]})
    assert too_many.status_code == 422 and too_many.json()["code"] == "validation_error"
    assert api.post("/push/stock", {"mode": "stocktake", "items": []}).status_code == 422
    bad_mode = api.post(
        "/push/stock", {"mode": "set", "items": [{"sku": "A", "warehouse": "SZ", "quantity": 1}]}
    )
    assert bad_mode.status_code == 422
    assert Order.objects.count() == 0


def test_push_products_and_stock_with_replay(admin, wh_cn, make_sku):
    api = Api(admin)
    body = {
        "items": [
            {
                "product_code": "P-L",
                "product_name": "灯",
                "code": "L-1",
                "name": "灯 1",
                "weight_kg": "1.2",
                "length_cm": "10.5",
                "cost": "8.50",
                "has_battery": True,
            },
            {"code": "NOPE"},
        ]
    }
    res = api.post("/push/products", body, **{"Idempotency-Key": "p-1"})
    assert res.status_code == 200, res.content
    items = res.json()["items"]
    assert [(i["key"], i["result"]) for i in items] == [("L-1", "created"), ("NOPE", "rejected")]
    assert items[1]["errors"][0]["code"] == "required"
    sku = Sku.objects.get(code="L-1")
    assert (sku.weight_g, sku.length_mm, str(sku.cost_amount), sku.has_battery) == (
        1200,
        105,
        "8.5000",
        True,
    )
    assert api.post("/push/products", body, **{"Idempotency-Key": "p-1"}).json()["items"] == items
    assert Sku.objects.filter(code="L-1").count() == 1

    stock = {
        "mode": "receipt",
        "items": [
            {"sku": "L-1", "warehouse": "SZ", "quantity": 5},
            {"sku": "L-1", "warehouse": "XX", "quantity": 1},
        ],
    }
    first = api.post("/push/stock", stock, **{"Idempotency-Key": "s-1"})
    assert [i["result"] for i in first.json()["items"]] == ["updated", "rejected"]
    replay = api.post("/push/stock", stock, **{"Idempotency-Key": "s-1"})
    assert replay.json() == first.json() and replay["Idempotent-Replayed"] == "true"
    assert StockBalance.objects.get(sku=sku).on_hand == 5
    assert StockMovement.objects.filter(sku=sku).count() == 1


def test_push_stocktake_below_reserved_names_the_item(admin, wh_cn, make_sku):
    a = make_sku("A")
    inventory.receive(admin, sku_id=a.pk, warehouse_id=wh_cn.pk, quantity=10)
    inventory.reserve(admin, inventory.Reservation(wh_cn.pk, {a.pk: 4}, "order", "1"))
    res = Api(admin).post(
        "/push/stock",
        {"mode": "stocktake", "items": [{"sku": "A", "warehouse": "SZ", "quantity": 3}]},
    )
    item = res.json()["items"][0]
    assert (item["key"], item["result"], item["errors"][0]["code"]) == (
        "A@SZ",
        "rejected",
        "below_reserved",
    )
    assert StockBalance.objects.get(sku=a).on_hand == 10


def test_push_permissions_403_and_nothing_changed(make_user, store, wh_cn, make_sku):
    make_sku("A")
    boss = Api(make_user(roles.BOSS))
    assert boss.post("/push/orders", {"orders": [_order()]}).status_code == 403
    assert boss.post("/push/products", {"items": [{"code": "A", "name": "x"}]}).status_code == 403
    res = boss.post(
        "/push/stock",
        {"mode": "receipt", "items": [{"sku": "A", "warehouse": "SZ", "quantity": 1}]},
    )
    assert res.status_code == 403 and res.json()["code"] == "permission_denied"
    assert Order.objects.count() == 0 and StockMovement.objects.count() == 0
    assert Sku.objects.get(code="A").name == "A"


def test_push_is_documented_in_openapi(admin):
    doc = Api(admin).get("/openapi.json").json()
    op = doc["paths"]["/api/v1/push/orders"]["post"]
    assert op["tags"] == ["push"]
    assert "Idempotency-Key" in op["description"]
    assert op["requestBody"]["content"]["application/json"]["example"]["orders"][0]["store"]
