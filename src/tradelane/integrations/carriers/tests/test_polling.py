from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from tradelane.core import periodic
from tradelane.integrations.carriers import polling
from tradelane.integrations.carriers.fakes.fedex import FakeFedEx
from tradelane.logistics.models import Shipment, ShipmentStatus
from tradelane.logistics.rates import services
from tradelane.logistics.tracking import codes as tc

pytestmark = pytest.mark.django_db
CREDS = {"api_key": "fx-key", "secret_key": "fx-secret", "account_number": "740561073"}


@pytest.fixture
def fake():
    f = FakeFedEx(CREDS).start()
    yield f
    f.stop()


def _channel(actor, code, kind, account=""):
    return services.create_channel(
        actor, code=code, name=code, carrier="FedEx", currency="USD", kind=kind,
        service_code="fedex_international_priority", carrier_account=account,
    )  # fmt: skip


def _shipment(n, channel, wh, number, status=ShipmentStatus.LABELLED, polled=None):
    return Shipment.objects.create(
        number=f"SH{n:04d}", channel=channel, warehouse=wh, status=status,
        tracking_number=number, ship_name="John", ship_address1="5 Main St",
        ship_country="US", last_polled_at=polled,
    )  # fmt: skip


def test_poll_tracks_due_karrio_shipments_in_batches_per_account(
    logistics, wh_cn, fake, monkeypatch
):
    services.create_carrier_account(logistics, "fx-main", "FedEx", "fedex", CREDS,
                                    base_url=fake.url)  # fmt: skip
    karrio = _channel(logistics, "FX-IP", "karrio", "fx-main")
    sheet = _channel(logistics, "OWN", "rate_sheet")
    numbers = [fake.create_label(f"ref{i}").tracking_number for i in range(3)]
    now = timezone.now()
    _shipment(1, karrio, wh_cn, numbers[0])
    _shipment(2, karrio, wh_cn, numbers[1], ShipmentStatus.SHIPPED, now - dt.timedelta(hours=5))
    _shipment(3, karrio, wh_cn, "794699999999")  # unknown at the carrier
    _shipment(4, karrio, wh_cn, numbers[2], polled=now - dt.timedelta(minutes=10))  # recent
    _shipment(5, karrio, wh_cn, "794600000077", ShipmentStatus.DELIVERED)
    _shipment(6, sheet, wh_cn, "OWN0001")
    calls = []
    monkeypatch.setattr(polling, "_recorder", lambda: lambda *a, **kw: calls.append((a, kw)))
    monkeypatch.setattr(polling, "BATCH", 2)

    summary = polling.poll(now)

    assert summary == {"accounts": 1, "tracked": 3, "errors": {}}
    assert [(a[0], a[1], [r.tracking_number for r in a[2]], kw) for a, kw in calls] == [
        # never polled first, then the oldest poll
        (None, "fx-main", [numbers[0], "794699999999"], {"source": "poll"}),
        (None, "fx-main", [numbers[1]], {"source": "poll"}),
    ]
    first, missing = calls[0][0][2]
    assert first.delivered is True
    assert [e.status for e in first.events][-1] == tc.DELIVERED
    assert missing.events == ()  # not found: handed over empty, so it is marked polled


def test_a_failing_account_is_reported_and_records_nothing(logistics, wh_cn, fake, monkeypatch):
    services.create_carrier_account(
        logistics, "fx-bad", "FedEx", "fedex", {**CREDS, "secret_key": "wrong"}, base_url=fake.url
    )
    karrio = _channel(logistics, "FX-IP", "karrio", "fx-bad")
    _shipment(1, karrio, wh_cn, fake.create_label("r").tracking_number)
    calls = []
    monkeypatch.setattr(polling, "_recorder", lambda: lambda *a, **kw: calls.append(a))
    assert polling.poll() == {"accounts": 1, "tracked": 0,
                              "errors": {"fx-bad": "carrier_auth_failed"}}  # fmt: skip
    assert calls == []


def test_registered_with_the_sweep():
    assert ("carrier_tracking_poll", polling._sweep) in periodic._jobs
