from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from tradelane.accounts.models import BlockedBuyer
from tradelane.core.errors import PermissionDenied
from tradelane.core.models import FxRate, StateEvent
from tradelane.orders.models import Order
from tradelane.orders.review import review_orders

from .factories import make_order, make_store

pytestmark = pytest.mark.django_db


@pytest.fixture
def store(company):
    FxRate.objects.create(
        base="USD", quote="CNY", rate=Decimal("7.1"), date="2026-11-20", source="test"
    )
    return make_store()


def verdicts(order):
    order.refresh_from_db()
    return {v["rule"]: (v["result"], v["code"]) for v in order.review}


def test_clean_order_is_approved_with_every_verdict_stored(cs, store, make_sku):
    order = make_order(store, [(make_sku("A"), 1)])
    assert review_orders(cs, [order.pk]) == {
        "approved": 1,
        "pending_contact": 0,
        "invalid": 0,
        "skipped": 0,
    }
    assert verdicts(order) == {
        "lines": ("pass", "ok"),
        "address": ("pass", "ok"),
        "phone": ("pass", "ok"),
        "payment": ("pass", "ok"),
        "duplicate": ("pass", "ok"),
        "high_value": ("pass", "ok"),
        "blocked_buyer": ("pass", "ok"),
    }
    assert order.status == "approved"
    event = StateEvent.objects.get(entity="orders.order", object_id=order.pk)
    assert (event.from_state, event.to_state, event.actor) == ("pending_review", "approved", cs)
    assert event.reason == "review: all rules passed"


@pytest.mark.parametrize(
    "fields, rule, expected",
    [
        (dict(ship_postcode="1"), "address", ("contact", "address_not_deliverable")),
        (dict(ship_state="NY"), "address", ("contact", "address_not_deliverable")),
        (dict(ship_country="XX"), "address", ("invalid", "unknown_country")),
        (dict(ship_address1=" "), "address", ("invalid", "missing_street_or_name")),
        (dict(ship_phone="123", buyer_phone=""), "phone", ("contact", "phone_invalid")),
        (dict(ship_phone="", buyer_phone=""), "phone", ("contact", "phone_missing")),
        (dict(payment_status="pending"), "payment", ("contact", "payment_not_captured")),
        (dict(payment_status="voided"), "payment", ("invalid", "payment_voided")),
        (dict(grand_total=Decimal("800")), "high_value", ("contact", "high_value")),
    ],
)
def test_each_rule(cs, store, make_sku, fields, rule, expected):
    order = make_order(store, [(make_sku("A"), 1)], **fields)
    review_orders(cs, [order.pk])
    assert verdicts(order)[rule] == expected
    assert order.status == {"contact": "pending_contact", "invalid": "invalid"}[expected[0]]


def test_unmapped_line_is_invalid(cs, store, make_sku):
    order = make_order(store, [(make_sku("A"), 1), (None, 2)])
    review_orders(cs, [order.pk])
    assert verdicts(order)["lines"] == ("invalid", "unmapped_sku")
    assert order.status == "invalid"


def test_duplicate_flags_only_the_later_order_within_the_window(cs, store, make_sku):
    sku = make_sku("A")
    now = timezone.now()
    first = make_order(store, [(sku, 1)], fingerprint="same", placed_at=now - timedelta(hours=2))
    second = make_order(store, [(sku, 1)], fingerprint="same", placed_at=now)
    old = make_order(store, [(sku, 1)], fingerprint="old", placed_at=now - timedelta(days=10))
    late = make_order(store, [(sku, 1)], fingerprint="old", placed_at=now)
    review_orders(cs, [first.pk, second.pk, old.pk, late.pk])
    assert verdicts(first)["duplicate"] == ("pass", "ok")
    assert verdicts(second)["duplicate"] == ("contact", "possible_duplicate")
    assert verdicts(late)["duplicate"] == ("pass", "ok")  # 10 days apart: outside 72 h


def test_an_earlier_order_no_longer_open_is_not_a_duplicate(cs, store, make_sku):
    sku = make_sku("A")
    now = timezone.now()
    make_order(
        store, [(sku, 1)], status="cancelled", fingerprint="fp", placed_at=now - timedelta(hours=2)
    )
    make_order(
        store, [(sku, 1)], status="shipped", fingerprint="fp", placed_at=now - timedelta(hours=1)
    )
    later = make_order(store, [(sku, 1)], fingerprint="fp", placed_at=now)
    review_orders(cs, [later.pk])
    assert verdicts(later)["duplicate"] == ("pass", "ok")
    waiting = make_order(
        store, [(sku, 1)], status="pending_shipment", fingerprint="fp",
        placed_at=now - timedelta(minutes=30),
    )  # fmt: skip
    review_orders(cs, [later.pk])
    assert verdicts(later)["duplicate"] == ("contact", "possible_duplicate")
    rules = {v["rule"]: v for v in later.review}
    assert rules["duplicate"]["detail"] == str(waiting.pk)  # not gone, not shipped


def test_blocked_buyer_waits_for_contact(cs, store, make_sku):
    BlockedBuyer.objects.create(email="fraud@example.com")
    order = make_order(store, [(make_sku("A"), 1)], buyer_email="Fraud@Example.com")
    review_orders(cs, [order.pk])
    assert verdicts(order)["blocked_buyer"] == ("contact", "blocked_buyer")


def test_rerun_moves_approved_back_when_a_rule_fails_and_skips_shipped(cs, store, make_sku):
    order = make_order(store, [(make_sku("A"), 1)])
    review_orders(cs, [order.pk])
    BlockedBuyer.objects.create(email=order.buyer_email)
    shipped = make_order(store, [(make_sku("B"), 1)], status="shipped")
    assert review_orders(cs, [order.pk, shipped.pk]) == {
        "approved": 0,
        "pending_contact": 1,
        "invalid": 0,
        "skipped": 1,
    }
    order.refresh_from_db()
    assert order.status == "pending_contact"
    shipped.refresh_from_db()
    assert shipped.review == [] and shipped.status == "shipped"


def test_refused_without_permission_changes_nothing(warehouse_user, store, make_sku):
    order = make_order(store, [(make_sku("A"), 1)])
    with pytest.raises(PermissionDenied):
        review_orders(warehouse_user, [order.pk])
    order.refresh_from_db()
    assert (order.status, order.review, StateEvent.objects.count()) == ("pending_review", [], 0)


def test_review_is_set_based(cs, store, make_sku, django_assert_max_num_queries):
    sku = make_sku("A")
    ids = [make_order(store, [(sku, 1)]).pk for _ in range(60)]
    with django_assert_max_num_queries(20):
        review_orders(cs, ids)
    assert Order.objects.filter(status="approved").count() == 60


def test_a_missing_fx_rate_is_a_setting_not_the_buyers_fault(cs, company, make_sku):
    """A fresh installation has no rates: a foreign-currency order is not sent to pending
    contact as "high value" (it used to be: no_fx_rate, contact); the rule passes unchecked
    and says why, and the home page alerts (see web tests)."""
    store = make_store()
    order = make_order(store, [(make_sku("A"), 1)], currency="USD", grand_total=Decimal("25"))
    assert review_orders(cs, [order.pk])["approved"] == 1
    assert verdicts(order)["high_value"] == ("pass", "fx_rate_missing")
    assert order.status == "approved"
    v = next(v for v in order.review if v["rule"] == "high_value")
    assert v["detail"] == "USD -> CNY"
    event = StateEvent.objects.get(entity="orders.order", object_id=order.pk)
    assert event.reason == "review: all rules passed"  # nothing about the buyer
    # once the rate is there, the value is checked again
    FxRate.objects.create(base="USD", quote="CNY", rate=Decimal("7.1"), date="2026-11-20")
    big = make_order(store, [(make_sku("B"), 1)], currency="USD", grand_total=Decimal("800"))
    review_orders(cs, [big.pk])
    assert verdicts(big)["high_value"] == ("contact", "high_value")


def _review_outcome(cs, orders, ids):
    counts = review_orders(cs, ids)
    rows = {o.pk: (o.status, o.review) for o in Order.objects.filter(pk__in=[x.pk for x in orders])}
    events = sorted(
        StateEvent.objects.filter(entity="orders.order").values_list(
            "object_id", "from_state", "to_state", "reason"
        )
    )
    return counts, rows, events


@pytest.mark.parametrize("dense", [True, False])
def test_a_slice_of_ids_reviews_those_ids_only_by_range_or_by_list(
    cs, store, make_sku, monkeypatch, dense
):
    # The range read (ids filling their range) and the IN-list read give the same outcome:
    # the order between the ids asked for, and the shipped one, are left as they are.
    from tradelane.orders import review

    if not dense:
        monkeypatch.setattr(review, "dense_range", lambda ids: None)
    sku = make_sku("A")
    orders = [make_order(store, [(sku, 1)]) for _ in range(3)]
    orders.append(make_order(store, [(sku, 1), (None, 1)]))  # unmapped: invalid
    orders.append(make_order(store, [(sku, 1)], status="shipped"))
    ids = [orders[0].pk, orders[2].pk, orders[3].pk, orders[4].pk]
    counts, rows, events = _review_outcome(cs, orders, ids)
    assert counts == {"approved": 2, "pending_contact": 0, "invalid": 1, "skipped": 1}
    assert {pk: status for pk, (status, _) in rows.items()} == {
        orders[0].pk: "approved",
        orders[1].pk: "pending_review",  # between the ids, not asked for
        orders[2].pk: "approved",
        orders[3].pk: "invalid",
        orders[4].pk: "shipped",
    }
    assert rows[orders[1].pk][1] == []
    assert [e[0] for e in events] == [orders[0].pk, orders[2].pk, orders[3].pk]


@pytest.mark.parametrize("whole", [True, False])
def test_the_block_list_read_whole_or_per_chunk_blocks_the_same_buyers(
    cs, store, make_sku, monkeypatch, whole
):
    from tradelane.orders import review

    monkeypatch.setattr(review, "BLOCK_LIST_READ_WHOLE", 10 if whole else 0)
    BlockedBuyer.objects.create(email="fraud@example.com")
    BlockedBuyer.objects.create(phone="+44 20 7946 0000")
    sku = make_sku("A")
    by_email = make_order(store, [(sku, 1)], buyer_email=" Fraud@Example.com")
    by_phone = make_order(store, [(sku, 1)], buyer_phone="+44 20 7946 0000")
    other_case = make_order(store, [(sku, 1)], buyer_email="fraud@example.org")
    assert review_orders(cs, [by_email.pk, by_phone.pk, other_case.pk]) == {
        "approved": 1,
        "pending_contact": 2,
        "invalid": 0,
        "skipped": 0,
    }
    assert verdicts(by_email)["blocked_buyer"] == ("contact", "blocked_buyer")
    assert verdicts(by_phone)["blocked_buyer"] == ("contact", "blocked_buyer")
    assert verdicts(other_case)["blocked_buyer"] == ("pass", "ok")
