"""The security tests call the same app many hundred times in the same district.

The app (and its route table) is built once per run. On SQLite the world is built once per worker into a copy
of the migrated template and each test gets a fresh copy of that file, so a test that changes the world (a
cancelled order, a revoked link) never leaks into the next. On PostgreSQL each test builds the world itself.
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
from sqlalchemy.engine import Engine
from sqlmodel import Session, SQLModel

from app import db as app_db
from app.settings import get_settings
from tests.conftest import PG_URL
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


@pytest.fixture(scope="session")
def world_template(database_template: str, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, World] | None:
    if PG_URL:
        return None
    path = tmp_path_factory.mktemp("world") / "world.db"
    shutil.copy(database_template, path)
    eng = create_engine(f"sqlite:///{path}")
    with Session(eng) as s:
        world = build_world(s)
        _detach(s, world)
    eng.dispose()
    return path, world


@pytest.fixture
def engine(database_template: str, world_template: tuple[Path, World] | None, tmp_path: Path,
           monkeypatch: pytest.MonkeyPatch) -> Iterator[Engine]:
    """tests/conftest.py's engine, starting from the built world on SQLite."""
    if PG_URL:
        url = database_template
    else:
        assert world_template is not None
        db_file = tmp_path / "test.db"
        shutil.copy(world_template[0], db_file)
        url = f"sqlite:///{db_file}"
    monkeypatch.setenv("DATABASE_URL", url)
    get_settings.cache_clear()
    app_db.get_engine.cache_clear()
    eng = app_db.get_engine()
    yield eng
    if PG_URL:
        from tests.conftest import _truncate

        _truncate(eng)
    eng.dispose()
    app_db.get_engine.cache_clear()
    get_settings.cache_clear()


@pytest.fixture
def world(world_template: tuple[Path, World] | None, session: Session) -> World:
    return world_template[1] if world_template is not None else build_world(session)


@pytest.fixture
def client(engine: Engine) -> Iterator[Any]:
    """Like tests/conftest.py's client, on the shared app (the app holds no per-test state; the engine does)."""
    from fastapi.testclient import TestClient

    with TestClient(shared_app()) as c:
        c.get("/login")
        yield c
