"""The worker's scheduled fetch of the ECB rates (``core.periodic``: every sweep, 30 s).

Off unless ``TRADELANE_ECB_FETCH`` is on. Due at most once per
``TRADELANE_ECB_FETCH_INTERVAL_S`` across every worker and machine: a lease in the shared
cache (``cache.add`` is atomic), not a clock in one process. A failed fetch (the ECB down, a
bad file) is retried after ``RETRY_AFTER_S``; a bad file writes nothing (``finance.fx``).
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from tradelane.core.periodic import every_sweep
from tradelane.finance.fx import services

from . import client

log = logging.getLogger(__name__)

LEASE_KEY = "tradelane:ecb-fetch"
RETRY_AFTER_S = 300


def fetch_and_import(url: str | None = None) -> dict:
    url = url or settings.TRADELANE_ECB_URL
    report = services.import_ecb_rates(client.fetch(url), origin=url)
    return report.as_dict()


def fetch_when_due() -> object:
    if not settings.TRADELANE_ECB_FETCH:
        return "off"
    interval = settings.TRADELANE_ECB_FETCH_INTERVAL_S
    if not cache.add(LEASE_KEY, timezone.now().isoformat(), timeout=interval):
        return "not due"
    try:
        return fetch_and_import()
    except Exception:
        cache.set(LEASE_KEY, "failed", timeout=min(RETRY_AFTER_S, interval))
        log.warning("the ECB rates could not be fetched", exc_info=True)
        raise


@every_sweep("ecb_rates")
def _sweep() -> object:
    return fetch_when_due()
