"""A file job's page: progress while the worker builds the file, then its 下载 link; only for whoever asked.

app.main does not look for routers in app.jobs (it is no area), so the first area that offers file jobs (the
kitchen) mounts these routes with its own (`router.routes.extend(jobs.file_pages.routes)`)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from app.core.deps import SessionDep, allow
from app.core.pdf import attachment_header
from app.core.principal import Principal
from app.core.templating import render
from app.jobs import files

router = APIRouter(prefix="/jobs/files")
SIGNED_IN = allow()


@router.get("/{job_id}", name="jobs:file")
def file_page(request: Request, session: SessionDep, job_id: int, principal: Principal = SIGNED_IN) -> Response:
    status = files.file_status(session, job_id, principal.user_id)
    return render(request, "jobs/file.html", {"job": status})


@router.get("/{job_id}/status", name="jobs:file_status")
def file_status(session: SessionDep, job_id: int, principal: Principal = SIGNED_IN) -> Response:
    s = files.file_status(session, job_id, principal.user_id)
    return JSONResponse({"state": s.state, "state_name": s.state_name, "progress": s.progress, "error": s.error,
                         "active": s.active, "filename": s.filename},
                        headers={"Cache-Control": "no-store"})


@router.get("/{job_id}/download", name="jobs:file_download")
def file_download(session: SessionDep, job_id: int, principal: Principal = SIGNED_IN) -> Response:
    filename, media_type, body = files.file_body(session, job_id, principal.user_id)
    return Response(body, media_type=media_type,
                    headers={**attachment_header(filename), "Cache-Control": "private, no-store"})
