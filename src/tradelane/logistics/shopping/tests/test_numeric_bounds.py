"""Oversized numbers never reach the rate-shopping configuration (rules, customs thresholds).

On SQLite a rule saved with ``max_order_value`` 1e30 poisoned the table: every later read of
it raised in Django's decimal converter, so the rule list, rate shopping and ``POST
/shipments`` all answered 500. Now the API's schemas and the service both refuse it first.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from tradelane.accounts import roles
from tradelane.api.testing import role_clients
from tradelane.core.errors import ValidationFailed
from tradelane.core.models import AuditLog
from tradelane.logistics.models import CustomsThreshold, ShippingRule, StoreCustomsNumber
from tradelane.logistics.shopping import configuration as shipping_config
from tradelane.logistics.tests.shipfix import own_channel
from tradelane.orders.tests.factories import make_store

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_rate_cache")]


@pytest.fixture
def api_as(make_user):
    return role_clients(make_user)


def _rules():
    return list(ShippingRule.objects.values_list("id", "name", "max_order_value"))


@pytest.mark.parametrize("value", ["1e30", 1e30, "100000000000000", 10**15, "-1"])
def test_an_oversized_order_value_is_refused_and_rate_shopping_still_works(
    api_as, logistics, value
):
    own_channel(logistics, "SLOW", per_kg="30", reg="5", days=(12, 20))
    api = api_as(roles.LOGISTICS)
    before = _rules()
    r = api.post("/shipping-rules", {"name": "big", "max_order_value": value})
    assert r.status_code == 422, r.json()
    assert r.json()["code"] == "validation_error"
    assert [d["field"] for d in r.json()["details"]] == ["max_order_value"]
    assert _rules() == before
    assert not AuditLog.objects.filter(action="logistics.rule.create").exists()
    # every read of the rules still works
    assert api.get("/shipping-rules").status_code == 200
    r = api.post("/rate-shop", {"parcel": {"weight_kg": "1", "country": "US"}})
    assert r.status_code == 200, r.json()


def test_a_patch_is_bounded_like_a_create(api_as):
    api = api_as(roles.LOGISTICS)
    rid = api.post("/shipping-rules", {"name": "ok", "max_order_value": "150"}).json()["id"]
    before = _rules()
    for body in ({"max_order_value": "1e30"}, {"priority": 2**31}, {"max_days": 366}):
        r = api.patch(f"/shipping-rules/{rid}", body)
        assert r.status_code == 422, body
        assert [d["field"] for d in r.json()["details"]] == list(body)
    assert _rules() == before
    r = api.patch(f"/shipping-rules/{rid}", {"max_order_value": "99999999999.9999"})
    assert r.status_code == 200, r.json()
    assert ShippingRule.objects.get(pk=rid).max_order_value == Decimal("99999999999.9999")


@pytest.mark.parametrize(
    "body, field",
    [
        ({"amount": "1e17"}, "amount"),
        ({"amount": 10**17}, "amount"),
        ({"max_weight_g": 1.7e22}, "max_weight_g"),  # was an OverflowError
        ({"max_weight_g": 2**31}, "max_weight_g"),
        ({"max_weight_g": -1}, "max_weight_g"),
    ],
)
def test_customs_thresholds_are_bounded(api_as, body, field):
    api = api_as(roles.LOGISTICS)
    before = CustomsThreshold.objects.count()
    valid = {"destination": "GB", "kind": "de_minimis", "amount": "135", "currency": "GBP",
             "effective_from": "2026-01-01"}  # fmt: skip
    r = api.post("/customs-thresholds", {**valid, **body})
    assert r.status_code == 422, r.json()
    assert [d["field"] for d in r.json()["details"]] == [field]
    assert CustomsThreshold.objects.count() == before
    assert api.get("/customs-thresholds").status_code == 200
    assert api.post("/customs-thresholds", valid).status_code == 201


def test_the_service_refuses_what_the_web_forms_or_a_patch_would_send(logistics):
    """``shopping.configuration`` is the one writer of these rows (API, web pages): it checks every
    number against its column itself."""
    with pytest.raises(ValidationFailed) as caught:
        shipping_config.create_config(
            logistics, "rule", name="big", max_order_value=Decimal("1e30"), priority=2**40
        )
    assert caught.value.code == "out_of_range"
    assert {d["field"] for d in caught.value.details} == {"max_order_value", "priority"}
    rule = shipping_config.create_config(logistics, "rule", name="ok")
    with pytest.raises(ValidationFailed):
        shipping_config.update_config(logistics, "rule", rule.pk, min_order_value=Decimal("1e14"))
    with pytest.raises(ValidationFailed):
        shipping_config.create_config(
            logistics, "threshold", destination="GB", kind="cn22", amount=Decimal(1),
            currency="GBP", effective_from="2026-01-01", max_weight_g=17 * 10**21,
        )  # fmt: skip
    assert list(ShippingRule.objects.values_list("name", "min_order_value")) == [("ok", None)]


def test_a_rule_or_customs_number_for_an_unknown_store_is_refused(api_as):
    """The store is checked: SQLite does not check the foreign key until the end of the
    transaction, so the row was written pointing at nothing."""
    api = api_as(roles.ADMIN)  # a store's customs numbers are a store setting
    store = make_store()
    for path, body in (
        ("/shipping-rules", {"name": "x", "store_id": store.pk + 1000}),
        ("/store-customs-numbers", {"store_id": store.pk + 1000, "destination": "GB",
                                    "kind": "vat", "number": "GB123456789"}),
    ):  # fmt: skip
        r = api.post(path, body)
        assert (r.status_code, r.json()["code"]) == (422, "unknown_store"), path
    assert not ShippingRule.objects.exists() and not StoreCustomsNumber.objects.exists()
    assert api.post("/shipping-rules", {"name": "x", "store_id": store.pk}).status_code == 201
