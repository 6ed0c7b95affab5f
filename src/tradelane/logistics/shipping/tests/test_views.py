"""The shipping workbench pages: content, actions through services, 403 and nothing changed for
roles without P.SHIP, bounded query counts."""

from __future__ import annotations

import io

import pytest
from django.test import Client
from django.utils import timezone
from pypdf import PdfReader

from tradelane.accounts import roles
from tradelane.core.models import AuditLog, Job
from tradelane.logistics.models import Manifest, RateChoice, S10Series, Shipment
from tradelane.logistics.shipping import services as shipping
from tradelane.logistics.shopping import services as shopping
from tradelane.logistics.tests.shipfix import allocated, own_channel
from tradelane.orders.models import Order
from tradelane.orders.tests.factories import make_store

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_rate_cache")]


@pytest.fixture
def chans(logistics):
    own_channel(logistics, "POST", per_kg="40", reg="8", service_type="postal",
                s10_prefix="RR", s10_country="CN")  # fmt: skip
    own_channel(logistics, "LINE", per_kg="60", reg="5", service_type="line", countries=("US",))
    S10Series.objects.create(prefix="RR", country="CN", next_serial=1, last_serial=9999)


@pytest.fixture
def orders(logistics, chans, wh_cn, make_sku):
    store = make_store()
    sku = make_sku("MUG")
    made = [allocated(logistics, store, wh_cn, [(sku, 1)]) for _ in range(3)]
    made.append(allocated(logistics, store, wh_cn, [(sku, 1)], ship_country="DE"))
    return made


def client_for(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def htmx(**extra):
    return {"HTTP_HX_REQUEST": "true", **extra}


def state():
    return (
        Shipment.objects.count(),
        RateChoice.objects.count(),
        Manifest.objects.count(),
        Job.objects.count(),
        AuditLog.objects.count(),
        list(Order.objects.order_by("id").values_list("status", flat=True)),
        list(Shipment.objects.order_by("id").values_list("status", flat=True)),
    )


def test_pending_page_lists_orders_with_their_choice(logistics, orders):
    shopping.rate_shop_orders(logistics, [o.pk for o in orders[:2]])
    c = client_for(logistics)
    r = c.get("/shipping/")
    assert r.status_code == 200
    html = r.content.decode()
    for o in orders:
        assert f'data-order="{o.pk}"' in html
    assert html.count('class="chip chip-channel">POST<') == 2  # cheapest for US: POST
    assert "未比价" in html  # not shopped
    assert 'data-key="f"' in html  # the nav entry
    # filters: country, channel, "no channel yet"
    r = c.get("/shipping/", {"country": "DE"})
    assert [o.pk for o in r.context["page"].object_list] == [orders[3].pk]
    r = c.get("/shipping/", {"channel": "POST"})
    assert [o.pk for o in r.context["page"].object_list] == [orders[0].pk, orders[1].pk]
    r = c.get("/shipping/", {"channel": "-"})
    assert [o.pk for o in r.context["page"].object_list] == [orders[2].pk, orders[3].pk]


def test_rate_shop_all_runs_the_job(
    logistics, orders, settings, django_capture_on_commit_callbacks
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    c = client_for(logistics)
    with django_capture_on_commit_callbacks(execute=True):
        r = c.post("/shipping/rate-shop/", {"all": "1"}, **htmx())
    assert r.status_code == 200 and 'data-status="queued"' in r.content.decode()
    job = Job.objects.get()
    assert job.kind == "logistics.rate_shop" and job.status == "done"
    assert job.result["chosen"] == 4
    r = c.get(f"/jobs/{job.pk}/", **htmx())
    html = r.content.decode()
    assert 'data-status="done"' in html and "批量比价" in html
    assert "<b>4</b> 已选渠道" in html
    assert RateChoice.objects.filter(channel__code="POST").count() == 4


def test_create_shipments_per_order_results(logistics, orders):
    shopping.rate_shop_orders(logistics, [o.pk for o in orders[:2]])
    c = client_for(logistics)
    ids = [orders[0].pk, orders[1].pk, orders[2].pk]
    r = c.post("/shipping/create/", {"ids": ids}, **htmx())
    assert r.status_code == 200
    html = r.content.decode()
    assert html.count('data-result="created"') == 2 and html.count('data-result="refused"') == 1
    assert "no_channel" in html
    assert Shipment.objects.filter(status="labelled").count() == 2
    # a channel picked from the dropdown: the DE order goes by POST too; LINE refuses DE
    r = c.post("/shipping/create/", {"ids": [orders[3].pk], "channel": "LINE"}, **htmx())
    assert 'data-result="refused"' in r.content.decode() and "channel_refused" in r.content.decode()
    r = c.post("/shipping/create/", {"ids": [orders[3].pk], "channel": "POST"}, **htmx())
    assert 'data-result="created"' in r.content.decode()
    # shipped orders leave the pending list
    r = c.get("/shipping/")
    assert [o.pk for o in r.context["page"].object_list] == [orders[2].pk]


def test_shipments_tabs_print_ship_cancel(logistics, orders):
    made = shipping.create_shipments(logistics, order_ids=[o.pk for o in orders], channel="POST")
    c = client_for(logistics)
    r = c.get("/shipping/shipments/")
    assert r.status_code == 200
    tabs = {t["status"]: t["count"] for t in r.context["tabs"]}
    assert tabs == {"draft": 0, "labelled": 4, "shipped": 0, "delivered": 0, "cancelled": 0}
    r = c.get("/shipping/shipments/", {"q": made[0].tracking_number})
    assert [s.pk for s in r.context["page"].object_list] == [made[0].pk]
    ids = [s.pk for s in made]
    r = c.post("/shipping/shipments/labels/", {"ids": ids, "format": "pdf"})
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
    assert len(PdfReader(io.BytesIO(r.content)).pages) == 4
    r = c.post("/shipping/shipments/labels/", {"ids": ids[:2], "format": "zpl"})
    assert r["Content-Disposition"].startswith("attachment;") and r.content.count(b"^XA") == 2
    r = c.post("/shipping/shipments/bulk/", {"ids": ids[:2], "action": "ship"}, **htmx())
    assert "data-done>2<" in r.content.decode()
    r = c.post("/shipping/shipments/bulk/", {"ids": ids[1:3], "action": "cancel"}, **htmx())
    html = r.content.decode()
    assert "data-done>1<" in html and "invalid_transition" in html  # a shipped one refuses
    assert list(Shipment.objects.order_by("id").values_list("status", flat=True)) == [
        "shipped", "shipped", "cancelled", "labelled",
    ]  # fmt: skip
    # printing a cancelled one is refused with its number
    r = c.post("/shipping/shipments/labels/", {"ids": [ids[2]], "format": "pdf"})
    assert r.status_code == 422 and made[2].number in r.content.decode()
    r = c.get(f"/shipping/shipments/{ids[0]}/")
    html = r.content.decode()
    assert r.status_code == 200 and made[0].tracking_number in html
    assert "RR" in html and f"/shipping/shipments/{ids[0]}/label.pdf" in html
    assert c.get(f"/shipping/shipments/{ids[0]}/label.pdf")["Content-Type"] == "application/pdf"
    r = c.get(f"/shipping/shipments/{ids[0]}/customs.pdf")
    assert r.status_code == 404  # a CN22: on the label


def test_manifest_page_close_and_download(logistics, orders):
    made = shipping.create_shipments(
        logistics, order_ids=[o.pk for o in orders[:2]], channel="POST"
    )
    c = client_for(logistics)
    r = c.post("/shipping/manifests/", {"channel": "POST"}, **htmx())
    assert r.status_code == 409 and "manifest_empty" in r.content.decode()
    for s in made:
        shipping.ship_shipment(logistics, s)
    r = c.get("/shipping/manifests/")
    assert 'data-waiting="POST"' in r.content.decode()
    r = c.post("/shipping/manifests/", {"channel": "POST", "date": timezone.localdate()}, **htmx())
    assert r.status_code == 200 and 'data-testid="manifest-flash"' in r.content.decode()
    m = Manifest.objects.get()
    assert m.shipments.count() == 2
    assert c.get(f"/shipping/manifests/{m.pk}.pdf")["Content-Type"] == "application/pdf"
    csv = c.get(f"/shipping/manifests/{m.pk}.csv")
    assert csv["Content-Disposition"] == f'attachment; filename="{m.number}.csv"'
    assert made[0].tracking_number in csv.content.decode()


@pytest.mark.parametrize("role", [roles.CUSTOMER_SERVICE, roles.SALES])
def test_roles_without_ship_get_403_and_nothing_changes(make_user, logistics, orders, role):
    made = shipping.create_shipments(logistics, order_ids=[orders[0].pk], channel="POST")
    shipping.ship_shipment(logistics, made[0])
    other = shipping.create_shipments(logistics, order_ids=[orders[1].pk], channel="POST")
    c = client_for(make_user(role, f"u_{role}"))
    before = state()
    for url in ("/shipping/", "/shipping/shipments/", f"/shipping/shipments/{made[0].pk}/",
                "/shipping/manifests/", f"/shipping/shipments/{made[0].pk}/label.pdf"):  # fmt: skip
        assert c.get(url).status_code == 403, url
    posts = [
        ("/shipping/rate-shop/", {"all": "1"}),
        ("/shipping/create/", {"ids": [orders[2].pk], "channel": "POST"}),
        ("/shipping/shipments/bulk/", {"ids": [other[0].pk], "action": "ship"}),
        ("/shipping/shipments/bulk/", {"ids": [other[0].pk], "action": "cancel"}),
        ("/shipping/shipments/labels/", {"ids": [other[0].pk]}),
        ("/shipping/manifests/", {"channel": "POST"}),
    ]
    for url, data in posts:
        assert c.post(url, data).status_code == 403, url
    assert state() == before
    assert "/shipping/" not in c.get("/").content.decode()


def test_query_counts_do_not_grow_with_rows(logistics, orders, django_assert_max_num_queries):
    shopping.rate_shop_orders(logistics, [o.pk for o in orders])
    made = shipping.create_shipments(
        logistics, order_ids=[o.pk for o in orders[:3]], channel="POST"
    )
    c = client_for(logistics)
    with django_assert_max_num_queries(14):
        assert c.get("/shipping/").status_code == 200
    with django_assert_max_num_queries(12):
        assert c.get("/shipping/shipments/").status_code == 200
    with django_assert_max_num_queries(18):
        assert c.get(f"/shipping/shipments/{made[0].pk}/").status_code == 200
    with django_assert_max_num_queries(12):
        assert c.get("/shipping/manifests/").status_code == 200
    with django_assert_max_num_queries(16):
        r = c.post("/shipping/shipments/labels/", {"ids": [s.pk for s in made]})
        assert r.status_code == 200
