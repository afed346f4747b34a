"""Background work: the queue the dispatcher's planning runs on.

Other areas import only the names listed here; everything else in this package is private to it.
"""

from __future__ import annotations

from app.jobs.queue import ACTIVE, JobStatus, enqueue, run_worker, status, work_one

__all__ = ["ACTIVE", "JobStatus", "enqueue", "run_worker", "status", "work_one"]
