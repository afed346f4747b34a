"""Runtime configuration, read once from the environment (prefix CANTEEN_, or DATABASE_URL)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

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
    # Secure `__Host-` cookies need HTTPS. Unset (the default), they are on outside development and on any request
    # that arrived over HTTPS (directly, or through a trusted proxy's X-Forwarded-Proto); false only for plain-http
    # development and tests on 127.0.0.1.
    cookie_secure: bool | None = None
    # The longest a session lives however busy it is: seniors and helpers (their own phone), staff (a shift).
    session_days: int = 30
    staff_session_hours: int = 12
    # A session nobody used for this long ends (issue 13, finding 10): staff share counter and kitchen computers;
    # seniors and helpers on their own phone keep a longer one so nobody re-types a PIN every day.
    staff_idle_minutes: int = 30
    personal_idle_minutes: int = 7 * 24 * 60
    # Proxies whose X-Forwarded-For / X-Forwarded-Proto are believed: addresses or CIDRs, comma-separated
    # ("127.0.0.1,10.0.0.0/8"). Empty: none; the client address is the socket's.
    trusted_proxies: str = ""
    help_phone: str = "021-12345678"
    max_body_bytes: int = 5 * 1024 * 1024
    # A tile URL template turns on a background map layer on the dispatch map; empty means none.
    map_tile_url: str = ""
    # The coordinate system the tiles are drawn in: "wgs84" (OpenStreetMap, 天地图 wgs84) or "gcj02" (AMap); stops
    # stored in WGS-84 are shifted to match.
    map_tile_crs: Literal["wgs84", "gcj02"] = "wgs84"
    map_tile_attribution: str = ""
    # Files this instance keeps (uploaded registers hold personal data): one folder per instance, never the checkout's.
    data_dir: Path = ROOT / "data"
    # How long an order stays changeable after placing, even close to the cutoff (适老化 rule 11).
    grace_minutes: int = 10
    # Requests one web process works on at once; beyond it a Chinese 503 with Retry-After (app.core.overload).
    # The database pool is sized to it, so a request never waits for a connection behind a stalled one.
    max_in_flight: int = 32
    # Web processes `python -m app serve` starts. Production: about one per core (CANTEEN_WEB_WORKERS=4 on a
    # 4-core machine); each needs max_in_flight + 4 PostgreSQL connections.
    web_workers: int = 1
    # The silent-senior check (issue 16): an active senior with no order for this many days raises an alert.
    silent_days: int = 3
    # A worker whose heartbeat is older than this many seconds is taken for dead, and its running job is given to
    # another worker (it beats every third of this).
    job_stale_s: int = 30
    # A planning job is run at most this many times (a job that kills its worker is not re-run forever) and is
    # given up when it waited longer than job_expire_s seconds before a worker took it.
    job_max_attempts: int = 3
    job_expire_s: int = 2 * 3600
    # A register with more rows than this is imported by a worker (progress on its own page) instead of inside the
    # web request; smaller ones are imported at once. 0: always by a worker.
    import_job_rows: int = 300
    # How often the job engine runs the district's periodic checks: a cron line (five fields, or six with seconds).
    check_cron: str = "*/5 * * * *"
    # Level of the one log every process writes to stderr (app.core.log_config): DEBUG, INFO, WARNING.
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    # Issue 14: an optional online geocoder (AMap `geocode/geo`-compatible) for addresses the building register
    # does not place; empty means offline only. Only the address is sent. The datum of its answers.
    geocoder_url: str = ""
    geocoder_key: str = ""
    geocoder_city: str = "上海"
    geocoder_datum: Literal["gcj02", "wgs84", "bd09"] = "gcj02"

    @model_validator(mode="after")
    def _no_default_secret_outside_development(self) -> Settings:
        if self.environment != "development" and self.secret_key == DEFAULT_SECRET_KEY:
            raise ValueError(f"CANTEEN_SECRET_KEY must be set when CANTEEN_ENVIRONMENT={self.environment}")
        return self


@lru_cache
def get_settings() -> Settings:
    return Settings()
