"""Background work: the queue the dispatcher's planning runs on, and the district's periodic checks.

Other areas import only the names listed here; everything else in this package is private to it.
"""

from __future__ import annotations

from app.jobs.checks import CheckResult, run_checks
from app.jobs.queue import ACTIVE, JobStatus, enqueue, run_worker, status, work_one

__all__ = ["ACTIVE", "CheckResult", "JobStatus", "enqueue", "run_checks", "run_worker", "status", "work_one"]
