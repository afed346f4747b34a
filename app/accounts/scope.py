"""What an operator may manage. An operator scoped to some canteens (a street's operator) manages only the
staff of those canteens and the seniors registered there; granting the operator role, and reading the whole
audit log, is for operators of every canteen. Without these checks a scoped operator could invite a
city-wide operator and so give themselves every canteen."""

from __future__ import annotations

from collections.abc import Iterable

from sqlmodel import Session, col, select

from app.core import messages as msg
from app.core.errors import Forbidden, InvalidInput
from app.core.principal import Principal
from app.models import HelperLink, Senior, User, UserRole


def operator_canteens(principal: Principal) -> frozenset[int] | None:
    """The operator's canteens; None means every canteen."""
    scope = principal.canteens_for("operator")
    return None if None in scope else frozenset(c for c in scope if c is not None)


def _in_scope(scope: frozenset[int] | None, canteen_id: int | None) -> bool:
    return scope is None or (canteen_id is not None and canteen_id in scope)


def check_grants(principal: Principal, grants: Iterable[tuple[str, int | None]]) -> None:
    """Roles a scoped operator hands out stay inside their canteens; only city-wide operators make operators."""
    scope = operator_canteens(principal)
    if scope is None:
        return
    for role, canteen_id in grants:
        if role == "operator" or (role != "helper" and not _in_scope(scope, canteen_id)):
            raise InvalidInput({f"canteen_{role}" if role != "operator" else "roles": msg.ROLE_OUT_OF_SCOPE})


def may_manage(session: Session, principal: Principal, user_id: int) -> bool:
    scope = operator_canteens(principal)
    if scope is None:
        return True
    roles = session.exec(select(UserRole).where(UserRole.user_id == user_id)).all()
    if any(r.role == "operator" for r in roles):
        return False
    if not all(_in_scope(scope, r.canteen_id) for r in roles if r.role not in ("helper", "senior")):
        return False
    linked = session.exec(select(Senior.default_canteen_id).join(HelperLink, col(HelperLink.senior_id) == Senior.id)
                          .where(HelperLink.helper_id == user_id, col(HelperLink.revoked_at).is_(None))).all()
    own = session.exec(select(Senior.default_canteen_id).join(User, col(User.senior_id) == Senior.id)
                       .where(User.id == user_id)).all()
    return all(_in_scope(scope, c) for c in [*linked, *own])


def check_may_manage(session: Session, principal: Principal, user_id: int) -> None:
    if not may_manage(session, principal, user_id):
        raise Forbidden(msg.USER_OUT_OF_SCOPE)


def check_senior(principal: Principal, senior: Senior) -> None:
    if not _in_scope(operator_canteens(principal), senior.default_canteen_id):
        raise Forbidden(msg.SENIOR_OUT_OF_SCOPE)


def senior_in_scope(principal: Principal, senior: Senior) -> bool:
    return _in_scope(operator_canteens(principal), senior.default_canteen_id)


def check_audit_access(principal: Principal) -> None:
    """The audit log has no canteen column; it is read by operators of every canteen."""
    if operator_canteens(principal) is not None:
        raise Forbidden(msg.AUDIT_ALL_CANTEENS_ONLY)
