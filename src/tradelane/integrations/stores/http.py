"""The HTTP client every store connector uses: explicit timeouts, retries with exponential
backoff on transport errors, 429 and 5xx, honouring ``Retry-After`` (capped)."""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from email.utils import parsedate_to_datetime
from typing import Any

import httpx

from .contract import Unavailable

TIMEOUT = httpx.Timeout(connect=5.0, read=30.0, write=30.0, pool=5.0)
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})


def retry_after_seconds(value: str | None) -> float | None:
    """``Retry-After`` as seconds: a number, or an HTTP date."""
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, moment.timestamp() - time.time())


class HttpClient:
    def __init__(
        self,
        base_url: str,
        headers: dict[str, str] | None = None,
        *,
        auth: httpx.Auth | tuple[str, str] | None = None,
        retries: int = 3,
        backoff: float = 0.5,
        max_wait: float = 30.0,
        timeout: httpx.Timeout = TIMEOUT,
        sleep: Callable[[float], None] = time.sleep,
    ):
        self.retries = retries
        self.backoff = backoff
        self.max_wait = max_wait
        self.sleep = sleep
        self._client = httpx.Client(
            base_url=base_url, headers=headers or {}, timeout=timeout, auth=auth
        )

    def close(self) -> None:
        self._client.close()

    def post_json(self, path: str, payload: Any) -> httpx.Response:
        """POST ``payload`` as JSON; the response of the first non-retryable answer.

        Raises ``Unavailable`` (with the last ``Retry-After``) when the retries run out.
        """
        return self.request("POST", path, json=payload)

    def request(
        self,
        method: str,
        path: str,
        *,
        params: Any = None,
        json: Any = None,
        data: Any = None,
        headers: dict[str, str] | None = None,
        retry_statuses: frozenset[int] = RETRY_STATUSES,
    ) -> httpx.Response:
        """Any request, retried on transport errors and ``retry_statuses`` (with backoff,
        honouring ``Retry-After``); the response of the first other answer. A platform with its
        own rate-limit logic passes ``retry_statuses`` without 429 and handles 429 itself.

        Raises ``Unavailable`` (with the last ``Retry-After``) when the retries run out.
        """
        last_error = ""
        retry_after: float | None = None
        for attempt in range(self.retries + 1):
            try:
                response = self._client.request(
                    method, path, params=params, json=json, data=data, headers=headers
                )
            except httpx.TransportError as exc:  # refused, reset, timeout, dropped mid-body
                last_error = f"{type(exc).__name__}: {exc}"
                retry_after = None
            else:
                if response.status_code not in retry_statuses:
                    return response
                retry_after = retry_after_seconds(response.headers.get("Retry-After"))
                last_error = f"HTTP {response.status_code}"
            if attempt == self.retries:
                break
            wait = retry_after if retry_after is not None else self.backoff * 2**attempt
            wait = min(self.max_wait, wait) + random.uniform(0, self.backoff / 4)
            self.sleep(wait)
        raise Unavailable(f"{self._client.base_url}{path}: {last_error}", retry_after=retry_after)

    def stream_lines(self, url: str):
        """GET ``url`` (absolute, e.g. a signed download link) and yield its text lines as they
        arrive, without holding the whole body. Raises ``Unavailable`` on transport errors and
        HTTP errors."""
        try:
            with self._client.stream("GET", url) as response:
                if response.status_code >= 400:
                    raise Unavailable(f"{url}: HTTP {response.status_code}")
                yield from response.iter_lines()
        except httpx.TransportError as exc:
            raise Unavailable(f"{url}: {type(exc).__name__}: {exc}") from exc
