"""Shipments: create (single, merged, split), S10 numbers, carrier labels via the outbox,
cancel/void, hand-over, refused actions that change nothing."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from tradelane.core import outbox
from tradelane.core.errors import Conflict, InvalidTransition, ValidationFailed
from tradelane.core.models import OutboxMessage
from tradelane.inventory.models import StockBalance, StockMovement
from tradelane.logistics.carriers import contract as gateways
from tradelane.logistics.models import (
    CarrierAccount,
    Channel,
    S10Series,
    Shipment,
    ShipmentDocument,
    ShipmentOrder,
)
from tradelane.logistics.shipping import services as shipping
from tradelane.logistics.tests.shipfix import allocated, own_channel
from tradelane.orders import services as order_services
from tradelane.orders.models import Order
from tradelane.orders.tests.factories import make_store

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_rate_cache")]


@pytest.fixture
def postal(logistics):
    ch = own_channel(logistics, "POST", service_type="postal", s10_prefix="RR", s10_country="CN",
                     tracking_url_template="https://t.example/{tracking}")  # fmt: skip
    S10Series.objects.create(prefix="RR", country="CN", next_serial=12345678, last_serial=12345680)
    return ch


@pytest.fixture
def order(logistics, wh_cn, make_sku):
    return allocated(logistics, make_store(), wh_cn, [(make_sku("MUG"), 2)])


def snapshot():
    return (
        Shipment.objects.count(),
        ShipmentOrder.objects.count(),
        OutboxMessage.objects.count(),
        S10Series.objects.values_list("next_serial", flat=True).first(),
        list(Order.objects.order_by("id").values_list("status", flat=True)),
    )


def test_s10_check_digit_golden():
    assert shipping.make_s10("RR", 12345678, "CN") == "RR123456785CN"


def test_single_order_postal_s10_labelled_and_customs_lines(logistics, postal, order):
    (s,) = shipping.create_shipments(logistics, order_ids=[order.pk], channel="POST")
    s.refresh_from_db()
    assert s.status == "labelled" and s.tracking_number == "RR123456785CN"
    assert s.weight_g == 700 and s.pieces == 1 and s.customs_document == "cn22"
    assert s.quoted_amount is not None and s.charge_currency == "CNY"
    (item,) = s.items.all()
    assert (item.name_zh, item.name_en, item.hs_code, item.quantity) == (
        "马克杯",
        "Mug",
        "691200",
        2,
    )
    (s2_order,) = [allocated(logistics, make_store(), order.warehouse, [(item.sku, 1)])]
    (s2,) = shipping.create_shipments(logistics, order_ids=[s2_order.pk], channel="POST")
    assert s2.tracking_number == "RR123456799CN"  # next serial: 211 mod 11 = 2, 11 - 2 = 9


def test_s10_range_used_up_refused_and_nothing_written(logistics, postal, wh_cn, make_sku):
    S10Series.objects.update(next_serial=12345681)  # past last_serial
    o = allocated(logistics, make_store(), wh_cn, [(make_sku("A"), 1)])
    before = snapshot()
    with pytest.raises(Conflict) as exc:
        shipping.create_shipments(logistics, order_ids=[o.pk], channel="POST")
    assert exc.value.code == "s10_series_exhausted"
    assert snapshot() == before


def test_refused_actions_change_nothing(logistics, postal, order, wh_cn, make_sku):
    from tradelane.orders.tests.factories import make_order

    approved = make_order(make_store(), [(make_sku("B"), 1)], status="approved")
    before = snapshot()
    with pytest.raises(Conflict) as exc:
        shipping.create_shipments(logistics, order_ids=[order.pk, approved.pk], channel="POST")
    assert exc.value.code == "order_not_allocated"
    with pytest.raises(ValidationFailed) as exc:
        shipping.create_shipments(
            logistics, order_ids=[order.pk], channel="POST", parcels=[{"weight_g": 0}]
        )
    assert exc.value.code == "parcel_weight_zero"
    with pytest.raises(ValidationFailed) as exc:  # no channel and no rate-shop choice
        shipping.create_shipments(logistics, order_ids=[order.pk])
    assert exc.value.code == "no_channel"
    assert snapshot() == before
    (s,) = shipping.create_shipments(logistics, order_ids=[order.pk], channel="POST")
    before = snapshot()
    with pytest.raises(Conflict) as exc:
        shipping.create_shipments(logistics, order_ids=[order.pk], channel="POST")
    assert exc.value.code == "already_in_shipment"
    shipping.ship_shipment(logistics, s)
    with pytest.raises(InvalidTransition):
        shipping.cancel_shipment(logistics, s)
    assert Shipment.objects.get(pk=s.pk).status == "shipped"


def test_merged_package_one_shipment(logistics, postal, wh_cn, make_sku, cs):
    store = make_store()
    sku = make_sku("M")
    same = dict(buyer_email="same@example.com")
    a = allocated(logistics, store, wh_cn, [(sku, 1)], **same)
    b = allocated(logistics, store, wh_cn, [(sku, 1)], **same)
    pkg = order_services.merge_orders(cs, [a.pk, b.pk])
    (s,) = shipping.create_shipments(logistics, order_ids=[a.pk, b.pk], channel="POST")
    assert sorted(s.order_links.values_list("order_id", flat=True)) == [a.pk, b.pk]
    assert set(s.order_links.values_list("package_id", flat=True)) == {pkg.pk}
    assert s.items.count() == 2 and s.weight_g == 700
    shipping.ship_shipment(logistics, s)
    assert set(Order.objects.filter(pk__in=[a.pk, b.pk]).values_list("status", flat=True)) == {
        "shipped"
    }


def test_split_order_one_shipment_per_package_ships_when_all_left(
    logistics, postal, wh_cn, make_sku, cs
):
    a, b = make_sku("A", weight_g=300), make_sku("B", weight_g=400)
    o = allocated(logistics, make_store(), wh_cn, [(a, 1), (b, 1)])
    l1, l2 = o.lines.order_by("line_no")
    p1, p2 = order_services.split_order(
        cs, o, [
            {"warehouse_id": wh_cn.pk, "lines": [{"line_id": l1.pk, "quantity": 1}]},
            {"warehouse_id": wh_cn.pk, "lines": [{"line_id": l2.pk, "quantity": 1}]},
        ],
    )  # fmt: skip
    s1, s2 = shipping.create_shipments(logistics, order_ids=[o.pk], channel="POST")
    assert (s1.weight_g, s2.weight_g) == (300, 400)
    shipping.ship_shipment(logistics, s1)
    o.refresh_from_db()
    assert o.status == "pending_shipment"  # one package still open
    shipping.ship_shipment(logistics, s2)
    o.refresh_from_db()
    assert o.status == "shipped"
    assert OutboxMessage.objects.filter(topic="store.fulfillment").count() == 2


def test_ship_moves_stock_and_writes_fulfillment(logistics, postal, order):
    (s,) = shipping.create_shipments(logistics, order_ids=[order.pk], channel="POST")
    on_hand = StockBalance.objects.get(sku__code="MUG").on_hand
    shipping.ship_shipment(logistics, s)
    order.refresh_from_db()
    assert order.status == "shipped"
    assert StockBalance.objects.get(sku__code="MUG").on_hand == on_hand - 2
    assert StockMovement.objects.filter(kind="shipment", source_id=str(order.pk)).count() == 1
    msg = OutboxMessage.objects.get(topic="store.fulfillment")
    assert msg.payload == {
        "order_id": order.pk, "store_id": order.store_id, "tracking_company": "POST",
        "tracking_number": "RR123456785CN",
        "tracking_url": "https://t.example/RR123456785CN", "update": False,
        "package_id": None,  # a whole order; a package's id names the parcel's own lines
    }  # fmt: skip


def test_cancel_keeps_order_shippable(logistics, postal, order):
    (s,) = shipping.create_shipments(logistics, order_ids=[order.pk], channel="POST")
    shipping.cancel_shipment(logistics, s, "wrong box")
    order.refresh_from_db()
    assert order.status == "pending_shipment"
    (again,) = shipping.create_shipments(logistics, order_ids=[order.pk], channel="POST")
    assert again.status == "labelled"
    assert not OutboxMessage.objects.filter(topic="logistics.void_label").exists()


# --- carrier labels through the outbox ------------------------------------------------------


class FakeGateway:
    def __init__(self):
        self.calls = []
        self.errors = []
        self.voided = []

    def create_label(self, account, request):
        self.calls.append(request.idempotency_key)
        if self.errors:
            raise self.errors.pop(0)
        return gateways.LabelResult("1Z999", b"%PDF-fake", "PDF", carrier_shipment_id="SHIP-1")

    def void(self, account, carrier_shipment_id, tracking_number):
        self.voided.append((carrier_shipment_id, tracking_number))

    def rate(self, account, request):  # pragma: no cover
        return []

    def track(self, account, numbers):  # pragma: no cover
        return []


@pytest.fixture
def fake(logistics):
    gw = FakeGateway()
    gateways.register("fakecarrier", lambda: gw)
    CarrierAccount.objects.create(code="FAKE", name="Fake", carrier="fakecarrier")
    ch = own_channel(logistics, "EXP", kind="karrio", service_type="express",
                     service_code="EXPRESS")  # fmt: skip
    Channel.objects.filter(pk=ch.pk).update(carrier_account_id="FAKE")
    yield gw
    gateways._factories.pop("fakecarrier", None)


def deliver():
    OutboxMessage.objects.update(next_attempt_at="2000-01-01T00:00:00Z")
    return outbox.deliver_due()


def test_carrier_label_success(logistics, fake, order):
    (s,) = shipping.create_shipments(logistics, order_ids=[order.pk], channel="EXP")
    assert s.status == "draft" and s.customs_document == "invoice"
    msg = OutboxMessage.objects.get(topic="logistics.buy_label")
    assert msg.dedupe_key == s.label_request_key
    deliver()
    s.refresh_from_db()
    assert (s.status, s.tracking_number, s.carrier_shipment_id) == ("labelled", "1Z999", "SHIP-1")
    assert ShipmentDocument.objects.get(shipment=s, kind="carrier_label").content == b"%PDF-fake"
    assert fake.calls == [s.label_request_key]
    shipping.cancel_shipment(logistics, s)
    deliver()
    assert fake.voided == [("SHIP-1", "1Z999")]


@pytest.mark.parametrize("flag", ["retryable", "outcome_unknown"])
def test_carrier_label_retry_reuses_the_key(logistics, fake, order, flag):
    fake.errors.append(gateways.CarrierError("busy", **{flag: True}, retry_after=5))
    (s,) = shipping.create_shipments(logistics, order_ids=[order.pk], channel="EXP")
    assert deliver() == {"sent": 0, "retried": 1, "dead": 0}
    s.refresh_from_db()
    assert s.status == "draft" and s.label_error.startswith("retrying")
    assert deliver()["sent"] == 1
    s.refresh_from_db()
    assert s.status == "labelled"
    assert fake.calls == [s.label_request_key, s.label_request_key]


def test_carrier_refusal_sets_label_error(logistics, fake, order):
    fake.errors.append(gateways.CarrierError("bad postcode", code="invalid_address"))
    (s,) = shipping.create_shipments(logistics, order_ids=[order.pk], channel="EXP")
    assert deliver()["sent"] == 1  # handled: no retry
    s.refresh_from_db()
    assert s.status == "draft" and s.label_error == "invalid_address: bad postcode"


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_s10_two_threads_never_duplicate(logistics):
    S10Series.objects.create(prefix="LX", country="CN", next_serial=1, last_serial=40)
    got, errors = [], []

    def work():
        try:
            for _ in range(20):
                from django.db import transaction

                with transaction.atomic():
                    got.append(shipping.take_s10_serial("LX", "CN"))
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=work) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert sorted(got) == list(range(1, 41))
    with pytest.raises(Conflict):
        shipping.take_s10_serial("LX", "CN")
