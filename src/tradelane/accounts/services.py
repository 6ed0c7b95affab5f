"""Every write to accounts goes through here."""

from __future__ import annotations

from decimal import Decimal

from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

from tradelane.core import audit
from tradelane.core.errors import ValidationFailed
from tradelane.core.money import check_currency

from . import apikeys
from .models import ApiKey, BlockedBuyer, Company, User
from .permissions import require
from .roles import ROLE_PERMISSIONS, P


def create_user(
    actor,
    *,
    username: str,
    password: str,
    roles: list[str],
    email: str = "",
    first_name: str = "",
    language: str = "",
    check_password: bool = True,
) -> User:
    """Create a user with ``roles``; the password must pass Django's validators
    (``check_password=False`` only for the demo's printed, deliberately simple logins)."""
    if actor is not None:
        require(actor, P.USERS_MANAGE)
    unknown = set(roles) - ROLE_PERMISSIONS.keys()
    if unknown:
        raise ValidationFailed(f"Unknown roles: {sorted(unknown)}", code="unknown_role")
    if User.objects.filter(username=username).exists():
        raise ValidationFailed(f"User {username!r} exists", code="duplicate_username")
    if check_password:
        validate_new_password(password, User(username=username, email=email, first_name=first_name))
    with transaction.atomic():
        user = User.objects.create_user(
            username=username,
            password=password,
            email=email,
            first_name=first_name,
            language=language,
        )
        user.groups.set(Group.objects.filter(name__in=roles))
        audit.record(actor, "accounts.user.create", user, {"roles": roles})
    return user


def validate_new_password(password: str, user: User) -> None:
    """Django's AUTH_PASSWORD_VALIDATORS; their messages come in the active language."""
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise ValidationFailed(
            " ".join(exc.messages), code="weak_password", details={"problems": exc.messages}
        ) from exc


def unlock_logins(actor, *, username: str = "", ip_address: str = "") -> int:
    """Lift a login lockout (django-axes) for a user name or an address; returns how many
    recorded attempts were forgotten."""
    from axes.utils import reset

    require(actor, P.USERS_MANAGE)
    username, ip_address = username.strip(), ip_address.strip()
    if not username and not ip_address:
        raise ValidationFailed("Name a user or an address to unlock", code="unlock_target_required")
    with transaction.atomic():
        forgotten = reset(username=username or None, ip=ip_address or None)
        audit.record(
            actor,
            "accounts.login.unlock",
            entity="accounts.login",
            object_id=username or ip_address,
            changes={"username": username, "ip_address": ip_address, "attempts": forgotten},
        )
    return forgotten


def create_api_key(actor, *, user: User, name: str) -> tuple[ApiKey, str]:
    """Create a key for ``user``; the raw key is returned once and never stored."""
    if actor != user:
        require(actor, P.USERS_MANAGE)
    if not name.strip():
        raise ValidationFailed("Name the key", code="name_required")
    prefix, raw = apikeys.new_key()
    with transaction.atomic():
        key = ApiKey.objects.create(
            user=user, name=name.strip(), prefix=prefix, digest=apikeys.digest(raw)
        )
        audit.record(actor, "accounts.apikey.create", key, {"user": user.username, "name": name})
    return key, raw


def revoke_api_key(actor, key: ApiKey) -> None:
    if actor != key.user:
        require(actor, P.USERS_MANAGE)
    with transaction.atomic():
        ApiKey.objects.filter(pk=key.pk, revoked_at=None).update(revoked_at=timezone.now())
        audit.record(actor, "accounts.apikey.revoke", key)


def update_company(actor, **fields) -> Company:
    require(actor, P.COMPANY_MANAGE)
    allowed = {
        "name",
        "base_currency",
        "time_zone",
        "languages",
        "review_high_value",
        "review_duplicate_hours",
    }
    unknown = set(fields) - allowed
    if unknown:
        raise ValidationFailed(f"Unknown fields: {sorted(unknown)}", code="unknown_field")
    if "base_currency" in fields:
        fields["base_currency"] = check_currency(fields["base_currency"])
    if "review_high_value" in fields:
        fields["review_high_value"] = Decimal(str(fields["review_high_value"]))
    with transaction.atomic():
        company = Company.objects.select_for_update().get_or_create(pk=1)[0]
        changes = audit.diff(company, fields)
        for name, value in fields.items():
            setattr(company, name, value)
        company.updated_at = timezone.now()
        company.save()
        audit.record(actor, "accounts.company.update", company, changes)
    return company


def block_buyer(
    actor, *, email: str = "", phone: str = "", name: str = "", reason: str = ""
) -> BlockedBuyer:
    require(actor, P.ORDER_REVIEW)
    email = email.strip().lower()
    phone = phone.strip()
    if not email and not phone:
        raise ValidationFailed("Give the buyer's email or phone", code="email_or_phone_required")
    with transaction.atomic():
        row = BlockedBuyer.objects.create(
            email=email, phone=phone, name=name, reason=reason, created_by=actor
        )
        audit.record(actor, "accounts.blocked_buyer.create", row, {"email": email, "phone": phone})
    return row


def set_language(actor, language: str) -> User:
    """A person picks the UI language for themselves (kept across devices and sessions)."""
    from django.conf import settings

    if not getattr(actor, "is_authenticated", False):
        raise ValidationFailed("Log in first", code="not_authenticated")
    if language not in {code for code, _ in settings.LANGUAGES}:
        raise ValidationFailed(f"Unknown language {language!r}", code="unknown_language")
    if actor.language != language:
        with transaction.atomic():
            User.objects.filter(pk=actor.pk).update(language=language)
            audit.record(actor, "accounts.user.language", actor, {"language": language})
        actor.language = language
    return actor
