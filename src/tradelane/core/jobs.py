"""Jobs: long work with progress, run by the task worker.

A job kind is a function ``fn(actor, params, progress) -> dict`` registered with ``@kind``;
``progress(done, total)`` updates the row so the UI can show a bar. ``start`` writes the job
and enqueues its task after commit; the task is idempotent (a job that is not queued any more
is not run again).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from .errors import DomainError, ValidationFailed
from .models import Job

log = logging.getLogger(__name__)

Progress = Callable[[int, int], None]
JobFn = Callable[[Any, dict, Progress], dict]
_kinds: dict[str, JobFn] = {}
_transient: dict[str, tuple[str, ...]] = {}


def kind(name: str, *, transient: tuple[str, ...] = ()) -> Callable[[JobFn], JobFn]:
    """Register a job kind. ``transient`` params (e.g. an uploaded file's text) are bulky
    inputs that are dropped from the job row once it has finished."""

    def register(fn: JobFn) -> JobFn:
        _kinds[name] = fn
        _transient[name] = transient
        return fn

    return register


def start(actor, job_kind: str, params: dict, *, total: int = 0) -> Job:
    if job_kind not in _kinds:
        raise ValidationFailed(f"Unknown job kind {job_kind!r}", code="unknown_job")
    with transaction.atomic():
        job = Job.objects.create(
            kind=job_kind,
            params=params,
            total=total,
            created_by=actor if getattr(actor, "pk", None) else None,
        )
        transaction.on_commit(lambda: _enqueue(job.pk))
    return job


def _enqueue(job_id: int) -> None:
    from .tasks import run_job

    run_job.enqueue(job_id)


def run(job_id: int) -> None:
    claimed = Job.objects.filter(pk=job_id, status=Job.Status.QUEUED).update(
        status=Job.Status.RUNNING, started_at=timezone.now()
    )
    if not claimed:
        return
    job = Job.objects.get(pk=job_id)
    actor = get_user_model().objects.filter(pk=job.created_by_id).first()

    def progress(done: int, total: int) -> None:
        Job.objects.filter(pk=job_id).update(done=done, total=total)

    try:
        result = _kinds[job.kind](actor, job.params, progress)
    except DomainError as exc:
        outcome = {"status": Job.Status.FAILED, "error": exc.message, "result": exc.as_dict()}
    except Exception as exc:
        log.exception("job %s failed", job_id)
        outcome = {"status": Job.Status.FAILED, "error": f"{type(exc).__name__}: {exc}"}
    else:
        outcome = {"status": Job.Status.DONE, "result": result or {}}
    dropped = _transient.get(job.kind, ())
    if dropped:
        outcome["params"] = {k: v for k, v in job.params.items() if k not in dropped}
    Job.objects.filter(pk=job_id).update(finished_at=timezone.now(), **outcome)
