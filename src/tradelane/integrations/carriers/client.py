"""HTTP for every karrio carrier call: timeouts, retries, certificate checks, clear errors.

karrio's carrier proxies send every request through ``karrio.lib.request(url=..., data=...,
headers=..., method=..., decoder=..., on_error=...)`` (a thin wrapper over urllib's
``urlopen`` with one timeout, no default timeout and no Retry-After), and fan out batches with
``lib.run_asynchronously`` / ``lib.run_concurently``. ``install()`` replaces those three
attributes of the ``karrio.lib`` module (karrio's files are untouched) with:

- ``request``: when a Tradelane ``Policy`` is active (``using(policy)``, set by the gateway) it
  sends with ``http.client`` and a verifying ``SSLContext``, a connect timeout and a separate
  read timeout, and retries 429 and 5xx with exponential backoff and full jitter, honouring
  ``Retry-After`` (seconds or an HTTP date). A label purchase (``Policy.purchase``) is never
  re-sent after the request may have reached the carrier: a read timeout or a 500/502/504
  raises ``CarrierError(outcome_unknown=True)``; only 429/503 (refused, not processed) and
  connection failures are retried. Without an active policy the call goes to karrio's own
  function unchanged.
- ``run_asynchronously`` / ``run_concurently``: the same, with the caller's context (and so
  its policy) carried into karrio's worker threads.

Bad statuses that are not retried are handed to karrio as an ``HTTPError`` exactly like
urllib's, so each carrier's own error parser turns the body into messages.
"""

from __future__ import annotations

import contextlib
import contextvars
import http.client
import io
import ssl
import urllib.parse
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any
from urllib.error import HTTPError

from tradelane.logistics.carriers.contract import CarrierError

from . import karrio_tls
from .karrio_tls import helpers, lib
from .retry_policy import NOT_PROCESSED, RETRY_STATUSES, RetryPolicy, parse_retry_after

TOKEN_URL_PARTS = ("oauth", "/token", "payment-authorization")


@dataclass
class Policy(RetryPolicy):
    purchase: bool = False  # this operation buys a label: never re-send once it may have landed
    # karrio's SDK turns exceptions into messages: the last transport error is kept here so
    # the gateway re-raises it with its flags (retryable, outcome_unknown) intact
    error: CarrierError | None = None


_policy: contextvars.ContextVar[Policy | None] = contextvars.ContextVar(
    "tradelane_carrier_policy", default=None
)


@contextlib.contextmanager
def using(policy: Policy) -> Iterator[Policy]:
    karrio_tls.ensure_verified()
    token = _policy.set(policy)
    try:
        yield policy
    finally:
        _policy.reset(token)


class _Response(io.BytesIO):
    """What karrio's decoders and ``on_ok`` callbacks read (like urllib's response)."""

    def __init__(self, body: bytes, status: int, headers: http.client.HTTPMessage):
        super().__init__(body)
        self.status = self.code = status
        self.headers = headers


_SSL = ssl.create_default_context()


def _ssl_context() -> ssl.SSLContext:
    return _SSL


def _send(
    policy: Policy, url: str, data: bytes | None, headers: dict[str, str], method: str
) -> tuple[int, http.client.HTTPMessage, bytes]:
    """One exchange. Raises ``ConnectionError`` before the request left, ``TimeoutError``
    once it may have been received."""
    parts = urllib.parse.urlsplit(url)
    path = urllib.parse.urlunsplit(("", "", parts.path or "/", parts.query, ""))
    if parts.scheme == "https":
        conn: http.client.HTTPConnection = http.client.HTTPSConnection(
            parts.hostname, parts.port, timeout=policy.connect_timeout, context=_ssl_context()
        )
    else:
        conn = http.client.HTTPConnection(
            parts.hostname, parts.port, timeout=policy.connect_timeout
        )
    try:
        try:
            conn.connect()
        except ssl.SSLCertVerificationError:
            raise
        except (TimeoutError, OSError) as exc:
            raise ConnectionError(f"cannot connect to {parts.hostname}: {exc}") from exc
        conn.sock.settimeout(policy.read_timeout)
        try:
            conn.request(method, path, body=data, headers=headers)
            resp = conn.getresponse()
            return resp.status, resp.headers, resp.read()
        except (TimeoutError, http.client.RemoteDisconnected) as exc:
            raise TimeoutError(f"no answer from {parts.hostname} in time: {exc}") from exc
    finally:
        conn.close()


def _body(kwargs: dict[str, Any]) -> bytes | None:
    raw = kwargs.get("data")
    if raw is None:
        return None
    if isinstance(raw, bytes | bytearray):
        return bytes(raw)
    if isinstance(raw, str):
        return raw.encode("utf-8")
    return lib.to_json(raw).encode("utf-8")


def _is_token(url: str) -> bool:
    return any(part in url for part in TOKEN_URL_PARTS)


def exchange(policy: Policy, url: str, data: bytes | None, headers: dict, method: str):
    try:
        return _exchange(policy, url, data, headers, method)
    except CarrierError as exc:
        policy.error = exc
        raise


def _exchange(policy: Policy, url: str, data: bytes | None, headers: dict, method: str):
    """Send with the policy's retries; return (status, headers, body) of the final answer.

    A retryable status still failing after the last attempt raises a retryable
    ``CarrierError``; other statuses are returned for the carrier's error parser.
    """
    purchase = policy.purchase and method.upper() == "POST" and not _is_token(url)
    host = urllib.parse.urlsplit(url).hostname
    for attempt in range(policy.attempts):
        policy.requests += 1
        try:
            status, resp_headers, body = _send(policy, url, data, headers, method)
        except ssl.SSLCertVerificationError as exc:
            raise CarrierError(
                f"{host}: the server's TLS certificate failed verification",
                code="carrier_tls_error",
                details={"url": url, "reason": str(exc)},
            ) from exc
        except ConnectionError as exc:
            if attempt + 1 < policy.attempts:
                policy.sleeps.append(d := policy.delay(attempt, None))
                policy.sleep(d)
                continue
            raise CarrierError(
                str(exc), code="carrier_unreachable", details={"url": url}, retryable=True
            ) from exc
        except TimeoutError as exc:
            if purchase:
                raise CarrierError(
                    "The carrier did not answer the label purchase in time; it may have been "
                    "made. Retry with the same idempotency key to look it up.",
                    code="carrier_outcome_unknown",
                    details={"url": url},
                    retryable=True,
                    outcome_unknown=True,
                ) from exc
            if attempt + 1 < policy.attempts:
                policy.sleeps.append(d := policy.delay(attempt, None))
                policy.sleep(d)
                continue
            raise CarrierError(
                str(exc), code="carrier_timeout", details={"url": url}, retryable=True
            ) from exc
        if status not in RETRY_STATUSES:
            return status, resp_headers, body
        retry_after = parse_retry_after(resp_headers.get("Retry-After"))
        if purchase and status not in NOT_PROCESSED:
            raise CarrierError(
                f"The carrier answered the label purchase with HTTP {status}; it may have been "
                "made. Retry with the same idempotency key to look it up.",
                code="carrier_outcome_unknown",
                details={"url": url, "status": status},
                retryable=True,
                outcome_unknown=True,
            )
        too_long = retry_after is not None and retry_after > policy.retry_after_cap
        if attempt + 1 < policy.attempts and not too_long:
            policy.sleeps.append(d := policy.delay(attempt, retry_after))
            policy.sleep(d)
            continue
        raise CarrierError(
            f"{host} answered HTTP {status}" + (" (rate limited)" if status == 429 else ""),
            code="carrier_rate_limited" if status == 429 else "carrier_unavailable",
            details={"url": url, "status": status, "attempts": attempt + 1},
            retryable=True,
            retry_after=retry_after,
        )
    raise AssertionError("unreachable")


_original: dict[str, Callable] = {}


def _request(
    decoder: Callable = helpers.decode_bytes,
    on_ok: Callable | None = None,
    on_error: Callable | None = None,
    trace: Callable | None = None,
    proxy: str | None = None,
    timeout: int | None = None,
    **kwargs: Any,
) -> Any:
    policy = _policy.get()
    if policy is None:
        return _original["request"](
            decoder=decoder, on_ok=on_ok, on_error=on_error, trace=trace, proxy=proxy,
            timeout=timeout, **kwargs,
        )  # fmt: skip
    url = kwargs["url"]
    method = kwargs.get("method") or ("POST" if kwargs.get("data") is not None else "GET")
    headers = dict(kwargs.get("headers") or {})
    status, resp_headers, body = exchange(policy, url, _body(kwargs), headers, method.upper())
    if 200 <= status < 300:
        resp = _Response(body, status, resp_headers)
        if on_ok is not None:
            return on_ok(resp)
        return helpers.failsafe(lambda: decoder(body)) or body
    error = HTTPError(url, status, http.client.responses.get(status, ""), resp_headers,
                      io.BytesIO(body))  # fmt: skip
    if on_error is not None:
        return on_error(error)
    return helpers.decode_bytes(body)


def _with_context(predicate: Callable) -> Callable:
    parent = contextvars.copy_context()

    def run(item: Any) -> Any:
        return parent.copy().run(predicate, item)

    return run


def _run_asynchronously(predicate: Callable, sequence: list) -> list:
    """karrio runs these with ``asyncio.run``, which fails in a thread that already runs an
    event loop (an async view, Playwright's sync API in the tests): plain threads instead."""
    if not sequence:
        return []
    run = _with_context(predicate)
    with ThreadPoolExecutor(max_workers=min(8, len(sequence))) as pool:
        return list(pool.map(run, sequence))


def _run_concurently(predicate: Callable, sequence: list, max_workers: int = 2) -> list:
    return _original["run_concurently"](_with_context(predicate), sequence, max_workers)


def install() -> None:
    """Route karrio's HTTP through this module (idempotent)."""
    if _original:
        return
    for name, replacement in (
        ("request", _request),
        ("run_asynchronously", _run_asynchronously),
        ("run_concurently", _run_concurently),
    ):
        _original[name] = getattr(lib, name)
        setattr(lib, name, replacement)


install()
