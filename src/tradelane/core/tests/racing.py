"""Races for concurrency tests: ``workers`` threads, each with its own database connection,
released together by a barrier, each doing ``act(n)`` once.

Returns how many ended how: ``won`` when ``act`` returned, else the refusal's ``code`` (or its
class name) for the ``refused`` exceptions. Anything else a worker raises fails the test in
the main thread, and so does a worker that hangs.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable

from django.db import connection, connections


def race(
    workers: int,
    act: Callable[[int], object],
    *,
    refused: tuple[type[BaseException], ...],
    won: str = "won",
    timeout: float = 180.0,
) -> Counter[str]:
    start = threading.Barrier(workers)
    outcomes: Counter[str] = Counter()
    errors: list[BaseException] = []
    lock = threading.Lock()

    def worker(n: int) -> None:
        try:
            start.wait(timeout=60)
            try:
                act(n)
                result = won
            except refused as exc:
                result = getattr(exc, "code", "") or type(exc).__name__
            with lock:
                outcomes[result] += 1
        except BaseException as exc:  # noqa: BLE001 - reported below, in the main thread
            with lock:
                errors.append(exc)
        finally:
            connections.close_all()  # this thread's own connection

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=timeout)
    assert not any(t.is_alive() for t in threads), "a worker hung"
    assert not errors, f"workers failed on {connection.vendor}: {errors[:3]!r}"
    return outcomes
