"""Audit log writes. Callers add the event to their own transaction, so it commits (or not) with the change."""

from __future__ import annotations

from sqlmodel import Session

from app.core.db import get_engine
from app.models import AuditEvent


def record(session: Session, *, user_id: int | None, action: str, object_type: str, object_id: object = "",
           detail: str = "", address: str = "") -> None:
    session.add(AuditEvent(user_id=user_id, action=action, object_type=object_type,
                           object_id=str(object_id), detail=detail[:1000], address=address[:64]))


def record_read(session: Session, *, user_id: int | None, action: str, object_type: str, object_id: object = "",
                detail: str = "", address: str = "") -> None:
    """A sensitive read (a counter opening a senior's orders, a driver's route with addresses): no change of its
    own to join, so it commits at once."""
    record(session, user_id=user_id, action=action, object_type=object_type, object_id=object_id, detail=detail,
           address=address)
    session.commit()


def record_refusal(*, user_id: int | None, method: str, route: str, address: str) -> None:
    """A refused request (403): who tried which route, in its own transaction (the request's rolled back).
    The route is its template (/invite/{token}), never the path or query typed, which may hold personal data."""
    with Session(get_engine()) as session:
        record(session, user_id=user_id, action="access.forbidden", object_type="route",
               object_id=f"{method} {route}"[:40], detail=f"{method} {route}", address=address)
        session.commit()
