"""Django's SQLite backend, with the write transactions of one process queued on a lock.

SQLite has one writer. Every transaction here begins ``IMMEDIATE`` (settings), so a second
connection that wants to write waits in SQLite's busy handler, which does not wait for the
lock to be free: it sleeps and tries again, 1, 2, 5, 10, 15, 20, 25, 25, 25, 50, 50 and then
100 ms at a time (``sqliteDefaultBusyCallback`` in sqlite3's main.c). With eight waitress
threads writing, the lock was often free while every waiter slept: the inbound scan served
60 scans/s at 16 ms of CPU each, with a third of its threads' samples asleep in
``BEGIN IMMEDIATE`` (py-spy on ``benchmarks/hub_inbound.py``).

So the connections of one process take a process-wide lock before ``BEGIN`` and give it back
at ``COMMIT`` or ``ROLLBACK``: the next writer of the process starts the moment the last one
ends, in arrival order. Then, where the database is a file and the system has ``fcntl``, the
writer of each process takes an exclusive ``flock`` on a file beside the database
(``<database>-writer.lock``), so the writers of all processes (several web processes, the
worker) queue in the kernel, which wakes the next one the moment the lock is let go, instead
of meeting in SQLite's busy handler: with two gunicorn processes, the inbound scan had
waited there as it had between threads. A process that dies lets go of its lock with it.

Both waits are bounded by the busy timeout; past it the transaction goes on to SQLite's own
wait, so a lock held by a stuck writer stalls nobody for longer than SQLite would have.
Reads outside a transaction (autocommit) take no lock: WAL lets them run beside the writer.
"""

from __future__ import annotations

import os
import threading
import time

from django.db.backends.sqlite3 import base

try:
    import fcntl
except ImportError:  # Windows: the process-wide lock only
    fcntl = None

WAIT_S = 30.0  # as the busy timeout of settings.DATABASES

_writer = threading.Lock()
_files: dict[str, int] = {}  # database path -> this process's descriptor of its lock file


def _forget_files() -> None:
    # a forked child must open its own: a descriptor shared with the parent shares its flock
    _files.clear()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_files)


def _lock_file(name: str) -> int | None:
    """This process's descriptor of the database's writer lock file, or None for a database
    that is not a plain file (in memory, a URI)."""
    if fcntl is None or not name or name == ":memory:" or name.startswith("file:"):
        return None
    fd = _files.get(name)
    if fd is None:
        fd = _files[name] = os.open(f"{name}-writer.lock", os.O_RDWR | os.O_CREAT, 0o600)
    return fd


def _flock(fd: int, wait_s: float) -> bool:
    """Take the exclusive lock within ``wait_s``: at once when it is free, else polled at
    most a millisecond apart (``flock`` itself cannot be given a timeout)."""
    deadline = time.monotonic() + wait_s
    pause = 0.0001
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
        except BlockingIOError:
            if time.monotonic() >= deadline:
                return False
            time.sleep(pause)
            pause = min(pause * 2, 0.001)


class DatabaseWrapper(base.DatabaseWrapper):
    _holds_writer = False
    _holds_file: int | None = None

    def _start_transaction_under_autocommit(self):
        started = time.monotonic()
        self._holds_writer = _writer.acquire(timeout=WAIT_S)
        try:
            fd = _lock_file(self.settings_dict["NAME"]) if self._holds_writer else None
            if fd is not None and _flock(fd, max(0.0, WAIT_S - (time.monotonic() - started))):
                self._holds_file = fd
            super()._start_transaction_under_autocommit()
        except BaseException:
            self._release_writer()
            raise

    def _release_writer(self) -> None:
        if self._holds_file is not None:
            fd, self._holds_file = self._holds_file, None
            fcntl.flock(fd, fcntl.LOCK_UN)
        if self._holds_writer:
            self._holds_writer = False
            _writer.release()

    def _commit(self):
        try:
            return super()._commit()
        finally:
            self._release_writer()

    def _rollback(self):
        try:
            return super()._rollback()
        finally:
            self._release_writer()

    def _close(self):
        try:
            return super()._close()
        finally:
            self._release_writer()
