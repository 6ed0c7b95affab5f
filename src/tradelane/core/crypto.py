"""Secrets at rest (carrier and store credentials): Fernet tokens (AES-128-CBC + HMAC-SHA256).

The key is ``TRADELANE_ENCRYPTION_KEY`` (any string; it is stretched with SHA-256), else
Django's ``SECRET_KEY``. To rotate, set the new key and list the old ones, comma-separated, in
``TRADELANE_ENCRYPTION_KEYS_OLD``: tokens made with an old key still decrypt, and
``rotate`` re-encrypts a token with the current key.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
from functools import cache
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings

from .errors import DomainError


class DecryptionFailed(DomainError):
    status = 500
    code = "decryption_failed"


def _fernet_key(secret: str) -> bytes:
    return base64.urlsafe_b64encode(hashlib.sha256(secret.encode()).digest())


@cache
def _fernet(current: str, old: str) -> MultiFernet:
    keys = [current, *(k.strip() for k in old.split(",") if k.strip())]
    return MultiFernet([Fernet(_fernet_key(k)) for k in keys])


def _box() -> MultiFernet:
    current = os.environ.get("TRADELANE_ENCRYPTION_KEY") or settings.SECRET_KEY
    return _fernet(current, os.environ.get("TRADELANE_ENCRYPTION_KEYS_OLD", ""))


def encrypt_json(data: dict[str, Any]) -> str:
    """A token (ASCII text) holding ``data``; never the data in clear."""
    return _box().encrypt(json.dumps(data, sort_keys=True).encode()).decode("ascii")


def decrypt_json(token: str) -> dict[str, Any]:
    if not token:
        return {}
    try:
        return json.loads(_box().decrypt(token.encode("ascii")))
    except (InvalidToken, ValueError) as exc:
        raise DecryptionFailed(
            "Stored credentials cannot be decrypted: was TRADELANE_ENCRYPTION_KEY changed "
            "without listing the old key in TRADELANE_ENCRYPTION_KEYS_OLD?"
        ) from exc


def rotate(token: str) -> str:
    """The same secret, encrypted with the current key."""
    return _box().rotate(token.encode("ascii")).decode("ascii") if token else token
