"""The one place that decides which customers' rows a user sees (ARCHITECTURE.md, "portals see
only their own"). Every portal page, API operation and export of the provider side reaches
customer-owned rows through ``scoped`` (or the helpers below), never through a filter of its
own, and an object outside the scope is "not found" (404), never "forbidden" (403), so ids of
other customers cannot be probed.

- a portal user of a customer account: that account only;
- a portal user of an agent account: the customers that agent brought;
- provider sales: the customers bound to them (``CustomerAccount.salesperson``);
- staff holding ``forwarding.view_all_customers`` (service, hub, finance, boss, admin): all;
- anyone else: none.
"""

from __future__ import annotations

from django.db.models import Model, Q, QuerySet

from tradelane.accounts.roles import P
from tradelane.core.errors import NotFound, PermissionDenied
from tradelane.core.statements import Param, Select

from .models import CustomerAccount, PartnerStatus, PortalMembership

# asked on every request of a signed-in user that reaches a scope: compiled once
_MEMBERSHIP_IDS = Select(lambda: PortalMembership.objects.filter(user_id=Param("user"))
                         .values_list("pk", flat=True))  # fmt: skip


def membership(user) -> PortalMembership | None:
    """The portal account of ``user`` (cached on the user object), or None for staff."""
    if not getattr(user, "is_authenticated", False):
        return None
    cached = getattr(user, "_forwarding_membership", False)
    if cached is False:
        # staff (every hub scan, every back-office page) have none: a narrow read answers
        # them; the three-table join is built only for a portal user (a fifth of a scan's
        # CPU went to compiling it, py-spy on benchmarks/hub_inbound.py)
        ids = _MEMBERSHIP_IDS.all(user=user.pk)
        cached = None
        if ids:
            cached = PortalMembership.objects.select_related("customer__level", "agent").get(
                pk=ids[0]
            )
        user._forwarding_membership = cached
    return cached


def is_portal_user(user) -> bool:
    return membership(user) is not None


def customer_filter(user, via: str = "") -> Q:
    """A ``Q`` that keeps the rows of the customers ``user`` may see; ``via`` is the path from
    the filtered model to its ``CustomerAccount`` ("" for CustomerAccount itself)."""
    prefix = f"{via}__" if via else ""
    none = Q(pk__in=[])
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return none
    m = membership(user)
    if m is not None:
        if m.customer_id:
            return Q(**{f"{prefix}pk" if not via else f"{via}_id": m.customer_id})
        return Q(**{f"{prefix}agent_id": m.agent_id})
    if user.has_perm(P.ALL_CUSTOMERS):
        return Q()
    if user.has_perm(P.PARTNER_VIEW):
        return Q(**{f"{prefix}salesperson_id": user.pk})
    return none


def sees_customer(user, account: CustomerAccount) -> bool:
    """Whether ``user`` may see ``account``'s rows: ``customer_filter``'s rule decided on the
    loaded account, without a query (a row already in hand, as a scan or a service holds)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    m = membership(user)
    if m is not None:
        if m.customer_id:
            return account.pk == m.customer_id
        return account.agent_id == m.agent_id
    if user.has_perm(P.ALL_CUSTOMERS):
        return True
    if user.has_perm(P.PARTNER_VIEW):
        return account.salesperson_id == user.pk
    return False


def scoped(user, qs: QuerySet, *, via: str = "customer") -> QuerySet:
    """``qs`` narrowed to the rows of the customers ``user`` may see."""
    return qs.filter(customer_filter(user, via))


def customers(user) -> QuerySet[CustomerAccount]:
    return scoped(user, CustomerAccount.objects.select_related("level"), via="")


def get_scoped(user, qs: QuerySet, *, via: str = "customer", **lookup) -> Model:
    """One row inside the scope, or ``NotFound`` (also when it exists outside it)."""
    found = scoped(user, qs, via=via).filter(**lookup).first()
    if found is None:
        raise NotFound(f"No {qs.model._meta.verbose_name} {next(iter(lookup.values()), '')}")
    return found


def customer(user, code_or_id: str | int) -> CustomerAccount:
    key = {"pk": code_or_id} if isinstance(code_or_id, int) else {"code": code_or_id}
    found = customers(user).filter(**key).first()
    if found is None:
        raise NotFound(f"No customer {code_or_id}", code="customer_not_found")
    return found


def acting_customer(user, code: str | int | None = None) -> CustomerAccount:
    """The customer a write is for: a customer's portal user always acts for its own account
    (a ``code`` naming another is "not found"); staff and agents must name one in their scope.
    A suspended customer is refused (``customer_suspended``)."""
    m = membership(user)
    if m is not None and m.customer_id:
        found = m.customer
        if code not in (None, "", found.code, found.pk):
            raise NotFound(f"No customer {code}", code="customer_not_found")
    elif code in (None, ""):
        raise PermissionDenied("Say which customer this is for", code="customer_required")
    else:
        found = customer(user, code)
    if found.status != PartnerStatus.ACTIVE:
        raise PermissionDenied(
            f"Customer {found.code} is suspended: no new waybills", code="customer_suspended"
        )
    return found


def agent_filter(user, via: str = "agent") -> Q:
    """A ``Q`` that keeps the rows of the downstream agents ``user`` may see (commission
    statements...): an agent's portal user its own agent only, a customer's portal user none,
    staff holding ``forwarding.view_all_customers`` every agent, anyone else none."""
    none = Q(pk__in=[])
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return none
    m = membership(user)
    if m is not None:
        return Q(**{f"{via}_id": m.agent_id}) if m.agent_id else none
    return Q() if user.has_perm(P.ALL_CUSTOMERS) else none


def agent_scoped(user, qs: QuerySet, *, via: str = "agent") -> QuerySet:
    """``qs`` narrowed to the rows of the agents ``user`` may see (``agent_filter``)."""
    return qs.filter(agent_filter(user, via))
