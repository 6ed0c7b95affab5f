"""Shared reads of the kernel's rows, taking the acting user.

Jobs: a job (a bulk review, an import, a bulk rate shopping) is followed by the person who
started it. The API's ``/jobs/{id}``, the order workbench's ``/jobs/<pk>/`` and the import
page's ``/io/jobs/<pk>/`` all read through ``jobs_of`` / ``job_for``, so there is one rule:
someone else's job does not exist for you (404, not 403: its id says nothing). A superuser
sees every job; the dispatch center lists every task for the roles that watch it, with its
own permission.
"""

from __future__ import annotations

from django.db.models import QuerySet

from .errors import NotFound
from .models import Job


def jobs_of(user) -> QuerySet[Job]:
    """The jobs ``user`` may follow: the ones they started (a superuser: all)."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return Job.objects.none()
    if user.is_superuser:
        return Job.objects.all()
    return Job.objects.filter(created_by_id=user.pk)


def job_for(user, pk: int, *, kind: str | None = None) -> Job:
    """The job ``pk`` if ``user`` may follow it (and it is of ``kind``); ``NotFound`` (the same
    for a missing job and someone else's) otherwise. Its params (an import's whole file) are
    not loaded."""
    qs = jobs_of(user).filter(pk=pk).defer("params")
    if kind is not None:
        qs = qs.filter(kind=kind)
    job = qs.first()
    if job is None:
        raise NotFound(f"No job {pk}", code="job_not_found")
    return job
