"""The main pages, with the demo data, read in Chinese: no raw code and no English reason.

The demo is loaded, then a parcel is tracked (a carrier push with a 17TRACK sub-status, an
event typed by hand, a delivery and a delay) and a file of orders with bad rows is imported,
so every kind of code the registry labels is on a page: rate-shop refusals, order history,
event sources, tracking statuses and sub-statuses, customs terms, import errors and fields,
country names. Each page is read as text (what a person sees, ``<code>`` excluded: it shows a
number or a machine code on purpose) and fails on a snake_case code, a 17TRACK code, the
English text of a label, or the English name of a destination country.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from html.parser import HTMLParser

import pycountry
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone, translation

from tradelane import demo

SNAKE_CODE = re.compile(r"\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b")
TRACK17_CODE = re.compile(r"\b[A-Z][A-Za-z]+_[A-Z][A-Za-z]+\b")
# what the services write in English (the rate shop's lines, state-event reasons, row errors)
ENGLISH_PHRASES = (
    "refused ", "chosen ", "no rule matched", "carrier: ", "does not", "must be", "is required",
    "no channel can", "handed over",
)  # fmt: skip
HTMX = {"HTTP_HX_REQUEST": "true"}
CJK = re.compile(r"[\u4e00-\u9fff]")


class _Text(HTMLParser):
    """The text a person reads: no scripts, styles, ``<code>``, nor attribute values."""

    SKIP = {"script", "style", "code", "template"}

    def __init__(self):
        super().__init__()
        self.parts: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag, attrs):
        if tag in self.SKIP:
            self.skipping += 1

    def handle_endtag(self, tag):
        if tag in self.SKIP and self.skipping:
            self.skipping -= 1

    def handle_data(self, data):
        if not self.skipping and data.strip():
            self.parts.append(data.strip())


def visible_text(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    return "\n".join(parser.parts)


def english_labels() -> set[str]:
    """The English text of every label of the registry that is a phrase (two words or more)."""
    from tradelane.web import labels

    out = set()
    with translation.override("en"):
        for table in labels.REGISTRY.values():
            for label in table.values():
                text = str(label)
                if " " in text.strip() and "%(" not in text:
                    out.add(text)
    return out


def problems_of(text: str, english: set[str], countries: set[str]) -> list[str]:
    from tradelane.orders import importing

    found = []
    # the import help names the CSV columns a file must have, as the file spells them
    found += [f"code {m}" for m in SNAKE_CODE.findall(text) if m not in importing.CSV_COLUMNS]
    found += [f"17TRACK code {m}" for m in TRACK17_CODE.findall(text)]
    lower = text.lower()
    found += [f"English {p!r}" for p in ENGLISH_PHRASES if p in lower]
    found += [f"English label {e!r}" for e in english if e in text]
    # names people gave (a channel "China Post Registered Small Packet") are not country names
    named = text
    for name in _names_people_gave():
        named = named.replace(name, "")
    found += [
        f"English country {c!r}" for c in countries if re.search(rf"\b{re.escape(c)}\b", named)
    ]
    return found


def _names_people_gave() -> list[str]:
    from tradelane.logistics.rates.models import Channel

    names = set()
    for name, carrier in Channel.objects.values_list("name", "carrier"):
        names |= {name, carrier} - {""}
    return sorted(names, key=len, reverse=True)


def _track(admin):
    """A carrier push (sub-status and milestone), an event by hand, a delay, a delivery."""
    from tradelane.logistics.carriers.contract import TrackEvent
    from tradelane.logistics.shipping.models import Shipment
    from tradelane.logistics.tracking import codes as tc
    from tradelane.logistics.tracking import services as tracking

    shipped = list(Shipment.objects.filter(status="shipped").order_by("pk")[:2])
    now = timezone.now()
    delivered, delayed = shipped
    tracking.record_events(
        admin, delivered,
        [TrackEvent(occurred_at=now - dt.timedelta(days=3), status=tc.PICKED_UP,
                    raw_code="InTransit_PickedUp", raw_text="Shenzhen 揽收", city="Shenzhen",
                    country="CN"),
         TrackEvent(occurred_at=now - dt.timedelta(days=2), status=tc.IN_TRANSIT,
                    raw_code="Departure", raw_text="", city="Frankfurt", country="DE")],
        "webhook",
    )  # fmt: skip
    tracking.add_manual_event(admin, delivered, tc.DELIVERED, "客户确认签收")
    tracking.record_events(
        admin, delayed,
        [TrackEvent(occurred_at=now - dt.timedelta(days=1), status=tc.DELAYED,
                    raw_code="Exception_Delayed", raw_text="", country="GB")],
        "poll",
    )  # fmt: skip
    delivered.refresh_from_db()
    assert delivered.status == "delivered"
    return delivered, delayed


def _import_with_bad_rows(client, store_code: str, settings, capture) -> int:
    """Upload a JSON file of orders, two refused (a quantity of 0, an unknown country)."""
    from tradelane.core.models import Job

    def order(external_id, *, quantity=1, country="DE"):
        return {
            "store": store_code, "external_id": external_id, "currency": "EUR",
            "placed_at": "2026-11-20T10:15:00+08:00", "payment_status": "paid",
            "shipping_address": {"name": "Anna Berg", "address1": "Hauptstr. 1",
                                 "city": "Köln", "postcode": "50667", "country": country},
            "lines": [{"store_sku": "X-1", "title": "Mug", "quantity": quantity,
                       "unit_price": "9.90"}],
        }  # fmt: skip

    body = json.dumps([order("ZH-1", quantity=0), order("ZH-2", country="XX")]).encode()
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    with capture(execute=True):
        response = client.post(
            reverse("web:orders_import"),
            {"file": SimpleUploadedFile("orders.json", body, content_type="application/json")},
            **HTMX,
        )
    assert response.status_code == 200
    job = Job.objects.filter(kind="orders.import").latest("pk")
    assert job.status == "done" and job.result["rejected"] == 2, job.error
    return job.pk


@pytest.mark.django_db
def test_the_main_pages_read_in_chinese(client, settings, django_capture_on_commit_callbacks):
    from tradelane.accounts.models import User
    from tradelane.logistics.rates.models import Channel
    from tradelane.orders.models import Order, Store

    demo.load()
    admin = User.objects.get(username="admin")
    delivered, delayed = _track(admin)
    client.force_login(admin)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    job = _import_with_bad_rows(
        client, Store.objects.order_by("pk").first().code, settings,
        django_capture_on_commit_callbacks,
    )  # fmt: skip

    one_per_status = {}
    for pk, status in Order.objects.order_by("pk").values_list("pk", "status"):
        one_per_status.setdefault(status, pk)
    delivered_order = delivered.order_links.first().order_id
    urls = [
        reverse("web:orders"),
        *(reverse("web:order", args=[pk]) for pk in one_per_status.values()),
        reverse("web:order", args=[delivered_order]),
        reverse("web:shipping"),
        reverse("web:shipments"),
        reverse("web:shipment", args=[delivered.pk]),
        reverse("web:tracking"),
        reverse("web:tracking_shipment", args=[delivered.pk]),
        reverse("web:tracking_shipment", args=[delayed.pk]),
        reverse("web:tracking_exceptions"),
        reverse("web:channels"),
        *(reverse("web:channel", args=[c]) for c in Channel.objects.values_list("code", flat=True)),
        reverse("web:job", args=[job]),
        reverse("web:stores"),
        reverse("web:stock"),
        reverse("web:warehouses"),
        reverse("web:pickups"),  # the dispatcher's board of today (the demo's pickup routes)
    ]
    english = english_labels()
    countries = set()
    from tradelane.inventory.models import Warehouse

    codes = set(Order.objects.values_list("ship_country", flat=True))
    codes |= set(Warehouse.objects.values_list("country", flat=True))
    codes |= set(Store.objects.values_list("country", flat=True))
    for code in codes - {""}:
        country = pycountry.countries.get(alpha_2=code)
        countries.add(getattr(country, "common_name", None) or country.name)

    pages, found = {}, {}
    for url in urls:
        response = client.get(url, **(HTMX if "/jobs/" in url else {}))
        assert response.status_code == 200, url
        pages[url] = visible_text(response.content.decode())
        bad = problems_of(pages[url], english, countries)
        if bad:
            found[url] = sorted(set(bad))
    assert found == {}

    # refused actions answer in Chinese: an event without a text, approving an order delivered
    refusals = {
        "text_required": (
            reverse("web:tracking_shipment_action", args=[delivered.pk]),
            {"action": "event", "status": "in_transit", "text": " "},
        ),
        "approve_shipped": (
            reverse("web:order_action", args=[delivered_order]),
            {"action": "approve"},
        ),
    }
    answers = {}
    for name, (url, form) in refusals.items():
        response = client.post(url, form, **HTMX)
        assert 400 <= response.status_code < 500 or response.status_code == 200, name
        text = visible_text(response.content.decode())
        assert CJK.search(text), (name, text)
        assert problems_of(text, english, countries) == [], (name, text)
        answers[name] = text

    assert "请描述事件。" in answers["text_required"]
    assert "订单当前状态不允许此操作。" in answers["approve_shipped"]

    # what the registry put there instead
    shipping = pages[reverse("web:shipping")]
    assert "不可用 CNPOST-RSP：" in shipping and "该渠道不收带电货" in shipping
    order_page = pages[reverse("web:order", args=[delivered_order])]
    assert "承运商报告已签收" in order_page  # carrier: delivered
    timeline = pages[reverse("web:tracking_shipment", args=[delivered.pk])]
    assert "承运商推送" in timeline and "手工录入" in timeline and "已揽收" in timeline
    assert "已离开处理中心" in timeline and "德国" in timeline  # Departure, in DE
    assert "延误" in pages[reverse("web:tracking_exceptions")]
    report = pages[reverse("web:job", args=[job])]
    assert "第 1 个商品行：数量" in report and "国家" in report
