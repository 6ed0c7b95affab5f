"""The vendors' paths through the early dispatch (``middleware.VendorFastPath``): the same
answers, byte for byte, as through the whole middleware stack, in either language."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import override_settings

from .conftest import php_json
from .test_eccang import ORDER, order

pytestmark = pytest.mark.django_db

WHOLE_STACK = [m for m in settings.MIDDLEWARE if not m.endswith(".VendorFastPath")]


def _answers(world) -> list[tuple[int, bytes]]:
    """Answers that write nothing: a refused order, bad credentials, reads, Hualei's calls."""
    bad = order(country_code="XX", ItemArr=[{**ORDER["ItemArr"][0], "invoice_unitcharge": "x"}])
    bad["Consignee"]["consignee_name"] = ""
    fee = {"country_code": "US", "weight": "1.2", "length": 30, "width": 20, "height": 10}
    c = world.client
    out = []
    for language in ("", "en", "zh-hans"):
        extra = {"HTTP_ACCEPT_LANGUAGE": language} if language else {}
        for body in (
            world.acme.body("createOrder", bad),
            world.acme.body("createOrder", ORDER, key="0" * 32),
            world.acme.body("getShippingMethod", {}),
            world.acme.body("feeTrail", fee),
            world.acme.body("nope", {}),
            b"<oops",
        ):
            r = c.post("/default/svc/web-service", data=body, content_type="text/xml", **extra)
            out.append((r.status_code, r.content))
        param = php_json({"customer_id": "1", "customer_userid": "x", "product_id": "USLINE"})
        for r in (
            c.post("/default/svc/web-service", data={"service": "x", "appToken": "y"}, **extra),
            c.get("/default/svc/wsdl", **extra),
            c.get("/selectAuth.htm?username=acme-erp&password=wrong", **extra),
            c.post("/createOrderApi.htm", data={"param": param}, **extra),
            c.get("/getProductList.htm", **extra),
            c.get("/getOrderTrackingNumber.htm?documentCode=NOPE", **extra),
        ):
            out.append((r.status_code, r.content))
    return out


def test_vendor_paths_answer_as_through_the_whole_stack(world):
    fast = _answers(world)
    with override_settings(MIDDLEWARE=WHOLE_STACK):
        whole = _answers(world)
    assert fast == whole
    assert len({body for _status, body in fast}) > 10


def test_vendor_paths_skip_sessions_and_clickjacking_other_paths_do_not(world):
    answer = world.client.post("/default/svc/web-service", data=world.acme.body(
        "getShippingMethod", {}), content_type="text/xml")  # fmt: skip
    assert answer.status_code == 200
    assert "X-Frame-Options" not in answer.headers and "Set-Cookie" not in answer.headers
    assert "X-Content-Type-Options" in answer.headers  # SecurityMiddleware still ran
    assert "X-Frame-Options" in world.client.get("/login/").headers
    # the provider staff's page of credentials still goes through login and CSRF
    page = world.client.get(f"/provider/customers/{world.p.acme.code}/tms-credentials/")
    assert page.status_code == 302 and "/login/" in page["Location"]


@override_settings(ALLOWED_HOSTS=["tms.example.com"])
def test_a_host_outside_allowed_hosts_is_refused(world):
    answer = world.client.post("/default/svc/web-service", data=world.acme.body(
        "getShippingMethod", {}), content_type="text/xml")  # fmt: skip
    assert answer.status_code == 400
