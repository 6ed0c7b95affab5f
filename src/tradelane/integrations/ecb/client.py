"""The one HTTP call: GET the eurofxref file, with explicit timeouts, a retry on connection
errors and a size limit. Anything but a 200 with a body is ``FetchFailed``."""

from __future__ import annotations

import httpx

from tradelane.core.errors import DomainError
from tradelane.finance.fx.ecb import MAX_BYTES

TIMEOUT = httpx.Timeout(connect=5.0, read=20.0, write=10.0, pool=5.0)
RETRIES = 2  # connection errors only (httpx's transport retries)


class FetchFailed(DomainError):
    status = 502
    code = "ecb_fetch_failed"


def fetch(url: str, *, timeout: httpx.Timeout = TIMEOUT) -> bytes:
    transport = httpx.HTTPTransport(retries=RETRIES)
    try:
        with httpx.Client(transport=transport, timeout=timeout, follow_redirects=True,
                          headers={"Accept": "application/xml, text/xml"}) as http:  # fmt: skip
            with http.stream("GET", url) as response:
                if response.status_code != 200:
                    raise FetchFailed(
                        f"The ECB answered {response.status_code} for {url}",
                        details={"status": response.status_code, "url": url},
                    )
                body = bytearray()
                for chunk in response.iter_bytes():
                    body += chunk
                    if len(body) > MAX_BYTES:
                        raise FetchFailed(f"The answer of {url} is larger than {MAX_BYTES} bytes")
    except httpx.HTTPError as exc:
        raise FetchFailed(f"The ECB could not be reached at {url}: {exc}", details={"url": url})
    if not body:
        raise FetchFailed(f"The ECB answered nothing for {url}", details={"url": url})
    return bytes(body)
