"""Reads of commissions shared by the staff pages, the agent's portal and the export. A
portal agent reaches statements only through ``forwarding.partners.scoping`` (its own agent,
confirmed or settled: drafts are the provider's working copy)."""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet

from tradelane.core.errors import NotFound
from tradelane.forwarding.partners import scoping

from .models import (
    Beneficiary,
    CommissionAgreement,
    CommissionLine,
    CommissionStatement,
    StatementStatus,
)

LINES_SHOWN = 500


def agreements(beneficiary: str | None = None) -> QuerySet[CommissionAgreement]:
    qs = CommissionAgreement.objects.select_related("agent", "salesperson", "channel")
    qs = qs.prefetch_related("tiers")
    return qs.filter(beneficiary=beneficiary) if beneficiary else qs


def agents_without_agreement():
    """Agents whose record carries commission terms (mode and rate) but who have no
    agreement yet: their terms can be adopted as a general agreement."""
    from tradelane.forwarding.partners.models import Agent

    taken = CommissionAgreement.objects.filter(agent__isnull=False).values("agent_id")
    return Agent.objects.filter(commission_rate__gt=0).exclude(pk__in=taken).order_by("code")


def agreement(pk: int) -> CommissionAgreement:
    found = agreements().filter(pk=pk).first()
    if found is None:
        raise NotFound(f"No commission agreement {pk}", code="commission_agreement_not_found")
    return found


def statements(*, beneficiary: str, period: dt.date | None = None) -> QuerySet:
    qs = CommissionStatement.objects.filter(beneficiary=beneficiary).select_related(
        "agent", "salesperson", "settled_by"
    )
    return qs.filter(period=period) if period else qs


def statement(user, pk: int) -> CommissionStatement:
    """One statement for staff: an agent's within ``scoping.agent_filter``, a salesperson's
    for staff (never for a portal user)."""
    qs = CommissionStatement.objects.select_related("agent", "salesperson", "ledger_entry")
    found = qs.filter(pk=pk).first()
    if found is not None:
        if found.beneficiary == Beneficiary.AGENT:
            found = scoping.agent_scoped(user, qs.filter(pk=pk)).first()
        elif scoping.is_portal_user(user):
            found = None
    if found is None:
        raise NotFound(f"No commission statement {pk}", code="commission_statement_not_found")
    return found


def portal_statements(user) -> QuerySet[CommissionStatement]:
    """An agent's portal user's own statements, confirmed or settled, newest first."""
    qs = CommissionStatement.objects.filter(
        beneficiary=Beneficiary.AGENT,
        status__in=[StatementStatus.CONFIRMED, StatementStatus.SETTLED],
    ).select_related("agent")
    return scoping.agent_scoped(user, qs).order_by("-period", "-sequence")


def portal_statement(user, pk: int) -> CommissionStatement:
    found = portal_statements(user).filter(pk=pk).first()
    if found is None:
        raise NotFound(f"No commission statement {pk}", code="commission_statement_not_found")
    return found


def lines(statement: CommissionStatement, limit: int | None = LINES_SHOWN) -> list:
    qs = (
        CommissionLine.objects.filter(statement=statement)
        .select_related("waybill__customer", "waybill__channel", "agreement__channel")
        .order_by("waybill_id")
    )
    return list(qs[:limit] if limit else qs)
