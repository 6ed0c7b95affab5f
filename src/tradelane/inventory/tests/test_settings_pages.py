"""The warehouse and stock-operation pages: they call the ledger's services, show refusals in
the form, and refuse roles without the permission (changing nothing)."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse

from tradelane.accounts import roles
from tradelane.accounts.models import User
from tradelane.catalog.models import Product, Sku
from tradelane.inventory import services
from tradelane.inventory.models import StockBalance, StockMovement, Warehouse

pytestmark = pytest.mark.django_db


def _client(role: str, username: str = "") -> tuple[Client, User]:
    user = User.objects.create_user(username=username or f"u_{role}", password="x")
    user.groups.set(Group.objects.filter(name=role))
    client = Client()
    client.force_login(user)
    return client, user


@pytest.fixture
def world():
    admin = _client(roles.ADMIN, "seed_admin")[1]
    sz = Warehouse.objects.create(code="SZ", name="深圳仓", country="CN", priority=10)
    la = Warehouse.objects.create(code="LA", name="LA", kind="overseas", country="US")
    sku = Sku.objects.create(product=Product.objects.create(code="P", name="p"), code="MUG",
                             name="mug")  # fmt: skip
    services.receive(admin, sku_id=sku.pk, warehouse_id=sz.pk, quantity=10)
    return {"sz": sz, "la": la, "sku": sku}


def _balance(sku, wh) -> tuple[int, int, int]:
    b = StockBalance.objects.filter(sku=sku, warehouse=wh).first()
    return (b.on_hand, b.reserved, b.safety_stock) if b else (0, 0, 0)


def test_the_warehouse_adjusts_sets_safety_stock_and_transfers(world):
    client, _ = _client(roles.WAREHOUSE)
    url = reverse("web:stock_operations")
    sz, la, sku = world["sz"], world["la"], world["sku"]
    page = client.get(url).content.decode()
    assert 'data-testid="adjust-form"' in page and 'data-testid="transfer-form"' in page
    r = client.post(url, {"action": "adjust", "adjust-sku": "MUG", "adjust-warehouse": sz.pk,
                          "adjust-delta": "-3", "adjust-note": "盘点"})  # fmt: skip
    assert r.status_code == 302 and _balance(sku, sz) == (7, 0, 0)
    r = client.post(url, {"action": "safety_stock", "safety_stock-sku": "MUG",
                          "safety_stock-warehouse": sz.pk,
                          "safety_stock-quantity": "4"})  # fmt: skip
    assert r.status_code == 302 and _balance(sku, sz) == (7, 0, 4)
    r = client.post(url, {"action": "transfer", "transfer-sku": "MUG",
                          "transfer-from_warehouse": sz.pk, "transfer-to_warehouse": la.pk,
                          "transfer-quantity": "2"})  # fmt: skip
    assert r.status_code == 302
    assert (_balance(sku, sz), _balance(sku, la)) == ((5, 0, 4), (2, 0, 0))


def test_refusals_show_in_the_form_and_change_nothing(world):
    client, _ = _client(roles.WAREHOUSE)
    url = reverse("web:stock_operations")
    sz, sku = world["sz"], world["sku"]
    before = StockMovement.objects.count()
    too_much = client.post(url, {"action": "adjust", "adjust-sku": "MUG",
                                 "adjust-warehouse": sz.pk, "adjust-delta": "-11",
                                 "adjust-note": "lost"})  # fmt: skip
    assert too_much.status_code == 422 and "库存不足" in too_much.content.decode()
    unknown = client.post(url, {"action": "adjust", "adjust-sku": "NOPE",
                                "adjust-warehouse": sz.pk, "adjust-delta": "1",
                                "adjust-note": "x"}, HTTP_ACCEPT_LANGUAGE="en")  # fmt: skip
    assert unknown.status_code == 422
    assert 'data-field-error="sku"' in unknown.content.decode()
    same = client.post(url, {"action": "transfer", "transfer-sku": "MUG",
                             "transfer-from_warehouse": sz.pk, "transfer-to_warehouse": sz.pk,
                             "transfer-quantity": "1"})  # fmt: skip
    assert same.status_code == 422 and "请选择两个不同的仓库" in same.content.decode()
    assert StockMovement.objects.count() == before and _balance(sku, sz) == (10, 0, 0)


def test_logistics_may_transfer_but_not_adjust(world):
    client, _ = _client(roles.LOGISTICS)
    url = reverse("web:stock_operations")
    page = client.get(url).content.decode()
    assert 'data-testid="transfer-form"' in page and 'data-testid="adjust-form"' not in page
    r = client.post(url, {"action": "adjust", "adjust-sku": "MUG",
                          "adjust-warehouse": world["sz"].pk, "adjust-delta": "5",
                          "adjust-note": "x"})  # fmt: skip
    assert r.status_code == 403 and _balance(world["sku"], world["sz"]) == (10, 0, 0)


def test_the_admin_adds_and_edits_warehouses_others_may_not(world):
    client, _ = _client(roles.ADMIN)
    form = {"code": "FRA", "name": "Frankfurt", "kind": "overseas", "country": "de",
            "priority": "30", "is_active": "on"}  # fmt: skip
    assert client.post(reverse("web:warehouses"), form).status_code == 302
    fra = Warehouse.objects.get(code="FRA")
    assert (fra.country, fra.kind, fra.priority, fra.is_active) == ("DE", "overseas", 30, True)
    dup = client.post(reverse("web:warehouses"), form)
    assert dup.status_code == 422 and Warehouse.objects.filter(code="FRA").count() == 1
    edit = reverse("web:warehouse_edit", args=[fra.pk])
    assert client.post(edit, {**form, "priority": "5", "is_active": ""}).status_code == 302
    fra.refresh_from_db()
    assert (fra.priority, fra.is_active) == (5, False)

    wh_client, _ = _client(roles.WAREHOUSE)
    assert wh_client.get(reverse("web:warehouses")).status_code == 403
    assert wh_client.post(edit, {**form, "priority": "99"}).status_code == 403
    fra.refresh_from_db()
    assert fra.priority == 5


def test_purchasing_receives_stock_with_its_reference_and_a_refused_receipt_changes_nothing(
    world,
):
    client, _ = _client(roles.PURCHASING)
    url = reverse("web:stock_operations")
    sz, sku = world["sz"], world["sku"]
    page = client.get(url).content.decode()
    assert 'data-testid="receive-form"' in page
    assert 'data-testid="adjust-form"' not in page  # purchasing receives, it does not count
    before = StockMovement.objects.count()
    refused = client.post(url, {"action": "receive", "receive-sku": "MUG",
                                "receive-warehouse": sz.pk, "receive-quantity": "0"})  # fmt: skip
    assert refused.status_code == 422
    assert StockMovement.objects.count() == before and _balance(sku, sz) == (10, 0, 0)
    r = client.post(url, {"action": "receive", "receive-sku": "MUG", "receive-warehouse": sz.pk,
                          "receive-quantity": "20", "receive-reference": "PO-2612-7"},
                    follow=True)  # fmt: skip
    assert r.status_code == 200 and _balance(sku, sz) == (30, 0, 0)
    movement = StockMovement.objects.latest("id")
    assert (movement.kind, movement.on_hand_delta, movement.source_type, movement.source_id) == (
        "receipt",
        20,
        "receipt",
        "PO-2612-7",
    )
    assert "已收货 20 × MUG。等待此货的订单会重新分配。" in r.content.decode()
    adjust = {"action": "adjust", "adjust-sku": "MUG", "adjust-warehouse": sz.pk,
              "adjust-delta": "5", "adjust-note": "x"}  # fmt: skip
    assert client.post(url, adjust).status_code == 403
    assert _balance(sku, sz) == (30, 0, 0)
