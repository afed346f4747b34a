"""The catalogue revision: a number that moves in the same transaction as any change to what menus are built
from, so per-process caches of built menus (app.ordering.rules) can trust it across many web processes.

Ordering's own writes (sold counts taken and given back) do not move it: those are read fresh every request.
"""

from __future__ import annotations

import secrets
from typing import Any

from sqlalchemy import event, insert, update
from sqlalchemy.orm import ORMExecuteState, Session
from sqlmodel import Session as SQLModelSession
from sqlmodel import col, select

from app.models import Canteen, CanteenSlot, CatalogueRevision, Dish, Menu, MenuItem, SetMeal, SetMealDish

TRACKED = (Dish, SetMeal, SetMealDish, Menu, MenuItem, Canteen, CanteenSlot)
TRACKED_TABLES = frozenset(m.__tablename__ for m in TRACKED)  # type: ignore[attr-defined]
ORDERING_COLUMNS = frozenset({"sold_count"})


def current(session: SQLModelSession) -> str:
    """The stamp of the catalogue as this transaction sees it ("" before anything was ever written)."""
    return session.exec(select(CatalogueRevision.stamp).where(CatalogueRevision.id == 1)).first() or ""


def _changes_catalogue(session: Session) -> bool:
    for obj in (*session.new, *session.deleted):
        if isinstance(obj, TRACKED):
            return True
    for obj in session.dirty:
        if isinstance(obj, TRACKED) and session.is_modified(obj):
            changed = {a.key for a in _state(obj).attrs if a.history.has_changes()}
            if not (isinstance(obj, MenuItem) and changed <= ORDERING_COLUMNS):
                return True
    return False


def _state(obj: object) -> Any:
    from sqlalchemy import inspect

    return inspect(obj)


def _bump(session: Session) -> None:
    # Flag first, then bump once at commit time (one statement a transaction, not one per flush).
    session.info["catalogue_changed"] = True


@event.listens_for(Session, "before_flush")
def _before_flush(session: Session, _context: Any, _instances: Any) -> None:
    if _changes_catalogue(session):
        _bump(session)


@event.listens_for(Session, "do_orm_execute")
def _bulk(state: ORMExecuteState) -> None:
    """Bulk UPDATE / DELETE statements bypass the flush; catch those on tracked tables too."""
    if not (state.is_update or state.is_delete):
        return
    table = getattr(state.statement, "table", None)
    if table is None or table.name not in TRACKED_TABLES:
        return
    if state.is_update and table.name == "menu_item":
        values = {c.key if hasattr(c, "key") else str(c) for c in getattr(state.statement, "_values", {}) or {}}
        if values and values <= ORDERING_COLUMNS:
            return
    _bump(state.session)


@event.listens_for(Session, "before_commit")
def _before_commit(session: Session) -> None:
    session.flush()  # commit flushes only after this hook: flush now so its changes are seen
    if session.info.pop("catalogue_changed", False):
        stamp = secrets.token_hex(16)
        moved = session.execute(update(CatalogueRevision).where(col(CatalogueRevision.id) == 1)
                                .values(n=col(CatalogueRevision.n) + 1, stamp=stamp))
        if getattr(moved, "rowcount", 1) == 0:  # the row is gone (a database emptied by hand): start it again
            session.execute(insert(CatalogueRevision).values(id=1, n=1, stamp=stamp))


@event.listens_for(Session, "after_rollback")
def _after_rollback(session: Session) -> None:
    session.info.pop("catalogue_changed", None)
