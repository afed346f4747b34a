"""The security tests call the same app many hundred times in the same district.

The app (and its route table) is built once per run. The world is built once per worker into a copy of the
migrated database, and each test gets a fresh copy of it (a file copy on SQLite, CREATE DATABASE ... TEMPLATE on
PostgreSQL), so a test that changes the world (a cancelled order, a revoked link) never leaks into the next.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import fields
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from sqlalchemy import create_engine
from sqlalchemy.engine import Engine, make_url
from sqlmodel import Session, SQLModel

from app.core import db as app_db
from app.core.settings import get_settings
from tests.conftest import PG_URL, _migrate, _worker
from tests.security.world import World, build_world


@cache
def shared_app() -> FastAPI:
    from app.main import create_app

    return create_app()


def _detach(session: Session, world: World) -> None:
    """Load every row's columns, then let go of them: tests read them as plain values."""
    for f in fields(world):
        value = getattr(world, f.name)
        for row in value.values() if isinstance(value, dict) else [value]:
            if isinstance(row, SQLModel):
                session.refresh(row)
    session.expunge_all()


def _pg(name: str, *statements: str) -> str:
    """Run statements on the server's maintenance database; returns the URL of database `name`."""
    import psycopg

    url = make_url(PG_URL)
    admin = url.set(drivername="postgresql", database="postgres").render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True) as conn:
        for statement in statements:
            conn.execute(statement)
    return url.set(database=name).render_as_string(hide_password=False)


def _pg_name(suffix: str) -> str:
    return f"{make_url(PG_URL).database}_{_worker()}_{suffix}"


def _build(url: str) -> World:
    eng = create_engine(url)
    with Session(eng) as s:
        world = build_world(s)
        _detach(s, world)
    eng.dispose()
    return world


@pytest.fixture(scope="session")
def world_template(database_template: str, tmp_path_factory: pytest.TempPathFactory) -> tuple[str, World]:
    """(SQLite file or PostgreSQL database name holding the built world, the world)."""
    if PG_URL:
        name = _pg_name("world")
        url = _pg(name, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)', f'CREATE DATABASE "{name}"')
        _migrate(url)
        return name, _build(url)
    path = tmp_path_factory.mktemp("world") / "world.db"
    shutil.copy(database_template, path)
    return str(path), _build(f"sqlite:///{path}")


@pytest.fixture
def engine(world_template: tuple[str, World], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Engine]:
    """tests/conftest.py's engine, starting from a fresh copy of the built world."""
    if PG_URL:
        name = _pg_name("sec")
        url = _pg(name, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)',
                  f'CREATE DATABASE "{name}" TEMPLATE "{world_template[0]}"')
    else:
        db_file = tmp_path / "test.db"
        shutil.copy(world_template[0], db_file)
        url = f"sqlite:///{db_file}"
    monkeypatch.setenv("DATABASE_URL", url)
    get_settings.cache_clear()
    app_db.get_engine.cache_clear()
    eng = app_db.get_engine()
    yield eng
    eng.dispose()
    app_db.get_engine.cache_clear()
    get_settings.cache_clear()


@pytest.fixture
def world(world_template: tuple[str, World]) -> World:
    return world_template[1]


@pytest.fixture
def client(engine: Engine) -> Iterator[Any]:
    """Like tests/conftest.py's client, on the shared app (the app holds no per-test state; the engine does)."""
    from fastapi.testclient import TestClient

    with TestClient(shared_app()) as c:
        c.get("/login")
        yield c
