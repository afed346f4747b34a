"""Two real worker processes on PostgreSQL share one morning's planning queue: every plan is solved and stored by
exactly one of them."""

from __future__ import annotations

import os
import re
import subprocess
import sys

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
