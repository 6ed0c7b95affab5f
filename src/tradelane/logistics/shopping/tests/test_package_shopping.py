"""Rate shopping prices the parcel that ships: an order in a merged or split package is shopped
as the package, from all its orders' lines; shipment creation takes that choice. The case of
#1041 merged with #1019 (magnets): it was offered YW-EXPRESS, which does not carry magnets,
and creating its shipment then failed with "no channel: rate-shop first"."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tradelane.core.errors import Conflict, ValidationFailed
from tradelane.logistics.models import RateChoice, Shipment, ShipmentOrder
from tradelane.logistics.shipping import services as shipping
from tradelane.logistics.shopping import services as shopping
from tradelane.logistics.tests.shipfix import allocated, own_channel
from tradelane.orders import services as order_services
from tradelane.orders.tests.factories import make_store

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_rate_cache")]


@pytest.fixture
def channels(logistics):
    # YW-EXPRESS is the cheapest but carries no magnets; MAGPOST does
    own_channel(logistics, "YW-EXPRESS", per_kg="20", reg="5", days=(6, 9))
    own_channel(logistics, "MAGPOST", per_kg="40", reg="8", days=(8, 12), accepts_magnet=True)


@pytest.fixture
def merged(logistics, cs, wh_cn, make_sku):
    """#1041 (a mug) merged with #1019 (fridge magnets): one buyer, one address."""
    store = make_store()
    same = dict(buyer_email="same@example.com")
    mug = make_sku("MUG", weight_g=300)
    magnets = make_sku("MAGNETS", weight_g=200, has_magnet=True)
    a = allocated(logistics, store, wh_cn, [(mug, 1)], **same)
    b = allocated(logistics, store, wh_cn, [(magnets, 2)], **same)
    package = order_services.merge_orders(cs, [a.pk, b.pk])
    return a, b, package


def kept():
    return sorted(
        RateChoice.objects.values_list("order_id", "package_id", "channel__code", "amount")
    )


def test_merged_package_is_shopped_with_all_its_orders_lines(logistics, channels, merged):
    a, b, package = merged
    (choice,) = shopping.rate_shop_orders(logistics, [a.pk])  # one order of the package asked
    assert choice.quote.channel_code == "MAGPOST"
    refused = {code: [r.code for r in rs] for code, rs in choice.refused}
    assert refused == {"YW-EXPRESS": ["magnet_not_accepted"]}
    # 300 g + 2 x 200 g = 700 g -> 0.7 kg x 40 + 8 = 36.00 CNY
    assert choice.quote.total.amount == pytest.approx(36)
    assert choice.as_dict()["ref"] == str(package)
    assert choice.as_dict()["order_ids"] == [a.pk, b.pk]
    amount = choice.quote.total.amount
    assert kept() == [(a.pk, package.pk, "MAGPOST", amount), (b.pk, package.pk, "MAGPOST", amount)]
    # both orders asked: the package is shopped once
    assert len(shopping.rate_shop_orders(logistics, [a.pk, b.pk])) == 1
    assert len(kept()) == 2


def test_shipment_of_the_merged_package_takes_the_package_choice(logistics, channels, merged):
    a, b, package = merged
    shopping.rate_shop_orders(logistics, [b.pk])
    (s,) = shipping.create_shipments(logistics, order_ids=[a.pk])
    assert (s.channel.code, s.weight_g, s.status) == ("MAGPOST", 700, "labelled")
    assert sorted(
        ShipmentOrder.objects.filter(shipment=s).values_list("order_id", "package_id")
    ) == [
        (a.pk, package.pk),
        (b.pk, package.pk),
    ]


def test_a_choice_made_before_the_merge_does_not_count(logistics, cs, channels, wh_cn, make_sku):
    store = make_store()
    same = dict(buyer_email="same@example.com")
    a = allocated(logistics, store, wh_cn, [(make_sku("MUG", weight_g=300), 1)], **same)
    b = allocated(
        logistics, store, wh_cn, [(make_sku("MAGNETS", weight_g=200, has_magnet=True), 2)], **same
    )
    (alone,) = shopping.rate_shop_orders(logistics, [a.pk])
    assert alone.quote.channel_code == "YW-EXPRESS"  # the mug alone may go YW
    order_services.merge_orders(cs, [a.pk, b.pk])
    with pytest.raises(ValidationFailed) as exc:  # the old choice priced a parcel now gone
        shipping.create_shipments(logistics, order_ids=[a.pk])
    assert exc.value.code == "no_channel"
    with pytest.raises(Conflict) as exc:  # and YW cannot carry the package's magnets
        shipping.create_shipments(logistics, order_ids=[a.pk], channel="YW-EXPRESS")
    assert exc.value.code == "channel_refused"
    assert not Shipment.objects.exists()
    shopping.rate_shop_orders(logistics, [a.pk])
    (s,) = shipping.create_shipments(logistics, order_ids=[a.pk])
    assert s.channel.code == "MAGPOST"


def test_each_parcel_of_a_split_order_is_shopped_and_shipped_on_its_own(
    logistics, channels, wh_cn, make_sku
):
    mug, magnets = make_sku("MUG", weight_g=300), make_sku("MAGNETS", weight_g=200, has_magnet=True)
    o = allocated(logistics, make_store(), wh_cn, [(mug, 1), (magnets, 2)])
    l1, l2 = o.lines.order_by("line_no")
    p1, p2 = order_services.split_order(
        logistics, o, [
            {"warehouse_id": wh_cn.pk, "lines": [{"line_id": l1.pk, "quantity": 1}]},
            {"warehouse_id": wh_cn.pk, "lines": [{"line_id": l2.pk, "quantity": 2}]},
        ],
    )  # fmt: skip
    choices = shopping.rate_shop_orders(logistics, [o.pk])
    assert [(c.ref.package_id, c.quote.channel_code) for c in choices] == [
        (p1.pk, "YW-EXPRESS"),
        (p2.pk, "MAGPOST"),
    ]
    s1, s2 = shipping.create_shipments(logistics, order_ids=[o.pk])
    assert [(s.channel.code, s.weight_g) for s in (s1, s2)] == [
        ("YW-EXPRESS", 300),
        ("MAGPOST", 400),
    ]


def test_bulk_shop_prices_packages_across_chunks(logistics, channels, merged, wh_cn, make_sku):
    a, b, package = merged
    alone = allocated(logistics, make_store(), wh_cn, [(make_sku("CUP", weight_g=400), 1)])
    result = shopping.shop_orders(logistics, [a.pk, b.pk, alone.pk], chunk=1)
    assert result == {
        "orders": 3, "chosen": 3, "no_channel": 0, "skipped": 0,
        "by_channel": {"MAGPOST": 2, "YW-EXPRESS": 1},
    }  # fmt: skip
    rows = kept()
    assert [(r[0], r[1], r[2]) for r in rows] == [
        (a.pk, package.pk, "MAGPOST"),
        (b.pk, package.pk, "MAGPOST"),
        (alone.pk, None, "YW-EXPRESS"),
    ]
    # all pending-shipment orders, one chunk
    RateChoice.objects.all().delete()
    assert shopping.shop_orders(logistics)["by_channel"] == {"MAGPOST": 2, "YW-EXPRESS": 1}
    (s,) = shipping.create_shipments(logistics, order_ids=[b.pk])
    assert s.channel.code == "MAGPOST"


def test_bulk_shop_queries_do_not_grow_with_packages(logistics, cs, channels, wh_cn, make_sku):
    store = make_store()
    sku = make_sku("MUG", weight_g=300)
    pairs = []
    for i in range(6):
        same = dict(buyer_email=f"buyer{i}@example.com")
        x = allocated(logistics, store, wh_cn, [(sku, 1)], **same)
        y = allocated(logistics, store, wh_cn, [(sku, 1)], **same)
        pairs.append(order_services.merge_orders(cs, [x.pk, y.pk]))
    shopping.shop_orders(logistics, [pairs[0].lines.first().order_line.order_id])  # warm caches

    def run():
        with CaptureQueriesContext(connection) as ctx:
            result = shopping.shop_orders(logistics)
        return result, len(ctx.captured_queries)

    result, queries = run()
    assert result["chosen"] == 12 and RateChoice.objects.filter(package__isnull=False).count() == 12
    for _ in range(6):
        x = allocated(logistics, store, wh_cn, [(sku, 1)], buyer_email="more@example.com")
        y = allocated(logistics, store, wh_cn, [(sku, 1)], buyer_email="more@example.com")
        order_services.merge_orders(cs, [x.pk, y.pk])
    result, more = run()
    assert result["chosen"] == 24
    assert more == queries


def test_pending_page_shows_the_package_choice_not_a_stale_one(
    client, logistics, cs, channels, wh_cn, make_sku
):
    store = make_store()
    same = dict(buyer_email="same@example.com")
    a = allocated(logistics, store, wh_cn, [(make_sku("MUG", weight_g=300), 1)], **same)
    b = allocated(
        logistics, store, wh_cn, [(make_sku("MAGNETS", weight_g=200, has_magnet=True), 2)], **same
    )
    shopping.rate_shop_orders(logistics, [a.pk])  # YW for the mug alone
    order_services.merge_orders(cs, [a.pk, b.pk])
    client.force_login(logistics)
    page = client.get(reverse("web:shipping")).content.decode()
    assert "YW-EXPRESS</span>" not in page
    assert page.count("未比价") == 2  # not shopped
    shopping.rate_shop_orders(logistics, [b.pk])
    page = client.get(reverse("web:shipping")).content.decode()
    assert page.count('<span class="chip chip-channel">MAGPOST</span>') == 2
    page = client.get(reverse("web:shipping"), {"channel": "YW-EXPRESS"}).content.decode()
    assert f'data-order="{a.pk}"' not in page
    # the workbench's create: one shipment for the package, by its choice
    response = client.post(reverse("web:shipping_create"), {"ids": [a.pk, b.pk]})
    assert response.status_code == 200, response.content.decode()
    (s,) = Shipment.objects.all()
    assert s.channel.code == "MAGPOST"
    assert ShipmentOrder.objects.filter(shipment=s).count() == 2


def test_api_rate_shop_and_ship_a_merged_package(make_user, channels, merged):
    from tradelane.api.testing import role_clients

    a, b, package = merged
    api = role_clients(make_user)("logistics")
    r = api.post("/rate-shop", {"order_ids": [a.pk]})
    assert r.status_code == 200, r.json()
    (c,) = r.json()["choices"]
    assert (c["ref"], c["package_id"], c["order_ids"], c["channel"]) == (
        str(package), package.pk, [a.pk, b.pk], "MAGPOST",
    )  # fmt: skip
    assert c["refused"] == [
        {
            "channel": "YW-EXPRESS",
            "reasons": [
                {"code": "magnet_not_accepted", "message": "the channel does not carry magnets"}
            ],
        }
    ]
    r = api.post("/shipments", {"package_ids": [package.pk]})
    assert r.status_code == 201, r.json()
    (s,) = r.json()
    assert s["channel"] == "MAGPOST"
    assert s["orders"] == [
        {"order_id": a.pk, "package_id": package.pk},
        {"order_id": b.pk, "package_id": package.pk},
    ]
