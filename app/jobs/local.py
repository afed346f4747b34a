"""The SQLite default's local runner: the worker process of `make run` calls the same task functions as
procrastinate would, taking the work from the rows that say it waits.

Why not procrastinate's in-memory connector: its queue lives in one process's memory, and the click that queues a
plan happens in the web process while the solve runs in the worker process, so nothing would ever arrive; it is a
test double, not a runner. SQLite is one machine's embedded database, so there is one worker: it runs one plan at a
time (in a child process, as on PostgreSQL), picks up at start any plan left running by a worker that was killed,
and runs the periodic checks itself every `check_every` seconds. Cancel, owner tokens, expiry and the attempt cap
are the same code as on PostgreSQL (app.jobs.plans); only the delivery differs.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from sqlalchemy.engine import Engine
from sqlmodel import Session

from app.core.db import make_engine
from app.core.settings import get_settings
from app.jobs import child, files, plans, tasks
from app.models import now

log = logging.getLogger(__name__)


def _waiting(engine: Engine, lister: Callable[..., list[int]], *, include_running: bool) -> list[int]:
    """The ids `lister` (plans.waiting or files.waiting_files) finds, oldest first."""
    with Session(engine) as session:
        return lister(session, include_running=include_running)


def run_local(*, once: bool = False, poll_s: float = 1.0, check_every: float = 300.0,
              should_stop: Callable[[], bool] = lambda: False) -> int:
    """Work until stopped (with once=True, until nothing waits); returns how many plan jobs this runner finished.
    A plan interrupted by a killed runner counts as one more attempt when it is picked up again."""
    engine = make_engine(get_settings().database_url)  # one engine for the polling, not one per poll
    try:
        return _run(engine, once=once, poll_s=poll_s, check_every=check_every, should_stop=should_stop)
    finally:
        engine.dispose()


def _run(engine: Engine, *, once: bool, poll_s: float, check_every: float, should_stop: Callable[[], bool]) -> int:
    finished_before = tasks.Runtime.finished
    due = time.monotonic()
    plan_ids, file_ids = plans.waiting, files.waiting_files
    orphans = set(_waiting(engine, plan_ids, include_running=True)) - set(
        _waiting(engine, plan_ids, include_running=False))
    file_orphans = set(_waiting(engine, file_ids, include_running=True)) - set(
        _waiting(engine, file_ids, include_running=False))
    while not should_stop():
        if time.monotonic() >= due:
            due = time.monotonic() + check_every
            _checks()
        waiting = _waiting(engine, plan_ids, include_running=bool(orphans))
        if waiting:
            plan_id = waiting[0]
            tasks.run_plan(plan_id, attempts=1 if plan_id in orphans else 0)
            orphans.discard(plan_id)
            continue
        files_waiting = _waiting(engine, file_ids, include_running=bool(file_orphans))
        if files_waiting:
            tasks.run_file(files_waiting[0], attempts=1 if files_waiting[0] in file_orphans else 0)
            file_orphans.discard(files_waiting[0])
            continue
        orphans.clear()
        file_orphans.clear()
        if once:
            break
        time.sleep(poll_s)
    return tasks.Runtime.finished - finished_before


def _checks() -> None:
    try:
        tasks.run_district_checks(now())
    except Exception:  # noqa: BLE001 - a failed check must not stop route planning
        log.exception("periodic checks failed")


def drain(engine: Engine, *, time_limit_s: float = 1.0, deterministic: bool = False, in_child: bool = True) -> int:
    """Run every queued plan job now, oldest first, until none is queued; returns how many ran. For the CLI and
    tests (in_child=False runs the body in this process, the same code the child runs)."""
    ran = 0
    while True:
        with Session(engine) as session:
            waiting = plans.waiting(session, include_running=False)
            owner = plans.take(session, waiting[0]) if waiting else None
        if not waiting:
            return ran
        if owner is None:
            continue
        if in_child:
            child.run_watched(engine.url.render_as_string(hide_password=False), waiting[0], owner,
                              time_limit_s=time_limit_s, deterministic=deterministic)
        else:
            child.run_body(engine, waiting[0], owner, time_limit_s=time_limit_s, deterministic=deterministic)
        ran += 1
