"""A job queue in the database: route solving runs in worker processes, never inside a web request.

The queue lives in DeliveryPlan's job_* columns, so any number of workers on any machines share it through the
database alone. Every state change is a conditional UPDATE (compare-and-set), which makes enqueueing idempotent
(a second click while queued or running changes nothing) and claiming atomic (two workers never run one job).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import event, update
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, or_, select

from app.core import messages as msg
from app.core.errors import AppError
from app.core.settings import get_settings
from app.models import DeliveryPlan, now

log = logging.getLogger(__name__)

# A running job whose heartbeat is older than this is taken to be orphaned (its worker died) and may be re-claimed;
# settings.job_stale_s (default 90 s) sets it.
STALE_AFTER = timedelta(seconds=90)
HEARTBEAT_S = 5.0


def stale_after() -> timedelta:
    return timedelta(seconds=get_settings().job_stale_s)


def heartbeat_s() -> float:
    return min(HEARTBEAT_S, get_settings().job_stale_s / 3)
ACTIVE = ("queued", "running")


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


def enqueue(session: Session, plan_id: int) -> bool:
    """Queue a solve for the plan. Returns False (and changes nothing) when one is already queued or running."""
    result = session.execute(
        update(DeliveryPlan)
        .where(col(DeliveryPlan.id) == plan_id, col(DeliveryPlan.job_state).not_in(ACTIVE))
        .values(job_state="queued", job_stage=msg.JOB_STAGE_NAMES["queued"], job_error="", job_best_cost=None,
                job_started_at=None, job_finished_at=None, job_heartbeat_at=now())
    )
    session.commit()
    return result.rowcount == 1  # type: ignore[attr-defined]


def claim(session: Session) -> int | None:
    """Take the oldest waiting job (or an orphaned running one); returns its plan id."""
    taken = _claim(session)
    return taken[0] if taken else None


def _claim(session: Session) -> tuple[int, datetime] | None:
    """Take the oldest waiting job (or an orphaned running one). The UPDATE only succeeds if the row is still in
    the state we read, so when two workers race for one job exactly one of them gets it. Returns the plan id and
    the claim's start time, which is the owner's token: a worker whose job was re-claimed by another no longer
    matches it, so its progress, its result and its finish change nothing."""
    stale = now() - stale_after()
    candidates = session.exec(
        select(DeliveryPlan.id, DeliveryPlan.job_state, DeliveryPlan.job_heartbeat_at)
        .where(or_(col(DeliveryPlan.job_state) == "queued",
                   (col(DeliveryPlan.job_state) == "running") & (col(DeliveryPlan.job_heartbeat_at) < stale)))
        .order_by(col(DeliveryPlan.job_heartbeat_at), col(DeliveryPlan.id)).limit(10)
    ).all()
    for plan_id, state, beat in candidates:
        token = _take(session, plan_id or 0, state, beat)
        if token is not None:
            return plan_id or 0, token
    return None


def _take(session: Session, plan_id: int, state: str, beat: datetime | None) -> datetime | None:
    seen = col(DeliveryPlan.job_heartbeat_at).is_(None) if beat is None else col(DeliveryPlan.job_heartbeat_at) == beat
    at = now()
    result = session.execute(
        update(DeliveryPlan)
        .where(col(DeliveryPlan.id) == plan_id, col(DeliveryPlan.job_state) == state, seen)
        .values(job_state="running", job_stage=msg.JOB_STAGE_NAMES["started"], job_started_at=at,
                job_heartbeat_at=at)
    )
    session.commit()
    return at if result.rowcount == 1 else None  # type: ignore[attr-defined]


def _owned(plan_id: int, owner: datetime | None) -> list[Any]:
    """The WHERE clause of a change only the job's current owner may make (any running job when owner is None)."""
    where: list[Any] = [col(DeliveryPlan.id) == plan_id, col(DeliveryPlan.job_state) == "running"]
    if owner is not None:
        where.append(col(DeliveryPlan.job_started_at) == owner)
    return where


class LostOwnership(Exception):
    """The job was re-claimed by another worker while this one ran: its result must not be stored."""


def guard_commits(session: Session, plan_id: int, owner: datetime) -> None:
    """Every commit of the job body's session first checks, under a row lock on PostgreSQL, that this worker
    still owns the job; if not, the commit fails with LostOwnership and nothing of the body's is stored."""

    def check(s: Session) -> None:
        row = s.execute(select(DeliveryPlan.id).where(*_owned(plan_id, owner)).with_for_update()).first()
        if row is None:
            raise LostOwnership(plan_id)

    event.listen(session, "before_commit", check)


def report(session: Session, plan_id: int, stage: str, best_cost: int | None = None, *,
           owner: datetime | None = None) -> None:
    """Record progress and beat the heart; only while the job is still running (and still this owner's)."""
    values: dict[str, object] = {"job_heartbeat_at": now(), "job_stage": stage[:40]}
    if best_cost is not None:
        values["job_best_cost"] = best_cost
    session.execute(update(DeliveryPlan).where(*_owned(plan_id, owner)).values(**values))
    session.commit()


def finish(session: Session, plan_id: int, *, error: str = "", owner: datetime | None = None) -> bool:
    """Mark the job done or failed; with `owner`, only if this worker still owns it. Returns whether it did."""
    where = _owned(plan_id, owner) if owner is not None else [col(DeliveryPlan.id) == plan_id]
    result = session.execute(
        update(DeliveryPlan).where(*where)
        .values(job_state="failed" if error else "done", job_error=error[:300], job_finished_at=now(),
                job_heartbeat_at=now(),
                job_stage=msg.JOB_STAGE_NAMES["failed" if error else "done"])
    )
    session.commit()
    return result.rowcount == 1  # type: ignore[attr-defined]


def status(session: Session, plan_id: int) -> JobStatus:
    plan = session.get(DeliveryPlan, plan_id)
    if plan is None:
        return JobStatus(plan_id, "idle", "", 0, None, "")
    session.refresh(plan)
    end = plan.job_finished_at if plan.job_state in ("done", "failed") else now()
    elapsed = int((end - plan.job_started_at).total_seconds()) if plan.job_started_at and end else 0
    return JobStatus(plan_id, plan.job_state, plan.job_stage, max(elapsed, 0), plan.job_best_cost, plan.job_error)


class Heartbeat:
    """Beats a running job's heart from a thread with its own connection, so a long search with no new best
    solution is not mistaken for a dead worker."""

    def __init__(self, engine: Engine, plan_id: int, owner: datetime) -> None:
        self.engine, self.plan_id, self.owner = engine, plan_id, owner
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self.stop.wait(heartbeat_s()):
            with Session(self.engine) as s:
                s.execute(update(DeliveryPlan).where(*_owned(self.plan_id, self.owner))
                          .values(job_heartbeat_at=now()))
                s.commit()

    def __enter__(self) -> Heartbeat:
        self.thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.stop.set()
        self.thread.join(timeout=heartbeat_s() + 5)


JobBody = Callable[[Session, int, Callable[[str, int | None], None]], None]


def work_one(engine: Engine, body: JobBody) -> int | None:
    """Claim one job and run `body(session, plan_id, progress)`; returns the plan id, or None if nothing waited.
    A failure is recorded on the job in words, and the worker carries on with the next."""
    with Session(engine) as session:
        taken = _claim(session)
    if taken is None:
        return None
    plan_id, owner = taken
    last = [0.0]

    with Session(engine) as session, Heartbeat(engine, plan_id, owner):
        guard_commits(session, plan_id, owner)

        def progress(stage: str, best: int | None) -> None:
            if time.monotonic() - last[0] >= 0.5 or stage in msg.JOB_STAGE_NAMES.values():
                last[0] = time.monotonic()
                with Session(engine) as s:
                    report(s, plan_id, stage, best, owner=owner)

        try:
            body(session, plan_id, progress)
        except LostOwnership:
            session.rollback()
            log.warning("planning job %s was taken over by another worker; its result is dropped", plan_id)
            return plan_id
        except Exception as exc:  # noqa: BLE001 - any failure must reach the dispatcher, not kill the worker
            session.rollback()
            log.exception("planning job %s failed", plan_id)
            # An AppError's message is already a whole sentence with its own advice (解除锁定…): only prefixed,
            # never wrapped in the generic advice, which garbled it ("…。。请稍后再点…").
            error = (msg.JOB_REFUSED.format(detail=exc.message[:200]) if isinstance(exc, AppError)
                     else msg.JOB_FAILED.format(detail=msg.JOB_INTERNAL_ERROR.format(kind=type(exc).__name__)))
            with Session(engine) as s:
                finish(s, plan_id, error=error, owner=owner)
            return plan_id
    with Session(engine) as s:
        finish(s, plan_id, owner=owner)
    return plan_id


def run_worker(engine: Engine, body: JobBody, *, once: bool = False, poll_s: float = 1.0,
               should_stop: Callable[[], bool] = lambda: False,
               periodic: Callable[[], object] | None = None, periodic_s: float = 60.0) -> int:
    """Work through the queue; with once=True, until it is empty. Returns how many jobs ran. `periodic` (the
    district's checks) runs at start and then every `periodic_s` seconds between jobs; its failure is logged and
    does not stop the worker."""
    ran = 0
    due = time.monotonic()
    while not should_stop():
        if periodic is not None and time.monotonic() >= due:
            due = time.monotonic() + periodic_s
            try:
                periodic()
            except Exception:  # noqa: BLE001 - a failed check must not stop route planning
                log.exception("periodic checks failed")
        if work_one(engine, body) is not None:
            ran += 1
            continue
        if once:
            break
        time.sleep(poll_s)
    return ran
