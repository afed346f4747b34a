"""Who is signed in: the principal a request acts as, resolved from its session cookie.

Every area's services take a `Principal`; only app.accounts signs people in and out.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import bindparam, select, update
from sqlmodel import Session, col

from app.core.settings import get_settings
from app.models import User, UserRole, UserSession, now

# The text-size steps (issue 17), smallest first; the cookie keeps the step before sign-in by these codes.
FONT_SIZES = ("标准", "大", "特大")
FONT_COOKIE = {"标准": "standard", "大": "large", "特大": "xl"}


def next_font_size(size: str) -> str:
    """The step the 字号 button moves to: 标准 → 大 → 特大 → 标准."""
    steps = FONT_SIZES
    return steps[(steps.index(size) + 1) % len(steps)] if size in steps else steps[1]


# Roles used on shared computers or on duty: their sessions end after a short idle time and a shift's length.
STAFF_ROLES = frozenset({"counter", "kitchen", "dispatcher", "driver", "operator"})
# An active session's idle deadline is pushed forward at most once a minute: one UPDATE a minute per session,
# not one per request of a morning rush.
TOUCH_EVERY = timedelta(minutes=1)


@dataclass(frozen=True)
class Principal:
    """Who is signed in, with each role's canteen scope (None in a scope set means every canteen)."""

    user_id: int
    name: str
    roles: dict[str, frozenset[int | None]]
    senior_id: int | None
    font_size: str
    session_id: int
    csrf_token: str
    extra: dict[str, object] = field(default_factory=dict)

    def has(self, role: str) -> bool:
        return role in self.roles

    def canteens_for(self, role: str) -> frozenset[int | None]:
        return self.roles.get(role, frozenset())

    def may_see_canteen(self, role: str, canteen_id: int) -> bool:
        scope = self.canteens_for(role)
        return None in scope or canteen_id in scope


def token_hash(token: str) -> str:
    """Session and invitation tokens are stored only as their SHA-256, so a database leak signs nobody in."""
    return hashlib.sha256(token.encode()).hexdigest()


def csrf_for_session(token: str) -> str:
    """The CSRF token bound to one session: a new session (every sign-in) has a new one, and it cannot be
    worked out without the secret key and the HttpOnly session token."""
    key = get_settings().secret_key.encode()
    return hmac.new(key, b"csrf:" + token.encode(), hashlib.sha256).hexdigest()[:43]


def session_limits(roles: set[str] | frozenset[str]) -> tuple[timedelta, timedelta]:
    """(idle timeout, longest life) of a session: staff roles short, seniors and helpers on their own phone long."""
    settings = get_settings()
    shift = timedelta(hours=settings.staff_session_hours)
    if roles & (STAFF_ROLES - {"driver"}):
        return timedelta(minutes=settings.staff_idle_minutes), shift
    if "driver" in roles:
        # a driver's own phone, on the road: a report queued in a dead zone (driver.js) must still be accepted
        # when the phone is back online, so the session lasts the shift however quiet it was
        return shift, shift
    return timedelta(minutes=settings.personal_idle_minutes), timedelta(days=settings.session_days)


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=now().tzinfo)


def _touch(session: Session, session_id: int, expires_at: datetime, created_at: datetime, roles: set[str],
           commit: bool) -> bool:
    """Push the idle deadline forward (never past the session's longest life); False if the session has ended."""
    idle, life = session_limits(roles)
    moment, last_day = now(), _aware(created_at) + life
    if _aware(expires_at) <= moment or last_day <= moment:
        return False
    if _aware(expires_at) - moment > idle - TOUCH_EVERY:
        return True
    session.execute(update(UserSession).where(col(UserSession.id) == session_id)
                    .values(expires_at=min(moment + idle, last_day)))
    if commit:
        session.commit()
    return True


# Built once: the columns a principal needs, not two whole ORM rows per role (every request runs this).
_PRINCIPAL_QUERY = (
    select(col(UserSession.id), col(UserSession.generation), col(UserSession.csrf_token),
           col(UserSession.created_at), col(UserSession.expires_at), col(UserSession.revoked_at),
           col(User.id), col(User.name), col(User.active), col(User.session_generation), col(User.senior_id),
           col(User.font_size), col(UserRole.role), col(UserRole.canteen_id))
    .join(User, col(User.id) == col(UserSession.user_id))
    .outerjoin(UserRole, col(UserRole.user_id) == col(User.id))
    .where(col(UserSession.token_hash) == bindparam("token_hash"))
)


def principal_for_token(session: Session, token: str | None, *, commit: bool = True) -> Principal | None:
    """The signed-in principal of a session token, or None. One query (session, user and roles joined): every
    request of a morning rush runs it. A session idle past its timeout is over; a used one is kept alive (the
    write commits now, or with the request's own transaction when `commit` is false)."""
    if not token:
        return None
    rows = session.execute(_PRINCIPAL_QUERY, {"token_hash": token_hash(token)}).all()
    if not rows:
        return None
    (us_id, generation, csrf_token, created_at, expires_at, revoked_at,
     user_id, name, active, user_generation, senior_id, font_size, _role, _canteen) = rows[0]
    if revoked_at is not None or not active or generation != user_generation:
        return None
    roles: dict[str, set[int | None]] = {}
    for row in rows:
        if row[12] is not None:
            roles.setdefault(row[12], set()).add(row[13])
    principal = Principal(user_id=user_id, name=name, senior_id=senior_id, font_size=font_size,
                          roles={k: frozenset(v) for k, v in roles.items()}, session_id=us_id,
                          csrf_token=csrf_token)
    return principal if _touch(session, us_id, expires_at, created_at, set(roles), commit) else None
