"""The role x route matrix: every API operation and every UI page, asked by each role (and by
a visitor without a session), against the README's roles table (``rules``, ``ui_rules``).

- A route without a row fails (``test_every_api_operation_has_a_rule``,
  ``test_every_ui_route_has_a_rule``): a new route must say who may use it.
- Allowed: the answer is neither 401 nor 403 (nor a crash, nor the login page).
- Refused: 403 (a visitor: 401 from the API, the login page from the UI), and the request
  wrote nothing at all: the database's own count of changed rows (SQLite's
  ``total_changes()``, PostgreSQL's ``pg_stat_xact_user_tables``) did not move.

One world is seeded for the module; every request runs in a savepoint that is rolled back,
so each one sees the same rows whatever the one before it did.
"""

from __future__ import annotations

import json
import re
from http.cookies import SimpleCookie

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.test import Client
from django.urls import URLResolver, get_resolver, resolve

from tradelane.api.root import api
from tradelane.integrations.stores.wire_formats import hmac_sha256_b64

from .rules import API_IDS, API_RULES, PUBLIC
from .ui_rules import UI_RULES
from .world import ANON, HOOK_SECRET, ROLES, seed

pytestmark = pytest.mark.django_db
API = "/api/v1"
PRINCIPALS = (*ROLES, ANON)


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    from tradelane.logistics.rates import selectors

    with django_db_blocker.unblock():
        selectors.clear_cache()
        with transaction.atomic():
            w = seed()
            w["clients"] = {ANON: Client(raise_request_exception=False)}
            for role, user in w["users"].items():
                client = Client(raise_request_exception=False)
                client.force_login(user)
                w["clients"][role] = client
            yield w
            transaction.set_rollback(True)
        selectors.clear_cache()


# --- asking ---------------------------------------------------------------------------------


def writes() -> int:
    """Rows inserted, updated or deleted so far by this connection (this transaction)."""
    with connection.cursor() as cur:
        if connection.vendor == "sqlite":
            cur.execute("SELECT total_changes()")
        else:
            cur.execute(
                "SELECT coalesce(sum(n_tup_ins + n_tup_upd + n_tup_del), 0)"
                " FROM pg_stat_xact_user_tables"
            )
        return int(cur.fetchone()[0])


def _id(w: dict, name: str, role: str):
    if name.startswith("="):
        return name[1:]
    value = w[name]
    if isinstance(value, dict):  # the acting user's own row (a visitor: the admin's)
        return value[role if role in value else ROLES[0]]
    return value


PLACEHOLDER = re.compile(r"\{(\w+)\}")


def fill(obj, w: dict, role: str):
    """``obj`` with every ``{name}`` replaced by the world's id (a whole ``"{name}"`` string
    becomes the id itself, an int)."""
    if isinstance(obj, str):
        whole = PLACEHOLDER.fullmatch(obj)
        if whole:
            return _id(w, whole[1], role)
        return PLACEHOLDER.sub(lambda m: str(_id(w, m[1], role)), obj)
    if isinstance(obj, list):
        return [fill(v, w, role) for v in obj]
    if isinstance(obj, dict):
        return {k: fill(v, w, role) for k, v in obj.items()}
    return obj


def ask(client: Client, method: str, url: str, *, json_body=None, data=None, files=None,
        headers=None, content_type=None, body=None):  # fmt: skip
    """One request in a savepoint that is rolled back; (response, rows written)."""
    saved = SimpleCookie()
    saved.load(client.cookies.output(header="", sep=";"))
    headers = headers or {}
    with transaction.atomic():
        before = writes()
        if body is not None:
            response = client.generic(method, url, body, content_type=content_type, headers=headers)
        elif files is not None:
            form = dict(data or {})
            form.update({k: SimpleUploadedFile(n, c) for k, (n, c) in files.items()})
            response = client.post(url, form, headers=headers)
        elif json_body is not None or (method != "GET" and data is None):
            payload = json.dumps(json_body) if json_body is not None else ""
            response = client.generic(
                method, url, payload, content_type="application/json", headers=headers
            )
        elif method == "GET":
            response = client.get(url, headers=headers)
        else:
            response = client.post(url, data, headers=headers)
        written = writes() - before
        transaction.set_rollback(True)
    client.cookies = saved  # a logout in a rolled-back savepoint must not log the client out
    return response, written


def verdict(response, written: int, allowed: bool, principal: str, ui: bool) -> str | None:
    """What is wrong with this answer, or None."""
    status = response.status_code
    # login_required's answer (a logout also ends on the login page, without ``next``)
    to_login = status == 302 and response["Location"].startswith("/login/?next=")
    if allowed:
        if status in (401, 403) or status >= 500 or (ui and to_login):
            return f"allowed but got {status}"
        return None
    if principal == ANON:
        ok = to_login if ui else status == 401
    else:  # the API says why: the role's permission (not, say, a CSRF failure)
        ok = status == 403 and (ui or response.json()["code"] == "permission_denied")
    if not ok:
        return f"refused but got {status}"
    if written:
        return f"refused with {status} but wrote {written} rows"
    return None


def check(outcomes: list[tuple[str, str | None]], what: str) -> None:
    wrong = [f"{principal}: {problem}" for principal, problem in outcomes if problem]
    assert not wrong, f"{what}\n  " + "\n  ".join(wrong)


def test_the_matrix_sees_a_write_and_a_refusal_that_wrote(world):
    """The checks themselves: a write is counted even when it is rolled back, a refusal that
    wrote something is reported."""
    response, written = ask(
        world["clients"][ROLES[0]],
        "POST",
        f"{API}/products",
        json_body={"code": "P-X", "name": "x"},
    )
    assert response.status_code == 201 and written > 0
    assert verdict(response, 0, True, ROLES[0], ui=False) is None
    refused = type(
        "R", (), {"status_code": 403, "json": lambda self: {"code": "permission_denied"}}
    )()
    assert verdict(refused, 0, False, "sales", ui=False) is None
    assert verdict(refused, 1, False, "sales", ui=False) == "refused with 403 but wrote 1 rows"
    assert verdict(response, 0, False, "sales", ui=False) == "refused but got 201"


# --- every route has a rule -----------------------------------------------------------------


def api_operations() -> set[tuple[str, str]]:
    paths = api.get_openapi_schema()["paths"]
    return {
        (method.upper(), path.removeprefix(API)) for path, ops in paths.items() for method in ops
    }


def ui_routes() -> set[str]:
    """Every URL pattern of the site except the Django admin and the API (its own table)."""

    def walk(patterns, prefix=""):
        for p in patterns:
            if isinstance(p, URLResolver):
                yield from walk(p.url_patterns, prefix + str(p.pattern))
            else:
                yield prefix + str(p.pattern)

    return {r for r in walk(get_resolver().url_patterns) if not r.startswith(("admin/", "api/v1/"))}


def test_every_api_operation_has_a_rule():
    rules = {(r.method, r.path) for r in API_RULES}
    assert len(rules) == len(API_RULES), "one row per operation"
    ops = api_operations()
    assert not ops - rules, f"operations without a rule: {sorted(ops - rules)}"
    assert not rules - ops, f"rules for no operation: {sorted(rules - ops)}"


def test_every_ui_route_has_a_rule():
    rules = {p.route for p in UI_RULES}
    routes = ui_routes()
    assert not routes - rules, f"pages without a rule: {sorted(routes - rules)}"
    assert not rules - routes, f"rules for no page: {sorted(rules - routes)}"
    assert len({(p.route, p.method, p.variant) for p in UI_RULES}) == len(UI_RULES)


def test_ui_rows_ask_the_route_they_name(world):
    for page in UI_RULES:
        url = fill(page.url, world, ROLES[0]).split("?")[0]
        assert resolve(url).route == page.route, page


# --- the matrix -----------------------------------------------------------------------------


def _api_url(rule, w: dict, role: str) -> str:
    def one(m):
        name = rule.ids.get(m[1]) or API_IDS.get(m[1], m[1])
        return str(_id(w, name, role))

    return API + PLACEHOLDER.sub(one, rule.path)


@pytest.mark.parametrize("rule", API_RULES, ids=lambda r: f"{r.method} {r.path}")
def test_api_operation(world, rule):
    outcomes = []
    for principal in PRINCIPALS:
        url = _api_url(rule, world, principal)
        query = fill(rule.query, world, principal)
        if query:
            url += "?" + "&".join(f"{k}={v}" for k, v in query.items())
        response, written = ask(
            world["clients"][principal], rule.method, url,
            json_body=fill(rule.json, world, principal),
            data=fill(rule.data, world, principal), files=rule.files,
        )  # fmt: skip
        allowed = rule.allowed is PUBLIC or principal in rule.allowed
        outcomes.append((principal, verdict(response, written, allowed, principal, ui=False)))
    check(outcomes, f"{rule.method} {rule.path}")


def _signed(page, w: dict) -> dict:
    """The two webhooks answer only a signed body: sign it as the platform would."""
    body = json.dumps({"id": 1, "tracking_number": w["tracking_number"]}).encode()
    signature = hmac_sha256_b64(body, HOOK_SECRET)
    if page.route.startswith("hooks/tracking/"):
        headers = {"X-Tradelane-Signature": signature}
    else:
        headers = {
            "X-Shopify-Topic": "orders/create", "X-Shopify-Hmac-SHA256": signature,
            "X-Shopify-Shop-Domain": "us1.myshopify.com", "X-Shopify-Webhook-Id": "matrix-1",
        }  # fmt: skip
    return {"body": body, "content_type": "application/json", "headers": headers}


@pytest.mark.parametrize(
    "page", UI_RULES, ids=lambda p: f"{p.method} /{p.route} {p.variant}".rstrip()
)
def test_ui_page(world, page):
    outcomes = []
    for principal in PRINCIPALS:
        url = fill(page.url, world, principal)
        extra = _signed(page, world) if "hooks/" in page.route else {"headers": page.headers}
        response, written = ask(
            world["clients"][principal], page.method, url,
            data=fill(page.data, world, principal) if page.method == "POST" else None,
            files=page.files, **extra,
        )  # fmt: skip
        allowed = page.allowed is PUBLIC or principal in page.allowed
        outcomes.append((principal, verdict(response, written, allowed, principal, ui=True)))
    check(outcomes, f"{page.method} /{page.route} {page.variant}")
