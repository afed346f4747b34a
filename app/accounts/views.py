"""What the operators' account pages show: typed rows with phones and ID numbers already masked, so a template
cannot print them in full by mistake."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, and_, col, func, or_, select

from app.accounts import scope
from app.accounts.service import INVITABLE_ROLES, SCOPED_ROLES, Grant, canteen_names
from app.core.principal import Principal
from app.core.privacy import mask_id_number, mask_phone
from app.models import HelperLink, Invitation, Senior, User, UserRole, now

PAGE_SIZE = 100
STATUS_FILTERS = ("active", "inactive", "pending", "all")


@dataclass(frozen=True)
class RoleTag:
    role: str
    canteen: str


@dataclass(frozen=True)
class UserRow:
    id: int
    name: str
    phone_masked: str
    roles: list[RoleTag]
    active: bool
    pending: bool
    last_login_at: datetime | None


def _tags(rows: list[UserRole], canteens: dict[int, str]) -> list[RoleTag]:
    return [RoleTag(r.role, canteens.get(r.canteen_id, "") if r.canteen_id else "") for r in rows]


def _roles_by_user(session: Session, user_ids: list[int]) -> dict[int, list[UserRole]]:
    found: dict[int, list[UserRole]] = {}
    for r in session.exec(select(UserRole).where(col(UserRole.user_id).in_(user_ids)).order_by(col(UserRole.id))):
        found.setdefault(r.user_id, []).append(r)
    return found


@dataclass(frozen=True)
class UserPage:
    rows: list[UserRow]
    # The last row's id when more follow (a keyset page: never a name or phone in the address bar).
    next_after: int | None


def users_list(session: Session, principal: Principal, *, q: str = "", role: str = "",
               status: str = "active", after: int | None = None) -> UserPage:
    """Staff and helpers this operator manages (a senior's own card account only when filtering by 长者), in
    (name, id) order, PAGE_SIZE a page: page 40 of a city's accounts costs what page 1 does."""
    query = select(User).order_by(col(User.name), col(User.id)).limit(PAGE_SIZE + 1)
    last = session.get(User, after) if after else None
    if last is not None:
        query = query.where(or_(col(User.name) > last.name, and_(col(User.name) == last.name, col(User.id) > last.id)))
    q = q.strip()[:40]
    if q:
        query = query.where(or_(col(User.name).contains(q, autoescape=True), User.phone == q))
    if role:
        query = query.where(col(User.id).in_(select(UserRole.user_id).where(UserRole.role == role)))
    else:
        query = query.where(col(User.senior_id).is_(None))
    if status in ("active", "pending"):
        query = query.where(col(User.active).is_(True))
    elif status == "inactive":
        query = query.where(col(User.active).is_(False))
    if status == "pending":
        query = query.where(User.password_hash == "")
    found = list(session.exec(query))
    page, more = found[:PAGE_SIZE], len(found) > PAGE_SIZE
    users = [u for u in page if scope.may_manage(session, principal, u.id or 0)]
    roles = _roles_by_user(session, [u.id for u in users if u.id is not None])
    canteens = canteen_names(session)
    return UserPage([UserRow(u.id or 0, u.name, mask_phone(u.phone or ""), _tags(roles.get(u.id or 0, []), canteens),
                             u.active, not u.password_hash, u.last_login_at) for u in users],
                    page[-1].id if more and page else None)


@dataclass(frozen=True)
class UserDetail:
    id: int
    name: str
    phone_masked: str
    active: bool
    pending: bool
    is_senior: bool
    last_login_at: datetime | None
    invitation_expires_at: datetime | None
    form: dict[str, str]


def role_form(grants: list[Grant]) -> dict[str, str]:
    """Roles as the edit form's fields: role_<role> = "1", canteen_<role> = canteen id."""
    form: dict[str, str] = {}
    for g in grants:
        if g.role in INVITABLE_ROLES:
            form[f"role_{g.role}"] = "1"
        if g.role in SCOPED_ROLES and g.canteen_id is not None:
            form.setdefault(f"canteen_{g.role}", str(g.canteen_id))
    return form


def user_detail(session: Session, user_id: int) -> UserDetail | None:
    user = session.get(User, user_id)
    if user is None:
        return None
    grants = [Grant(r.role, r.canteen_id) for r in _roles_by_user(session, [user_id]).get(user_id, [])]
    expires = session.exec(select(func.max(Invitation.expires_at))
                           .where(Invitation.user_id == user_id, col(Invitation.used_at).is_(None))).one()
    open_until = expires if expires is not None and _aware(expires) > now() else None
    return UserDetail(user_id, user.name, mask_phone(user.phone or ""), user.active, not user.password_hash,
                      user.senior_id is not None, user.last_login_at, open_until, role_form(grants))


def _aware(at: datetime) -> datetime:
    return at if at.tzinfo else at.replace(tzinfo=now().tzinfo)


@dataclass(frozen=True)
class LinkRow:
    id: int
    helper_name: str
    helper_phone_masked: str
    senior_name: str
    senior_card: str
    senior_id_masked: str
    relation: str
    consent_by: str
    consent_method: str
    consent_at: datetime
    revoked_at: datetime | None


def helper_links(session: Session, principal: Principal, *, q: str = "", show_revoked: bool = False) -> list[LinkRow]:
    query = (select(HelperLink, User, Senior).join(User, col(User.id) == col(HelperLink.helper_id))
             .join(Senior, col(Senior.id) == col(HelperLink.senior_id))
             .order_by(col(HelperLink.consent_at).desc(), col(HelperLink.id).desc()).limit(PAGE_SIZE))
    q = q.strip()[:40]
    if q:
        query = query.where(or_(col(User.name).contains(q, autoescape=True),
                                col(Senior.name).contains(q, autoescape=True), User.phone == q,
                                Senior.card_no == q))
    if not show_revoked:
        query = query.where(col(HelperLink.revoked_at).is_(None))
    return [LinkRow(link.id or 0, helper.name, mask_phone(helper.phone or ""), senior.name, senior.card_no or "",
                    mask_id_number(senior.id_number), link.relation, link.consent_by, link.consent_method,
                    link.consent_at, link.revoked_at) for link, helper, senior in session.exec(query)
            if scope.senior_in_scope(principal, senior)]


@dataclass(frozen=True)
class SeniorCard:
    id: int
    name: str
    card_no: str
    id_masked: str
    has_pin: bool


def senior_card(senior: Senior, has_pin: bool) -> SeniorCard:
    return SeniorCard(senior.id or 0, senior.name, senior.card_no or "", mask_id_number(senior.id_number), has_pin)
