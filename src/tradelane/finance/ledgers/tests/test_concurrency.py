"""50 charges at once against one balance never overspend it, on SQLite and PostgreSQL.

The account holds 100.00 CNY and its customer has a 500.00 credit limit: 600.00 covers
exactly 20 charges of 30.00. 50 workers (threads, each with its own database connection)
charge at once through ``charge_within_credit``: exactly 20 win, 30 are refused with
``credit_exceeded``, and the balance is -500.00, the sum of the entries. On PostgreSQL the
account's row lock (``select_for_update``) queues them; on SQLite, each write transaction's
``BEGIN IMMEDIATE``.
"""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from tradelane.core.errors import Conflict
from tradelane.core.money import Money
from tradelane.core.tests import racing

from .. import selectors, services
from ..models import Account, LedgerEntry
from .factories import partners_with_accounts


@pytest.mark.django_db(transaction=True)
def test_fifty_parallel_charges_never_overspend_one_balance():
    p = partners_with_accounts(credit_limit="500.00")
    services.post(p.finance, p.account, "receipt", Money(D("100.00"), "CNY"))

    outcomes = racing.race(
        50,
        lambda n: services.charge_within_credit(
            p.finance,
            p.account,
            Money(D("30.00"), "CNY"),
            reference=f"W{n}",
            idempotency_key=f"charge-W{n}",
        ),  # fmt: skip
        refused=(Conflict,),
        won="charged",
    )
    assert outcomes == {"charged": 20, "credit_exceeded": 30}

    p.account.refresh_from_db()
    assert p.account.balance == D("-500.00") == selectors.sum_of_entries(p.account)
    charges = LedgerEntry.objects.filter(account=p.account, kind="charge")
    assert charges.count() == 20 and len(set(charges.values_list("reference", flat=True))) == 20
    # each saw the balance the one before it left: -500.00 is the lowest, never below
    afters = sorted(charges.values_list("balance_after", flat=True))
    assert afters == [D("100.00") - 30 * n for n in range(20, 0, -1)]


@pytest.mark.django_db(transaction=True)
def test_fifty_retries_of_one_charge_post_it_once():
    p = partners_with_accounts(credit_limit="500.00")
    outcomes = racing.race(
        50,
        lambda n: services.charge_within_credit(
            p.finance, p.account, Money(D("30.00"), "CNY"), idempotency_key="charge-W1"
        ),
        refused=(Conflict,),
        won="charged",
    )
    assert outcomes == {"charged": 50}
    p.account.refresh_from_db()
    assert p.account.balance == D("-30.00")
    assert LedgerEntry.objects.filter(account=p.account).count() == 1


@pytest.mark.django_db(transaction=True)
def test_ten_at_once_opening_one_account_get_the_same_one():
    p = partners_with_accounts()
    opened = []
    outcomes = racing.race(
        10, lambda n: opened.append(services.open_account(p.finance, p.customer, "USD").pk),
        refused=(Conflict,),
    )  # fmt: skip
    assert outcomes == {"won": 10} and len(set(opened)) == 1
    assert Account.objects.filter(customer=p.customer, currency="USD").count() == 1
