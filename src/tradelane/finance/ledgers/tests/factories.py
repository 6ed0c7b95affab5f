"""Partners with accounts, made through the real services."""

from __future__ import annotations

from types import SimpleNamespace

from django.contrib.auth import get_user_model

from tradelane.accounts import roles
from tradelane.forwarding.partners import services as partners
from tradelane.forwarding.tests.factories import user


def partners_with_accounts(*, credit_limit: str | None = "500.00") -> SimpleNamespace:
    """A customer on credit (``credit_limit`` CNY; prepaid when None), an agent, an upstream
    line, a finance clerk, and the CNY account of each."""
    from .. import services

    admin = get_user_model().objects.create_superuser("fadmin", password="pw-Tradelane-1")
    finance = user("fin1", roles.PROVIDER_FINANCE)
    level = partners.create_level(admin, code="STD", name="Standard")
    terms = {"payment_terms": "credit", "credit_limit": credit_limit} if credit_limit else {}
    customer = partners.create_customer(admin, code="ACME", company="Acme Trading",
                                        level=level, **terms)  # fmt: skip
    agent = partners.create_agent(admin, code="AG1", name="Agent One")
    line = partners.create_upstream_line(admin, code="UP1", name="Line One")
    return SimpleNamespace(
        admin=admin, finance=finance, customer=customer, agent=agent, line=line,
        account=services.open_account(finance, customer),
        agent_account=services.open_account(finance, agent),
        line_account=services.open_account(finance, line),
    )  # fmt: skip
