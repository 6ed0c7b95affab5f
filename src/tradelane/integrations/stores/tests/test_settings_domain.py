"""Store settings that the domain reads: the warehouse priority (orders.Store, used by
allocation) and the IOSS number (the store's EU customs number, carried by shipments)."""

from __future__ import annotations

import pytest

from tradelane.core.errors import ValidationFailed
from tradelane.core.models import AuditLog
from tradelane.integrations.stores import services
from tradelane.integrations.stores.models import StoreConnection
from tradelane.logistics.customs import decisions as customs
from tradelane.logistics.models import S10Series, StoreCustomsNumber
from tradelane.logistics.shipping import services as shipping
from tradelane.logistics.tests.shipfix import allocated, fx, own_channel
from tradelane.orders.models import Store

from .conftest import SECRET

pytestmark = pytest.mark.django_db

IOSS = "IM2760000001"


def test_connect_and_settings_update_propagate_the_warehouse_priority(
    admin, store, fake, wh_cn, wh_us
):
    conn = services.connect(
        admin,
        store,
        shop_domain=fake.shop,
        base_url=fake.base_url,
        credentials={"access_token": fake.token, "webhook_secrets": [SECRET]},
        settings={"warehouse_priority": ["SZ"]},
    )
    assert Store.objects.get(pk=store.pk).warehouse_priority == ["SZ"]
    services.update_settings(admin, conn, {"warehouse_priority": ["LA", "SZ"]})
    assert Store.objects.get(pk=store.pk).warehouse_priority == ["LA", "SZ"]
    services.update_settings(admin, conn, {"warehouse_priority": []})
    assert Store.objects.get(pk=store.pk).warehouse_priority == []
    assert AuditLog.objects.filter(action="orders.store.warehouse_priority").count() == 3


def test_bad_warehouse_code_refused_with_nothing_written(admin, conn, wh_cn):
    services.update_settings(admin, conn, {"warehouse_priority": ["SZ"]})
    audits = AuditLog.objects.count()
    with pytest.raises(ValidationFailed) as exc:
        services.update_settings(
            admin, conn, {"warehouse_priority": ["NOPE"], "ioss_number": IOSS, "push_stock": True}
        )
    assert exc.value.code == "invalid_warehouse_priority"
    assert exc.value.details["unknown"] == ["NOPE"]
    fresh = StoreConnection.objects.get(pk=conn.pk)
    assert (fresh.settings["warehouse_priority"], fresh.settings["push_stock"]) == (["SZ"], False)
    assert conn.settings["warehouse_priority"] == ["SZ"]  # the caller's object is untouched too
    assert Store.objects.get(pk=conn.store_id).warehouse_priority == ["SZ"]
    assert not StoreCustomsNumber.objects.exists()
    assert AuditLog.objects.count() == audits


def test_connect_with_a_bad_code_connects_nothing(admin, store, fake):
    with pytest.raises(ValidationFailed):
        services.connect(
            admin,
            store,
            shop_domain=fake.shop,
            base_url=fake.base_url,
            credentials={"access_token": fake.token, "webhook_secrets": [SECRET]},
            settings={"warehouse_priority": ["NOPE"], "ioss_number": IOSS},
        )
    assert not StoreConnection.objects.exists()
    assert not StoreCustomsNumber.objects.exists()
    assert Store.objects.get(pk=store.pk).warehouse_priority == []


@pytest.mark.usefixtures("fresh_rate_cache")
def test_ioss_setting_is_the_store_eu_ioss_and_shipments_to_de_carry_it(
    admin, logistics, conn, wh_cn, make_sku
):
    store = conn.store
    services.update_settings(admin, conn, {"ioss_number": IOSS.lower()})
    (row,) = StoreCustomsNumber.objects.filter(store=store)
    assert (row.destination, row.kind, row.number) == ("EU", "ioss", IOSS)
    assert customs.customs_numbers(store.pk, "DE") == {"ioss": IOSS}
    assert customs.customs_numbers(store.pk, "US") == {}
    # a shipment to Germany (value under EUR 150) carries it
    fx(USD="7.10", EUR="7.70")
    own_channel(logistics, "POST", service_type="postal", s10_prefix="RR", s10_country="CN")
    S10Series.objects.create(prefix="RR", country="CN", next_serial=12345678, last_serial=12345680)
    order = allocated(logistics, store, wh_cn, [(make_sku("MUG"), 1)], ship_country="DE",
                      ship_state="", ship_postcode="10115", ship_city="Berlin")  # fmt: skip
    (shipment,) = shipping.create_shipments(logistics, order_ids=[order.pk], channel="POST")
    shipment.refresh_from_db()
    assert (shipment.ship_country, shipment.ioss_number) == ("DE", IOSS)
    # changed, then cleared: the EU number follows
    services.update_settings(admin, conn, {"ioss_number": "IM2760000002"})
    assert customs.customs_numbers(store.pk, "FR") == {"ioss": "IM2760000002"}
    services.update_settings(admin, conn, {"ioss_number": ""})
    assert customs.customs_numbers(store.pk, "DE") == {}
    assert not StoreCustomsNumber.objects.filter(store=store).exists()
    actions = list(
        AuditLog.objects.filter(action__startswith="logistics.number.")
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == [
        "logistics.number.create",
        "logistics.number.update",
        "logistics.number.delete",
    ]


def test_unrelated_save_keeps_a_number_set_in_the_customs_configuration(admin, conn):
    from tradelane.logistics.shopping import configuration as shipping_config

    shipping_config.create_config(
        admin, "number", store_id=conn.store_id, destination="EU", kind="ioss", number=IOSS
    )
    services.update_settings(admin, conn, {"push_stock": True})  # ioss_number stays blank
    assert customs.customs_numbers(conn.store_id, "DE") == {"ioss": IOSS}


def test_settings_page_shows_and_saves_the_automation_switches(admin, conn):
    from django.test import Client

    c = Client()
    c.force_login(admin)
    url = f"/stores/connections/{conn.pk}/settings/"
    page = c.get(url).content.decode()
    assert 'data-testid="automation-settings"' in page and "自动流程" in page
    assert 'name="auto_allocate" data-testid="setting-auto-allocate" checked' in page
    assert 'name="auto_ship" data-testid="setting-auto-ship">' in page  # off by default
    form = {
        "import_statuses": ["paid"], "warehouse_priority": "", "ioss_number": "",
        "sync_interval_minutes": "15", "alert_after_minutes": "120", "automation_form": "1",
        "auto_ship": "on", "order_priority": "7",
    }  # fmt: skip
    assert c.post(url, form).status_code == 302
    store = Store.objects.get(pk=conn.store_id)
    assert (store.auto_allocate, store.auto_ship, store.order_priority) == (False, True, 7)
    (row,) = AuditLog.objects.filter(action="orders.store.automation")
    assert row.changes == {
        "auto_allocate": [True, False], "auto_ship": [False, True], "order_priority": [100, 7],
    }  # fmt: skip


def test_a_bad_order_priority_is_refused_and_nothing_changes(admin, conn):
    from django.test import Client

    c = Client()
    c.force_login(admin)
    before = dict(StoreConnection.objects.get(pk=conn.pk).settings)
    response = c.post(f"/stores/connections/{conn.pk}/settings/", {
        "import_statuses": ["paid"], "warehouse_priority": "", "ioss_number": "",
        "sync_interval_minutes": "15", "alert_after_minutes": "120", "automation_form": "1",
        "auto_ship": "on", "order_priority": "70000",
    })  # fmt: skip
    assert response.status_code == 422
    assert "请输入 0 到 32767 之间的整数" in response.content.decode()
    store = Store.objects.get(pk=conn.store_id)
    assert (store.auto_allocate, store.auto_ship, store.order_priority) == (True, False, 100)
    assert StoreConnection.objects.get(pk=conn.pk).settings == before
    with pytest.raises(ValidationFailed) as exc:
        services.update_settings(
            admin, conn, {},
            automation={"auto_allocate": True, "auto_ship": "yes", "order_priority": 1},
        )  # fmt: skip
    assert exc.value.code == "invalid_switch"
    assert not AuditLog.objects.filter(action="orders.store.automation").exists()
