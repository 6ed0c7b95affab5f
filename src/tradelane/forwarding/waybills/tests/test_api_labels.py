"""``POST /api/v1/provider/labels``: many waybills' labels in one file, by our number or the
customer's reference, in the order sent; unknown or another customer's entries are 404 with
every such entry listed, over 100 a 422, and a refusal prints nothing and changes nothing."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from tradelane.accounts import services as accounts
from tradelane.api.testing import Api
from tradelane.forwarding.models import Waybill
from tradelane.forwarding.tests.factories import TWO_PIECES, numbered, payload, provider
from tradelane.forwarding.waybills import services

pytestmark = pytest.mark.django_db
URL = "/provider/labels"


@pytest.fixture
def p():
    ns = provider()
    for name in ("acme_user", "bolt_user", "agent_user", "service"):
        user = getattr(ns, name)
        _key, raw = accounts.create_api_key(user, user=user, name="erp")
        setattr(ns, name.removesuffix("_user") + "_api", Api(key=raw))
    return ns


def state():
    return sorted(Waybill.objects.values_list("number", "status", "updated_at"))


def test_by_number_and_by_reference_in_the_order_sent(p):
    a = numbered(p, "SO-1", "TLX0000001", pieces=TWO_PIECES)
    b = numbered(p, "SO-2", "TLX0000002")
    r = p.acme_api.post(URL, {"numbers": ["SO-2", a.number], "format": "pdf"})
    assert (r.status_code, r["Content-Type"]) == (200, "application/pdf")
    assert r["Content-Disposition"].startswith('attachment; filename="labels-')
    pages = PdfReader(io.BytesIO(r.content)).pages
    assert len(pages) == 3
    assert "TLX0000002" in pages[0].extract_text() and "TLX0000001" in pages[2].extract_text()
    z = p.acme_api.post(URL, {"numbers": [a.number, b.number, "SO-1"], "format": "zpl"})
    assert z["Content-Type"] == "text/plain; charset=utf-8"
    text = z.content.decode()
    assert text.count("^XA") == 3  # SO-1 is a's reference: printed once
    assert text.index(f"Ref: {a.number}") < text.index(f"Ref: {b.number}")
    # by the tracking number on the label, too
    by_tracking = p.acme_api.post(URL, {"numbers": ["TLX0000002"], "format": "zpl"})
    assert by_tracking.content.decode().count(f"Ref: {b.number}") == 1
    # a staff key names the customer to print by reference; by number it needs none
    assert p.service_api.post(URL, {"numbers": [b.number]}).status_code == 200
    staff = p.service_api.post(f"{URL}?customer=ACME", {"numbers": ["SO-2"], "format": "zpl"})
    assert staff.content.decode().count("^XA") == 1
    nope = p.service_api.post(URL, {"numbers": ["SO-2"]})
    assert (nope.status_code, nope.json()["details"]) == (404, {"numbers": ["SO-2"]})


def test_unknown_and_another_customers_are_404_with_the_numbers_listed(p):
    mine = numbered(p, "SO-1", "TLX0000001")
    theirs = numbered(p, "B-1", "TLX0000009", customer=p.bolt, user=p.bolt_user)
    before = state()
    r = p.acme_api.post(URL, {"numbers": [mine.number, theirs.number, "B-1", "TL-NOPE"]})
    assert r.status_code == 404
    body = r.json()
    assert body["code"] == "waybill_not_found"
    assert body["details"] == {"numbers": [theirs.number, "B-1", "TL-NOPE"]}
    # the other's number answers exactly like one that does not exist
    alone = p.acme_api.post(URL, {"numbers": [theirs.number]}).json()
    made_up = p.acme_api.post(URL, {"numbers": ["TL9999999999999"]}).json()
    assert alone["details"] == {"numbers": [theirs.number]}
    assert made_up["details"] == {"numbers": ["TL9999999999999"]}
    assert {k: v for k, v in alone.items() if k not in ("message", "details")} == {
        k: v for k, v in made_up.items() if k not in ("message", "details")
    }
    # a staff key naming ACME does not reach BOLT's waybill
    assert (
        p.service_api.post(f"{URL}?customer=ACME", {"numbers": [theirs.number]}).status_code == 404
    )
    # the agent that brought ACME prints ACME's by number, never BOLT's
    assert p.agent_api.post(URL, {"numbers": [mine.number]}).status_code == 200
    assert p.agent_api.post(URL, {"numbers": [theirs.number]}).status_code == 404
    assert state() == before


def test_over_the_limit_pending_and_cancelled_print_nothing(p):
    mine = numbered(p, "SO-1", "TLX0000001")
    pending, _ = services.create_waybill(p.acme_user, p.acme, payload("SO-2"))
    before = state()
    r = p.acme_api.post(URL, {"numbers": [f"N{i}" for i in range(101)]})
    assert r.status_code == 422
    assert (r.json()["code"], r.json()["details"]) == (
        "too_many_labels",
        {"max": 100, "count": 101},
    )
    r = p.acme_api.post(URL, {"numbers": [mine.number, pending.number]})
    assert (r.status_code, r.json()["code"]) == (409, "tracking_number_pending")
    assert r.json()["details"] == {"numbers": [pending.number]}
    for bad in ({"numbers": []}, {"numbers": ["SO-1"], "format": "png"}, {"numbers": "SO-1"}):
        assert p.acme_api.post(URL, bad).status_code == 422, bad
    assert state() == before


def test_documented_with_an_example_and_in_the_collection(p):
    spec = Api().get("/openapi.json").json()
    op = spec["paths"]["/api/v1/provider/labels"]["post"]
    assert op["operationId"] == "provider_labels"
    assert set(op["responses"]["200"]["content"]) == {"application/pdf", "text/plain"}
    ref = op["requestBody"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
    schema = spec["components"]["schemas"][ref]
    assert schema["examples"] == [{"numbers": ["TL2601010000001", "SO-10001"], "format": "pdf"}]
    assert schema["properties"]["numbers"]["maxItems"] == 100
    collection = Api().get("/provider/collection.json").json()
    names = [i["request"]["url"]["raw"] for i in _items(collection)]
    assert any(n.endswith("/api/v1/provider/labels") for n in names)


def _items(node):
    for item in node.get("item", []):
        if "item" in item:
            yield from _items(item)
        else:
            yield item


def test_the_portals_api_page_names_it_in_both_languages(p):
    from django.test import Client

    c = Client()
    c.force_login(p.acme_user)
    c.cookies["django_language"] = "en"
    html = c.get("/portal/api/").content.decode()
    assert "POST /provider/labels" in html and "The labels of up to 100 waybills" in html
    c.cookies["django_language"] = "zh-hans"
    assert "一次最多 100 个运单的面单合成一个文件" in c.get("/portal/api/").content.decode()
