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


def kind(name: str) -> Callable[[JobFn], JobFn]:
    def register(fn: JobFn) -> JobFn:
        _kinds[name] = fn
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
        Job.objects.filter(pk=job_id).update(
            status=Job.Status.FAILED,
            error=exc.message,
            result=exc.as_dict(),
            finished_at=timezone.now(),
        )
    except Exception as exc:
        log.exception("job %s failed", job_id)
        Job.objects.filter(pk=job_id).update(
            status=Job.Status.FAILED,
            error=f"{type(exc).__name__}: {exc}",
            finished_at=timezone.now(),
        )
    else:
        Job.objects.filter(pk=job_id).update(
            status=Job.Status.DONE, result=result or {}, finished_at=timezone.now()
        )
