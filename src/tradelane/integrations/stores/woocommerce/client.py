"""WooCommerce REST API v3 client (``/wp-json/wc/v3``) on top of ``stores.http``.

Authentication: the consumer key and secret as HTTP Basic auth, which WooCommerce accepts over
HTTPS only; plain HTTP is refused here except on loopback (the local fake). JSON bodies are
parsed with ``parse_float=Decimal`` (WooCommerce sends some prices as JSON numbers).
WooCommerce has no documented rate limit of its own (hosts may answer 429/503): the shared
client retries those with backoff and ``Retry-After``.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from decimal import Decimal
from typing import Any
from urllib.parse import urlsplit

import httpx

from ..contract import PlatformError, Unavailable
from ..http import HttpClient

API_PREFIX = "/wp-json/wc/v3"
REST_ROOT = "/wp-json"  # the WordPress REST index and plugins' namespaces live under it
LOOPBACK = ("127.0.0.1", "localhost", "::1")


class WooCommerceClient:
    def __init__(
        self,
        site: str,
        consumer_key: str,
        consumer_secret: str,
        *,
        base_url: str = "",
        sleep: Callable[[float], None] = time.sleep,
        retries: int = 3,
        prefix: str = API_PREFIX,
    ):
        root = (base_url or f"https://{site}").rstrip("/")
        parts = urlsplit(root)
        if parts.scheme != "https" and parts.hostname not in LOOPBACK:
            raise PlatformError("WooCommerce basic authentication needs an https:// site")
        self.http = HttpClient(
            root + prefix,
            {"Accept": "application/json"},
            auth=httpx.BasicAuth(consumer_key, consumer_secret),
            sleep=sleep,
            retries=retries,
        )

    def close(self) -> None:
        self.http.close()

    def call(
        self, method: str, path: str, *, params: Any = None, json_body: Any = None,
        missing_ok: bool = False,
    ) -> tuple[Any, httpx.Headers]:  # fmt: skip
        """One request; returns (decoded body, headers). 404 with ``missing_ok`` -> (None, h).

        401/403 and other 4xx raise ``PlatformError``; network, 429 and 5xx (after retries)
        raise ``Unavailable``.
        """
        response = self.http.request(method, path, params=params, json=json_body)
        if response.status_code == 404 and missing_ok:
            return None, response.headers
        if response.status_code >= 400:
            code, message = _error_of(response)
            if response.status_code in (401, 403):
                raise PlatformError(f"WooCommerce refused the API key ({code}: {message})")
            raise PlatformError(f"WooCommerce answered HTTP {response.status_code} ({code}: "
                                f"{message})"[:2000])  # fmt: skip
        try:
            body = json.loads(response.content or b"null", parse_float=Decimal)
        except ValueError:
            raise Unavailable("WooCommerce sent a body that is not JSON") from None
        return body, response.headers


def _error_of(response: httpx.Response) -> tuple[str, str]:
    """WooCommerce errors: ``{"code": "...", "message": "...", "data": {"status": 401}}``."""
    try:
        body = response.json()
    except ValueError:
        return "http_error", response.text[:200]
    if isinstance(body, dict):
        return str(body.get("code") or "error"), str(body.get("message") or "")
    return "error", str(body)[:200]
