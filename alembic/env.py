"""Migrations run against app.core.settings' DATABASE_URL unless a connection or URL is handed in."""

from __future__ import annotations

import logging
from logging.config import fileConfig

from alembic import context
from sqlmodel import SQLModel

import app.models  # noqa: F401  (registers every table on SQLModel.metadata)
from app.core.db import make_engine
from app.core.settings import get_settings

config = context.config
# `python -m app migrate` has configured the application's log already (app.core.log_config); the bare
# `alembic` command has not, and takes alembic.ini's.
if (config.config_file_name is not None and config.attributes.get("configure_logger", True)
        and not logging.getLogger().handlers):
    fileConfig(config.config_file_name, disable_existing_loggers=False)

target_metadata = SQLModel.metadata


def _url() -> str:
    return config.get_main_option("sqlalchemy.url") or get_settings().database_url


def run_migrations_offline() -> None:
    context.configure(url=_url(), target_metadata=target_metadata, literal_binds=True, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = make_engine(_url())
    with engine.connect() as conn:
        _run(conn)
    engine.dispose()


def _include_object(obj, name, type_, reflected, compare_to):  # type: ignore[no-untyped-def]
    # procrastinate's own tables (PostgreSQL only, issue 16) come in through migration 16b from the engine's
    # schema file, not from our models: autogenerate must not offer to drop them.
    return not (reflected and compare_to is None and (name or "").startswith("procrastinate_"))


def _run(connection) -> None:  # type: ignore[no-untyped-def]
    # render_as_batch lets SQLite alter tables (it rebuilds them); compare_type catches column type drift.
    context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True,
                      compare_type=True, include_object=_include_object)
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
