"""Each carrier through karrio against its local fake: the whole contract and the failures."""

from __future__ import annotations

import pytest

from tradelane.logistics.carriers import contract as g
from tradelane.logistics.tracking import codes as tc

EXPECTED_RATES = {
    "dhl_express": {"mydhl_express_worldwide": "101.2", "mydhl_express_12_00": "138.0"},
    "fedex": {"fedex_international_priority": "70.75", "fedex_international_economy": "57.5"},
    "ups": {"ups_worldwide_saver": "92.4", "ups_worldwide_expedited": "69.3"},
    "usps_international": {"usps_priority_mail_international": "48.25",
                           "usps_first_class_package_international_service": "21.6"},
}  # fmt: skip

EXPECTED_EVENTS = {
    "dhl_express": [("PU", tc.PICKED_UP), ("DF", tc.IN_TRANSIT), ("CD", tc.CUSTOMS),
                    ("CR", tc.CUSTOMS_RELEASED), ("WC", tc.OUT_FOR_DELIVERY),
                    ("NH", tc.DELIVERY_FAILED), ("OK", tc.DELIVERED)],
    "fedex": [("PU", tc.PICKED_UP), ("DP", tc.IN_TRANSIT), ("CD", tc.CUSTOMS),
              ("CC", tc.CUSTOMS_RELEASED), ("OD", tc.OUT_FOR_DELIVERY), ("DL", tc.DELIVERED)],
    "ups": [("MP", tc.INFO_RECEIVED), ("OR", tc.PICKED_UP), ("DP", tc.IN_TRANSIT),
            ("48", tc.EXCEPTION), ("FS", tc.DELIVERED)],
    "usps_international": [("GX", tc.INFO_RECEIVED), ("03", tc.PICKED_UP),
                           ("10", tc.IN_TRANSIT), ("02", tc.DELIVERY_FAILED),
                           ("01", tc.DELIVERED)],
}  # fmt: skip


def test_the_four_carriers_are_registered():
    assert {"dhl_express", "fedex", "ups", "usps_international"} <= set(g.registered())


def test_the_carrier_list_says_what_each_carrier_does():
    infos = {i.name: i for i in g.carriers() if i.name in CARRIER_NAMES}
    assert infos == {
        "dhl_express": g.CarrierInfo(
            "dhl_express", "DHL Express (MyDHL API)", ("rate", "label", "track"), True
        ),
        "fedex": g.CarrierInfo("fedex", "FedEx", ("rate", "label", "void", "track"), True),
        "ups": g.CarrierInfo("ups", "UPS", ("rate", "label", "void", "track"), True),
        "usps_international": g.CarrierInfo(
            "usps_international", "USPS International", ("rate", "label", "void", "track"), False
        ),
    }


def test_gateway_for_builds_the_karrio_gateway():
    from tradelane.integrations.carriers.gateway import KarrioGateway

    gateway = g.gateway_for("fedex")
    assert isinstance(gateway, KarrioGateway)
    assert gateway.carrier == "fedex"


CARRIER_NAMES = ("dhl_express", "fedex", "ups", "usps_international")


def test_rate(carrier):
    results = carrier.gateway.rate(carrier.account, carrier.rate_request())
    got = {r.service_code: str(r.total.amount) for r in results}
    assert got == EXPECTED_RATES[carrier.carrier]
    assert {r.total.currency for r in results} == {"USD"}
    assert carrier.sleeps == []


def test_rate_in_a_thread_running_an_event_loop(carrier):
    """karrio's own fan-out uses asyncio.run(), which fails inside a running loop (an async
    view; Playwright's sync API in the browser tests): ours runs in plain threads."""
    import asyncio
    import threading

    async def inside():
        return carrier.gateway.rate(carrier.account, carrier.rate_request())

    out: dict = {}

    def in_a_fresh_thread():  # its own loop, whatever this thread runs (the browser tests')
        try:
            out["results"] = asyncio.run(inside())
        except Exception as exc:  # reported below
            out["error"] = exc

    worker = threading.Thread(target=in_a_fresh_thread)
    worker.start()
    worker.join(60)
    assert "error" not in out, out.get("error")
    results = out["results"]
    got = {r.service_code: str(r.total.amount) for r in results}
    assert got == EXPECTED_RATES[carrier.carrier]


def test_label_track_void(carrier):
    label = carrier.gateway.create_label(carrier.account, carrier.label_request())
    assert label.tracking_number in carrier.fake.labels
    assert label.label.startswith(b"%PDF")
    assert label.label_format == "PDF"
    assert carrier.fake.labels_created == 1
    stored = carrier.fake.labels[label.tracking_number]
    assert stored.reference == "SH2611300001-1"  # the idempotency key, as customer reference

    [result] = carrier.gateway.track(carrier.account, [label.tracking_number])
    assert result.tracking_number == label.tracking_number
    assert [(e.raw_code, e.status) for e in result.events] == EXPECTED_EVENTS[carrier.carrier]
    assert all(e.raw_text for e in result.events)
    assert all(e.occurred_at.tzinfo is not None for e in result.events)
    assert result.delivered is True

    before = len(carrier.fake.requests)
    carrier.gateway.void(carrier.account, label.carrier_shipment_id, label.tracking_number)
    if carrier.carrier == "dhl_express":  # MyDHL cancels pickups, not shipments: nothing sent
        assert len(carrier.fake.requests) == before
        assert carrier.fake.labels[label.tracking_number].voided is False
    else:
        assert carrier.fake.labels[label.tracking_number].voided is True


def test_void_of_an_unknown_label_is_refused(carrier):
    if carrier.carrier == "dhl_express":
        pytest.skip("the MyDHL API has no shipment cancellation to refuse")
    with pytest.raises(g.CarrierError) as err:
        carrier.gateway.void(carrier.account, "NOPE0000", "NOPE0000")
    assert err.value.retryable is False


def test_bad_credentials_fail_clearly_without_retry(carrier):
    before = len(carrier.fake.requests)
    with pytest.raises(g.CarrierError) as err:
        carrier.gateway.rate(carrier.bad_account(), carrier.rate_request())
    assert err.value.code == "carrier_auth_failed"
    assert err.value.retryable is False
    assert err.value.outcome_unknown is False
    assert len(carrier.fake.requests) - before == 1  # one token request, not retried
    assert carrier.sleeps == []


def test_429_waits_what_retry_after_says_then_succeeds(carrier):
    carrier.fake.fail_next("429", carrier.rate_path, retry_after=7)
    results = carrier.gateway.rate(carrier.account, carrier.rate_request())
    assert len(results) == 2
    assert carrier.sleeps == [7.0]


def test_503_twice_then_success_with_exponential_backoff(carrier):
    carrier.fake.fail_next("503", carrier.rate_path, times=2)
    results = carrier.gateway.rate(carrier.account, carrier.rate_request())
    assert len(results) == 2
    # jitter fixed at 0.5: 0.5 * 0.5s, then 0.5 * 1.0s
    assert carrier.sleeps == [0.25, 0.5]


def test_503_beyond_the_attempts_is_a_retryable_error(carrier):
    carrier.fake.fail_next("503", carrier.rate_path, times=10)
    with pytest.raises(g.CarrierError) as err:
        carrier.gateway.rate(carrier.account, carrier.rate_request())
    assert err.value.code == "carrier_unavailable"
    assert err.value.retryable is True
    assert len(carrier.sleeps) == 3


def test_label_read_timeout_then_retry_with_same_key_buys_one_label(carrier):
    carrier.fake.fail_next("slow", carrier.ship_path)
    with pytest.raises(g.CarrierError) as err:
        carrier.gateway.create_label(carrier.account, carrier.label_request("KEY-42"))
    assert err.value.outcome_unknown is True
    assert err.value.code == "carrier_outcome_unknown"
    assert carrier.sleeps == []  # never re-sent by the client
    assert carrier.fake.labels_created == 1  # the slow request did buy it

    again = carrier.gateway.create_label(carrier.account, carrier.label_request("KEY-42"))
    assert carrier.fake.labels_created == 1
    [bought] = carrier.fake.labels.values()
    assert again.tracking_number == bought.tracking_number
    assert again.meta["recovered"] is True
    if carrier.carrier in ("fedex", "dhl_express"):  # no label reprint: it must be re-made
        assert again.label == b"" and again.meta["label_missing"] is True
    else:
        assert again.label == bought.label

    other = carrier.gateway.create_label(carrier.account, carrier.label_request("KEY-43"))
    assert other.tracking_number != again.tracking_number
    assert carrier.fake.labels_created == 2


def test_429_on_label_purchase_is_retried(carrier):
    carrier.fake.fail_next("429", carrier.ship_path, retry_after=3)
    label = carrier.gateway.create_label(carrier.account, carrier.label_request())
    assert carrier.fake.labels_created == 1
    assert label.tracking_number in carrier.fake.labels
    assert carrier.sleeps == [3.0]


def test_rate_for_one_service_returns_only_that_service(carrier):
    service = sorted(EXPECTED_RATES[carrier.carrier])[0]
    request = carrier.rate_request()
    request = g.RateRequest(service, request.shipper, request.recipient, request.pieces)
    results = carrier.gateway.rate(carrier.account, request)
    assert [r.service_code for r in results] == [service]
