"""Engine and per-request sessions. A session never commits by itself: services commit once."""

from __future__ import annotations

from collections.abc import AsyncIterator
from functools import lru_cache
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import event, text
from sqlalchemy.engine import Connection, Engine
from sqlmodel import Session, SQLModel, create_engine
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request

from app.core import revision as _revision  # noqa: F401  (registers the catalogue revision listeners)
from app.core.memo import memo as memo
from app.core.settings import get_settings

WRITE_LOCK = "canteen_sqlite_write_lock"


def make_engine(url: str) -> Engine:
    kwargs: dict[str, Any] = {}
    if url.startswith("sqlite"):
        path = url.removeprefix("sqlite:///")
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        kwargs["connect_args"] = {"check_same_thread": False, "timeout": 30}
    else:
        size = get_settings().max_in_flight
        kwargs.update(pool_pre_ping=True, pool_size=size, max_overflow=4, pool_timeout=10)
    engine = create_engine(url, **kwargs)
    if url.startswith("sqlite"):
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
    return engine


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    # Foreign keys are off by default in SQLite; WAL lets the web and worker processes share the file.
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.close()


def _sqlite_begin(conn: Connection) -> None:
    # pysqlite begins a transaction only at the first write, so a transaction reads ("no order for this senior
    # yet"), then writes on what it read, and `FOR UPDATE` is a no-op on SQLite: two of them could both pass a
    # check. A transaction that will write therefore takes the write lock at BEGIN (writers queue on
    # busy_timeout; pysqlite sees the open transaction and adds no BEGIN of its own); read-only ones keep
    # pysqlite's behaviour, so WAL readers never wait and always see the latest commit.
    if conn.get_execution_options().get(WRITE_LOCK, False):
        conn.exec_driver_sql("BEGIN IMMEDIATE")


def begin_write(session: Session) -> None:
    """Start the session's next transaction holding the database's write lock on SQLite (on PostgreSQL row
    locks do this job, and nothing changes). A read-only transaction already open is ended first, so the
    checks that follow see every committed write; pending changes would be lost, so there must be none."""
    if session.get_bind().dialect.name != "sqlite":
        return
    if session.new or session.dirty or session.deleted:
        raise RuntimeError("begin_write: the session has unsaved changes")
    if session.in_transaction():
        conn = session.connection()
        if conn.get_execution_options().get(WRITE_LOCK, False):
            return
        session.rollback()
    session.connection(execution_options={WRITE_LOCK: True})


def serialize_on(session: Session, name: str) -> None:
    """Make the rest of this transaction run one at a time with every other transaction that serialises on the
    same `name`, until commit: a count-then-insert (sign-in tries of one card) cannot be interleaved. SQLite has
    one writer anyway (the write lock at BEGIN); PostgreSQL takes a transaction-scoped advisory lock on the
    name's hash, so no row has to exist to be locked."""
    if session.get_bind().dialect.name == "sqlite":
        begin_write(session)
        return
    session.execute(text("SELECT pg_advisory_xact_lock(hashtext(:name))"), {"name": name})


@lru_cache
def get_engine() -> Engine:
    return make_engine(get_settings().database_url)


async def get_session(request: Request) -> AsyncIterator[Session]:
    """The request's session; a request that may write (any method but GET, HEAD, OPTIONS) holds SQLite's
    write lock from its first statement to its end.

    Async, so making and closing the session costs no thread hops of its own (issue 21): a new session opens
    no connection, and one with no transaction open (the usual end: committed, or handed back by `release`)
    closes without I/O. Only what may wait on the database runs in a worker thread: SQLite's write lock at
    BEGIN, and closing a session that still holds a connection (its rollback)."""
    session = Session(get_engine())
    try:
        if request.method not in ("GET", "HEAD", "OPTIONS") and session.get_bind().dialect.name == "sqlite":
            await run_in_threadpool(begin_write, session)
        yield session
    finally:
        try:
            if session.in_transaction():
                await run_in_threadpool(session.close)
        finally:
            session.close()  # nothing to do once closed; closes here if the hop was cancelled before it ran


def release(session: Session) -> None:
    """Hand the session's connection back to the pool between thread hops (a request must never hold one while
    it waits for a thread), unless it holds SQLite's write lock for a writing request: that lock must last."""
    if session.in_transaction() and session.connection().get_execution_options().get(WRITE_LOCK, False):
        return
    session.close()


T = TypeVar("T")
M = TypeVar("M", bound=SQLModel)


def get_row(session: Session, model: type[M], row_id: int) -> M | None:
    """`session.get` through the request memo."""
    return memo(session, (model.__name__, row_id), lambda: session.get(model, row_id))


