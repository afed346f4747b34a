"""Engine and per-request sessions. A session never commits by itself: services commit once."""

from __future__ import annotations

from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine
from sqlmodel import Session, create_engine
from starlette.requests import Request

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
        kwargs["pool_pre_ping"] = True
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


@lru_cache
def get_engine() -> Engine:
    return make_engine(get_settings().database_url)


def get_session(request: Request) -> Iterator[Session]:
    """The request's session; a request that may write (any method but GET, HEAD, OPTIONS) holds SQLite's
    write lock from its first statement to its end."""
    with Session(get_engine()) as session:
        if request.method not in ("GET", "HEAD", "OPTIONS"):
            begin_write(session)
        yield session

