"""API keys: ``tl_<prefix>_<secret>``; a SHA-256 digest of the whole key is stored.

SHA-256 (not a slow password hash) is right here: the secret is 32 random bytes, so there is
nothing to brute-force, and every API call must verify it quickly.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from django.utils import timezone

from .models import ApiKey


def digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def new_key() -> tuple[str, str]:
    prefix = secrets.token_hex(6)
    raw = f"tl_{prefix}_{secrets.token_urlsafe(32)}"
    return prefix, raw


def parse_prefix(raw: str) -> str | None:
    parts = raw.split("_", 2)
    if len(parts) != 3 or parts[0] != "tl" or not parts[1]:
        return None
    return parts[1]


def authenticate_key(raw: str):
    """Return the active user behind ``raw`` or None."""
    prefix = parse_prefix(raw)
    if not prefix:
        return None
    key = ApiKey.objects.select_related("user").filter(prefix=prefix, revoked_at=None).first()
    if key is None or not hmac.compare_digest(key.digest, digest(raw)):
        return None
    if not key.user.is_active:
        return None
    now = timezone.now()
    if key.last_used_at is None or (now - key.last_used_at).total_seconds() > 60:
        ApiKey.objects.filter(pk=key.pk).update(last_used_at=now)
    return key.user
