"""The connection pool on PostgreSQL: a connection the database dropped while it sat idle in the pool is replaced
before a request uses it, without a round trip on every checkout (issue 21)."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError

from app.core import db
from tests.conftest import PG_URL

pytestmark = pytest.mark.skipif(not PG_URL, reason="the pool's liveness test concerns PostgreSQL")


def _backend_pid(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(text("SELECT pg_backend_pid()")).scalar_one())


def _terminate(engine: Engine, pid: int) -> None:
    # as a database restart or an idle-connection timeout would, from another connection
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        cursor.execute("SELECT pg_terminate_backend(%s)", (pid,))
        raw.commit()
    finally:
        raw.close()


def test_a_connection_dropped_while_idle_is_replaced_before_the_next_request_uses_it(
        engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    pooled = db.make_engine(str(engine.url.render_as_string(hide_password=False)))
    killed = _backend_pid(pooled)
    admin = db.make_engine(str(engine.url.render_as_string(hide_password=False)))
    _terminate(admin, killed)
    monkeypatch.setattr(db, "PING_AFTER_IDLE_S", 0.0)  # the connection has now been idle "long enough"

    fresh = _backend_pid(pooled)

    assert fresh != killed
    pooled.dispose()
    admin.dispose()


def test_a_connection_used_a_moment_ago_is_not_tested_again(engine: Engine) -> None:
    # The other side of the trade: no round trip for a connection that was just in use. Were it dropped in that
    # moment, the request using it fails (as with pre-ping for the requests already running) and SQLAlchemy
    # replaces the pool.
    pooled = db.make_engine(str(engine.url.render_as_string(hide_password=False)))
    killed = _backend_pid(pooled)
    admin = db.make_engine(str(engine.url.render_as_string(hide_password=False)))
    _terminate(admin, killed)

    with pytest.raises(OperationalError):
        _backend_pid(pooled)

    assert _backend_pid(pooled) != killed  # the pool replaced it
    pooled.dispose()
    admin.dispose()


def test_a_connection_keeps_its_prepared_statements_across_requests_that_only_read(engine: Engine) -> None:
    # psycopg forgets them at every ROLLBACK: a reading request's session ends its transaction with COMMIT
    from sqlmodel import Session, select

    from app.models import Senior

    pooled = db.make_engine(str(engine.url.render_as_string(hide_password=False)))
    for n in range(8):  # eight requests, each a session that reads and is closed
        with Session(pooled) as session:
            session.exec(select(Senior).where(Senior.id == n)).all()

    with pooled.connect() as conn:
        prepared = conn.execute(text("SELECT statement FROM pg_prepared_statements")).scalars().all()
    assert any("FROM senior" in s for s in prepared)
    pooled.dispose()


def test_a_transaction_that_wrote_is_still_rolled_back_when_its_session_closes(engine: Engine) -> None:
    from sqlmodel import Session, select

    from app.models import Canteen

    pooled = db.make_engine(str(engine.url.render_as_string(hide_password=False)))
    with Session(pooled) as session:
        session.exec(select(Canteen)).all()  # a read first, then a write nobody commits
        session.add(Canteen(name="未提交食堂", district="普陀", street="长风", address="", lat=31.2, lng=121.4,
                            gcj_lat=31.2, gcj_lng=121.4, phone=""))
        session.flush()

    with Session(pooled) as session:
        assert session.exec(select(Canteen).where(Canteen.name == "未提交食堂")).first() is None
    pooled.dispose()
