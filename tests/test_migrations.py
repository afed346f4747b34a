"""The migration chain and the models agree, and the chain goes up and down cleanly."""

from __future__ import annotations

import pytest
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Engine

from alembic import command
from app.core.settings import ROOT


def _config(engine: Engine) -> Config:
    cfg = Config(str(ROOT / "alembic.ini"))
    cfg.set_main_option("sqlalchemy.url", engine.url.render_as_string(hide_password=False))
    cfg.attributes["configure_logger"] = False
    return cfg


def test_the_migration_chain_has_exactly_one_head() -> None:
    script = ScriptDirectory.from_config(Config(str(ROOT / "alembic.ini")))

    heads = script.get_heads()

    assert len(heads) == 1, heads


def test_migrated_database_matches_the_models(engine: Engine) -> None:
    cfg = _config(engine)

    command.check(cfg)  # raises when autogenerate would find any difference


def test_downgrade_to_base_and_upgrade_again(engine: Engine) -> None:
    from sqlalchemy import inspect

    cfg = _config(engine)

    command.downgrade(cfg, "base")
    tables_after_down = set(inspect(engine).get_table_names()) - {"alembic_version"}
    command.upgrade(cfg, "head")
    tables_after_up = set(inspect(engine).get_table_names())

    assert tables_after_down == set()
    assert {"senior", "meal_order", "order_line", "delivery_stop"} <= tables_after_up


@pytest.mark.parametrize("revision", ["head"])
def test_offline_sql_can_be_generated_for_review(revision: str, capsys: pytest.CaptureFixture[str]) -> None:
    cfg = Config(str(ROOT / "alembic.ini"))
    cfg.set_main_option("sqlalchemy.url", "postgresql+psycopg://reviewer@localhost/review")
    cfg.attributes["configure_logger"] = False

    command.upgrade(cfg, revision, sql=True)

    assert "CREATE TABLE meal_order" in capsys.readouterr().out
