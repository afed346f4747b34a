"""Accounts, roles scoped to canteens, sessions, helper links with consent, sign-in throttling."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, UniqueConstraint
from sqlmodel import Field, SQLModel

from app.models.base import ts_field

ROLES = ("senior", "helper", "counter", "kitchen", "dispatcher", "driver", "operator")


class User(SQLModel, table=True):
    """Staff and helpers sign in with phone + password; a senior's account signs in with card + PIN."""

    __tablename__ = "app_user"
    __table_args__ = (CheckConstraint("font_size IN ('标准', '大', '特大')", name="font_size"),)

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=40)
    phone: str | None = Field(default=None, max_length=20, unique=True)
    password_hash: str = Field(default="", max_length=200)
    senior_id: int | None = Field(default=None, foreign_key="senior.id", unique=True)
    active: bool = True
    font_size: str = Field(default="标准", max_length=4)  # 标准 / 大 / 特大 (issue 17)
    invited_by_id: int | None = Field(default=None, foreign_key="app_user.id")
    created_at: datetime = ts_field(default_now=True)
    last_login_at: datetime | None = ts_field(nullable=True)
    # Bumped by "sign out everywhere": sessions minted under an older generation stop working.
    session_generation: int = 1


class UserRole(SQLModel, table=True):
    """A role held by a user; canteen-scoped roles (kitchen, counter, driver, dispatcher) name the canteen."""

    __tablename__ = "user_role"
    __table_args__ = (
        UniqueConstraint("user_id", "role", "canteen_id", name="uq_user_role_user_role_canteen"),
        CheckConstraint("role IN (" + ", ".join(repr(r) for r in ROLES) + ")", name="role"),
    )

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="app_user.id", index=True, ondelete="CASCADE")
    role: str = Field(max_length=12)
    canteen_id: int | None = Field(default=None, foreign_key="canteen.id")


class UserSession(SQLModel, table=True):
    """Server-side session: the cookie carries a random token; only its hash is stored."""

    __tablename__ = "user_session"

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True)
    user_id: int = Field(foreign_key="app_user.id", index=True, ondelete="CASCADE")
    generation: int = 1
    csrf_token: str = Field(max_length=64)
    created_at: datetime = ts_field(default_now=True)
    expires_at: datetime = ts_field()
    revoked_at: datetime | None = ts_field(nullable=True)
    user_agent: str = Field(default="", max_length=200)


class LoginAttempt(SQLModel, table=True):
    """Failed sign-ins per account and per address, to slow guessing without locking seniors out."""

    __tablename__ = "login_attempt"

    id: int | None = Field(default=None, primary_key=True)
    account_key: str = Field(max_length=40, index=True)
    address: str = Field(max_length=64, index=True)
    at: datetime = ts_field(default_now=True, index=True)
    success: bool = False


class HelperLink(SQLModel, table=True):
    """A helper may order for a senior only while a consented, unrevoked link exists."""

    __tablename__ = "helper_link"
    __table_args__ = (
        UniqueConstraint("helper_id", "senior_id", name="uq_helper_link_helper_senior"),
        CheckConstraint("consent_method IN ('书面', '当面', '电话', '视频')", name="consent_method"),
    )

    id: int | None = Field(default=None, primary_key=True)
    helper_id: int = Field(foreign_key="app_user.id", index=True)
    senior_id: int = Field(foreign_key="senior.id", index=True)
    relation: str = Field(max_length=20)
    consent_by: str = Field(max_length=40)
    consent_method: str = Field(max_length=4)
    consent_at: datetime = ts_field()
    recorded_by_id: int | None = Field(default=None, foreign_key="app_user.id")
    revoked_at: datetime | None = ts_field(nullable=True)


class Invitation(SQLModel, table=True):
    """An operator invites staff or a helper; the invitee sets their own password from the link."""

    __tablename__ = "invitation"

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True)
    user_id: int = Field(foreign_key="app_user.id", index=True, ondelete="CASCADE")
    created_by_id: int = Field(foreign_key="app_user.id")
    created_at: datetime = ts_field(default_now=True)
    expires_at: datetime = ts_field()
    used_at: datetime | None = ts_field(nullable=True)
