"""Waybill services: quoting against the customer's sheets, batches with a result per item,
idempotency by reference, refusals that write nothing, scope, edit/cancel/intercept, inbound."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tradelane.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from tradelane.core.models import OutboxMessage
from tradelane.forwarding.models import Waybill, WaybillItem, WaybillPiece, WaybillStatus
from tradelane.forwarding.partners import scoping
from tradelane.forwarding.partners import services as partners
from tradelane.forwarding.tests.factories import payload, provider
from tradelane.forwarding.waybills import pricing, selectors, services
from tradelane.forwarding.waybills.validation import PieceInput, parse

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def p():
    return provider()


def counts():
    return (Waybill.objects.count(), WaybillPiece.objects.count(), WaybillItem.objects.count())


def test_customer_own_sheet_first_then_level_then_standard(p):
    data, _ = parse(payload())
    parcel = pricing.parcel_of(data)
    acme = {o.channel_code: o for o in pricing.offers(p.acme, parcel)}
    bolt = {o.channel_code: o for o in pricing.offers(p.bolt, parcel)}
    # chargeable: volumetric 300x200x100/5000? no divisor: 1.2 kg; ACME's own 55/kg + 10
    assert acme["USLINE"].sale_level == "customer:ACME"
    assert acme["USLINE"].price.amount == D("76.00")
    # BOLT is VIP: 50/kg + 9
    assert bolt["USLINE"].sale_level == "VIP"
    assert bolt["USLINE"].price.amount == D("69.00")
    # EUPOST does not go to the US: refused with its reason; BATT only open to BOLT
    assert not acme["EUPOST"].ok and acme["EUPOST"].reasons[0]["code"] == "no_zone"
    assert "BATT" not in acme and "BATT" in bolt
    # cost is there for the provider, 40/kg + 8
    assert acme["USLINE"].priced.cost.total.amount == D("56.00")


def test_create_numbers_prices_and_keeps_three_numbers(p):
    w, created = services.create_waybill(p.acme_user, p.acme, payload())
    assert created
    assert w.number.startswith("TL") and len(w.number) == 15
    assert w.reference == "R1" and w.tracking_number == "" and w.tracking_status == "pending"
    assert (w.sale_amount, w.sale_currency, w.cost_amount) == (D("76.00"), "CNY", D("56.00"))
    assert w.consignee_phone == "+12125550100"
    assert w.declared_value == D("25.00") and w.declared_currency == "USD"
    assert [i.name_zh for i in w.items.all()] == ["棉T恤"]
    assert [(x.seq, x.weight_g) for x in w.piece_rows.all()] == [(1, 1200)]
    assert [e.status for e in w.events.all()] == ["info_received"]


def test_same_reference_same_body_is_existing_other_body_is_conflict(p):
    w, _ = services.create_waybill(p.acme_user, p.acme, payload())
    again, created = services.create_waybill(p.acme_user, p.acme, payload())
    assert (again.pk, created) == (w.pk, False)
    before = counts()
    with pytest.raises(Conflict) as exc:
        services.create_waybill(p.acme_user, p.acme, payload(note="other"))
    assert exc.value.code == "reference_conflict"
    assert counts() == before
    # another customer may use the same reference
    other, created = services.create_waybill(p.bolt_user, p.bolt, payload())
    assert created and other.pk != w.pk


def test_batch_result_per_item_refused_items_write_nothing(p):
    bad_phone = payload("R2")
    bad_phone["consignee"] = {**bad_phone["consignee"], "phone": "12"}
    results = services.create_waybills(
        p.acme_user, p.acme,
        [payload("R1"), bad_phone, payload("R1"), payload("R3", channel="EUPOST"),
         payload("R4", channel="BATT"), payload("R5", channel="")],
    )  # fmt: skip
    assert [(r.index, r.result, r.code) for r in results] == [
        (0, "created", ""),
        (1, "rejected", "invalid_phone"),
        (2, "rejected", "duplicate_reference"),
        (3, "rejected", "no_zone"),
        (4, "rejected", "channel_not_open"),
        (5, "created", ""),
    ]
    assert results[5].waybill.channel.code == "USLINE"  # the cheapest open channel that accepts
    assert sorted(Waybill.objects.values_list("reference", flat=True)) == ["R1", "R5"]
    numbers = [r.waybill.number for r in results if r.waybill]
    assert int(numbers[1][-7:]) == int(numbers[0][-7:]) + 1


def test_no_open_channel_accepts_gives_every_channel_reason(p):
    data = payload("R9", channel="")
    data["consignee"] = {**data["consignee"], "country": "FR", "state": "", "postcode": "75001",
                         "city": "Paris", "phone": ""}  # fmt: skip
    with pytest.raises(ValidationFailed) as exc:
        services.create_waybill(p.acme_user, p.acme, data)
    assert exc.value.code == "no_channel_accepts"
    errors = exc.value.details["errors"]
    assert {(e.get("channel"), e["code"]) for e in errors[1:]} == {
        ("EUPOST", "no_zone"),
        ("USLINE", "no_zone"),
    }
    assert Waybill.objects.count() == 0


def test_all_or_nothing_writes_nothing_when_one_is_refused(p):
    results = services.create_waybills(
        p.acme_user, p.acme, [payload("R1"), payload("R2", pieces=[])], all_or_nothing=True
    )
    assert [(r.result, r.code) for r in results] == [
        ("rejected", "batch_rejected"),
        ("rejected", "required"),
    ]
    assert results[0].waybill is None
    assert results[1].code == "required"
    assert counts() == (0, 0, 0)


def test_all_or_nothing_writes_all_when_every_one_is_valid(p):
    results = services.create_waybills(
        p.acme_user, p.acme, [payload("R1"), payload("R2")], all_or_nothing=True
    )
    assert [(r.result, r.code) for r in results] == [("created", ""), ("created", "")]
    assert counts() == (2, 2, 2)


def test_suspended_customer_is_refused(p):
    partners.set_customer_status(p.admin, p.acme, "suspended")
    p.acme.refresh_from_db()
    with pytest.raises(PermissionDenied) as exc:
        services.create_waybill(p.acme_user, p.acme, payload())
    assert exc.value.code == "customer_suspended"
    assert Waybill.objects.count() == 0


def test_scope_customers_agents_sales(p):
    wa, _ = services.create_waybill(p.acme_user, p.acme, payload("A1"))
    wb, _ = services.create_waybill(p.bolt_user, p.bolt, payload("B1"))
    assert list(selectors.waybills(p.acme_user)) == [wa]
    assert list(selectors.waybills(p.bolt_user)) == [wb]
    assert list(selectors.waybills(p.agent_user)) == [wa]  # ACME came through the agent
    assert list(selectors.waybills(p.sales1)) == [wa]
    assert set(selectors.waybills(p.service)) == {wa, wb}
    with pytest.raises(NotFound):
        selectors.waybill(p.acme_user, wb.number)
    with pytest.raises(NotFound):
        scoping.acting_customer(p.acme_user, "BOLT")
    # a portal user cannot create for another customer, even calling the service directly
    with pytest.raises(NotFound):
        services.create_waybill(p.acme_user, p.bolt, payload("X"))
    with pytest.raises(NotFound):
        services.cancel_waybill(p.acme_user, wb)
    assert Waybill.objects.get(pk=wb.pk).status == "created"


def test_edit_cancel_and_intercept_by_state(p):
    w, _ = services.create_waybill(p.acme_user, p.acme, payload())
    services.edit_waybill(p.acme_user, w, payload(pieces=[{"weight_g": 2000}]))
    w.refresh_from_db()
    assert (w.forecast_weight_g, w.sale_amount) == (2000, D("120.00"))
    with pytest.raises(Conflict) as exc:
        services.request_intercept(p.acme_user, w, "wrong address")
    assert exc.value.code == "cancel_instead"
    services.receive(p.hub, w, weight_g=2600)
    w.refresh_from_db()
    with pytest.raises(Conflict) as exc:
        services.cancel_waybill(p.acme_user, w)
    assert exc.value.code == "not_cancellable"
    with pytest.raises(Conflict):
        services.edit_waybill(p.acme_user, w, payload())
    services.request_intercept(p.acme_user, w, "wrong address")
    w.refresh_from_db()
    # the hub turns the request into a hold at once (hub.holds)
    assert w.intercept_reason == "wrong address" and w.status == WaybillStatus.HELD
    other, _ = services.create_waybill(p.acme_user, p.acme, payload("R2"))
    services.cancel_waybill(p.acme_user, other)
    assert Waybill.objects.get(pk=other.pk).status == "cancelled"


def test_receive_requotes_on_measured_weight_and_tells_the_customer(p):
    partners.set_webhook(p.admin, p.acme, "https://erp.example/hooks")
    w, _ = services.create_waybill(p.acme_user, p.acme, payload())
    assert OutboxMessage.objects.count() == 0
    services.receive(p.hub, w, weight_g=1650, pieces=[PieceInput(1650, 300, 200, 100)])
    w.refresh_from_db()
    assert (w.status, w.measured_weight_g, w.chargeable_weight_g) == ("received", 1650, 1650)
    assert w.sale_amount == D("100.75")  # 1.65 kg x 55 + 10
    events = [m.payload["body"]["event"] for m in OutboxMessage.objects.order_by("id")]
    assert events == ["waybill.status_changed", "waybill.weight_changed", "waybill.fees_changed"]
    fees = OutboxMessage.objects.order_by("id").last().payload["body"]
    assert fees["changes"] == {"price": ["76.00", "100.75"], "delta": "24.75", "currency": "CNY"}
    assert fees["waybill"]["price"] == {"amount": "100.75", "currency": "CNY"}
    assert "cost" not in str(fees)
    services.assign_numbers(p.hub, w, last_mile_carrier="USPS", last_mile_number="9400100000000")
    w.refresh_from_db()
    assert (w.tracking_number, w.tracking_status) == ("9400100000000", "assigned")
    last = OutboxMessage.objects.order_by("id").last().payload["body"]
    assert last["event"] == "waybill.last_mile_assigned"


def test_a_portal_user_cannot_receive(p):
    w, _ = services.create_waybill(p.acme_user, p.acme, payload())
    with pytest.raises(PermissionDenied):
        services.receive(p.acme_user, w, weight_g=5000)
    assert Waybill.objects.get(pk=w.pk).status == "created"


def test_move_holds_releases_ships_and_delivers_with_an_event_and_a_webhook(p):
    from tradelane.core.errors import InvalidTransition
    from tradelane.core.models import StateEvent

    partners.set_webhook(p.admin, p.acme, "https://erp.example/hooks")
    w, _ = services.create_waybill(p.acme_user, p.acme, payload())
    with pytest.raises(InvalidTransition):  # inbound weighs: only ``receive`` does it
        services.move(p.hub, w, WaybillStatus.RECEIVED)
    with pytest.raises(InvalidTransition):  # not received yet
        services.move(p.hub, w, WaybillStatus.IN_TRANSIT)
    assert Waybill.objects.get(pk=w.pk).status == "created"
    services.receive(p.hub, w, weight_g=1200)
    sent = OutboxMessage.objects.count()
    services.move(p.hub, w, WaybillStatus.HELD, "customs documents missing")
    services.move(p.hub, w, WaybillStatus.RECEIVED, "documents received")
    services.move(p.hub, w, WaybillStatus.IN_TRANSIT, location="Shenzhen")
    services.move(p.hub, w, WaybillStatus.DELIVERED)
    w.refresh_from_db()
    assert w.status == "delivered"
    assert [(e.status, e.description) for e in w.events.order_by("id")][2:] == [
        ("exception", "Held at the hub"),
        ("in_transit", "Released at the hub"),
        ("in_transit", "Left the hub"),
        ("delivered", "Delivered"),
    ]
    history = StateEvent.objects.filter(entity="forwarding.waybill", object_id=w.pk)
    assert list(history.order_by("id").values_list("from_state", "to_state", "reason")) == [
        ("created", "received", "inbound scan"),
        ("received", "held", "customs documents missing"),
        ("held", "received", "documents received"),
        ("received", "in_transit", ""),
        ("in_transit", "delivered", ""),
    ]
    bodies = [m.payload["body"] for m in OutboxMessage.objects.order_by("id")[sent:]]
    assert [(b["event"], b["changes"]["status"]) for b in bodies] == [
        ("waybill.status_changed", ["received", "held"]),
        ("waybill.status_changed", ["held", "received"]),
        ("waybill.status_changed", ["received", "in_transit"]),
        ("waybill.status_changed", ["in_transit", "delivered"]),
    ]
    with pytest.raises(InvalidTransition):  # delivered is the end
        services.move(p.hub, w, WaybillStatus.RETURNED)
    assert Waybill.objects.get(pk=w.pk).status == "delivered"


def test_move_is_refused_to_a_portal_user_and_out_of_scope_changes_nothing(p):
    w, _ = services.create_waybill(p.acme_user, p.acme, payload())
    services.receive(p.hub, w, weight_g=1200)
    with pytest.raises(PermissionDenied):
        services.move(p.acme_user, w, WaybillStatus.HELD)
    with pytest.raises(PermissionDenied):
        services.move(p.service, w, WaybillStatus.RETURNED)  # no hub permission
    assert Waybill.objects.get(pk=w.pk).status == "received"
    assert w.events.count() == 2


def test_a_batch_on_an_s10_channel_takes_one_block_of_numbers_in_order(p):
    from tradelane.forwarding.tests.factories import channel
    from tradelane.logistics.models import S10Series
    from tradelane.logistics.shipping import services as ship
    from tradelane.logistics.shipping.numbers import make_s10

    channel(p.admin, "POSTS10", s10_prefix="LX", s10_country="CN")
    partners.set_level_channels(p.admin, p.std, ["USLINE", "EUPOST", "POSTS10"])
    ship.add_s10_series(p.admin, "LX", "CN", 100, 104)
    batch = [payload(f"S{i}", channel="POSTS10") for i in range(3)] + [payload("U1")]
    results = services.create_waybills(p.acme_user, p.acme, batch)
    assert [(r.result, r.waybill.tracking_number, r.waybill.tracking_status) for r in results] == [
        ("created", make_s10("LX", 100, "CN"), "assigned"),
        ("created", make_s10("LX", 101, "CN"), "assigned"),
        ("created", make_s10("LX", 102, "CN"), "assigned"),
        ("created", "", "pending"),
    ]
    # three more do not fit in the two serials left: the whole batch is refused, nothing written
    before = counts()
    with pytest.raises(Conflict) as exc:
        services.create_waybills(
            p.acme_user, p.acme, [payload(f"T{i}", channel="POSTS10") for i in range(3)]
        )
    assert exc.value.code == "s10_series_exhausted"
    assert counts() == before
    assert S10Series.objects.get(prefix="LX").next_serial == 103
