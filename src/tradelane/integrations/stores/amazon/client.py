"""Amazon Selling Partner API client: Login with Amazon (LWA) access tokens, cached and
refreshed, and per-operation token buckets on top of ``stores.http``.

- LWA: ``POST https://api.amazon.com/auth/o2/token`` (form: ``grant_type=refresh_token``,
  ``refresh_token``, ``client_id``, ``client_secret``) answers ``access_token`` and
  ``expires_in`` (seconds). The token is cached per (client id, refresh token) until a minute
  before it expires, and refreshed once more when a call is refused with 403 (expired or
  revoked early). Every call sends it as ``x-amz-access-token``.
- Rate limits: each operation has a usage plan (rate per second, burst), e.g. searchOrders 0.0056
  and 20. A token bucket per (endpoint, seller, operation) waits before a call when it is
  empty; ``x-amzn-RateLimit-Limit`` in an answer corrects its rate. A 429 (QuotaExceeded)
  empties the bucket, waits one token's time and tries again (``MAX_THROTTLE_RETRIES``).
The token cache and the buckets are per process (an optimisation only): several processes stay
correct because 403 and 429 are always honoured.
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
from collections.abc import Callable
from decimal import Decimal
from typing import Any
from urllib.parse import urlsplit

import httpx

from ..contract import PlatformError, Unavailable
from ..http import RETRY_STATUSES, HttpClient

LWA_URL = "https://api.amazon.com/auth/o2/token"
REFRESH_MARGIN = 60.0  # seconds before expiry a cached token is renewed
MAX_THROTTLE_RETRIES = 5
# Default usage plans (rate per second, burst) of the published models
# (amzn/selling-partner-api-models: orders_2026-01-01.json, ordersV0.json for confirmShipment,
# listingsItems_2021-08-01.json); x-amzn-RateLimit-Limit corrects the rate per seller.
USAGE_PLANS = {
    "searchOrders": (0.0056, 20),
    "getOrder": (0.5, 30),
    "confirmShipment": (2.0, 10),
    "getListingsItem": (5.0, 10),
    "patchListingsItem": (5.0, 5),
    "searchListingsItems": (5.0, 5),
}

_lock = threading.Lock()
_tokens: dict[str, tuple[str, float]] = {}  # key -> (access token, expires at, monotonic)
_buckets: dict[tuple[str, str], TokenBucket] = {}


def reset_caches() -> None:
    """Forget cached tokens and buckets (tests)."""
    with _lock:
        _tokens.clear()
        _buckets.clear()


class TokenBucket:
    """``burst`` tokens, refilled at ``rate`` per second; one token per call."""

    def __init__(self, rate: float, burst: float, clock: Callable[[], float] = time.monotonic):
        self.rate = rate
        self.burst = burst
        self.tokens = float(burst)
        self.clock = clock
        self.at = clock()

    def _refill(self) -> None:
        now = self.clock()
        self.tokens = min(self.burst, self.tokens + (now - self.at) * self.rate)
        self.at = now

    def wait_time(self) -> float:
        """Seconds until a token is there (0 when one is)."""
        self._refill()
        return 0.0 if self.tokens >= 1 else (1 - self.tokens) / self.rate

    def take(self) -> None:
        self._refill()
        self.tokens -= 1

    def empty(self) -> None:
        self._refill()
        self.tokens = min(self.tokens, 0.0)


def rate_of(value: str | None) -> float | None:
    try:
        rate = float(value) if value else None
    except ValueError:
        return None
    return rate if rate and rate > 0 else None


class LwaTokens:
    def __init__(
        self,
        client_id: str,
        client_secret: str,
        refresh_token: str,
        *,
        endpoint: str = LWA_URL,
        sleep: Callable[[float], None] = time.sleep,
        retries: int = 3,
        clock: Callable[[], float] = time.monotonic,
    ):
        self.client_id = client_id
        self.client_secret = client_secret
        self.refresh_token = refresh_token
        self.endpoint = endpoint
        self.clock = clock
        self.key = hashlib.sha256(f"{client_id}\0{refresh_token}".encode()).hexdigest()
        parts = urlsplit(endpoint)
        self.path = parts.path or "/auth/o2/token"
        self.http = HttpClient(f"{parts.scheme}://{parts.netloc}", sleep=sleep, retries=retries)
        self.refreshes = 0

    def close(self) -> None:
        self.http.close()

    def get(self, *, force: bool = False) -> str:
        with _lock:
            cached = _tokens.get(self.key)
        if cached and not force and cached[1] - REFRESH_MARGIN > self.clock():
            return cached[0]
        response = self.http.request(
            "POST",
            self.path,
            data={
                "grant_type": "refresh_token",
                "refresh_token": self.refresh_token,
                "client_id": self.client_id,
                "client_secret": self.client_secret,
            },
        )
        if response.status_code >= 400:
            try:
                err = response.json()
            except ValueError:
                err = {}
            code = err.get("error", response.status_code)
            raise PlatformError(
                f"Login with Amazon refused the credentials ({code}: "
                f"{err.get('error_description', '')})"
            )
        body = response.json()
        token = str(body.get("access_token") or "")
        if not token:
            raise Unavailable("Login with Amazon answered without an access token")
        expires = self.clock() + float(body.get("expires_in") or 3600)
        with _lock:
            _tokens[self.key] = (token, expires)
        self.refreshes += 1
        return token


class SpApiClient:
    def __init__(
        self,
        base_url: str,
        lwa: LwaTokens,
        *,
        seller_key: str = "",
        sleep: Callable[[float], None] = time.sleep,
        retries: int = 3,
        clock: Callable[[], float] = time.monotonic,
    ):
        self.lwa = lwa
        self.sleep = sleep
        self.clock = clock
        self.scope = f"{base_url}|{seller_key or lwa.key}"
        headers = {"Accept": "application/json", "user-agent": "Tradelane/1.0 (Language=Python)"}
        self.http = HttpClient(base_url, headers, sleep=sleep, retries=retries)
        self.throttled_sleeps: list[float] = []  # waits after a 429 (tests, reports)
        self.paced_sleeps: list[float] = []  # waits for an empty bucket

    def close(self) -> None:
        self.http.close()
        self.lwa.close()

    def bucket(self, operation: str) -> TokenBucket:
        key = (self.scope, operation)
        with _lock:
            found = _buckets.get(key)
            if found is None:
                rate, burst = USAGE_PLANS.get(operation, (1.0, 5))
                found = _buckets[key] = TokenBucket(rate, burst, self.clock)
            return found

    def call(
        self, operation: str, method: str, path: str, *, params: Any = None,
        json_body: Any = None, missing_ok: bool = False,
    ) -> Any:  # fmt: skip
        """One operation; the decoded body (None for 204, or for 404 with ``missing_ok``)."""
        bucket = self.bucket(operation)
        refreshed = False
        for _attempt in range(MAX_THROTTLE_RETRIES + 1):
            with _lock:
                wait = bucket.wait_time()
            if wait > 0:
                self.paced_sleeps.append(wait)
                self.sleep(wait)
            with _lock:
                bucket.take()
            response = self.http.request(
                method, path, params=params, json=json_body,
                headers={"x-amz-access-token": self.lwa.get()},
                retry_statuses=RETRY_STATUSES - {429},
            )  # fmt: skip
            rate = rate_of(response.headers.get("x-amzn-RateLimit-Limit"))
            if rate:
                bucket.rate = rate
            if response.status_code == 429:
                wait = 1.0 / bucket.rate
                with _lock:
                    bucket.empty()
                self.throttled_sleeps.append(wait)
                self.sleep(wait)
                continue
            if response.status_code == 403 and not refreshed:
                self.lwa.get(force=True)  # expired or revoked before its time: once more
                refreshed = True
                continue
            if response.status_code == 404 and missing_ok:
                return None
            if response.status_code >= 400:
                raise PlatformError(
                    f"Amazon {operation} answered HTTP {response.status_code}: "
                    f"{errors_of(response)}"[:2000]
                )
            if response.status_code == 204 or not response.content:
                return None
            try:
                return json.loads(response.content, parse_float=Decimal)
            except ValueError:
                raise Unavailable(f"Amazon {operation} sent a body that is not JSON") from None
        raise Unavailable(f"Amazon kept throttling {operation}", retry_after=1.0 / bucket.rate)


def errors_of(response: httpx.Response) -> str:
    """SP-API errors: ``{"errors": [{"code", "message", "details"}]}``."""
    try:
        body = response.json()
    except ValueError:
        return response.text[:200]
    errors = body.get("errors") if isinstance(body, dict) else None
    if not errors:
        return str(body)[:200]
    return "; ".join(f"{e.get('code')}: {e.get('message')} {e.get('details') or ''}".strip()
                     for e in errors)  # fmt: skip
