"""An order with a live shipment (a label exists) cannot be split, merged or re-allocated; the
one way through is ``void_and_split``: the shipment is voided (a carrier's label through the
outbox) and the order split, in one transaction (the case of order #1025, label from LA,
split moving a reservation to SZ)."""

from __future__ import annotations

import pytest

from tradelane.core.errors import Conflict, PermissionDenied, ValidationFailed
from tradelane.core.models import OutboxMessage
from tradelane.inventory.models import StockBalance
from tradelane.inventory.services import held
from tradelane.logistics.models import Shipment
from tradelane.logistics.shipping import repacking
from tradelane.logistics.shipping import services as shipping
from tradelane.logistics.shipping.tests.test_shipping import deliver, fake  # noqa: F401
from tradelane.logistics.tests.shipfix import allocated, own_channel
from tradelane.orders import services as order_services
from tradelane.orders.models import Order, Package, PackageLine
from tradelane.orders.tests.factories import make_store

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_rate_cache")]


@pytest.fixture
def la_order(logistics, admin, wh_us, wh_cn, make_sku):
    """Allocated at LA, two SKUs; SZ holds stock of the second as well."""
    from tradelane.inventory import services as inventory

    a, b = make_sku("MUG", weight_g=300), make_sku("MAG", weight_g=200)
    order = allocated(logistics, make_store(), wh_us, [(a, 1), (b, 2)])
    inventory.receive(admin, sku_id=b.pk, warehouse_id=wh_cn.pk, quantity=5)
    assert order.warehouse_id == wh_us.pk
    return order


@pytest.fixture
def carrier(fake):  # noqa: F811
    """The fake carrier gateway (the ``fake`` fixture of the shipping tests)."""
    return fake


def parts(order, wh_la, wh_sz):
    l1, l2 = order.lines.order_by("line_no")
    return [
        {"warehouse_id": wh_la.pk, "lines": [{"line_id": l1.pk, "quantity": 1}]},
        {"warehouse_id": wh_sz.pk, "lines": [{"line_id": l2.pk, "quantity": 2}]},
    ]


def state(order):
    """Everything a refused split, merge or release must leave as it was."""
    return (
        list(Package.objects.order_by("id").values_list("id", "kind", "status", "warehouse_id")),
        PackageLine.objects.count(),
        held("order", [str(order.pk)]).get(str(order.pk), {}),
        list(StockBalance.objects.order_by("id").values_list("sku_id", "warehouse_id", "reserved")),
        list(Shipment.objects.order_by("id").values_list("number", "status", "tracking_number")),
        list(Order.objects.order_by("id").values_list("id", "status", "warehouse_id")),
        OutboxMessage.objects.filter(topic="logistics.void_label").count(),
    )


@pytest.fixture
def labelled(logistics, fake, la_order):  # noqa: F811
    """The order's carrier shipment, its label bought (tracking 1Z999)."""
    (s,) = shipping.create_shipments(logistics, order_ids=[la_order.pk], channel="EXP")
    deliver()
    s.refresh_from_db()
    assert (s.status, s.tracking_number) == ("labelled", "1Z999")
    return s


def test_split_refused_while_a_label_exists_and_nothing_changes(
    logistics, labelled, la_order, wh_us, wh_cn
):
    before = state(la_order)
    with pytest.raises(Conflict) as exc:
        order_services.split_order(logistics, la_order, parts(la_order, wh_us, wh_cn))
    assert exc.value.code == "shipment_live"
    assert exc.value.details["shipments"] == labelled.number
    assert exc.value.details["shipment_ids"] == [labelled.pk]
    assert exc.value.details["tracking_numbers"] == ["1Z999"]
    assert exc.value.details["order_ids"] == [la_order.pk]
    assert state(la_order) == before
    assert Shipment.objects.get(pk=labelled.pk).status == "labelled"  # still live
    assert not Package.objects.exists()


def test_release_and_cancel_refused_while_a_label_exists(logistics, admin, labelled, la_order):
    before = state(la_order)
    for to, reason in (("approved", ""), ("cancelled", "buyer cancelled"), ("invalid", "bad")):
        with pytest.raises(Conflict) as exc:
            order_services.change_status(admin, la_order, to, reason)
        assert exc.value.code == "shipment_live"
        la_order.refresh_from_db()
    assert la_order.status == "pending_shipment"
    assert state(la_order) == before


def test_merge_refused_while_a_label_exists(logistics, cs, labelled, la_order, wh_us, make_sku):
    other = allocated(
        logistics, make_store(), wh_us, [(make_sku("CUP"), 1)], buyer_email=la_order.buyer_email
    )
    before = state(la_order)
    with pytest.raises(Conflict) as exc:
        order_services.merge_orders(cs, [la_order.pk, other.pk])
    assert exc.value.code == "shipment_live"
    assert exc.value.details["order_ids"] == [la_order.pk]
    assert state(la_order) == before


def test_cancelled_shipment_no_longer_holds_the_order(logistics, labelled, la_order, wh_us, wh_cn):
    shipping.cancel_shipment(logistics, labelled, "wrong parcel")
    p1, p2 = order_services.split_order(logistics, la_order, parts(la_order, wh_us, wh_cn))
    assert (p1.warehouse_id, p2.warehouse_id) == (wh_us.pk, wh_cn.pk)


def test_void_and_split_voids_the_label_and_moves_the_reservation(
    logistics, carrier, labelled, la_order, wh_us, wh_cn
):
    mug, mag = (line.sku_id for line in la_order.lines.order_by("line_no"))
    (c,) = repacking.consequences(la_order)
    assert (c.shipment.number, c.shipment.tracking_number, c.shipment.warehouse_code) == (
        labelled.number, "1Z999", "LA",
    )  # fmt: skip
    assert (c.voids_at_carrier, c.can_void) == (True, True)
    voided, (p1, p2) = repacking.void_and_split(
        logistics, la_order, parts(la_order, wh_us, wh_cn), shipment_ids=[labelled.pk]
    )
    assert [s.number for s in voided] == [labelled.number]
    assert Shipment.objects.get(pk=labelled.pk).status == "cancelled"
    msg = OutboxMessage.objects.get(topic="logistics.void_label")
    assert msg.payload == {"shipment_id": labelled.pk}
    assert held("order", [str(la_order.pk)])[str(la_order.pk)] == {
        (mug, wh_us.pk): 1,
        (mag, wh_cn.pk): 2,
    }
    assert sorted(Package.objects.values_list("kind", "status", "warehouse_id")) == sorted(
        [("split", "open", wh_us.pk), ("split", "open", wh_cn.pk)]
    )
    la_order.refresh_from_db()
    assert (la_order.status, la_order.warehouse_id) == ("pending_shipment", None)
    deliver()
    assert carrier.voided == [("SHIP-1", "1Z999")]  # voided at the carrier
    assert repacking.consequences(la_order) == []
    # each new parcel gets its own shipment
    s1, s2 = shipping.create_shipments(logistics, order_ids=[la_order.pk], channel="EXP")
    assert {s1.warehouse_id, s2.warehouse_id} == {wh_us.pk, wh_cn.pk}


def test_void_and_split_refusals_change_nothing(
    logistics, cs, labelled, la_order, wh_us, wh_cn, make_sku
):
    good = parts(la_order, wh_us, wh_cn)
    before = state(la_order)
    with pytest.raises(PermissionDenied):  # customer service may split but not void
        repacking.void_and_split(cs, la_order, good, shipment_ids=[labelled.pk])
    with pytest.raises(ValidationFailed) as exc:
        repacking.void_and_split(logistics, la_order, good, shipment_ids=[])
    assert exc.value.code == "void_nothing"
    with pytest.raises(Conflict) as exc:  # not the shipment the page showed
        repacking.void_and_split(logistics, la_order, good, shipment_ids=[labelled.pk + 99])
    assert exc.value.code == "live_shipments_changed"
    # the split itself refused after the void: the void is rolled back too
    short = [good[0], {**good[1], "lines": [{**good[1]["lines"][0], "quantity": 1}]}]
    with pytest.raises(ValidationFailed) as exc:
        repacking.void_and_split(logistics, la_order, short, shipment_ids=[labelled.pk])
    assert exc.value.code == "split_quantities_mismatch"
    assert state(la_order) == before
    assert Shipment.objects.get(pk=labelled.pk).status == "labelled"


def test_void_and_split_refused_once_handed_over(logistics, labelled, la_order, wh_us, wh_cn):
    l1, l2 = la_order.lines.order_by("line_no")
    shipping.ship_shipment(logistics, labelled)
    la_order.refresh_from_db()
    assert la_order.status == "shipped"
    with pytest.raises(Conflict) as exc:
        repacking.void_and_split(
            logistics, la_order, parts(la_order, wh_us, wh_cn), shipment_ids=[labelled.pk]
        )
    assert exc.value.code == "shipment_already_shipped"


def test_own_channel_number_withdrawn_without_a_carrier_void(logistics, la_order, wh_us, wh_cn):
    own_channel(logistics, "OWN")
    (s,) = shipping.create_shipments(logistics, order_ids=[la_order.pk], channel="OWN")
    (c,) = repacking.consequences(la_order)
    assert (c.voids_at_carrier, c.can_void) == (False, True)
    repacking.void_and_split(
        logistics, la_order, parts(la_order, wh_us, wh_cn), shipment_ids=[s.pk]
    )
    assert Shipment.objects.get(pk=s.pk).status == "cancelled"
    assert not OutboxMessage.objects.filter(topic="logistics.void_label").exists()


# --- the order page and the API ---------------------------------------------------------------

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def api_as(make_user):
    from tradelane.api.testing import role_clients

    return role_clients(make_user)


def split_post(order, wh_la, wh_sz, *, void=()):
    l1, l2 = order.lines.order_by("line_no")
    post = {"parts": "2", "wh_0": str(wh_la.pk), "wh_1": str(wh_sz.pk),
            f"qty_0_{l1.pk}": "1", f"qty_1_{l2.pk}": "2"}  # fmt: skip
    if void:
        post["void_shipment"] = [str(i) for i in void]
    return post


def test_order_page_shows_what_void_and_split_does(client, logistics, labelled, la_order):
    from django.urls import reverse

    client.force_login(logistics)
    page = client.get(reverse("web:order", args=[la_order.pk])).content.decode()
    assert 'data-testid="split-void-plan"' in page
    assert (
        f"运单 {labelled.number} 将被取消，{labelled.warehouse.code} 发出的面单 1Z999 "
        f"将在承运商 EXP 处作废。"
    ) in page
    assert f'<input type="hidden" name="void_shipment" value="{labelled.pk}">' in page
    assert "作废并拆分" in page  # the button: Void and split


def test_customer_service_is_told_to_ask_logistics(client, cs, labelled, la_order):
    from django.urls import reverse

    client.force_login(cs)
    page = client.get(reverse("web:order", args=[la_order.pk])).content.decode()
    assert "该订单已有运单，暂不能拆分。" in page
    assert "您的角色不能取消运单：请先让物流人员取消。" in page
    assert 'data-testid="split-submit"' not in page
    assert 'name="void_shipment"' not in page


def test_plain_split_on_the_page_is_refused_and_changes_nothing(
    client, logistics, labelled, la_order, wh_us, wh_cn
):
    from django.urls import reverse

    client.force_login(logistics)
    before = state(la_order)
    response = client.post(
        reverse("web:order_split", args=[la_order.pk]),
        split_post(la_order, wh_us, wh_cn),
        **HTMX,
    )
    assert response.status_code == 409
    text = response.content.decode()
    assert f"运单 {labelled.number} 仍承运该订单，其面单仍然有效。" in text
    assert state(la_order) == before


def test_void_and_split_on_the_page(client, logistics, labelled, la_order, wh_us, wh_cn):
    from django.urls import reverse

    client.force_login(logistics)
    response = client.post(
        reverse("web:order_split", args=[la_order.pk]),
        split_post(la_order, wh_us, wh_cn, void=[labelled.pk]),
        **HTMX,
    )
    text = response.content.decode()
    assert response.status_code == 200, text
    p1, p2 = Package.objects.order_by("pk")
    assert f"已作废运单 {labelled.number}。 已拆分为 {p1} (LA), {p2} (SZ)。" in text
    assert Shipment.objects.get(pk=labelled.pk).status == "cancelled"
    assert OutboxMessage.objects.filter(topic="logistics.void_label").count() == 1
    assert 'data-testid="split-void-plan"' not in text


def test_api_split_refused_then_void_and_split(api_as, labelled, la_order, wh_us, wh_cn):
    api = api_as("logistics")
    body = {"parts": parts(la_order, wh_us, wh_cn)}
    before = state(la_order)
    r = api.post(f"/orders/{la_order.pk}/split", body)
    assert (r.status_code, r.json()["code"]) == (409, "shipment_live")
    assert r.json()["details"]["shipment_ids"] == [labelled.pk]
    assert state(la_order) == before
    r = api.post(f"/orders/{la_order.pk}/void-and-split", {**body, "shipment_ids": [999999]})
    assert (r.status_code, r.json()["code"]) == (409, "live_shipments_changed")
    assert state(la_order) == before
    r = api.post(f"/orders/{la_order.pk}/void-and-split", {**body, "shipment_ids": [labelled.pk]})
    assert r.status_code == 201, r.json()
    assert sorted(p["warehouse_code"] for p in r.json()) == ["LA", "SZ"]
    assert Shipment.objects.get(pk=labelled.pk).status == "cancelled"
    r = api_as("customer_service").post(
        f"/orders/{la_order.pk}/void-and-split", {**body, "shipment_ids": [labelled.pk]}
    )
    assert r.status_code == 403
