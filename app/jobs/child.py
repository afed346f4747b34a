"""Run a plan job's body in a child process, so the worker stays responsive while OR-Tools holds the GIL.

The worker (parent) only watches: every half second it checks that the child lives and that its run still owns
the job; a cancel (the row's state) or an abort request (procrastinate's) ends the child with SIGKILL. The child
opens its own database connections and writes its progress and result itself, each write guarded by the run's
owner token (app.jobs.plans). A child whose worker is SIGKILLed dies with it, and so does the solver's own helper
process (app.jobs.forkserver_guard, on Linux); were one to live on, its token no longer owns the job once the
engine has handed the job to another worker, so it could store nothing.
"""

from __future__ import annotations

import ctypes
import importlib
import logging
import multiprocessing
import multiprocessing.process
import os
import signal
import sys
import time
from collections.abc import Callable
from functools import lru_cache
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session

from app.core import messages as msg
from app.core.db import make_engine
from app.core.errors import AppError
from app.jobs import plans

log = logging.getLogger(__name__)

# What a plan job runs: dispatch's body, named by path so this package does not import the dispatch area (which
# imports it): body(session, plan_id, progress, time_limit_s=...), committing its result once.
PLAN_BODY = "app.dispatch.plan_job:run_plan_job"
WATCH_S = 0.5
PROGRESS_EVERY_S = 0.5


def run_watched(database_url: str, plan_id: int, owner: str, *, time_limit_s: float, deterministic: bool = False,
                should_abort: Callable[[], bool] = lambda: False, body: str = PLAN_BODY) -> str:
    """Run the body in a child and wait for it. Returns "finished" (the child ended by itself: done or failed,
    as it recorded) or "stopped" (cancelled, aborted or taken over: the child was killed)."""
    ctx = _context()
    # Not a daemon: the solver may start its own helper process (routing's portfolio), which daemons may not.
    child = ctx.Process(target=child_main, args=(database_url, body, plan_id, owner, time_limit_s, deterministic,
                                                 os.getpid()))
    child.start()
    watcher = make_engine(database_url)
    try:
        while child.is_alive():
            child.join(WATCH_S)
            if child.is_alive() and (should_abort() or not _still_owns(watcher, plan_id, owner)):
                _kill_group(child)
                return "stopped"
        if child.exitcode != 0:
            # The child died without recording why (killed by the kernel, out of memory): say so on the job.
            with Session(watcher) as s:
                plans.finish(s, plan_id, owner, error=msg.JOB_FAILED.format(
                    detail=msg.JOB_INTERNAL_ERROR.format(kind=f"exit {child.exitcode}")))
        return "finished"
    finally:
        watcher.dispose()


@lru_cache
def _context() -> Any:
    """Children come from a fork server that imported the planner once (OR-Tools and the app take seconds to
    import; a fresh interpreter per job would add that to every solve). The server is forked from nothing but
    itself, so a child never inherits the worker's threads, event loop or connections."""
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("spawn")
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(["app.jobs.forkserver_guard", PLAN_BODY.split(":")[0]])
    return ctx


def warm_up() -> None:
    """Start the fork server (and its imports) now, at worker start, rather than in the first job's time."""
    probe = _context().Process(target=_noop)
    probe.start()
    probe.join()


def _noop() -> None:
    return None


def _kill_group(child: multiprocessing.process.BaseProcess) -> None:
    """The child leads its own process group, which holds the solver's helper process too: end them all."""
    try:
        os.killpg(child.pid or 0, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        child.kill()
    child.join()


def _still_owns(engine: Engine, plan_id: int, owner: str) -> bool:
    with Session(engine) as s:
        return plans.owns(s, plan_id, owner)


def _die_with_parent(parent: int) -> None:
    """Lead a process group of our own, so whoever ends this child ends the solver's helper process too: the
    watcher on a cancel, the fork server when the worker dies (app.jobs.forkserver_guard). Should the fork server
    go first, Linux sends us SIGTERM (PR_SET_PDEATHSIG) and the handler kills the group, once Python runs again."""
    os.setsid()
    signal.signal(signal.SIGTERM, lambda _s, _f: os.killpg(0, signal.SIGKILL))
    if sys.platform.startswith("linux"):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    try:
        os.kill(parent, 0)  # the worker died before we asked to be told?
    except ProcessLookupError:
        os.killpg(0, signal.SIGKILL)


def _load(path: str) -> Callable[..., None]:
    module, name = path.split(":")
    body: Callable[..., None] = getattr(importlib.import_module(module), name)
    return body


def child_main(database_url: str, body_path: str, plan_id: int, owner: str, time_limit_s: float,
               deterministic: bool, parent: int) -> None:
    _die_with_parent(parent)
    engine = make_engine(database_url)  # a fresh process: its own connections, none of the worker's
    try:
        run_body(engine, plan_id, owner, time_limit_s=time_limit_s, deterministic=deterministic, body=body_path)
    finally:
        engine.dispose()


def run_body(engine: Engine, plan_id: int, owner: str, *, time_limit_s: float, deterministic: bool = False,
             body: str = PLAN_BODY) -> None:
    """The child's work (tests and the CLI may also call it in their own process): the body under the owner's
    guard, progress and failure recorded on the job."""
    run = _load(body)
    last = [0.0]

    def progress(stage: str, best: int | None) -> None:
        if time.monotonic() - last[0] >= PROGRESS_EVERY_S or stage in msg.JOB_STAGE_NAMES.values():
            last[0] = time.monotonic()
            with Session(engine) as s:
                plans.report(s, plan_id, owner, stage, best)

    with Session(engine) as session:
        plans.guard_result(session, plan_id, owner)
        try:
            run(session, plan_id, progress, time_limit_s=time_limit_s, deterministic=deterministic)
        except plans.LostOwnership:
            session.rollback()
            log.warning("planning job %s was cancelled or taken over; its result is dropped", plan_id)
            return
        except Exception as exc:  # noqa: BLE001 - any failure must reach the dispatcher in words
            session.rollback()
            log.exception("planning job %s failed", plan_id)
            # An AppError's message is already a whole sentence with its own advice (解除锁定…): only prefixed,
            # never wrapped in the generic advice, which garbled it ("…。。请稍后再点…").
            error = (msg.JOB_REFUSED.format(detail=exc.message[:200]) if isinstance(exc, AppError)
                     else msg.JOB_FAILED.format(detail=msg.JOB_INTERNAL_ERROR.format(kind=type(exc).__name__)))
            with Session(engine) as s:
                plans.finish(s, plan_id, owner, error=error)
            return
    with Session(engine) as s:
        plans.finish(s, plan_id, owner)  # a body with nothing to store; after a stored result this changes nothing
