"""Thin, idempotent task wrappers for the kernel."""

from django_tasks import task

from . import outbox


@task()
def deliver_outbox() -> dict[str, int]:
    return outbox.deliver_due()
