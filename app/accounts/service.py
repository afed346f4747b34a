"""Accounts: operators invite staff and helpers, change their roles, switch accounts off; counters set a
senior's card PIN; a helper is linked to a senior only with a recorded consent (who agreed, when, how).

Every change writes an audit event in the same transaction, so the log and the change commit together.
Nobody sets another person's password: an invitation is a one-time link the invitee opens to choose their own.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from app.accounts import auth, scope
from app.accounts.auth import PIN_RE, hash_secret, issue_session
from app.accounts.forms import InviteForm
from app.core import audit
from app.core import messages as msg
from app.core.errors import AppError, Forbidden, InvalidInput, NotFound
from app.core.forms import Problems, parse_form
from app.core.principal import Principal, token_hash
from app.core.privacy import mask_phone
from app.models import Canteen, Driver, Invitation, Senior, User, UserRole, now

# Roles that only make sense at one canteen; operators and helpers are not tied to one.
SCOPED_ROLES = ("counter", "kitchen", "dispatcher", "driver")
INVITABLE_ROLES = ("helper", "counter", "kitchen", "dispatcher", "driver", "operator")
INVITATION_DAYS = 7
PASSWORD_MIN, PASSWORD_MAX = 12, 128
# ASCII digits only: str.isdigit() accepts "²", which int() then refuses.
_ID = re.compile(r"[0-9]{1,9}")


class InvitationGone(AppError):
    status_code = 410


@dataclass(frozen=True)
class Grant:
    role: str
    canteen_id: int | None = None


@dataclass(frozen=True)
class Invited:
    user_id: int
    name: str
    token: str


def _user(session: Session, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise NotFound(msg.USER_NOT_FOUND)
    return user


def _managed(session: Session, principal: Principal, user_id: int) -> User:
    """The account, if this operator's canteens cover it (see accounts_scope)."""
    user = _user(session, user_id)
    scope.check_may_manage(session, principal, user_id)
    return user


def _roles_text(grants: list[Grant], canteens: Mapping[int, str]) -> str:
    return "、".join(msg.ROLE_NAMES.get(g.role, g.role) + (f"（{canteens.get(g.canteen_id, g.canteen_id)}）"
                                                         if g.canteen_id else "") for g in grants) or "无"


def canteen_names(session: Session) -> dict[int, str]:
    return {c.id: c.name for c in session.exec(select(Canteen).order_by(col(Canteen.id))) if c.id is not None}


# ---------------------------------------------------------------- roles from a form

def grants_from_form(form: Mapping[str, str], canteens: Mapping[int, str]) -> list[Grant]:
    """Form fields `role_<role>` (ticked) and `canteen_<role>` (a canteen id for scoped roles)."""
    grants, errors = [], {}
    for role in INVITABLE_ROLES:
        if not form.get(f"role_{role}"):
            continue
        if role not in SCOPED_ROLES:
            grants.append(Grant(role))
            continue
        raw = str(form.get(f"canteen_{role}", "")).strip()
        if not raw:
            errors[f"canteen_{role}"] = msg.ROLE_NEEDS_CANTEEN.format(role=msg.ROLE_NAMES[role])
        elif not _ID.fullmatch(raw) or int(raw) not in canteens:
            errors[f"canteen_{role}"] = msg.CANTEEN_UNKNOWN
        else:
            grants.append(Grant(role, int(raw)))
    if form.get("role_senior"):
        errors["roles"] = msg.ROLE_NO_SENIOR
    elif not grants and not errors:
        errors["roles"] = msg.ROLES_REQUIRED
    if errors:
        raise InvalidInput(errors)
    return grants


def _store_grants(session: Session, user: User, grants: list[Grant]) -> None:
    assert user.id is not None
    for g in grants:
        session.add(UserRole(user_id=user.id, role=g.role, canteen_id=g.canteen_id))
        if g.role == "driver" and g.canteen_id is not None:
            _ensure_driver(session, user, g.canteen_id)


def _ensure_driver(session: Session, user: User, canteen_id: int) -> None:
    """Driver pages find the driver through the account; a new driver is ready for shifts straight away."""
    if session.exec(select(Driver).where(Driver.user_id == user.id)).first() is None:
        session.add(Driver(user_id=user.id, canteen_id=canteen_id, name=user.name, phone=user.phone or ""))


def grants_of(session: Session, user_id: int) -> list[Grant]:
    rows = session.exec(select(UserRole).where(UserRole.user_id == user_id).order_by(col(UserRole.id)))
    return [Grant(r.role, r.canteen_id) for r in rows]


# ---------------------------------------------------------------- invitations

def _check_name_phone(session: Session, name: str, phone: str) -> dict[str, str]:
    """The typed invitation form (app.accounts.forms), then the phone not yet taken: every problem at once."""
    problems = Problems()
    try:
        parse_form(InviteForm, {"name": name, "phone": phone})
    except InvalidInput as e:
        problems.errors |= e.errors
    problems.check("phone" in problems.errors
                   or session.exec(select(User.id).where(User.phone == phone)).first() is None,
                   "phone", msg.PHONE_TAKEN)
    return problems.errors


def invite(session: Session, principal: Principal, *, name: str, phone: str, form: Mapping[str, str],
           address: str = "") -> Invited:
    """Create the account (no password yet) with its roles, and a one-time link to set the password."""
    name, phone = name.strip(), phone.strip()
    canteens = canteen_names(session)
    errors = _check_name_phone(session, name, phone)
    try:
        grants = grants_from_form(form, canteens)
        scope.check_grants(principal, [(g.role, g.canteen_id) for g in grants])
    except InvalidInput as e:
        errors |= e.errors
    if errors:
        raise InvalidInput(errors)
    user = User(name=name, phone=phone, password_hash="", invited_by_id=principal.user_id)
    session.add(user)
    try:
        session.flush()
    except IntegrityError:  # the same phone invited twice at once
        session.rollback()
        raise InvalidInput({"phone": msg.PHONE_TAKEN}) from None
    _store_grants(session, user, grants)
    token = _new_invitation(session, user, principal.user_id)
    audit.record(session, user_id=principal.user_id, action="user.invite", object_type="user", object_id=user.id,
                 detail=f"{name} {mask_phone(phone)}：{_roles_text(grants, canteens)}", address=address)
    session.commit()
    assert user.id is not None
    return Invited(user.id, name, token)


def _new_invitation(session: Session, user: User, created_by_id: int) -> str:
    assert user.id is not None
    session.execute(update(Invitation).where(col(Invitation.user_id) == user.id, col(Invitation.used_at).is_(None))
                    .values(expires_at=now()))
    token = secrets.token_urlsafe(32)
    session.add(Invitation(token_hash=token_hash(token), user_id=user.id, created_by_id=created_by_id,
                           expires_at=now() + timedelta(days=INVITATION_DAYS)))
    return token


def reinvite(session: Session, principal: Principal, user_id: int, address: str = "") -> Invited:
    """A forgotten password or a lost phone: the old password, links and sessions all stop working."""
    user = _managed(session, principal, user_id)
    if user.senior_id is not None and not user.phone:
        raise InvalidInput({"user": msg.ROLE_NO_SENIOR})
    user.password_hash = ""
    user.session_generation += 1
    session.add(user)
    token = _new_invitation(session, user, principal.user_id)
    audit.record(session, user_id=principal.user_id, action="user.reinvite", object_type="user", object_id=user_id,
                 detail=user.name, address=address)
    session.commit()
    return Invited(user_id, user.name, token)


@dataclass(frozen=True)
class InvitationView:
    name: str
    phone_masked: str


def _open_invitation(session: Session, token: str) -> tuple[Invitation, User]:
    row = session.exec(select(Invitation, User).join(User, col(User.id) == col(Invitation.user_id))
                       .where(Invitation.token_hash == token_hash(token[:100]))).first()
    if row is None or row[0].used_at is not None:
        raise NotFound(msg.INVITATION_INVALID)
    invitation, user = row
    if invitation.expires_at < now():
        raise InvitationGone(msg.INVITATION_EXPIRED)
    if not user.active:
        raise Forbidden(msg.ACCOUNT_DISABLED)
    return invitation, user


def invitation_for(session: Session, token: str) -> InvitationView:
    _, user = _open_invitation(session, token)
    return InvitationView(user.name, mask_phone(user.phone or ""))


# The first passwords any guesser tries, lower-cased (the check also strips digits and symbols stuck on the end,
# so "Password2026!" is caught by "password"): the world's and China's most common ones, pinyin included.
COMMON_PASSWORDS = frozenset({
    "password", "passw0rd", "qwerty", "qwertyuiop", "asdfghjkl", "zxcvbnm", "1qaz2wsx", "1q2w3e4r", "abc",
    "iloveyou", "woaini", "woaini1314", "admin", "administrator", "welcome", "letmein", "monkey", "dragon",
    "baseball", "football", "superman", "sunshine", "princess", "shanghai", "beijing", "zhongguo", "china",
    "wangyi", "nihao", "changzhe", "shitang", "canteen", "laoren", "yanglao", "zhuchan", "aa", "abcabc", "qq",
    "wodemima", "mima", "mimamima", "caonima", "a", "aaa", "test", "changeme", "secret",
})
# Runs a hand types without thinking: digits and letters in order or backwards, the keyboard rows.
RUNS = ("01234567890", "09876543210", "abcdefghijklmnopqrstuvwxyz", "zyxwvutsrqponmlkjihgfedcba",
        "qwertyuiop", "poiuytrewq", "asdfghjkl", "lkjhgfdsa", "zxcvbnm", "mnbvcxz", "1qaz2wsx3edc4rfv")
# A mainland mobile number anywhere in the password: someone's phone, the first thing tried after the name.
MOBILE_IN = re.compile(r"1[3-9][0-9]{9}")
DATE_IN = re.compile(r"(19|20)[0-9]{2}(0[1-9]|1[0-2])(0[1-9]|[12][0-9]|3[01])")


def _runs(low: str, length: int = 5) -> bool:
    return any(low[i:i + length] in run for run in RUNS for i in range(len(low) - length + 1))


def password_problem(password: str, phone: str) -> str | None:
    """Why a new staff password is too easy to guess (issue 13, finding 11), or None. At least 12 characters,
    not only digits, not one or two characters repeated, no 5-character run (12345, abcde, qwert), no famous
    password with digits stuck on, no mobile number or yyyymmdd date, nothing of the account's own phone."""
    low = password.lower()
    bare = re.sub(r"[^a-z]", "", low)
    if len(password) < PASSWORD_MIN:
        return msg.PASSWORD_MIN_12
    if len(password) > PASSWORD_MAX:
        return msg.PASSWORD_TOO_LONG
    if phone and (password == phone or phone[-8:] in password):
        return msg.PASSWORD_IS_PHONE
    if MOBILE_IN.search(password):
        return msg.PASSWORD_HAS_MOBILE
    if password.isdigit():
        return msg.PASSWORD_ONLY_DIGITS
    if (len(set(low)) <= 3 or low in COMMON_PASSWORDS or bare in COMMON_PASSWORDS or _runs(low)
            or DATE_IN.search(password) or _repeats(low)):
        return msg.PASSWORD_TOO_SIMPLE_12
    return None


def _repeats(text: str) -> bool:
    """"abab", "abcabc": one short piece typed again and again."""
    return any(len(text) % n == 0 and text[:n] * (len(text) // n) == text for n in range(1, len(text) // 2 + 1))


def check_password(password: str, password2: str, phone: str) -> None:
    errors = {}
    if not password:
        errors["password"] = msg.PASSWORD_REQUIRED
    elif (problem := password_problem(password, phone)) is not None:
        errors["password"] = problem
    elif password != password2:
        errors["password2"] = msg.PASSWORD_MISMATCH
    if errors:
        raise InvalidInput(errors)


def accept_invitation(session: Session, token: str, password: str, password2: str, *, address: str = "",
                      user_agent: str = "") -> str:
    """Set the invitee's own password and sign them in; returns the new session token for the cookie."""
    invitation, user = _open_invitation(session, token)
    check_password(password, password2, user.phone or "")
    # Single use even under two simultaneous submits: only one UPDATE finds the link unused.
    taken = session.execute(update(Invitation).where(col(Invitation.id) == invitation.id,
                                                     col(Invitation.used_at).is_(None)).values(used_at=now()))
    if getattr(taken, "rowcount", 0) != 1:
        session.rollback()
        raise NotFound(msg.INVITATION_INVALID)
    user.password_hash = hash_secret(password)
    user.session_generation += 1
    session.add(user)
    audit.record(session, user_id=user.id, action="user.password_set", object_type="user", object_id=user.id,
                 address=address)
    return issue_session(session, user, user_agent)


# ---------------------------------------------------------------- roles and switching accounts off

def set_roles(session: Session, principal: Principal, user_id: int, form: Mapping[str, str],
              address: str = "") -> User:
    user = _managed(session, principal, user_id)
    canteens = canteen_names(session)
    grants = grants_from_form(form, canteens)
    scope.check_grants(principal, [(g.role, g.canteen_id) for g in grants])
    if user_id == principal.user_id and not any(g.role == "operator" for g in grants):
        raise InvalidInput({"roles": msg.CANNOT_CHANGE_SELF})
    if user.senior_id is not None:
        # A card account signs in with a short PIN: staff or helper powers need a phone and a password.
        raise InvalidInput({"roles": msg.SENIOR_ACCOUNT_NO_ROLES})
    before = grants_of(session, user_id)
    kept = [g for g in before if g.role == "senior"]  # a senior's own account is managed through the card
    for row in session.exec(select(UserRole).where(UserRole.user_id == user_id, UserRole.role != "senior")):
        session.delete(row)
    session.flush()
    _store_grants(session, user, grants)
    audit.record(session, user_id=principal.user_id, action="user.roles", object_type="user", object_id=user_id,
                 detail=f"{user.name}：{_roles_text(before, canteens)} → {_roles_text(kept + grants, canteens)}",
                 address=address)
    session.commit()
    return user


def set_active(session: Session, principal: Principal, user_id: int, active: bool, address: str = "") -> User:
    if user_id == principal.user_id and not active:
        raise InvalidInput({"user": msg.CANNOT_CHANGE_SELF})
    user = _managed(session, principal, user_id)
    user.active = active
    if not active:
        user.session_generation += 1
    session.add(user)
    audit.record(session, user_id=principal.user_id, action="user.activate" if active else "user.deactivate",
                 object_type="user", object_id=user_id, detail=user.name, address=address)
    session.commit()
    return user


def sign_out_user(session: Session, principal: Principal, user_id: int, address: str = "") -> User:
    """A lost phone: every session of the account ends; the password stays."""
    user = _managed(session, principal, user_id)
    user.session_generation += 1
    session.add(user)
    audit.record(session, user_id=principal.user_id, action="user.sign_out_everywhere", object_type="user",
                 object_id=user_id, detail=user.name, address=address)
    session.commit()
    return user


# ---------------------------------------------------------------- seniors' card PINs

WEAK_PINS = frozenset({"1234", "12345", "123456", "4321", "654321", "0000", "00000", "000000"}
                      | {d * n for d in "0123456789" for n in (4, 5, 6)})


def birthday_pins(born: date) -> frozenset[str]:
    """The PINs a birthday gives away (0428, 2804, 1954, 540428): anyone holding the card may know the date."""
    return frozenset({f"{born:%m%d}", f"{born:%d%m}", f"{born:%Y}", f"{born:%y%m%d}"})


def senior_for_pin(session: Session, principal: Principal, senior_id: int) -> Senior:
    """The counter sets PINs for seniors registered at its own canteen; operators for anyone."""
    senior = session.get(Senior, senior_id)
    if senior is None:
        raise NotFound(msg.SENIOR_NOT_FOUND)
    if principal.has("operator") and scope.senior_in_scope(principal, senior):
        return senior
    home = senior.default_canteen_id
    if home is None or not principal.may_see_canteen("counter", home):
        raise Forbidden(msg.SENIOR_OTHER_CANTEEN)
    return senior


def has_pin(session: Session, senior_id: int) -> bool:
    user = session.exec(select(User).where(User.senior_id == senior_id)).first()
    return bool(user and user.password_hash)


def set_senior_pin(session: Session, principal: Principal, senior_id: int, pin: str, pin2: str,
                   address: str = "") -> Senior:
    senior = senior_for_pin(session, principal, senior_id)
    pin, pin2 = pin.strip(), pin2.strip()
    if not senior.card_no:
        raise InvalidInput({"pin": msg.SENIOR_NO_CARD})
    if not PIN_RE.match(pin):
        raise InvalidInput({"pin": msg.PIN_INVALID})
    if pin in WEAK_PINS:
        raise InvalidInput({"pin": msg.PIN_TOO_SIMPLE})
    if pin in birthday_pins(senior.birth_date):
        raise InvalidInput({"pin": msg.PIN_IS_BIRTHDAY})
    if pin != pin2:
        raise InvalidInput({"pin2": msg.PIN_MISMATCH})
    user = session.exec(select(User).where(User.senior_id == senior_id)).first()
    if user is None:
        user = User(name=senior.name, senior_id=senior_id, invited_by_id=principal.user_id)
        session.add(user)
        session.flush()
        session.add(UserRole(user_id=user.id or 0, role="senior"))
    user.password_hash = hash_secret(pin)
    user.session_generation += 1  # whoever knew the old PIN is signed out
    session.add(user)
    audit.record(session, user_id=principal.user_id, action="senior.pin_set", object_type="senior",
                 object_id=senior_id, detail=f"卡号 {senior.card_no}", address=address)
    session.commit()
    return senior


# ---------------------------------------------------------------- own password; a locked card (issue 13)

def password_owner(session: Session, principal: Principal) -> User:
    """The signed-in account, if it has a password of its own to change (not a senior's card account)."""
    user = _user(session, principal.user_id)
    if user.senior_id is not None or not user.phone:
        raise Forbidden(msg.PASSWORD_CHANGE_CARD)
    return user


def change_password(session: Session, principal: Principal, old: str, new: str, new2: str, *, address: str = "",
                    user_agent: str = "") -> str:
    """Staff and helpers change their own password: the old one first (counted like a sign-in, so the page
    cannot be used to guess it), then the new one under the policy. Every other session of the account ends;
    returns this device's new session token."""
    user = password_owner(session, principal)
    phone = user.phone or ""
    if not old:
        raise InvalidInput({"old_password": msg.PASSWORD_REQUIRED})
    attempt = auth.begin_attempt(session, auth.Who(f"p:{phone}", f"手机号 {mask_phone(phone)}", address))
    if not auth.verify_secret(user.password_hash, old):
        audit.record(session, user_id=user.id, action="user.password_change_failed", object_type="user",
                     object_id=user.id, address=address)
        session.commit()
        raise InvalidInput({"old_password": msg.PASSWORD_OLD_WRONG})
    attempt.success = True  # the right old password: not a failure, whatever the new one
    session.add(attempt)
    session.commit()
    if new == old:
        raise InvalidInput({"password": msg.PASSWORD_SAME_AS_OLD})
    check_password(new, new2, phone)
    user.password_hash = hash_secret(new)
    user.session_generation += 1  # whoever knew the old password is signed out everywhere
    session.add(user)
    audit.record(session, user_id=user.id, action="user.password_changed", object_type="user", object_id=user.id,
                 address=address)
    return issue_session(session, user, user_agent)


def card_lock(session: Session, principal: Principal, senior_id: int) -> int:
    """Failed PINs on the senior's card in the last hour (the throttle slows it from 5, stops it at 100)."""
    senior = senior_for_pin(session, principal, senior_id)
    return auth.recent_failures(session, f"c:{senior.card_no}") if senior.card_no else 0


def unlock_card(session: Session, principal: Principal, senior_id: int, address: str = "") -> Senior:
    """The counter unlocks a card that wrong PINs have slowed or stopped, once the senior has shown who they are
    (ID card or a known face, at the counter): the failures are wiped, the unlock audited."""
    senior = senior_for_pin(session, principal, senior_id)
    if not senior.card_no:
        raise InvalidInput({"pin": msg.SENIOR_NO_CARD})
    wiped = auth.clear_failures(session, f"c:{senior.card_no}")
    audit.record(session, user_id=principal.user_id, action="senior.card_unlocked", object_type="senior",
                 object_id=senior_id, detail=f"卡号 {auth.mask_card(senior.card_no)}，清除 {wiped} 次错误",
                 address=address)
    session.commit()
    return senior
