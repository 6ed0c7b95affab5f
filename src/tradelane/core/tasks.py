"""Thin, idempotent task wrappers for the kernel."""

from django_tasks import task

from . import outbox


@task()
def deliver_outbox() -> dict[str, int]:
    return outbox.deliver_due()


@task()
def run_job(job_id: int) -> None:
    from . import jobs

    jobs.run(job_id)


@task()
def run_followup(name: str, payload: dict) -> object:
    from . import followups

    return followups.run(name, payload)
