"""Public tracking must not be enumerable: random numbers on our own channels, a public key for
every other number, the same answer for every miss, a limit on misses, and no personal data."""

from __future__ import annotations

import json

import pytest
from django.core.cache import cache
from django.test import Client

from tradelane.api.testing import Api
from tradelane.core.models import OutboxMessage
from tradelane.logistics.carriers.contract import TrackEvent
from tradelane.logistics.models import S10Series, Shipment
from tradelane.logistics.shipping import services as shipping
from tradelane.logistics.shipping.numbers import looks_random, make_s10
from tradelane.logistics.tests.shipfix import allocated, own_channel
from tradelane.logistics.tests.tracking_factories import RECEIVER, at, make_shipment
from tradelane.logistics.tracking import codes as tc
from tradelane.logistics.tracking import services as tracking
from tradelane.orders.tests.factories import make_store

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_rate_cache")]


@pytest.fixture(autouse=True)
def no_misses_counted():
    cache.clear()  # the miss counter lives in the cache
    yield
    cache.clear()


@pytest.fixture
def shipments(logistics, wh_cn, make_sku):
    """Five shipments made by the real service: three on a channel without an S10 prefix,
    two on a postal channel numbering from an S10 series (as the demo does)."""
    own_channel(logistics, "YT-LINE", per_kg="30", reg="5")
    own_channel(logistics, "POST", per_kg="40", reg="8", service_type="postal",
                s10_prefix="RR", s10_country="CN")  # fmt: skip
    S10Series.objects.create(prefix="RR", country="CN", next_serial=1, last_serial=1000)
    store, sku = make_store(), make_sku("MUG")
    made = []
    for channel in ("YT-LINE", "YT-LINE", "YT-LINE", "POST", "POST"):
        order = allocated(logistics, store, wh_cn, [(sku, 1)])
        made += shipping.create_shipments(logistics, order_ids=[order.pk], channel=channel)
    return [Shipment.objects.get(pk=s.pk) for s in made]


def test_own_channel_numbers_are_random_with_a_check_digit(shipments):
    line = [s for s in shipments if s.channel.code == "YT-LINE"]
    for s in line:
        assert s.status == "labelled" and s.public_by_number
        assert s.tracking_number.startswith("YTLINE") and len(s.tracking_number) == 22
        assert looks_random(s.tracking_number)
        assert s.tracking_number != f"YT-LINE{s.pk:010d}"  # the old, sequential number
        assert len(s.public_key) >= 22
    assert len({s.tracking_number for s in line}) == 3
    # S10 numbers stay sequential, as the post wants them, and need the key
    post = [s for s in shipments if s.channel.code == "POST"]
    assert [s.tracking_number for s in post] == [make_s10("RR", 1, "CN"), make_s10("RR", 2, "CN")]
    assert not any(s.public_by_number for s in post)
    assert len({s.public_key for s in shipments}) == 5


def test_walking_channel_code_and_id_or_s10_serials_finds_nothing(shipments, settings):
    settings.TRADELANE_PUBLIC_TRACKING_MISSES = 0  # no limit: prove the numbers themselves
    api, web = Api(), Client()
    guesses = [f"{code}{i:010d}" for code in ("YT-LINE", "POST") for i in range(1, 80)]
    guesses += [make_s10("RR", serial, "CN") for serial in range(1, 80)]
    unknown = api.get("/tracking/NOSUCH0001").json()
    for number in guesses:
        r = api.get(f"/tracking/{number}")
        assert (r.status_code, r.json()) == (404, unknown), number
        assert web.get(f"/t/{number}").status_code == 404, number
    # what the buyer gets does open the page: a random number alone, any number with its key
    for s in shipments:
        alone = api.get(f"/tracking/{s.tracking_number}")
        assert alone.status_code == (200 if s.public_by_number else 404), s.tracking_number
        keyed = api.get(f"/tracking/{s.tracking_number}", {"key": s.public_key})
        assert keyed.status_code == 200 and keyed.json()["tracking_number"] == s.tracking_number
        assert web.get(f"/t/{s.tracking_number}/{s.public_key}").status_code == 200
        # another shipment's key opens nothing
        other = next(o for o in shipments if o.pk != s.pk)
        r = api.get(f"/tracking/{s.tracking_number}", {"key": other.public_key})
        assert (r.status_code, r.json()) == (404, unknown)
    # a random number one digit off fails its check digit before any lookup
    s = shipments[0]
    typo = s.tracking_number[:-1] + str((int(s.tracking_number[-1]) + 1) % 10)
    assert api.get(f"/tracking/{typo}").status_code == 404


def test_a_cancelled_random_number_is_not_answered(shipments, logistics):
    s = shipments[0]
    shipping.cancel_shipment(logistics, s, "wrong address")
    api = Api()
    assert api.get(f"/tracking/{s.tracking_number}").status_code == 404
    assert api.get(f"/tracking/{s.tracking_number}", {"key": s.public_key}).status_code == 404


def test_ship_tells_the_store_our_keyed_link_when_the_channel_has_none(
    shipments, logistics, settings
):
    settings.TRADELANE_PUBLIC_URL = "https://tl.example/"
    s = next(s for s in shipments if s.channel.code == "POST")
    assert s.channel.tracking_url_template == ""
    shipping.ship_shipment(logistics, s)
    msg = OutboxMessage.objects.get(topic=shipping.TOPIC_FULFILLMENT)
    url = f"https://tl.example/t/{s.tracking_number}/{s.public_key}"
    assert msg.payload["tracking_url"] == url
    assert Client().get(url.removeprefix("https://tl.example")).status_code == 200


def test_event_texts_mask_the_receivers_details(wh_cn, logistics):
    s = make_shipment(wh_cn, status="shipped", tracking="YT2600000099")
    text = (f"Delivered to {RECEIVER['ship_name']} ({RECEIVER['ship_company']}), "
            f"{RECEIVER['ship_address1']}, {RECEIVER['ship_postcode']} Berlin; "
            f"called 030-1234567 and {RECEIVER['ship_email']}")  # fmt: skip
    tracking.record_events(
        None, s, [TrackEvent(at(1), tc.DELIVERED, "DL", text, "Berlin", "DE")], "poll"
    )
    body = Api().get(f"/tracking/{s.tracking_number}", {"key": s.public_key}).json()
    page = Client().get(f"/t/{s.tracking_number}/{s.public_key}").content.decode()
    for out in (json.dumps(body), page):
        for secret in ("Jane Receiver", "Receiver GmbH", "Secret Street", "10115", "1234567",
                       "jane.receiver@example.com"):  # fmt: skip
            assert secret not in out, secret
        assert "Delivered to ***" in out and "Berlin" in out
    assert body["destination"] == {"city": "Berlin", "country": "DE"}  # city and country only


def test_too_many_misses_refuse_every_lookup_for_a_while(wh_cn, settings):
    settings.TRADELANE_PUBLIC_TRACKING_MISSES = 3
    s = make_shipment(wh_cn, status="labelled", tracking="RR123456785CN")
    api, web = Api(), Client()
    for _ in range(5):  # hits do not count
        assert api.get(f"/tracking/{s.tracking_number}", {"key": s.public_key}).status_code == 200
    for i in range(3):
        assert api.get(f"/tracking/RR00000000{i}CN").status_code == 404
    r = api.get(f"/tracking/{s.tracking_number}", {"key": s.public_key})
    assert (r.status_code, r.json()["code"]) == (429, "too_many_requests")
    page = web.get(f"/t/{s.tracking_number}/{s.public_key}", HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 429 and 'data-testid="public-blocked"' in page.content.decode()
    assert page["Retry-After"] == "600" and "no-store" in page["Cache-Control"]
    zh = web.get("/t/X", HTTP_ACCEPT_LANGUAGE="zh-CN").content.decode()
    assert "未找到的单号过多" in zh
    # another address is not affected
    other = Client(REMOTE_ADDR="192.0.2.7")
    assert other.get(f"/t/{s.tracking_number}/{s.public_key}").status_code == 200


def test_behind_a_proxy_the_limit_counts_the_address_the_proxy_saw(settings, rf):
    from tradelane.core.throttle import client_ident

    request = rf.get("/t/X", HTTP_X_FORWARDED_FOR="6.6.6.6, 198.51.100.4", REMOTE_ADDR="10.0.0.1")
    assert client_ident(request) == "10.0.0.1"  # no proxy configured: forwarded is ignored
    settings.TRADELANE_PROXY_COUNT = 1
    assert client_ident(request) == "198.51.100.4"  # not what the client wrote (6.6.6.6)


@pytest.mark.django_db(transaction=True)
def test_the_migration_gives_existing_shipments_keys_and_keeps_their_numbers():
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    before = [("logistics", "0004_customs_thresholds")]
    executor.migrate(before)
    apps = executor.loader.project_state(before).apps
    wh = apps.get_model("inventory", "Warehouse").objects.create(code="W", name="W", country="CN")
    ch = apps.get_model("logistics", "Channel").objects.create(code="OLD", name="Old")
    old = apps.get_model("logistics", "Shipment")
    for n in (1, 2, 3):
        old.objects.create(number=f"SH{n}", channel=ch, warehouse=wh, status="shipped",
                           tracking_number=f"OLD{n:010d}", ship_name="X", ship_address1="Y",
                           ship_country="DE")  # fmt: skip
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    rows = list(Shipment.objects.order_by("number").values_list(
        "tracking_number", "public_by_number", "public_key"))  # fmt: skip
    assert [r[:2] for r in rows] == [(f"OLD{n:010d}", False) for n in (1, 2, 3)]
    assert len({r[2] for r in rows}) == 3 and all(len(r[2]) == 22 for r in rows)
    assert Api().get("/tracking/OLD0000000001").status_code == 404
    key = rows[0][2]
    assert Api().get("/tracking/OLD0000000001", {"key": key}).status_code == 200
