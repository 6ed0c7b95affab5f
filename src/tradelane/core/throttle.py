"""Limits on failed look-ups per client, kept in Django's cache: the database by default, or
Redis (settings.CACHES), so every process and machine counts the same misses.

A client that misses too often (unknown numbers, wrong keys) in one window is refused every
look-up of that scope until the window ends, so walking a number range is slow even where the
numbers themselves are hard to guess. Only misses count: a buyer who opens their own link
again and again is never refused.
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.core.cache import cache


def client_ident(request) -> str:
    """The client's address: ``REMOTE_ADDR``, or behind ``TRADELANE_PROXY_COUNT`` proxies the
    address the outermost one added to X-Forwarded-For (what a client wrote there itself
    comes before it and is never used)."""
    proxies = int(getattr(settings, "TRADELANE_PROXY_COUNT", 0) or 0)
    forwarded = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    forwarded = [a for a in forwarded if a]
    if proxies > 0 and forwarded:
        return forwarded[-min(proxies, len(forwarded))]
    return str(request.META.get("REMOTE_ADDR") or "unknown")


class MissLimit:
    """At most ``limit`` misses per client in ``window`` seconds (``limit`` 0: no limit)."""

    def __init__(self, scope: str, limit: int, window: int) -> None:
        self.scope, self.limit, self.window = scope, int(limit), max(1, int(window))

    def _key(self, ident: str) -> str:
        digest = hashlib.sha256(ident.encode()).hexdigest()[:32]
        return f"tradelane:misses:{self.scope}:{digest}"

    def blocked(self, ident: str) -> bool:
        return self.limit > 0 and int(cache.get(self._key(ident)) or 0) >= self.limit

    def miss(self, ident: str) -> None:
        if self.limit <= 0:
            return
        key = self._key(ident)
        if cache.add(key, 1, self.window):
            return
        try:
            cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, self.window)
