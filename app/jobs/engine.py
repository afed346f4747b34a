"""The job engine: procrastinate (3.10) on PostgreSQL; nothing on the SQLite default, whose local runner takes the
work straight from the rows that say it waits (app.jobs.local).

Deferring writes procrastinate's job through our own SQLAlchemy session, with procrastinate's own SQL function
(`procrastinate_defer_jobs_v1`, what its job manager calls), so the job exists exactly when the row change that
asked for it commits: a rolled-back click leaves no job behind, and a committed one always has its job.
"""

from __future__ import annotations

import json
from typing import Any

import procrastinate
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

NAMESPACE = "canteen"
QUEUE = "default"


def is_postgres(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def task_name(name: str) -> str:
    """The name procrastinate knows a task by (a blueprint's tasks get the namespace in front)."""
    return f"{NAMESPACE}:{name}"


def defer(session: Session, name: str, args: dict[str, Any], *, lock: str | None = None,
          queueing_lock: str | None = None) -> int | None:
    """Defer task `name` inside the session's transaction; returns procrastinate's job id (None on SQLite, or when
    a job with the same queueing lock is already waiting, which then does the work)."""
    if not is_postgres(session):
        return None
    try:
        with session.begin_nested():
            return int(session.execute(text(
                "SELECT unnest(procrastinate_defer_jobs_v1(ARRAY[ROW(:queue, :task, 0, :lock, :qlock,"
                " CAST(:args AS jsonb), NULL)::procrastinate_job_to_defer_v1]))"),
                {"queue": QUEUE, "task": task_name(name), "lock": lock, "qlock": queueing_lock,
                 "args": json.dumps(args)}).scalar_one())
    except IntegrityError:
        return None


def cancel(session: Session, job_id: int) -> None:
    """Cancel a waiting job, or ask a running one to abort (its task checks `context.should_abort()`)."""
    if is_postgres(session):
        session.execute(text("SELECT procrastinate_cancel_job_v1(:id, true, false)"), {"id": job_id})


def conninfo(database_url: str) -> str:
    """SQLAlchemy's URL (postgresql+psycopg://...) as the libpq connection string psycopg's pool wants."""
    return make_url(database_url).set(drivername="postgresql").render_as_string(hide_password=False)


def make_app(database_url: str, blueprint: procrastinate.Blueprint) -> procrastinate.App:
    connector = procrastinate.PsycopgConnector(conninfo=conninfo(database_url), min_size=1, max_size=4)
    app = procrastinate.App(connector=connector)
    app.add_tasks_from(blueprint, namespace=NAMESPACE)
    return app
