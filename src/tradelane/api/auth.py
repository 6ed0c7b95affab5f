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


_VERIFIED = "_tradelane_key_user"  # the user a presented key verified to, kept on the request


def _key_user(request: HttpRequest, raw: str):
    """The active user behind the key ``raw`` or None, looked up once per request."""
    raw = raw.strip()
    cached = getattr(request, _VERIFIED, None)
    if cached is not None and cached[0] == raw:
        return cached[1]
    user = authenticate_key(raw) if raw else None
    setattr(request, _VERIFIED, (raw, user))
    return user


def _user_for_key(request: HttpRequest, raw: str | None):
    if not raw:
        return None
    user = _key_user(request, raw)
    if user is None:
        raise BadApiKey()
    return user


def presented_key(request: HttpRequest) -> str | None:
    """The key the caller presents, in the order ``AUTH`` tries them (Bearer, then X-API-Key)."""
    header = request.META.get("HTTP_AUTHORIZATION", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        return token.strip()
    return request.META.get("HTTP_X_API_KEY", "").strip() or None


def verified_user(request: HttpRequest):
    """The user this request would act as in the API, or None; never raises.

    The same decision as ``AUTH``: a presented key decides alone (a wrong one is nobody, not
    the session); otherwise an active session user whose unsafe request passes the CSRF check.
    Used where something must be tied to the caller before the endpoint runs (Idempotency-Key).
    """
    raw = presented_key(request)
    if raw is not None:
        return _key_user(request, raw)
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not user.is_active:
        return None
    if request.method not in ("GET", "HEAD", "OPTIONS", "TRACE") and check_csrf(request):
        return None
    return user


class BearerKey(HttpBearer):
    """``Authorization: Bearer tl_<prefix>_<secret>``."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        return _user_for_key(request, token)


class HeaderKey(APIKeyHeader):
    """``X-API-Key: tl_<prefix>_<secret>``."""

    param_name = "X-API-Key"

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        return _user_for_key(request, key)


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
