"""Jobs: start slow work, poll its progress, cancel it, fetch its result."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from wordlight.web import operations
from wordlight.web.errors import ERROR_RESPONSES
from wordlight.web.schemas import ErrorBody, JobRequest, JobResult, JobStatus

router = APIRouter(prefix="/api/v1/jobs", responses=ERROR_RESPONSES)


@router.post("", response_model=JobStatus, status_code=202)
def start(request: Request, body: JobRequest) -> JobStatus:
    state = request.app.state.wordlight
    fn = operations.job_function(state, body)
    return JobStatus(**state.jobs.submit(body.kind, fn).status())


@router.get("/{job_id}", response_model=JobStatus)
def status(request: Request, job_id: str) -> JobStatus:
    return JobStatus(**request.app.state.wordlight.jobs.get(job_id).status())


@router.post("/{job_id}/cancel", response_model=JobStatus)
def cancel(request: Request, job_id: str) -> JobStatus:
    return JobStatus(**request.app.state.wordlight.jobs.cancel(job_id).status())


@router.get("/{job_id}/result", response_model=JobResult)
def result(request: Request, job_id: str) -> JobResult | JSONResponse:
    job = request.app.state.wordlight.jobs.get(job_id)
    if job.state != "done":
        why = job.error if job.state == "failed" else f"the job is {job.state}"
        code = 422 if job.state == "failed" else 409
        return JSONResponse(ErrorBody(detail=why or job.state).model_dump(), status_code=code)
    return JobResult(id=job.id, kind=job.kind, result=job.result)
