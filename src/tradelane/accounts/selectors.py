from __future__ import annotations

from .models import Company


def company() -> Company:
    return Company.objects.get_or_create(pk=1, defaults={"languages": ["zh-hans", "en"]})[0]


def login_lockouts(actor) -> list[dict]:
    """Recorded failed logins (django-axes), newest first, each saying whether it locks now."""
    from axes.models import AccessAttempt
    from django.conf import settings
    from django.utils import timezone

    from .permissions import require
    from .roles import P

    require(actor, P.USERS_MANAGE)
    since = timezone.now() - settings.AXES_COOLOFF_TIME
    rows = AccessAttempt.objects.order_by("-attempt_time")[:500]
    return [
        {
            "username": row.username or "",
            "ip_address": row.ip_address or "",
            "failures": row.failures_since_start,
            "last_attempt": row.attempt_time,
            "locked": row.failures_since_start >= settings.AXES_FAILURE_LIMIT
            and row.attempt_time >= since,
        }
        for row in rows
    ]


def base_currency() -> str:
    """The company's base currency, read without creating the settings row (for pages)."""
    found = Company.objects.filter(pk=1).values_list("base_currency", flat=True).first()
    return found or Company._meta.get_field("base_currency").get_default()


def users_for(actor):
    """Every login with its roles, for the user administration."""
    from django.contrib.auth.models import Group
    from django.db.models import Prefetch

    from .models import User
    from .permissions import require
    from .roles import P

    require(actor, P.USERS_MANAGE)
    return User.objects.prefetch_related(
        Prefetch("groups", queryset=Group.objects.order_by("name"))
    ).order_by("-is_active", "username")


def user_detail(actor, user_id: int):
    from tradelane.core.errors import NotFound

    user = users_for(actor).filter(pk=user_id).first()
    if user is None:
        raise NotFound(f"User {user_id} does not exist", code="user_not_found")
    return user


def blocked_buyers(actor, q: str = ""):
    """The block list, newest first; ``q`` finds an email, phone or name containing it."""
    from django.db.models import Q

    from .models import BlockedBuyer
    from .permissions import require
    from .roles import P

    require(actor, P.ORDER_REVIEW)
    rows = BlockedBuyer.objects.select_related("created_by").order_by("-created_at", "-pk")
    q = (q or "").strip()[:100]
    if q:
        rows = rows.filter(Q(email__icontains=q) | Q(phone__icontains=q) | Q(name__icontains=q))
    return rows
