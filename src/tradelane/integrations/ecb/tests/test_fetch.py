"""The worker's ECB fetch, against a local fake of the ECB's web server (never the internet):
off by default, at most once per interval, a failure retried later, a bad file writes
nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.cache import cache

from tradelane.core import periodic as core_periodic
from tradelane.core.errors import ValidationFailed
from tradelane.core.models import FxRate
from tradelane.finance.fx.tests.ecb_files import eurofxref

from .. import client, periodic
from .fake_ecb import FakeEcb

DAYS = {"2026-12-04": {"USD": "1.0541", "CNY": "7.6543"}, "2026-12-03": {"USD": "1.05"}}


@pytest.fixture
def ecb(db, settings):
    cache.delete(periodic.LEASE_KEY)
    with FakeEcb() as fake:
        fake.body = eurofxref(DAYS)
        settings.TRADELANE_ECB_URL = fake.url
        settings.TRADELANE_ECB_FETCH = True
        yield fake
    cache.delete(periodic.LEASE_KEY)


def test_the_fetch_is_off_by_default(ecb, settings):
    settings.TRADELANE_ECB_FETCH = False
    assert periodic.fetch_when_due() == "off"
    assert ecb.requests == [] and not FxRate.objects.exists()


def test_the_sweep_fetches_and_imports_once_per_interval(ecb):
    assert core_periodic.sweep()["ecb_rates"] == {
        "fixings": 2, "added": 3, "unchanged": 0, "corrected": 0,
        "first": "2026-12-03", "last": "2026-12-04",
    }  # fmt: skip
    assert ecb.requests == ["/stats/eurofxref/eurofxref-hist-90d.xml"]
    assert FxRate.objects.get(quote="CNY", source="ECB").date == dt.date(2026, 12, 4)
    assert periodic.fetch_when_due() == "not due"
    assert len(ecb.requests) == 1
    # the lease gone (the interval over), the same file again changes nothing
    cache.delete(periodic.LEASE_KEY)
    assert periodic.fetch_when_due()["unchanged"] == 3 and FxRate.objects.count() == 3


def test_an_ecb_that_is_down_is_asked_again_later_and_nothing_is_written(ecb):
    ecb.status = 503
    with pytest.raises(client.FetchFailed) as err:
        periodic.fetch_when_due()
    assert err.value.code == "ecb_fetch_failed"
    assert "answered 503" in err.value.message
    assert cache.get(periodic.LEASE_KEY) == "failed"  # retried after RETRY_AFTER_S
    assert not FxRate.objects.exists()
    # in the worker's sweep the failure is reported and the other jobs go on
    cache.delete(periodic.LEASE_KEY)
    assert core_periodic.sweep()["ecb_rates"].startswith("failed: FetchFailed: The ECB answered")


def test_a_malformed_answer_is_refused_clearly_and_writes_nothing(ecb):
    ecb.body = b'<?xml version="1.0"?><gesmes:Envelope xmlns:gesmes="x"><Cube><Cube time="2026-'
    with pytest.raises(ValidationFailed) as err:
        periodic.fetch_when_due()
    assert err.value.code == "ecb_file_invalid" and "does not parse" in err.value.message
    ecb.body = eurofxref({"2026-12-04": {"USD": "1.0541", "CNY": "seven"}})
    cache.delete(periodic.LEASE_KEY)
    with pytest.raises(ValidationFailed, match="'seven' of CNY on 2026-12-04"):
        periodic.fetch_when_due()
    assert not FxRate.objects.exists()


def test_an_unreachable_address_is_a_clear_failure(db):
    with pytest.raises(client.FetchFailed, match="could not be reached"):
        client.fetch("http://127.0.0.1:9/eurofxref.xml")
    with FakeEcb() as fake:
        with pytest.raises(client.FetchFailed, match="answered 404"):
            client.fetch(fake.url.replace("/stats/eurofxref/", "/elsewhere/"))
