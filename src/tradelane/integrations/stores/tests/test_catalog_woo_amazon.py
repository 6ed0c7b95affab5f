"""The catalog of a WooCommerce store (products and variations, 100 a page, one implicit
location) and of an Amazon seller (searchListingsItems, 20 a page, one location per
marketplace), against the fakes and their paging rules."""

from __future__ import annotations

import httpx
import pytest

from tradelane.integrations.stores import services
from tradelane.integrations.stores.amazon.connector import AmazonConnector
from tradelane.integrations.stores.contract import PlatformLocation, PlatformVariant
from tradelane.integrations.stores.fakes.amazon import MARKETPLACE
from tradelane.integrations.stores.fakes.woocommerce_catalog import add_product
from tradelane.integrations.stores.models import PlatformInventoryItem, StoreVariant
from tradelane.integrations.stores.onboarding import catalog_import, sku_proposals
from tradelane.integrations.stores.woocommerce.connector import WooCommerceConnector
from tradelane.orders import services as order_services

pytestmark = pytest.mark.django_db(transaction=True)
UK = "A1F83G8C2ARO7P"


@pytest.fixture
def woo_conn(admin, woo):
    store = order_services.create_store(
        admin, code="WOO1", name="Woo Shop", platform="woocommerce", currency="EUR", country="DE"
    )
    return services.connect(
        admin, store, shop_domain=woo.site, base_url=woo.base_url,
        credentials={"consumer_key": woo.consumer_key, "consumer_secret": woo.consumer_secret,
                     "webhook_secrets": ["s"]},
    )  # fmt: skip


@pytest.fixture
def amazon_conn(admin, amazon):
    store = order_services.create_store(
        admin, code="AMZ1", name="Amazon", platform="amazon", currency="USD", country="US"
    )
    return services.connect(
        admin, store, shop_domain="sellingpartnerapi-na.amazon.com", base_url=amazon.base_url,
        credentials=amazon.credentials(), settings={"marketplace_ids": [MARKETPLACE, UK]},
    )  # fmt: skip


# --- WooCommerce ----------------------------------------------------------------------------


def test_woo_reads_simple_and_variable_products_and_one_location(woo_conn, woo):
    mug = add_product(woo, "Mug", sku="WC-MUG", barcode="4006381333931")
    shirt = add_product(woo, "Shirt", variations=[{"sku": "SH-R", "option": "Red"},
                                                  {"sku": "SH-B", "option": "Blue"}])  # fmt: skip
    connector = WooCommerceConnector(woo_conn)
    assert connector.list_locations() == [PlatformLocation("default", "Woo Shop")]
    pages = list(connector.iter_products())
    r, b = shirt["variations"]
    assert pages == [[
        PlatformVariant(str(mug["id"]), str(mug["id"]), "WC-MUG", "4006381333931", "Mug", "Mug"),
        PlatformVariant(f"{shirt['id']}:{r}", f"{shirt['id']}:{r}", "SH-R", "", "Shirt - Red",
                        "Shirt"),
        PlatformVariant(f"{shirt['id']}:{b}", f"{shirt['id']}:{b}", "SH-B", "", "Shirt - Blue",
                        "Shirt"),
    ]]  # fmt: skip
    assert connector.count_variants() is None


def test_woo_pages_by_100_and_the_fake_refuses_more(woo_conn, woo):
    for i in range(230):
        add_product(woo, f"P{i}", sku=f"P-{i:03d}")
    pages = list(WooCommerceConnector(woo_conn).iter_products())
    assert [len(p) for p in pages] == [100, 100, 30]
    assert [m for m, p in woo.log if p.endswith("/products")] == ["GET"] * 3
    auth = (woo.consumer_key, woo.consumer_secret)
    answer = httpx.get(f"{woo.base_url}/wp-json/wc/v3/products", params={"per_page": 101},
                       auth=auth)  # fmt: skip
    assert answer.status_code == 400 and answer.json()["code"] == "rest_invalid_param"


def test_woo_accepting_fills_the_product_or_variation_id(admin, woo_conn, woo, make_sku):
    make_sku("SH-R", name="Shirt red")
    shirt = add_product(woo, "Shirt", variations=[{"sku": "SH-R", "option": "Red"}])
    catalog_import.run_import(admin, woo_conn)
    row = StoreVariant.objects.get(connection=woo_conn)
    assert (row.match_kind, row.state) == ("exact_sku", "proposed")
    sku_proposals.accept(admin, woo_conn, ids=[row.pk])
    item = f"{shirt['id']}:{shirt['variations'][0]}"
    assert dict(PlatformInventoryItem.objects.filter(connection=woo_conn).values_list(
        "store_sku", "inventory_item_id")) == {"SH-R": item}  # fmt: skip


# --- Amazon ---------------------------------------------------------------------------------


def test_amazon_locations_are_the_marketplaces(amazon_conn):
    assert AmazonConnector(amazon_conn).list_locations() == [
        PlatformLocation(MARKETPLACE, "Amazon.com", "US"),
        PlatformLocation(UK, "Amazon.co.uk", "GB"),
    ]


def test_amazon_listings_are_paged_by_20_and_a_sku_in_two_markets_is_one(amazon_conn, amazon):
    for i in range(45):
        amazon.add_listing(f"AMZ-{i:02d}", [MARKETPLACE], item_name=f"Item {i}", asin=f"B0{i:08d}")
    amazon.add_listing("AMZ-00", [UK], item_name="Item 0 (UK)")
    amazon.add_listing("AMZ-UK", [UK], item_name="Only in the UK")
    connector = AmazonConnector(amazon_conn)
    pages = list(connector.iter_products())
    assert [len(p) for p in pages] == [20, 20, 5, 1]  # the US in 3 pages, then the UK's new one
    assert pages[0][0] == PlatformVariant("AMZ-00", "AMZ-00", "AMZ-00", "", "Item 0",
                                          "B000000000")  # fmt: skip
    assert pages[-1] == [PlatformVariant("AMZ-UK", "AMZ-UK", "AMZ-UK", "", "Only in the UK",
                                         pages[-1][0].product_title)]  # fmt: skip
    calls = [c for c in amazon.search_calls if c.get("pageSize") == "20"]
    assert all(c["includedData"] == "summaries" and "," not in c["marketplaceIds"]
               for c in calls)  # fmt: skip
    assert connector.count_variants() == 45


def test_the_fake_amazon_refuses_a_page_over_20_and_a_missing_marketplace(amazon_conn, amazon):
    connector = AmazonConnector(amazon_conn)
    with pytest.raises(Exception) as exc:
        connector._search(MARKETPLACE, None, size=21)
    assert "pageSize must be between 1 and 20" in str(exc.value)
    with pytest.raises(Exception) as exc:
        connector._search("", None)
    assert "Missing required parameter: marketplaceIds" in str(exc.value)
