"""Sign-in, sessions and the signed-in principal.

Staff and helpers use phone + password (Argon2). Seniors use their card number + a short PIN, so nobody has to
remember a password (适老化 rule 8). Failed attempts slow the next try per account *and* address rather than
locking the account, so an attacker cannot lock a senior out of ordering lunch.
"""

from __future__ import annotations

import re
import secrets
from datetime import timedelta
from typing import TypeGuard

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlmodel import Session, col, func, select

from app.core import messages as msg
from app.core.errors import InvalidInput, LoginRequired, TooManyAttempts
from app.core.principal import Principal, token_hash
from app.core.settings import get_settings
from app.models import LoginAttempt, Senior, User, UserSession, now

_hasher = PasswordHasher()
PHONE_RE = re.compile(r"^1\d{10}$")
# [0-9], not \d: "፩፪፫፬" (Ethiopic digits) must not pass for a PIN.
PIN_RE = re.compile(r"^[0-9]{4,6}$")
FREE_FAILURES = 5
WINDOW = timedelta(minutes=15)


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
    _check_throttle(session, f"p:{phone}", address)
    user = session.exec(select(User).where(User.phone == phone)).first()
    if not _matches(user, password):
        _fail(session, f"p:{phone}", address)
        raise InvalidInput({"password": msg.LOGIN_FAILED})
    return _open_session(session, user, f"p:{phone}", address, user_agent)


def sign_in_senior(session: Session, card_no: str, pin: str, address: str, user_agent: str = "") -> str:
    card_no, pin, errors = card_no.strip(), pin.strip(), {}
    if not card_no:
        errors["card_no"] = msg.CARD_REQUIRED
    if not PIN_RE.match(pin):
        errors["pin"] = msg.PIN_REQUIRED
    if errors:
        raise InvalidInput(errors)
    _check_throttle(session, f"c:{card_no}", address)
    user = session.exec(
        select(User).join(Senior, col(Senior.id) == col(User.senior_id)).where(Senior.card_no == card_no)
    ).first()
    if not _matches(user, pin):
        _fail(session, f"c:{card_no}", address)
        raise InvalidInput({"pin": msg.SENIOR_LOGIN_FAILED})
    return _open_session(session, user, f"c:{card_no}", address, user_agent)


def _matches(user: User | None, secret: str) -> TypeGuard[User]:
    if user is None or not user.password_hash:
        verify_secret(_DUMMY_HASH, secret)
        return False
    return verify_secret(user.password_hash, secret)


def _open_session(session: Session, user: User, key: str, address: str, user_agent: str) -> str:
    if not user.active:
        raise InvalidInput({"phone": msg.ACCOUNT_DISABLED})
    session.add(LoginAttempt(account_key=key[:40], address=address[:64], success=True))
    return issue_session(session, user, user_agent)


def issue_session(session: Session, user: User, user_agent: str = "") -> str:
    """A fresh session for a user who has just proved who they are (a password, or a one-time invitation)."""
    token = secrets.token_urlsafe(32)
    assert user.id is not None
    session.add(UserSession(token_hash=token_hash(token), user_id=user.id, generation=user.session_generation,
                            csrf_token=secrets.token_urlsafe(24),
                            expires_at=now() + timedelta(days=get_settings().session_days),
                            user_agent=user_agent[:200]))
    user.last_login_at = now()
    session.add(user)
    session.commit()
    return token


def _fail(session: Session, key: str, address: str) -> None:
    session.add(LoginAttempt(account_key=key[:40], address=address[:64], success=False))
    session.commit()


def _check_throttle(session: Session, key: str, address: str) -> None:
    """After FREE_FAILURES recent failures, each further try waits longer (15 s doubling, at most 5 min).

    Failures are counted for this account from this address, and for the address overall (with a higher bar),
    so someone guessing from elsewhere slows only themselves, never the senior at their own phone.
    """
    since, key, address = now() - WINDOW, key[:40], address[:64]
    for where, limit in (((LoginAttempt.account_key == key, LoginAttempt.address == address), FREE_FAILURES),
                         ((LoginAttempt.address == address,), FREE_FAILURES * 4)):
        count, last = session.exec(
            select(func.count(), func.max(LoginAttempt.at))
            .where(*where, LoginAttempt.success == False, LoginAttempt.at >= since)  # noqa: E712
        ).one()
        if count >= limit and last is not None:
            wait = min(15 * 2 ** (count - limit), 300)
            last_at = last if last.tzinfo else last.replace(tzinfo=now().tzinfo)
            remaining = int((last_at + timedelta(seconds=wait) - now()).total_seconds())
            if remaining > 0:
                raise TooManyAttempts(msg.LOGIN_SLOWED.format(seconds=remaining), remaining)


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
    if user is not None and size in ("大", "特大"):
        user.font_size = size
        session.add(user)
        session.commit()
