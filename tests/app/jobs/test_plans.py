"""A plan job's life on its row, and the SQLite local runner: a second click queues nothing, a cancelled job never
stores a plan (queued or mid-solve), a run that lost its job stores nothing, expiry and the attempt cap give up,
and `python -m app worker --once` drains the queue (picking up a plan a killed worker left running) and runs the
periodic checks."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import update
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, func, select

from app import jobs
from app.core import messages as msg
from app.core.settings import ROOT
from app.dispatch import service as dispatch
from app.jobs import child, plans
from app.models import Alert, DeliveryPlan, DeliveryRoute, DeliveryStop, now
from tests.conftest import PG_URL
from tests.factories import make_canteen, make_delivery_orders, make_driver

DAY = now().date()
DOORS = [(0.002, 0.0), (0.004, 0.001), (0.001, 0.003), (0.003, 0.004), (0.005, 0.002), (0.0, 0.005)]


def _plan(session: Session, n: int = 1, doors: int = 3) -> int:
    canteen = make_canteen(session, name=f"第{n}食堂")
    make_driver(session, canteen, DAY, name=f"师傅{n}")
    make_delivery_orders(session, canteen, DAY, DOORS[:doors])
    return dispatch.plan_for(session, canteen.id or 0, DAY, "lunch").id or 0


def _routes(session: Session, plan_id: int) -> int:
    return session.exec(select(func.count()).select_from(DeliveryRoute).where(DeliveryRoute.plan_id == plan_id)).one()


def _wait_for(session: Session, plan_id: int, state: str, timeout: float = 60) -> str:
    deadline = time.monotonic() + timeout
    while (seen := jobs.status(session, plan_id).state) != state and time.monotonic() < deadline:
        time.sleep(0.1)
    return seen


def test_a_second_click_while_queued_or_running_starts_nothing_new(session: Session) -> None:
    plan_id = _plan(session)

    first, second = jobs.enqueue(session, plan_id), jobs.enqueue(session, plan_id)
    owner = plans.take(session, plan_id)
    while_running = jobs.enqueue(session, plan_id)

    assert (first, second, while_running) == (True, False, False)
    assert owner is not None
    assert jobs.status(session, plan_id).state == "running"


def test_a_queued_job_cancelled_never_runs_and_stores_nothing(session: Session, engine: Engine) -> None:
    plan_id = _plan(session)
    jobs.enqueue(session, plan_id)

    cancelled = jobs.cancel(session, plan_id)
    ran = jobs.drain(engine, time_limit_s=1.0, deterministic=True, in_child=False)

    assert (cancelled, ran) == (True, 0)
    assert jobs.status(session, plan_id).state == "cancelled"
    assert jobs.status(session, plan_id).stage == "规划已取消"
    assert _routes(session, plan_id) == 0
    assert jobs.cancel(session, plan_id) is False  # nothing left to cancel


def _when_searching(session: Session, plan_id: int, within_s: float = 60) -> Any:
    """The status once the child is into its search (starting a child on a loaded machine takes seconds)."""
    deadline = time.monotonic() + within_s
    while True:
        session.expire_all()
        status = jobs.status(session, plan_id)
        if status.stage == "正在寻找更短的路线" or time.monotonic() > deadline:
            return status
        time.sleep(0.3)


def test_progress_reaches_the_page_from_the_child_and_a_cancel_mid_solve_stores_nothing(session: Session, engine: Engine) -> None:
    plan_id = _plan(session, doors=6)
    jobs.enqueue(session, plan_id, defer=False)
    owner = plans.take(session, plan_id)
    assert owner is not None
    url = engine.url.render_as_string(hide_password=False)
    outcome: list[str] = []
    runner = threading.Thread(target=lambda: outcome.append(child.run_watched(url, plan_id, owner, time_limit_s=30)))
    runner.start()
    midway = _when_searching(session, plan_id)  # what the page polls, written by the child

    cancelled = jobs.cancel(session, plan_id)
    started = time.monotonic()
    runner.join(timeout=30)

    assert (midway.state, midway.stage) == ("running", "正在寻找更短的路线")
    assert midway.best_cost is not None and midway.best_cost > 0
    assert cancelled is True
    assert outcome == ["stopped"]
    assert time.monotonic() - started < 5  # the watcher kills the child within its half-second look
    session.expire_all()
    assert jobs.status(session, plan_id).state == "cancelled"
    assert _routes(session, plan_id) == 0


def test_a_run_that_lost_its_job_to_another_run_stores_nothing(session: Session, engine: Engine) -> None:
    plan_id = _plan(session)
    jobs.enqueue(session, plan_id, defer=False)
    stale = plans.take(session, plan_id)
    fresh = plans.take(session, plan_id, attempts=1)  # the engine gave the job to another worker
    assert stale is not None and fresh is not None

    child.run_body(engine, plan_id, stale, time_limit_s=1.0, deterministic=True)
    after_stale = (jobs.status(session, plan_id).state, _routes(session, plan_id))
    child.run_body(engine, plan_id, fresh, time_limit_s=1.0, deterministic=True)

    session.expire_all()
    assert after_stale == ("running", 0)
    assert (jobs.status(session, plan_id).state, _routes(session, plan_id)) == ("done", 1)


def test_a_job_waiting_too_long_or_interrupted_too_often_is_given_up_in_words(session: Session) -> None:
    old, crashing = _plan(session, 1), _plan(session, 2)
    jobs.enqueue(session, old)
    jobs.enqueue(session, crashing)
    session.execute(update(DeliveryPlan).where(col(DeliveryPlan.id) == old)
                    .values(job_queued_at=now() - timedelta(hours=3)))
    session.commit()

    taken = (plans.take(session, old), plans.take(session, crashing, attempts=3))

    assert taken == (None, None)
    assert (jobs.status(session, old).state, jobs.status(session, old).error) == ("failed", msg.JOB_EXPIRED)
    assert jobs.status(session, crashing).error == "规划进程中断了 3 次，已停止重试，请联系技术支持"


def test_the_dispatch_page_polls_progress_and_offers_cancel_while_a_solve_runs(
        session: Session, client: object, login: object) -> None:
    from bs4 import BeautifulSoup

    from tests.factories import make_user

    plan_id = _plan(session)
    plan = session.get(DeliveryPlan, plan_id)
    assert plan is not None
    make_user(session, ("dispatcher", plan.canteen_id), phone="13900003333")
    login("13900003333")  # type: ignore[operator]
    jobs.enqueue(session, plan_id)
    owner = plans.take(session, plan_id)
    assert owner is not None
    plans.report(session, plan_id, owner, "正在寻找更短的路线", 1260)

    polled = client.get(f"/dispatch/plan/{plan_id}/job").json()  # type: ignore[attr-defined]
    page = BeautifulSoup(client.get(f"/dispatch?canteen={plan.canteen_id}&day={DAY}&slot=lunch").text,  # type: ignore[attr-defined]
                         "html.parser")

    assert (polled["state"], polled["stage"], polled["best_cost"], polled["active"]) == (
        "running", "正在寻找更短的路线", 1260, True)
    assert page.select_one("[data-cancel-job]") is not None
    assert page.select_one("[data-solve]").has_attr("disabled")  # type: ignore[union-attr]


def _worker_env(engine: Engine) -> dict[str, str]:
    return {**os.environ, "DATABASE_URL": engine.url.render_as_string(hide_password=False)}


@pytest.mark.skipif(bool(PG_URL), reason="on PostgreSQL the worker is procrastinate's: test_workers_pg.py")
def test_the_local_runner_drains_the_queue_and_picks_up_a_plan_a_killed_worker_left_running(
        session: Session, engine: Engine) -> None:
    queued, orphan = _plan(session, 1), _plan(session, 2)
    jobs.enqueue(session, queued)
    jobs.enqueue(session, orphan)
    assert plans.take(session, orphan) is not None  # its worker died mid-solve

    done = subprocess.run([sys.executable, "-m", "app", "worker", "--once", "--time-limit", "1"], cwd=ROOT,
                          env=_worker_env(engine), capture_output=True, text=True, timeout=180)

    session.expire_all()
    assert "共完成 2 个规划任务" in done.stdout, done.stdout + done.stderr
    assert [jobs.status(session, p).state for p in (queued, orphan)] == ["done", "done"]
    assert (_routes(session, queued), _routes(session, orphan)) == (1, 1)
    assert session.exec(select(func.count()).select_from(DeliveryStop)).one() == 6
    # The runner ran the periodic checks too: each canteen's lunch cutoff (yesterday 17:00) has passed.
    assert sorted(session.exec(select(Alert.kind, Alert.canteen_id)).all()) == sorted(
        ("cutoff", p.canteen_id) for p in session.exec(select(DeliveryPlan)).all())
