"""Reading the audit log, and recording the reads and exports that matter.

Writes that change data record their event inside their own transaction (`app.core.audit.record`).
A sensitive *read* has no transaction of its own, so `record_read` / `record_export` commit the event
themselves. Details shown to operators pass through `mask_personal` once more, in case a caller wrote an ID
number or a phone into a detail.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlmodel import Session, and_, col, func, or_, select

from app.core import audit
from app.core import messages as msg
from app.core.errors import InvalidInput
from app.core.privacy import mask_personal, mask_phone
from app.core.settings import TZ
from app.models import AuditEvent, User

PAGE_SIZE = 50
_CURSOR = re.compile(r"[1-9][0-9]{0,17}")
# Exports whose files hold names, addresses or ID numbers (the settlement ledger is pseudonymous, so not it).
PERSONAL_EXPORTS = frozenset({"export.personal", "kitchen_pdf_export"})


def record_read(session: Session, *, user_id: int, action: str, object_type: str, object_id: object,
                detail: str = "", address: str = "") -> None:
    """A sensitive read (a senior's full record, an emergency contact list): logged and committed now."""
    audit.record(session, user_id=user_id, action=action, object_type=object_type, object_id=object_id,
                 detail=mask_personal(detail), address=address)
    session.commit()


def record_export(session: Session, *, user_id: int, what: str, object_type: str, object_id: object = "",
                  rows: int = 0, personal: bool, address: str = "") -> None:
    """Exports are logged; those holding personal data get their own action so operators can filter them."""
    action = "export.personal" if personal else "export"
    record_read(session, user_id=user_id, action=action, object_type=object_type, object_id=object_id,
                detail=f"{what}（{rows} 行）" + ("；含个人信息" if personal else ""), address=address)


@dataclass(frozen=True)
class AuditQuery:
    user: str = ""
    action: str = ""
    object_type: str = ""
    object_id: str = ""
    date_from: date | None = None
    date_to: date | None = None
    # The id of the last event shown: the next page is what comes after it (newest first). A keyset, not an
    # offset, so the 300th page of a year's log costs what the first does and new events never shift a page.
    before: int | None = None


def _day(raw: str) -> date | None:
    return date.fromisoformat(raw) if raw else None


def parse_query(params: Mapping[str, str]) -> AuditQuery:
    """Filter fields as typed by the operator; bad dates are explained next to their field."""
    errors, days = {}, {}
    for name in ("date_from", "date_to"):
        try:
            days[name] = _day(str(params.get(name, "")).strip())
        except ValueError:
            errors[name] = msg.AUDIT_DATE_INVALID
    if not errors and days["date_from"] and days["date_to"] and days["date_to"] < days["date_from"]:
        errors["date_to"] = msg.AUDIT_RANGE_INVALID
    if errors:
        raise InvalidInput(errors)
    before = str(params.get("before", "")).strip()
    return AuditQuery(user=str(params.get("user", "")).strip()[:40], action=str(params.get("action", "")).strip()[:40],
                      object_type=str(params.get("object_type", "")).strip()[:40],
                      object_id=str(params.get("object_id", "")).strip()[:40],
                      date_from=days["date_from"], date_to=days["date_to"],
                      before=int(before) if _CURSOR.fullmatch(before) else None)


@dataclass(frozen=True)
class AuditRow:
    id: int
    at: datetime
    user_name: str
    user_phone_masked: str
    action: str
    action_name: str
    object_type: str
    object_id: str
    detail: str
    address: str
    personal_export: bool


@dataclass(frozen=True)
class AuditPage:
    rows: list[AuditRow]
    total: int
    next_before: int | None  # set when more events follow


def _filtered(query, q: AuditQuery):  # type: ignore[no-untyped-def]
    if q.user:
        query = query.where(or_(col(User.name).contains(q.user, autoescape=True), User.phone == q.user))
    if q.action:
        query = query.where(or_(AuditEvent.action == q.action, col(AuditEvent.action).startswith(q.action + ".")))
    if q.object_type:
        query = query.where(AuditEvent.object_type == q.object_type)
    if q.object_id:
        query = query.where(AuditEvent.object_id == q.object_id)
    if q.date_from:
        query = query.where(AuditEvent.at >= datetime.combine(q.date_from, time(), TZ))
    if q.date_to:
        query = query.where(AuditEvent.at < datetime.combine(q.date_to + timedelta(days=1), time(), TZ))
    return query


def search(session: Session, q: AuditQuery) -> AuditPage:
    """Newest first, PAGE_SIZE a page."""
    joined = select(AuditEvent, User).join(User, col(User.id) == col(AuditEvent.user_id), isouter=True)
    total = session.exec(_filtered(select(func.count()).select_from(AuditEvent)
                                   .join(User, col(User.id) == col(AuditEvent.user_id), isouter=True), q)).one()
    query = _filtered(joined, q)
    last = session.get(AuditEvent, q.before) if q.before else None
    if last is not None:
        query = query.where(or_(col(AuditEvent.at) < last.at,
                                and_(col(AuditEvent.at) == last.at, col(AuditEvent.id) < last.id)))
    found = list(session.exec(query.order_by(col(AuditEvent.at).desc(), col(AuditEvent.id).desc())
                              .limit(PAGE_SIZE + 1)))
    rows = [_row(e, u) for e, u in found[:PAGE_SIZE]]
    return AuditPage(rows, int(total), rows[-1].id if len(found) > PAGE_SIZE else None)


def _row(e: AuditEvent, u: User | None) -> AuditRow:
    return AuditRow(e.id or 0, e.at, u.name if u else "系统", mask_phone(u.phone or "") if u else "", e.action,
                    msg.AUDIT_ACTION_NAMES.get(e.action, e.action), e.object_type, e.object_id,
                    mask_personal(e.detail), e.address, e.action in PERSONAL_EXPORTS)


def filter_choices(session: Session) -> tuple[list[str], list[str]]:
    """The actions and object types that occur in the log, for the filter's drop-downs."""
    actions = sorted(set(session.exec(select(AuditEvent.action).distinct())) | set(msg.AUDIT_ACTION_NAMES))
    types = sorted(set(session.exec(select(AuditEvent.object_type).distinct())))
    return actions, types
