"""The SQLite backend's writer queue (``core/sqlite3/base.py``): a process's write
transactions run one after the other, each starting the moment the last one ends, and the
lock comes back after a commit, a rollback and an error alike."""

from __future__ import annotations

import os
import threading
import time

import pytest
from django.db import connection, connections, transaction

from tradelane.core.models import AuditLog
from tradelane.core.sqlite3 import base

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "sqlite", reason="the SQLite backend's own queue"),
]


def _write(action: str) -> None:
    AuditLog.objects.create(action=action, entity="test", object_id="1", changes={})


def test_a_second_writer_waits_for_the_first_to_commit_then_goes_at_once():
    order: list[str] = []
    started = threading.Event()

    def second():
        started.set()
        try:
            with transaction.atomic():
                order.append("second began")
                _write("second")
        finally:
            connections.close_all()

    with transaction.atomic():
        _write("first")
        assert base._writer.locked()
        t = threading.Thread(target=second)
        t.start()
        started.wait(5)
        time.sleep(0.2)  # the second is at BEGIN, waiting on the queue, not in SQLite's sleep
        order.append("first commits")
    t.join(5)
    assert order == ["first commits", "second began"]
    assert list(AuditLog.objects.filter(entity="test").order_by("pk")
                .values_list("action", flat=True)) == ["first", "second"]  # fmt: skip
    assert not base._writer.locked()


def test_the_queue_is_free_after_a_rollback_and_after_an_error():
    with pytest.raises(RuntimeError):
        with transaction.atomic():
            _write("rolled back")
            raise RuntimeError("a view failed half-way")
    assert not base._writer.locked()
    with transaction.atomic():
        _write("kept")
        transaction.set_rollback(True)
    assert not base._writer.locked()
    assert AuditLog.objects.filter(entity="test").count() == 0


def test_reads_outside_a_transaction_take_no_lock():
    with transaction.atomic():
        _write("held")
        seen: list[int] = []
        t = threading.Thread(target=lambda: (seen.append(AuditLog.objects.filter(
            entity="test").count()), connections.close_all()))  # fmt: skip
        t.start()
        t.join(5)
        assert not t.is_alive()
        assert seen == [0]  # WAL: the reader sees the last commit, beside the open writer


@pytest.mark.skipif(base.fcntl is None, reason="no fcntl on this system")
def test_the_writer_lock_file_queues_writers_of_other_processes(tmp_path):
    """Two open descriptions of the lock file stand for two processes: the second waits
    until the first lets go, and gives up (to SQLite's own wait) after its time."""
    name = str(tmp_path / "db.sqlite3")
    base._files.pop(name, None)
    fd = base._lock_file(name)
    assert fd == base._lock_file(name)  # one descriptor per process and database
    other = os.open(f"{name}-writer.lock", os.O_RDWR)
    try:
        assert base._flock(other, 1.0)
        started = time.monotonic()
        assert base._flock(fd, 0.05) is False
        assert 0.05 <= time.monotonic() - started < 1.0
        threading.Timer(0.1, base.fcntl.flock, (other, base.fcntl.LOCK_UN)).start()
        started = time.monotonic()
        assert base._flock(fd, 5.0)
        assert time.monotonic() - started < 1.0  # woken as soon as it was let go
        base.fcntl.flock(fd, base.fcntl.LOCK_UN)
    finally:
        os.close(other)
        os.close(base._files.pop(name))
    assert base._lock_file(":memory:") is None
    assert base._lock_file("file:memorydb_default?mode=memory&cache=shared") is None
