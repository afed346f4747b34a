"""Background work on a job engine: procrastinate on PostgreSQL, a local runner of the same tasks on SQLite.

Planning jobs (queue, cancel, status the page polls), file jobs (slow files offered when ready), the district's periodic checks, and the worker command's
entry. Other areas import only the names listed here; everything else in this package is private to it.
"""

from __future__ import annotations

from app.jobs.checks import CheckResult, run_checks
from app.jobs.files import (
           FileStatus,
           clean_up,
           drain_files,
           enqueue_file,
           file_body,
           file_status,
           principal_for_user,
)
from app.jobs.local import drain
from app.jobs.pages import router as file_pages
from app.jobs.plans import ACTIVE, JobStatus, cancel, enqueue, status
from app.jobs.tasks import run_plan
from app.jobs.worker import run_worker

__all__ = ["ACTIVE", "CheckResult", "FileStatus", "JobStatus", "cancel", "clean_up", "drain", "drain_files", "enqueue",
           "enqueue_file", "file_body", "file_pages", "file_status", "principal_for_user", "run_checks", "run_plan", "run_worker", "status"]
