"""File jobs: slow files (big PDFs, claim packs, imports) built in the background and offered when ready."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, Index, text
from sqlmodel import Field, SQLModel

from app.models.base import ts_field

FILE_JOB_STATES = ("queued", "running", "done", "failed", "cancelled")


class FileJob(SQLModel, table=True):
    """One requested file. `dedupe_key` is unique among queued/running jobs, so a second click for the same file
    (same kind, parameters and requester) while one is on its way starts nothing new. The file lives under
    CANTEEN_DATA_DIR as `stored_name` (random, never in a URL); only its requester may download it."""

    __tablename__ = "file_job"
    __table_args__ = (
        CheckConstraint("state IN ('queued', 'running', 'done', 'failed', 'cancelled')", name="state"),
        Index("ix_file_job_active_dedupe", "dedupe_key", unique=True,
              postgresql_where=text("state IN ('queued', 'running')"),
              sqlite_where=text("state IN ('queued', 'running')")),
    )

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=40)
    params: str = Field(default="{}", max_length=2000)
    dedupe_key: str = Field(max_length=64)
    requester_id: int = Field(foreign_key="app_user.id", index=True)
    state: str = Field(default="queued", max_length=10, index=True)
    progress: str = Field(default="", max_length=80)
    stored_name: str | None = Field(default=None, max_length=64)
    download_name: str = Field(default="", max_length=200)
    media_type: str = Field(default="application/octet-stream", max_length=80)
    error: str = Field(default="", max_length=300)
    owner: str | None = Field(default=None, max_length=36)
    attempts: int = Field(default=0)
    engine_id: int | None = Field(default=None)
    created_at: datetime = ts_field(default_now=True)
    started_at: datetime | None = ts_field(nullable=True)
    finished_at: datetime | None = ts_field(nullable=True)
