"""The provider gateway against a local fake of the open API (contract enforced by the fake)."""

from __future__ import annotations

import json
from decimal import Decimal

import httpx
import pytest

from tradelane.core.money import Money
from tradelane.integrations.carriers.fakes.tradelane_provider import FakeProvider
from tradelane.integrations.carriers.tradelane_provider import client, mapping
from tradelane.integrations.carriers.tradelane_provider.gateway import ProviderGateway
from tradelane.logistics.carriers import contract as g

KEY = "tl_abc_secret"
CN = g.PartyAddress("Li Lei", "1 Keji Rd", "Shenzhen", "CN", "518000", phone="13800000000")
US = g.PartyAddress("John Doe", "5 Main St", "New York", "US", "10001", state="NY",
                    phone="2125550100", email="john@example.com")  # fmt: skip


@pytest.fixture
def fake():
    f = FakeProvider(KEY).start()
    yield f
    f.stop()


@pytest.fixture
def gw():
    sleeps: list[float] = []
    gateway = ProviderGateway(
        policy_factory=lambda: client.Policy(
            sleep=sleeps.append, jitter=lambda: 0.5, read_timeout=0.5
        )  # fmt: skip
    )
    gateway.sleeps = sleeps
    return gateway


def account(fake, key=KEY):
    return g.Account("prov", "tradelane", {"api_key": key}, base_url=fake.url)


def label_request(reference="SH261203000001", service="USLINE", key="label-1-abc"):
    return g.LabelRequest(
        idempotency_key=key, service_code=service, shipper=CN, recipient=US,
        pieces=(g.PieceSpec(1250, 300, 200, 105),), reference=reference,
        lines=(g.CustomsLine("Mug", 2, Money.of("5.00", "USD"), 350, "691200",
                             description_zh="马克杯", sku="MUG"),),
    )  # fmt: skip


def posts(fake, path="/api/v1/provider/waybills"):
    return [r for r in fake.requests if r.method == "POST" and r.path == path]


def test_the_waybill_sent_is_one_item_in_kg_and_cm_with_our_number_as_reference(fake, gw):
    result = gw.create_label(account(fake), label_request())
    (post,) = posts(fake)
    assert post.headers["idempotency-key"] == "label-1-abc"
    assert post.headers["authorization"] == f"Bearer {KEY}"
    body = post.json()
    assert body["all_or_nothing"] is False
    (wb,) = body["waybills"]
    assert wb["reference"] == "SH261203000001" and wb["channel"] == "USLINE"
    assert wb["pieces"] == [{"weight_kg": "1.25", "length_cm": "30", "width_cm": "20",
                             "height_cm": "10.5"}]  # fmt: skip
    assert wb["items"] == [{"name_en": "Mug", "name_zh": "马克杯", "quantity": 2,
                            "unit_value": "5.00", "currency": "USD", "unit_weight_kg": "0.35",
                            "hs_code": "691200", "origin": "CN", "sku": "MUG"}]  # fmt: skip
    assert wb["consignee"]["country"] == "US" and wb["shipper"]["city"] == "Shenzhen"
    w = fake.by_reference("SH261203000001")
    assert result.tracking_number == w.tracking_number == "RR000000015CN"
    assert result.carrier_shipment_id == w.number and not result.number_pending
    assert result.label.startswith(b"%PDF") and result.label_format == "PDF"
    assert result.charge == Money.of("10.00", "USD")


def test_number_later_is_an_answer_and_asking_again_finds_the_same_waybill(fake, gw):
    first = gw.create_label(account(fake), label_request(service="LATER"))
    assert first.number_pending is True and first.tracking_number == "" and first.label == b""
    number = first.carrier_shipment_id
    assert fake.waybills[number].tracking_number == ""
    fake.assign(number, "LM123456789US")
    again = gw.create_label(account(fake), label_request(service="LATER"))
    assert (again.number_pending, again.tracking_number) == (False, "LM123456789US")
    assert again.carrier_shipment_id == number and again.label.startswith(b"%PDF")
    assert len(fake.waybills) == 1 and len(posts(fake)) == 1  # looked up, never made twice


def test_a_lost_answer_is_never_resent_and_the_next_attempt_finds_the_waybill(fake, gw):
    fake.fail_next("500", "/provider/waybills")
    with pytest.raises(g.CarrierError) as exc:
        gw.create_label(account(fake), label_request())
    assert exc.value.code == "carrier_outcome_unknown" and exc.value.outcome_unknown
    assert len(posts(fake)) == 1 and len(fake.waybills) == 1  # made once, answer lost
    result = gw.create_label(account(fake), label_request())
    assert result.tracking_number == "RR000000015CN"
    assert len(posts(fake)) == 1 and len(fake.waybills) == 1


def test_a_read_timeout_on_creation_is_outcome_unknown_not_a_retry(fake, gw):
    fake.slow_seconds = 1.0
    fake.fail_next("slow", "/provider/waybills")
    with pytest.raises(g.CarrierError) as exc:
        gw.create_label(account(fake), label_request())
    assert exc.value.outcome_unknown is True
    assert len(posts(fake)) == 1


def test_429_with_retry_after_is_waited_and_sent_again(fake, gw):
    fake.fail_next("429", "/provider/quote", retry_after=3)
    fake.fail_next("503", "/provider/quote")
    rates = gw.rate(account(fake), g.RateRequest("", CN, US, (g.PieceSpec(1000),)))
    assert gw.sleeps == [3.0, 0.5 * 0.5 * 2]  # Retry-After, then backoff with jitter
    assert [(r.service_code, r.total) for r in rates] == [
        ("USLINE", Money.of("9.00", "USD")), ("LATER", Money.of("10.00", "USD")),
    ]  # refusals left out  # fmt: skip
    quote = json.loads(posts(fake, "/api/v1/provider/quote")[-1].body)
    assert quote == {"consignee": {"country": "US", "postcode": "10001", "city": "New York"},
                     "pieces": [{"weight_kg": "1"}]}  # fmt: skip


def test_429_on_creation_was_not_processed_so_it_is_sent_again(fake, gw):
    fake.fail_next("429", "/provider/waybills", retry_after=1)
    result = gw.create_label(account(fake), label_request())
    assert result.tracking_number and len(posts(fake)) == 2 and len(fake.waybills) == 1


def test_a_long_retry_after_goes_back_to_the_caller(fake, gw):
    fake.fail_next("429", "/provider/quote", retry_after=600)
    with pytest.raises(g.CarrierError) as exc:
        gw.rate(account(fake), g.RateRequest("USLINE", CN, US, (g.PieceSpec(1000),)))
    assert (exc.value.code, exc.value.retryable, exc.value.retry_after) == (
        "carrier_rate_limited",
        True,
        600.0,
    )
    assert gw.sleeps == []


def test_a_wrong_key_is_refused_and_nothing_made(fake, gw):
    with pytest.raises(g.CarrierError) as exc:
        gw.create_label(account(fake, "tl_abc_wrong"), label_request())
    assert exc.value.code == "carrier_auth_failed" and not exc.value.retryable
    assert fake.waybills == {}


def test_a_rejected_waybill_is_a_refusal_with_the_providers_errors(fake, gw):
    with pytest.raises(g.CarrierError) as exc:
        gw.create_label(account(fake), label_request(service="NOPE"))
    assert exc.value.code == "carrier_refused" and not exc.value.retryable
    assert exc.value.details["errors"][0]["code"] == "channel_not_open"
    assert fake.waybills == {}


def test_the_same_idempotency_key_replays_and_another_body_is_refused(fake):
    with client.ProviderClient(fake.url, KEY) as c:
        body = mapping.waybill_body(label_request())
        first = c.request("POST", "/waybills", json=body, headers={"Idempotency-Key": "k1"})
        again = c.request("POST", "/waybills", json=body, headers={"Idempotency-Key": "k1"})
        assert again.json() == first.json() and again.headers["Idempotent-Replayed"] == "true"
        other = mapping.waybill_body(label_request(reference="SH2"))
        refused = c.request("POST", "/waybills", json=other, headers={"Idempotency-Key": "k1"})
        assert refused.status_code == 422 and refused.json()["code"] == "idempotency_key_reused"
        assert len(fake.waybills) == 1


def test_the_fake_refuses_a_batch_over_500(fake):
    with client.ProviderClient(fake.url, KEY) as c:
        wb = mapping.waybill_body(label_request())["waybills"][0]
        resp = c.request("POST", "/waybills", json={"waybills": [wb] * 501})
    assert resp.status_code == 422 and resp.json()["details"] == {"max": 500, "sent": 501}
    assert fake.waybills == {}


def test_cancel_before_inbound_and_refused_after(fake, gw):
    a = gw.create_label(account(fake), label_request())
    gw.void(account(fake), a.carrier_shipment_id, a.tracking_number)
    assert fake.waybills[a.carrier_shipment_id].status == "cancelled"
    b = gw.create_label(account(fake), label_request(reference="SH2", key="k2"))
    fake.waybills[b.carrier_shipment_id].status = "received"
    with pytest.raises(g.CarrierError) as exc:
        gw.void(account(fake), b.carrier_shipment_id, b.tracking_number)
    assert exc.value.code == "carrier_void_refused" and "received" in exc.value.message
    assert fake.waybills[b.carrier_shipment_id].status == "received"


def test_track_by_tracking_number_with_the_last_mile(fake, gw):
    a = gw.create_label(account(fake), label_request())
    w = fake.assign(a.carrier_shipment_id, last_mile_carrier="USPS", last_mile_number="9400111")
    w.status = "in_transit"
    w.events = [{"status": "in_transit", "description": "Received at the hub and weighed",
                 "location": "Shenzhen", "occurred_at": "2026-12-03T09:30:00+08:00"}]  # fmt: skip
    (r,) = gw.track(account(fake), [a.tracking_number, "RR999999999CN"])  # the second: unknown
    assert (r.tracking_number, r.last_mile_carrier, r.last_mile_tracking_number) == (
        a.tracking_number,
        "USPS",
        "9400111",
    )
    (ev,) = r.events
    assert (ev.status, ev.raw_text, ev.location) == (
        "in_transit",
        "Received at the hub and weighed",
        "Shenzhen",
    )
    assert ev.occurred_at.utcoffset().total_seconds() == 8 * 3600


def test_an_unknown_number_is_404_at_the_fake():
    f = FakeProvider(KEY).start()
    try:
        resp = httpx.get(f"{f.url}/api/v1/provider/waybills/TL000/label",
                         headers={"Authorization": f"Bearer {KEY}"})  # fmt: skip
        assert resp.status_code == 404 and resp.json()["code"] == "waybill_not_found"
    finally:
        f.stop()


def test_mapping_units_and_money():
    assert (mapping.kg(1250), mapping.kg(1000), mapping.cm(105), mapping.cm(300)) == (
        "1.25",
        "1",
        "10.5",
        "30",
    )
    assert mapping.grams("1.2345") == 1235 and mapping.grams(None) is None
    assert mapping.money({"amount": "12.30", "currency": "USD"}) == Money.of("12.30", "USD")
    assert mapping.money({"amount": "x", "currency": "USD"}) is None
    assert mapping.money({"amount": "1", "currency": "??"}) is None
    view = mapping.waybill_view({"number": "TL1", "reference": "SH1", "status": "created",
                                 "tracking_number": None, "tracking_status": "pending",
                                 "price": {"amount": "3.5", "currency": "USD"},
                                 "chargeable_weight_kg": "0.5"})  # fmt: skip
    assert view.tracking_pending and view.price.amount == Decimal("3.5")
    assert view.chargeable_weight_g == 500


def test_api_root_accepts_the_bare_url_or_one_naming_the_api():
    assert client.api_root("https://p.example/") == "https://p.example/api/v1/provider"
    assert client.api_root("https://p.example/api/v1") == "https://p.example/api/v1/provider"
    assert client.api_root("https://p.example/api/v1/provider") == (
        "https://p.example/api/v1/provider"
    )
