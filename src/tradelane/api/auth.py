"""Who is calling: an API key (``Authorization: Bearer tl_...`` or ``X-API-Key``) or a session.

The key schemes come first. A presented key that is wrong or revoked is refused outright (401)
rather than falling back to the session, so a program never acts as whoever is logged in by
accident. A session works only with Django's CSRF check on unsafe methods.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja.errors import AuthenticationError, HttpError
from ninja.security import APIKeyHeader, HttpBearer, SessionAuth
from ninja.utils import check_csrf

from tradelane.accounts.apikeys import authenticate_key


class BadApiKey(AuthenticationError):
    def __init__(self) -> None:
        super().__init__(401, "The API key is unknown or revoked")


class CsrfFailed(HttpError):
    def __init__(self) -> None:
        super().__init__(403, "CSRF check failed: send the X-CSRFToken header with the session")


def _user_for_key(raw: str | None):
    if not raw:
        return None
    user = authenticate_key(raw.strip())
    if user is None:
        raise BadApiKey()
    return user


class BearerKey(HttpBearer):
    """``Authorization: Bearer tl_<prefix>_<secret>``."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        return _user_for_key(token)


class HeaderKey(APIKeyHeader):
    """``X-API-Key: tl_<prefix>_<secret>``."""

    param_name = "X-API-Key"

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        return _user_for_key(key)


class Session(SessionAuth):
    """Django's session, with the CSRF check for unsafe methods.

    Unlike ninja's own ``SessionAuth`` the CSRF check runs only for a logged-in session, so a
    caller with no credentials at all gets 401 (not a confusing 403 about CSRF).
    """

    def _get_key(self, request: HttpRequest) -> str | None:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        if self.csrf and not getattr(request, "_ninja_csrf_exempt", False):
            if check_csrf(request) is not None:
                raise CsrfFailed()
        return request.COOKIES.get(self.param_name)

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.is_active:
            return user
        return None


AUTH = [BearerKey(), HeaderKey(), Session()]
