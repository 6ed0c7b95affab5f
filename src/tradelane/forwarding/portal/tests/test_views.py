"""The customer portal's pages: the workspace and its navigation, a waybill created from the
form with its live quote, errors under their fields in both languages, the list's filters,
cancel / edit / intercept by state, the price list workbook and the API keys."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest

from tradelane.accounts.models import ApiKey
from tradelane.forwarding.models import Waybill, WaybillItem, WaybillPiece
from tradelane.forwarding.tests.factories import payload, provider, signed_in
from tradelane.forwarding.waybills import services

from .forms import form_data

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def p():
    return provider()


def counts():
    return (Waybill.objects.count(), WaybillPiece.objects.count(), WaybillItem.objects.count())


def test_a_portal_user_lands_in_its_workspace_and_sees_only_the_portal(p):
    services.create_waybill(p.acme_user, p.acme, payload("ACME-1"))
    c = signed_in(p.acme_user)
    assert c.get("/")["Location"] == "/portal/"
    html = c.get("/portal/").content.decode()
    assert "Acme Trading" in html and "ACME-1" in html
    assert 'data-testid="count-created"' in html
    nav = html.split('class="mainnav"', 1)[1].split("</nav>", 1)[0]
    for url in ("/portal/", "/portal/waybills/", "/portal/waybills/new/", "/io/",
                "/bookings/departures/", "/bookings/pickups/", "/portal/prices/",
                "/portal/api/", "/portal/balance/", "/portal/statements/"):  # fmt: skip
        assert f'href="{url}"' in nav
    assert nav.count("href=") == 10  # nothing of the seller's or the staff's menus
    assert "settings-menu" not in html
    # the staff see the portal as one entry among their own
    staff_nav = signed_in(p.service).get("/").content.decode().split('class="mainnav"', 1)[1]
    assert 'href="/portal/"' in staff_nav.split("</nav>", 1)[0]


def test_staff_choose_a_customer_in_their_scope(p):
    services.create_waybill(p.acme_user, p.acme, payload("ACME-1"))
    cs = signed_in(p.service)
    picker = cs.get("/portal/").content.decode()
    assert 'value="ACME"' in picker and 'value="BOLT"' in picker
    page = cs.get("/portal/?customer=ACME").content.decode()
    assert "Acme Trading" in page and "ACME-1" in page
    # sales2 looks after BOLT only: ACME is "not found"
    sales2 = signed_in(p.sales2)
    assert sales2.get("/portal/?customer=ACME").status_code == 404
    assert 'value="ACME"' not in sales2.get("/portal/").content.decode()


def test_create_from_the_form_in_grams_and_millimetres(p):
    c = signed_in(p.acme_user)
    r = c.post("/portal/waybills/new/", form_data("WEB-1"))
    w = Waybill.objects.get(reference="WEB-1")
    assert r.status_code == 302 and r["Location"] == f"/portal/waybills/{w.number}/"
    assert (w.customer, w.channel.code, w.source, w.forecast_weight_g) == (
        p.acme, "USLINE", "portal", 1200)  # fmt: skip
    piece = w.piece_rows.get()
    assert (piece.length_mm, piece.width_mm, piece.height_mm) == (300, 200, 100)
    item = w.items.get()
    assert (item.name_zh, item.name_en, item.quantity, item.unit_value) == (
        "棉T恤", "Cotton T-shirt", 2, D("12.50"))  # fmt: skip
    assert w.sale_amount == D("76.00")  # ACME's own sheet: 55/kg x 1.2 + 10
    detail = c.get(r["Location"]).content.decode()
    assert w.number in detail and "WEB-1" in detail and "76.00 CNY" in detail
    assert "Jane Doe" in detail and "Cotton T-shirt" in detail


def test_the_form_grows_a_row_without_writing(p):
    c = signed_in(p.acme_user)
    r = c.post("/portal/waybills/new/", {**form_data("WEB-1"), "add": "piece"})
    assert r.status_code == 200 and counts() == (0, 0, 0)
    html = r.content.decode()
    assert 'name="pieces[1].weight_kg"' in html and 'name="pieces[2].weight_kg"' not in html


def test_errors_sit_under_their_fields_in_chinese_and_nothing_is_written(p):
    data = form_data("WEB-1")
    data.update({"consignee.city": "", "pieces[0].weight_kg": "heavy", "items[0].hs_code": "12"})
    r = signed_in(p.acme_user, "zh-hans").post("/portal/waybills/new/", data)
    assert r.status_code == 422 and counts() == (0, 0, 0)
    html = r.content.decode()
    errors = {
        part.split('"', 1)[0]: part.split(">", 1)[1].split("<", 1)[0]
        for part in html.split('data-field-error="')[1:]
    }
    assert set(errors) == {"consignee.city", "pieces[0].weight_kg", "items[0].hs_code"}
    assert errors["items[0].hs_code"] == "海关编码为 6 到 10 位数字。"
    assert errors["pieces[0].weight_kg"] == "必须是数字。"
    en = signed_in(p.acme_user).post("/portal/waybills/new/", data).content.decode()
    assert "An HS code is 6 to 10 digits." in en


def test_the_live_quote_shows_every_open_channel_with_its_sale_price(p):
    c = signed_in(p.acme_user)
    html = c.post("/portal/waybills/quote/", form_data("Q-1")).content.decode()
    assert 'data-testid="offer-USLINE"' in html and "76.00" in html  # ACME's own price
    assert 'data-testid="refused-EUPOST"' in html and "no_zone" in html
    assert "BATT" not in html  # not open to ACME
    assert "56.00" not in html  # never the cost (40/kg x 1.2 + 8)
    bolt = signed_in(p.bolt_user).post("/portal/waybills/quote/", form_data("Q-1")).content
    assert b"69.00" in bolt and b'data-testid="offer-BATT"' in bolt  # VIP 50/kg + 9
    empty = c.post("/portal/waybills/quote/", {"consignee.country": "US"}).content.decode()
    assert 'data-testid="offer-table"' not in empty
    # staff quote for the customer they name; an agent does not create waybills
    cs = signed_in(p.service)
    assert (
        b"76.00" in cs.post("/portal/waybills/quote/", {**form_data(), "customer": "ACME"}).content
    )
    assert signed_in(p.agent_user).post("/portal/waybills/quote/", form_data()).status_code == 403


def test_the_list_filters_by_status_date_and_number(p):
    a, _ = services.create_waybill(p.acme_user, p.acme, payload("ACME-1"))
    b, _ = services.create_waybill(p.acme_user, p.acme, payload("ACME-2"))
    services.cancel_waybill(p.acme_user, b)
    services.create_waybill(p.bolt_user, p.bolt, payload("BOLT-1"))
    c = signed_in(p.acme_user)

    def refs(query: str) -> set[str]:
        html = c.get(f"/portal/waybills/?{query}").content.decode()
        return {ref for ref in ("ACME-1", "ACME-2", "BOLT-1") if f"<td>{ref}</td>" in html}

    assert refs("") == {"ACME-1", "ACME-2"}
    assert refs("status=cancelled") == {"ACME-2"}
    assert refs(f"q={a.number}") == {"ACME-1"}
    assert refs("q=ACME-2") == {"ACME-2"}
    assert refs("created_from=2999-01-01") == set()


def test_cancel_before_inbound_intercept_after(p):
    w, _ = services.create_waybill(p.acme_user, p.acme, payload("ACME-1"))
    c = signed_in(p.acme_user)
    # intercept before inbound is refused: nothing changes
    c.post(f"/portal/waybills/{w.number}/intercept/", {"reason": "wrong address"})
    w.refresh_from_db()
    assert w.intercept_requested_at is None and w.status == "created"
    services.receive(p.hub, w, weight_g=1300)
    r = c.post(f"/portal/waybills/{w.number}/cancel/", follow=True)
    w.refresh_from_db()
    assert w.status == "received" and "request an intercept instead" in r.content.decode()
    c.post(f"/portal/waybills/{w.number}/intercept/", {"reason": "wrong address"})
    w.refresh_from_db()
    assert w.intercept_reason == "wrong address" and w.intercept_requested_at is not None
    other, _ = services.create_waybill(p.acme_user, p.acme, payload("ACME-2"))
    assert c.post(f"/portal/waybills/{other.number}/cancel/").status_code == 302
    other.refresh_from_db()
    assert other.status == "cancelled"


def test_edit_before_inbound(p):
    w, _ = services.create_waybill(p.acme_user, p.acme, payload("ACME-1"))
    c = signed_in(p.acme_user)
    page = c.get(f"/portal/waybills/{w.number}/edit/").content.decode()
    assert 'value="1.2"' in page and 'value="Jane Doe"' in page and "readonly" in page
    data = {**form_data("ACME-1"), "pieces[0].weight_kg": "2"}
    assert c.post(f"/portal/waybills/{w.number}/edit/", data).status_code == 302
    w.refresh_from_db()
    assert (w.forecast_weight_g, w.sale_amount) == (2000, D("120.00"))
    services.receive(p.hub, w, weight_g=2000)
    before = (w.forecast_weight_g, w.sale_amount)
    r = c.post(f"/portal/waybills/{w.number}/edit/", {**data, "pieces[0].weight_kg": "3"})
    w.refresh_from_db()
    assert r.status_code == 422 and (w.forecast_weight_g, w.sale_amount) == before


def test_the_price_list_holds_the_customers_own_sale_prices_only(p):
    from openpyxl import load_workbook

    r = signed_in(p.acme_user).get("/portal/prices/download/")
    assert r["Content-Type"].startswith("application/vnd.openxmlformats")
    wb = load_workbook(io.BytesIO(r.content))
    assert wb.sheetnames == ["Channels", "EUPOST", "USLINE"]

    def per_kg(ws) -> set:
        rows = list(ws.iter_rows(values_only=True))
        head = next(
            i for i, row in enumerate(rows) if row and row[0] == "Zone" and row[2] == "To kg"
        )
        return {row[8] for row in rows[head + 1 :] if row and row[0]}

    assert per_kg(wb["USLINE"]) == {55}  # own sheet; not VIP's 50, not the cost's 40
    assert per_kg(wb["EUPOST"]) == {45}  # standard sale; not the cost's 30
    bolt = load_workbook(io.BytesIO(signed_in(p.bolt_user).get("/portal/prices/download/").content))
    assert bolt.sheetnames == ["Channels", "BATT", "EUPOST", "USLINE"]
    assert per_kg(bolt["USLINE"]) == {50}
    page = signed_in(p.acme_user, "zh-hans").get("/portal/prices/").content.decode()
    assert "您的专属价格" in page


def test_api_keys_of_the_own_portal_user(p):
    c = signed_in(p.acme_user)
    r = c.post("/portal/api/keys/", {"name": "ERP"})
    key = ApiKey.objects.get(user=p.acme_user)
    html = r.content.decode()
    assert r.status_code == 200 and f"tl_{key.prefix}_" in html and key.name == "ERP"
    assert "/provider/waybills" in html and "/api/docs" in html
    # another user's key is not found, and stays as it was
    bolt_key = services_key(p.bolt_user)
    assert c.post(f"/portal/api/keys/{bolt_key.pk}/revoke/").status_code == 404
    bolt_key.refresh_from_db()
    assert bolt_key.revoked_at is None
    assert c.post(f"/portal/api/keys/{key.pk}/revoke/").status_code == 302
    key.refresh_from_db()
    assert key.revoked_at is not None
    # staff read the page; provider keys are the customer's portal users'
    cs = signed_in(p.service)
    assert cs.get("/portal/api/").status_code == 200
    assert cs.post("/portal/api/keys/", {"name": "x"}).status_code == 403
    assert not ApiKey.objects.filter(user=p.service).exists()


def services_key(user):
    from tradelane.forwarding.portal import keys

    return keys.create_key(user, "theirs")[0]


def test_the_label_prints_once_the_tracking_number_is_there(p):
    w, _ = services.create_waybill(p.acme_user, p.acme, payload("ACME-1"))
    assert (w.tracking_status, w.tracking_number) == ("pending", "")  # USLINE: number later
    c = signed_in(p.acme_user)
    assert 'data-testid="label-pdf"' not in c.get(f"/portal/waybills/{w.number}/").content.decode()
    r = c.get(f"/portal/waybills/{w.number}/label.pdf", follow=True)
    assert "the label can be printed once it is" in r.content.decode()
    services.assign_numbers(p.admin, w, tracking_number="9400100000000000000001")
    assert 'data-testid="label-pdf"' in c.get(f"/portal/waybills/{w.number}/").content.decode()
    pdf = c.get(f"/portal/waybills/{w.number}/label.pdf")
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    zpl = c.get(f"/portal/waybills/{w.number}/label.zpl")
    assert zpl.content.startswith(b"^XA") and b"9400100000000000000001" in zpl.content
