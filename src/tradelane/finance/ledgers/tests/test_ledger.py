"""Posting to the account ledgers: signs by kind, the stored balance, idempotent retries,
conversion of other currencies, credit checks that change nothing when they refuse, and
entries that cannot be changed or deleted."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest
from django.db import IntegrityError, transaction

from tradelane.accounts import roles
from tradelane.core.errors import Conflict, PermissionDenied, ValidationFailed
from tradelane.core.models import AuditLog
from tradelane.core.money import Money
from tradelane.finance.fx import services as fx
from tradelane.finance.fx.tests.ecb_files import eurofxref
from tradelane.forwarding.tests.factories import user

from .. import selectors, services
from ..models import Account, AppendOnly, LedgerEntry
from .factories import partners_with_accounts


def cny(amount: str) -> Money:
    return Money(D(amount), "CNY")


@pytest.fixture
def p(db):
    return partners_with_accounts()


def snapshot(account: Account):
    account.refresh_from_db()
    return (
        account.balance,
        list(LedgerEntry.objects.filter(account=account).values_list("id", "amount")),
        AuditLog.objects.count(),
    )


def test_each_kind_moves_the_balance_its_way_and_keeps_it_stored(p):
    a = p.account
    steps = [
        (services.post(p.finance, a, "receipt", cny("1000.00")), D("1000.00")),
        (services.post(p.finance, a, "charge", cny("264.80"), reference="W1"), D("735.20")),
        (services.post(p.finance, a, "credit_note", cny("24.80")), D("760.00")),
        (services.post(p.finance, a, "adjustment", cny("-0.01")), D("759.99")),
        (services.post(p.finance, a, "charge", cny("800.00")), D("-40.01")),
        (services.post(p.finance, a, "write_off", cny("40.01")), D("0.00")),
    ]
    assert [e.amount for e, _ in steps] == [D("1000.00"), D("-264.80"), D("24.80"), D("-0.01"),
                                           D("-800.00"), D("40.01")]  # fmt: skip
    assert [e.balance_after for e, _ in steps] == [after for _, after in steps]
    a.refresh_from_db()
    assert a.balance == D("0") == selectors.sum_of_entries(a)
    assert selectors.balance_of(a) == cny("0")
    first = steps[1][0]
    assert (first.kind, first.reference, first.created_by, first.booked_on) == (
        "charge", "W1", p.finance, dt.date.today())  # fmt: skip
    assert first.original_currency == "" and first.fx_rate is None


def test_an_owner_has_one_account_per_currency(p):
    assert services.open_account(p.finance, p.customer) == p.account
    usd = services.open_account(p.finance, p.customer, "usd")
    assert usd != p.account and usd.currency == "USD"
    assert {a.owner_kind for a in Account.objects.all()} == {"customer", "agent", "upstream_line"}
    assert (p.agent_account.owner, p.line_account.owner) == (p.agent, p.line)
    with pytest.raises(IntegrityError), transaction.atomic():
        Account.objects.create(owner_kind="customer", customer=p.customer, currency="CNY")
    with pytest.raises(IntegrityError), transaction.atomic():
        Account.objects.create(owner_kind="agent", customer=p.customer, currency="EUR")


def test_a_retried_post_changes_nothing_and_a_reused_key_is_refused(p):
    first = services.post(p.finance, p.account, "receipt", cny("100.00"), idempotency_key="bank-1")
    before = snapshot(p.account)
    again = services.post(p.finance, p.account, "receipt", cny("100.00"), idempotency_key="bank-1")
    assert again.pk == first.pk and snapshot(p.account) == before
    with pytest.raises(Conflict) as err:
        services.post(p.finance, p.account, "receipt", cny("100.01"), idempotency_key="bank-1")
    assert err.value.code == "idempotency_key_reused" and snapshot(p.account) == before
    # the same key on another account is another post
    other = services.post(p.finance, p.agent_account, "receipt", cny("1.00"),
                          idempotency_key="bank-1")  # fmt: skip
    assert other.pk != first.pk


@pytest.mark.parametrize(
    "kind, amount, code",
    [("charge", "-1.00", "ledger_amount_invalid"), ("receipt", "0", "ledger_amount_invalid"),
     ("adjustment", "0.00", "ledger_amount_invalid"), ("charge", "1.001", "ledger_amount_invalid"),
     ("refund", "1.00", "ledger_kind_invalid")],
)  # fmt: skip
def test_a_bad_post_is_refused_and_changes_nothing(p, kind, amount, code):
    before = snapshot(p.account)
    with pytest.raises(ValidationFailed) as err:
        services.post(p.finance, p.account, kind, cny(amount))
    assert err.value.code == code and snapshot(p.account) == before


def test_posting_needs_the_permission(p):
    clerk = user("cs1", roles.PROVIDER_SERVICE)
    before = snapshot(p.account)
    with pytest.raises(PermissionDenied):
        services.post(clerk, p.account, "receipt", cny("1.00"))
    with pytest.raises(PermissionDenied):
        services.open_account(clerk, p.customer, "EUR")
    assert snapshot(p.account) == before and Account.objects.count() == 3


def test_an_amount_in_another_currency_is_converted_and_keeps_its_rate(p):
    fx.import_ecb_rates(eurofxref({"2026-12-04": {"USD": "1.0541", "CNY": "7.6543"}}))
    saturday = dt.date(2026, 12, 5)
    services.post(p.finance, p.account, "receipt", cny("1000.00"))
    entry = services.charge_within_credit(p.finance, p.account, Money(D("50.00"), "USD"),
                                          on=saturday, reference="W9")  # fmt: skip
    # 50.00 x (7.6543 / 1.0541 = 7.26145526990) = 363.072763495 -> 363.07 CNY, Friday's rate
    assert entry.amount == D("-363.07") and entry.booked_on == saturday
    assert (entry.original_amount, entry.original_currency) == (D("50.00"), "USD")
    assert (entry.fx_rate, entry.fx_rate_source, entry.fx_rate_date) == (
        D("7.26145526990"), "ECB", dt.date(2026, 12, 4))  # fmt: skip
    again = services.charge_within_credit(p.finance, p.account, Money(D("50.00"), "USD"),
                                          on=saturday, idempotency_key="")  # fmt: skip
    assert again.pk != entry.pk  # no key: a second charge
    keyed = services.post(p.finance, p.account, "charge", Money(D("1.00"), "USD"), on=saturday,
                          idempotency_key="k")  # fmt: skip
    assert services.post(p.finance, p.account, "charge", Money(D("1.00"), "USD"), on=saturday,
                         idempotency_key="k").pk == keyed.pk  # fmt: skip
    with pytest.raises(ValidationFailed) as err:
        services.post(p.finance, p.account, "charge", Money(D("1.00"), "USD"),
                      on=dt.date(2026, 12, 1))  # fmt: skip
    assert err.value.code == "fx_rate_missing"


def test_a_charge_within_credit_may_use_the_balance_and_the_limit_exactly(p):
    services.post(p.finance, p.account, "receipt", cny("100.00"))
    # 100.00 balance + 500.00 credit limit = 600.00 available
    services.charge_within_credit(p.finance, p.account, cny("599.99"))
    before = snapshot(p.account)
    with pytest.raises(Conflict) as err:
        services.charge_within_credit(p.finance, p.account, cny("0.02"))
    assert err.value.code == "credit_exceeded"
    assert err.value.details == {
        "balance": "-499.99",
        "credit_limit": "500.00",
        "available": "0.01",
        "amount": "0.02",
        "currency": "CNY",
    }
    assert snapshot(p.account) == before
    services.charge_within_credit(p.finance, p.account, cny("0.01"))
    p.account.refresh_from_db()
    assert p.account.balance == D("-500.00") == selectors.sum_of_entries(p.account)
    # a plain charge (a parcel released by hand) may go past the limit
    services.post(p.finance, p.account, "charge", cny("10.00"))
    p.account.refresh_from_db()
    assert p.account.balance == D("-510.00")


def test_a_prepaid_customer_draws_on_its_balance_only(db):
    p = partners_with_accounts(credit_limit=None)
    with pytest.raises(Conflict):
        services.charge_within_credit(p.finance, p.account, cny("0.01"))
    services.post(p.finance, p.account, "receipt", cny("10.00"))
    services.charge_within_credit(p.finance, p.account, cny("10.00"))
    # the customer's credit limit is in its own currency: its USD account has none
    usd = services.open_account(p.finance, p.customer, "USD")
    assert selectors.credit_limit_of(usd) == Money.zero("USD")


def test_entries_cannot_be_changed_nor_deleted(p):
    entry = services.post(p.finance, p.account, "receipt", cny("5.00"))
    entry.amount = D("500.00")
    with pytest.raises(AppendOnly):
        entry.save()
    with pytest.raises(AppendOnly):
        entry.delete()
    with pytest.raises(AppendOnly):
        LedgerEntry.objects.filter(pk=entry.pk).update(amount=D("500.00"))
    with pytest.raises(AppendOnly):
        LedgerEntry.objects.all().delete()
    assert LedgerEntry.objects.get().amount == D("5.00")


def test_the_database_refuses_an_entry_whose_sign_does_not_match_its_kind(p):
    with pytest.raises(IntegrityError), transaction.atomic():
        LedgerEntry.objects.create(account=p.account, kind="charge", amount=D("5"),
                                   balance_after=D("5"), booked_on=dt.date.today())  # fmt: skip
