"""Upstream bills: golden audit totals by hand, the saved mapping, re-import refused, and the
ledger effects of accept, dispute and write-off, with exact balances.

By hand (helpers.py): every waybill is 1,200 g and 56.00 CNY payable. Rows 2..7 bill 56.00
(exact), 56.00 at 1.5 kg (+300 g), 60.50 (+4.50), 30.00 on a number we do not know, "abc"
(refused), 50.00 at 1.0 kg (−200 g, −6.00). Imported valid-only: 5 lines, 4 matched, 1
unmatched (30.00); weight differences 2 (+100 g net); price differences 2 (−1.50 net);
billed 252.50, ours 224.00.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from tradelane.core.errors import Conflict, PermissionDenied, ValidationFailed
from tradelane.finance.ledgers.models import LedgerEntry
from tradelane.finance.payables import selectors, services
from tradelane.finance.payables.models import PayableMapping, UpstreamBill, UpstreamBillLine

from .helpers import COLUMNS, HEADERS, golden_rows, provider

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def p():
    return provider()


def imported(p, mode="valid_only", save=True):
    return services.import_bill(p.finance, p.line, HEADERS, golden_rows(p), filename="b.xlsx",
                                columns=COLUMNS, save=save, mode=mode)  # fmt: skip


def counts():
    return (UpstreamBill.objects.count(), UpstreamBillLine.objects.count(),
            LedgerEntry.objects.count())  # fmt: skip


def test_the_golden_bill_audit_totals(p):
    report = imported(p)
    assert [(r.row, r.code) for r in report.rows] == [
        (2, "imported"), (3, "imported"), (4, "imported"), (5, "imported"),
        (6, "payable_row_amount_invalid"), (7, "imported")]  # fmt: skip
    assert report.errors[0].message_zh == "费用为空或不是正数金额"
    lines = {x.row_number: x for x in selectors.bill_lines(report.bill)}
    assert {n: (x.waybill_id, x.weight_diff_g, x.price_diff) for n, x in lines.items()} == {
        2: (p.w[0].pk, 0, D("0")), 3: (p.w[1].pk, 300, D("0")),
        4: (p.w[2].pk, 0, D("4.50")), 5: (None, None, None), 7: (p.w[4].pk, -200, D("-6.00")),
    }  # fmt: skip
    assert (lines[5].match_code, lines[2].our_amount, lines[2].our_weight_g) == (
        "payable_waybill_unknown", D("56.00"), 1200)  # fmt: skip
    t = selectors.totals(report.bill)
    assert (t.lines, t.matched, t.unmatched, t.unmatched_amount) == (5, 4, 1, {"CNY": D("30.00")})
    assert (t.weight_differences, t.weight_diff_g) == (2, 100)
    assert (t.price_differences, t.price_diff) == (2, {"CNY": D("-1.50")})
    assert (t.billed, t.ours) == ({"CNY": D("252.50")}, {"CNY": D("224.00")})
    diffs = selectors.bill_lines(report.bill, differences_only=True)
    assert [x.row_number for x in diffs] == [3, 4, 5, 7]
    assert (report.bill.row_count, report.bill.refused_count) == (6, 1)


def test_the_lookups_are_set_based(p, django_assert_max_num_queries):
    rows = golden_rows(p)
    # the permission, three lookups (number, last-mile, reference), our nets, grams, latest,
    # earlier bills (two), whatever the number of rows
    with django_assert_max_num_queries(12):
        report = services.preview(p.finance, p.line, HEADERS, rows, columns=COLUMNS)
    assert len(report.valid) == 5 and counts() == (0, 0, 0)  # a preview writes nothing


def test_all_or_nothing_writes_nothing_when_a_row_is_bad(p):
    report = imported(p, mode="all_or_nothing")
    assert report.bill is None and counts() == (0, 0, 0)
    assert [r.code for r in report.rows].count("batch_rejected") == 5
    assert not PayableMapping.objects.exists()  # nor the mapping


def test_the_mapping_is_saved_and_reused(p):
    imported(p)
    saved = PayableMapping.objects.get(upstream_line=p.line)
    assert (saved.columns, saved.weight_unit) == (COLUMNS, "kg")
    # the next bill gives no mapping: the saved one reads it
    rows = [(2, dict(zip(HEADERS, [p.w[3].number, "", "", "1.2", "56.00", "CNY", ""],
                         strict=True)))]  # fmt: skip
    report = services.import_bill(p.finance, p.line, HEADERS, rows, filename="b2.csv")
    assert report.bill is not None and report.rows[0].code == "imported"
    line = report.bill.lines.get()
    assert (line.waybill_id, line.their_weight_g, line.price_diff) == (p.w[3].pk, 1200, D("0"))


def test_a_line_without_a_saved_mapping_must_be_given_one(p):
    with pytest.raises(ValidationFailed) as exc:
        services.import_bill(p.finance, p.line, HEADERS, golden_rows(p))
    assert exc.value.code == "payable_mapping_required" and counts() == (0, 0, 0)


def test_the_same_bill_twice_is_refused_and_changes_nothing(p):
    imported(p)
    before = counts()
    with pytest.raises(Conflict) as exc:
        imported(p)
    assert exc.value.code == "payable_bill_duplicate" and counts() == before


def test_accept_dispute_write_off_and_payments_on_the_ledger(p):
    lines = {x.row_number: x for x in imported(p).bill.lines.all()}
    services.accept(p.finance, lines[2].pk)  # +56.00 owed to the line
    assert selectors.balance_of_line(p.line, "CNY").amount == D("56.00")
    services.dispute(p.finance, lines[4].pk, reason="we priced 56.00")
    assert selectors.balance_of_line(p.line, "CNY").amount == D("56.00")  # nothing yet
    services.accept(p.finance, lines[4].pk, amount="56.00", outcome="they agreed our price")
    assert selectors.balance_of_line(p.line, "CNY").amount == D("112.00")
    services.write_off(p.finance, lines[5].pk, reason="not our parcel")
    assert selectors.balance_of_line(p.line, "CNY").amount == D("112.00")
    services.pay(p.finance, p.line, "100.00", "CNY", reference="BANK-1")
    services.pay(p.finance, p.line, "100.00", "CNY", reference="BANK-1")  # a retry: nothing
    assert selectors.balance_of_line(p.line, "CNY").amount == D("12.00")
    entries = LedgerEntry.objects.filter(account__upstream_line=p.line).order_by("id")
    assert [(e.kind, e.amount, e.balance_after) for e in entries] == [
        ("credit_note", D("56.00"), D("56.00")), ("credit_note", D("56.00"), D("112.00")),
        ("adjustment", D("-100.00"), D("12.00"))]  # fmt: skip
    done = {x.row_number: x for x in UpstreamBillLine.objects.all()}
    assert (done[4].status, done[4].reason, done[4].outcome, done[4].settled_amount) == (
        "accepted", "we priced 56.00", "they agreed our price", D("56.00"))  # fmt: skip
    assert (done[5].status, done[5].decided_by, done[5].ledger_entry) == (
        "written_off", p.finance, None)  # fmt: skip
    assert done[2].decided_at is not None and done[2].ledger_entry.amount == D("56.00")
    t = selectors.totals(done[2].bill)
    assert (t.accepted, t.by_status) == (
        {"CNY": D("112.00")}, {"accepted": 2, "written_off": 1, "open": 2})  # fmt: skip
    assert [e.reference for e in selectors.payments(p.line)] == ["BANK-1"]


@pytest.mark.parametrize("action", ["accept_again", "boss", "no_reason", "open_other_amount"])
def test_a_refused_action_changes_nothing(p, action):
    lines = {x.row_number: x for x in imported(p).bill.lines.all()}
    services.accept(p.finance, lines[2].pk)
    before = (counts(), list(UpstreamBillLine.objects.values_list("status", "updated_at")))
    calls = {
        "accept_again": (Conflict, "payable_line_decided",
                         lambda: services.write_off(p.finance, lines[2].pk, reason="x")),
        "boss": (PermissionDenied, "permission_denied",
                 lambda: services.accept(p.boss, lines[3].pk)),
        "no_reason": (ValidationFailed, "payable_reason_required",
                      lambda: services.dispute(p.finance, lines[3].pk, reason=" ")),
        "open_other_amount": (ValidationFailed, "payable_amount_not_disputed",
                              lambda: services.accept(p.finance, lines[3].pk, amount="50.00")),
    }  # fmt: skip
    error, code, call = calls[action]
    with pytest.raises(error) as exc:
        call()
    assert exc.value.code == code
    assert (counts(), list(UpstreamBillLine.objects.values_list("status", "updated_at"))) == before
    assert selectors.balance_of_line(p.line, "CNY").amount == D("56.00")


def test_a_corrected_bill_imports_only_what_was_not_billed_before(p):
    imported(p)
    rows = golden_rows(p)
    rows[4][1]["金额"] = "56.00"  # row 6, fixed
    report = services.import_bill(p.finance, p.line, HEADERS, rows, mode="valid_only")
    assert [(r.row, r.code) for r in report.rows] == [
        (2, "payable_row_billed_before"), (3, "payable_row_billed_before"),
        (4, "payable_row_billed_before"), (5, "payable_row_billed_before"),
        (6, "imported"), (7, "payable_row_billed_before")]  # fmt: skip
    line = report.bill.lines.get()
    assert (line.waybill_id, line.price_diff) == (p.w[3].pk, D("0"))
    assert UpstreamBillLine.objects.count() == 6


def test_ending_a_dispute_needs_its_outcome(p):
    lines = {x.row_number: x for x in imported(p).bill.lines.all()}
    services.dispute(p.finance, lines[3].pk, reason="1.2 kg at our scale")
    with pytest.raises(ValidationFailed) as exc:
        services.accept(p.finance, lines[3].pk, amount="56.00")
    assert exc.value.code == "payable_outcome_required"
    assert UpstreamBillLine.objects.get(pk=lines[3].pk).status == "disputed"
    assert LedgerEntry.objects.count() == 0
