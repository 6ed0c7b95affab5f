"""Every write to the provider's partners: levels, customers, agents, upstream lines, the
channels a level or customer may use, portal users, their open API keys and the customer's
webhook address."""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from tradelane.accounts.models import ApiKey
from tradelane.accounts.permissions import require
from tradelane.accounts.roles import PORTAL_AGENT, PORTAL_CUSTOMER, P
from tradelane.accounts.services import create_api_key, create_user, revoke_api_key
from tradelane.core import audit
from tradelane.core.countries import check_country
from tradelane.core.errors import Conflict, NotFound, ValidationFailed
from tradelane.core.money import check_currency
from tradelane.logistics.models import Channel

from . import scoping
from .models import (
    Agent,
    CustomerAccount,
    CustomerLevel,
    PartnerStatus,
    PaymentTerms,
    PortalMembership,
    SettlementMode,
    UpstreamLine,
)


def _code(value: str, what: str) -> str:
    code = (value or "").strip().upper()
    if not code or len(code) > 30 or not all(ch.isalnum() or ch in "-_" for ch in code):
        raise ValidationFailed(
            f"A {what} code is 1 to 30 letters, digits, - or _",
            code="invalid_code", details={"field": "code"},
        )  # fmt: skip
    return code


def _channels(codes: Iterable[str]) -> list[Channel]:
    codes = sorted(set(codes))
    found = list(Channel.objects.filter(code__in=codes))
    missing = sorted(set(codes) - {c.code for c in found})
    if missing:
        raise ValidationFailed(
            f"Unknown channels: {', '.join(missing)}", code="unknown_channel",
            details={"field": "channels", "channels": missing},
        )  # fmt: skip
    return found


def _unique(fn, what: str, code: str):
    try:
        with transaction.atomic():
            return fn()
    except IntegrityError:
        raise Conflict(f"A {what} {code} exists already", code="duplicate_code",
                       details={"field": "code"}) from None  # fmt: skip


def create_level(actor, *, code: str, name: str, channels: Iterable[str] = ()) -> CustomerLevel:
    require(actor, P.PARTNER_MANAGE)
    code = _code(code, "level")
    chans = _channels(channels)

    def make():
        level = CustomerLevel.objects.create(code=code, name=name.strip() or code)
        level.channels.set(chans)
        audit.record(actor, "forwarding.level.create", level, {"channels": [c.code for c in chans]})
        return level

    return _unique(make, "level", code)


def set_level_channels(actor, level: CustomerLevel, channels: Iterable[str]) -> CustomerLevel:
    require(actor, P.PARTNER_MANAGE)
    chans = _channels(channels)
    with transaction.atomic():
        before = sorted(level.channels.values_list("code", flat=True))
        level.channels.set(chans)
        CustomerLevel.objects.filter(pk=level.pk).update(updated_at=timezone.now())
        audit.record(actor, "forwarding.level.channels", level,
                     {"channels": [before, sorted(c.code for c in chans)]})  # fmt: skip
    return level


def _money_terms(fields: dict) -> None:
    terms = fields.get("payment_terms", PaymentTerms.PREPAID)
    if terms not in PaymentTerms.values:
        raise ValidationFailed("Payment terms are prepaid or credit", code="invalid_choice",
                               details={"field": "payment_terms"})  # fmt: skip
    limit = fields.get("credit_limit")
    if limit is not None:
        limit = Decimal(str(limit))
        if limit < 0:
            raise ValidationFailed("A credit limit is at least 0", code="out_of_range",
                                   details={"field": "credit_limit"})  # fmt: skip
        fields["credit_limit"] = limit
    if terms == PaymentTerms.CREDIT and limit is None:
        raise ValidationFailed("A customer on credit needs a credit limit",
                               code="credit_limit_required",
                               details={"field": "credit_limit"})  # fmt: skip
    mode = fields.get("settlement_mode", SettlementMode.PER_WAYBILL)
    if mode not in SettlementMode.values:
        raise ValidationFailed("Unknown settlement mode", code="invalid_choice",
                               details={"field": "settlement_mode"})  # fmt: skip


def create_customer(
    actor,
    *,
    code: str,
    company: str,
    level: CustomerLevel,
    extra_channels: Iterable[str] = (),
    **fields: Any,
) -> CustomerAccount:
    """A new customer account; a salesperson who creates one is bound to it."""
    require(actor, P.PARTNER_MANAGE)
    code = _code(code, "customer")
    if not (company or "").strip():
        raise ValidationFailed("Give the company name", code="required",
                               details={"field": "company"})  # fmt: skip
    fields.setdefault("country", "CN")
    fields["country"] = check_country(fields["country"])
    fields["currency"] = check_currency(fields.get("currency", "CNY"))
    _money_terms(fields)
    if "salesperson" not in fields and not actor.has_perm(P.ALL_CUSTOMERS):
        fields["salesperson"] = actor
    chans = _channels(extra_channels)

    def make():
        customer = CustomerAccount.objects.create(
            code=code, company=company.strip(), level=level, **fields
        )
        customer.extra_channels.set(chans)
        audit.record(
            actor,
            "forwarding.customer.create",
            customer,
            {"level": level.code, "extra_channels": [c.code for c in chans]},
        )
        return customer  # fmt: skip

    return _unique(make, "customer", code)


def update_customer(actor, customer: CustomerAccount, **fields: Any) -> CustomerAccount:
    require(actor, P.PARTNER_MANAGE)
    scoping.customer(actor, customer.pk)  # in scope, or not found
    if "country" in fields:
        fields["country"] = check_country(fields["country"])
    if "currency" in fields:
        fields["currency"] = check_currency(fields["currency"])
    merged = {
        "payment_terms": customer.payment_terms, "credit_limit": customer.credit_limit,
        "settlement_mode": customer.settlement_mode, **fields,
    }  # fmt: skip
    _money_terms(merged)
    for key in ("credit_limit",):
        if key in fields:
            fields[key] = merged[key]
    with transaction.atomic():
        changes = audit.diff(customer, fields)
        CustomerAccount.objects.filter(pk=customer.pk).update(**fields, updated_at=timezone.now())
        customer.refresh_from_db()
        audit.record(actor, "forwarding.customer.update", customer, changes)
    return customer


def set_customer_status(actor, customer: CustomerAccount, status: str) -> CustomerAccount:
    if status not in PartnerStatus.values:
        raise ValidationFailed("Status is active or suspended", code="invalid_choice")
    return update_customer(actor, customer, status=status)


def set_webhook(actor, customer: CustomerAccount, url: str) -> tuple[CustomerAccount, str]:
    """Set (or clear, with "") the customer's webhook address; a new signing secret is made
    and returned once each time the address is set."""
    url = (url or "").strip()
    if url and not url.startswith(("https://", "http://")):
        raise ValidationFailed("A webhook address starts with https://", code="invalid_url",
                               details={"field": "url"})  # fmt: skip
    if scoping.membership(actor) is None:
        require(actor, P.PARTNER_MANAGE)
    scoping.customer(actor, customer.pk)
    secret = secrets.token_hex(24) if url else ""
    with transaction.atomic():
        CustomerAccount.objects.filter(pk=customer.pk).update(
            webhook_url=url, webhook_secret=secret, updated_at=timezone.now()
        )
        customer.refresh_from_db()
        audit.record(actor, "forwarding.customer.webhook", customer, {"url": url})
    return customer, secret


def create_agent(actor, *, code: str, name: str, **fields: Any) -> Agent:
    require(actor, P.PARTNER_MANAGE)
    code = _code(code, "agent")
    if "currency" in fields:
        fields["currency"] = check_currency(fields["currency"])

    def make():
        agent = Agent.objects.create(code=code, name=name.strip() or code, **fields)
        audit.record(actor, "forwarding.agent.create", agent)
        return agent

    return _unique(make, "agent", code)


def create_upstream_line(
    actor, *, code: str, name: str, channels: Iterable[str] = (), **fields: Any
) -> UpstreamLine:
    require(actor, P.PARTNER_MANAGE)
    code = _code(code, "upstream line")
    chans = _channels(channels)

    def make():
        line = UpstreamLine.objects.create(code=code, name=name.strip() or code, **fields)
        line.channels.set(chans)
        audit.record(actor, "forwarding.upstream.create", line)
        return line

    return _unique(make, "upstream line", code)


def create_portal_user(
    actor,
    *,
    username: str,
    password: str | None,
    customer: CustomerAccount | None = None,
    agent: Agent | None = None,
    email: str = "",
    language: str = "",
    check_password: bool = True,
):
    """A portal user of exactly one customer or agent account."""
    require(actor, P.PARTNER_MANAGE)
    if (customer is None) == (agent is None):
        raise ValidationFailed("A portal user belongs to one customer or one agent",
                               code="portal_account_required")  # fmt: skip
    if customer is not None:
        scoping.customer(actor, customer.pk)
    role = PORTAL_CUSTOMER if customer is not None else PORTAL_AGENT
    with transaction.atomic():
        user = create_user(actor, username=username, password=password, roles=[role],
                           email=email, language=language, check_password=check_password,
                           permission=P.PARTNER_MANAGE)  # fmt: skip
        PortalMembership.objects.create(user=user, customer=customer, agent=agent)
        audit.record(actor, "forwarding.portal_user.create", user,
                     {"customer": customer.code if customer else "",
                      "agent": agent.code if agent else ""})  # fmt: skip
    return user


def portal_user_of(actor, customer: CustomerAccount, user) -> None:
    """Refuse unless ``actor`` manages partners, ``customer`` is in their scope and ``user`` is
    one of that customer's portal users (anyone else is "not found", not a hint)."""
    require(actor, P.PARTNER_MANAGE)
    scoping.customer(actor, customer.pk)
    if (
        user is None
        or not PortalMembership.objects.filter(user_id=user.pk, customer_id=customer.pk).exists()
    ):
        raise NotFound("No such portal user of this customer", code="portal_user_not_found")


def create_customer_api_key(
    actor, customer: CustomerAccount, *, user, name: str
) -> tuple[ApiKey, str]:
    """An open API key for one of ``customer``'s portal users, made by the provider's staff;
    the raw key is returned this once."""
    portal_user_of(actor, customer, user)
    return create_api_key(actor, user=user, name=name, permission=P.PARTNER_MANAGE)


def revoke_customer_api_key(actor, customer: CustomerAccount, key: ApiKey) -> None:
    portal_user_of(actor, customer, key.user)
    revoke_api_key(actor, key, permission=P.PARTNER_MANAGE)
