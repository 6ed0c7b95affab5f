"""Rate shopping: golden cases by hand, rules, refusals, bulk shop with bounded queries."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tradelane.core import jobs
from tradelane.core.errors import PermissionDenied
from tradelane.core.fx import Rates
from tradelane.core.models import Job
from tradelane.core.money import Money
from tradelane.logistics.models import RateChoice, ShippingRule
from tradelane.logistics.rates import parcels
from tradelane.logistics.rates.chargeable import Parcel
from tradelane.logistics.shopping import services as shopping
from tradelane.logistics.tests.shipfix import D, allocated, fx, own_channel
from tradelane.orders.tests.factories import make_order, make_store

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_rate_cache")]


@pytest.fixture
def channels(logistics):
    # 1.0 kg to US: SLOW 30 + 5 = 35.00; FAST 80 + 10 = 90.00; MID 50 + 10 = 60.00 CNY
    own_channel(logistics, "SLOW", per_kg="30", reg="5", days=(12, 20))
    own_channel(logistics, "FAST", per_kg="80", reg="10", days=(3, 5))
    own_channel(logistics, "MID", per_kg="50", reg="10", days=(6, 9))
    own_channel(logistics, "BATT", per_kg="60", reg="10", days=(8, 12), accepts_battery=True)


def parcel(**kw):
    base = dict(weight_g=1000, country="US")
    base.update(kw)
    return Parcel(**base)


def test_cheapest_without_rule_explains_candidates(logistics, channels):
    choice = shopping.rate_shop_parcel(logistics, parcel())
    assert choice.quote.channel_code == "SLOW"
    assert choice.quote.total == Money(D("35.00"), "CNY")
    assert [q.channel_code for q, _ in choice.candidates] == ["SLOW", "MID", "BATT", "FAST"]
    lines = choice.explain()
    assert lines[0] == "no rule matched: cheapest"
    assert lines[-1] == "chosen SLOW: 35.00 CNY"
    assert "candidate FAST: 90.00 CNY, 3–5 days" in lines


def test_fastest_rule(logistics, channels):
    ShippingRule.objects.create(name="fast US", countries=["US"], strategy="fastest")
    choice = shopping.rate_shop_parcel(logistics, parcel())
    assert choice.quote.channel_code == "FAST"
    assert choice.rule.name == "fast US"
    # another country: the rule does not match
    assert shopping.rate_shop_parcel(logistics, parcel(country="GB")).quote.channel_code == "SLOW"


def test_cheapest_within_days(logistics, channels):
    ShippingRule.objects.create(name="10 days", strategy="cheapest_within_days", max_days=10)
    choice = shopping.rate_shop_parcel(logistics, parcel())
    assert choice.quote.channel_code == "MID"  # 9 days, 60.00; SLOW (20 d), BATT (12 d) too slow
    refused = dict(choice.refused)
    assert [r.code for r in refused["SLOW"]] == ["too_slow"]
    assert [r.code for r in refused["BATT"]] == ["too_slow"]


def test_battery_rule_restricts_and_engine_refuses(logistics, channels):
    ShippingRule.objects.create(
        name="batteries", sku_attribute="battery", channels=["BATT", "SLOW"], priority=1
    )
    choice = shopping.rate_shop_parcel(logistics, parcel(battery=True))
    assert choice.quote.channel_code == "BATT"
    refused = {code: [r.code for r in rs] for code, rs in choice.refused}
    assert refused["SLOW"] == ["battery_not_accepted"]
    assert refused["FAST"] == ["battery_not_accepted", "excluded_by_rule"]
    # no battery: the rule does not apply
    assert shopping.rate_shop_parcel(logistics, parcel()).quote.channel_code == "SLOW"


def test_value_rule_with_fx(logistics, channels):
    fx(EUR="7.70")
    # orders above EUR 150 (converted to EUR from CNY via core.fx) go FAST
    ShippingRule.objects.create(
        name="over IOSS", min_order_value=D("150.01"), value_currency="EUR", strategy="fastest"
    )
    # 1200 CNY = 155.84 EUR -> rule; 1100 CNY = 142.86 EUR -> cheapest
    high = shopping.rate_shop_parcel(logistics, parcel(), order_value=Money(D("1200"), "CNY"))
    low = shopping.rate_shop_parcel(logistics, parcel(), order_value=Money(D("1100"), "CNY"))
    assert (high.quote.channel_code, low.quote.channel_code) == ("FAST", "SLOW")
    # no rate for the currency: the rule does not match
    jpy = shopping.rate_shop_parcel(logistics, parcel(), order_value=Money(D("99999"), "JPY"))
    assert jpy.rule is None


def test_no_channel_lists_every_refusal(logistics, channels):
    choice = shopping.rate_shop_parcel(logistics, parcel(country="JP", battery=True))
    assert choice.quote is None
    refused = {code: [r.code for r in rs] for code, rs in choice.refused}
    assert refused == {
        "BATT": ["no_zone"],
        "FAST": ["battery_not_accepted", "no_zone"],
        "MID": ["battery_not_accepted", "no_zone"],
        "SLOW": ["battery_not_accepted", "no_zone"],
    }
    assert choice.explain()[-1] == "no channel can carry this parcel"


def test_box_estimate():
    items = [parcels.Item(2, 300, 200, 100, 50), parcels.Item(1, 100, 150, 120, 30)]
    # longest max(200, 150) + 10; middle max(100, 120) + 10; stack 2 x 50 + 30 + 10
    assert parcels.estimate_box(items) == (210, 130, 140)
    assert parcels.estimate_box([parcels.Item(1, 100)]) == (0, 0, 0)


def test_order_choice_stored_and_permission(logistics, cs, channels, wh_cn, make_sku):
    store = make_store()
    sku = make_sku("MUG", weight_g=500)
    order = allocated(logistics, store, wh_cn, [(sku, 2)])
    with pytest.raises(PermissionDenied):
        shopping.rate_shop_orders(cs, [order.pk])
    assert not RateChoice.objects.exists()
    (choice,) = shopping.rate_shop_orders(logistics, [order.pk])
    row = RateChoice.objects.get(order=order)
    assert row.channel.code == "SLOW" == choice.quote.channel_code
    # 2 x 500 g + box 130 x 100 x 210 mm, no divisor: 1.0 kg -> 30 + 5
    assert (row.amount, row.currency, row.chargeable_weight_g) == (D("35.0000"), "CNY", 1000)
    assert (
        row.explanation[-1].startswith("refused") or row.explanation[1] == "chosen SLOW: 35.00 CNY"
    )


def test_bulk_rate_shop_query_count_independent_of_n(logistics, channels, wh_cn, make_sku):
    store = make_store()
    skus = [make_sku(f"S{i}", weight_g=200 + i * 100) for i in range(3)]
    orders = [
        make_order(store, [(skus[i % 3], 1 + i % 2)], status="pending_shipment",
                   ship_country=("US", "GB", "JP")[i % 3])
        for i in range(300)
    ]  # fmt: skip
    shopping.shop_orders(logistics, [orders[0].pk])  # warm the compiled channel cache

    def run(n):
        with CaptureQueriesContext(connection) as ctx:
            result = shopping.shop_orders(logistics, chunk=100)
        return result, len(ctx.captured_queries)

    result, queries = run(300)
    assert result["orders"] == 300 and result["chosen"] == 200 and result["no_channel"] == 100
    assert RateChoice.objects.count() == 300
    assert RateChoice.objects.filter(channel__isnull=True, order__ship_country="JP").count() == 100
    # per chunk of 100: orders, lines, delete, insert (+ savepoint); plus a fixed overhead
    assert queries <= 3 * 6 + 12, queries
    RateChoice.objects.all().delete()
    _r, queries_big_chunk = run(300)
    assert queries_big_chunk <= queries


def test_bulk_rate_shop_job(logistics, channels, make_sku, django_capture_on_commit_callbacks):
    store = make_store()
    sku = make_sku("S", weight_g=400)
    order = make_order(store, [(sku, 1)], status="pending_shipment")
    job = shopping.start_bulk_rate_shop(logistics)
    jobs.run(job.pk)
    job.refresh_from_db()
    assert job.status == Job.Status.DONE, job.error
    assert job.result["chosen"] == 1 and job.done == 1 == job.total
    assert RateChoice.objects.get(order=order).channel.code == "SLOW"


@pytest.mark.django_db
def test_rates_cross_through_a_pivot_when_no_direct_rate():
    fx(USD="7.00", EUR="7.70")  # both quoted against CNY only
    rates = Rates()
    assert rates.convert(Money(D("70"), "USD"), "CNY") == Money(D("490.0000"), "CNY")
    # USD -> EUR: 70 x 7.00 / 7.70 = 63.6364 (no USD/EUR row is kept)
    assert rates.convert(Money(D("70"), "USD"), "EUR") == Money(D("63.6364"), "EUR")
    assert rates.convert(Money(D("70"), "USD"), "JPY") is None  # no rate at all
