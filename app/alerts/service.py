"""Alerts an operator must act on: a no-answer at the door, a wellness concern, a problem on a delivery.

Raised by the driver's reports (app.dispatch.driver) and read by the dispatcher's live board and the
operators' dashboard through `open_alerts`. Each alert carries the senior's emergency contacts, because the
first thing to do is to ring them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Table
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, col, select

from app.core import messages as msg
from app.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from app.core.principal import Principal
from app.models import Alert, EmergencyContact, Senior, now

ALERT_ROLES = ("operator", "dispatcher")


@dataclass(frozen=True)
class Contact:
    name: str
    relation: str
    phone: str


@dataclass(frozen=True)
class AlertView:
    id: int
    kind: str
    kind_name: str
    status: str
    status_name: str
    senior_id: int | None
    senior_name: str
    canteen_id: int
    stop_id: int | None
    message: str
    created_at: datetime
    contacts: tuple[Contact, ...]
    outcome: str = ""
    outcome_name: str = ""
    handling_note: str = ""
    handled_at: datetime | None = None


def contacts_of(session: Session, senior_id: int) -> list[Contact]:
    rows = session.exec(select(EmergencyContact).where(EmergencyContact.senior_id == senior_id)
                        .order_by(col(EmergencyContact.priority), col(EmergencyContact.id))).all()
    return [Contact(c.name, c.relation, c.phone) for c in rows]


def contacts_text(contacts: list[Contact]) -> str:
    return "；".join(f"{c.name}（{c.relation}）{c.phone}" for c in contacts) or msg.ALERT_NO_CONTACTS


def raise_alert(session: Session, *, kind: str, senior_id: int, canteen_id: int, stop_id: int | None,
                message: str) -> Alert:
    """Adds the alert to the caller's transaction (the caller commits with the report that caused it)."""
    alert = Alert(kind=kind, senior_id=senior_id, canteen_id=canteen_id, stop_id=stop_id, message=message[:300])
    session.add(alert)
    return alert


def raise_once(session: Session, key: str, *, kind: str, senior_id: int | None, canteen_id: int,
               message: str, stop_id: int | None = None) -> bool:
    """Raise an alert about `key` unless one was ever raised about it; returns whether this call raised it. The key
    is unique in the database, so of two workers raising it at the same instant one inserts and the other's insert
    does nothing (ON CONFLICT DO NOTHING, on SQLite and PostgreSQL alike). Added to the caller's transaction."""
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    table: Table = Alert.__table__  # type: ignore[attr-defined]
    # Core insert on the table (not the ORM entity): RETURNING gives a row only when the alert went in.
    result = session.execute(insert(table).values(
        kind=kind, senior_id=senior_id, canteen_id=canteen_id, stop_id=stop_id, message=message[:300],
        dedupe_key=key[:120], status="open", created_at=now(), handling_note="",
    ).on_conflict_do_nothing(index_elements=["dedupe_key"]).returning(table.c.id))
    return result.first() is not None


def open_alerts(session: Session, canteen_ids: Iterable[int] | None = None, *,
                statuses: tuple[str, ...] = ("open", "acknowledged")) -> list[AlertView]:
    """Unresolved alerts, newest first; `canteen_ids=None` means every canteen."""
    # A cutoff notice is about a canteen's slot, not a senior: outer join.
    query = select(Alert, Senior).join(Senior, col(Senior.id) == Alert.senior_id, isouter=True).where(
        col(Alert.status).in_(statuses))
    if canteen_ids is not None:
        query = query.where(col(Alert.canteen_id).in_(list(canteen_ids)))
    rows = session.exec(query.order_by(col(Alert.created_at).desc(), col(Alert.id).desc())).all()
    return [_view(session, a, s) for a, s in rows]


def alerts_for(session: Session, principal: Principal) -> list[AlertView]:
    """The open alerts this principal's roles may see (operators and dispatchers, by canteen scope)."""
    scopes: set[int | None] = set()
    for role in ALERT_ROLES:
        scopes |= set(principal.canteens_for(role))
    if not scopes:
        raise Forbidden(msg.FORBIDDEN)
    return open_alerts(session, None if None in scopes else [c for c in scopes if c is not None])


def _view(session: Session, alert: Alert, senior: Senior | None) -> AlertView:
    return AlertView(id=alert.id or 0, kind=alert.kind, kind_name=msg.ALERT_KIND_NAMES.get(alert.kind, alert.kind),
                     status=alert.status, status_name=msg.ALERT_STATUS_NAMES.get(alert.status, alert.status),
                     senior_id=senior.id if senior else None, senior_name=senior.name if senior else "",
                     canteen_id=alert.canteen_id, stop_id=alert.stop_id, message=alert.message,
                     created_at=alert.created_at,
                     contacts=tuple(contacts_of(session, senior.id or 0)) if senior else (), outcome=alert.outcome,
                     outcome_name=msg.ALERT_OUTCOME_NAMES.get(alert.outcome, ""),
                     handling_note=alert.handling_note, handled_at=alert.handled_at)


def handle(session: Session, principal: Principal, alert_id: int, status: str, note: str = "") -> Alert:
    """Acknowledge an alert ("我来处理"), recording who took it. Commits. Closing goes through `close`."""
    alert = _own_alert(session, principal, alert_id)
    if status != "acknowledged":
        raise NotFound(msg.ALERT_NOT_FOUND)
    if alert.status == "resolved":
        raise Conflict(msg.ALERT_ALREADY_CLOSED)
    alert.status, alert.handled_by_id, alert.handled_at = status, principal.user_id, now()
    alert.handling_note = note[:300]
    session.add(alert)
    session.commit()
    return alert


def close(session: Session, principal: Principal, alert_id: int, outcome: str, note: str) -> Alert:
    """Close an alert with what was done (and a note; required for "other"): it stays in the senior's history.

    Raises InvalidInput with the error next to its field, and changes nothing, for a missing outcome or note.
    """
    alert = _own_alert(session, principal, alert_id)
    if alert.status == "resolved":
        raise Conflict(msg.ALERT_ALREADY_CLOSED)
    note = note.strip()
    errors = close_errors(outcome, note)
    if errors:
        raise InvalidInput(errors)
    alert.status, alert.outcome, alert.handling_note = "resolved", outcome, note
    alert.handled_by_id, alert.handled_at = principal.user_id, now()
    session.add(alert)
    session.commit()
    return alert


def close_errors(outcome: str, note: str) -> dict[str, str]:
    errors: dict[str, str] = {}
    if outcome not in msg.ALERT_OUTCOME_NAMES:
        errors["outcome"] = msg.ALERT_OUTCOME_REQUIRED
    elif outcome == "other" and len(note) < 2:
        errors["note"] = msg.ALERT_NOTE_REQUIRED
    if len(note) > 300:
        errors["note"] = msg.ALERT_NOTE_TOO_LONG
    return errors


def _own_alert(session: Session, principal: Principal, alert_id: int) -> Alert:
    alert = session.get(Alert, alert_id)
    if alert is None:
        raise NotFound(msg.ALERT_NOT_FOUND)
    if not _may_handle(principal, alert.canteen_id):
        raise Forbidden(msg.FORBIDDEN_OBJECT)
    return alert


def _may_handle(principal: Principal, canteen_id: int) -> bool:
    return any(principal.may_see_canteen(r, canteen_id) for r in ALERT_ROLES if principal.has(r))


def history_of(session: Session, principal: Principal, senior_id: int) -> tuple[str, list[AlertView]]:
    """The senior's name and every alert about them, newest first, closed ones with what was done; only the
    alerts of canteens this principal may handle."""
    senior = session.get(Senior, senior_id)
    if senior is None:
        raise NotFound(msg.NOT_FOUND)
    rows = session.exec(select(Alert).where(Alert.senior_id == senior_id)
                        .order_by(col(Alert.created_at).desc(), col(Alert.id).desc())).all()
    mine = [a for a in rows if _may_handle(principal, a.canteen_id)]
    if rows and not mine:
        raise Forbidden(msg.FORBIDDEN_OBJECT)
    return senior.name, [_view(session, a, senior) for a in mine]
