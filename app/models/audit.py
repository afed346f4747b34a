"""The audit log: sensitive reads and every change to eligibility, schemes, prices, links and exports."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from app.models.base import ts_field


class AuditEvent(SQLModel, table=True):
    __tablename__ = "audit_event"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = ts_field(default_now=True, index=True)
    user_id: int | None = Field(default=None, foreign_key="app_user.id", index=True)
    action: str = Field(max_length=40, index=True)
    object_type: str = Field(max_length=40)
    object_id: str = Field(default="", max_length=40)
    detail: str = Field(default="", max_length=1000)
    address: str = Field(default="", max_length=64)
