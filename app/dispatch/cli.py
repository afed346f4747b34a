"""`python -m app worker [--once]` runs route-planning jobs from the database queue (any number of workers, on
any machines sharing the database); `python -m app plan --canteen ID --date D --slot lunch` plans one slot now."""

from __future__ import annotations

import argparse
import os
import signal
import socket
from datetime import date
from functools import partial
from typing import Any


def _worker(args: argparse.Namespace) -> int:
    from sqlmodel import Session

    from app import jobs
    from app.core.db import get_engine
    from app.dispatch.plan_job import run_plan_job

    stopping = [False]

    def stop(_signum: int, _frame: Any) -> None:
        stopping[0] = True

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    parent = os.getppid()

    def should_stop() -> bool:
        # Started by `serve`: stop when the site's process is gone, even if it could not say so (uvicorn
        # re-raises SIGTERM after its shutdown, which ends the parent before its cleanup runs).
        return stopping[0] or (args.with_parent and os.getppid() != parent)

    print(f"送餐路线规划进程已启动（{socket.gethostname()} pid {os.getpid()}）", flush=True)
    body = partial(run_plan_job, time_limit_s=args.time_limit)
    engine = get_engine()

    def checks() -> None:
        with Session(engine) as session:
            jobs.run_checks(session)

    ran = jobs.run_worker(engine, body, once=args.once, poll_s=args.poll, should_stop=should_stop,
                          periodic=checks, periodic_s=args.check_every)
    print(f"规划进程结束，共完成 {ran} 个任务。", flush=True)
    return 0


def _plan(args: argparse.Namespace) -> int:
    from sqlmodel import Session

    from app import jobs
    from app.core.db import get_engine
    from app.dispatch import service as dispatch
    from app.dispatch.plan_job import run_plan_job

    engine = get_engine()
    with Session(engine) as session:
        plan = dispatch.plan_for(session, args.canteen, date.fromisoformat(args.date), args.slot)
        plan_id = plan.id or 0
        if not jobs.enqueue(session, plan_id):
            print("这个送餐计划已在规划中。")
            return 1
    body = partial(run_plan_job, time_limit_s=args.time_limit)
    while jobs.work_one(engine, body) not in (plan_id, None):
        pass
    with Session(engine) as session:
        s = jobs.status(session, plan_id)
        print(f"{s.stage}：{s.error or '完成'}（用时 {s.elapsed_s} 秒）")
        return 0 if s.state == "done" else 1


def register(sub: Any) -> None:
    worker = sub.add_parser("worker", help="运行送餐路线规划进程（从数据库队列取任务）")
    worker.add_argument("--once", action="store_true", help="队列空了就退出")
    worker.add_argument("--poll", type=float, default=1.0, help="队列空时每隔几秒查一次")
    worker.add_argument("--time-limit", type=float, default=10.0, help="每次规划最多用几秒")
    worker.add_argument("--check-every", type=float, default=60.0, help="每隔几秒做一次巡查（长时间无消息、送餐超时）")
    worker.add_argument("--with-parent", action="store_true", help=argparse.SUPPRESS)
    worker.set_defaults(func=_worker)
    plan = sub.add_parser("plan", help="立即规划一个食堂某天某餐的送餐路线")
    plan.add_argument("--canteen", type=int, required=True)
    plan.add_argument("--date", required=True)
    plan.add_argument("--slot", default="lunch", choices=("breakfast", "lunch", "dinner"))
    plan.add_argument("--time-limit", type=float, default=10.0)
    plan.set_defaults(func=_plan)
