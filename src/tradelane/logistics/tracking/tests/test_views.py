"""Tracking pages: search, shipment timeline, exception queue (htmx resolve), public page."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from tradelane.logistics.carriers.contract import TrackEvent
from tradelane.logistics.models import TrackingEvent, TrackingException
from tradelane.logistics.tests.tracking_factories import (
    RECEIVER,
    allocated_order,
    at,
    make_shipment,
)
from tradelane.logistics.tracking import codes as tc
from tradelane.logistics.tracking import services as tracking

pytestmark = pytest.mark.django_db


@pytest.fixture
def order(make_sku, wh_cn):
    return allocated_order(make_sku, wh_cn)


@pytest.fixture
def shipment(wh_cn, order):
    s = make_shipment(wh_cn, status="labelled", tracking="YT2600000077", orders=[order])
    tracking.record_events(
        None,
        s,
        [
            TrackEvent(at(0), tc.PICKED_UP, "PU", "Shipment picked up", "Shenzhen", "CN"),
            TrackEvent(at(30), tc.CUSTOMS, "CU", "Customs clearance started", "Leipzig", "DE"),
            TrackEvent(at(40), tc.DELIVERY_FAILED, "DF", "Receiver not at home", "Berlin", "DE"),
        ],
        "poll",
    )
    s.refresh_from_db()
    return s


def login(client, user):
    client.force_login(user)
    return client


def test_nav_entry_for_tracking_roles(client, logistics, cs, warehouse_user, sales):
    assert 'data-key="t"' in login(client, logistics).get("/").content.decode()
    assert 'data-key="t"' in login(Client(), warehouse_user).get("/").content.decode()
    assert 'data-key="t"' in login(Client(), cs).get("/").content.decode()
    assert login(Client(), cs).get("/tracking/").status_code == 200
    assert 'data-key="t"' not in login(Client(), sales).get("/").content.decode()
    assert login(Client(), sales).get("/tracking/").status_code == 403
    assert Client().get("/tracking/").status_code == 302  # log in first


def test_customer_service_finds_a_parcel_and_reads_its_timeline(client, cs, shipment, order):
    login(client, cs)
    r = client.get("/tracking/", {"q": order.number})
    assert r.status_code == 302 and r.url == f"/tracking/shipments/{shipment.pk}/"
    page = client.get(r.url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Receiver not at home" in page and "YT2600000077" in page
    assert f"/t/YT2600000077/{shipment.public_key}" in page
    assert 'data-testid="event-form"' not in page  # reading, not changing


def test_customer_service_cannot_add_events(client, cs, shipment):
    r = login(client, cs).post(
        f"/tracking/shipments/{shipment.pk}/action/",
        {"action": "event", "status": tc.DELIVERED, "text": "left at door"},
    )
    assert r.status_code == 403
    assert TrackingEvent.objects.filter(shipment=shipment).count() == 3


def test_order_page_lists_every_shipment_with_numbers_events_and_link(
    client, cs, admin, wh_cn, shipment, order
):
    tracking.set_last_mile(admin, shipment, "DHL Paket", "00340434161234567890")
    cancelled = make_shipment(wh_cn, status="cancelled", tracking="", orders=[order])
    login(client, cs)
    page = client.get(f"/orders/{order.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'data-testid="order-shipments"' in page
    assert page.count('data-testid="shipment-link"') == 2
    assert f'href="/tracking/shipments/{shipment.pk}/"' in page
    assert f'href="/tracking/shipments/{cancelled.pk}/"' in page
    assert shipment.number in page and cancelled.number in page
    assert '<code data-testid="shipment-tracking-number">YT2600000077</code>' in page
    assert '<code data-testid="shipment-last-mile">00340434161234567890</code>' in page
    assert f'href="/t/YT2600000077/{shipment.public_key}"' in page
    assert page.count('data-testid="shipment-public-link"') == 1  # not for the cancelled one
    assert "Receiver not at home" in page and "Customs clearance started" in page
    client.cookies["django_language"] = "zh-hans"
    page = client.get(f"/orders/{order.pk}/").content.decode()
    assert "投递失败" in page


def test_order_page_has_no_shipments_panel_without_tracking_read(client, sales, order):
    page = login(client, sales).get(f"/orders/{order.pk}/").content.decode()
    assert 'data-testid="order-shipments"' not in page


def test_order_page_without_shipments_says_so(client, cs, order):
    page = login(client, cs).get(f"/orders/{order.pk}/", HTTP_ACCEPT_LANGUAGE="en")
    assert 'data-testid="no-shipments"' in page.content.decode()


def test_search_by_number_and_order_number(client, logistics, shipment, order):
    login(client, logistics)
    r = client.get("/tracking/", {"q": "YT2600000077"})
    assert r.status_code == 302 and r.url == f"/tracking/shipments/{shipment.pk}/"
    r = client.get("/tracking/", {"q": order.number})
    assert r.status_code == 302 and r.url == f"/tracking/shipments/{shipment.pk}/"
    r = client.get("/tracking/", {"q": "NOPE"})
    assert 'data-testid="no-match"' in r.content.decode()


def test_shipment_timeline_in_both_languages(client, logistics, shipment):
    login(client, logistics)
    page = client.get(
        f"/tracking/shipments/{shipment.pk}/", HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    assert "Delivery failed" in page and "Customs clearance started" in page
    client.cookies["django_language"] = "zh-hans"
    page = client.get(f"/tracking/shipments/{shipment.pk}/").content.decode()
    assert "投递失败" in page and "清关中" in page


def test_manual_event_and_last_mile_forms(client, logistics, warehouse_user, shipment):
    url = f"/tracking/shipments/{shipment.pk}/action/"
    refused = login(Client(), warehouse_user).post(
        url, {"action": "event", "status": tc.DELIVERED, "text": "x"}
    )
    assert refused.status_code == 403
    login(client, logistics)
    r = client.post(url, {"action": "event", "status": tc.DELIVERED, "text": ""})
    assert r.status_code == 422
    r = client.post(
        url,
        {"action": "event", "status": tc.DELIVERED, "text": "Signed by neighbour",
         "occurred_at": "2025-03-04T10:00", "city": "Berlin", "country": "de"},
    )  # fmt: skip
    assert r.status_code == 302
    e = TrackingEvent.objects.get(source="manual")
    assert (e.status, e.country) == (tc.DELIVERED, "DE")
    shipment.refresh_from_db()
    assert shipment.status == "delivered"
    client.post(url, {"action": "last_mile", "carrier": "DHL Paket", "number": "JJD77"})
    shipment.refresh_from_db()
    assert shipment.last_mile_tracking_number == "JJD77"
    # an S10 number with a wrong check digit: a clear message in the user's language
    bad = {"action": "last_mile", "carrier": "Deutsche Post", "number": "rr123456789de"}
    r = client.post(url, bad, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert r.status_code == 422 and "校验位不对" in r.content.decode()
    shipment.refresh_from_db()
    assert shipment.last_mile_tracking_number == "JJD77"
    r = client.post(url, {**bad, "number": "rr 123456785 de"})  # the right digit, as typed
    shipment.refresh_from_db()
    assert shipment.last_mile_tracking_number == "RR123456785DE"


def test_exception_queue_tabs_counts_and_htmx_resolve(client, logistics, warehouse_user, shipment):
    exc = TrackingException.objects.get()
    login(client, logistics)
    page = client.get("/tracking/exceptions/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'data-testid="tab-delivery_failed"' in page
    assert "Receiver not at home" in page
    assert f'id="exc-{exc.pk}"' in page
    assert (
        client.get("/tracking/exceptions/", {"kind": "lost"})
        .content.decode()
        .count('data-testid="queue-empty"')
        == 1
    )
    # the exception queue is logistics' (the warehouse neither sees it nor resolves)
    wh = login(Client(), warehouse_user)
    assert wh.get("/tracking/exceptions/").status_code == 403
    assert 'data-testid="exceptions-link"' not in wh.get("/tracking/").content.decode()
    assert (
        wh.post(f"/tracking/exceptions/{exc.pk}/resolve/", {"resolution": "x"}).status_code == 403
    )
    exc.refresh_from_db()
    assert exc.status == "open"
    # empty note refused, then resolved through htmx: the row comes back resolved
    r = client.post(
        f"/tracking/exceptions/{exc.pk}/resolve/", {"resolution": " "}, HTTP_HX_REQUEST="true"
    )
    assert r.status_code == 422
    r = client.post(
        f"/tracking/exceptions/{exc.pk}/resolve/", {"resolution": "Redelivery booked"},
        HTTP_HX_REQUEST="true",
    )  # fmt: skip
    assert r.status_code == 200
    assert 'data-testid="resolved"' in r.content.decode()
    exc.refresh_from_db()
    assert (exc.status, exc.resolution, exc.resolved_by) == (
        "resolved",
        "Redelivery booked",
        logistics,
    )


PRIVATE = ("ship_name", "ship_company", "ship_address1", "ship_address2", "ship_phone",
           "ship_email", "ship_postcode")  # fmt: skip


def test_public_page_shows_timeline_and_no_personal_data(shipment, order):
    client = Client()
    tracking.set_last_mile(_admin(), shipment, "DHL Paket", "JJD000390077")
    for number in ("YT2600000077", "JJD000390077"):
        r = client.get(f"/t/{number}/{shipment.public_key}", HTTP_ACCEPT_LANGUAGE="en")
        assert r.status_code == 200
        page = r.content.decode()
        assert "Delivery failed" in page and "Receiver not at home" in page
        assert "Berlin" in page and "Germany" in page
        for field in PRIVATE:
            assert RECEIVER[field] not in page, field
        assert order.number not in page
        assert shipment.number not in page
        assert "Jane" not in page
        assert "csrfmiddlewaretoken" not in page
        assert "public" in r["Cache-Control"] and "max-age=300" in r["Cache-Control"]
        assert "Accept-Language" in r["Vary"]
    url = f"/t/YT2600000077/{shipment.public_key}"
    zh = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-CN,zh;q=0.9").content.decode()
    assert "投递失败" in zh
    en = client.get(f"{url}?lang=en", HTTP_ACCEPT_LANGUAGE="zh-CN").content.decode()
    assert "Delivery failed" in en


def test_public_page_404_for_unknown_draft_and_a_number_without_its_key(wh_cn, shipment):
    draft = make_shipment(wh_cn, status="draft", tracking="DRAFT0001")
    client = Client()
    pages = set()
    for path in ("/t/UNKNOWN0001", "/t/DRAFT0001", f"/t/DRAFT0001/{draft.public_key}",
                 "/t/YT2600000077", f"/t/YT2600000077/{draft.public_key}",
                 f"/t/UNKNOWN0001/{shipment.public_key}"):  # fmt: skip
        r = client.get(path, HTTP_ACCEPT_LANGUAGE="en")
        assert r.status_code == 404, path
        page = r.content.decode()
        assert 'data-testid="public-unknown"' in page
        pages.add(page.replace(path.split("/")[2], "N"))  # the page echoes the number typed
    assert len(pages) == 1  # every miss looks the same


def _admin():
    from django.contrib.auth.models import Group

    from tradelane.accounts import roles
    from tradelane.accounts.models import User

    user = User.objects.create_user("tl_admin_web", password="x")
    user.groups.set(Group.objects.filter(name=roles.ADMIN))
    return User.objects.get(pk=user.pk)


def _event(shipment, when, status=tc.IN_TRANSIT, source="poll"):
    return TrackingEvent.objects.create(
        shipment=shipment, tracking_number=shipment.tracking_number, occurred_at=when,
        status=status, raw_text=status, source=source, fingerprint=f"{shipment.pk}-{when}",
    )  # fmt: skip


@pytest.fixture
def home_world(wh_cn):
    from django.utils import timezone

    now = timezone.now()
    days = dt.timedelta
    quiet = make_shipment(wh_cn, status="shipped", tracking="QUIET1", shipped_at=now - days(12))
    _event(quiet, now - days(10))
    # our own "no news" marker and a last-mile number are no news: still quiet
    _event(quiet, now - days(1), status=tc.EXPIRED, source="system")
    _event(quiet, now - days(0.5), status=tc.IN_TRANSIT, source="system")
    fresh = make_shipment(wh_cn, status="shipped", tracking="FRESH1", shipped_at=now - days(12))
    _event(fresh, now - days(1))
    never = make_shipment(wh_cn, status="shipped", tracking="NEVER1", shipped_at=now - days(6))
    delivered = make_shipment(
        wh_cn, status="delivered", tracking="DONE1", shipped_at=now - days(20),
        tracking_status=tc.DELIVERED,
    )  # fmt: skip
    _event(delivered, now - days(15), status=tc.DELIVERED)
    old = TrackingException.objects.create(
        shipment=fresh, kind=tc.DELAYED, detail="late", opened_at=now - days(3)
    )
    new = TrackingException.objects.create(
        shipment=quiet, kind=tc.DELIVERY_FAILED, detail="not home", opened_at=now - days(1)
    )
    TrackingException.objects.create(
        shipment=never, kind=tc.LOST, detail="gone", opened_at=now, status="resolved"
    )
    return {"quiet": quiet, "fresh": fresh, "never": never, "delivered": delivered,
            "old": old, "new": new}  # fmt: skip


def test_tracking_home_shows_recent_exceptions_and_parcels_without_news(client, cs, home_world):
    w = home_world
    page = login(client, cs).get("/tracking/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    recent = page.split('data-testid="recent-exceptions"')[1].split("</section>")[0]
    assert recent.index('data-kind="delivery_failed"') < recent.index('data-kind="delayed"')
    assert 'data-kind="lost"' not in recent  # resolved
    quiet = page.split('data-testid="quiet-parcels"')[1].split("</section>")[0]
    assert "No news for 5 days" in quiet
    assert '<span class="badge badge-warn" data-testid="quiet-total">2</span>' in quiet
    shown = [int(x.split('"')[0]) for x in quiet.split('data-shipment="')[1:]]
    assert shown == [w["quiet"].pk, w["never"].pk]  # oldest news first
    page = client.get("/tracking/", {"days": "7"}).content.decode()
    quiet = page.split('data-testid="quiet-parcels"')[1].split("</section>")[0]
    assert [int(x.split('"')[0]) for x in quiet.split('data-shipment="')[1:]] == [w["quiet"].pk]
    client.cookies["django_language"] = "zh-hans"
    page = client.get("/tracking/", {"days": "30"}).content.decode()
    assert "最新异常" in page and "30 天无轨迹更新" in page and 'data-testid="no-quiet"' in page


def test_tracking_home_without_the_queue_shows_only_quiet_parcels(
    client, warehouse_user, home_world
):
    page = login(client, warehouse_user).get("/tracking/").content.decode()
    assert 'data-testid="recent-exceptions"' not in page
    assert 'data-testid="quiet-parcels"' in page
    searched = client.get("/tracking/", {"q": "NOPE"}).content.decode()
    assert 'data-testid="quiet-parcels"' not in searched  # a search shows its results only


def test_quiet_parcels_take_a_fixed_number_of_queries(home_world, django_assert_num_queries):
    from tradelane.logistics.tracking import selectors

    with django_assert_num_queries(1):
        rows, total = selectors.quiet_shipments(5)
    assert (len(rows), total) == (2, 2)
    with django_assert_num_queries(2):
        rows, total = selectors.quiet_shipments(5, limit=1)
    assert (len(rows), total) == (1, 2)
