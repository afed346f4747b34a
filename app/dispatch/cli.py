"""`python -m app plan --canteen ID --date D --slot lunch` plans one slot now, in this process (the same run as a
worker's, solve in a child process); the worker itself is `python -m app worker` (app/jobs/cli.py)."""

from __future__ import annotations

import argparse
from datetime import date
from typing import Any


def _plan(args: argparse.Namespace) -> int:
    from sqlmodel import Session

    from app import jobs
    from app.core.db import get_engine
    from app.dispatch import service as dispatch

    engine = get_engine()
    with Session(engine) as session:
        plan = dispatch.plan_for(session, args.canteen, date.fromisoformat(args.date), args.slot)
        plan_id = plan.id or 0
        if not jobs.enqueue(session, plan_id, defer=False):
            print("这个送餐计划已在规划中。")
            return 1
    jobs.run_plan(plan_id, time_limit_s=args.time_limit)
    with Session(engine) as session:
        s = jobs.status(session, plan_id)
        print(f"{s.stage}：{s.error or '完成'}（用时 {s.elapsed_s} 秒）")
        return 0 if s.state == "done" else 1


def register(sub: Any) -> None:
    plan = sub.add_parser("plan", help="立即规划一个食堂某天某餐的送餐路线")
    plan.add_argument("--canteen", type=int, required=True)
    plan.add_argument("--date", required=True)
    plan.add_argument("--slot", default="lunch", choices=("breakfast", "lunch", "dinner"))
    plan.add_argument("--time-limit", type=float, default=10.0)
    plan.set_defaults(func=_plan)
