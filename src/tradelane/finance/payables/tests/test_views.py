"""The payables pages: a CSV bill uploaded with its mapping (preview, then import), the audit
with its filters and totals in both languages, line actions, the Excel export, payments;
the boss reads and is refused every write, which then changes nothing."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from tradelane.finance.ledgers.models import LedgerEntry
from tradelane.finance.payables import selectors
from tradelane.finance.payables.models import PayableMapping, UpstreamBill, UpstreamBillLine
from tradelane.forwarding.tests.factories import signed_in

from .helpers import COLUMNS, HEADERS, golden_rows, provider

pytestmark = pytest.mark.django_db
UPLOAD = "/finance/payables/upload/"


@pytest.fixture
def p():
    return provider()


def bill_csv(p) -> bytes:
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(HEADERS)
    for _, row in golden_rows(p):
        w.writerow([row[h] for h in HEADERS])
    return out.getvalue().encode("utf-8")


def form(p, action: str, **over) -> dict:
    data = {"line": "UP1", "action": action, "mode": "valid_only", "save": "1",
            "weight_unit": "kg", "default_currency": "CNY",
            **{f"map_{k}": v for k, v in COLUMNS.items()}}  # fmt: skip
    data.update(over)
    f = io.BytesIO(bill_csv(p))
    f.name = "up1-2026-11.csv"
    data["file"] = f
    return data


def test_upload_preview_then_import_then_audit(p):
    c = signed_in(p.finance, "zh-hans")
    preview = c.post(UPLOAD, form(p, "preview"))
    body = preview.content.decode()
    assert preview.status_code == 200 and 'data-testid="payable-preview"' in body
    assert "费用为空或不是正数金额" in body  # the bad row, first
    assert UpstreamBill.objects.count() == 0 and not PayableMapping.objects.exists()
    done = c.post(UPLOAD, form(p, "import"))
    assert done.status_code == 302
    bill = UpstreamBill.objects.get()
    assert done["Location"] == f"/finance/payables/bills/{bill.pk}/"
    assert PayableMapping.objects.get().columns == COLUMNS
    page = c.get(done["Location"]).content.decode()
    assert "我方没有此单号的运单" in page and "待处理" in page  # unmatched, open
    assert "252.50" in page and "224.00" in page and "-1.50" in page and "100 g" in page
    diffs = c.get(done["Location"] + "?diff=1").content.decode()
    assert diffs.count('data-testid="payable-action-') == 4  # rows 3, 4, 5 and 7
    # the same file again is refused and writes nothing
    again = c.post(UPLOAD, form(p, "import"))
    assert again.status_code == 409 and 'data-error-code="payable_bill_duplicate"' in (
        again.content.decode())  # fmt: skip
    assert UpstreamBill.objects.count() == 1


def test_the_saved_mapping_fills_the_form(p):
    c = signed_in(p.finance)
    c.post(UPLOAD, form(p, "import"))
    body = c.get(UPLOAD + "?line=UP1").content.decode()
    assert 'name="map_weight" maxlength="100" list="bill-headers" value="计费重(kg)"' in body


def test_line_actions_the_export_and_payments(p):
    c = signed_in(p.finance)
    c.post(UPLOAD, form(p, "import"))
    bill = UpstreamBill.objects.get()
    lines = {x.row_number: x for x in bill.lines.all()}
    url = f"/finance/payables/bills/{bill.pk}/"
    assert c.post(url, {"line": lines[2].pk, "action": "accept", "next": "?diff=1"})[
        "Location"] == url + "?diff=1"  # fmt: skip
    refused = c.post(url, {"line": lines[3].pk, "action": "dispute", "reason": ""})
    assert refused.status_code == 422  # the audit again, the refusal on top
    assert 'data-error-code="payable_reason_required"' in refused.content.decode()
    assert 'data-testid="payable-audit"' in refused.content.decode()
    c.post(url, {"line": lines[3].pk, "action": "dispute", "reason": "1.2 kg at our scale"})
    c.post(url, {"line": lines[5].pk, "action": "write_off", "reason": "not ours"})
    assert selectors.balance_of_line(p.line, "CNY").amount == Decimal("56.00")
    wb = load_workbook(io.BytesIO(c.get(url + "audit.xlsx").content))
    rows = list(wb.active.iter_rows(values_only=True))
    assert rows[0][0] == "行 / Row" and [r[0] for r in rows[1:6]] == [2, 3, 4, 5, 7]
    assert rows[2][15] == "disputed" and rows[2][16] == "1.2 kg at our scale"
    totals = {r[0]: r[1] for r in rows[7:]}
    assert totals["价差合计 / Price difference CNY"] == -1.5
    assert totals["对方合计 / Billed CNY"] == 252.5
    line_url = "/finance/payables/lines/UP1/"
    paid = c.post(line_url, {"amount": "50.00", "currency": "CNY", "reference": "BANK-7"})
    assert paid.status_code == 302
    body = c.get(line_url).content.decode()
    assert "BANK-7" in body and "6.00 CNY" in body


def test_the_boss_reads_and_cannot_write(p):
    signed_in(p.finance).post(UPLOAD, form(p, "import"))
    bill = UpstreamBill.objects.get()
    line = bill.lines.order_by("row_number").first()
    boss = signed_in(p.boss)
    assert boss.get("/finance/payables/").status_code == 200
    assert boss.get(f"/finance/payables/bills/{bill.pk}/").status_code == 200
    assert boss.get(f"/finance/payables/bills/{bill.pk}/audit.xlsx").status_code == 200
    before = (list(UpstreamBillLine.objects.values_list("status")), LedgerEntry.objects.count())
    assert boss.post(f"/finance/payables/bills/{bill.pk}/",
                     {"line": line.pk, "action": "accept"}).status_code == 403  # fmt: skip
    pay = {"amount": "5", "currency": "CNY", "reference": "X"}
    assert boss.post("/finance/payables/lines/UP1/", pay).status_code == 403
    assert boss.post(UPLOAD, form(p, "import")).status_code == 403
    assert (list(UpstreamBillLine.objects.values_list("status")),
            LedgerEntry.objects.count()) == before  # fmt: skip
