"""Outside development the app refuses to start with the published default secret key."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from app.core.settings import Settings


def test_production_with_the_default_secret_key_refuses_to_start(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CANTEEN_ENVIRONMENT", "production")
    monkeypatch.delenv("CANTEEN_SECRET_KEY", raising=False)

    with pytest.raises(ValidationError, match="CANTEEN_SECRET_KEY must be set when CANTEEN_ENVIRONMENT=production"):
        Settings(_env_file=None)


def test_production_with_its_own_secret_key_starts(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CANTEEN_ENVIRONMENT", "production")
    monkeypatch.setenv("CANTEEN_SECRET_KEY", "a-long-secret-only-this-district-knows-8f3k2")

    assert Settings(_env_file=None).environment == "production"


def test_development_keeps_the_default_key_for_the_demo(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CANTEEN_ENVIRONMENT", raising=False)
    monkeypatch.delenv("CANTEEN_SECRET_KEY", raising=False)

    assert Settings(_env_file=None).environment == "development"
