"""Runtime configuration, read once from the environment (prefix CANTEEN_, or DATABASE_URL)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import AliasChoices, Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from app.models.base import TZ

__all__ = ["ROOT", "TZ", "Settings", "get_settings"]

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_SECRET_KEY = "dev-only-change-me-in-production-0123456789"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CANTEEN_", env_file=".env", extra="ignore")

    database_url: str = Field(
        default=f"sqlite:///{ROOT / 'data' / 'canteen.db'}",
        validation_alias=AliasChoices("DATABASE_URL", "CANTEEN_DATABASE_URL"),
    )
    # "development" (the default) or anything else ("production", "staging"): outside development the app
    # refuses to start with the published default secret key, which would let anyone re-identify pseudonyms.
    environment: str = "development"
    secret_key: str = DEFAULT_SECRET_KEY
    # Secure cookies need HTTPS; production sets this to true behind its TLS proxy.
    cookie_secure: bool = False
    session_days: int = 30
    help_phone: str = "021-12345678"
    max_body_bytes: int = 5 * 1024 * 1024
    # A tile URL template turns on a background map layer on the dispatch map; empty means none.
    map_tile_url: str = ""
    # How long an order stays changeable after placing, even close to the cutoff (适老化 rule 11).
    grace_minutes: int = 10

    @model_validator(mode="after")
    def _no_default_secret_outside_development(self) -> Settings:
        if self.environment != "development" and self.secret_key == DEFAULT_SECRET_KEY:
            raise ValueError(f"CANTEEN_SECRET_KEY must be set when CANTEEN_ENVIRONMENT={self.environment}")
        return self


@lru_cache
def get_settings() -> Settings:
    return Settings()
