"""Real procrastinate worker processes on PostgreSQL share one morning's planning queue: every plan is solved and
stored by exactly one of them, a job whose worker is SIGKILLed mid-solve finishes once on the other, and a job
cancelled while it runs never stores a plan (while it ran, its worker kept beating its heart)."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, func, select

from app import jobs
from app.core.settings import ROOT
from app.dispatch import service as dispatch
from app.jobs.forkserver_guard import children_of
from app.models import Alert, DeliveryPlan, DeliveryRoute, DeliveryStop, now
from tests.conftest import PG_URL
from tests.factories import make_canteen, make_delivery_orders, make_driver

DAY = now().date()
PLANS = 20
DOORS = [(0.002, 0.0), (0.004, 0.001), (0.001, 0.003), (0.003, 0.004), (0.005, 0.002), (0.0, 0.005)]
pytestmark = [pytest.mark.postgres_only, pytest.mark.slow,
              pytest.mark.skipif(not PG_URL, reason="worker processes share procrastinate's queue in PostgreSQL")]


def _world(session: Session, n: int, doors: int = 3) -> int:
    canteen = make_canteen(session, name=f"第{n}食堂")
    make_driver(session, canteen, DAY, name=f"师傅{n}")
    make_delivery_orders(session, canteen, DAY, DOORS[:doors])
    return dispatch.plan_for(session, canteen.id or 0, DAY, "lunch").id or 0


def _env(engine: Engine, **extra: str) -> dict[str, str]:
    return {**os.environ, "DATABASE_URL": engine.url.render_as_string(hide_password=False), **extra}


def _engine_jobs(session: Session) -> list[tuple[str, str, int]]:
    """procrastinate's own record: (task, status, attempts) of every plan job."""
    rows = session.execute(text("SELECT task_name, status::text, attempts FROM procrastinate_jobs"
                                " WHERE task_name = 'canteen:plan_route' ORDER BY id")).all()
    return [(r[0], r[1], r[2]) for r in rows]


def _descendants(pid: int) -> list[int]:
    found, todo = [], [pid]
    while todo:
        kids = children_of(todo.pop())
        found += kids
        todo += kids
    return found


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def _wait_for(session: Session, plan_id: int, state: str, timeout: float = 90) -> str:
    deadline = time.monotonic() + timeout
    while (seen := jobs.status(session, plan_id).state) != state and time.monotonic() < deadline:
        time.sleep(0.2)
    return seen


def test_two_worker_processes_solve_and_store_each_of_twenty_plans_once(session: Session, engine: Engine) -> None:
    plan_ids = [_world(session, n + 1) for n in range(PLANS)]
    assert all(jobs.enqueue(session, p) for p in plan_ids)
    cmd = [sys.executable, "-m", "app", "worker", "--once", "--time-limit", "1", "--poll", "0.5"]

    workers = [subprocess.Popen(cmd, cwd=ROOT, env=_env(engine), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                text=True) for _ in range(2)]
    outputs = [w.communicate(timeout=400)[0] for w in workers]

    ran = [int(m.group(1)) for out in outputs for m in re.finditer(r"共完成 (\d+) 个规划任务", out)]
    assert [w.returncode for w in workers] == [0, 0], outputs
    assert sum(ran) == PLANS and all(ran), outputs  # both took part, together exactly twenty
    session.expire_all()
    states = session.exec(select(DeliveryPlan.job_state).where(col(DeliveryPlan.id).in_(plan_ids))).all()
    assert states == ["done"] * PLANS
    routes = session.exec(select(DeliveryRoute.plan_id, func.count()).group_by(col(DeliveryRoute.plan_id))).all()
    assert sorted(routes) == [(pid, 1) for pid in sorted(plan_ids)]
    assert session.exec(select(func.count()).select_from(DeliveryStop)).one() == 3 * PLANS
    assert _engine_jobs(session) == [("canteen:plan_route", "succeeded", 1)] * PLANS


def test_a_worker_killed_mid_solve_leaves_its_job_to_the_other_worker_which_finishes_it_once(
        session: Session, engine: Engine) -> None:
    plan_id = _world(session, 1, doors=6)
    assert jobs.enqueue(session, plan_id)
    env = _env(engine, CANTEEN_JOB_STALE_S="4")
    base = [sys.executable, "-m", "app", "worker", "--poll", "0.2"]
    first = subprocess.Popen([*base, "--time-limit", "30"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL)
    killed_while = _wait_for(session, plan_id, "running")
    time.sleep(3)  # well inside the 30 s solve
    solving = _descendants(first.pid)  # fork server, the plan child, the solver's helper
    first.send_signal(signal.SIGKILL)
    first.wait(timeout=10)
    time.sleep(5)  # the dead worker's heartbeat goes stale (4 s)
    survivors = [p for p in solving if _alive(p)]

    second = subprocess.run([*base, "--once", "--time-limit", "1"], cwd=ROOT, env=env, capture_output=True,
                            text=True, timeout=180)

    session.expire_all()
    plan = session.get(DeliveryPlan, plan_id)
    assert plan is not None
    assert killed_while == "running"
    assert len(solving) >= 3 and survivors == []  # nothing of the killed worker solves on
    assert "共完成 1 个规划任务" in second.stdout, second.stdout + second.stderr
    assert (plan.job_state, plan.job_error) == ("done", "")
    routes = session.exec(select(func.count()).select_from(DeliveryRoute).where(DeliveryRoute.plan_id == plan_id)).one()
    stops = session.exec(select(func.count()).select_from(DeliveryStop)).one()
    assert (routes, stops) == (1, 6)
    # procrastinate counts attempts as they end: the killed run and the one that finished it.
    assert _engine_jobs(session) == [("canteen:plan_route", "succeeded", 2)]


def test_a_job_cancelled_while_a_worker_solves_it_never_stores_a_plan_and_the_worker_goes_on(
        session: Session, engine: Engine) -> None:
    cancelled_plan, next_plan = _world(session, 1, doors=6), _world(session, 2)
    assert jobs.enqueue(session, cancelled_plan)
    # Heartbeat every second (stale after 3 s): a worker whose loop the solve blocked would miss it.
    worker = subprocess.Popen([sys.executable, "-m", "app", "worker", "--poll", "0.2", "--time-limit", "30"],
                              cwd=ROOT, env=_env(engine, CANTEEN_JOB_STALE_S="3"), stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True)
    try:
        running = _wait_for(session, cancelled_plan, "running")
        time.sleep(4)
        beat_age = session.execute(text("SELECT EXTRACT(EPOCH FROM now() - max(last_heartbeat))"
                                        " FROM procrastinate_workers")).scalar_one()
        session.rollback()
        cancelled = jobs.cancel(session, cancelled_plan)
        assert jobs.enqueue(session, next_plan)
        next_state = _wait_for(session, next_plan, "done", timeout=120)
    finally:
        worker.send_signal(signal.SIGTERM)
        out = worker.communicate(timeout=60)[0]

    session.expire_all()
    assert (running, cancelled, next_state) == ("running", True, "done"), out
    assert float(beat_age) < 2.5  # the worker beat its heart during the solve (it runs in a child)
    assert jobs.status(session, cancelled_plan).state == "cancelled"
    assert session.exec(select(func.count()).select_from(DeliveryRoute)
                        .where(DeliveryRoute.plan_id == cancelled_plan)).one() == 0
    statuses = [s for _t, s, _a in _engine_jobs(session)]
    assert statuses == ["aborted", "succeeded"]


def test_two_workers_run_the_scheduled_checks_each_tick_once_and_raise_each_alert_once(
        session: Session, engine: Engine) -> None:
    _world(session, 1)  # today's delivery lunch: its cutoff (yesterday 17:00) has passed
    env = _env(engine, CANTEEN_CHECK_CRON="* * * * * */2")  # every two seconds (six fields: seconds last)
    cmd = [sys.executable, "-m", "app", "worker", "--poll", "0.2"]
    workers = [subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
               for _ in range(2)]
    time.sleep(25)  # start-up, then several ticks
    for w in workers:
        w.send_signal(signal.SIGTERM)
    for w in workers:
        w.wait(timeout=60)

    ticks = session.execute(text("SELECT args->>'timestamp', status::text FROM procrastinate_jobs"
                                 " WHERE task_name = 'canteen:district_checks'")).all()
    alerts = session.exec(select(Alert.kind, Alert.canteen_id)).all()
    assert len(ticks) >= 3
    assert len({t for t, _ in ticks}) == len(ticks)  # each tick deferred once, though two workers schedule
    assert {s for _, s in ticks} <= {"succeeded", "todo", "doing", "aborted", "cancelled"}
    assert sum(1 for _, s in ticks if s == "succeeded") >= 2
    assert [kind for kind, _ in alerts] == ["cutoff"]  # raised by the first tick, never again
