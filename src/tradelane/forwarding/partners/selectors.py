"""Reads of partners for the provider's staff pages; customers always through ``scoping``."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet

from tradelane.accounts.models import ApiKey

from .models import Agent, CustomerAccount, CustomerLevel, UpstreamLine
from .scoping import customers


def customer_list(user, q: str = "", status: str = "") -> QuerySet[CustomerAccount]:
    qs = customers(user).select_related("level", "salesperson", "agent")
    if q:
        qs = qs.filter(Q(code__icontains=q) | Q(company__icontains=q) | Q(email__icontains=q))
    if status:
        qs = qs.filter(status=status)
    return qs.annotate(waybill_count=Count("waybills")).order_by("code")


def levels() -> QuerySet[CustomerLevel]:
    return CustomerLevel.objects.prefetch_related("channels").annotate(
        customer_count=Count("customers")
    )


def agents() -> QuerySet[Agent]:
    return Agent.objects.annotate(customer_count=Count("customers"))


def upstream_lines() -> QuerySet[UpstreamLine]:
    return UpstreamLine.objects.prefetch_related("channels")


def customer_api_keys(customer: CustomerAccount) -> QuerySet[ApiKey]:
    """The open API keys of ``customer``'s portal users, newest first (revoked ones too)."""
    return (
        ApiKey.objects.filter(user__portal_membership__customer=customer)
        .select_related("user")
        .order_by("-created_at", "-pk")
    )
