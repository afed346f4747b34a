"""Audit log writes. Callers add the event to their own transaction, so it commits (or not) with the change."""

from __future__ import annotations

from sqlmodel import Session

from app.models import AuditEvent


def record(session: Session, *, user_id: int | None, action: str, object_type: str, object_id: object = "",
           detail: str = "", address: str = "") -> None:
    session.add(AuditEvent(user_id=user_id, action=action, object_type=object_type,
                           object_id=str(object_id), detail=detail[:1000], address=address[:64]))
