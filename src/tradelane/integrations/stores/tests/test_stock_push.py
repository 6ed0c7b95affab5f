"""Stock levels flow to the stores: the sweep queues ``store.stock`` for the SKUs whose stock
moved (ledger high-water mark per connection), the outbox pushes them to the fake Shopify;
the dispatch center's "push stock now" button; permissions; query bound."""

from __future__ import annotations

import pytest
from django.db import connection as db
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tradelane.accounts import roles
from tradelane.core.errors import Conflict, PermissionDenied
from tradelane.core.models import AuditLog, OutboxMessage
from tradelane.core.outbox import deliver_due
from tradelane.core.periodic import _jobs
from tradelane.integrations.stores import services, stock_push
from tradelane.integrations.stores.dispatch import services as dispatch_services
from tradelane.integrations.stores.models import StoreConnection
from tradelane.inventory import services as inventory
from tradelane.inventory.models import StockMovement
from tradelane.orders import services as order_services

pytestmark = pytest.mark.django_db(transaction=True)

LOCATION = "gid://shopify/Location/9"
ITEMS = {
    "FK-SKU-001": "gid://shopify/InventoryItem/1",
    "FK-BUNDLE": "gid://shopify/InventoryItem/2",
    "FK-OTHER": "gid://shopify/InventoryItem/3",
}


@pytest.fixture
def skus(admin, conn, make_sku, wh_us):
    """Two SKUs mapped: MUG-1 alone and as a bundle of 3, MUG-2 alone; push on, LA mapped."""
    mug, other = make_sku("MUG-1"), make_sku("MUG-2")
    order_services.map_store_sku(admin, conn.store, "FK-SKU-001", [(mug, 1)])
    order_services.map_store_sku(admin, conn.store, "FK-BUNDLE", [(mug, 3)])
    order_services.map_store_sku(admin, conn.store, "FK-OTHER", [(other, 1)])
    services.set_inventory_items(admin, conn, ITEMS)
    services.update_settings(admin, conn, {"push_stock": True, "locations": {"LA": LOCATION}})
    return {"mug": mug, "other": other}


def _stock_messages():
    return list(OutboxMessage.objects.filter(topic="store.stock").order_by("id"))


def _pushed(fake, index=-1) -> dict[str, int]:
    push = fake.stock_pushes[index]
    assert {q["locationId"] for q in push["quantities"]} == {LOCATION}
    return {q["inventoryItemId"]: q["quantity"] for q in push["quantities"]}


def _mark(conn) -> int:
    return StoreConnection.objects.get(pk=conn.pk).stock_pushed_movement_id


def test_the_sweep_job_is_registered():
    assert "store_stock_push" in [name for name, _ in _jobs]


def test_receipt_is_pushed_once_then_nothing_until_stock_moves(admin, conn, fake, skus, wh_us):
    # first run: every mapped SKU (nothing received yet: 0 everywhere)
    assert stock_push.queue_changed()["queued"] == 1
    (first,) = _stock_messages()
    assert "store_skus" not in first.payload
    deliver_due()
    assert _pushed(fake) == {ITEMS["FK-SKU-001"]: 0, ITEMS["FK-BUNDLE"]: 0, ITEMS["FK-OTHER"]: 0}

    move = inventory.receive(admin, sku_id=skus["mug"].pk, warehouse_id=wh_us.pk, quantity=10)
    result = stock_push.queue_changed()
    assert result == {"queued": 1, "movement_id": move.pk}
    msg = _stock_messages()[-1]
    # only the store SKUs of the moved SKU (the bundle included), not FK-OTHER
    assert msg.payload == {
        "store_id": conn.store_id,
        "movement_id": move.pk,
        "store_skus": ["FK-BUNDLE", "FK-SKU-001"],
    }
    assert msg.dedupe_key == f"store.stock:{conn.store_id}:{first.payload['movement_id']}-{move.pk}"
    assert _mark(conn) == move.pk
    assert deliver_due()["sent"] == 1
    assert len(fake.stock_pushes) == 2
    # 10 mugs in LA: 10 single, 3 whole bundles of 3
    assert _pushed(fake) == {ITEMS["FK-SKU-001"]: 10, ITEMS["FK-BUNDLE"]: 3}

    # no new movement: nothing queued, nothing pushed
    assert stock_push.queue_changed()["queued"] == 0
    assert len(_stock_messages()) == 2
    deliver_due()
    assert len(fake.stock_pushes) == 2


def test_reservation_lowers_the_pushed_available(admin, conn, fake, skus, wh_us):
    inventory.receive(admin, sku_id=skus["mug"].pk, warehouse_id=wh_us.pk, quantity=10)
    stock_push.queue_changed()
    deliver_due()
    assert _pushed(fake)[ITEMS["FK-SKU-001"]] == 10
    # an allocation reserves 4 mugs for an order: available 6, 2 whole bundles
    inventory.reserve(
        admin,
        inventory.Reservation(
            warehouse_id=wh_us.pk, items={skus["mug"].pk: 4}, source_type="order", source_id="77"
        ),
    )
    assert stock_push.queue_changed()["queued"] == 1
    assert _stock_messages()[-1].payload["store_skus"] == ["FK-BUNDLE", "FK-SKU-001"]
    deliver_due()
    assert _pushed(fake) == {ITEMS["FK-SKU-001"]: 6, ITEMS["FK-BUNDLE"]: 2}


def test_movement_in_an_unmapped_warehouse_or_of_an_unmapped_sku_pushes_nothing(
    admin, conn, fake, skus, wh_cn, make_sku
):
    stock_push.queue_changed()
    deliver_due()
    before = len(_stock_messages())
    inventory.receive(admin, sku_id=skus["mug"].pk, warehouse_id=wh_cn.pk, quantity=5)  # SZ
    loose = make_sku("LOOSE")
    inventory.receive(admin, sku_id=loose.pk, warehouse_id=wh_cn.pk, quantity=5)
    assert stock_push.queue_changed()["queued"] == 0
    assert len(_stock_messages()) == before
    # the mark moved on: those movements are not read again
    assert _mark(conn) == StockMovement.objects.order_by("-id").first().pk


def test_push_stock_off_pushes_nothing(admin, conn, fake, skus, wh_us):
    services.update_settings(admin, conn, {"push_stock": False})
    inventory.receive(admin, sku_id=skus["mug"].pk, warehouse_id=wh_us.pk, quantity=10)
    assert stock_push.queue_changed() == {"queued": 0, "movement_id": 0}
    deliver_due()
    assert _stock_messages() == [] and fake.stock_pushes == []
    assert _mark(conn) is None
    with pytest.raises(Conflict) as exc:
        dispatch_services.push_stock_now(admin, conn.pk)
    assert exc.value.code == "push_stock_off"
    assert _stock_messages() == []


def test_disconnected_store_pushes_nothing(admin, conn, fake, skus, wh_us):
    services.disconnect(admin, conn)
    inventory.receive(admin, sku_id=skus["mug"].pk, warehouse_id=wh_us.pk, quantity=10)
    assert stock_push.queue_changed()["queued"] == 0
    assert _stock_messages() == []


def test_two_sweeps_of_the_same_range_queue_one_message(admin, conn, fake, skus, wh_us):
    stock_push.queue_changed()
    inventory.receive(admin, sku_id=skus["mug"].pk, warehouse_id=wh_us.pk, quantity=10)
    high, pushes, _ = stock_push.pending_pushes()  # a second worker read the same state ...
    assert stock_push.queue_changed()["queued"] == 1
    # ... and writes after the first: its conditional update finds the mark moved
    (conn_then, skus_then) = pushes[0]
    assert conn_then.stock_pushed_movement_id < high
    assert stock_push.queue_changed()["queued"] == 0
    assert len(_stock_messages()) == 2


def test_sweep_query_count_does_not_grow_with_movements(admin, conn, fake, skus, wh_us):
    stock_push.queue_changed()  # first run done
    inventory.receive(admin, sku_id=skus["mug"].pk, warehouse_id=wh_us.pk, quantity=1)
    with CaptureQueriesContext(db) as few:
        assert stock_push.queue_changed()["queued"] == 1
    for i in range(60):
        sku = skus["mug"] if i % 2 else skus["other"]
        inventory.receive(admin, sku_id=sku.pk, warehouse_id=wh_us.pk, quantity=1 + i)
    with CaptureQueriesContext(db) as many:
        assert stock_push.queue_changed()["queued"] == 1
    assert _stock_messages()[-1].payload["store_skus"] == ["FK-BUNDLE", "FK-OTHER", "FK-SKU-001"]
    assert len(many.captured_queries) == len(few.captured_queries)
    # 5 reads (connections, high-water mark, warehouses, moved balances aggregated, mappings)
    # + the store's write (transaction, conditional mark update, outbox row, task kick)
    assert len(many.captured_queries) <= 13
    deliver_due()
    assert _pushed(fake) == {
        ITEMS["FK-SKU-001"]: 1 + sum(1 + i for i in range(60) if i % 2),
        ITEMS["FK-BUNDLE"]: (1 + sum(1 + i for i in range(60) if i % 2)) // 3,
        ITEMS["FK-OTHER"]: sum(1 + i for i in range(60) if not i % 2),
    }


def _client(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def test_push_stock_now_button_queues_a_push_of_everything(admin, conn, fake, skus, wh_us):
    inventory.receive(admin, sku_id=skus["other"].pk, warehouse_id=wh_us.pk, quantity=7)
    page = _client(admin).get("/dispatch/").content.decode()
    assert f'data-testid="push-stock-{conn.store.code}"' in page
    response = _client(admin).post(
        "/dispatch/action/", {"action": "push_stock", "id": conn.pk}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    assert response["HX-Trigger"] == "dispatchChanged"
    (msg,) = _stock_messages()
    assert msg.payload == {"store_id": conn.store_id, "manual": True}
    audit = AuditLog.objects.get(action="stores.dispatch.push_stock")
    assert audit.changes == {"message_id": msg.pk}
    # the API endpoint next to the other dispatch actions: one more message each call
    api = _client(admin).post(f"/api/v1/dispatch/stores/{conn.pk}/push-stock")
    assert api.status_code == 202
    assert api.json()["status"] == "pending"
    assert len(_stock_messages()) == 2 and api.json()["id"] == _stock_messages()[-1].pk
    assert deliver_due()["sent"] == 2
    assert _pushed(fake) == {ITEMS["FK-SKU-001"]: 0, ITEMS["FK-BUNDLE"]: 0, ITEMS["FK-OTHER"]: 7}
    assert _client(admin).post("/api/v1/dispatch/stores/999999/push-stock").status_code == 404


def test_push_stock_now_is_a_dispatch_operation(logistics, make_user, conn, fake, skus):
    boss = make_user(roles.BOSS, "boss_li")
    # logistics operates the dispatch center: sync now and push stock (not the store settings)
    page = _client(logistics).get("/dispatch/").content.decode()
    assert f'data-testid="sync-{conn.store.code}"' in page
    assert f'data-testid="push-stock-{conn.store.code}"' in page
    response = _client(logistics).post(
        "/dispatch/action/", {"action": "push_stock", "id": conn.pk}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    (msg,) = _stock_messages()
    assert (
        AuditLog.objects.filter(action="stores.dispatch.push_stock", actor=logistics).count() == 1
    )
    # the boss watches the dispatch center and presses nothing
    audits = AuditLog.objects.count()
    page = _client(boss).get("/dispatch/").content.decode()
    assert f'data-testid="push-stock-{conn.store.code}"' not in page
    with pytest.raises(PermissionDenied):
        dispatch_services.push_stock_now(boss, conn.pk)
    response = _client(boss).post(
        "/dispatch/action/", {"action": "push_stock", "id": conn.pk}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 403
    assert _client(boss).post(f"/api/v1/dispatch/stores/{conn.pk}/push-stock").status_code == 403
    assert _stock_messages() == [msg]
    assert AuditLog.objects.count() == audits
