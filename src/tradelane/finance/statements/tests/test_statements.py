"""Statements (对账单): golden totals by hand, issue freezes, later deltas go to the next one,
the customer confirms or disputes, finance resolves; every refusal changes nothing.

Figures by hand from the test provider's sheets (``forwarding.tests.factories``): ACME on
USLINE sells at 55.00/kg + 10.00 registration (CNY). A 1.2 kg waybill: freight 66.00 +
registration 10.00; measured at 1.5 kg: +16.50 freight (actual). A storage fee of 5.00 USD at
1 USD = 7.1234 CNY: 35.617 → 35.62 CNY (ROUND_HALF_UP).
"""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from django.utils import timezone

from tradelane.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from tradelane.core.models import AuditLog
from tradelane.finance.fees import services as fees
from tradelane.finance.fees.models import WaybillFeeLine
from tradelane.finance.ledgers.models import Account, LedgerEntry
from tradelane.forwarding.hub.tests.helpers import scan

from .. import selectors, services
from ..models import Statement, StatementDispute, StatementLine
from .helpers import create, next_month, world

pytestmark = pytest.mark.django_db


@pytest.fixture
def p():
    return world()


def generate(p, n=1):
    return services.generate_statements(p.finance, today=next_month(timezone.localdate(), n))


def snapshot(s: Statement):
    s.refresh_from_db()
    lines = list(StatementLine.objects.filter(statement=s).order_by("id").values_list(
        "fee_line_id", "waybill_id", "fee_item_id", "amount", "original_amount",
        "original_currency", "fx_rate", "adjustment"))  # fmt: skip
    return (s.total, s.status, s.ledger_entry_id, lines)


def everything():
    """Every row an action could touch."""
    return (
        sorted(Statement.objects.values_list("pk", "status", "total", "credited", "allocated")),
        StatementLine.objects.count(), StatementDispute.objects.count(),
        sorted(WaybillFeeLine.objects.values_list("pk", "statement_id")),
        sorted(LedgerEntry.objects.values_list("pk", "amount")),
        sorted(Account.objects.values_list("pk", "balance")), AuditLog.objects.count(),
    )  # fmt: skip


def golden(p):
    a, b = create(p, "A"), create(p, "B")
    fees.add_manual_line(p.finance, a, side="receivable", item="storage", amount="5.00",
                         currency="USD", reason="three days on the shelf")  # fmt: skip
    scan(p, b.number, weight_g=1500)  # +16.50 freight, actual
    return a, b


def test_golden_totals_by_hand_and_issue_posts_one_charge(p):
    a, b = golden(p)
    [s] = generate(p)
    assert s.status == "draft" and s.currency == "CNY" and s.cycle == "per_waybill"
    assert s.total == D("204.12")  # 66 + 10 + 35.62 + 66 + 10 + 16.50
    assert generate(p) == []  # idempotent: nothing drafted twice
    issued = services.issue_statement(p.finance, s)
    assert (issued.status, issued.total) == ("issued", D("204.12"))
    totals = {t.item.code: t.amount for t in selectors.totals_by_item(issued)}
    assert totals == {"freight": D("148.50"), "registration": D("20.00"), "storage": D("35.62")}
    usd = StatementLine.objects.get(statement=s, fee_item_id="storage")
    assert (
        usd.amount,
        usd.original_amount,
        usd.original_currency,
        usd.fx_rate,
        usd.fx_rate_source,
    ) == (D("35.62"), D("5.00"), "USD", D("7.1234"), "manual")
    # the fee lines are marked; one ledger charge of the total, keyed by the statement
    receivable = WaybillFeeLine.objects.filter(waybill__in=[a, b], side="receivable")
    assert set(receivable.values_list("statement_id", flat=True)) == {s.pk}
    assert not WaybillFeeLine.objects.filter(side="payable", statement_id__isnull=False).exists()
    [entry] = LedgerEntry.objects.filter(source_type="finance.statement")
    assert (entry.kind, entry.amount, entry.idempotency_key) == (
        "charge", D("-204.1200"), f"statement:{s.pk}")  # fmt: skip
    assert Account.objects.get(customer=p.acme).balance == D("-204.12")


def test_a_delta_after_issue_goes_to_the_next_statement_as_an_adjustment(p):
    a, _b = golden(p)
    [s] = generate(p)
    services.issue_statement(p.finance, s)
    before = snapshot(s)
    scan(p, a.number, weight_g=1500)  # +16.50 on a waybill billed already
    assert snapshot(s) == before
    [nxt] = generate(p, 2)
    [line] = StatementLine.objects.filter(statement=nxt)
    assert (line.waybill_id, line.amount, line.adjustment, nxt.total) == (
        a.pk, D("16.50"), True, D("16.50"))  # fmt: skip
    services.issue_statement(p.finance, nxt)
    assert snapshot(s) == before
    assert Account.objects.get(customer=p.acme).balance == D("-220.62")


def test_issue_takes_lines_posted_after_the_draft_within_the_period(p):
    a = create(p, "A")
    [s] = generate(p)
    assert s.total == D("76.00")
    fees.add_manual_line(p.finance, a, side="receivable", item="storage", amount="4.00",
                         currency="CNY", reason="shelf")  # fmt: skip
    assert services.issue_statement(p.finance, s).total == D("80.00")


def test_refused_issue_and_generate_change_nothing(p):
    golden(p)
    [s] = generate(p)
    before = everything()
    with pytest.raises(PermissionDenied):
        services.issue_statement(p.boss, s)
    with pytest.raises(PermissionDenied):
        services.generate_statements(p.acme_user)
    assert everything() == before
    services.issue_statement(p.finance, s)
    before = everything()
    with pytest.raises(Conflict) as e:
        services.issue_statement(p.finance, s)
    assert e.value.code == "statement_not_draft"
    assert everything() == before


def test_the_customer_confirms_or_disputes_and_finance_resolves(p):
    golden(p)
    [s] = generate(p)
    # a draft is not the customer's yet
    with pytest.raises(NotFound):
        services.confirm_statement(p.acme_user, s)
    services.issue_statement(p.finance, s)
    # another customer's statement is not found; nothing changes
    before = everything()
    for call in (lambda: services.confirm_statement(p.bolt_user, s),
                 lambda: services.dispute_statement(p.bolt_user, s, [1], "no")):  # fmt: skip
        with pytest.raises(NotFound):
            call()
    line = StatementLine.objects.get(statement=s, fee_item_id="storage")
    for ids, reason, code in (([], "too much", "dispute_lines_invalid"),
                              ([999999], "too much", "dispute_lines_invalid"),
                              ([line.pk], "  ", "dispute_reason_required")):  # fmt: skip
        with pytest.raises(ValidationFailed) as e:
            services.dispute_statement(p.acme_user, s, ids, reason)
        assert e.value.code == code
    assert everything() == before
    case = services.dispute_statement(p.acme_user, s, [line.pk], "the parcel left the same day")
    s.refresh_from_db()
    assert (s.status, case.status, list(case.lines.all())) == ("disputed", "open", [line])
    with pytest.raises(Conflict):
        services.confirm_statement(p.acme_user, s)
    # more than the disputed line is refused
    before = everything()
    with pytest.raises(ValidationFailed) as e:
        services.resolve_dispute(p.finance, case, outcome="credit", amount="35.63")
    assert e.value.code == "dispute_amount_invalid" and everything() == before
    with pytest.raises(PermissionDenied):
        services.resolve_dispute(p.acme_user, case, outcome="reject")
    services.resolve_dispute(p.finance, case, outcome="credit", amount="35.62", note="agreed")
    case.refresh_from_db()
    s.refresh_from_db()
    assert (case.status, case.credit_amount, case.resolved_by, s.status, s.credited, s.due) == (
        "credited", D("35.62"), p.finance, "issued", D("35.62"), D("168.50"))  # fmt: skip
    assert case.credit_entry.kind == "credit_note" and case.resolved_at is not None
    assert Account.objects.get(customer=p.acme).balance == D("-168.50")
    with pytest.raises(Conflict) as e:
        services.resolve_dispute(p.finance, case, outcome="reject")
    assert e.value.code == "dispute_resolved"
    # the lines and total of the issued statement are as they were
    assert s.total == D("204.12")
    services.confirm_statement(p.acme_user, s)
    s.refresh_from_db()
    assert (s.status, s.confirmed_by) == ("confirmed", p.acme_user)


def test_a_rejected_dispute_posts_nothing(p):
    golden(p)
    [s] = generate(p)
    services.issue_statement(p.finance, s)
    line = StatementLine.objects.filter(statement=s).first()
    case = services.dispute_statement(p.acme_user, s, [line.pk], "wrong weight")
    entries = LedgerEntry.objects.count()
    services.resolve_dispute(p.finance, case, outcome="reject", note="weighed twice")
    case.refresh_from_db()
    s.refresh_from_db()
    assert (case.status, case.outcome_note, s.status, s.credited) == (
        "rejected", "weighed twice", "issued", D(0))  # fmt: skip
    assert LedgerEntry.objects.count() == entries


def test_generation_is_set_based(p, django_assert_max_num_queries):
    for i in range(12):
        create(p, f"W{i}")
        create(p, f"V{i}", customer=p.bolt, portal_user=p.bolt_user)
    with django_assert_max_num_queries(12):
        made = generate(p)
    assert len(made) == 2 and StatementLine.objects.count() == 48


def test_the_command_and_the_job_draft_and_issue_once(p):
    import io

    from django.core.management import call_command

    from ..tasks import generate_due_statements

    golden(p)
    today = next_month(timezone.localdate()).isoformat()
    out = io.StringIO()
    call_command("generate_statements", "--date", today, "--issue", stdout=out)
    assert out.getvalue().endswith("1 statements drafted, 1 issued\n")
    s = Statement.objects.get()
    assert (s.status, s.total, s.issued_by.username) == ("issued", D("204.12"), "statements")
    again = generate_due_statements.call(today=today, issue=True)
    assert again == {"drafted": 0, "issued": 0, "numbers": []}
