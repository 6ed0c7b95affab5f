"""Stores, mappings and orders through the HTTP API, including refusals that change nothing."""

from __future__ import annotations

import copy
import io
import json
from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from tradelane.accounts import roles
from tradelane.api.testing import role_clients
from tradelane.core.models import AuditLog, FxRate, StateEvent
from tradelane.inventory.models import StockBalance, StockMovement
from tradelane.orders.models import Order, OrderLine, Package, Store, StoreSkuMapping

from .factories import make_order, make_store

pytestmark = pytest.mark.django_db


@pytest.fixture
def api_as(make_user):
    return role_clients(make_user)


@pytest.fixture
def store(company):
    FxRate.objects.create(
        base="USD", quote="CNY", rate=Decimal("7.1"), date="2026-11-20", source="test"
    )
    return make_store()


@pytest.fixture
def skus(make_sku, store):
    a, b = make_sku("A"), make_sku("B")
    StoreSkuMapping.objects.create(store=store, store_sku="S-A", sku=a, quantity=1)
    StoreSkuMapping.objects.create(store=store, store_sku="S-BUNDLE", sku=a, quantity=1)
    StoreSkuMapping.objects.create(store=store, store_sku="S-BUNDLE", sku=b, quantity=2)
    return a, b


def stock(sku, wh, qty):
    StockBalance.objects.update_or_create(sku=sku, warehouse=wh, defaults={"on_hand": qty})


def order_json(ext="5001", **over):
    data = {
        "store": "US1",
        "external_id": ext,
        "number": f"#{ext}",
        "placed_at": "2026-11-20T10:15:00Z",
        "currency": "USD",
        "payment_status": "paid",
        "buyer": {"name": "Jane Doe", "email": f"jane{ext}@example.com", "phone": ""},
        "shipping_address": {
            "name": "Jane Doe",
            "address1": "1600 Amphitheatre Pkwy",
            "city": "Mountain View",
            "state": "CA",
            "postcode": "94043",
            "country": "US",
            "phone": "+1 650-253-0000",
        },
        "totals": {"shipping": "5.00"},
        "lines": [
            {"store_sku": "S-A", "title": "Mug", "quantity": 1, "unit_price": "10.00"},
            {"store_sku": "S-BUNDLE", "title": "Set", "quantity": 2, "unit_price": "5.50"},
        ],
    }
    data.update(over)
    return data


def state():
    """Everything an order action may touch, to prove a refusal changed nothing."""
    return (
        list(Order.objects.order_by("id").values()),
        list(OrderLine.objects.order_by("id").values()),
        StateEvent.objects.count(),
        AuditLog.objects.count(),
        list(StockBalance.objects.order_by("id").values("on_hand", "reserved")),
        StockMovement.objects.count(),
        Package.objects.count(),
    )


# --- stores and mappings --------------------------------------------------------------------


def test_store_endpoints_and_refusals(api_as, company):
    admin = api_as(roles.ADMIN)
    r = admin.post(
        "/stores",
        {"code": "DE1", "name": "Shop DE", "platform": "shopify", "currency": "eur",
         "country": "de"},
    )  # fmt: skip
    assert r.status_code == 201, r.content
    body = r.json()
    assert (body["code"], body["currency"], body["country"], body["is_active"]) == (
        "DE1",
        "EUR",
        "DE",
        True,
    )
    before = list(Store.objects.values())
    cs = api_as(roles.CUSTOMER_SERVICE)
    payload = {"code": "X", "name": "X", "platform": "manual", "currency": "USD", "country": "US"}
    assert cs.post("/stores", payload).status_code == 403
    r = admin.post("/stores", {**payload, "code": "DE1"})
    assert (r.status_code, r.json()["code"]) == (409, "duplicate_code")
    r = admin.post("/stores", {**payload, "currency": "ZZZ"})
    assert (r.status_code, r.json()["code"]) == (422, "invalid_currency")
    r = admin.post("/stores", {**payload, "platform": "ebay"})
    assert (r.status_code, r.json()["details"][0]["field"]) == (422, "platform")
    assert list(Store.objects.values()) == before
    r = admin.patch(f"/stores/{body['id']}", {"name": "Shop Deutschland"})
    assert r.json()["name"] == "Shop Deutschland"
    assert [s["code"] for s in cs.get("/stores").json()["items"]] == ["DE1"]
    assert cs.get("/stores/999").json()["code"] == "store_not_found"


def test_store_sku_mapping_bundle(api_as, store, make_sku):
    make_sku("A")
    b = make_sku("B")
    sales = api_as(roles.SALES)  # sales maps store SKUs (purchasing edits products only)
    r = sales.post(
        f"/stores/{store.pk}/sku-mappings",
        {"store_sku": "KIT-1", "components": [{"sku": "A"}, {"sku_id": b.pk, "quantity": 2}]},
    )
    assert r.status_code == 200, r.content
    assert r.json() == {
        "store_sku": "KIT-1",
        "components": [
            {"sku_id": r.json()["components"][0]["sku_id"], "sku_code": "A", "quantity": 1},
            {"sku_id": b.pk, "sku_code": "B", "quantity": 2},
        ],
    }
    # mapping again replaces the old mapping
    sales.post(
        f"/stores/{store.pk}/sku-mappings", {"store_sku": "KIT-1", "components": [{"sku": "B"}]}
    )
    sales.post(
        f"/stores/{store.pk}/sku-mappings", {"store_sku": "ONE", "components": [{"sku": "A"}]}
    )
    r = sales.get(f"/stores/{store.pk}/sku-mappings")
    assert r.json()["count"] == 2
    got = [(m["store_sku"], [c["sku_code"] for c in m["components"]]) for m in r.json()["items"]]
    assert got == [("KIT-1", ["B"]), ("ONE", ["A"])]
    before = list(StoreSkuMapping.objects.values())
    r = sales.post(
        f"/stores/{store.pk}/sku-mappings", {"store_sku": "X", "components": [{"sku": "NOPE"}]}
    )
    assert (r.status_code, r.json()["code"]) == (422, "unknown_sku")
    for role in (roles.WAREHOUSE, roles.PURCHASING):
        r = api_as(role).post(
            f"/stores/{store.pk}/sku-mappings", {"store_sku": "X", "components": [{"sku": "A"}]}
        )
        assert r.status_code == 403
        assert r.json()["details"] == {"permission": "orders.change_storeskumapping"}
    assert list(StoreSkuMapping.objects.values()) == before


# --- create and import ----------------------------------------------------------------------


def test_create_order_expands_bundles_reviews_and_shows_detail(api_as, store, skus):
    a, b = skus
    cs = api_as(roles.CUSTOMER_SERVICE)
    r = cs.post("/orders", order_json())
    assert r.status_code == 201, r.content
    o = r.json()
    assert (o["store_code"], o["external_id"], o["number"], o["source"]) == (
        "US1",
        "5001",
        "#5001",
        "api",
    )
    assert o["status"] == "approved"
    assert o["totals"] == {
        "items": "21.0000",
        "shipping": "5.0000",
        "tax": "0.0000",
        "discount": "0.0000",
        "grand": "26.0000",
    }
    assert o["shipping_address"]["country"] == "US"
    assert [(ln["store_sku"], ln["sku_code"], ln["quantity"]) for ln in o["lines"]] == [
        ("S-A", "A", 1),
        ("S-BUNDLE", "A", 2),
        ("S-BUNDLE", "B", 4),
    ]
    assert [v["rule"] for v in o["review"]] == [
        "lines", "address", "phone", "payment", "duplicate", "high_value", "blocked_buyer",
    ]  # fmt: skip
    assert {v["result"] for v in o["review"]} == {"pass"}
    assert [(e["from_state"], e["to_state"]) for e in o["history"]] == [
        ("", "pending_review"),
        ("pending_review", "approved"),
    ]
    assert o["reservations"] == [] and o["packages"] == []
    assert cs.get(f"/orders/{o['id']}").json() == o

    # the same order again changes nothing and answers 200
    r = cs.post("/orders", order_json())
    assert r.status_code == 200
    assert Order.objects.count() == 1 and OrderLine.objects.count() == 3


def test_create_order_refusals_change_nothing(api_as, store, skus):
    cs = api_as(roles.CUSTOMER_SERVICE)
    cs.post("/orders", order_json("1"))
    before = state()
    r = api_as(roles.WAREHOUSE).post("/orders", order_json("2"))
    assert (r.status_code, r.json()["code"]) == (403, "permission_denied")
    r = cs.post("/orders", order_json("2", store="NOPE"))
    assert r.status_code == 422
    assert r.json() == {
        "code": "order_rejected",
        "message": "The order was refused",
        "details": [
            {"field": "store", "code": "unknown_store", "message": "No store with the code 'NOPE'"}
        ],
    }
    bad_country = order_json("3")
    bad_country["shipping_address"]["country"] = "QQ"
    r = cs.post("/orders", bad_country)
    assert r.json()["details"][0]["field"] == "shipping_address.country"
    r = cs.post("/orders", order_json("4", lines=[]))
    assert (r.status_code, r.json()["details"][0]["field"]) == (422, "lines")
    no_addr = order_json("5")
    del no_addr["shipping_address"]["address1"]
    r = cs.post("/orders", no_addr)
    assert r.json()["details"][0]["field"] == "shipping_address.address1"
    assert state() == before


def test_create_order_with_idempotency_key_creates_once(api_as, store, skus):
    cs = api_as(roles.CUSTOMER_SERVICE)
    first = cs.post("/orders", order_json("9"), **{"Idempotency-Key": "order-9"})
    again = cs.post("/orders", order_json("9"), **{"Idempotency-Key": "order-9"})
    assert (first.status_code, again.status_code) == (201, 201)
    assert again["Idempotent-Replayed"] == "true" and again.json() == first.json()
    other = cs.post("/orders", order_json("10"), **{"Idempotency-Key": "order-9"})
    assert (other.status_code, other.json()["code"]) == (422, "idempotency_key_reused")
    assert list(Order.objects.values_list("external_id", flat=True)) == ["9"]


def test_import_json_reports_each_row_and_is_idempotent(api_as, store, skus):
    cs = api_as(roles.CUSTOMER_SERVICE)
    bad = order_json("B1")
    bad["totals"] = {"shipping": 1.5}  # a JSON number literal is read as Decimal, not float
    rows = [order_json("I1"), order_json("I2", currency="QQQ"), bad]
    r = cs.post("/orders/import", {"orders": rows})
    assert r.status_code == 200, r.content
    report = r.json()
    assert (report["created"], report["rejected"], report["total"]) == (2, 1, 3)
    assert [(row["row"], row["external_id"], row["result"]) for row in report["rows"]] == [
        (1, "I1", "created"),
        (2, "I2", "rejected"),
        (3, "B1", "created"),
    ]
    assert report["rows"][1]["errors"][0]["code"] == "invalid_currency"
    assert Order.objects.get(external_id="B1").shipping_total == Decimal("1.5")
    before = state()
    r = cs.post("/orders/import", {"orders": rows})
    assert (r.json()["created"], r.json()["unchanged"], r.json()["rejected"]) == (0, 2, 1)
    assert state() == before
    assert cs.post("/orders/import", {"orders": []}).status_code == 422
    assert api_as(roles.BOSS).post("/orders/import", {"orders": rows}).status_code == 403


def _csv(rows):
    header = "store,external_id,number,currency,buyer_name,buyer_email,ship_name,ship_address1,"
    header += "ship_city,ship_state,ship_postcode,ship_country,ship_phone,store_sku,quantity,"
    header += "unit_price\n"
    return header + "".join(
        f"US1,{ext},#{ext},USD,Jo,jo{ext}@example.com,Jo,1600 Amphitheatre Pkwy,Mountain View,"
        f"CA,94043,US,+1 650-253-0000,{sku},{qty},4.00\n"
        for ext, sku, qty in rows
    )


def test_import_file_csv_and_json(api_as, store, skus):
    cs = api_as(roles.CUSTOMER_SERVICE)
    text = _csv([("C1", "S-A", 1), ("C1", "S-BUNDLE", 1), ("C2", "S-A", 0)])
    upload = io.BytesIO(text.encode())
    upload.name = "orders.csv"
    r = cs.client.post("/api/v1/orders/import/file", {"file": upload})
    assert r.status_code == 200, r.content
    report = r.json()
    assert (report["created"], report["rejected"]) == (1, 1)
    assert [(row["row"], row["result"]) for row in report["rows"]] == [
        (2, "created"),
        (4, "rejected"),
    ]
    assert report["rows"][1]["errors"][0]["field"] == "lines[0].quantity"
    assert OrderLine.objects.filter(order__external_id="C1").count() == 3

    upload = io.BytesIO(json.dumps([order_json("J1")]).encode())
    upload.name = "anything.txt"
    r = cs.client.post("/api/v1/orders/import/file", {"file": upload, "fmt": "json"})
    assert (r.status_code, r.json()["created"]) == (200, 1)

    before = state()
    upload = io.BytesIO(b"x")
    upload.name = "orders.xlsx"
    r = cs.client.post("/api/v1/orders/import/file", {"file": upload})
    assert (r.status_code, r.json()["code"]) == (422, "invalid_format")
    r = cs.client.post("/api/v1/orders/import/file", {})
    assert (r.status_code, r.json()["details"][0]["field"]) == (422, "file")
    upload = io.BytesIO(b"store,foo\nUS1,1\n")
    upload.name = "bad.csv"
    r = cs.client.post("/api/v1/orders/import/file", {"file": upload})
    assert (r.status_code, r.json()["code"]) == (422, "invalid_csv")
    assert state() == before


# --- list and detail ------------------------------------------------------------------------


def test_list_orders_filters_paging_and_query_count(
    api_as, store, skus, wh_cn, django_assert_max_num_queries
):
    a, _ = skus
    de = make_store("DE1", currency="EUR", country="DE")
    base = timezone.make_aware(datetime(2026, 11, 1, 12, 0))
    for i in range(30):
        make_order(
            store if i % 3 else de,
            [(a, 1)],
            status="approved" if i % 2 else "pending_review",
            placed_at=base + timedelta(days=i % 10),
            ship_country="US" if i % 3 else "DE",
            buyer_name=f"Buyer {i:02d}",
            warehouse=wh_cn if i % 5 == 0 else None,
        )
    boss = api_as(roles.BOSS)
    boss.get("/me")
    with django_assert_max_num_queries(6):
        r = boss.get("/orders", {"limit": 100})
    body = r.json()
    assert body["count"] == 30 and len(body["items"]) == 30
    placed = [o["placed_at"] for o in body["items"]]
    assert placed == sorted(placed, reverse=True)
    assert {o["warehouse_code"] for o in body["items"]} == {"SZ", None}

    def count(**params):
        return boss.get("/orders", params).json()["count"]

    assert count(status="approved") == 15
    assert count(store_id=de.pk) == 10
    assert count(country="de") == 10
    assert count(q="Buyer 07") == 1
    assert count(q="jane") == 30  # buyer email
    assert count(placed_from="2026-11-09") == 6
    assert count(placed_from="2026-11-02", placed_to="2026-11-03") == 6
    assert count(status="approved", store_id=de.pk) == 5
    page = boss.get("/orders", {"limit": 7, "offset": 28}).json()
    assert (page["count"], len(page["items"]), page["offset"]) == (30, 2, 28)
    assert boss.get("/orders", {"status": "lost"}).status_code == 422
    assert boss.get("/orders", {"placed_from": "yesterday"}).status_code == 422
    counts = boss.get("/orders/status-counts").json()
    assert (counts["approved"], counts["pending_review"], counts["shipped"]) == (15, 15, 0)


def test_order_detail_404(api_as):
    r = api_as(roles.BOSS).get("/orders/123456")
    assert (r.status_code, r.json()["code"]) == (404, "order_not_found")


# --- actions --------------------------------------------------------------------------------


@pytest.fixture
def approved(api_as, store, skus):
    r = api_as(roles.CUSTOMER_SERVICE).post("/orders", order_json("A1"))
    assert r.json()["status"] == "approved"
    return Order.objects.get(pk=r.json()["id"])


def test_transitions_and_refusals(api_as, approved):
    cs = api_as(roles.CUSTOMER_SERVICE)
    path = f"/orders/{approved.pk}/transition"
    r = cs.post(path, {"to": "pending_contact", "reason": "call about the address"})
    assert r.status_code == 200, r.content
    assert r.json()["status"] == "pending_contact"
    assert r.json()["history"][-1] == {
        "field": "status",
        "from_state": "approved",
        "to_state": "pending_contact",
        "actor": "api_customer_service",
        "reason": "call about the address",
        "created_at": r.json()["history"][-1]["created_at"],
    }
    before = state()
    r = cs.post(path, {"to": "shipped"})
    assert r.status_code == 403  # shipping is for logistics
    r = api_as(roles.LOGISTICS).post(path, {"to": "shipped"})
    assert (r.status_code, r.json()["code"]) == (409, "invalid_transition")
    assert r.json()["details"] == {"from": "pending_contact", "to": "shipped"}
    r = api_as(roles.WAREHOUSE).post(path, {"to": "approved"})
    assert (r.status_code, r.json()["code"]) == (403, "permission_denied")
    r = cs.post(path, {"to": "invalid"})
    assert (r.status_code, r.json()["code"]) == (422, "reason_required")
    r = cs.post(path, {"to": "on_the_moon"})
    assert (r.status_code, r.json()["details"][0]["field"]) == (422, "to")
    r = cs.post(path, {"to": "pending_shipment"})
    assert (r.status_code, r.json()["code"]) == (422, "use_dedicated_action")
    assert cs.post("/orders/99999/transition", {"to": "approved"}).status_code == 404
    assert state() == before

    assert cs.post(path, {"to": "approved"}).json()["status"] == "approved"
    r = cs.post(f"/orders/{approved.pk}/cancel", {"reason": "buyer asked"})
    assert r.json()["status"] == "cancelled"
    before = state()
    r = cs.post(path, {"to": "approved"})
    assert (r.status_code, r.json()["code"]) == (409, "invalid_transition")
    r = cs.post(f"/orders/{approved.pk}/cancel", {"reason": "again"})
    assert r.status_code == 409
    assert cs.post(f"/orders/{approved.pk}/cancel", {}).status_code == 422
    assert state() == before


def test_review_allocate_ship_and_cancel_release(api_as, store, skus, wh_cn):
    a, b = skus
    stock(a, wh_cn, 10)
    stock(b, wh_cn, 10)
    cs = api_as(roles.CUSTOMER_SERVICE)
    logistics = api_as(roles.LOGISTICS)
    ids = [cs.post("/orders", order_json(f"R{i}")).json()["id"] for i in range(3)]
    Order.objects.filter(pk__in=ids).update(status="pending_review")
    before = state()
    r = logistics.post("/orders/review", {"ids": ids})
    assert r.status_code == 403
    r = cs.post("/orders/allocate", {"ids": ids})
    assert r.status_code == 403
    assert cs.post("/orders/review", {"ids": []}).status_code == 422
    assert state() == before

    r = cs.post("/orders/review", {"ids": [*ids, 999999]})
    assert r.json() == {"approved": 3, "pending_contact": 0, "invalid": 0, "skipped": 1}
    # each order needs 3 A and 4 B: two fit in the 10 units of B
    r = logistics.post("/orders/allocate", {"ids": ids})
    assert r.json() == {"allocated": 2, "pending_purchase": 1, "skipped": 0}
    first = logistics.get(f"/orders/{ids[0]}").json()
    assert (first["status"], first["warehouse_code"]) == ("pending_shipment", "SZ")
    assert first["reservations"] == [
        {"sku_id": a.pk, "warehouse_id": wh_cn.pk, "quantity": 3},
        {"sku_id": b.pk, "warehouse_id": wh_cn.pk, "quantity": 4},
    ]
    last = logistics.get(f"/orders/{ids[2]}").json()
    assert last["status"] == "pending_purchase"
    assert last["shortage"] == [
        {"sku_id": b.pk, "needed": 4, "available": 2, "warehouse_id": wh_cn.pk}
    ]

    r = logistics.post(f"/orders/{ids[0]}/transition", {"to": "shipped"})
    assert r.json()["status"] == "shipped"
    assert StockBalance.objects.get(sku=b, warehouse=wh_cn).on_hand == 6
    r = cs.post(f"/orders/{ids[1]}/cancel", {"reason": "out of patience"})
    assert (r.json()["status"], r.json()["reservations"]) == ("cancelled", [])
    assert StockBalance.objects.get(sku=b, warehouse=wh_cn).reserved == 0


def _same_buyer(ext, qty):
    """Orders of one buyer to one address; other quantities, so not duplicates."""
    data = order_json(ext)
    data["buyer"]["email"] = "same@example.com"
    data["lines"] = [{"store_sku": "S-A", "quantity": qty, "unit_price": "10.00"}]
    return data


def test_merge_and_split(api_as, store, skus, wh_cn, wh_us):
    a, b = skus
    stock(a, wh_cn, 10)
    stock(b, wh_cn, 10)
    stock(a, wh_us, 10)
    cs = api_as(roles.CUSTOMER_SERVICE)
    one = cs.post("/orders", _same_buyer("M1", 1)).json()
    two = cs.post("/orders", _same_buyer("M2", 2)).json()
    assert (one["status"], two["status"]) == ("approved", "approved")
    other = cs.post("/orders", order_json("M3")).json()  # another buyer

    before = state()
    r = api_as(roles.WAREHOUSE).post("/orders/merge", {"ids": [one["id"], two["id"]]})
    assert r.status_code == 403
    r = cs.post("/orders/merge", {"ids": [one["id"], other["id"]]})
    assert (r.status_code, r.json()["code"]) == (409, "merge_different_buyers")
    r = cs.post("/orders/merge", {"ids": [one["id"]]})
    assert (r.status_code, r.json()["code"]) == (422, "merge_needs_two")
    assert state() == before

    r = cs.post("/orders/merge", {"ids": [one["id"], two["id"]]})
    assert r.status_code == 201, r.content
    package = r.json()
    assert (package["kind"], package["status"]) == ("merged", "open")
    assert {line["order_id"] for line in package["lines"]} == {one["id"], two["id"]}
    detail = cs.get(f"/orders/{one['id']}").json()
    assert detail["status"] == "pending_shipment"
    assert [p["id"] for p in detail["packages"]] == [package["id"]]

    # split the other order: its S-A line from LA, its bundle from Shenzhen
    lines = other["lines"]
    parts = [
        {"warehouse_id": wh_us.pk, "lines": [{"line_id": lines[0]["id"], "quantity": 1}]},
        {"warehouse_id": wh_cn.pk, "lines": [{"line_id": ln["id"], "quantity": ln["quantity"]}
                                             for ln in lines[1:]]},
    ]  # fmt: skip
    before = state()
    bad = copy.deepcopy(parts)
    bad[1]["lines"][0]["quantity"] = 1
    r = cs.post(f"/orders/{other['id']}/split", {"parts": bad})
    assert (r.status_code, r.json()["code"]) == (422, "split_quantities_mismatch")
    r = cs.post(f"/orders/{other['id']}/split", {"parts": parts[:1]})
    assert (r.status_code, r.json()["details"][0]["field"]) == (422, "parts")
    assert state() == before
    r = cs.post(f"/orders/{other['id']}/split", {"parts": parts})
    assert r.status_code == 201, r.content
    assert [(p["kind"], p["warehouse_code"]) for p in r.json()] == [
        ("split", "LA"),
        ("split", "SZ"),
    ]
    detail = cs.get(f"/orders/{other['id']}").json()
    assert detail["status"] == "pending_shipment"
    held = sorted((x["warehouse_id"], x["sku_id"], x["quantity"]) for x in detail["reservations"])
    assert held == sorted([(wh_us.pk, a.pk, 1), (wh_cn.pk, a.pk, 2), (wh_cn.pk, b.pk, 4)])


def test_detail_and_mapping_lists_do_not_query_per_row(
    api_as, store, skus, make_sku, django_assert_max_num_queries
):
    a, b = skus
    many = [make_sku(f"M{i:02d}") for i in range(12)]
    order = make_order(store, [(s, 1) for s in many])
    for i, sku in enumerate(many):
        StoreSkuMapping.objects.create(store=store, store_sku=f"K{i:02d}", sku=sku, quantity=1)
        StoreSkuMapping.objects.create(store=store, store_sku=f"K{i:02d}", sku=a, quantity=2)
    boss = api_as(roles.BOSS)
    boss.get("/me")
    with django_assert_max_num_queries(10):
        r = boss.get(f"/orders/{order.pk}")
    assert [ln["sku_code"] for ln in r.json()["lines"]] == [s.code for s in many]
    with django_assert_max_num_queries(8):
        r = boss.get(f"/stores/{store.pk}/sku-mappings", {"limit": 100})
    assert r.json()["count"] == 14  # S-A, S-BUNDLE and the twelve K..
    assert all(len(m["components"]) == 2 for m in r.json()["items"] if m["store_sku"][0] == "K")


def test_store_automation_switches_through_the_api(api_as, company):
    admin = api_as(roles.ADMIN)
    payload = {"code": "AU1", "name": "Shop", "platform": "manual", "currency": "USD",
               "country": "US"}  # fmt: skip
    body = admin.post("/stores", payload).json()
    assert (body["auto_allocate"], body["auto_ship"], body["order_priority"]) == (True, False, 100)
    r = admin.patch(f"/stores/{body['id']}", {"auto_ship": True, "order_priority": 5})
    assert (r.json()["auto_ship"], r.json()["order_priority"]) == (True, 5)
    before = list(Store.objects.values())
    r = admin.patch(f"/stores/{body['id']}", {"order_priority": 40000})
    assert r.status_code == 422
    assert list(Store.objects.values()) == before
