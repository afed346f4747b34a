"""`python -m app worker [--once]` runs the background tasks (route planning, the periodic checks): on PostgreSQL a
procrastinate worker (run as many as you like, on any machines sharing the database), on SQLite the local runner.
`python -m app checks [--at ISO]` runs the periodic checks once, now or for a given moment."""

from __future__ import annotations

import argparse
import os
import signal
import socket
from datetime import datetime
from typing import Any


def _worker(args: argparse.Namespace) -> int:
    from app import jobs

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

    print(f"后台任务进程已启动（{socket.gethostname()} pid {os.getpid()}）", flush=True)
    ran = jobs.run_worker(once=args.once, poll_s=args.poll, time_limit_s=args.time_limit,
                          check_every=args.check_every, should_stop=should_stop)
    print(f"后台任务进程结束，共完成 {ran} 个规划任务。", flush=True)
    return 0


def _checks(args: argparse.Namespace) -> int:
    from sqlmodel import Session

    from app import jobs
    from app.core.db import get_engine
    from app.core.settings import TZ

    at = datetime.fromisoformat(args.at).replace(tzinfo=TZ) if args.at else None
    with Session(get_engine()) as session:
        r = jobs.run_checks(session, at)
    print(f"巡查完成：长时间无消息 {r.silent}，送餐超时 {r.overdue}，截单提醒 {r.cutoff}，证明到期 {r.evidence}。")
    return 0


def register(sub: Any) -> None:
    worker = sub.add_parser("worker", help="运行后台任务进程（路线规划、定时巡查）")
    worker.add_argument("--once", action="store_true", help="队列空了就退出")
    worker.add_argument("--poll", type=float, default=1.0, help="队列空时每隔几秒查一次")
    worker.add_argument("--time-limit", type=float, default=10.0, help="每次规划最多用几秒")
    worker.add_argument("--check-every", type=float, default=300.0,
                        help="SQLite 上每隔几秒巡查一次（PostgreSQL 上由 CANTEEN_CHECK_CRON 定时）")
    worker.add_argument("--with-parent", action="store_true", help=argparse.SUPPRESS)
    worker.set_defaults(func=_worker)
    checks = sub.add_parser("checks", help="立即做一次巡查（长时间无消息、送餐超时、截单、证明到期）")
    checks.add_argument("--at", default="", help="按这个时刻巡查，如 2026-12-03T09:00（默认现在）")
    checks.set_defaults(func=_checks)
