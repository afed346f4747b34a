"""The background tasks, one set for both engines: procrastinate runs them on PostgreSQL, the local runner calls
the same functions on SQLite.

- `plan_route(plan_id)`: a route solve (or slotting late orders into a published plan), in a child process;
  queueing lock and lock `plan:<id>`, so a second click queues nothing and two runs of one plan never overlap.
- `file_job(job_id)`: a slow file (app.jobs.files), built in the worker's process; lock `file:<id>`, so two runs of
  one file never overlap, and a run interrupted by a dead worker is retried (counted as an attempt).
- `district_checks(timestamp)`: the periodic checks, deferred by the engine on a cron schedule
  (CANTEEN_CHECK_CRON); procrastinate defers each tick once however many workers run, and every alert has a unique
  dedupe key besides, so two checks at once still raise it once.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any

import procrastinate
from sqlmodel import Session

from app.core.db import make_engine
from app.core.settings import TZ, get_settings
from app.jobs import checks, child, files, plans

log = logging.getLogger(__name__)
bp = procrastinate.Blueprint()
CHECKS_TASK = "district_checks"


class Runtime:
    """What the worker command sets for the tasks of its process."""

    time_limit_s: float = 10.0
    finished: int = 0


def run_plan(plan_id: int, *, attempts: int = 0, should_abort: Callable[[], bool] = lambda: False,
             time_limit_s: float | None = None) -> str:
    """Take the plan's job and run it in a child. Returns "finished" (stored, or failed in words), "stopped"
    (cancelled or taken over mid-run) or "skipped" (nothing to run: cancelled, done, expired, too many attempts)."""
    url = get_settings().database_url
    engine = make_engine(url)
    try:
        with Session(engine) as session:
            owner = plans.take(session, plan_id, attempts=attempts)
    finally:
        engine.dispose()
    if owner is None:
        return "skipped"
    outcome = child.run_watched(url, plan_id, owner, time_limit_s=time_limit_s or Runtime.time_limit_s,
                                should_abort=should_abort)
    if outcome == "finished":
        Runtime.finished += 1
    return outcome


@bp.task(name=plans.PLAN_TASK, pass_context=True, retry=procrastinate.RetryStrategy(
    max_attempts=2, wait=5))
def plan_route(context: procrastinate.JobContext, plan_id: int) -> None:
    job: Any = context.job
    outcome = run_plan(plan_id, attempts=int(job.attempts or 0), should_abort=context.should_abort)
    if outcome == "stopped":
        # Cancelled by a dispatcher (or taken over): procrastinate records the job as aborted, not succeeded.
        raise procrastinate.exceptions.JobAborted(f"plan {plan_id} stopped")


def run_district_checks(at: datetime) -> checks.CheckResult:
    engine = make_engine(get_settings().database_url)
    try:
        with Session(engine) as session:
            result = checks.run_checks(session, at)
            files.clean_up(session)  # finished files are kept a day, then removed
            return result
    finally:
        engine.dispose()


@bp.periodic(cron=get_settings().check_cron, periodic_id="district")
@bp.task(name=CHECKS_TASK, queueing_lock=CHECKS_TASK)
def district_checks(timestamp: int) -> None:
    result = run_district_checks(datetime.fromtimestamp(timestamp, TZ))
    log.info("district checks: %s", result)


def run_file(job_id: int, *, attempts: int = 0) -> str:
    engine = make_engine(get_settings().database_url)
    try:
        with Session(engine) as session:
            return files.run_file(session, job_id, attempts=attempts)
    finally:
        engine.dispose()


@bp.task(name=files.FILE_TASK, pass_context=True, retry=procrastinate.RetryStrategy(max_attempts=2, wait=1))
def file_job(context: procrastinate.JobContext, job_id: int) -> None:
    job: Any = context.job
    run_file(job_id, attempts=int(job.attempts or 0))
