"""Connecting a Shopify store: its locations and catalog are read (within the cost limit) and
SKU mappings are proposed (same SKU 1, barcode 0.95, a similar title its score); accepting
writes the mapping and the inventory item id so stock push works; rejecting changes nothing
else; a second import updates rows, never duplicates them."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tradelane.core import jobs
from tradelane.core.errors import InvalidTransition, ValidationFailed
from tradelane.core.models import Job, StateEvent
from tradelane.core.outbox import deliver_due, enqueue
from tradelane.integrations.stores import services
from tradelane.integrations.stores.contract import PlatformVariant
from tradelane.integrations.stores.models import PlatformInventoryItem, StoreVariant
from tradelane.integrations.stores.onboarding import catalog_import, sku_proposals
from tradelane.integrations.stores.shopify import catalog as shopify_catalog
from tradelane.integrations.stores.shopify.connector import ShopifyConnector
from tradelane.inventory import services as inventory
from tradelane.orders import services as order_services
from tradelane.orders.models import StoreSkuMapping

pytestmark = pytest.mark.django_db(transaction=True)

LA = "gid://shopify/Location/1"


@pytest.fixture
def ours(make_sku):
    return {
        "mug": make_sku("MUG-1", name="Blue Mug"),
        "bottle": make_sku("BOTTLE-1", name="Steel Bottle", barcode="4006381333931"),
        "board": make_sku("BOARD-L", name="Bamboo Cutting Board Large"),
        "lamp": make_sku("LAMP-1", name="Desk Lamp"),
    }


@pytest.fixture
def shop(fake):
    """Two locations and six variants: one of each kind of match, one without, one mapped."""
    fake.catalog.add_location(1, "Los Angeles", "US")
    fake.catalog.add_location(2, "Old shop", "US", active=False)
    fake.catalog.add_product("Mug", [{"sku": " mug-1", "title": "Blue"}])
    fake.catalog.add_product("Bottle", [{"sku": "SHOP-BTL", "barcode": "4006381333931"}])
    fake.catalog.add_product("Bamboo Cutting Board", [{"sku": "SHOP-BOARD"}])
    fake.catalog.add_product("Wireless Mouse", [{"sku": "SHOP-MOUSE"}, {"sku": ""}])
    fake.catalog.add_product("Desk Lamp", [{"sku": "OLD-LAMP"}])
    return fake


def _rows(conn) -> dict[str, tuple]:
    return {
        r.store_sku: (
            r.match_kind,
            r.confidence,
            r.proposed_sku.code if r.proposed_sku else None,
            r.state,
        )  # fmt: skip
        for r in StoreVariant.objects.filter(connection=conn).select_related("proposed_sku")
    }


def test_proposals_by_sku_barcode_and_title_with_their_confidences(admin, conn, shop, ours):
    order_services.map_store_sku(admin, conn.store, "OLD-LAMP", [(ours["lamp"], 1)])
    result = catalog_import.run_import(admin, conn)
    assert result["variants"] == 6 and result["created"] == 6 and result["accepted"] == 1
    assert _rows(conn) == {
        "mug-1": ("exact_sku", Decimal("1.000"), "MUG-1", "proposed"),
        "SHOP-BTL": ("barcode", Decimal("0.950"), "BOTTLE-1", "proposed"),
        # token_sort_ratio("Bamboo Cutting Board", "Bamboo Cutting Board Large") = 86.956...
        "SHOP-BOARD": ("title", Decimal("0.870"), "BOARD-L", "proposed"),
        "SHOP-MOUSE": ("", None, None, "unmatched"),
        "": ("", None, None, "unmatched"),  # no store SKU: nothing can be mapped
        "OLD-LAMP": ("mapped", Decimal("1.000"), "LAMP-1", "accepted"),
    }
    assert sku_proposals.title_score("Bamboo Cutting Board", "Bamboo Cutting Board Large") == (
        pytest.approx(86.9565, abs=1e-4)
    )
    # mapped already: its inventory item id is there at once, without anyone accepting
    lamp = StoreVariant.objects.get(connection=conn, store_sku="OLD-LAMP")
    assert dict(PlatformInventoryItem.objects.filter(connection=conn).values_list(
        "store_sku", "inventory_item_id")) == {"OLD-LAMP": lamp.inventory_item_id}  # fmt: skip
    assert lamp.inventory_item_id.startswith("gid://shopify/InventoryItem/")
    # the locations, inactive ones too
    assert [(x["location_id"], x["name"], x["country"], x["active"])
            for x in result["locations"]] == [(LA, "Los Angeles", "US", True),
                                              ("gid://shopify/Location/2", "Old shop", "US",
                                               False)]  # fmt: skip


def test_accepting_maps_the_sku_and_fills_the_inventory_item_so_stock_is_pushed(
    admin, conn, shop, ours, wh_us
):
    catalog_import.run_import(admin, conn)
    mug = StoreVariant.objects.get(connection=conn, store_sku="mug-1")
    assert sku_proposals.accept(admin, conn, ids=[mug.pk]) == 1
    mug.refresh_from_db()
    assert mug.state == "accepted" and mug.decided_by_id == admin.pk
    assert list(StoreSkuMapping.objects.filter(store=conn.store).values_list(
        "store_sku", "sku__code", "quantity")) == [("mug-1", "MUG-1", 1)]  # fmt: skip
    assert dict(PlatformInventoryItem.objects.filter(connection=conn).values_list(
        "store_sku", "inventory_item_id")) == {"mug-1": mug.inventory_item_id}  # fmt: skip
    events = StateEvent.objects.filter(entity="stores.storevariant", object_id=mug.pk)
    assert list(events.values_list("from_state", "to_state")) == [("proposed", "accepted")]
    # stock push now works for that SKU, with no code and no hand-typed id
    services.update_settings(admin, conn, {"push_stock": True, "locations": {"LA": LA}})
    inventory.receive(admin, sku_id=ours["mug"].pk, warehouse_id=wh_us.pk, quantity=7)
    enqueue("store.stock", {"store_id": conn.store_id}, dedupe_key="stock:catalog")
    assert deliver_due()["sent"] == 1
    assert shop.inventory == {(mug.inventory_item_id, LA): 7}


def test_accept_all_above_a_confidence(admin, conn, shop, ours):
    catalog_import.run_import(admin, conn)
    # 90 %: the same SKU, the barcode and "Desk Lamp" (the same title: 1.000)
    assert sku_proposals.accept(admin, conn, min_confidence="90") == 3
    states = {k: v[3] for k, v in _rows(conn).items()}
    assert states["mug-1"] == states["SHOP-BTL"] == states["OLD-LAMP"] == "accepted"
    assert states["SHOP-BOARD"] == "proposed"  # 0.870 < 0.9
    assert set(StoreSkuMapping.objects.filter(store=conn.store).values_list(
        "store_sku", flat=True)) == {"mug-1", "SHOP-BTL", "OLD-LAMP"}  # fmt: skip
    with pytest.raises(ValidationFailed) as exc:
        sku_proposals.accept(admin, conn, min_confidence="abc")
    assert exc.value.code == "invalid_confidence"


def test_rejecting_changes_nothing_else_and_a_rejected_row_cannot_be_accepted(
    admin, conn, shop, ours
):
    catalog_import.run_import(admin, conn)
    board = StoreVariant.objects.get(connection=conn, store_sku="SHOP-BOARD")
    assert sku_proposals.reject(admin, conn, ids=[board.pk]) == 1
    board.refresh_from_db()
    assert board.state == "rejected" and board.proposed_sku.code == "BOARD-L"
    assert not StoreSkuMapping.objects.filter(store=conn.store).exists()
    assert not PlatformInventoryItem.objects.filter(connection=conn).exists()
    mug = StoreVariant.objects.get(connection=conn, store_sku="mug-1")
    with pytest.raises(InvalidTransition) as exc:  # one of the two is not proposed: neither moves
        sku_proposals.accept(admin, conn, ids=[mug.pk, board.pk])
    assert exc.value.code == "not_proposed" and exc.value.details == {"ids": [board.pk]}
    mug.refresh_from_db()
    assert mug.state == "proposed"
    assert not StoreSkuMapping.objects.filter(store=conn.store).exists()
    assert not PlatformInventoryItem.objects.filter(connection=conn).exists()


def test_a_second_import_updates_rows_and_keeps_decisions(admin, conn, shop, ours):
    catalog_import.run_import(admin, conn)
    board = StoreVariant.objects.get(connection=conn, store_sku="SHOP-BOARD")
    mug = StoreVariant.objects.get(connection=conn, store_sku="mug-1")
    sku_proposals.reject(admin, conn, ids=[board.pk])
    sku_proposals.accept(admin, conn, ids=[mug.pk])
    shop.catalog.variants[-1]["barcode"] = "9999"  # the lamp changed on the platform
    shop.catalog.add_product("Blue Mug", [{"sku": "SHOP-MUG2"}])
    again = catalog_import.run_import(admin, conn)
    assert again["created"] == 1 and again["updated"] == 6
    assert StoreVariant.objects.filter(connection=conn).count() == 7
    rows = _rows(conn)
    assert rows["SHOP-BOARD"][3] == "rejected" and rows["mug-1"][3] == "accepted"
    assert rows["SHOP-MUG2"] == ("title", Decimal("1.000"), "MUG-1", "proposed")
    assert StoreVariant.objects.get(connection=conn, store_sku="OLD-LAMP").barcode == "9999"


def test_the_job_reports_progress_and_a_second_start_returns_the_running_one(
    admin, conn, shop, ours
):
    job = catalog_import.start(admin, conn)
    assert catalog_import.start(admin, conn).pk == job.pk  # queued: not twice
    jobs.run(job.pk)
    job.refresh_from_db()
    assert job.status == Job.Status.DONE, job.error
    assert (job.done, job.total) == (6, 6)
    assert job.result["variants"] == 6
    assert catalog_import.start(admin, conn).pk != job.pk  # finished: a new run


def test_a_large_catalog_is_paged_within_1000_points(admin, conn, fake):
    fake.bucket_max = fake._available = 20000.0  # Shopify Plus: 20,000 points, 1,000/s
    fake.restore_rate = 1000.0
    fake.catalog.fill(3000)
    result = catalog_import.run_import(admin, conn)
    assert result["variants"] == 3000
    assert StoreVariant.objects.filter(connection=conn).count() == 3000
    # locations (2 + 250 x 2), the count, then 12 pages of 250 variants (2 + 250 x 3)
    assert [r for r, _ in fake.costs] == [502, 1] + [752] * 12
    assert fake.refused_cost == 0 and fake.throttled == 0
    # the connector pages at the documented cost whatever the bucket
    pages = list(ShopifyConnector(conn).iter_products())
    assert [len(p) for p in pages] == [250] * 12


def test_a_large_catalog_waits_for_the_bucket_on_a_standard_plan(conn, fake):
    fake.catalog.fill(1500)  # 6 pages x 752 points: more than the 2,000-point bucket
    slept: list[float] = []
    clock = [0.0]
    fake.clock = lambda: clock[0]
    fake._at = 0.0

    def sleep(seconds):
        slept.append(seconds)
        clock[0] += seconds

    connector = ShopifyConnector(conn, sleep=sleep, clock=lambda: clock[0])
    pages = list(connector.iter_products())
    assert sum(len(p) for p in pages) == 1500
    assert fake.refused_cost == 0 and fake.throttled == 0  # paced, never refused
    assert slept and max(r for r, _ in fake.costs) == 752


def test_the_variant_mapping_reads_shopify_shapes():
    node = {"id": "gid://shopify/ProductVariant/1", "sku": None, "barcode": None,
            "title": "Default Title", "product": {"title": "Mug"},
            "inventoryItem": {"id": "gid://shopify/InventoryItem/1"}}  # fmt: skip
    assert shopify_catalog.variant_of(node) == PlatformVariant(
        "gid://shopify/ProductVariant/1", "gid://shopify/InventoryItem/1", "", "", "Mug", "Mug"
    )


def test_a_page_is_written_with_a_fixed_number_of_queries(admin, conn, ours):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    cat = sku_proposals.load_catalog(conn.store)

    def queries_for(n: int, prefix: str) -> int:
        page = [PlatformVariant(f"{prefix}-{i}", f"item-{prefix}-{i}", f"{prefix}-{i}", "",
                                f"Thing {i}", "Things") for i in range(n)]  # fmt: skip
        with CaptureQueriesContext(connection) as captured:
            catalog_import.upsert_page(conn, page, cat, admin)
        return len(captured)

    # new rows: the read, one INSERT (core.bulk sends full multi-row statements and the
    # remainder: two executemany at most), the transaction; not one query per variant
    small, large = queries_for(10, "a"), queries_for(400, "b")
    assert small <= large <= small + 1
    assert queries_for(10, "a") == queries_for(400, "b")  # the same again: one UPDATE each
    assert StoreVariant.objects.filter(connection=conn).count() == 410
