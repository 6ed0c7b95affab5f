"""The demo users' printed passwords, stored with a cheap hash.

Hashing a password the way Django does for real users (PBKDF2, a million rounds) takes one to
two seconds on a small machine; the demo has fifteen users, whose passwords are printed on the
screen anyway. So the demo creates them without a password (as an invitation would) and then
stores each printed password hashed with few rounds. Django checks such a hash as any other
and, at the user's first login, hashes the password again with its full rounds
(``must_update``).
"""

from __future__ import annotations

from django.contrib.auth.hashers import PBKDF2PasswordHasher

DEMO_ROUNDS = 5_000


def set_printed_passwords(passwords: dict[int, str]) -> None:
    """Store ``{user id: printed password}`` (a direct write: the demo's own users only)."""
    from django.contrib.auth import get_user_model

    hasher = PBKDF2PasswordHasher()
    User = get_user_model()
    for pk, password in passwords.items():
        encoded = hasher.encode(password, hasher.salt(), iterations=DEMO_ROUNDS)
        User.objects.filter(pk=pk).update(password=encoded)
