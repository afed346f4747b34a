"""Engine and per-request sessions. A session never commits by itself: services commit once."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from functools import lru_cache
from pathlib import Path
from typing import Any, TypeVar

from psycopg.pq import TransactionStatus
from sqlalchemy import CompoundSelect, Select, event, text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DisconnectionError
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
        kwargs.update(pool_size=size, max_overflow=4, pool_timeout=10)
    engine = create_engine(url, **kwargs)
    if url.startswith("sqlite"):
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
    else:
        _ping_after_idle(engine)
        _end_reads_with_commit(engine)
    return engine


def _end_reads_with_commit(engine: Engine) -> None:
    """End a PostgreSQL transaction that only ran SELECTs with COMMIT where SQLAlchemy would roll it back.

    psycopg forgets (and deallocates) every prepared statement of a connection at a ROLLBACK, since one might
    have been prepared inside the rolled-back transaction. Every reading request ends its transaction by
    closing its session, which rolls back: so each connection lost its prepared statements on every request
    and PostgreSQL parsed and planned every statement of every request anew (issue 21: measured 0.2-0.5 ms of
    planning per statement, several times the execution; a menu page cost PostgreSQL 4-5 ms of CPU). For a
    transaction that only selected, COMMIT and ROLLBACK end it alike (its locks are released either way); any
    other statement (INSERT, UPDATE, DELETE, text SQL, a function call written as text) keeps the ROLLBACK."""

    def begin(conn: Connection) -> None:
        conn.info["only_selects"] = True

    def before_cursor_execute(conn: Connection, _cursor: Any, _statement: str, _parameters: Any, context: Any,
                              _executemany: bool) -> None:
        compiled = getattr(context, "compiled", None)
        if compiled is None or not isinstance(compiled.statement, Select | CompoundSelect):
            conn.info["only_selects"] = False

    def rollback(conn: Connection) -> None:
        if conn.invalidated or not conn.info.pop("only_selects", False):
            return
        dbapi = conn.connection.dbapi_connection
        if dbapi is not None \
                and dbapi.info.transaction_status == TransactionStatus.INTRANS:
            dbapi.commit()  # the rollback that follows finds no transaction and keeps the prepared statements

    event.listen(engine, "begin", begin)
    event.listen(engine, "before_cursor_execute", before_cursor_execute)
    event.listen(engine, "rollback", rollback)


PING_AFTER_IDLE_S = 5.0


def _ping_after_idle(engine: Engine) -> None:
    """Test a pooled connection before use only when it has been idle for a while (`pool_pre_ping` tests every
    checkout: a round trip, two per request, on each of a morning's requests — issue 21). A connection that was
    used a moment ago is alive; one idle past PING_AFTER_IDLE_S may have been closed by a database restart or a
    firewall, and a dead one is replaced before the request sees it (a checkout listener that raises
    DisconnectionError makes the pool retry with a fresh connection). A restart within the last few seconds
    can still fail the requests already using its connections, as with pre-ping; SQLAlchemy then replaces the
    whole pool."""

    def checkin(_dbapi: Any, record: Any) -> None:
        record.info["idle_since"] = time.monotonic()

    def checkout(dbapi: Any, record: Any, _proxy: Any) -> None:
        since = record.info.pop("idle_since", None)
        if since is None or time.monotonic() - since < PING_AFTER_IDLE_S:
            return
        try:
            alive = engine.dialect.do_ping(dbapi)
        except engine.dialect.loaded_dbapi.Error as e:
            raise DisconnectionError(f"connection dead after {time.monotonic() - since:.0f} s idle") from e
        if not alive:
            raise DisconnectionError("connection dead after idle")

    event.listen(engine.pool, "checkin", checkin)
    event.listen(engine.pool, "checkout", checkout)


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


def read_autocommit(session: Session) -> None:
    """On PostgreSQL, run this session's statements until `release` each on its own, outside a transaction:
    a lookup of a few rows (who is signed in) then costs no BEGIN and ROLLBACK round trips. Called before the
    session's first statement; SQLite keeps its transactions (a writing request's write lock starts at BEGIN).
    The pool puts the connection back to the engine's isolation level when it is returned."""
    if session.get_bind().dialect.name == "postgresql" and not session.in_transaction():
        session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})


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


