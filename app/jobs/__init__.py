"""Background work on a job engine: procrastinate on PostgreSQL, a local runner of the same tasks on SQLite.

Planning jobs (queue, cancel, status the page polls), the district's periodic checks, and the worker command's
entry. Other areas import only the names listed here; everything else in this package is private to it.
"""

from __future__ import annotations

from app.jobs.checks import CheckResult, run_checks
from app.jobs.local import drain
from app.jobs.plans import ACTIVE, JobStatus, cancel, enqueue, status
from app.jobs.tasks import run_plan
from app.jobs.worker import run_worker

__all__ = ["ACTIVE", "CheckResult", "JobStatus", "cancel", "drain", "enqueue", "run_checks", "run_plan", "run_worker",
           "status"]
