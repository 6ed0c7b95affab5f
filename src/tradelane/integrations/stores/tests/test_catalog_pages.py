"""The catalog page of a connection: connecting starts the import; the page shows its progress,
the proposals and the locations form; a bad location mapping is refused in both languages and
writes nothing."""

from __future__ import annotations

import pytest

from tradelane.core import jobs
from tradelane.core.models import Job
from tradelane.integrations.stores.models import StoreConnection, StoreVariant
from tradelane.integrations.stores.onboarding import catalog_import
from tradelane.orders import services as order_services
from tradelane.orders.models import StoreSkuMapping

from .conftest import SECRET

pytestmark = pytest.mark.django_db(transaction=True)
LA, NY = "gid://shopify/Location/1", "gid://shopify/Location/2"


@pytest.fixture
def shop(fake, make_sku, wh_us, wh_cn):
    make_sku("MUG-1", name="Blue Mug")
    fake.catalog.add_location(1, "Los Angeles", "US")
    fake.catalog.add_location(2, "New York", "US")
    fake.catalog.add_product("Mug", [{"sku": "MUG-1", "title": "Blue"}])
    fake.catalog.add_product("Wireless Mouse", [{"sku": "SHOP-MOUSE"}])
    return fake


def _imported(client, conn):
    job = catalog_import.current_job(conn)
    jobs.run(job.pk)
    return job


def test_connect_starts_the_import_and_the_health_page_links_to_it(client, admin, shop):
    store = order_services.create_store(
        admin, code="SHOP9", name="Shop 9", platform="shopify", currency="USD", country="US"
    )
    client.force_login(admin)
    answer = client.post(f"/stores/{store.pk}/connect/", {
        "shop_domain": shop.shop, "base_url": shop.base_url, "access_token": shop.token,
        "webhook_secrets": SECRET, "import_statuses": ["paid"], "warehouse_priority": "",
        "ioss_number": "", "sync_interval_minutes": "5", "alert_after_minutes": "30",
    })  # fmt: skip
    conn = StoreConnection.objects.get(store=store)
    # the connect lands on what the test call proved; that page links to the catalog
    assert answer.status_code == 302 and answer["Location"] == (
        f"/stores/connections/{conn.pk}/health/"
    )
    health = client.get(answer["Location"], HTTP_ACCEPT_LANGUAGE="en").content.decode()
    catalog_url = f"/stores/connections/{conn.pk}/catalog/"
    assert f'href="{catalog_url}" data-testid="catalog-link"' in health
    job = catalog_import.current_job(conn)
    assert job.status == Job.Status.QUEUED
    page = client.get(catalog_url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert f'hx-get="/stores/connections/{conn.pk}/catalog/progress/"' in page  # polling
    jobs.run(job.pk)
    page = client.get(catalog_url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "2 of 2 variants read" in page and "hx-get" not in page
    assert "<code>MUG-1</code>" in page and "Same SKU" in page and "100%" in page
    # the location form, pre-filled: Los Angeles is the name of warehouse LA; New York has
    # no warehouse of that name and the only US warehouse is taken: left empty
    assert '<option value="LA" selected>' in page
    assert page.count(" selected>") == 1


def test_locations_form_refuses_an_unknown_warehouse_in_both_languages(client, admin, conn,
                                                                       shop):  # fmt: skip
    client.force_login(admin)
    catalog_import.start(admin, conn)
    _imported(client, conn)
    before = dict(StoreConnection.objects.get(pk=conn.pk).settings)
    url = f"/stores/connections/{conn.pk}/locations/"
    bad = {f"location:{LA}": "NOPE", f"location:{NY}": ""}
    client.cookies["django_language"] = "zh-hans"
    answer = client.post(url, bad)
    assert answer.status_code == 422
    assert "没有此代码的仓库。" in answer.content.decode()
    assert 'data-error-code="unknown_warehouse"' in answer.content.decode()
    client.cookies["django_language"] = "en"
    answer = client.post(url, bad)
    assert answer.status_code == 422 and "No warehouse has this code." in answer.content.decode()
    assert StoreConnection.objects.get(pk=conn.pk).settings == before  # nothing written
    # one warehouse for two locations: refused too
    answer = client.post(url, {f"location:{LA}": "LA", f"location:{NY}": "LA"})
    assert 'data-error-code="warehouse_twice"' in answer.content.decode()
    assert StoreConnection.objects.get(pk=conn.pk).settings == before
    # a good one is saved through the settings service
    answer = client.post(url, {f"location:{LA}": "LA", f"location:{NY}": "SZ"})
    assert answer.status_code == 302
    saved = StoreConnection.objects.get(pk=conn.pk).settings["locations"]
    assert saved == {"LA": LA, "SZ": NY}


def test_accepting_and_rejecting_from_the_page(client, admin, conn, shop):
    client.force_login(admin)
    catalog_import.start(admin, conn)
    _imported(client, conn)
    url = f"/stores/connections/{conn.pk}/catalog/decide/"
    answer = client.post(url, {"action": "accept_above", "min_confidence": "95"})
    assert answer.status_code == 302
    assert list(StoreSkuMapping.objects.filter(store=conn.store).values_list(
        "store_sku", flat=True)) == ["MUG-1"]  # fmt: skip
    page = client.get(f"/stores/connections/{conn.pk}/catalog/?state=accepted",
                      HTTP_ACCEPT_LANGUAGE="en").content.decode()  # fmt: skip
    assert "<code>MUG-1</code>" in page
    mouse = StoreVariant.objects.get(connection=conn, store_sku="SHOP-MOUSE")
    answer = client.post(url, {"action": "reject", "ids": [str(mouse.pk)]})  # unmatched
    mouse.refresh_from_db()
    assert mouse.state == "unmatched"  # refused: only proposals move
    assert StoreSkuMapping.objects.filter(store=conn.store).count() == 1


def test_the_page_needs_the_store_permission(client, cs, conn):
    client.force_login(cs)
    assert client.get(f"/stores/connections/{conn.pk}/catalog/").status_code == 403
