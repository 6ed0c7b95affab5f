"""Customer service edits an order: fixes for the phone and address rules, lines, re-allocation,
the before/after on the history, and every refusal changing nothing."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tradelane.core.errors import Conflict, PermissionDenied, ValidationFailed
from tradelane.core.models import AuditLog, FxRate, StateEvent
from tradelane.inventory.models import StockBalance
from tradelane.orders.editing import edit_changes, edit_order
from tradelane.orders.models import Order, OrderLine
from tradelane.orders.review import review_orders

from .factories import make_order, make_store

pytestmark = pytest.mark.django_db


@pytest.fixture
def store(company):
    FxRate.objects.create(
        base="USD", quote="CNY", rate=Decimal("7.1"), date="2026-11-20", source="test"
    )
    return make_store()


def verdict(order, rule):
    order.refresh_from_db()
    return next((v["result"], v["code"]) for v in order.review if v["rule"] == rule)


def snapshot(order):
    """Everything an edit could touch."""
    row = Order.objects.filter(pk=order.pk).values().get()
    row.pop("updated_at")
    lines = list(OrderLine.objects.filter(order=order).order_by("line_no").values())
    events = StateEvent.objects.filter(entity="orders.order", object_id=order.pk).count()
    audits = AuditLog.objects.count()
    reserved = sorted(StockBalance.objects.values_list("sku_id", "warehouse_id", "reserved"))
    return row, lines, events, audits, reserved


def edits(order):
    return [
        edit_changes(e.reason)
        for e in StateEvent.objects.filter(entity="orders.order", object_id=order.pk, field="edit")
    ]


def test_fixing_an_invalid_phone_approves_the_order(cs, store, make_sku):
    order = make_order(store, [(make_sku("A"), 1)], ship_phone="12345")
    review_orders(cs, [order.pk])
    assert verdict(order, "phone") == ("contact", "phone_invalid")
    assert order.status == "pending_contact"

    edited = edit_order(cs, order, fields={"ship_phone": "(650) 253-0001"}, reason="called")

    assert edited.status == "approved"
    assert edited.ship_phone == "+16502530001"  # kept as E.164
    assert verdict(order, "phone") == ("pass", "ok")
    assert edits(order) == [({"ship_phone": ["12345", "+16502530001"]}, "called")]
    audit = AuditLog.objects.get(action="orders.order.edit")
    assert (audit.actor_id, audit.changes) == (
        cs.pk,
        {"ship_phone": ["12345", "+16502530001"], "reason": "called"},
    )
    reasons = list(
        StateEvent.objects.filter(object_id=order.pk, field="status").values_list(
            "from_state", "to_state"
        )
    )
    assert reasons[-1] == ("pending_contact", "approved")


def test_an_invalid_phone_is_refused_and_nothing_changes(cs, store, make_sku):
    order = make_order(store, [(make_sku("A"), 1)], ship_phone="12345")
    review_orders(cs, [order.pk])
    before = snapshot(order)
    with pytest.raises(ValidationFailed) as exc:
        edit_order(cs, order, fields={"ship_phone": "555", "note": "typed a new note"})
    assert exc.value.code == "invalid_phone"
    assert exc.value.details == {"field": "ship_phone", "country": "US"}
    assert snapshot(order) == before


def test_fixing_an_undeliverable_address(cs, store, make_sku):
    order = make_order(store, [(make_sku("A"), 1)], ship_postcode="ABCDE")
    review_orders(cs, [order.pk])
    assert verdict(order, "address")[1] == "address_not_deliverable"

    edited = edit_order(cs, order, fields={"ship_postcode": "94043"})

    assert (edited.status, edited.ship_postcode) == ("approved", "94043")
    assert verdict(order, "address") == ("pass", "ok")
    assert edits(order) == [({"ship_postcode": ["ABCDE", "94043"]}, "")]


def test_an_undeliverable_address_is_refused_and_nothing_changes(cs, store, make_sku):
    order = make_order(store, [(make_sku("A"), 1)])
    review_orders(cs, [order.pk])
    before = snapshot(order)
    with pytest.raises(ValidationFailed) as exc:
        edit_order(cs, order, fields={"ship_postcode": "XYZ", "ship_city": "Palo Alto"})
    assert exc.value.code == "address_not_deliverable"
    assert exc.value.details["problems"] == "postal_code: invalid"
    assert snapshot(order) == before


def test_editing_an_allocated_order_releases_and_allocates_again(cs, store, make_sku, wh_cn):
    from tradelane.logistics.tests.tracking_factories import allocated_order

    order = allocated_order(make_sku, wh_cn, qty=2, on_hand=10)
    line = order.lines.get()
    sku = line.sku
    assert StockBalance.objects.get(sku=sku, warehouse=wh_cn).reserved == 2
    other = make_sku("B")
    StockBalance.objects.update_or_create(sku=other, warehouse=wh_cn, defaults={"on_hand": 5})

    edited = edit_order(
        cs, order, lines=[{"id": line.pk, "sku": sku.code, "quantity": 3},
                          {"id": None, "sku": "B", "quantity": 1}],
    )  # fmt: skip

    assert (edited.status, edited.warehouse_id) == ("pending_shipment", wh_cn.pk)
    assert StockBalance.objects.get(sku=sku, warehouse=wh_cn).reserved == 3
    assert StockBalance.objects.get(sku=other, warehouse=wh_cn).reserved == 1
    assert list(edited.lines.values_list("sku__code", "quantity", "store_sku")) == [
        (sku.code, 3, line.store_sku),
        ("B", 1, "B"),
    ]
    assert edits(order) == [({"lines": [f"{sku.code}×2", f"{sku.code}×3, B×1"]}, "")]
    moves = list(
        StateEvent.objects.filter(object_id=order.pk, field="status")
        .order_by("id")
        .values_list("from_state", "to_state", "reason")
    )[-2:]
    assert moves == [
        ("pending_shipment", "approved", "edited"),
        ("approved", "pending_shipment", "allocated"),
    ]


def test_removing_a_line_and_mapping_an_unmapped_one(cs, store, make_sku):
    a, b = make_sku("A"), make_sku("B")
    order = make_order(store, [(a, 1), (None, 2)])
    review_orders(cs, [order.pk])
    assert verdict(order, "lines") == ("invalid", "unmapped_sku")
    first, unmapped = order.lines.order_by("line_no")
    edited = edit_order(cs, order, lines=[{"id": unmapped.pk, "sku": "B", "quantity": 2}])
    assert edited.status == "approved"  # invalid -> pending review -> approved
    assert list(edited.lines.values_list("pk", "sku_id", "quantity")) == [(unmapped.pk, b.pk, 2)]
    assert edits(order) == [({"lines": ["A×1, UNMAPPED1×2", "B×2"]}, "")]


@pytest.mark.parametrize(
    "lines, code",
    [
        ([], "no_lines"),
        ([{"id": None, "sku": "NOPE", "quantity": 1}], "unknown_sku"),
        ([{"id": None, "sku": "A", "quantity": 0}], "invalid_quantity"),
        ([{"id": 999999, "sku": "A", "quantity": 1}], "invalid_line"),
        ([{"id": None, "sku": "", "quantity": 1}], "required"),
    ],
)
def test_bad_lines_are_refused_and_nothing_changes(cs, store, make_sku, lines, code):
    order = make_order(store, [(make_sku("A"), 1)])
    before = snapshot(order)
    with pytest.raises(ValidationFailed) as exc:
        edit_order(cs, order, fields={"note": "x"}, lines=lines)
    assert exc.value.code == code
    assert snapshot(order) == before


def test_nothing_to_change(cs, store, make_sku):
    order = make_order(store, [(make_sku("A"), 1)])
    before = snapshot(order)
    with pytest.raises(ValidationFailed) as exc:
        edit_order(cs, order, fields={"ship_city": "Mountain View"})
    assert exc.value.code == "nothing_changed"
    assert snapshot(order) == before


def test_a_shipped_order_or_one_a_shipment_carries_is_refused(cs, store, make_sku, wh_cn):
    from tradelane.logistics.tests.tracking_factories import allocated_order, make_shipment

    shipped = make_order(store, [(make_sku("A"), 1)], status="shipped")
    before = snapshot(shipped)
    with pytest.raises(Conflict) as exc:
        edit_order(cs, shipped, fields={"note": "late"})
    assert exc.value.code == "edit_wrong_status"
    assert snapshot(shipped) == before

    carried = allocated_order(make_sku, wh_cn, sku_code="C")
    shipment = make_shipment(wh_cn, status="labelled", tracking="YT1", orders=[carried])
    before = snapshot(carried)
    with pytest.raises(Conflict) as exc:
        edit_order(cs, carried, fields={"ship_postcode": "94040"})
    assert (exc.value.code, exc.value.details) == (
        "order_has_shipment",
        {"shipments": [shipment.number]},
    )
    assert snapshot(carried) == before


def test_roles_without_order_change_are_refused(warehouse_user, sales, store, make_sku):
    order = make_order(store, [(make_sku("A"), 1)])
    before = snapshot(order)
    for user in (warehouse_user, sales):
        with pytest.raises(PermissionDenied):
            edit_order(user, order, fields={"note": "x"})
    assert snapshot(order) == before


def test_unknown_field_and_bad_country(cs, store, make_sku):
    order = make_order(store, [(make_sku("A"), 1)])
    with pytest.raises(ValidationFailed) as exc:
        edit_order(cs, order, fields={"grand_total": "1"})
    assert exc.value.code == "unknown_field"
    with pytest.raises(ValidationFailed) as exc:
        edit_order(cs, order, fields={"ship_country": "XX"})
    assert (exc.value.code, exc.value.details) == ("invalid_country", {"field": "ship_country"})
    with pytest.raises(ValidationFailed) as exc:
        edit_order(cs, order, fields={"ship_name": "  "})
    assert exc.value.code == "required"


def test_the_api_edits_and_refuses_like_the_page(make_user, store, make_sku):
    from tradelane.accounts import roles
    from tradelane.api.testing import role_clients

    api_as = role_clients(make_user)
    cs = api_as(roles.CUSTOMER_SERVICE)
    order = make_order(store, [(make_sku("A"), 1)], ship_phone="12345")
    line = order.lines.get()
    r = cs.patch(f"/orders/{order.pk}", {"ship_phone": "not a phone"})
    assert (r.status_code, r.json()["code"]) == (422, "invalid_phone")
    assert Order.objects.get(pk=order.pk).ship_phone == "12345"
    r = api_as(roles.WAREHOUSE).patch(f"/orders/{order.pk}", {"note": "x"})
    assert (r.status_code, r.json()["code"]) == (403, "permission_denied")
    r = cs.patch(
        f"/orders/{order.pk}",
        {"ship_phone": "+1 650 253 0001", "note": "ring twice", "reason": "buyer called",
         "lines": [{"id": line.pk, "quantity": 2}]},
    )  # fmt: skip
    assert r.status_code == 200
    body = r.json()
    assert (body["status"], body["shipping_address"]["phone"], body["note"]) == (
        "approved", "+16502530001", "ring twice",
    )  # fmt: skip
    order.refresh_from_db()
    assert (order.status, order.ship_phone, order.note) == (
        "approved",
        "+16502530001",
        "ring twice",
    )
    assert list(order.lines.values_list("quantity", flat=True)) == [2]
    assert edits(order) == [(
        {"ship_phone": ["12345", "+16502530001"], "note": ["", "ring twice"],
         "lines": ["A×1", "A×2"]},
        "buyer called",
    )]  # fmt: skip
