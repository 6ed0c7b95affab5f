"""The provider's open API over HTTP with customers' API keys: each operation, kg/cm at the
edge, scope (another customer's number is 404), suspension, idempotency by reference and by
Idempotency-Key, "number later", refusals that write nothing, and the list's query count."""

from __future__ import annotations

import json

import pytest
from django.utils import timezone

from tradelane.accounts import services as accounts
from tradelane.api.testing import Api
from tradelane.forwarding.models import Waybill, WaybillItem, WaybillPiece
from tradelane.forwarding.partners import services as partners
from tradelane.forwarding.tests.factories import provider
from tradelane.forwarding.waybills import services
from tradelane.forwarding.waybills.schemas import WAYBILL

pytestmark = pytest.mark.django_db
BASE = "/provider"


@pytest.fixture
def p():
    ns = provider()
    for name in ("acme_user", "bolt_user", "agent_user", "service", "sales1", "hub"):
        user = getattr(ns, name)
        _key, raw = accounts.create_api_key(user, user=user, name="erp")
        setattr(ns, name.removesuffix("_user") + "_api", Api(key=raw))
    return ns


def waybill(reference: str = "SO-1", **over) -> dict:
    """One waybill as the API takes it (kg, cm)."""
    return {**json.loads(json.dumps(WAYBILL)), "reference": reference, **over}


def counts():
    return (Waybill.objects.count(), WaybillPiece.objects.count(), WaybillItem.objects.count())


def create(api, *items, **extra):
    return api.post(f"{BASE}/waybills", {"waybills": list(items), **extra})


def created_number(api, reference="SO-1", **over) -> str:
    r = create(api, waybill(reference, **over))
    assert r.status_code == 200, r.json()
    (item,) = r.json()["items"]
    assert item["result"] == "created", item
    return item["number"]


# --- channels and quotes --------------------------------------------------------------------


def test_channels_open_to_the_customer(p):
    r = p.acme_api.get(f"{BASE}/channels")
    assert r.status_code == 200
    assert r.json() == {
        "channels": [
            {"code": "EUPOST", "name": "EUPOST line", "transit_days_min": 6,
             "transit_days_max": 10, "destinations": []},
            {"code": "USLINE", "name": "USLINE line", "transit_days_min": 6,
             "transit_days_max": 10, "destinations": []},
        ]
    }  # fmt: skip
    bolt = p.bolt_api.get(f"{BASE}/channels").json()["channels"]
    assert [c["code"] for c in bolt] == ["BATT", "EUPOST", "USLINE"]


def test_quote_is_the_customers_sale_price_cheapest_first_never_a_cost(p):
    body = {
        "consignee": {"country": "US", "postcode": "10118", "city": "New York"},
        "pieces": [{"weight_kg": "1.2", "length_cm": "30", "width_cm": "20", "height_cm": "10"}],
        "declared_value": "25.00", "declared_currency": "USD",
    }  # fmt: skip
    r = p.acme_api.post(f"{BASE}/quote", body)
    assert r.status_code == 200, r.json()
    usline, eupost = r.json()["offers"]
    # ACME's own sheet on USLINE: 55/kg x 1.2 kg + 10 registration
    assert usline == {
        "channel": "USLINE", "name": "USLINE line", "ok": True,
        "price": {"amount": "76.00", "currency": "CNY"},
        "charges": usline["charges"], "chargeable_weight_kg": "1.200",
        "transit_days_min": 6, "transit_days_max": 10, "reasons": [],
    }  # fmt: skip
    assert sum(float(c["amount"]) for c in usline["charges"]) == 76.0
    assert {c["currency"] for c in usline["charges"]} == {"CNY"}
    assert (eupost["channel"], eupost["ok"], eupost["price"]) == ("EUPOST", False, None)
    assert [x["code"] for x in eupost["reasons"]] == ["no_zone"]
    # the cost (40/kg + 8 = 56.00) is never shown
    assert "56.00" not in r.content.decode() and "cost" not in r.content.decode()
    # BOLT is VIP: 50/kg + 9
    bolt = p.bolt_api.post(f"{BASE}/quote", body).json()["offers"]
    assert bolt[0]["channel"] == "USLINE" and bolt[0]["price"]["amount"] == "69.00"


def test_quote_refuses_an_unknown_country_and_a_value_without_currency(p):
    base = {"consignee": {"country": "ZZ"}, "pieces": [{"weight_kg": 1}]}
    r = p.acme_api.post(f"{BASE}/quote", base)
    assert (r.status_code, r.json()["code"]) == (422, "invalid_country")
    r = p.acme_api.post(f"{BASE}/quote", {**base, "consignee": {"country": "US"},
                                          "declared_value": "5"})  # fmt: skip
    assert (r.status_code, r.json()["code"]) == (422, "currency_required")


# --- creating -------------------------------------------------------------------------------


def test_create_converts_kg_and_cm_and_answers_number_later(p):
    r = create(p.acme_api, waybill())
    assert r.status_code == 200
    body = r.json()
    (item,) = body["items"]
    assert (body["created"], body["existing"], body["rejected"]) == (1, 0, 0)
    assert item == {
        "index": 0, "reference": "SO-1", "result": "created", "number": item["number"],
        "tracking_number": None, "tracking_status": "pending", "errors": [],
    }  # fmt: skip
    w = Waybill.objects.get(number=item["number"])
    assert (w.source, w.forecast_weight_g, w.customer_id) == ("api", 1200, p.acme.pk)
    assert [(x.weight_g, x.length_mm, x.width_mm, x.height_mm) for x in w.piece_rows.all()] == [
        (1200, 300, 200, 100)
    ]
    assert [(i.unit_weight_g, i.name_zh) for i in w.items.all()] == [(250, "棉T恤")]


def test_batch_has_a_result_per_item_and_refused_items_write_nothing(p):
    bad_phone = waybill("SO-2")
    bad_phone["consignee"] = {**bad_phone["consignee"], "phone": "12"}
    r = create(p.acme_api, waybill("SO-1"), bad_phone, waybill("SO-3", channel="BATT"))
    body = r.json()
    assert (r.status_code, body["created"], body["existing"], body["rejected"]) == (200, 1, 0, 2)
    assert [(i["index"], i["reference"], i["result"]) for i in body["items"]] == [
        (0, "SO-1", "created"), (1, "SO-2", "rejected"), (2, "SO-3", "rejected"),
    ]  # fmt: skip
    assert body["items"][1]["errors"] == [{
        "field": "consignee.phone", "code": "invalid_phone",
        "message": "'12' is not a valid phone number for US",
    }]  # fmt: skip
    assert body["items"][2]["errors"] == [{
        "field": "channel", "code": "channel_not_open",
        "message": "Channel BATT is not open to this customer",
    }]  # fmt: skip
    assert body["items"][1]["number"] is None and body["items"][2]["tracking_status"] is None
    assert list(Waybill.objects.values_list("reference", flat=True)) == ["SO-1"]
    assert counts() == (1, 1, 1)


def test_all_or_nothing_writes_nothing(p):
    r = create(p.acme_api, waybill("SO-1"), waybill("SO-2", channel="BATT"), all_or_nothing=True)
    assert [(i["result"], i["errors"][0]["code"]) for i in r.json()["items"]] == [
        ("rejected", "batch_rejected"), ("rejected", "channel_not_open"),
    ]  # fmt: skip
    assert counts() == (0, 0, 0)


def test_a_batch_over_500_is_refused_whole(p):
    r = create(p.acme_api, *[waybill(f"SO-{i}") for i in range(501)])
    assert r.status_code == 422
    assert r.json() == {
        "code": "batch_too_large", "message": "At most 500 waybills per request",
        "details": {"max": 500, "sent": 501},
    }  # fmt: skip
    assert counts() == (0, 0, 0)


def test_bad_units_are_refused_before_anything_is_written(p):
    r = create(p.acme_api, waybill(pieces=[{"weight_kg": "0.0005"}]))
    assert r.status_code == 422 and r.json()["code"] == "validation_error"
    assert r.json()["details"][0]["field"] == "waybills.0.pieces.0.weight_kg"
    r = create(p.acme_api, waybill(pieces=[{"weight_kg": "1001"}]))
    assert r.status_code == 422
    assert counts() == (0, 0, 0)


def test_duplicate_reference_same_body_is_existing_other_body_is_a_conflict(p):
    number = created_number(p.acme_api)
    again = create(p.acme_api, waybill()).json()
    assert (again["existing"], again["items"][0]["result"]) == (1, "existing")
    assert again["items"][0]["number"] == number
    other = create(p.acme_api, waybill(note="leave at the door")).json()
    (item,) = other["items"]
    assert (other["rejected"], item["result"], item["number"]) == (1, "rejected", None)
    assert item["errors"] == [{
        "field": "reference", "code": "reference_conflict",
        "message": f"Waybill {number} already has reference SO-1 with other contents",
    }]  # fmt: skip
    assert counts() == (1, 1, 1)
    assert Waybill.objects.get().note == ""
    shown = p.acme_api.get(f"{BASE}/waybills/by-reference/SO-1").json()
    assert (shown["number"], shown["reference"]) == (number, "SO-1")
    assert p.acme_api.get(f"{BASE}/waybills/{number}").json() == shown


def test_idempotency_key_replays_the_first_answer(p):
    first = p.acme_api.post(f"{BASE}/waybills", {"waybills": [waybill()]},
                            **{"Idempotency-Key": "push-1"})  # fmt: skip
    again = p.acme_api.post(f"{BASE}/waybills", {"waybills": [waybill()]},
                            **{"Idempotency-Key": "push-1"})  # fmt: skip
    assert first.status_code == again.status_code == 200
    assert again["Idempotent-Replayed"] == "true"
    assert again.json() == first.json() and again.json()["items"][0]["result"] == "created"
    other = p.acme_api.post(f"{BASE}/waybills", {"waybills": [waybill("SO-2")]},
                            **{"Idempotency-Key": "push-1"})  # fmt: skip
    assert other.status_code == 422
    assert counts() == (1, 1, 1)


def test_a_suspended_customer_is_refused_and_nothing_is_written(p):
    number = created_number(p.acme_api)
    partners.set_customer_status(p.admin, p.acme, "suspended")
    r = create(p.acme_api, waybill("SO-2"))
    assert (r.status_code, r.json()["code"]) == (403, "customer_suspended")
    assert (
        p.acme_api.post(
            f"{BASE}/quote", {"consignee": {"country": "US"}, "pieces": [{"weight_kg": 1}]}
        ).status_code
        == 403
    )
    assert counts() == (1, 1, 1)
    # its existing waybills stay readable
    assert p.acme_api.get(f"{BASE}/waybills/{number}").status_code == 200


# --- reading --------------------------------------------------------------------------------


def test_another_customers_waybill_is_not_found(p):
    number = created_number(p.acme_api)
    created_number(p.bolt_api, "SO-B")
    for path in (f"/waybills/{number}", f"/waybills/{number}/tracking",
                 f"/waybills/{number}/label", "/waybills/by-reference/SO-1"):  # fmt: skip
        r = p.bolt_api.get(BASE + path)
        assert (r.status_code, r.json()["code"]) == (404, "waybill_not_found"), path
    for action in ("cancel", "intercept"):
        r = p.bolt_api.post(f"{BASE}/waybills/{number}/{action}", {"reason": "mine?"})
        assert (r.status_code, r.json()["code"]) == (404, "waybill_not_found")
    assert Waybill.objects.get(number=number).status == "created"
    listed = p.bolt_api.get(f"{BASE}/waybills").json()
    assert [w["reference"] for w in listed["items"]] == ["SO-B"]
    # naming another customer does not widen a portal key's scope
    r = p.bolt_api.get(f"{BASE}/waybills", {"customer": "ACME"})
    assert (r.status_code, r.json()["code"]) == (404, "customer_not_found")


def test_get_shows_the_waybill_as_the_contract_says(p):
    number = created_number(p.acme_api)
    w = p.acme_api.get(f"{BASE}/waybills/{number}").json()
    assert w == {
        "number": number, "reference": "SO-1", "customer": "ACME", "channel": "USLINE",
        "status": "created", "tracking_number": None, "tracking_status": "pending",
        "last_mile_carrier": None, "last_mile_number": None, "pieces": 1,
        "forecast_weight_kg": "1.200", "measured_weight_kg": None,
        "chargeable_weight_kg": "1.200", "price": {"amount": "76.00", "currency": "CNY"},
        "charges": w["charges"], "consignee_country": "US", "intercept_requested": False,
        "created_at": w["created_at"], "updated_at": w["updated_at"],
    }  # fmt: skip
    assert all(set(c) == {"code", "amount", "currency"} for c in w["charges"])


def test_list_filters_pages_and_a_bounded_number_of_queries(p, django_assert_max_num_queries):
    numbers = [created_number(p.acme_api, f"SO-{i}") for i in range(3)]
    services.cancel_waybill(p.acme_user, Waybill.objects.get(number=numbers[1]))
    r = p.acme_api.get(f"{BASE}/waybills", {"limit": 2})
    body = r.json()
    assert (body["count"], body["limit"], body["offset"]) == (3, 2, 0)
    assert [w["number"] for w in body["items"]] == [numbers[2], numbers[1]]
    assert [w["number"] for w in p.acme_api.get(
        f"{BASE}/waybills", {"status": "cancelled"}).json()["items"]] == [numbers[1]]  # fmt: skip
    # the days are the installation's (Asia/Shanghai), not UTC's: 16:00 UTC is already tomorrow
    created = Waybill.objects.get(number=numbers[0]).created_at
    today = timezone.localdate(created).isoformat()
    assert (
        p.acme_api.get(f"{BASE}/waybills", {"created_from": today, "created_to": today}).json()[
            "count"
        ]
        == 3
    )
    assert p.acme_api.get(f"{BASE}/waybills", {"created_to": "2020-01-01"}).json()["count"] == 0
    assert [w["reference"] for w in p.acme_api.get(
        f"{BASE}/waybills", {"q": numbers[0]}).json()["items"]] == ["SO-0"]  # fmt: skip
    r = p.acme_api.get(f"{BASE}/waybills", {"status": "lost"})
    assert r.status_code == 422
    with django_assert_max_num_queries(8):
        few = p.acme_api.get(f"{BASE}/waybills", {"limit": 50})
    for i in range(3, 23):
        created_number(p.acme_api, f"SO-{i}")
    with django_assert_max_num_queries(8):
        many = p.acme_api.get(f"{BASE}/waybills", {"limit": 50})
    assert (few.json()["count"], many.json()["count"]) == (3, 23)


# --- cancel, intercept, tracking, labels ----------------------------------------------------


def test_cancel_before_inbound_then_not_after(p):
    number = created_number(p.acme_api)
    r = p.acme_api.post(f"{BASE}/waybills/{number}/cancel")
    assert (r.status_code, r.json()["status"], r.json()["number"]) == (200, "cancelled", number)
    other = created_number(p.acme_api, "SO-2")
    services.receive(p.hub, Waybill.objects.get(number=other), weight_g=1500)
    r = p.acme_api.post(f"{BASE}/waybills/{other}/cancel")
    assert (r.status_code, r.json()["code"]) == (409, "not_cancellable")
    assert Waybill.objects.get(number=other).status == "received"


def test_intercept_after_inbound_only(p):
    number = created_number(p.acme_api)
    r = p.acme_api.post(f"{BASE}/waybills/{number}/intercept", {"reason": "buyer cancelled"})
    assert (r.status_code, r.json()["code"]) == (409, "cancel_instead")
    services.receive(p.hub, Waybill.objects.get(number=number), weight_g=1500)
    r = p.acme_api.post(f"{BASE}/waybills/{number}/intercept", {"reason": "buyer cancelled"})
    # the hub holds it at once (hub.holds): the answer shows it held
    assert (r.status_code, r.json()["intercept_requested"], r.json()["status"]) == (
        200, True, "held",
    )  # fmt: skip
    assert r.json()["measured_weight_kg"] == "1.500"
    assert Waybill.objects.get(number=number).intercept_reason == "buyer cancelled"


def test_number_later_then_tracking_and_labels(p):
    number = created_number(p.acme_api)
    r = p.acme_api.get(f"{BASE}/waybills/{number}/label")
    assert (r.status_code, r.json()["code"]) == (409, "tracking_number_pending")
    assert r.json()["details"] == {"numbers": [number]}
    w = Waybill.objects.get(number=number)
    services.assign_numbers(p.hub, w, last_mile_carrier="USPS",
                            last_mile_number="9400100000000000000001")  # fmt: skip
    shown = p.acme_api.get(f"{BASE}/waybills/{number}").json()
    assert (shown["tracking_number"], shown["tracking_status"], shown["last_mile_carrier"]) == (
        "9400100000000000000001", "assigned", "USPS",
    )  # fmt: skip
    pdf = p.acme_api.get(f"{BASE}/waybills/{number}/label")
    assert (pdf.status_code, pdf["Content-Type"]) == (200, "application/pdf")
    assert pdf.content.startswith(b"%PDF")
    zpl = p.acme_api.get(f"{BASE}/waybills/{number}/label", {"format": "zpl"})
    assert zpl["Content-Type"] == "text/plain; charset=utf-8"
    text = zpl.content.decode()
    assert text.startswith("^XA") and "9400100000000000000001" in text
    track = p.acme_api.get(f"{BASE}/waybills/{number}/tracking").json()
    assert track == {
        "number": number, "tracking_number": "9400100000000000000001",
        "last_mile_carrier": "USPS", "last_mile_number": "9400100000000000000001",
        "status": "created", "events": [{
            "status": "info_received", "description": "Waybill created, waiting for the parcel",
            "location": "", "occurred_at": track["events"][0]["occurred_at"],
            "source": "provider",
        }],
    }  # fmt: skip
    # a system that kept only the number on the label finds the waybill by it too
    assert p.acme_api.get(f"{BASE}/waybills/9400100000000000000001/tracking").json() == track
    assert p.acme_api.get(f"{BASE}/waybills/9400100000000000000001").json()["number"] == number
    # and another customer does not, by any of its numbers
    for n in (number, "9400100000000000000001"):
        r = p.bolt_api.get(f"{BASE}/waybills/{n}/tracking")
        assert (r.status_code, r.json()["code"]) == (404, "waybill_not_found")


# --- webhook --------------------------------------------------------------------------------


def test_set_webhook_shows_the_secret_once(p):
    r = p.acme_api._send("put", f"{BASE}/webhook", {"url": "https://erp.example.com/hook"})
    assert r.status_code == 200 and r["Cache-Control"] == "no-store"
    body = r.json()
    p.acme.refresh_from_db()
    assert body == {"url": "https://erp.example.com/hook", "secret": p.acme.webhook_secret}
    assert len(body["secret"]) == 48
    r = p.acme_api._send("put", f"{BASE}/webhook", {"url": "ftp://nope"})
    assert (r.status_code, r.json()["code"]) == (422, "invalid_url")
    p.acme.refresh_from_db()
    assert p.acme.webhook_url == "https://erp.example.com/hook"


# --- staff keys -----------------------------------------------------------------------------


def test_staff_keys_name_the_customer_in_their_scope(p):
    r = create(p.service_api, waybill())
    assert (r.status_code, r.json()["code"]) == (403, "customer_required")
    r = p.service_api.post(f"{BASE}/waybills?customer=BOLT", {"waybills": [waybill()]})
    assert r.json()["created"] == 1
    assert Waybill.objects.get().customer_id == p.bolt.pk
    # sales1 has ACME only: BOLT is not found, and a sales key may not change waybills
    r = p.sales1_api.get(f"{BASE}/channels", {"customer": "BOLT"})
    assert (r.status_code, r.json()["code"]) == (404, "customer_not_found")
    assert p.sales1_api.get(f"{BASE}/channels", {"customer": "ACME"}).status_code == 200
    number = Waybill.objects.get().number
    assert p.service_api.get(f"{BASE}/waybills/{number}").status_code == 200
    assert p.service_api.get(f"{BASE}/waybills/{number}",
                             {"customer": "ACME"}).status_code == 404  # fmt: skip
    assert p.sales1_api.get(f"{BASE}/waybills/{number}").status_code == 404
    r = p.hub_api.post(f"{BASE}/waybills/{number}/cancel")
    assert (r.status_code, r.json()["code"]) == (403, "permission_denied")
    assert Waybill.objects.get().status == "created"


def test_an_agent_key_reads_its_customers_but_creates_nothing(p):
    created_number(p.acme_api)
    listed = p.agent_api.get(f"{BASE}/waybills").json()
    assert [w["customer"] for w in listed["items"]] == ["ACME"]
    r = p.agent_api.post(f"{BASE}/waybills?customer=ACME", {"waybills": [waybill("SO-2")]})
    assert (r.status_code, r.json()["code"]) == (403, "permission_denied")
    assert counts() == (1, 1, 1)


def test_no_key_is_401(p):
    r = Api().get(f"{BASE}/channels")
    assert (r.status_code, r.json()["code"]) == (401, "not_authenticated")


# --- the documentation ----------------------------------------------------------------------


def provider_operations() -> set[str]:
    from tradelane.api.root import api

    doc = api.get_openapi_schema()
    return {op["operationId"] for path, ops in doc["paths"].items() for op in ops.values()
            if "provider" in op.get("tags", ())}  # fmt: skip


def test_the_collection_lists_every_provider_operation_and_no_secret(p):
    r = Api().get(f"{BASE}/collection.json")
    assert r.status_code == 200
    col = r.json()
    assert col["info"]["schema"].endswith("/v2.1.0/collection.json")
    assert {i["id"] for i in col["item"]} == provider_operations()
    assert len(col["item"]) == 13
    assert {v["key"]: v["value"] for v in col["variable"]} == {
        "baseUrl": "http://testserver", "apiKey": "",
    }  # fmt: skip
    by_id = {i["id"]: i["request"] for i in col["item"]}
    create_req = by_id["provider_waybills_create"]
    assert create_req["method"] == "POST"
    assert create_req["url"]["raw"] == "{{baseUrl}}/api/v1/provider/waybills"
    assert json.loads(create_req["body"]["raw"])["waybills"][0]["reference"] == "SO-10001"
    assert by_id["provider_waybills_get"]["url"]["path"][-1] == ":number"
    labels = by_id["provider_labels"]
    assert (labels["method"], labels["url"]["raw"]) == (
        "POST",
        "{{baseUrl}}/api/v1/provider/labels",
    )
    assert json.loads(labels["body"]["raw"]) == {"numbers": ["TL2601010000001", "SO-10001"],
                                                 "format": "pdf"}  # fmt: skip
    assert by_id["provider_collection"]["auth"] == {"type": "noauth"}
    assert "tl_" not in r.content.decode() and "secret" not in json.dumps(col["variable"])


def test_the_openapi_examples_are_accepted_as_they_are(p):
    from tradelane.api.root import api

    comps = api.get_openapi_schema()["components"]["schemas"]
    example = comps["ProviderWaybillsIn"]["examples"][0]
    r = p.acme_api.post(f"{BASE}/waybills", example)
    assert r.json()["created"] == 1
    quote = comps["ProviderQuoteIn"]["examples"][0]
    assert p.acme_api.post(f"{BASE}/quote", quote).json()["offers"][0]["ok"] is True
