"""The miss limit counts in the shared cache (the database), never in one process's memory."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.db import connection

from tradelane.core.throttle import MissLimit

pytestmark = pytest.mark.django_db


def test_misses_are_kept_in_the_database_cache_table_every_process_reads():
    cache.clear()
    limit = MissLimit("probe", limit=3, window=60)
    for _ in range(3):
        assert not limit.blocked("203.0.113.5")
        limit.miss("203.0.113.5")
    assert limit.blocked("203.0.113.5") and not limit.blocked("198.51.100.1")
    with connection.cursor() as cur:  # what another process would see
        cur.execute("SELECT count(*) FROM tradelane_cache")
        assert cur.fetchone()[0] == 1
    cache.clear()
    assert not limit.blocked("203.0.113.5")
