"""``sync._ahead``: pages fetched one ahead by a thread, in order, errors in their place."""

from __future__ import annotations

import threading
import time

import pytest

from tradelane.integrations.stores.contract import Unavailable
from tradelane.integrations.stores.sync import _ahead


def test_pages_come_in_order_from_another_thread():
    threads = []

    def pages():
        for i in range(5):
            threads.append(threading.current_thread())
            yield i

    assert list(_ahead(pages())) == [0, 1, 2, 3, 4]
    assert threads and all(t is not threading.current_thread() for t in threads)


def test_a_fetch_error_comes_after_the_pages_before_it():
    def pages():
        yield 1
        yield 2
        raise Unavailable("shop down")

    got = []
    with pytest.raises(Unavailable, match="shop down"):
        for page in _ahead(pages()):
            got.append(page)
    assert got == [1, 2]


def test_stopping_early_stops_the_fetching():
    fetched = []
    finished = threading.Event()

    def pages():
        try:
            for i in range(1000):
                fetched.append(i)
                yield i
        finally:
            finished.set()

    for page in _ahead(pages(), poll=0.01):
        if page == 1:
            break
    assert finished.wait(5)
    time.sleep(0.05)
    assert len(fetched) <= 4  # the page applied, one waiting, one being fetched, at most
