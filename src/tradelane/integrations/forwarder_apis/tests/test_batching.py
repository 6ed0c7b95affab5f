"""createOrder calls of one ERP that arrive together are written by one ``create_waybills``
(``batching``): each still gets its own waybill's answer, as alone."""

from __future__ import annotations

import threading
import time

import pytest
from django.db import connections

from tradelane.core.errors import PermissionDenied
from tradelane.forwarding.waybills import services as waybill_services
from tradelane.forwarding.waybills.models import Waybill, WaybillSource

from .. import batching, eccang, operations
from ..models import VendorCredential
from .test_eccang import order


def _threads(n, target):
    threads = [threading.Thread(target=target, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    return threads


def _wait_for(condition, seconds=10.0):
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.005)


class Gate:
    """A ``run`` for the combiner that records its batches and holds the first one."""

    def __init__(self, fail_first: bool = False):
        self.batches: list[list[str]] = []
        self.open = threading.Event()
        self.fail_first = fail_first

    def run(self, tag, payloads):
        self.batches.append([p["reference"] for p in payloads])
        if len(self.batches) == 1:
            self.open.wait(10)
            if self.fail_first:
                raise PermissionDenied("no", code="customer_suspended")
        return [f"{tag}:{p['reference']}" for p in payloads]


def test_calls_that_queue_behind_a_batch_run_as_the_next_one_each_gets_its_own():
    gate = Gate()
    combiner = batching.Combiner(gate.run)
    refs = ["A", "B", "C", "B", "D"]
    got = {}

    def call(i):
        got[i] = combiner.submit("erp", {"reference": refs[i]}, "t")

    first = _threads(1, call)
    _wait_for(lambda: len(gate.batches) == 1)
    rest = [threading.Thread(target=call, args=(i,)) for i in range(1, 5)]
    for t in rest:
        t.start()
    _wait_for(lambda: len(combiner._queued["erp"]) == 4)  # A running, four queued
    gate.open.set()
    for t in first + rest:
        t.join(10)
    assert got == {i: f"t:{r}" for i, r in enumerate(refs)}
    # A alone; then the four queued but the second B, which waits for the batch after
    assert gate.batches[0] == ["A"]
    assert sorted(gate.batches[1]) == ["B", "C", "D"]
    assert gate.batches[2] == ["B"]
    assert combiner._queued == {} and combiner._running == set()


def test_an_error_of_the_whole_call_is_every_queued_calls_and_the_next_batch_runs():
    gate = Gate(fail_first=True)
    combiner = batching.Combiner(gate.run)
    got, errors = {}, {}

    def call(i):
        try:
            got[i] = combiner.submit("erp", {"reference": f"R{i}"}, "t")
        except PermissionDenied as exc:
            errors[i] = exc.code

    first = _threads(1, call)
    _wait_for(lambda: len(gate.batches) == 1)
    rest = [threading.Thread(target=call, args=(i,)) for i in (1, 2)]
    for t in rest:
        t.start()
    _wait_for(lambda: len(combiner._queued["erp"]) == 2)
    gate.open.set()
    for t in first + rest:
        t.join(10)
    assert errors == {0: "customer_suspended"}
    assert got == {1: "t:R1", 2: "t:R2"}
    # another key never waits for this one
    assert batching.Combiner(lambda tag, ps: [tag] * len(ps)).submit("x", {}, "y") == "y"


@pytest.mark.django_db(transaction=True)
def test_concurrent_create_orders_of_one_erp_share_one_write(world, monkeypatch):
    cred = VendorCredential.objects.select_related("user", "customer").get(
        identifier=world.acme.token
    )
    sizes, slow = [], threading.Event()
    real = waybill_services.create_waybills

    def recorded(user, customer, payloads, **kw):
        sizes.append(len(payloads))
        if len(sizes) == 1:
            slow.wait(10)  # the first call holds, the others queue behind it
        return real(user, customer, payloads, **kw)

    monkeypatch.setattr(waybill_services, "create_waybills", recorded)
    answers = {}

    def call(i):
        try:
            p = order(reference_no=f"B-{i}") if i != 3 else order(reference_no="B-1")
            answers[i] = eccang.create_order(cred, p)
        except eccang.Failure as exc:
            answers[i] = exc.code
        finally:
            connections.close_all()

    threads = _threads(1, call)
    _wait_for(lambda: len(sizes) == 1)
    threads += _threads(4, lambda i: call(i + 1))
    key = (cred.user_id, cred.customer_id, WaybillSource.ECCANG)
    _wait_for(lambda: len(operations._CREATES._queued.get(key, [])) == 4)
    slow.set()
    for t in threads:
        t.join(30)
    assert sizes[0] == 1 and sizes[1] == 3 and sizes[2] == 1  # B-1 twice: not in one batch
    for i in (0, 1, 2, 4):
        assert answers[i]["ask"] == "Success" and answers[i]["reference_no"] == f"B-{i}"
    assert answers[3] == answers[1]  # the same order again: the same answer ("existing")
    numbers = {a["order_code"] for a in answers.values()}
    assert len(numbers) == 4
    assert set(Waybill.objects.values_list("number", flat=True)) == numbers
