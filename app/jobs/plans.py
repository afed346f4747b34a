"""A planning job's state on its DeliveryPlan row: what the dispatcher's page polls, and who may store a result.

The job engine (procrastinate on PostgreSQL, the local runner on SQLite) only delivers "run plan N" to a worker;
the row says whether that run still matters. Every change is a conditional UPDATE:

- `enqueue` moves idle/done/failed/cancelled → queued (a second click while queued or running changes nothing)
  and, on PostgreSQL, defers the engine's job in the same transaction;
- `take` starts a run: a fresh owner token on a queued job, or on a running one whose worker died (the engine
  only hands it out again once that worker's heartbeat stopped, and its `lock` never lets two runs overlap);
- `guard_result` makes the body's one result commit check, under the row lock, that its token still owns the job
  and mark it done in that same transaction; `cancel` takes the same row lock, so a plan is either stored and
  done, or cancelled and never stored, never both.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import event, update
from sqlmodel import Session, col, select

from app.core import messages as msg
from app.core.db import begin_write
from app.core.settings import get_settings
from app.jobs import engine
from app.models import DeliveryPlan, now

ACTIVE = ("queued", "running")
FINAL = ("done", "failed", "cancelled")
PLAN_TASK = "plan_route"


@dataclass(frozen=True)
class JobStatus:
    """What the dispatcher's page polls: state, stage in words, elapsed seconds, best cost so far."""

    plan_id: int
    state: str
    stage: str
    elapsed_s: int
    best_cost: int | None
    error: str

    @property
    def active(self) -> bool:
        return self.state in ACTIVE


def plan_lock(plan_id: int) -> str:
    return f"plan:{plan_id}"


def enqueue(session: Session, plan_id: int, *, defer: bool = True) -> bool:
    """Queue a solve for the plan. Returns False (and changes nothing) when one is already queued or running.
    With `defer=False` no engine job is made (the CLI runs the plan itself at once)."""
    begin_write(session)
    result = session.execute(
        update(DeliveryPlan)
        .where(col(DeliveryPlan.id) == plan_id, col(DeliveryPlan.job_state).not_in(ACTIVE))
        .values(job_state="queued", job_stage=msg.JOB_STAGE_NAMES["queued"], job_error="", job_best_cost=None,
                job_started_at=None, job_finished_at=None, job_queued_at=now(), job_owner=None,
                job_engine_id=None)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        session.rollback()
        return False
    if defer:
        job_id = engine.defer(session, PLAN_TASK, {"plan_id": plan_id}, lock=plan_lock(plan_id),
                              queueing_lock=plan_lock(plan_id))
        session.execute(update(DeliveryPlan).where(col(DeliveryPlan.id) == plan_id).values(job_engine_id=job_id))
    session.commit()
    return True


def cancel(session: Session, plan_id: int) -> bool:
    """Cancel a queued or running solve. Returns False when there is none (it may have just finished). The run,
    if one is going, sees the state change within a second and stops its child; its result can no longer commit."""
    begin_write(session)
    row = _locked(session, plan_id)
    if row is None or row.job_state not in ACTIVE:
        session.rollback()
        return False
    engine_id = row.job_engine_id
    session.execute(update(DeliveryPlan).where(col(DeliveryPlan.id) == plan_id).values(
        job_state="cancelled", job_stage=msg.JOB_STAGE_NAMES["cancelled"], job_owner=None, job_finished_at=now()))
    if engine_id is not None:
        engine.cancel(session, engine_id)
    session.commit()
    return True


def take(session: Session, plan_id: int, *, attempts: int = 0) -> str | None:
    """Start a run of the plan's job; returns the run's owner token, or None when there is nothing to run
    (cancelled, done, or given up: queued too long ago, or interrupted too many times)."""
    begin_write(session)
    row = _locked(session, plan_id)
    if row is None or row.job_state not in ACTIVE:
        session.rollback()
        return None
    settings = get_settings()
    queued = row.job_queued_at or now()
    if now() - queued > timedelta(seconds=settings.job_expire_s):
        _fail(session, plan_id, msg.JOB_EXPIRED)
        return None
    if attempts >= settings.job_max_attempts:
        _fail(session, plan_id, msg.JOB_TOO_MANY_ATTEMPTS.format(n=attempts))
        return None
    owner = str(uuid.uuid4())
    session.execute(update(DeliveryPlan).where(col(DeliveryPlan.id) == plan_id).values(
        job_state="running", job_owner=owner, job_stage=msg.JOB_STAGE_NAMES["started"], job_started_at=now(),
        job_best_cost=None))
    session.commit()
    return owner


def _locked(session: Session, plan_id: int) -> Any:
    """The job columns of the plan, read fresh under the row lock (what the session had loaded may be old)."""
    return session.execute(select(DeliveryPlan.job_state, DeliveryPlan.job_engine_id, DeliveryPlan.job_queued_at)
                           .where(col(DeliveryPlan.id) == plan_id).with_for_update()).first()


def _fail(session: Session, plan_id: int, error: str) -> None:
    session.execute(update(DeliveryPlan).where(col(DeliveryPlan.id) == plan_id).values(
        job_state="failed", job_stage=msg.JOB_STAGE_NAMES["failed"], job_error=error[:300], job_owner=None,
        job_finished_at=now()))
    session.commit()


def _owned(plan_id: int, owner: str) -> list[Any]:
    return [col(DeliveryPlan.id) == plan_id, col(DeliveryPlan.job_state) == "running",
            col(DeliveryPlan.job_owner) == owner]


def owns(session: Session, plan_id: int, owner: str) -> bool:
    """Whether the job is still this run's: running under its token, or already finished by it (a cancel clears
    the token, a take-over replaces it)."""
    return session.exec(select(DeliveryPlan.id).where(
        col(DeliveryPlan.id) == plan_id, col(DeliveryPlan.job_owner) == owner)).first() is not None


class LostOwnership(Exception):
    """The job was cancelled, or taken over by another run, while this one worked: its result must not be stored."""


def guard_result(session: Session, plan_id: int, owner: str) -> None:
    """The job body commits its result once; that commit first locks the plan row and checks that this run still
    owns the job (else LostOwnership and nothing is stored), and marks the job done in the same transaction."""

    def check(s: Session) -> None:
        if s.exec(select(DeliveryPlan.id).where(*_owned(plan_id, owner)).with_for_update()).first() is None:
            raise LostOwnership(plan_id)
        s.execute(update(DeliveryPlan).where(col(DeliveryPlan.id) == plan_id).values(
            job_state="done", job_stage=msg.JOB_STAGE_NAMES["done"], job_error="", job_finished_at=now()))

    event.listen(session, "before_commit", check)


def report(session: Session, plan_id: int, owner: str, stage: str, best_cost: int | None = None) -> None:
    """Record progress, only while this run still owns the job."""
    values: dict[str, object] = {"job_stage": stage[:40]}
    if best_cost is not None:
        values["job_best_cost"] = best_cost
    session.execute(update(DeliveryPlan).where(*_owned(plan_id, owner)).values(**values))
    session.commit()


def finish(session: Session, plan_id: int, owner: str, *, error: str = "") -> bool:
    """Mark the run's job done (a body that had nothing to store) or failed; only while this run owns it."""
    state = "failed" if error else "done"
    result = session.execute(update(DeliveryPlan).where(*_owned(plan_id, owner)).values(
        job_state=state, job_stage=msg.JOB_STAGE_NAMES[state], job_error=error[:300], job_finished_at=now()))
    session.commit()
    return result.rowcount == 1  # type: ignore[attr-defined]


def status(session: Session, plan_id: int) -> JobStatus:
    plan = session.get(DeliveryPlan, plan_id)
    if plan is None:
        return JobStatus(plan_id, "idle", "", 0, None, "")
    session.refresh(plan)
    end: datetime | None = plan.job_finished_at if plan.job_state in FINAL else now()
    elapsed = int((end - plan.job_started_at).total_seconds()) if plan.job_started_at and end else 0
    return JobStatus(plan_id, plan.job_state, plan.job_stage, max(elapsed, 0), plan.job_best_cost, plan.job_error)


def waiting(session: Session, *, include_running: bool) -> list[int]:
    """Plans whose job waits (oldest first), for the SQLite local runner."""
    states = ACTIVE if include_running else ("queued",)
    return [i or 0 for i in session.exec(
        select(DeliveryPlan.id).where(col(DeliveryPlan.job_state).in_(states))
        .order_by(col(DeliveryPlan.job_queued_at), col(DeliveryPlan.id))).all()]
