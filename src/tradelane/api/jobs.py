"""``GET /jobs/{id}``: the progress and result of long work any app started as a job (bulk
rate shopping, imports...). Someone else's job answers 404, as a missing one does."""

from typing import Any

from ninja import Router

from tradelane.core.selectors import job_for

from .errors import responses

router = Router()


@router.get("/jobs/{id:job_id}", response=responses(200, dict[str, Any]), operation_id="jobs_get")
def job_status(request, job_id: int):
    job = job_for(request.auth, job_id)  # someone else's job is not found
    return {
        "id": job.pk, "kind": job.kind, "status": job.status, "done": job.done,
        "total": job.total, "result": job.result, "error": job.error,
    }  # fmt: skip
