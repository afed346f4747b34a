"""`python -m app worker`: one worker process, on PostgreSQL a procrastinate worker, on SQLite the local runner.

On PostgreSQL the worker beats its heart in procrastinate's `procrastinate_workers` table every third of
CANTEEN_JOB_STALE_S, from its event loop, which the solve never blocks (it runs in a child process). Every worker
also looks for stalled jobs (running on a worker whose heartbeat is older than CANTEEN_JOB_STALE_S) and hands them
back to the queue, once at start and then every half stale period; a plan job interrupted that way counts as an
attempt, and past CANTEEN_JOB_MAX_ATTEMPTS it is given up (app.jobs.plans.take).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
from collections.abc import Callable

import procrastinate

from app.core.settings import get_settings
from app.jobs import child, engine, local, tasks

log = logging.getLogger(__name__)


def run_worker(*, once: bool = False, poll_s: float = 1.0, time_limit_s: float = 10.0,
               check_every: float = 300.0, should_stop: Callable[[], bool] = lambda: False) -> int:
    """Run until stopped (with once=True, until the queue is empty); returns how many plan jobs it finished."""
    tasks.Runtime.time_limit_s = time_limit_s
    child.warm_up()
    url = get_settings().database_url
    if not url.startswith("postgresql"):
        return local.run_local(once=once, poll_s=poll_s, check_every=check_every, should_stop=should_stop)
    before = tasks.Runtime.finished
    asyncio.run(_run_procrastinate(engine.make_app(url, tasks.bp), once=once, poll_s=poll_s,
                                   should_stop=should_stop))
    return tasks.Runtime.finished - before


async def recover_stalled(app: procrastinate.App, stale_s: float) -> int:
    """Put the jobs of dead workers back in the queue; two workers doing it at once is harmless (the second
    finds the job no longer running)."""
    stalled = await app.job_manager.get_stalled_jobs(seconds_since_heartbeat=stale_s)
    count = 0
    for job in stalled:
        try:
            await app.job_manager.retry_job(job)
            count += 1
        except Exception:  # noqa: BLE001 - another worker recovered it first
            log.info("stalled job %s was recovered elsewhere", job.id)
    if count:
        log.warning("handed %s stalled job(s) back to the queue", count)
    return count


async def _run_procrastinate(app: procrastinate.App, *, once: bool, poll_s: float,
                             should_stop: Callable[[], bool]) -> None:
    stale = float(get_settings().job_stale_s)
    async with app.open_async():
        await recover_stalled(app, stale)
        worker = asyncio.create_task(app.run_worker_async(
            wait=not once, concurrency=1, name=f"{socket.gethostname()}-{os.getpid()}",
            update_heartbeat_interval=stale / 3, stalled_worker_timeout=stale, fetch_job_polling_interval=poll_s,
            install_signal_handlers=False))
        try:
            while not worker.done():
                await asyncio.wait({worker}, timeout=min(stale / 2, 5.0))
                if should_stop():
                    worker.cancel()
                    break
                await recover_stalled(app, stale)
        finally:
            with contextlib.suppress(asyncio.CancelledError):
                await worker
