"""Agent and salesperson commissions: golden figures worked by hand for each agreement shape,
the stage-performance tier rule, a negative margin, per-kg rounding, a channel's agreement over
the general one, idempotent re-runs, a settled period left as it was (deltas instead), the
agent's ledger, and refusals that change nothing.

Every waybill below sells at 60.00 CNY and costs 40.00 CNY (margin 20.00), 1 kg chargeable,
unless the test says otherwise; they belong to ACME, brought by agent AG1, bound to sales1.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from tradelane.core.errors import Conflict, PermissionDenied, ValidationFailed
from tradelane.finance.commissions import services
from tradelane.finance.commissions.models import (
    CommissionAgreement,
    CommissionLine,
    CommissionStatement,
    CommissionTier,
)
from tradelane.finance.ledgers.models import Account, LedgerEntry
from tradelane.forwarding.waybills.models import WaybillStatus

from .helpers import commission_provider, waybills

pytestmark = pytest.mark.django_db
D = Decimal
NOV = dt.date(2026, 11, 1)


@pytest.fixture
def p():
    return commission_provider()


def agree(p, **data):
    data.setdefault("valid_from", "2026-01-01")
    return services.create_agreement(p.finance, beneficiary="agent", owner=p.agent, **data)


def statement(p, seq=1, who="agent"):
    owner = {"agent": p.agent} if who == "agent" else {"salesperson": p.sales1}
    return CommissionStatement.objects.get(period=NOV, sequence=seq, **owner)


def amounts(s) -> list[Decimal]:
    return list(s.lines.order_by("waybill_id").values_list("amount", flat=True))


def test_per_waybill_tiers_stage_performance_1200_waybills_all_at_the_tier_reached(p):
    # 0-1000 waybills 2.00 each, 1001+ 3.00 each; the month reaches 1,200: the tier reached
    # applies to the whole month (stage performance): 1,200 x 3.00 = 3,600.00, not
    # 1,000 x 2 + 200 x 3 = 2,600.00
    agree(p, basis="per_waybill", tier_measure="waybills", tiers=[("0", "2"), ("1001", "3")])
    waybills(p, 1200)
    r = services.compute_period(p.finance, "2026-11")
    s = statement(p)
    assert (r.statements, r.lines, r.total) == (1, 1200, {"CNY": D("3600.00")})
    assert (s.status, s.total, s.waybill_count, s.currency) == ("draft", D("3600.00"), 1200, "CNY")
    line = s.lines.first()
    assert (line.basis, line.base, line.volume, line.tier_min, line.rate) == (
        "per_waybill",
        D("1"),
        D("1200"),
        D("1001"),
        D("3"),
    )


def test_a_month_of_exactly_1000_waybills_stays_on_the_first_tier(p):
    agree(p, basis="per_waybill", tier_measure="waybills", tiers=[("0", "2"), ("1001", "3")])
    waybills(p, 1000)
    services.compute_period(p.finance, "2026-11")
    assert statement(p).total == D("2000.00")


def test_the_computation_is_a_few_queries_whatever_the_number_of_waybills(
    p, django_assert_max_num_queries
):
    agree(p, basis="margin_pct", rate="10")
    waybills(p, 300)
    with django_assert_max_num_queries(16):
        services.compute_period(p.finance, "2026-11")
    assert statement(p).total == D("600.00")  # 300 x 20.00 x 10 %


def test_percentage_of_margin_and_a_negative_margin_earns_nothing(p):
    # 12.5 % of 20.00 = 2.50; a waybill selling at 30.00 and costing 40.00 (margin -10.00)
    # earns 0.00 (noted), it does not take back the others'
    agree(p, basis="margin_pct", rate="12.5")
    waybills(p, 2)
    waybills(p, 1, sale="30.00", cost="40.00")
    services.compute_period(p.finance, "2026-11")
    s = statement(p)
    assert amounts(s) == [D("2.50"), D("2.50"), D("0.00")]
    assert s.total == D("5.00")
    loss = s.lines.order_by("waybill_id").last()
    assert (loss.base, loss.note) == (D("-10.00"), "negative_margin")


def test_per_kg_rounds_half_up_to_minor_units_per_waybill(p):
    # 1.234 kg x 1.25 = 1.5425 -> 1.54; 1.236 kg x 1.25 = 1.545 -> 1.55 (half up: a
    # half-even rounding would give 1.54); 2 kg x 1.25 = 2.50
    agree(p, basis="per_kg", rate="1.25")
    waybills(p, 1, grams=1234)
    waybills(p, 1, grams=1236)
    waybills(p, 1, grams=2000)
    services.compute_period(p.finance, "2026-11")
    assert amounts(statement(p)) == [D("1.54"), D("1.55"), D("2.50")]
    assert statement(p).total == D("5.59")


def test_per_kg_tiers_by_the_months_chargeable_kg(p):
    # tiers 0 kg: 1.00/kg, 10 kg: 1.50/kg; the month: 6 x 2 kg = 12 kg >= 10 -> all at 1.50
    agree(p, basis="per_kg", tier_measure="kg", tiers=[("0", "1"), ("10", "1.5")])
    waybills(p, 6, grams=2000)
    services.compute_period(p.finance, "2026-11")
    assert statement(p).total == D("18.00")


def test_a_channel_agreement_wins_over_the_general_one(p):
    agree(p, basis="per_waybill", rate="2")
    agree(p, basis="per_waybill", rate="5", channel="EUPOST")
    waybills(p, 2)  # USLINE: general, 2.00 each
    waybills(p, 1, channel=p.eu)  # EUPOST: its own, 5.00
    services.compute_period(p.finance, "2026-11")
    assert amounts(statement(p)) == [D("2.00"), D("2.00"), D("5.00")]


def test_validity_dates_pick_the_agreement_of_the_waybills_day(p):
    agree(p, basis="per_waybill", rate="2", valid_from="2026-01-01", valid_to="2026-11-15")
    agree(p, basis="per_waybill", rate="4", valid_from="2026-11-16")
    waybills(p, 1, day=dt.date(2026, 11, 15))
    waybills(p, 1, day=dt.date(2026, 11, 16))
    waybills(p, 1, day=dt.date(2026, 12, 1))  # December: another period
    services.compute_period(p.finance, "2026-11")
    assert amounts(statement(p)) == [D("2.00"), D("4.00")]


def test_forecasts_and_cancelled_waybills_earn_nothing(p):
    agree(p, basis="per_waybill", rate="2")
    waybills(p, 1, status=WaybillStatus.CREATED)
    waybills(p, 1, status=WaybillStatus.CANCELLED)
    waybills(p, 1, status=WaybillStatus.DELIVERED)
    r = services.compute_period(p.finance, "2026-11")
    assert (r.lines, statement(p).total) == (1, D("2.00"))


def test_a_rerun_replaces_the_draft_and_twice_is_the_same(p):
    a = agree(p, basis="per_waybill", rate="2")
    waybills(p, 3)
    services.compute_period(p.finance, "2026-11")
    first = statement(p)
    services.update_agreement(p.finance, a, basis="per_waybill", rate="3",
                              valid_from="2026-01-01")  # fmt: skip
    services.compute_period(p.finance, "2026-11")
    services.compute_period(p.finance, "2026-11")
    assert CommissionStatement.objects.count() == 1
    s = statement(p)
    assert (s.pk, s.total, CommissionLine.objects.count()) == (first.pk, D("9.00"), 3)


def test_a_settled_period_is_never_changed_a_recompute_posts_deltas(p):
    a = agree(p, basis="per_waybill", rate="2")
    ws = waybills(p, 3)
    services.compute_period(p.finance, "2026-11")
    s1 = statement(p)
    services.confirm(p.finance, s1)
    services.settle(p.finance, s1, on=dt.date(2026, 12, 5))
    account = Account.objects.get(agent=p.agent, currency="CNY")
    assert account.balance == D("6.00")
    e = LedgerEntry.objects.get(account=account)
    assert (e.kind, e.amount, e.source_type, e.source_id) == (
        "credit_note",
        D("6.0000"),
        "commission_statement",
        str(s1.pk),
    )
    before = list(s1.lines.values_list("waybill_id", "amount"))
    # the rate goes up to 3.00 and one more waybill of November comes: deltas, in sequence 2
    services.update_agreement(p.finance, a, basis="per_waybill", rate="3",
                              valid_from="2026-01-01")  # fmt: skip
    late = waybills(p, 1)[0]
    services.compute_period(p.finance, "2026-11")
    s1.refresh_from_db()
    assert (s1.status, s1.total, list(s1.lines.values_list("waybill_id", "amount"))) == (
        "settled",
        D("6.00"),
        before,
    )
    s2 = statement(p, 2)
    got = list(s2.lines.order_by("waybill_id").values_list("waybill_id", "amount", "is_delta"))
    assert got == [(ws[0].pk, D("1.00"), True), (ws[1].pk, D("1.00"), True),
                   (ws[2].pk, D("1.00"), True), (late.pk, D("3.00"), True)]  # fmt: skip
    assert (s2.status, s2.total) == ("draft", D("6.00"))
    # again: the same deltas, no third statement
    services.compute_period(p.finance, "2026-11")
    assert CommissionStatement.objects.filter(period=NOV).count() == 2
    assert statement(p, 2).total == D("6.00")
    services.confirm(p.finance, s2)
    services.settle(p.finance, s2)
    account.refresh_from_db()
    assert account.balance == D("12.00")
    # settled twice over: a re-run finds no difference and writes nothing
    services.compute_period(p.finance, "2026-11")
    assert CommissionStatement.objects.filter(period=NOV).count() == 2


def test_a_payout_debits_the_agents_account_and_never_overdraws_it(p):
    agree(p, basis="per_waybill", rate="2")
    waybills(p, 5)
    services.compute_period(p.finance, "2026-11")
    s = statement(p)
    services.confirm(p.finance, s)
    services.settle(p.finance, s)
    services.record_payout(p.finance, p.agent, "4.00", reference="BANK-1")
    account = Account.objects.get(agent=p.agent)
    assert account.balance == D("6.00")
    with pytest.raises(Conflict) as err:
        services.record_payout(p.finance, p.agent, "6.01", reference="BANK-2")
    assert err.value.code == "credit_exceeded"
    account.refresh_from_db()
    assert (account.balance, LedgerEntry.objects.count()) == (D("6.00"), 2)


def test_salesperson_commission_on_revenue_with_revenue_tiers(p):
    # sales1's customers' revenue in November: 10 x 60.00 = 600.00 >= 500 -> 3 % on all:
    # 1.80 per waybill, 18.00; settled without a ledger
    services.create_agreement(
        p.finance,
        beneficiary="salesperson",
        owner=p.sales1,
        basis="revenue_pct",
        tier_measure="revenue",
        tiers=[("0", "1"), ("500", "3")],
        valid_from="2026-01-01",
    )
    waybills(p, 10)
    r = services.compute_period(p.finance, "2026-11", beneficiary="salesperson")
    s = statement(p, who="salesperson")
    assert (r.lines, s.total, s.beneficiary) == (10, D("18.00"), "salesperson")
    services.confirm(p.finance, s)
    services.settle(p.finance, s)
    s.refresh_from_db()
    assert (s.status, s.settled_by, s.ledger_entry) == ("settled", p.finance, None)
    assert not Account.objects.exists()


def test_refused_agreements_change_nothing(p):
    agree(p, basis="per_waybill", rate="2")
    cases = [
        (dict(basis="per_parcel", rate="1"), "commission_basis_invalid"),
        (dict(basis="margin_pct", rate="101"), "commission_rate_invalid"),
        (dict(basis="per_waybill", rate="-1"), "commission_rate_invalid"),
        (
            dict(basis="per_waybill", tier_measure="waybills", tiers=[("10", "1"), ("5", "2")]),
            "commission_tiers_invalid",
        ),
        (
            dict(basis="per_waybill", rate="1", valid_from="2026-05-01", valid_to="2026-04-01"),
            "commission_dates_invalid",
        ),
        (dict(basis="per_waybill", rate="1", currency="USD"), "commission_currency_mismatch"),
        (dict(basis="per_waybill", rate="1", channel="NOPE"), "commission_channel_invalid"),
    ]
    for data, code in cases:
        with pytest.raises(ValidationFailed) as err:
            agree(p, **data)
        assert err.value.code == code, data
    with pytest.raises(Conflict) as err:
        agree(p, basis="per_waybill", rate="3", valid_from="2026-06-01")
    assert err.value.code == "commission_agreement_overlap"
    with pytest.raises(ValidationFailed) as err:
        services.create_agreement(
            p.finance,
            beneficiary="salesperson",
            owner=p.sales1,
            basis="per_waybill",
            rate="1",
            valid_from="2026-01-01",
        )
    assert err.value.code == "commission_basis_invalid"
    with pytest.raises(PermissionDenied):
        services.create_agreement(
            p.boss,
            beneficiary="agent",
            owner=p.agent,
            basis="per_waybill",
            rate="1",
            valid_from="2027-01-01",
        )
    assert CommissionAgreement.objects.count() == 1
    assert CommissionTier.objects.count() == 0


def test_refused_statement_actions_change_nothing(p):
    agree(p, basis="per_waybill", rate="2")
    waybills(p, 2)
    services.compute_period(p.finance, "2026-11")
    s = statement(p)
    with pytest.raises(Conflict) as err:
        services.settle(p.finance, s)  # a draft is not settled
    assert err.value.code == "commission_not_confirmed"
    with pytest.raises(PermissionDenied):
        services.compute_period(p.boss, "2026-11")
    with pytest.raises(PermissionDenied):
        services.confirm(p.boss, s)
    with pytest.raises(ValidationFailed) as err:
        services.compute_period(p.finance, "2026-13x")
    assert err.value.code == "commission_period_invalid"
    s.refresh_from_db()
    assert (s.status, s.total, s.settled_at, s.confirmed_at) == ("draft", D("4.00"), None, None)
    assert not LedgerEntry.objects.exists() and CommissionLine.objects.count() == 2
    services.confirm(p.finance, s)
    services.settle(p.finance, s)
    with pytest.raises(Conflict) as err:
        services.reopen(p.finance, s, "typo")
    assert err.value.code == "invalid_transition"
    s.refresh_from_db()
    assert s.status == "settled" and LedgerEntry.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_one_month_computed_by_four_workers_at_once_makes_one_statement():
    from tradelane.core.tests import racing

    p = commission_provider()
    agree(p, basis="per_waybill", rate="2")
    waybills(p, 5)
    outcomes = racing.race(4, lambda n: services.compute_period(p.finance, "2026-11"),
                           refused=(Conflict,))  # fmt: skip
    assert outcomes == {"won": 4}
    s = CommissionStatement.objects.get()
    assert (s.sequence, s.total, s.lines.count()) == (1, D("10.00"), 5)


def test_an_agents_headline_terms_are_adopted_as_a_general_agreement(p):
    # AG1 was created with the partners page's terms: 1.50 per kg
    p.agent.commission_mode, p.agent.commission_rate = "per_kg", D("1.50")
    p.agent.save(update_fields=["commission_mode", "commission_rate"])
    a = services.adopt_agent_terms(p.finance, p.agent, valid_from=dt.date(2026, 1, 1))
    assert (a.basis, a.rate, a.channel, a.valid_to) == ("per_kg", D("1.5"), None, None)
    waybills(p, 2, grams=1500)
    services.compute_period(p.finance, "2026-11")
    assert statement(p).total == D("4.50")  # 2 x 1.5 kg x 1.50 = 2 x 2.25
    with pytest.raises(Conflict) as err:  # adopted once: a second would overlap
        services.adopt_agent_terms(p.finance, p.agent, valid_from=dt.date(2026, 1, 1))
    assert err.value.code == "commission_agreement_overlap"
    assert CommissionAgreement.objects.count() == 1
