"""The planning queue lives in the database: enqueue is idempotent, a claim is atomic, orphans are re-claimed."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import update
from sqlalchemy.engine import Engine
from sqlmodel import Session, col

from app.dispatch import service as dispatch
from app.jobs import queue as jobs
from app.models import DeliveryPlan, now
from tests.conftest import PG_URL
from tests.factories import make_canteen

DAY = now().date()


def _plan(session: Session) -> int:
    canteen = make_canteen(session)
    return dispatch.plan_for(session, canteen.id or 0, DAY, "lunch").id or 0


def test_a_second_click_while_queued_does_not_queue_a_second_solve(session: Session) -> None:
    plan_id = _plan(session)

    first, second = jobs.enqueue(session, plan_id), jobs.enqueue(session, plan_id)

    assert (first, second) == (True, False)
    assert jobs.status(session, plan_id).state == "queued"


def test_a_click_while_running_changes_nothing_and_after_it_finishes_queues_again(session: Session) -> None:
    plan_id = _plan(session)
    jobs.enqueue(session, plan_id)
    claimed = jobs.claim(session)

    while_running = jobs.enqueue(session, plan_id)
    jobs.finish(session, plan_id)
    after = jobs.enqueue(session, plan_id)

    assert claimed == plan_id
    assert (while_running, after) == (False, True)


def test_only_one_of_two_claims_gets_a_job(session: Session, engine: Engine) -> None:
    plan_id = _plan(session)
    jobs.enqueue(session, plan_id)

    with Session(engine) as other:
        first, second = jobs.claim(session), jobs.claim(other)

    assert (first, second) == (plan_id, None)
    assert jobs.status(session, plan_id).state == "running"


def test_a_running_job_whose_worker_stopped_beating_is_claimed_again(session: Session) -> None:
    plan_id = _plan(session)
    jobs.enqueue(session, plan_id)
    jobs.claim(session)
    session.execute(
        update(DeliveryPlan)
        .where(col(DeliveryPlan.id) == plan_id)
        .values(job_heartbeat_at=now() - jobs.STALE_AFTER - timedelta(seconds=1))
    )
    session.commit()

    reclaimed = jobs.claim(session)

    assert reclaimed == plan_id


def test_a_fresh_running_job_is_not_taken_by_another_worker(session: Session) -> None:
    plan_id = _plan(session)
    jobs.enqueue(session, plan_id)
    jobs.claim(session)

    again = jobs.claim(session)

    assert again is None


def test_progress_records_stage_and_best_cost_and_finish_records_the_failure(session: Session) -> None:
    plan_id = _plan(session)
    jobs.enqueue(session, plan_id)
    jobs.claim(session)

    jobs.report(session, plan_id, "正在寻找更短的路线", 1234)
    during = jobs.status(session, plan_id)
    jobs.finish(session, plan_id, error="规划没有完成：测试")
    after = jobs.status(session, plan_id)

    assert (during.state, during.stage, during.best_cost) == ("running", "正在寻找更短的路线", 1234)
    assert (after.state, after.error, after.active) == ("failed", "规划没有完成：测试", False)


@pytest.mark.postgres_only
@pytest.mark.skipif(
    not PG_URL, reason="concurrent claims need PostgreSQL's row locking; CI runs this on PostgreSQL"
)
def test_eight_workers_racing_for_three_jobs_take_each_exactly_once(session: Session, engine: Engine) -> None:
    plan_ids = [_plan(session) for _ in range(3)]
    for plan_id in plan_ids:
        jobs.enqueue(session, plan_id)
    taken: list[int] = []
    lock = threading.Lock()

    def worker() -> None:
        with Session(engine) as s:
            while (got := jobs.claim(s)) is not None:
                with lock:
                    taken.append(got)

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert sorted(taken) == sorted(plan_ids)


def test_a_worker_whose_job_was_taken_over_stores_nothing_and_does_not_finish_it(
        session: Session, engine: Engine) -> None:
    plan_id = _plan(session)
    jobs.enqueue(session, plan_id)
    taken_over: list[int | None] = []

    def stuck_body(body_session: Session, pid: int, progress: object) -> None:
        # While this worker was stuck, its heartbeat went stale and a second worker claimed the job.
        with Session(engine) as other:
            other.execute(update(DeliveryPlan).where(col(DeliveryPlan.id) == pid)
                          .values(job_heartbeat_at=now() - jobs.STALE_AFTER - timedelta(seconds=1)))
            other.commit()
            taken_over.append(jobs.claim(other))
        plan = body_session.get(DeliveryPlan, pid)
        assert plan is not None
        plan.total_travel_s = 999
        body_session.add(plan)
        body_session.commit()

    ran = jobs.work_one(engine, stuck_body)

    with Session(engine) as fresh:
        plan = fresh.get(DeliveryPlan, plan_id)
        assert plan is not None
        assert (ran, taken_over) == (plan_id, [plan_id])
        assert (plan.total_travel_s, plan.job_state, plan.job_error) == (0, "running", "")


def test_the_owner_finishes_its_own_job(session: Session, engine: Engine) -> None:
    plan_id = _plan(session)
    jobs.enqueue(session, plan_id)

    def body(body_session: Session, pid: int, progress: object) -> None:
        plan = body_session.get(DeliveryPlan, pid)
        assert plan is not None
        plan.total_travel_s = 120
        body_session.add(plan)
        body_session.commit()

    jobs.work_one(engine, body)

    with Session(engine) as fresh:
        plan = fresh.get(DeliveryPlan, plan_id)
        assert plan is not None
        assert (plan.total_travel_s, plan.job_state) == (120, "done")
