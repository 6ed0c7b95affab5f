"""Every write to accounts goes through here."""

from __future__ import annotations

from decimal import Decimal

from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

from tradelane.core import audit
from tradelane.core.errors import Conflict, NotFound, ValidationFailed
from tradelane.core.money import check_currency

from . import apikeys
from .models import ApiKey, BlockedBuyer, Company, User
from .permissions import require
from .roles import ROLE_PERMISSIONS, P


def create_user(
    actor,
    *,
    username: str,
    password: str | None,
    roles: list[str],
    email: str = "",
    first_name: str = "",
    language: str = "",
    check_password: bool = True,
    permission: str = P.USERS_MANAGE,
) -> User:
    """Create a user with ``roles``; the password must pass Django's validators
    (``check_password=False`` only for the demo's printed, deliberately simple logins).
    ``permission``: what the actor must hold (a provider's partner managers create the portal
    users of their customers with ``forwarding.change_customeraccount``)."""
    if actor is not None:
        require(actor, permission)
    _check_roles(roles)
    username = _check_username(username)
    if User.objects.filter(username=username).exists():
        raise ValidationFailed(
            f"User {username!r} exists", code="duplicate_username", details={"field": "username"}
        )
    if check_password and password is not None:
        validate_new_password(password, User(username=username, email=email, first_name=first_name))
    with transaction.atomic():
        user = User.objects.create_user(  # a password of None: unusable (an invitation)
            username=username,
            password=password,
            email=email,
            first_name=first_name,
            language=language,
        )
        user.groups.set(Group.objects.filter(name__in=roles))
        audit.record(actor, "accounts.user.create", user, {"roles": roles})
    return user


def _check_roles(roles) -> None:
    unknown = set(roles) - ROLE_PERMISSIONS.keys()
    if unknown:
        raise ValidationFailed(
            f"Unknown roles: {sorted(unknown)}", code="unknown_role",
            details={"field": "roles", "roles": sorted(unknown)},
        )  # fmt: skip


def _check_username(username: str) -> str:
    from django.contrib.auth.validators import UnicodeUsernameValidator
    from django.core.exceptions import ValidationError

    username = (username or "").strip()
    if not username:
        raise ValidationFailed(
            "Give a user name", code="username_required", details={"field": "username"}
        )
    try:
        if len(username) > 150:
            raise ValidationError("too long")
        UnicodeUsernameValidator()(username)
    except ValidationError:
        raise ValidationFailed(
            "A user name is at most 150 letters, digits and @ . + - _",
            code="invalid_username",
            details={"field": "username"},
        ) from None
    return username


def invite_user(
    actor,
    *,
    username: str,
    roles: list[str],
    email: str = "",
    first_name: str = "",
    language: str = "",
) -> tuple[User, str, str]:
    """Create a user without a password; returns (user, uidb64, token) for a one-time link
    at which they choose their own (there is no email sending: the admin passes it on)."""
    user = create_user(
        actor, username=username, password=None, roles=roles, email=email,
        first_name=first_name, language=language,
    )  # fmt: skip
    return (user, *password_token(user))


def password_token(user: User) -> tuple[str, str]:
    """(uidb64, token) for the set-password link. The token dies when the password changes
    (so it works once), at the next login, or after ``PASSWORD_RESET_TIMEOUT``."""
    from django.contrib.auth.tokens import default_token_generator
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    return urlsafe_base64_encode(force_bytes(user.pk)), default_token_generator.make_token(user)


def _refuse_self_lockout(actor, user: User, what: str) -> None:
    if getattr(actor, "pk", None) == user.pk:
        raise ValidationFailed(
            f"You cannot {what} yourself; ask another admin", code="cannot_change_self"
        )


def set_roles(actor, user: User, roles: list[str]) -> User:
    """Give ``user`` exactly ``roles`` (an admin cannot change their own: no self-lockout)."""
    require(actor, P.USERS_MANAGE)
    _check_roles(roles)
    _refuse_self_lockout(actor, user, "change the roles of")
    old = sorted(user.groups.values_list("name", flat=True))
    new = sorted(set(roles))
    with transaction.atomic():
        user.groups.set(Group.objects.filter(name__in=new))
        audit.record(actor, "accounts.user.roles", user, {"roles": [old, new]})
    user._tradelane_roles = new
    return user


def set_active(actor, user: User, active: bool) -> User:
    """Deactivate (cannot log in, API keys stop working) or reactivate a user."""
    require(actor, P.USERS_MANAGE)
    _refuse_self_lockout(actor, user, "deactivate")
    if user.is_active != active:
        with transaction.atomic():
            User.objects.filter(pk=user.pk).update(is_active=active)
            audit.record(actor, "accounts.user.active", user, {"is_active": [not active, active]})
        user.is_active = active
    return user


def reset_password(actor, user: User) -> tuple[str, str]:
    """The old password stops working; returns (uidb64, token) for a one-time link at which
    the user sets a new one."""
    require(actor, P.USERS_MANAGE)
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        locked.set_unusable_password()
        locked.save(update_fields=["password"])
        audit.record(actor, "accounts.user.password_reset", locked)
    user.password = locked.password
    return password_token(locked)


def user_for_token(uidb64: str, token: str) -> User | None:
    """The user a set-password link is for, or None if the link is wrong, used or expired."""
    from django.contrib.auth.tokens import default_token_generator
    from django.utils.http import urlsafe_base64_decode

    try:
        pk = int(urlsafe_base64_decode(uidb64).decode())
    except (TypeError, ValueError, OverflowError, UnicodeDecodeError):
        return None
    user = User.objects.filter(pk=pk, is_active=True).first()
    if user is None or not default_token_generator.check_token(user, token):
        return None
    return user


def set_password_with_token(uidb64: str, token: str, password: str) -> User:
    """Someone with a set-password link chooses their password (the link then dies)."""
    user = user_for_token(uidb64, token)
    if user is None:
        raise ValidationFailed(
            "This link is wrong, used or expired; ask an admin for a new one",
            code="invalid_password_link",
        )
    validate_new_password(password, user)
    with transaction.atomic():
        user.set_password(password)
        user.save(update_fields=["password"])
        audit.record(user, "accounts.user.password_set", user)
    return user


def validate_new_password(password: str, user: User) -> None:
    """Django's AUTH_PASSWORD_VALIDATORS; their messages come in the active language."""
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise ValidationFailed(
            " ".join(exc.messages),
            code="weak_password",
            details={"field": "password", "problems": exc.messages},
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


def create_api_key(
    actor, *, user: User, name: str, permission: str = P.USERS_MANAGE
) -> tuple[ApiKey, str]:
    """Create a key for ``user``; the raw key is returned once and never stored.
    ``permission``: what an actor other than ``user`` must hold (the provider's partner
    managers make keys for their customers' portal users, checking the customer first)."""
    if actor != user:
        require(actor, permission)
    if not name.strip():
        raise ValidationFailed("Name the key", code="name_required")
    prefix, raw = apikeys.new_key()
    with transaction.atomic():
        key = ApiKey.objects.create(
            user=user, name=name.strip(), prefix=prefix, digest=apikeys.digest(raw)
        )
        audit.record(actor, "accounts.apikey.create", key, {"user": user.username, "name": name})
    return key, raw


def revoke_api_key(actor, key: ApiKey, *, permission: str = P.USERS_MANAGE) -> None:
    if actor != key.user:
        require(actor, permission)
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
    _check_company_fields(fields)
    with transaction.atomic():
        company = Company.objects.select_for_update().get_or_create(pk=1)[0]
        changes = audit.diff(company, fields)
        for name, value in fields.items():
            setattr(company, name, value)
        company.updated_at = timezone.now()
        company.save()
        audit.record(actor, "accounts.company.update", company, changes)
    return company


def _company_error(field: str, message: str, code: str) -> ValidationFailed:
    return ValidationFailed(message, code=code, details={"field": field})


def _check_company_fields(fields: dict) -> None:
    """Normalise the company's fields in place; refuse a bad one naming it."""
    import zoneinfo

    from django.conf import settings

    if "name" in fields:
        fields["name"] = str(fields["name"] or "").strip()
        if not fields["name"] or len(fields["name"]) > 200:
            raise _company_error("name", "The name is 1 to 200 characters", "required")
    if "base_currency" in fields:
        try:
            fields["base_currency"] = check_currency(fields["base_currency"])
        except ValidationFailed as exc:
            raise _company_error("base_currency", exc.message, exc.code) from None
    if "time_zone" in fields and fields["time_zone"] not in zoneinfo.available_timezones():
        raise _company_error(
            "time_zone", f"Unknown time zone {fields['time_zone']!r}", "invalid_time_zone"
        )
    if "languages" in fields:
        known = [code for code, _ in settings.LANGUAGES]
        wanted = list(fields["languages"] or [])
        if not wanted or set(wanted) - set(known):
            raise _company_error(
                "languages", "Pick one or more known languages", "unknown_language"
            )
        fields["languages"] = [code for code in known if code in wanted]
    if "review_high_value" in fields:
        try:
            value = Decimal(str(fields["review_high_value"]))
        except ArithmeticError:
            value = Decimal(-1)
        if not value.is_finite() or value < 0 or value >= Decimal("1e16"):
            raise _company_error(
                "review_high_value", "The high-value threshold is an amount, 0 or more",
                "invalid_amount",
            )  # fmt: skip
        fields["review_high_value"] = value.quantize(Decimal("0.01"))
    if "review_duplicate_hours" in fields:
        hours = fields["review_duplicate_hours"]
        if not isinstance(hours, int) or isinstance(hours, bool) or not 0 <= hours <= 24 * 365:
            raise _company_error(
                "review_duplicate_hours", "Hours are a whole number from 0 to 8760",
                "invalid_measure",
            )  # fmt: skip


def block_buyer(
    actor, *, email: str = "", phone: str = "", name: str = "", reason: str = ""
) -> BlockedBuyer:
    """Put a buyer on the block list: their orders wait for contact at review (the rule
    ``blocked_buyer`` matches the email, or the phone exactly as the store sends it)."""
    require(actor, P.ORDER_REVIEW)
    email = (email or "").strip().lower()
    phone = (phone or "").strip()
    name = (name or "").strip()
    reason = (reason or "").strip()
    if not email and not phone:
        raise ValidationFailed("Give the buyer's email or phone", code="email_or_phone_required")
    for field, value in (("email", email), ("phone", phone), ("name", name)):
        limit = BlockedBuyer._meta.get_field(field).max_length
        if len(value) > limit:
            raise ValidationFailed(
                f"{field} is at most {limit} characters",
                code="too_long",
                details={"field": field, "max": limit},
            )
    if len(reason) > 1000:
        raise ValidationFailed(
            "The reason is at most 1000 characters", code="too_long", details={"field": "reason"}
        )
    with transaction.atomic():
        same = BlockedBuyer.objects.select_for_update()
        if (email and same.filter(email=email).exists()) or (
            phone and same.filter(phone=phone).exists()
        ):
            raise Conflict(
                "This buyer is already on the block list",
                code="already_blocked",
                details={"email": email, "phone": phone},
            )
        row = BlockedBuyer.objects.create(
            email=email, phone=phone, name=name, reason=reason, created_by=actor
        )
        audit.record(actor, "accounts.blocked_buyer.create", row, {"email": email, "phone": phone})
    return row


def unblock_buyer(actor, blocked_id: int) -> None:
    """Take a buyer off the block list (their next review no longer waits for contact)."""
    require(actor, P.ORDER_REVIEW)
    with transaction.atomic():
        row = BlockedBuyer.objects.select_for_update().filter(pk=blocked_id).first()
        if row is None:
            raise NotFound("This buyer is not on the block list", code="blocked_buyer_not_found")
        audit.record(
            actor, "accounts.blocked_buyer.delete", row,
            {"email": row.email, "phone": row.phone, "name": row.name},
        )  # fmt: skip
        row.delete()


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
