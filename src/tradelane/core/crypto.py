"""Secrets at rest: JSON encrypted with Fernet (AES-128-CBC + HMAC-SHA256, from ``cryptography``).

The key is derived (SHA-256, urlsafe base64) from ``TRADELANE_ENCRYPTION_KEY`` when set, else
from Django's ``SECRET_KEY``. Rotation: put the previous key(s) in
``TRADELANE_ENCRYPTION_KEYS_OLD`` (comma-separated); tokens written with them still decrypt
(``MultiFernet``), and ``rotate`` re-encrypts a token with the current key.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings

from .errors import ValidationFailed


def _fernet_for(secret: str) -> Fernet:
    digest = hashlib.sha256(("tradelane-crypto:" + secret).encode()).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


def _keys() -> MultiFernet:
    current = os.environ.get("TRADELANE_ENCRYPTION_KEY") or settings.SECRET_KEY
    old = [k.strip() for k in os.environ.get("TRADELANE_ENCRYPTION_KEYS_OLD", "").split(",")]
    return MultiFernet([_fernet_for(current), *(_fernet_for(k) for k in old if k)])


def encrypt_json(data: dict[str, Any]) -> str:
    return _keys().encrypt(json.dumps(data, separators=(",", ":")).encode()).decode()


def decrypt_json(token: str) -> dict[str, Any]:
    if not token:
        return {}
    try:
        return json.loads(_keys().decrypt(token.encode()))
    except InvalidToken:
        raise ValidationFailed(
            "Stored credentials cannot be decrypted with the configured keys",
            code="undecryptable",
        ) from None


def rotate(token: str) -> str:
    """The same secret, encrypted with the current key."""
    return _keys().rotate(token.encode()).decode() if token else token
