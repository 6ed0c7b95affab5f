from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from tradelane.core import jobs, outbox
from tradelane.core.errors import InvalidTransition
from tradelane.core.models import AuditLog, Job, OutboxMessage, StateEvent
from tradelane.core.states import bulk_transition, transition
from tradelane.inventory.models import Warehouse

pytestmark = pytest.mark.django_db

TABLE = {"a": {"b"}, "b": {"c"}}


def make(state="a"):
    """Warehouses have no status; the tests borrow ``name`` as the state field."""
    return Warehouse.objects.create(code=f"W{Warehouse.objects.count()}", name=state, country="CN")


def test_transition_checks_the_table_and_writes_the_event(admin):
    wh = make("a")
    event = transition(wh, "b", table=TABLE, actor=admin, reason="why", field="name")
    wh.refresh_from_db()
    assert wh.name == "b"
    assert (
        event.entity,
        event.object_id,
        event.from_state,
        event.to_state,
        event.reason,
        event.actor,
    ) == ("inventory.warehouse", wh.pk, "a", "b", "why", admin)
    with pytest.raises(InvalidTransition):
        transition(wh, "a", table=TABLE, field="name")
    assert StateEvent.objects.count() == 1


def test_transition_refuses_a_stale_read():
    wh = make("a")
    stale = Warehouse.objects.get(pk=wh.pk)
    transition(wh, "b", table=TABLE, field="name")
    with pytest.raises(InvalidTransition) as err:
        transition(stale, "b", table=TABLE, field="name")
    assert err.value.code == "stale_state"
    assert StateEvent.objects.count() == 1


def test_bulk_transition_is_all_or_nothing():
    w1, w2 = make("a"), make("b")
    with pytest.raises(InvalidTransition), transaction.atomic():
        bulk_transition(Warehouse, [w1.pk, w2.pk], "a", "b", table=TABLE, field="name")
    w1.refresh_from_db()
    assert w1.name == "a" and StateEvent.objects.count() == 0


def test_outbox_delivers_retries_with_backoff_and_dead_letters():
    calls = []

    @outbox.handler("test.flaky")
    def flaky(msg):
        calls.append(msg.payload["n"])
        if len(calls) < 3:
            raise outbox.RetryLater("503 from store", retry_after=0)

    with transaction.atomic():
        outbox.enqueue("test.flaky", {"n": 1}, dedupe_key="k1")
        outbox.enqueue("test.flaky", {"n": 2}, dedupe_key="k1")  # same effect: kept once
    assert OutboxMessage.objects.count() == 1
    assert outbox.deliver_due() == {"sent": 0, "retried": 1, "dead": 0}
    assert outbox.deliver_due() == {"sent": 0, "retried": 1, "dead": 0}
    assert outbox.deliver_due() == {"sent": 1, "retried": 0, "dead": 0}
    assert outbox.deliver_due() == {"sent": 0, "retried": 0, "dead": 0}  # sent exactly once
    msg = OutboxMessage.objects.get()
    assert (msg.status, msg.attempts, calls) == ("sent", 3, [1, 1, 1])

    @outbox.handler("test.broken")
    def broken(msg):
        raise RuntimeError("boom")

    dead = OutboxMessage.objects.create(topic="test.broken", dedupe_key="k2", max_attempts=2)
    assert outbox.deliver_due()["retried"] == 1
    dead.refresh_from_db()
    assert dead.next_attempt_at > timezone.now() + timedelta(seconds=20)  # backoff 30 s
    OutboxMessage.objects.filter(pk=dead.pk).update(next_attempt_at=timezone.now())
    assert outbox.deliver_due()["dead"] == 1
    dead.refresh_from_db()
    assert (dead.status, dead.attempts, dead.last_error) == ("dead", 2, "RuntimeError: boom")
    outbox.replay(dead.pk)
    dead.refresh_from_db()
    assert (dead.status, dead.attempts) == ("pending", 0)


def test_a_refusal_for_good_is_dead_lettered_at_once():
    @outbox.handler("test.refused")
    def refused(msg):
        raise outbox.GiveUp("the store has no such order")

    msg = OutboxMessage.objects.create(topic="test.refused", dedupe_key="k3", max_attempts=8)
    assert outbox.deliver_due() == {"sent": 0, "retried": 0, "dead": 1}
    msg.refresh_from_db()
    assert (msg.status, msg.attempts, msg.last_error) == (
        "dead",
        1,
        "GiveUp: the store has no such order",
    )


def test_backoff_grows_and_is_capped():
    assert [outbox.backoff_seconds(n) for n in (1, 2, 3)] == [30, 60, 120]
    assert outbox.backoff_seconds(20) == 3600


def test_job_runs_with_progress(admin, settings, django_capture_on_commit_callbacks):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}

    @jobs.kind("test.count")
    def count(actor, params, progress):
        for i in range(params["n"]):
            progress(i + 1, params["n"])
        return {"by": actor.username}

    @jobs.kind("test.fail", transient=("content",))
    def fail(actor, params, progress):
        raise ValueError("nope")

    with django_capture_on_commit_callbacks(execute=True):
        job = jobs.start(admin, "test.count", {"n": 3})
    job.refresh_from_db()
    assert (job.status, job.done, job.total, job.percent, job.result) == (
        "done",
        3,
        3,
        100,
        {"by": "admin_user"},
    )
    with django_capture_on_commit_callbacks(execute=True):
        bad = jobs.start(admin, "test.fail", {"content": "a big file", "format": "csv"})
    bad.refresh_from_db()
    assert (bad.status, bad.error) == ("failed", "ValueError: nope")
    assert bad.params == {"format": "csv"}  # the bulky input is not kept
    jobs.run(job.pk)  # running again does nothing: it is not queued any more
    assert Job.objects.get(pk=job.pk).finished_at == job.finished_at


def test_audit_records_who_changed_what(admin):
    from tradelane.accounts.services import update_company

    update_company(admin, name="ACME 跨境", base_currency="usd")
    row = AuditLog.objects.get(action="accounts.company.update")
    assert row.actor == admin
    assert row.changes["base_currency"] == ["CNY", "USD"]
    assert row.changes["name"][1] == "ACME 跨境"


def test_sweep_delivers_due_outbox_and_prunes_old_keys(admin):
    from tradelane.core import periodic
    from tradelane.core.models import IdempotencyRecord

    sent = []

    @outbox.handler("test.sweep")
    def deliver(msg):
        sent.append(msg.pk)

    msg = OutboxMessage.objects.create(topic="test.sweep", dedupe_key="s1")
    old = IdempotencyRecord.objects.create(
        scope="user:1",
        key="old",
        method="POST",
        path="/api/v1/x",
        request_hash="h",
        created_at=timezone.now() - timedelta(hours=25),
    )
    fresh = IdempotencyRecord.objects.create(
        scope="user:1", key="new", method="POST", path="/api/v1/x", request_hash="h"
    )
    results = periodic.sweep()
    assert results["outbox"] == {"sent": 1, "retried": 0, "dead": 0}
    assert results["idempotency"] == 1
    assert sent == [msg.pk]
    assert list(IdempotencyRecord.objects.values_list("pk", flat=True)) == [fresh.pk]
    assert not IdempotencyRecord.objects.filter(pk=old.pk).exists()
