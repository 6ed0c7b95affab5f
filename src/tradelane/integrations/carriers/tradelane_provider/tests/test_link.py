"""A seller's shipment through a provider on Tradelane: the label through the outbox, "number
later", and the provider's signed webhooks (number, fee, status, last mile) onto the shipment."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tradelane.core import outbox
from tradelane.core.models import OutboxMessage
from tradelane.integrations.carriers.fakes.tradelane_provider import FakeProvider
from tradelane.integrations.carriers.tradelane_provider import connection, webhooks
from tradelane.logistics.carriers import contract as g
from tradelane.logistics.models import (
    CarrierAccount,
    InboundTracking,
    Shipment,
    ShipmentDocument,
    TrackingEvent,
)
from tradelane.logistics.rates import selectors, services
from tradelane.logistics.shipping import carrier_calls
from tradelane.logistics.shipping import services as shipping
from tradelane.logistics.tests.shipfix import allocated, own_channel
from tradelane.orders.tests.factories import make_store

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_rate_cache")]
KEY = "tl_abc_secret"


@pytest.fixture
def fake():
    f = FakeProvider(KEY).start()
    yield f
    f.stop()


@pytest.fixture
def provider(logistics, fake):
    services.create_carrier_account(
        logistics, "prov", "Provider", "tradelane",
        {"api_key": KEY, "webhook_secret": fake.webhook_secret}, base_url=fake.url,
    )  # fmt: skip
    for code, service in (("PROV", "USLINE"), ("PROV-L", "LATER")):
        own_channel(logistics, code, kind="tradelane", service_type="line", carrier="Provider",
                    service_code=service, carrier_account="prov")  # fmt: skip
    return fake


@pytest.fixture
def order(logistics, wh_cn, make_sku):
    return allocated(logistics, make_store(), wh_cn, [(make_sku("MUG"), 2)])


@pytest.fixture(autouse=True)
def immediate_tasks(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def post(client, django_capture_on_commit_callbacks):
    def send(body: bytes, headers: dict, account="prov"):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(f"/hooks/tracking/{account}", data=body,
                               content_type="application/json", headers=headers)  # fmt: skip

    return send


def deliver():
    OutboxMessage.objects.update(next_attempt_at="2000-01-01T00:00:00Z")
    return outbox.deliver_due()


def fulfilments():
    return list(
        OutboxMessage.objects.filter(topic="store.fulfillment")
        .order_by("pk")
        .values_list("payload", flat=True)
    )


def ship(logistics, order, channel="PROV") -> Shipment:
    (s,) = shipping.create_shipments(logistics, order_ids=[order.pk], channel=channel)
    deliver()
    s.refresh_from_db()
    return s


def test_registered_like_the_karrio_carriers():
    assert "tradelane" in g.registered()
    info = {i.name: i for i in g.carriers()}["tradelane"]
    assert (info.title, info.finds_lost_labels) == ("Tradelane provider", True)


def test_a_numbered_waybill_labels_the_shipment_with_the_providers_price(logistics, provider,
                                                                        order):  # fmt: skip
    s = ship(logistics, order)
    w = provider.by_reference(s.number)
    assert (s.status, s.tracking_number, s.carrier_shipment_id) == (
        "labelled",
        w.tracking_number,
        w.number,
    )
    assert (s.cost_amount, s.charge_currency) == (Decimal("10.00"), "USD")
    label = ShipmentDocument.objects.get(shipment=s, kind="carrier_label")
    assert bytes(label.content).startswith(b"%PDF")
    (post,) = [r for r in provider.requests if r.method == "POST"]
    assert post.headers["idempotency-key"] == s.label_request_key
    assert post.json()["waybills"][0]["reference"] == s.number


def test_number_later_waits_then_the_webhook_brings_number_and_label(logistics, provider,
                                                                     order, post):  # fmt: skip
    s = ship(logistics, order, "PROV-L")
    w = provider.by_reference(s.number)
    assert (s.status, s.tracking_number, s.carrier_shipment_id, s.label_error) == (
        "draft",
        "",
        w.number,
        "",
    )
    assert carrier_calls.awaiting_number(s)
    assert not ShipmentDocument.objects.filter(shipment=s).exists()
    # the hub receives it before it is numbered: the news is kept, nothing moves yet
    w.status = "received"
    body, headers = provider.webhook(w.number, "waybill.status_changed", delivery="d-recv")
    assert post(body, headers).status_code == 200
    s.refresh_from_db()
    assert (s.status, s.tracking_status) == ("draft", "picked_up")
    # numbered: the label is fetched, and the parcel the hub has is handed over at once
    provider.assign(w.number, "RR000000015CN")
    body, headers = provider.webhook(w.number, "waybill.tracking_number_assigned",
                                     delivery="d-num")  # fmt: skip
    assert post(body, headers).status_code == 200
    s.refresh_from_db()
    assert (s.status, s.tracking_number) == ("shipped", "RR000000015CN")
    assert ShipmentDocument.objects.filter(shipment=s, kind="carrier_label").count() == 1
    (f,) = fulfilments()
    assert (f["tracking_number"], f["update"], f["tracking_company"]) == (
        "RR000000015CN",
        False,
        "Provider",
    )


def test_fee_and_last_mile_webhooks_reach_the_shipment_and_the_store(logistics, provider,
                                                                     order, post):  # fmt: skip
    s = ship(logistics, order)
    w = provider.by_reference(s.number)
    w.status = "received"
    body, headers = provider.webhook(w.number, "waybill.status_changed", delivery="d1")
    post(body, headers)
    s.refresh_from_db()
    assert s.status == "shipped" and [f["update"] for f in fulfilments()] == [False]
    # re-rated on the hub's weight
    w.price, w.chargeable_kg = Decimal("12.40"), "2"
    body, headers = provider.webhook(w.number, "waybill.fees_changed",
                                     {"price": ["10.00", "12.40"]}, delivery="d2")  # fmt: skip
    post(body, headers)
    s.refresh_from_db()
    assert (s.cost_amount, s.charge_currency, s.chargeable_weight_g) == (
        Decimal("12.40"),
        "USD",
        2000,
    )
    # the first news told the chargeable weight the label's answer did not; then the new fee
    assert [(c["amount"], c["chargeable_weight_g"]) for c in s.quote_detail["carrier_charges"]] == [
        ("10.00", 1500),
        ("12.40", 2000),
    ]
    # the last mile
    provider.assign(w.number, last_mile_carrier="USPS", last_mile_number="9400111899223100")
    body, headers = provider.webhook(w.number, "waybill.last_mile_assigned", delivery="d3")
    post(body, headers)
    s.refresh_from_db()
    assert (s.last_mile_carrier, s.last_mile_tracking_number) == ("USPS", "9400111899223100")
    update = fulfilments()[-1]
    assert (update["update"], update["tracking_company"], update["tracking_number"],
            update["previous_number"]) == (True, "USPS", "9400111899223100",
                                           s.tracking_number)  # fmt: skip
    # the same delivery again: one row, nothing twice
    post(body, headers)
    assert InboundTracking.objects.filter(source="prov", delivery_id="d3").count() == 1
    assert len(fulfilments()) == 2


def test_a_bad_signature_is_refused_and_nothing_stored(logistics, provider, order, post):
    s = ship(logistics, order)
    w = provider.by_reference(s.number)
    w.price = Decimal("99.00")
    body, headers = provider.webhook(w.number, "waybill.fees_changed")
    tampered = body.replace(b"99.00", b"1.00")
    assert post(tampered, headers).status_code == 401
    b64 = {**headers, "X-Tradelane-Signature": webhooks.sign(body, "wrong")}
    assert post(body, b64).status_code == 401
    assert InboundTracking.objects.count() == 0
    s.refresh_from_db()
    assert s.cost_amount == Decimal("10.00")


def test_a_webhook_about_someone_elses_waybill_changes_nothing(logistics, provider, order, post):
    s = ship(logistics, order)
    w = provider.by_reference(s.number)
    w.reference, w.number, w.price = "SH-OTHER", "TL-OTHER", Decimal("50.00")
    provider.waybills["TL-OTHER"] = w
    body, headers = provider.webhook("TL-OTHER", "waybill.fees_changed")
    assert post(body, headers).status_code == 200
    row = InboundTracking.objects.get()
    assert (row.status, row.error) == ("processed", "unknown waybill TL-OTHER")
    s.refresh_from_db()
    assert s.cost_amount == Decimal("10.00")


def test_cancel_voids_the_waybill_at_the_provider(logistics, provider, order):
    s = ship(logistics, order)
    shipping.cancel_shipment(logistics, s)
    deliver()
    assert provider.by_reference(s.number).status == "cancelled"


def test_polling_follows_provider_shipments(logistics, provider, order):
    from tradelane.integrations.carriers import polling

    s = ship(logistics, order)
    w = provider.assign(provider.by_reference(s.number).number, last_mile_carrier="USPS",
                        last_mile_number="9400111899223100")  # fmt: skip
    w.events = [{"status": "in_transit", "description": "Departed the hub", "location": "SZX",
                 "occurred_at": "2026-12-03T09:30:00+00:00"}]  # fmt: skip
    assert polling.poll()["tracked"] == 1
    s.refresh_from_db()
    assert (s.status, s.last_mile_tracking_number) == ("shipped", "9400111899223100")
    assert TrackingEvent.objects.filter(shipment=s, raw_text="Departed the hub").count() == 1


def test_register_webhook_keeps_the_secret(logistics, provider, settings):
    settings.TRADELANE_PUBLIC_URL = "https://seller.example"
    account = CarrierAccount.objects.get(code="prov")
    url = connection.register_webhook(logistics, account)
    assert url == provider.webhook_url == "https://seller.example/hooks/tracking/prov"
    creds = selectors.carrier_account_data(account).credentials
    assert creds == {"api_key": KEY, "webhook_secret": provider.webhook_secret}


def test_register_webhook_refused_without_our_address(logistics, provider, settings):
    settings.TRADELANE_PUBLIC_URL = ""
    account = CarrierAccount.objects.get(code="prov")
    with pytest.raises(Exception) as exc:
        connection.register_webhook(logistics, account)
    assert exc.value.code == "public_url_missing"
    assert provider.webhook_url == ""


def test_a_shipment_waiting_too_long_is_asked_again(logistics, provider, order):
    import datetime as dt

    from django.utils import timezone

    from tradelane.integrations.carriers.tradelane_provider import pending

    s = ship(logistics, order, "PROV-L")
    assert pending.ask_again() == 0  # it just got its news
    later = timezone.now() + pending.ASK_EVERY + dt.timedelta(minutes=1)
    provider.assign(s.carrier_shipment_id, "RR000000015CN")  # the webhook never came
    assert pending.ask_again(later) == 1
    assert pending.ask_again(later) == 0  # once per hour at most
    deliver()
    s.refresh_from_db()
    assert (s.status, s.tracking_number) == ("labelled", "RR000000015CN")
    assert pending.ask_again(later + dt.timedelta(hours=3)) == 0  # no longer waiting


def test_a_charge_refused_changes_nothing(logistics, cs, provider, order):
    from tradelane.core.errors import PermissionDenied, ValidationFailed
    from tradelane.core.money import Money

    s = ship(logistics, order)
    before = (s.cost_amount, s.charge_currency, s.chargeable_weight_g, s.quote_detail)
    with pytest.raises(ValidationFailed) as exc:
        shipping.record_carrier_charge(logistics, s, Money.of("-1", "USD"))
    assert exc.value.code == "invalid_charge"
    with pytest.raises(PermissionDenied):
        shipping.record_carrier_charge(cs, s, Money.of("11", "USD"))
    s.refresh_from_db()
    assert (s.cost_amount, s.charge_currency, s.chargeable_weight_g, s.quote_detail) == before
    assert shipping.record_carrier_charge(logistics, s, Money.of("10.00", "USD")) is False
    assert shipping.record_carrier_charge(logistics, s, Money.of("11.00", "USD"),
                                          chargeable_weight_g=1700) is True  # fmt: skip
    s.refresh_from_db()
    assert (s.cost_amount, s.chargeable_weight_g) == (Decimal("11.00"), 1700)


def test_the_providers_pickup_webhook_hands_the_shipment_over(logistics, provider, order, post):
    s = ship(logistics, order)
    w = provider.by_reference(s.number)
    body, headers = provider.webhook(w.number, "waybill.picked_up", {"location": "深圳市"},
                                     delivery="p1")  # fmt: skip
    assert post(body, headers).status_code == 200
    s.refresh_from_db()
    events = list(TrackingEvent.objects.filter(shipment=s).values_list("status", "raw_code"))
    assert events == [("picked_up", "waybill.picked_up")]
    assert s.status == "shipped"


def test_the_providers_problem_webhooks_raise_and_settle_an_exception(
    logistics, provider, order, post
):
    from tradelane.logistics.models import TrackingException

    s = ship(logistics, order)
    w = provider.by_reference(s.number)
    problem = {"id": 7, "reason": "weight_difference", "note": "2.1 kg, forecast 1.2 kg",
               "due_at": "2026-12-05T10:00:00+00:00", "outcome": None}  # fmt: skip
    body, headers = provider.webhook(w.number, "waybill.problem_opened", {"problem": problem},
                                     delivery="q1")  # fmt: skip
    assert post(body, headers).status_code == 200
    body, headers = provider.webhook(
        w.number, "waybill.problem_resolved",
        {"problem": problem | {"outcome": "released"}}, delivery="q2",
    )  # fmt: skip
    assert post(body, headers).status_code == 200
    events = list(TrackingEvent.objects.filter(shipment=s).order_by("id")
                  .values_list("status", "raw_code", "raw_text"))  # fmt: skip
    assert events == [
        ("exception", "waybill.problem_opened",
         f"Provider waybill {w.number}: problem at the hub (weight_difference): "
         "2.1 kg, forecast 1.2 kg"),
        ("in_transit", "waybill.problem_resolved",
         f"Provider waybill {w.number}: problem (weight_difference) settled: released: "
         "2.1 kg, forecast 1.2 kg"),
    ]  # fmt: skip
    assert TrackingException.objects.filter(shipment=s).count() == 1
