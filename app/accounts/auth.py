"""Sign-in, sessions and the signed-in principal.

Staff and helpers use phone + password (Argon2). Seniors use their card number + a short PIN, so nobody has to
remember a password (适老化 rule 8). Failed attempts slow the next try per card or phone (wherever the tries
come from), up to a ceiling of 100 an hour; no address is ever locked, so one guesser cannot lock everyone
behind a canteen's NAT out of ordering lunch.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, TypeGuard

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete
from sqlmodel import Session, col, func, select

from app.core import audit, card_numbers
from app.core import messages as msg
from app.core.db import serialize_on
from app.core.errors import InvalidInput, LoginRequired, TooManyAttempts
from app.core.principal import FONT_SIZES, Principal, csrf_for_session, session_limits, token_hash
from app.core.privacy import mask_phone
from app.models import LoginAttempt, Senior, User, UserRole, UserSession, now

_hasher = PasswordHasher()
PHONE_RE = re.compile(r"^1\d{10}$")
# [0-9], not \d: "፩፪፫፬" (Ethiopic digits) must not pass for a PIN.
PIN_RE = re.compile(r"^[0-9]{4,6}$")
FREE_FAILURES = 5
WINDOW = timedelta(minutes=15)
CEILING = 100
CEILING_WINDOW = timedelta(hours=1)


def hash_secret(secret: str) -> str:
    return _hasher.hash(secret)


# Verified against when the account does not exist, so a wrong phone costs as long as a wrong password and the
# response time does not tell a guesser which phones have accounts.
_DUMMY_HASH = _hasher.hash("no-such-account")


def verify_secret(hashed: str, secret: str) -> bool:
    try:
        return _hasher.verify(hashed, secret)
    except (VerificationError, InvalidHashError):
        return False


def sign_in_staff(session: Session, phone: str, password: str, address: str, user_agent: str = "") -> str:
    """Returns a fresh session token for the cookie; raises InvalidInput or TooManyAttempts."""
    phone, errors = phone.strip(), {}
    if not phone:
        errors["phone"] = msg.PHONE_REQUIRED
    elif not PHONE_RE.match(phone):
        errors["phone"] = msg.PHONE_INVALID
    if not password:
        errors["password"] = msg.PASSWORD_REQUIRED
    if errors:
        raise InvalidInput(errors)
    who = Who(f"p:{phone}", f"手机号 {mask_phone(phone)}", address)
    attempt = begin_attempt(session, who)
    user = session.exec(select(User).where(User.phone == phone)).first()
    if not _matches(user, password):
        _failed(session, who, user)
        raise InvalidInput({"password": msg.LOGIN_FAILED})
    return _open_session(session, user, attempt, who, user_agent)


def sign_in_senior(session: Session, card_no: str, pin: str, address: str, user_agent: str = "") -> str:
    card_no, pin, errors = card_no.strip(), pin.strip(), {}
    if not card_no:
        errors["card_no"] = msg.CARD_REQUIRED
    elif card_numbers.mistyped(card_no):  # issue 14: a typo is told apart before any PIN try is counted
        errors["card_no"] = msg.CARD_MISTYPED
    if not PIN_RE.match(pin):
        errors["pin"] = msg.PIN_REQUIRED
    if errors:
        raise InvalidInput(errors)
    who = Who(f"c:{card_no}", f"卡号 {mask_card(card_no)}", address)
    attempt = begin_attempt(session, who)
    user = session.exec(
        select(User).join(Senior, col(Senior.id) == col(User.senior_id)).where(Senior.card_no == card_no)
    ).first()
    if not _matches(user, pin):
        _failed(session, who, user)
        raise InvalidInput({"pin": msg.SENIOR_LOGIN_FAILED})
    return _open_session(session, user, attempt, who, user_agent)


@dataclass(frozen=True)
class Who:
    """Who is trying to sign in: the throttle's key, the masked card or phone for the audit log, the address."""

    key: str
    masked: str
    address: str


def mask_card(card_no: str) -> str:
    """88001234 -> 88****34: enough for staff to recognise a card in the audit log, not to sign in with it."""
    return card_no[:2] + "*" * max(len(card_no) - 4, 0) + card_no[-2:] if len(card_no) > 4 else "*" * len(card_no)


def _failed(session: Session, who: Who, user: User | None) -> None:
    """A wrong secret is audited (masked card or phone, never the secret) as well as counted."""
    audit.record(session, user_id=user.id if user else None, action="auth.login_failed", object_type="user",
                 object_id=user.id if user else "", detail=who.masked, address=who.address)
    session.commit()


def _matches(user: User | None, secret: str) -> TypeGuard[User]:
    if user is None or not user.password_hash:
        verify_secret(_DUMMY_HASH, secret)
        return False
    return verify_secret(user.password_hash, secret)


def _open_session(session: Session, user: User, attempt: LoginAttempt, who: Who, user_agent: str) -> str:
    if not user.active:
        audit.record(session, user_id=user.id, action="auth.login_disabled", object_type="user",
                     object_id=user.id, detail=who.masked, address=who.address)
        session.commit()
        raise InvalidInput({"phone": msg.ACCOUNT_DISABLED})
    attempt.success = True
    session.add(attempt)
    audit.record(session, user_id=user.id, action="auth.login", object_type="user", object_id=user.id,
                 detail=who.masked, address=who.address)
    return issue_session(session, user, user_agent)


def issue_session(session: Session, user: User, user_agent: str = "") -> str:
    """A fresh session for a user who has just proved who they are (a password, or a one-time invitation), with
    its own CSRF token, ending after the idle time of the user's roles."""
    token = secrets.token_urlsafe(32)
    assert user.id is not None
    roles = set(session.exec(select(UserRole.role).where(UserRole.user_id == user.id)).all())
    idle, _life = session_limits(roles)
    session.add(UserSession(token_hash=token_hash(token), user_id=user.id, generation=user.session_generation,
                            csrf_token=csrf_for_session(token), expires_at=now() + idle,
                            user_agent=user_agent[:200]))
    user.last_login_at = now()
    session.add(user)
    session.commit()
    return token


def begin_attempt(session: Session, who: Who) -> LoginAttempt:
    """Count this try as a failure *before* the secret is checked, then let the caller check it; a try the
    limits refuse is not counted (so it does not lengthen the wait) and raises TooManyAttempts. The tries of
    one card or phone are serialised (count, then insert, then commit, one at a time): twenty guesses sent at
    once see each other, and only the free ones are checked. A try that succeeds is turned into a success by
    `_open_session`."""
    serialize_on(session, f"login:{who.key[:40]}")
    try:
        _check_throttle(session, who.key[:40])
    except TooManyAttempts:
        audit.record(session, user_id=None, action="auth.login_throttled", object_type="user",
                     detail=who.masked, address=who.address)
        session.commit()
        raise
    attempt = LoginAttempt(account_key=who.key[:40], address=who.address[:64], success=False)
    session.add(attempt)
    session.commit()
    return attempt


def _failures(session: Session, *where: Any, since: datetime) -> tuple[int, Any]:
    count, last = session.exec(
        select(func.count(), func.max(LoginAttempt.at))
        .where(*where, LoginAttempt.success == False, LoginAttempt.at >= since)  # noqa: E712
    ).one()
    return int(count), last


def _check_throttle(session: Session, account_key: str) -> None:
    """Per card or phone, from anywhere: after FREE_FAILURES failures in 15 minutes each further try waits
    longer (15 s doubling, at most 5 min), and CEILING failures in an hour stop the account's sign-in until
    the hour has passed (ASVS 2.2.1). Counting by account rather than by address means a changing
    X-Forwarded-For buys a guesser nothing, and one guesser behind a canteen's NAT never locks out everyone
    else signing in from the same kiosk."""
    key = LoginAttempt.account_key == account_key
    hourly, _ = _failures(session, key, since=now() - CEILING_WINDOW)
    if hourly >= CEILING:
        raise TooManyAttempts(msg.LOGIN_CEILING_REACHED, int(CEILING_WINDOW.total_seconds()))
    count, last = _failures(session, key, since=now() - WINDOW)
    if count >= FREE_FAILURES and last is not None:
        wait = min(15 * 2 ** (count - FREE_FAILURES), 300)
        last_at = last if last.tzinfo else last.replace(tzinfo=now().tzinfo)
        remaining = int((last_at + timedelta(seconds=wait) - now()).total_seconds())
        if remaining > 0:
            raise TooManyAttempts(msg.LOGIN_SLOWED.format(seconds=remaining), remaining)


def recent_failures(session: Session, key: str) -> int:
    """Failures counted against a card or phone in the ceiling's window."""
    return int(session.exec(select(func.count()).where(
        LoginAttempt.account_key == key[:40], LoginAttempt.success == False,  # noqa: E712
        LoginAttempt.at >= now() - CEILING_WINDOW)).one())


def clear_failures(session: Session, key: str) -> int:
    """Forget a card's or phone's failures (the counter unlocking a card); the caller audits and commits."""
    done = session.execute(delete(LoginAttempt).where(col(LoginAttempt.account_key) == key[:40],
                                                      col(LoginAttempt.success).is_(False)))
    return int(getattr(done, "rowcount", 0) or 0)


def require_principal(principal: Principal | None) -> Principal:
    if principal is None:
        raise LoginRequired(msg.LOGIN_REQUIRED)
    return principal


def sign_out(session: Session, session_id: int) -> None:
    us = session.get(UserSession, session_id)
    if us is not None:
        us.revoked_at = now()
        session.add(us)
        session.commit()


def sign_out_everywhere(session: Session, user_id: int) -> None:
    user = session.get(User, user_id)
    if user is not None:
        user.session_generation += 1
        session.add(user)
        session.commit()


def set_font_size(session: Session, user_id: int, size: str) -> None:
    user = session.get(User, user_id)
    if user is not None and size in FONT_SIZES:
        user.font_size = size
        session.add(user)
        session.commit()
