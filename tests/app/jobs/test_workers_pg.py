"""Two real worker processes on PostgreSQL share one morning's planning queue: every plan is solved and stored by
exactly one of them."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, func, select

from app import jobs
from app.core.settings import ROOT
from app.dispatch import service as dispatch
from app.models import DeliveryPlan, DeliveryRoute, DeliveryStop, now
from tests.conftest import PG_URL
from tests.factories import make_canteen, make_delivery_orders, make_driver

DAY = now().date()
PLANS = 20


@pytest.mark.postgres_only
@pytest.mark.slow
@pytest.mark.skipif(not PG_URL, reason="two worker processes share the queue through PostgreSQL's row locking")
def test_two_worker_processes_solve_and_store_each_of_twenty_plans_once(session: Session, engine: Engine) -> None:
    plan_ids = []
    for n in range(PLANS):
        canteen = make_canteen(session, name=f"第{n + 1}食堂")
        make_driver(session, canteen, DAY, name=f"师傅{n + 1}")
        make_delivery_orders(session, canteen, DAY, [(0.002, 0.0), (0.004, 0.001), (0.001, 0.003)])
        plan = dispatch.plan_for(session, canteen.id or 0, DAY, "lunch")
        assert jobs.enqueue(session, plan.id or 0)
        plan_ids.append(plan.id or 0)
    env = {**os.environ, "DATABASE_URL": engine.url.render_as_string(hide_password=False)}
    cmd = [sys.executable, "-m", "app", "worker", "--once", "--time-limit", "1", "--check-every", "3600"]

    workers = [subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                text=True) for _ in range(2)]
    outputs = [w.communicate(timeout=240)[0] for w in workers]

    ran = [int(m.group(1)) for out in outputs for m in re.finditer(r"共完成 (\d+) 个任务", out)]
    assert [w.returncode for w in workers] == [0, 0], outputs
    assert sum(ran) == PLANS, outputs
    session.expire_all()
    states = session.exec(select(DeliveryPlan.job_state).where(col(DeliveryPlan.id).in_(plan_ids))).all()
    assert states == ["done"] * PLANS
    routes = session.exec(select(DeliveryRoute.plan_id, func.count()).group_by(col(DeliveryRoute.plan_id))).all()
    assert sorted(routes) == [(pid, 1) for pid in sorted(plan_ids)]
    stops = session.exec(select(func.count()).select_from(DeliveryStop)).one()
    assert stops == 3 * PLANS


def _world(session: Session, n: int) -> int:
    canteen = make_canteen(session, name=f"第{n}食堂")
    make_driver(session, canteen, DAY, name=f"师傅{n}")
    make_delivery_orders(session, canteen, DAY, [(0.002, 0.0), (0.004, 0.001), (0.001, 0.003), (0.003, 0.004)])
    return dispatch.plan_for(session, canteen.id or 0, DAY, "lunch").id or 0


@pytest.mark.postgres_only
@pytest.mark.slow
@pytest.mark.skipif(not PG_URL, reason="worker processes share the queue through PostgreSQL")
def test_a_worker_killed_mid_solve_leaves_its_job_to_the_other_worker_which_finishes_it_once(
        session: Session, engine: Engine) -> None:
    plan_id = _world(session, 1)
    assert jobs.enqueue(session, plan_id)
    env = {**os.environ, "DATABASE_URL": engine.url.render_as_string(hide_password=False),
           "CANTEEN_JOB_STALE_S": "4"}
    base = [sys.executable, "-m", "app", "worker", "--poll", "0.2", "--check-every", "3600"]
    first = subprocess.Popen([*base, "--time-limit", "20"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while jobs.status(session, plan_id).state != "running" and time.monotonic() < deadline:
        time.sleep(0.2)
    time.sleep(2)  # well inside the 20 s solve
    killed_while = jobs.status(session, plan_id).state
    first.send_signal(signal.SIGKILL)
    first.wait(timeout=10)
    time.sleep(5)  # the dead worker's heartbeat goes stale (4 s)

    second = subprocess.run([*base, "--once", "--time-limit", "1"], cwd=ROOT, env=env, capture_output=True,
                            text=True, timeout=120)

    session.expire_all()
    plan = session.get(DeliveryPlan, plan_id)
    assert plan is not None
    assert killed_while == "running"
    assert "共完成 1 个任务" in second.stdout, second.stdout + second.stderr
    assert (plan.job_state, plan.job_error) == ("done", "")
    routes = session.exec(select(func.count()).select_from(DeliveryRoute)
                          .where(DeliveryRoute.plan_id == plan_id)).one()
    stops = session.exec(select(func.count()).select_from(DeliveryStop)).one()
    assert (routes, stops) == (1, 4)
