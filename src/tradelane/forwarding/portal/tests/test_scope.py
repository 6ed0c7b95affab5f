"""The scoping proof of the customer portal: two customers and an agent, each with its own
waybills and keys, walk EVERY portal route (enumerated from ``portal.urls``, so a new route is
walked without being listed here) with the other customer's ids.

- another's waybill or key: 404 (never 403), by GET and by POST;
- another's customer code (``?customer=``): answered exactly like a code that does not exist;
- the other's reference and number appear in no answer, and nothing of theirs changes;
- the same walk with one's own ids answers (so the walk reaches the pages it proves).
"""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import URLPattern, reverse

from tradelane.accounts.models import ApiKey
from tradelane.forwarding.models import Waybill
from tradelane.forwarding.portal import keys
from tradelane.forwarding.portal import urls as portal_urls
from tradelane.forwarding.tests.factories import payload, provider
from tradelane.forwarding.waybills import services

from .forms import form_data

pytestmark = pytest.mark.django_db


def routes() -> list[URLPattern]:
    found = [p for p in portal_urls.urlpatterns if isinstance(p, URLPattern)]
    assert len(found) == len(portal_urls.urlpatterns), "portal routes are flat"
    return found


def url(route: URLPattern, ids: dict, customer: str = "") -> str:
    params = route.pattern.converters
    unknown = set(params) - set(ids)
    assert not unknown, f"{route.name}: say which id {sorted(unknown)} is the other's"
    out = reverse(f"web:{route.name}", kwargs={k: ids[k] for k in params})
    return f"{out}?customer={customer}" if customer else out


@pytest.fixture
def world():
    p = provider()
    mine = {}
    for who, customer, user in (("acme", p.acme, p.acme_user), ("bolt", p.bolt, p.bolt_user)):
        created, _ = services.create_waybill(user, customer, payload(f"{who.upper()}-SECRET-REF"))
        tracking = "94001000000000000000" + ("11" if who == "acme" else "22")
        services.assign_numbers(p.hub, created, tracking_number=tracking)  # its label prints
        created.refresh_from_db()
        assert created.tracking_number == tracking
        received, _ = services.create_waybill(user, customer, payload(f"{who.upper()}-HUB-REF"))
        services.receive(p.hub, received, weight_g=1300)
        key = keys.create_key(user, f"{who}-key")[0]
        mine[who] = {"w": created, "received": received, "key": key, "customer": customer}
    return p, mine


def snapshot(customer, user):
    """Everything of one customer the walk could touch: its waybills and its user's keys."""
    return (
        sorted(Waybill.objects.filter(customer=customer).values_list(
            "number", "status", "forecast_weight_g", "intercept_requested_at", "updated_at")),
        sorted(ApiKey.objects.filter(user=user).values_list("pk", "revoked_at")),
    )  # fmt: skip


MADE_UP = {"number": "TL0000000000000", "pk": 999999, "waybill_pk": 999999}
# routes that take waybills in the posted form (``ids``), not in their address: the other's
# ids there are 404 as well, answered like ids that do not exist
POSTED_IDS = {"portal_waybill_labels"}
CSRF = re.compile(r'("X-CSRFToken": "|name="csrfmiddlewaretoken" value=")[^"]+')


def same(html: str) -> str:
    """A page without its per-request CSRF token (masked anew on every answer)."""
    return CSRF.sub(r"\1", html)


def walk(client: Client, ids: dict, customer: str, secrets: tuple[str, ...]) -> list[str]:
    """Every route by GET and POST with ``ids``; what leaked or answered wrongly."""
    problems = []
    for route in routes():
        asked = {str(ids[k]) for k in route.pattern.converters}  # what the prober typed
        for method in ("get", "post"):
            for cust in ("", customer):
                address = url(route, ids, cust)
                data = {**form_data("PROBE-1"), "reason": "probe", "name": "probe",
                        "ids": [ids["waybill_pk"]]}  # fmt: skip
                if cust:
                    data["customer"] = cust
                r = getattr(client, method)(address, data if method == "post" else None)
                body = r.content.decode(errors="replace")
                if method == "post" and route.name in POSTED_IDS:
                    fake = client.post(address, {**data, "ids": [MADE_UP["waybill_pk"]]})
                    if r.status_code != 404:
                        problems.append(f"POST {address} ids: {r.status_code}, not 404")
                    if (fake.status_code, same(fake.content.decode(errors="replace"))) != (
                        r.status_code, same(body),
                    ):  # fmt: skip
                        problems.append(f"POST {address} ids: not like a made-up id")
                for s in secrets:
                    if s not in asked and (s in body or s in r.get("Location", "")):
                        problems.append(f"{method.upper()} {address}: shows {s}")
                if route.pattern.converters:
                    if r.status_code not in (404, 405):
                        problems.append(f"{method.upper()} {address}: {r.status_code}, not 404")
                    # exactly the answer to an id that does not exist
                    fake = getattr(client, method)(
                        url(route, MADE_UP, cust), data if method == "post" else None
                    )
                    # the page names its own address (the language switch comes back to it)
                    body = body.replace(address, url(route, MADE_UP, cust))
                    if (fake.status_code, same(fake.content.decode(errors="replace"))) != (
                        r.status_code,
                        same(body),
                    ):
                        problems.append(f"{method.upper()} {address}: not like a made-up id")
                if cust:  # another's code answers like a code that does not exist
                    nope = getattr(client, method)(
                        url(route, ids, "NOPE"),
                        {**data, "customer": "NOPE"} if method == "post" else None,
                    )
                    if nope.status_code != r.status_code:
                        problems.append(
                            f"{method.upper()} {address}: {r.status_code}, a made-up customer"
                            f" {nope.status_code}"
                        )
                    if r.status_code < 300:
                        problems.append(f"{method.upper()} {address}: {r.status_code}")
    return problems


def test_every_route_is_walked():
    names = {r.name for r in routes()}
    assert {"portal", "portal_waybills", "portal_waybill", "portal_waybill_cancel",
            "portal_waybill_edit", "portal_waybill_intercept", "portal_waybill_new",
            "portal_quote", "portal_prices", "portal_prices_download", "portal_api",
            "portal_api_key_create", "portal_api_key_revoke",
            "portal_waybill_labels"} <= names  # fmt: skip
    assert POSTED_IDS <= names


@pytest.mark.parametrize(("me", "other"), [("acme", "bolt"), ("bolt", "acme"), ("agent", "bolt")])
def test_no_route_shows_or_touches_another_customers_rows(world, me, other):
    p, mine = world
    user = {"acme": p.acme_user, "bolt": p.bolt_user, "agent": p.agent_user}[me]
    client = Client()
    client.force_login(user)
    theirs = mine[other]
    secrets = (theirs["w"].number, theirs["w"].reference, theirs["received"].number,
               theirs["received"].reference, f"tl_{theirs['key'].prefix}_",
               theirs["w"].tracking_number)  # fmt: skip
    their_user = {"acme": p.acme_user, "bolt": p.bolt_user}[other]
    before = snapshot(theirs["customer"], their_user)
    for target in ("w", "received"):
        ids = {"number": theirs[target].number, "pk": theirs["key"].pk,
               "waybill_pk": theirs[target].pk}  # fmt: skip
        problems = walk(client, ids, theirs["customer"].code, secrets)
        assert not problems, "\n".join(problems)
    assert snapshot(theirs["customer"], their_user) == before
    assert not Waybill.objects.filter(customer=theirs["customer"], reference="PROBE-1").exists()


@pytest.mark.parametrize("me", ["acme", "agent"])
def test_the_same_walk_with_own_ids_reaches_the_pages(world, me):
    """The control: with its own ids every page answers, and the walk above would see a leak."""
    p, mine = world
    user = {"acme": p.acme_user, "agent": p.agent_user}[me]
    client = Client()
    client.force_login(user)
    own = mine["acme"]  # the agent brought ACME
    ids = {"number": own["w"].number, "pk": own["key"].pk, "waybill_pk": own["w"].pk}
    cust = "" if me == "acme" else "ACME"
    for route in routes():
        if route.name in ("portal_quote", "portal_api_key_create", "portal_api_key_revoke",
                          "portal_waybill_cancel", "portal_waybill_intercept",
                          "portal_waybill_labels"):  # fmt: skip
            continue  # writes and the POST-only quote and batch print: test_views, test_labels
        r = client.get(url(route, ids, cust))
        may = me == "acme" or route.name not in ("portal_waybill_new", "portal_waybill_edit")
        assert r.status_code == (200 if may else 403), (route.name, r.status_code)
    detail = client.get(reverse("web:portal_waybill", args=[own["w"].number])).content.decode()
    assert own["w"].reference in detail and own["w"].number in detail
    listing = client.get(reverse("web:portal_waybills") + (f"?customer={cust}" if cust else ""))
    assert own["received"].reference in listing.content.decode()
    # the batch print with one's own ids prints (the walk above would see the other's)
    printed = client.post(reverse("web:portal_waybill_labels"),
                          {"ids": [own["w"].pk], "format": "zpl", "customer": cust})  # fmt: skip
    assert printed.status_code == 200 and printed.content.decode().count("^XA") == 1
