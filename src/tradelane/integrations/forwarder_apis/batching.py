"""One ``create_waybills`` call for the createOrder calls of one ERP that arrive together.

An ERP pushes its orders one call each (ECCANG ``createOrder``, Hualei ``createOrderApi.htm``),
often several at once from several workers, and most of a one-waybill ``create_waybills`` is
paid per call, not per waybill: the customer's rate sheets compiled, the day's number series
taken, the reference lookup, one transaction (about 10 ms of CPU of the 11 ms, against well
under 1 ms per waybill in a batch of 500: ``benchmarks/provider.py``). So calls of the same
user, customer and source are combined, without waiting for anyone: a call that finds no
batch of its credential running runs at once, alone; calls that arrive meanwhile queue, and
when the running batch is done the first of them runs all that queued (up to ``MAX``) as one
batch, while newer ones queue behind it. At a low rate every call runs alone as before;
under load a call waits at most for the batch in front of it.

Each call gets its own waybill's result, as the service gives one per payload, in order: the
same answer as alone (``create_waybills`` checks, prices and numbers every payload on its own
and writes them in one transaction). Two calls with the same reference never share a batch
(alone, the second is "existing" or a conflict; in one batch it would be "twice in this
request"): the second waits for the next one. An error of the whole call (the customer
suspended, the role withdrawn, the database gone) is every call's of that batch, as it would
have been for each alone. A call made inside a transaction runs alone: the others' answers
must not wait on a commit that is not theirs.
"""

from __future__ import annotations

import copy
import threading
from collections.abc import Callable, Hashable, Sequence

from django.db import connection

MAX = 500  # forwarding.waybills.services.MAX_BATCH


def reference_key(payload) -> str:
    """The reference as ``validation.parse`` reads it (text, stripped, 60 characters)."""
    value = payload.get("reference") if isinstance(payload, dict) else None
    return ("" if value is None else str(value)).strip()[:60]


class _Call:
    __slots__ = ("payload", "reference", "done", "lead", "result", "error")

    def __init__(self, payload):
        self.payload = payload
        self.reference = reference_key(payload)
        self.done = threading.Event()
        self.lead = False  # handed the next batch to run
        self.result = None
        self.error: BaseException | None = None

    def outcome(self):
        if self.error is None:
            return self.result
        try:  # each thread raises its own copy (a traceback is written onto the object)
            error = copy.copy(self.error)
        except Exception:
            error = self.error
        raise error


class Combiner:
    """``submit(key, payload, *args)`` -> ``run(*args, payloads)[i]`` for this payload, run
    together with the payloads of the same ``key`` that queued while another batch ran."""

    def __init__(self, run: Callable[..., Sequence], limit: int = MAX):
        self._run, self._limit = run, limit
        self._lock = threading.Lock()
        self._queued: dict[Hashable, list[_Call]] = {}
        self._running: set[Hashable] = set()

    def submit(self, key: Hashable, payload, *args):
        if connection.in_atomic_block:
            return self._run(*args, [payload])[0]
        call = _Call(payload)
        with self._lock:
            self._queued.setdefault(key, []).append(call)
            lead = key not in self._running
            self._running.add(key)
        if not lead:
            call.done.wait()
            if not call.lead:
                return call.outcome()
        self._batch(key, call, args)
        return call.outcome()

    def _batch(self, key: Hashable, me: _Call, args) -> None:
        """Run the queued calls of ``key`` (``me`` first among them), then hand the next
        batch to the first call still queued, if any."""
        with self._lock:
            batch, rest, seen = [], [], set()
            for c in self._queued[key]:
                if len(batch) < self._limit and c.reference not in seen:
                    batch.append(c)
                    seen.add(c.reference)
                else:
                    rest.append(c)
            self._queued[key] = rest
        try:
            results = self._run(*args, [c.payload for c in batch])
            for c, result in zip(batch, results, strict=True):
                c.result = result
        except BaseException as exc:  # every call of the batch answers it, as alone
            for c in batch:
                c.error = exc
        finally:
            with self._lock:
                rest = self._queued.get(key)
                following = rest[0] if rest else None
                if following is not None:
                    following.lead = True
                else:
                    self._queued.pop(key, None)
                    self._running.discard(key)
            for c in batch:
                if c is not me:
                    c.done.set()
            if following is not None:
                following.done.set()
