"""What district planning must remember: visits recorded by volunteers or 居委, the 政策找人 worklist's status,
and candidate sites an operator entered for a new canteen or 助餐点."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, UniqueConstraint
from sqlmodel import Field, SQLModel

from app.models.base import ts_field

VISIT_BY = ("volunteer", "committee", "operator")  # 志愿者 / 居委 / 运营人员 (a driver's wellness check is its own table)
VISIT_RESULTS = ("well", "unwell", "needs_help", "not_home")
OUTREACH_STATUSES = ("todo", "contacted", "enrolled", "declined")


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class CareVisit(SQLModel, table=True):
    """A 探访关爱 visit or call recorded on the phone page (周探访)."""

    __tablename__ = "care_visit"
    __table_args__ = (
        CheckConstraint(_in("visitor_kind", VISIT_BY), name="visitor_kind"),
        CheckConstraint(_in("result", VISIT_RESULTS), name="result"),
    )

    id: int | None = Field(default=None, primary_key=True)
    senior_id: int = Field(foreign_key="senior.id", index=True)
    visitor_kind: str = Field(max_length=12)
    visitor_name: str = Field(max_length=40)
    result: str = Field(max_length=12)
    in_person: bool = True
    note: str = Field(default="", max_length=300)
    at: datetime = ts_field(default_now=True, index=True)
    by_user_id: int | None = Field(default=None, foreign_key="app_user.id")


class OutreachCase(SQLModel, table=True):
    """One senior on the 政策找人 worklist and how far the 居委 has got (one row per senior)."""

    __tablename__ = "outreach_case"
    __table_args__ = (
        UniqueConstraint("senior_id", name="uq_outreach_case_senior_id"),
        CheckConstraint(_in("status", OUTREACH_STATUSES), name="status"),
    )

    id: int | None = Field(default=None, primary_key=True)
    senior_id: int = Field(foreign_key="senior.id")
    status: str = Field(default="todo", max_length=10)
    note: str = Field(default="", max_length=300)
    updated_at: datetime = ts_field(default_now=True)
    updated_by_id: int | None = Field(default=None, foreign_key="app_user.id")


class CandidateSite(SQLModel, table=True):
    """A place that could host a new canteen or 助餐点 (a community centre, a vacant shop)."""

    __tablename__ = "candidate_site"
    __table_args__ = (
        CheckConstraint("lat BETWEEN -90 AND 90 AND lng BETWEEN -180 AND 180", name="coords"),
    )

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=80, unique=True)
    street: str = Field(default="", max_length=40)
    lat: float
    lng: float
    created_at: datetime = ts_field(default_now=True)
    created_by_id: int | None = Field(default=None, foreign_key="app_user.id")
