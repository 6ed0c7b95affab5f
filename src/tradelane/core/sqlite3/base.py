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
ends, in arrival order. Writers of other processes (the worker, a second web process) still
meet in SQLite's busy handler, as before. The wait for the lock is bounded by the busy
timeout; past it the transaction goes on to SQLite's own wait, so a lock never held back by
a stuck thread can stall the process for longer than SQLite would have. Reads outside a
transaction (autocommit) take no lock: WAL lets them run beside the writer.
"""

from __future__ import annotations

import threading

from django.db.backends.sqlite3 import base

WAIT_S = 30.0  # as the busy timeout of settings.DATABASES

_writer = threading.Lock()


class DatabaseWrapper(base.DatabaseWrapper):
    _holds_writer = False

    def _start_transaction_under_autocommit(self):
        self._holds_writer = _writer.acquire(timeout=WAIT_S)
        try:
            super()._start_transaction_under_autocommit()
        except BaseException:
            self._release_writer()
            raise

    def _release_writer(self) -> None:
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
