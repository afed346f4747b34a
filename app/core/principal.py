"""Who is signed in: the principal a request acts as, resolved from its session cookie.

Every area's services take a `Principal`; only app.accounts signs people in and out.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from sqlmodel import Session, col, select

from app.models import User, UserRole, UserSession, now

# The text-size steps (issue 17), smallest first; the cookie keeps the step before sign-in by these codes.
FONT_SIZES = ("标准", "大", "特大")
FONT_COOKIE = {"标准": "standard", "大": "large", "特大": "xl"}


def next_font_size(size: str) -> str:
    """The step the 字号 button moves to: 标准 → 大 → 特大 → 标准."""
    steps = FONT_SIZES
    return steps[(steps.index(size) + 1) % len(steps)] if size in steps else steps[1]


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


def principal_for_token(session: Session, token: str | None) -> Principal | None:
    """The signed-in principal of a session token, or None. One query (session, user and roles joined): every
    request of a morning rush runs it."""
    if not token:
        return None
    rows = session.exec(
        select(UserSession, User, UserRole.role, UserRole.canteen_id)
        .join(User, col(User.id) == col(UserSession.user_id))
        .outerjoin(UserRole, col(UserRole.user_id) == col(User.id))
        .where(UserSession.token_hash == token_hash(token))
    ).all()
    if not rows:
        return None
    us, user = rows[0][0], rows[0][1]
    if us.revoked_at is not None or us.expires_at < now() or not user.active:
        return None
    if us.generation != user.session_generation:
        return None
    roles: dict[str, set[int | None]] = {}
    for _us, _user, role, canteen_id in rows:
        if role is not None:
            roles.setdefault(role, set()).add(canteen_id)
    assert user.id is not None and us.id is not None
    return Principal(user_id=user.id, name=user.name, senior_id=user.senior_id, font_size=user.font_size,
                     roles={k: frozenset(v) for k, v in roles.items()}, session_id=us.id,
                     csrf_token=us.csrf_token)
