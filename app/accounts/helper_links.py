"""Helper links: a helper (family member, neighbour, volunteer) acts for a senior only while a link exists that
records the consent — who agreed, when, and how (书面 / 当面 / 电话 / 视频). Revoking keeps the record."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time

from sqlmodel import Session, col, select

from app.accounts import scope
from app.accounts.service import grants_of
from app.core import audit
from app.core import messages as msg
from app.core.errors import Conflict, InvalidInput, NotFound
from app.core.forms import small_int
from app.core.principal import Principal
from app.core.settings import TZ
from app.models import HelperLink, Senior, User, now

CONSENT_METHODS = msg.CONSENT_METHODS


@dataclass(frozen=True)
class LinkForm:
    helper_phone: str = ""
    senior_card: str = ""
    relation: str = ""
    consent_by: str = ""
    consent_method: str = ""
    consent_date: str = ""
    senior_id: str = ""  # from the senior's record (issue 14): then no card number is needed


def _consent_at(raw: str, today: date) -> tuple[datetime | None, str | None]:
    try:
        day = date.fromisoformat(raw.strip())
    except ValueError:
        return None, msg.CONSENT_DATE_INVALID
    if day > today:
        return None, msg.CONSENT_DATE_FUTURE
    return (now() if day == today else datetime.combine(day, time(12), TZ)), None


def _link_parties(session: Session, form: LinkForm, errors: dict[str, str]) -> tuple[User | None, Senior | None]:
    helper = session.exec(select(User).where(User.phone == form.helper_phone.strip())).first()
    if helper is None:
        errors["helper_phone"] = msg.HELPER_PHONE_UNKNOWN
    elif not any(g.role == "helper" for g in grants_of(session, helper.id or 0)):
        errors["helper_phone"] = msg.HELPER_NOT_HELPER
    card = form.senior_card.strip()
    record = small_int(form.senior_id)
    senior = session.get(Senior, record) if record is not None else \
        session.exec(select(Senior).where(Senior.card_no == card)).first() if card else None
    if senior is None:
        errors["senior_card"] = msg.SENIOR_CARD_UNKNOWN
    return helper, senior


def _check_link_form(form: LinkForm, today: date, errors: dict[str, str]) -> datetime | None:
    if not form.relation.strip() or len(form.relation.strip()) > 20:
        errors["relation"] = msg.RELATION_REQUIRED
    if not form.consent_by.strip() or len(form.consent_by.strip()) > 40:
        errors["consent_by"] = msg.CONSENT_BY_REQUIRED
    if form.consent_method not in CONSENT_METHODS:
        errors["consent_method"] = msg.CONSENT_METHOD_INVALID
    at, problem = _consent_at(form.consent_date, today)
    if problem:
        errors["consent_date"] = problem
    return at


def link_helper(session: Session, principal: Principal, form: LinkForm, today: date,
                address: str = "") -> HelperLink:
    errors: dict[str, str] = {}
    helper, senior = _link_parties(session, form, errors)
    consent_at = _check_link_form(form, today, errors)
    if errors:
        raise InvalidInput(errors)
    assert helper is not None and senior is not None and consent_at is not None
    scope.check_senior(principal, senior)
    link = session.exec(select(HelperLink).where(HelperLink.helper_id == helper.id,
                                                 HelperLink.senior_id == senior.id)).first()
    if link is not None and link.revoked_at is None:
        raise InvalidInput({"senior_card": msg.LINK_EXISTS})
    link = link or HelperLink(helper_id=helper.id or 0, senior_id=senior.id or 0, relation="", consent_by="",
                              consent_method="当面", consent_at=consent_at)
    link.relation, link.consent_by = form.relation.strip(), form.consent_by.strip()
    link.consent_method, link.consent_at = form.consent_method, consent_at
    link.recorded_by_id, link.revoked_at = principal.user_id, None
    session.add(link)
    session.flush()
    audit.record(session, user_id=principal.user_id, action="helper_link.create", object_type="helper_link",
                 object_id=link.id, detail=f"{helper.name} → {senior.name}（{link.relation}）；"
                 f"{link.consent_by}{link.consent_method}同意，{consent_at:%Y-%m-%d}", address=address)
    session.commit()
    return link


def revoke_link(session: Session, principal: Principal, link_id: int, address: str = "") -> HelperLink:
    link = session.get(HelperLink, link_id)
    if link is None:
        raise NotFound(msg.LINK_NOT_FOUND)
    senior = session.get(Senior, link.senior_id)
    if senior is not None:
        scope.check_senior(principal, senior)
    if link.revoked_at is not None:
        raise Conflict(msg.LINK_ALREADY_REVOKED)
    link.revoked_at = now()
    session.add(link)
    audit.record(session, user_id=principal.user_id, action="helper_link.revoke", object_type="helper_link",
                 object_id=link_id, address=address)
    session.commit()
    return link


def linked_senior_ids(session: Session, helper_id: int) -> set[int]:
    """The seniors a helper may act for: consented links that are not revoked."""
    rows = session.exec(select(HelperLink.senior_id).where(HelperLink.helper_id == helper_id,
                                                           col(HelperLink.revoked_at).is_(None)))
    return set(rows)
