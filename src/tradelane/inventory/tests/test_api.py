"""Warehouses and stock through the HTTP API."""

from __future__ import annotations

import pytest

from tradelane.accounts import roles
from tradelane.api.testing import role_clients
from tradelane.core.models import AuditLog
from tradelane.inventory.models import StockBalance, StockMovement, Warehouse

pytestmark = pytest.mark.django_db


@pytest.fixture
def api_as(make_user):
    return role_clients(make_user)


def ledger():
    return (
        list(StockBalance.objects.order_by("id").values()),
        StockMovement.objects.count(),
        list(Warehouse.objects.order_by("id").values()),
        AuditLog.objects.count(),
    )


def balance(sku, wh):
    b = StockBalance.objects.get(sku=sku, warehouse=wh)
    return b.on_hand, b.reserved, b.safety_stock


# --- warehouses -----------------------------------------------------------------------------


def test_warehouse_crud(api_as):
    admin = api_as(roles.ADMIN)
    r = admin.post(
        "/warehouses",
        {"code": "FRA", "name": "Frankfurt", "kind": "overseas", "country": "deu", "priority": 5},
    )
    assert r.status_code == 201, r.content
    body = r.json()
    assert (body["code"], body["country"], body["kind"], body["is_active"]) == (
        "FRA",
        "DE",
        "overseas",
        True,
    )
    wid = body["id"]
    assert admin.get(f"/warehouses/{wid}").json()["name"] == "Frankfurt"
    r = admin.patch(f"/warehouses/{wid}", {"is_active": False, "city": "Frankfurt am Main"})
    assert r.status_code == 200
    assert (r.json()["is_active"], r.json()["city"]) == (False, "Frankfurt am Main")
    assert Warehouse.objects.get(pk=wid).is_active is False
    assert list(
        AuditLog.objects.filter(entity="inventory.warehouse").values_list("action", flat=True)
    ) == ["inventory.warehouse.update", "inventory.warehouse.create"]
    r = admin.get("/warehouses", {"is_active": "false"})
    assert [w["code"] for w in r.json()["items"]] == ["FRA"]
    assert admin.get("/warehouses/424242").json()["code"] == "warehouse_not_found"


def test_warehouse_refusals_change_nothing(api_as, wh_cn):
    before = ledger()
    wh = api_as(roles.WAREHOUSE)  # may move stock, not manage warehouses
    r = wh.post("/warehouses", {"code": "X", "name": "X", "country": "CN"})
    assert r.status_code == 403
    assert r.json()["details"] == {"permission": "inventory.change_warehouse"}
    assert wh.patch(f"/warehouses/{wh_cn.pk}", {"name": "renamed"}).status_code == 403
    admin = api_as(roles.ADMIN)
    r = admin.post("/warehouses", {"code": "SZ", "name": "again", "country": "CN"})
    assert (r.status_code, r.json()["code"]) == (409, "duplicate_code")
    r = admin.post("/warehouses", {"code": "NEW", "name": "n", "country": "XX"})
    assert (r.status_code, r.json()["code"]) == (422, "invalid_country")
    r = admin.post("/warehouses", {"code": "NEW", "name": "n", "country": "CN", "kind": "moon"})
    assert (r.status_code, r.json()["details"][0]["field"]) == (422, "kind")
    assert ledger() == before


# --- stock operations -----------------------------------------------------------------------


def test_receipt_adjustment_transfer_and_safety_stock(api_as, make_sku, wh_cn, wh_us):
    sku = make_sku("MUG")
    wh = api_as(roles.WAREHOUSE)
    r = wh.post(
        "/stock/receipts",
        {"sku": "MUG", "warehouse_id": wh_cn.pk, "quantity": 10, "reference": "PO-7"},
    )
    assert r.status_code == 201, r.content
    m = r.json()
    assert (m["kind"], m["on_hand_delta"], m["sku_code"], m["warehouse_code"]) == (
        "receipt",
        10,
        "MUG",
        "SZ",
    )
    assert (m["source_type"], m["source_id"], m["actor"]) == ("receipt", "PO-7", "api_warehouse")
    r = wh.post(
        "/stock/adjustments",
        {"sku_id": sku.pk, "warehouse_id": wh_cn.pk, "delta": -2, "note": "stock-take"},
    )
    assert (r.status_code, r.json()["on_hand_delta"]) == (201, -2)
    r = wh.post(
        "/stock/transfers",
        {"sku_id": sku.pk, "from_warehouse_id": wh_cn.pk, "to_warehouse_id": wh_us.pk,
         "quantity": 3},
    )  # fmt: skip
    assert r.status_code == 201
    assert (r.json()["out"]["on_hand_delta"], r.json()["into"]["on_hand_delta"]) == (-3, 3)
    r = wh.post("/stock/safety-stock", {"sku": "MUG", "warehouse_id": wh_us.pk, "quantity": 5})
    assert r.status_code == 200
    assert (r.json()["available"], r.json()["safety_stock"], r.json()["low"]) == (3, 5, True)
    assert balance(sku, wh_cn) == (5, 0, 0)
    assert balance(sku, wh_us) == (3, 0, 5)
    kinds = list(StockMovement.objects.order_by("id").values_list("kind", flat=True))
    assert kinds == ["receipt", "adjustment", "transfer_out", "transfer_in"]


def test_refused_stock_operations_change_nothing(api_as, make_sku, wh_cn, wh_us):
    sku = make_sku("MUG")
    wh = api_as(roles.WAREHOUSE)
    wh.post("/stock/receipts", {"sku_id": sku.pk, "warehouse_id": wh_cn.pk, "quantity": 4})
    before = ledger()
    cs = api_as(roles.CUSTOMER_SERVICE)
    r = cs.post("/stock/receipts", {"sku_id": sku.pk, "warehouse_id": wh_cn.pk, "quantity": 4})
    assert (r.status_code, r.json()["code"]) == (403, "permission_denied")
    r = api_as(roles.PURCHASING).post(
        "/stock/adjustments",
        {"sku_id": sku.pk, "warehouse_id": wh_cn.pk, "delta": 1, "note": "x"},
    )
    assert r.status_code == 403
    cases = [
        ("/stock/receipts", {"sku_id": sku.pk, "warehouse_id": wh_cn.pk, "quantity": 0}, 422,
         "validation_error"),
        ("/stock/receipts", {"sku": "NOPE", "warehouse_id": wh_cn.pk, "quantity": 1}, 422,
         "unknown_sku"),
        ("/stock/receipts", {"sku_id": sku.pk, "sku": "MUG", "warehouse_id": wh_cn.pk,
                             "quantity": 1}, 422, "validation_error"),
        ("/stock/receipts", {"sku_id": sku.pk, "warehouse_id": 999999, "quantity": 1}, 422,
         "unknown_warehouse"),
        ("/stock/adjustments", {"sku_id": sku.pk, "warehouse_id": wh_cn.pk, "delta": 0,
                                "note": "x"}, 422, "invalid_quantity"),
        ("/stock/adjustments", {"sku_id": sku.pk, "warehouse_id": wh_cn.pk, "delta": -1,
                                "note": " "}, 422, "reason_required"),
        ("/stock/adjustments", {"sku_id": sku.pk, "warehouse_id": wh_cn.pk, "delta": -5,
                                "note": "lost"}, 409, "insufficient_stock"),
        ("/stock/transfers", {"sku_id": sku.pk, "from_warehouse_id": wh_cn.pk,
                              "to_warehouse_id": wh_us.pk, "quantity": 5}, 409,
         "insufficient_stock"),
        ("/stock/transfers", {"sku_id": sku.pk, "from_warehouse_id": wh_cn.pk,
                              "to_warehouse_id": wh_cn.pk, "quantity": 1}, 422,
         "same_warehouse"),
        ("/stock/safety-stock", {"sku_id": sku.pk, "warehouse_id": wh_cn.pk, "quantity": -1},
         422, "validation_error"),
    ]  # fmt: skip
    for path, payload, status, code in cases:
        r = wh.post(path, payload)
        assert (r.status_code, r.json()["code"]) == (status, code), (path, payload, r.json())
    assert ledger() == before


# --- lists ----------------------------------------------------------------------------------


def test_balances_list_with_filters_low_stock_and_query_count(
    api_as, make_sku, wh_cn, wh_us, django_assert_max_num_queries
):
    wh = api_as(roles.WAREHOUSE)
    skus = [make_sku(f"S{i:02d}") for i in range(12)]
    for i, sku in enumerate(skus):
        StockBalance.objects.create(sku=sku, warehouse=wh_cn, on_hand=10 + i, reserved=i,
                                    safety_stock=15 if i % 3 == 0 else 0)  # fmt: skip
        StockBalance.objects.create(sku=sku, warehouse=wh_us, on_hand=1)
    wh.get("/me")
    with django_assert_max_num_queries(6):
        r = wh.get("/stock/balances", {"limit": 100})
    body = r.json()
    assert body["count"] == 24 and len(body["items"]) == 24
    first = body["items"][0]
    assert (first["warehouse_code"], first["sku_code"], first["available"]) == ("SZ", "S00", 10)
    r = wh.get("/stock/balances", {"low_only": "true"})
    # available = 10 for every CN balance; low where the safety stock (15) is above it
    assert [(b["sku_code"], b["low"]) for b in r.json()["items"]] == [
        ("S00", True), ("S03", True), ("S06", True), ("S09", True),
    ]  # fmt: skip
    r = wh.get("/stock/balances", {"warehouse_id": wh_us.pk, "sku": "S1", "limit": 2})
    assert r.json()["count"] == 2
    assert [b["sku_code"] for b in r.json()["items"]] == ["S10", "S11"]


def test_movements_list_filters_and_query_count(
    api_as, make_sku, wh_cn, wh_us, django_assert_max_num_queries
):
    wh = api_as(roles.WAREHOUSE)
    a, b = make_sku("A"), make_sku("B")
    for _ in range(10):
        wh.post("/stock/receipts", {"sku_id": a.pk, "warehouse_id": wh_cn.pk, "quantity": 2})
    wh.post("/stock/receipts", {"sku_id": b.pk, "warehouse_id": wh_us.pk, "quantity": 1})
    with django_assert_max_num_queries(6):
        r = wh.get("/stock/movements", {"limit": 50})
    assert r.json()["count"] == 11
    assert r.json()["items"][0]["sku_code"] == "B"  # newest first
    r = wh.get("/stock/movements", {"sku_id": a.pk, "warehouse_id": wh_cn.pk, "limit": 3})
    assert (r.json()["count"], len(r.json()["items"])) == (10, 3)
    assert wh.get("/stock/movements", {"kind": "transfer_in"}).json()["count"] == 0
    assert wh.get("/stock/movements", {"kind": "bogus"}).status_code == 422


def test_delete_deactivates_a_warehouse(api_as, wh_cn):
    r = api_as(roles.WAREHOUSE).delete(f"/warehouses/{wh_cn.pk}")
    assert r.status_code == 403
    r = api_as(roles.ADMIN).delete(f"/warehouses/{wh_cn.pk}")
    assert (r.status_code, r.json()["is_active"]) == (200, False)
    wh_cn.refresh_from_db()
    assert wh_cn.is_active is False
