"""Shared column types and the constraint naming convention for every table."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import DateTime, TypeDecorator
from sqlalchemy.engine import Dialect
from sqlmodel import Field, SQLModel

# Service dates, cutoffs and ETAs are Asia/Shanghai wall-clock time (app.core.settings re-exports this).
TZ = ZoneInfo("Asia/Shanghai")


SQLModel.metadata.naming_convention = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class AwareDateTime(TypeDecorator[datetime]):
    """Stores UTC, hands back Asia/Shanghai: SQLite keeps no zone, and naive times are refused."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime refused: use Asia/Shanghai-aware datetimes")
        utc = value.astimezone(UTC)
        return utc.replace(tzinfo=None) if dialect.name == "sqlite" else utc

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value.astimezone(TZ)


def now() -> datetime:
    return datetime.now(TZ)


def ts_field(*, nullable: bool = False, default_now: bool = False, index: bool = False) -> Any:
    """A timezone-aware timestamp column (stored UTC, read back in Asia/Shanghai)."""
    from sqlalchemy import Column

    column: Column[datetime] = Column(AwareDateTime(), nullable=nullable, index=index)
    if default_now:
        return Field(default_factory=now, sa_column=column)
    return Field(default=None, sa_column=column)
