"""Commissions in the role matrix's world: an agent with an agreement and a draft statement."""

from __future__ import annotations

import datetime as dt

from tradelane.finance.commissions import services
from tradelane.finance.commissions.models import CommissionStatement
from tradelane.forwarding.partners import services as partners


def seed_commissions(admin) -> dict:
    agent = partners.create_agent(admin, code="CMAG", name="Matrix agent")
    agreement = services.create_agreement(admin, beneficiary="agent", owner=agent,
                                          basis="per_waybill", rate="2",
                                          valid_from="2026-01-01")  # fmt: skip
    statement = CommissionStatement.objects.create(
        beneficiary="agent", agent=agent, period=dt.date(2026, 11, 1), currency="CNY"
    )
    return {"cm_agreement": agreement.pk, "cm_statement": statement.pk}
