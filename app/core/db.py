"""Engine and per-request sessions. A session never commits by itself: services commit once."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterator
from functools import lru_cache
from pathlib import Path
from typing import Any, TypeVar, cast

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlmodel import Session, SQLModel, create_engine

from app.core import revision as _revision  # noqa: F401  (registers the catalogue revision listeners)
from app.core.settings import get_settings


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
    return engine


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    # Foreign keys are off by default in SQLite; WAL lets the web and worker processes share the file.
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.close()


@lru_cache
def get_engine() -> Engine:
    return make_engine(get_settings().database_url)


def get_session() -> Iterator[Session]:
    with Session(get_engine()) as session:
        yield session



T = TypeVar("T")
M = TypeVar("M", bound=SQLModel)


def memo(session: Session, key: Hashable, load: Callable[[], T]) -> T:
    """Read something once per session (one request): the same slot row, senior or menu is asked for many times
    while one page is built, and SQLAlchemy's identity map holds rows only weakly, so each `session.get` of a
    row nobody still references goes back to the database. Forgotten when the session commits or rolls back,
    so nothing read before a write is reused after it."""
    cache: dict[Hashable, Any] = session.info.setdefault(_MEMO, {})
    if key not in cache:
        cache[key] = load()
    return cast(T, cache[key])


def get_row(session: Session, model: type[M], row_id: int) -> M | None:
    """`session.get` through the request memo."""
    return memo(session, (model.__name__, row_id), lambda: session.get(model, row_id))


_MEMO = "canteen_memo"  # every per-request cache keeps its session.info key under the "canteen_" prefix


def _forget(session: Session, *_args: Any) -> None:
    for key in [k for k in session.info if str(k).startswith("canteen_")]:
        del session.info[key]


event.listen(Session, "after_commit", _forget)
event.listen(Session, "after_rollback", _forget)
