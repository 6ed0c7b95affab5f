"""One sync per store at a time: the lease is taken atomically and given back at the end."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from tradelane.integrations.stores import sync
from tradelane.integrations.stores.models import StoreConnection, SyncRun


def test_second_claim_is_refused_until_the_lease_is_given_back(conn):
    assert sync._claim(conn.pk) is True
    assert sync._claim(conn.pk) is False  # another worker: refused, nothing run
    assert sync.sync(conn) is None
    assert SyncRun.objects.filter(connection=conn).count() == 0
    StoreConnection.objects.filter(pk=conn.pk).update(sync_lease_until=None)
    run = sync.sync(conn)
    assert run.status == SyncRun.Status.SUCCEEDED
    conn.refresh_from_db()
    assert conn.sync_lease_until is None  # given back
    assert sync._claim(conn.pk) is True


def test_a_crashed_workers_lease_runs_out(conn):
    past = timezone.now() - timedelta(seconds=1)
    StoreConnection.objects.filter(pk=conn.pk).update(sync_lease_until=past)
    assert sync._claim(conn.pk) is True
