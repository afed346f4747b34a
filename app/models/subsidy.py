"""Subsidy scheme versions: the rules are data (app.pricing validates them), dated by effect."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, UniqueConstraint
from sqlmodel import Field, SQLModel

from app.models.base import ts_field


class SubsidySchemeVersion(SQLModel, table=True):
    __tablename__ = "subsidy_scheme_version"
    __table_args__ = (
        UniqueConstraint("scheme_key", "version", name="uq_subsidy_scheme_version_key_version"),
        CheckConstraint("version >= 1", name="version_positive"),
        CheckConstraint("effective_to IS NULL OR effective_to >= effective_from", name="dates_ordered"),
    )

    id: int | None = Field(default=None, primary_key=True)
    scheme_key: str = Field(max_length=60, index=True)
    name: str = Field(max_length=120)
    version: int
    effective_from: date
    effective_to: date | None = None
    body: str
    note: str = Field(default="", max_length=300)
    created_by_id: int | None = Field(default=None, foreign_key="app_user.id")
    created_at: datetime = ts_field(default_now=True)
    # A version not yet in force may be withdrawn: kept for the record, never used for pricing.
    withdrawn_at: datetime | None = ts_field(nullable=True)
    withdrawn_by_id: int | None = Field(default=None, foreign_key="app_user.id")
    withdraw_reason: str = Field(default="", max_length=300)
