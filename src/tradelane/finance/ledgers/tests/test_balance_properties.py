"""Whatever the sequence of posts (kinds, amounts, refusals, retries with a key), the stored
balance equals the sum of the entries, and so does the last entry's ``balance_after``; a charge
within credit never leaves the balance below minus the credit limit."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tradelane.core.errors import Conflict
from tradelane.core.money import Money

from .. import selectors, services
from ..models import LedgerEntry
from .factories import partners_with_accounts

KINDS = ("charge", "receipt", "credit_note", "adjustment", "write_off")
cents = st.integers(min_value=1, max_value=100_000_00)
a_post = st.tuples(
    st.sampled_from(KINDS),
    cents,
    st.booleans(),  # adjustments: negative
    st.booleans(),  # charges: within credit
    st.one_of(st.just(""), st.sampled_from(["k1", "k2", "k3"])),
)


@pytest.fixture
def p(db):
    return partners_with_accounts(credit_limit="5000.00")


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])  # fmt: skip
@given(posts=st.lists(a_post, max_size=25))
def test_the_stored_balance_is_always_the_sum_of_the_entries(p, posts):
    with transaction.atomic():
        account = p.account
        for kind, amount_cents, negative, within, key in posts:
            amount = D(amount_cents).scaleb(-2) * (-1 if negative and kind == "adjustment" else 1)
            try:
                if kind == "charge" and within:
                    before = account.balance
                    services.charge_within_credit(p.finance, account, Money(amount, "CNY"),
                                                  idempotency_key=key)  # fmt: skip
                    account.refresh_from_db()
                    # a charge it wrote stays within the credit (a retried key writes nothing,
                    # and plain posts before it may have gone past the limit on their own)
                    if account.balance != before:
                        assert account.balance >= D("-5000.00")
                else:
                    services.post(p.finance, account, kind, Money(amount, "CNY"),
                                  idempotency_key=key)  # fmt: skip
            except Conflict as exc:  # over the credit, or a key reused for another amount
                assert exc.code in ("credit_exceeded", "idempotency_key_reused")
        account.refresh_from_db()
        entries = list(LedgerEntry.objects.filter(account=account).order_by("id"))
        assert account.balance == selectors.sum_of_entries(account)
        assert account.balance == sum((e.amount for e in entries), D(0))
        assert account.balance == (entries[-1].balance_after if entries else D(0))
        running = D(0)
        for e in entries:
            running += e.amount
            assert e.balance_after == running
        assert len({e.idempotency_key for e in entries if e.idempotency_key}) == len(
            [e for e in entries if e.idempotency_key]
        )
        transaction.set_rollback(True)
