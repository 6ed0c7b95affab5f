"""Whatever the sequence of fee postings, re-ratings and issues, an issued statement's lines
and total never change, and every receivable line ends on exactly one statement or none: the
later deltas land on the next statement."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tradelane.finance.fees import breakdown
from tradelane.finance.fees import services as fees
from tradelane.finance.fees.models import FeeStage, WaybillFeeLine
from tradelane.forwarding.waybills import services as waybills

from .. import services
from ..models import Statement, StatementLine
from .helpers import create, next_month, world
from .test_statements import snapshot

step = st.one_of(
    st.tuples(st.just("manual"), st.integers(0, 2), st.integers(-500, 2000),
              st.sampled_from(["CNY", "USD"])),
    st.tuples(st.just("rerate"), st.integers(0, 2), st.integers(300, 3000)),
    st.tuples(st.just("issue")),
)  # fmt: skip


@pytest.fixture
def p(db):
    p = world()
    p.ws = [create(p, f"H{i}") for i in range(3)]
    return p


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])  # fmt: skip
@given(steps=st.lists(step, max_size=12))
def test_no_issued_statement_ever_changes(p, steps):
    with transaction.atomic():
        issued: dict[int, tuple] = {}
        month = 0
        for s in [*steps, ("issue",)]:
            if s[0] == "manual" and s[2]:
                fees.add_manual_line(p.finance, p.ws[s[1]], side="receivable", item="storage",
                                     amount=D(s[2]).scaleb(-2), currency=s[3],
                                     reason="by hand")  # fmt: skip
            elif s[0] == "rerate":
                w = p.ws[s[1]]
                offer = waybills.measured_offer(w, [waybills.PieceInput(s[2], 300, 200, 100)])
                fees.post_fees(p.finance, w, FeeStage.ACTUAL,
                               breakdown.breakdown_of_priced(offer.priced))  # fmt: skip
            elif s[0] == "issue":
                month += 1
                made = services.generate_statements(
                    p.finance, today=next_month(timezone.localdate(), month)
                )
                for st_ in made:
                    services.issue_statement(p.finance, st_)
                    issued[st_.pk] = snapshot(st_)
            for pk, before in issued.items():
                s_ = Statement.objects.get(pk=pk)
                after = snapshot(s_)
                assert after[3] == before[3] and after[0] == before[0]
        # the last issue took every receivable line: each on exactly one statement
        receivable = WaybillFeeLine.objects.filter(side="receivable")
        assert not receivable.filter(statement_id__isnull=True).exists()
        on = list(StatementLine.objects.values_list("fee_line_id", flat=True))
        assert sorted(on) == sorted(receivable.values_list("pk", flat=True))
        for line in StatementLine.objects.all():
            assert WaybillFeeLine.objects.get(pk=line.fee_line_id).statement_id == line.statement_id
        assert sum(Statement.objects.values_list("total", flat=True), D(0)) == sum(
            StatementLine.objects.values_list("amount", flat=True), D(0)
        )
        transaction.set_rollback(True)
