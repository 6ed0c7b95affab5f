"""Two people at once, on SQLite and PostgreSQL: eight accepts of one bill line post it once
(the line's conditional state change and the entry's idempotency key), and four imports of
one bill write it once (the bill's digest is unique per line)."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from tradelane.core.errors import Conflict
from tradelane.core.tests import racing
from tradelane.finance.ledgers.models import LedgerEntry
from tradelane.finance.payables import selectors, services
from tradelane.finance.payables.models import UpstreamBill, UpstreamBillLine

from .helpers import COLUMNS, HEADERS, golden_rows, provider


@pytest.mark.django_db(transaction=True)
def test_eight_accepts_of_one_line_post_it_once():
    p = provider()
    bill = services.import_bill(p.finance, p.line, HEADERS, golden_rows(p), columns=COLUMNS,
                                mode="valid_only").bill  # fmt: skip
    line = bill.lines.get(row_number=2)
    outcomes = racing.race(8, lambda n: services.accept(p.finance, line.pk),
                           refused=(Conflict,), won="accepted")  # fmt: skip
    assert outcomes["accepted"] == 1 and sum(outcomes.values()) == 8
    assert LedgerEntry.objects.filter(account__upstream_line=p.line).count() == 1
    assert selectors.balance_of_line(p.line, "CNY").amount == D("56.00")
    assert UpstreamBillLine.objects.get(pk=line.pk).status == "accepted"


@pytest.mark.django_db(transaction=True)
def test_four_imports_of_one_bill_write_it_once():
    p = provider()
    rows = golden_rows(p)
    outcomes = racing.race(
        4, lambda n: services.import_bill(p.finance, p.line, HEADERS, rows, columns=COLUMNS,
                                          mode="valid_only"),
        refused=(Conflict,), won="imported",
    )  # fmt: skip
    assert outcomes == {"imported": 1, "payable_bill_duplicate": 3}
    assert UpstreamBill.objects.count() == 1 and UpstreamBillLine.objects.count() == 5
