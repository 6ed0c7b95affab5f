"""HTTP to a Tradelane provider's open API (``/api/v1/provider/``), with httpx.

The same policies as the karrio carriers' client (``carriers/client.py``, both in
``carriers/retry_policy.py``), without karrio:

- an explicit connect timeout and a separate read timeout (``Policy``);
- 429 and 5xx are retried with exponential backoff and full jitter, honouring ``Retry-After``
  (seconds or an HTTP date; a wait longer than ``retry_after_cap`` goes back to the caller);
- a label purchase (``purchase=True``: the ``POST /provider/waybills``) is never re-sent once
  it may have reached the provider: a read timeout, a dropped connection or a 500/502/504
  raises ``CarrierError(outcome_unknown=True)``; only 429/503 (refused, not processed) and a
  connection that never opened are retried. The caller then looks the waybill up by its
  reference (``gateway``), which the provider keeps unique per customer;
- 401/403 are ``carrier_auth_failed`` (the API key is wrong or revoked); other 4xx answers
  are returned for the gateway to read the house error body ``{"code", "message"}``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx

from tradelane.logistics.carriers.contract import CarrierError

from ..retry_policy import NOT_PROCESSED, RETRY_STATUSES, RetryPolicy, parse_retry_after

API_PREFIX = "/api/v1/provider"


@dataclass
class Policy(RetryPolicy):
    def timeout(self) -> httpx.Timeout:
        return httpx.Timeout(
            connect=self.connect_timeout, read=self.read_timeout, write=self.read_timeout,
            pool=self.connect_timeout,
        )  # fmt: skip


def api_root(base_url: str) -> str:
    """The provider's open API under its URL (``https://provider.example`` or one that
    already names ``/api/v1``)."""
    root = (base_url or "").strip().rstrip("/")
    if root.endswith(API_PREFIX):
        return root
    if root.endswith("/api/v1"):
        return root + "/provider"
    return root + API_PREFIX


def error_of(resp: httpx.Response) -> tuple[str, str, Any]:
    """(code, message, details) of a house error body, or of the bare status."""
    try:
        body = resp.json()
    except ValueError:
        body = None
    if isinstance(body, dict) and body.get("code"):
        return str(body["code"]), str(body.get("message") or body["code"]), body.get("details")
    return f"http_{resp.status_code}", f"the provider answered HTTP {resp.status_code}", None


class ProviderClient:
    """One provider account: its URL and API key. ``transport`` lets tests swap the wire."""

    def __init__(
        self,
        base_url: str,
        api_key: str,
        *,
        policy: Policy | None = None,
        transport: httpx.BaseTransport | None = None,
    ):
        if not base_url:
            raise CarrierError("The provider account has no URL", code="carrier_no_url")
        if not api_key:
            raise CarrierError("The provider account has no API key", code="carrier_auth_failed")
        self.root = api_root(base_url)
        self.policy = policy or Policy()
        self.http = httpx.Client(
            timeout=self.policy.timeout(),
            headers={"Authorization": f"Bearer {api_key}", "Accept": "application/json",
                     "User-Agent": "tradelane-provider-link"},
            transport=transport,
            follow_redirects=False,
        )  # fmt: skip

    def close(self) -> None:
        self.http.close()

    def __enter__(self) -> ProviderClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def request(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        params: dict | None = None,
        headers: dict | None = None,
        purchase: bool = False,
    ) -> httpx.Response:
        """Send with the policy's retries; return the final answer (2xx or a 4xx to read)."""
        url = self.root + path
        policy = self.policy
        for attempt in range(policy.attempts):
            policy.requests += 1
            last = attempt + 1 >= policy.attempts
            try:
                resp = self.http.request(method, url, json=json, params=params, headers=headers)
            except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout) as exc:
                if not last:  # never reached the provider: safe to send again
                    self._wait(attempt, None)
                    continue
                raise CarrierError(
                    f"cannot connect to the provider: {exc}", code="carrier_unreachable",
                    details={"url": url}, retryable=True,
                ) from exc  # fmt: skip
            except httpx.TransportError as exc:  # read timeout, dropped connection...
                if purchase:
                    raise CarrierError(
                        "The provider did not answer the waybill creation in time; it may have "
                        "been made. Looking it up by its reference will tell.",
                        code="carrier_outcome_unknown", details={"url": url},
                        retryable=True, outcome_unknown=True,
                    ) from exc  # fmt: skip
                if not last:
                    self._wait(attempt, None)
                    continue
                raise CarrierError(
                    f"no answer from the provider in time: {exc}", code="carrier_timeout",
                    details={"url": url}, retryable=True,
                ) from exc  # fmt: skip
            status = resp.status_code
            if status in (401, 403):
                code, message, _ = error_of(resp)
                raise CarrierError(
                    f"The provider refused the API key: {message}", code="carrier_auth_failed",
                    details={"status": status, "carrier_code": code},
                )  # fmt: skip
            if status not in RETRY_STATUSES:
                return resp
            retry_after = parse_retry_after(resp.headers.get("Retry-After"))
            if purchase and status not in NOT_PROCESSED:
                raise CarrierError(
                    f"The provider answered the waybill creation with HTTP {status}; it may "
                    "have been made. Looking it up by its reference will tell.",
                    code="carrier_outcome_unknown", details={"url": url, "status": status},
                    retryable=True, outcome_unknown=True,
                )  # fmt: skip
            too_long = retry_after is not None and retry_after > policy.retry_after_cap
            if not last and not too_long:
                self._wait(attempt, retry_after)
                continue
            raise CarrierError(
                f"the provider answered HTTP {status}"
                + (" (rate limited)" if status == 429 else ""),
                code="carrier_rate_limited" if status == 429 else "carrier_unavailable",
                details={"url": url, "status": status, "attempts": attempt + 1},
                retryable=True, retry_after=retry_after,
            )  # fmt: skip
        raise AssertionError("unreachable")

    def _wait(self, attempt: int, retry_after: float | None) -> None:
        d = self.policy.delay(attempt, retry_after)
        self.policy.sleeps.append(d)
        self.policy.sleep(d)
