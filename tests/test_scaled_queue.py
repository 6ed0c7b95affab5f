"""The scaled-out task queue: the same tasks and scheduled work run through Redis (RQ).

Needs Redis at TRADELANE_REDIS_URL (default 127.0.0.1:6379). Without it these tests skip on a
developer's machine, and FAIL when ``CI`` is set: CI starts Redis, so a skip would hide a break.
"""

from __future__ import annotations

import os

import pytest
from django.conf import settings

from tradelane.core import outbox
from tradelane.core.models import OutboxMessage

RQ_BACKEND = "django_tasks_rq.RQBackend"


@pytest.fixture
def redis_queue(settings):
    import redis

    url = settings.REDIS_URL
    conn = redis.Redis.from_url(url, socket_connect_timeout=2)
    try:
        conn.ping()
    except redis.exceptions.ConnectionError as exc:
        message = f"Redis does not answer at {url}: {exc}"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    # The tasks' queue is "default"; a Redis database of its own keeps runs apart. CI runs the
    # SQLite and PostgreSQL passes side by side, so each pass has its own (a worker of one pass
    # must never take the other's task to the wrong database).
    db = 11 if settings.DATABASES["default"]["ENGINE"].endswith("postgresql") else 10
    settings.INSTALLED_APPS = [*settings.INSTALLED_APPS, "django_rq", "django_tasks_rq"]
    settings.RQ_QUEUES = {"default": {"URL": f"{url.rsplit('/', 1)[0]}/{db}"}}
    settings.TASKS = {"default": {"BACKEND": RQ_BACKEND, "QUEUES": ["default"]}}
    import django_rq

    django_rq.get_queue("default").empty()
    yield "default"
    django_rq.get_queue("default").empty()


def _work(queue_name: str) -> int:
    """Run an RQ worker in this process until the queue is empty; return what is left."""
    import django_rq
    from django_tasks_rq import Job
    from rq import SimpleWorker

    queue = django_rq.get_queue(queue_name)
    worker = SimpleWorker([queue], connection=queue.connection, job_class=Job)
    worker.work(burst=True)
    return queue.count


@pytest.mark.django_db(transaction=True)
def test_outbox_delivery_runs_through_the_redis_queue(redis_queue):
    delivered = []

    @outbox.handler("test.scaled")
    def _deliver(msg):
        delivered.append(msg.payload["n"])

    import django_rq

    # enqueue() kicks a deliver_outbox task after commit: it waits in Redis, not run inline
    msg = outbox.enqueue("test.scaled", {"n": 7}, dedupe_key="scaled-1")
    assert django_rq.get_queue(redis_queue).count == 1
    assert delivered == []
    assert _work(redis_queue) == 0
    assert delivered == [7]
    msg.refresh_from_db()
    assert msg.status == OutboxMessage.Status.SENT
    assert msg.attempts == 1


@pytest.mark.django_db(transaction=True)
def test_jobs_run_through_the_redis_queue(redis_queue, admin):
    from tradelane.core import jobs
    from tradelane.core.models import Job

    @jobs.kind("test.scaled_job")
    def _count(actor, params, progress):
        progress(params["n"], params["n"])
        return {"seen": params["n"], "actor": actor.username}

    job = jobs.start(admin, "test.scaled_job", {"n": 3}, total=3)
    assert Job.objects.get(pk=job.pk).status == Job.Status.QUEUED
    assert _work(redis_queue) == 0
    job.refresh_from_db()
    assert (job.status, job.done, job.result) == (
        Job.Status.DONE,
        3,
        {"seen": 3, "actor": "admin_user"},
    )


def test_settings_name_the_redis_backend_by_shorthand():
    assert settings.TASK_BACKENDS["rq"] == RQ_BACKEND
    assert settings.RQ_QUEUES["default"]["URL"] == settings.REDIS_URL


def test_worker_command_follows_the_backend(settings):
    from tradelane import cli

    settings.TASKS = {"default": {"BACKEND": RQ_BACKEND, "QUEUES": ["default"]}}
    assert cli._worker_command(["--burst"]) == [
        "tradelane worker", "rqworker", "--skip-checks", "--job-class", "django_tasks_rq.Job",
        "--burst",
    ]  # fmt: skip
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    assert cli._worker_command([]) == ["tradelane worker", "db_worker", "--skip-checks"]
    settings.TASKS = {"default": {"BACKEND": settings.TASK_BACKENDS["immediate"]}}
    assert cli._worker_command([]) is None
