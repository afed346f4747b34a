"""A file job's page: progress while the worker builds the file, then its 下载 link; only for whoever asked.

app.main does not look for routers in app.jobs (it is no area), so the first area that offers file jobs (the
kitchen) mounts these routes with its own (`router.routes.extend(jobs.file_pages.routes)`)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response

from app.core import messages as msg
from app.core.deps import SessionDep, allow
from app.core.errors import AppError
from app.core.pdf import attachment_header
from app.core.principal import Principal
from app.core.templating import render
from app.jobs import files

router = APIRouter(prefix="/jobs/files")
SIGNED_IN = allow()


@router.get("/{job_id}", name="jobs:file")
def file_page(request: Request, session: SessionDep, job_id: int, principal: Principal = SIGNED_IN) -> Response:
    status = files.file_status(session, job_id, principal.user_id)
    return _page(request, status)


def _page(request: Request, status: files.FileStatus, cancel_error: str = "", status_code: int = 200) -> Response:
    return render(request, "jobs/file.html", {
        "job": status, "cancel_error": cancel_error, "title": msg.FILE_JOB_KIND_TITLES.get(status.kind, "生成文件")},
        status_code=status_code)


@router.post("/{job_id}/cancel", name="jobs:file_cancel")
def file_cancel(request: Request, session: SessionDep, job_id: int, principal: Principal = SIGNED_IN) -> Response:
    """取消: only the requester; a file already built or an import already saving is not cancelled (said in words)."""
    try:
        files.cancel_file(session, job_id, principal.user_id)
    except AppError as exc:
        status = files.file_status(session, job_id, principal.user_id)
        return _page(request, status, exc.message, status_code=409)
    return RedirectResponse(request.url_for("jobs:file", job_id=job_id), status_code=303)


@router.get("/{job_id}/status", name="jobs:file_status")
def file_status(session: SessionDep, job_id: int, principal: Principal = SIGNED_IN) -> Response:
    s = files.file_status(session, job_id, principal.user_id)
    return JSONResponse({"state": s.state, "state_name": s.state_name, "progress": s.progress, "error": s.error,
                         "active": s.active, "filename": s.filename, "cancellable": s.cancellable},
                        headers={"Cache-Control": "no-store"})


@router.get("/{job_id}/download", name="jobs:file_download")
def file_download(session: SessionDep, job_id: int, principal: Principal = SIGNED_IN) -> Response:
    filename, media_type, body = files.file_body(session, job_id, principal.user_id)
    return Response(body, media_type=media_type,
                    headers={**attachment_header(filename), "Cache-Control": "private, no-store"})
