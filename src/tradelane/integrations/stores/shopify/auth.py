"""Admin API access tokens: a static token, or the client credentials grant of a Dev
Dashboard app.

A connection's (encrypted) credentials hold either ``access_token`` (a custom app's Admin API
token, sent as it is) or ``client_id`` + ``client_secret``: then a token is asked for with
``POST https://{shop}/admin/oauth/access_token`` (form fields ``grant_type=client_credentials``,
``client_id``, ``client_secret``); the answer's ``access_token`` expires after ``expires_in``
seconds (a day), so it is fetched again ``REFRESH_MARGIN`` seconds before that, or at once
after a 401 (https://shopify.dev/docs/apps/build/authentication-authorization/access-tokens/client-credentials-grant).

The fetched token is kept in this process only (a cache, like the throttle bucket): it is never
written anywhere; each process asks for its own when it needs one. The client secret stays in
the encrypted credentials.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from ..contract import PlatformError, Unavailable
from ..http import HttpClient

TOKEN_PATH = "/admin/oauth/access_token"
REFRESH_MARGIN = 300.0

_tokens: dict[tuple[str, str], tuple[str, float]] = {}  # (shop, client id) -> (token, expiry)
_lock = threading.Lock()


def uses_client_credentials(creds: dict) -> bool:
    return bool(creds.get("client_id") and creds.get("client_secret"))


class TokenSource:
    """Callable: the access token to send now (fetching or refreshing it when needed)."""

    def __init__(
        self,
        shop: str,
        creds: dict,
        *,
        base_url: str = "",
        clock: Callable[[], float] = time.time,
        retries: int = 3,
        sleep: Callable[[float], None] = time.sleep,
    ):
        self.shop = shop
        self.static = str(creds.get("access_token") or "")
        self.client_id = str(creds.get("client_id") or "")
        self.client_secret = str(creds.get("client_secret") or "")
        self.grant = uses_client_credentials(creds)
        self.base_url = base_url or f"https://{shop}"
        self.clock = clock
        self.retries = retries
        self.sleep = sleep
        self.fetched = 0  # tokens asked for by this source (tests, reports)

    @property
    def _key(self) -> tuple[str, str]:
        return (self.shop, self.client_id)

    def __call__(self) -> str:
        if not self.grant:
            if not self.static:
                raise PlatformError("No Shopify access token or client credentials")
            return self.static
        with _lock:
            cached = _tokens.get(self._key)
        if cached and self.clock() < cached[1] - REFRESH_MARGIN:
            return cached[0]
        return self._fetch()

    def expires_at(self) -> float | None:
        """When the token this process holds expires (``clock`` seconds); None for a static
        token (a custom app's Admin API token does not expire) or when none was fetched."""
        if not self.grant:
            return None
        with _lock:
            cached = _tokens.get(self._key)
        return cached[1] if cached else None

    def invalidate(self) -> None:
        with _lock:
            _tokens.pop(self._key, None)

    def _fetch(self) -> str:
        http = HttpClient(self.base_url, retries=self.retries, sleep=self.sleep)
        try:
            response = http.request(
                "POST",
                TOKEN_PATH,
                data={
                    "grant_type": "client_credentials",
                    "client_id": self.client_id,
                    "client_secret": self.client_secret,
                },
            )
        finally:
            http.close()
        if response.status_code >= 400:
            raise PlatformError(
                f"Shopify refused the client credentials (HTTP {response.status_code})"
            )
        try:
            body = response.json()
            token = str(body["access_token"])
            lifetime = float(body.get("expires_in") or 0)
        except (ValueError, KeyError, TypeError):
            raise Unavailable("Shopify's token answer is not the documented JSON") from None
        expiry = self.clock() + (lifetime if lifetime > 0 else 3600.0)
        with _lock:
            _tokens[self._key] = (token, expiry)
        self.fetched += 1
        return token
