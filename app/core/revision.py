"""The catalogue revision: a number that moves in the same transaction as any change to what menus and prices are
built from (dishes, menus, canteens, slots, subsidy scheme versions), so per-process caches of built menus
(app.ordering.rules) and parsed schemes (app.subsidy.service) can trust it across many web processes.

Ordering's own writes (sold counts taken and given back) do not move it: those are read fresh every request.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import Any

from sqlalchemy import event, insert, update
from sqlalchemy.orm import ORMExecuteState, Session
from sqlmodel import Session as SQLModelSession
from sqlmodel import col, select

from app.core.memo import memo, memo_has
from app.models import (
    Canteen,
    CanteenSlot,
    CatalogueRevision,
    Dish,
    Menu,
    MenuItem,
    SetMeal,
    SetMealDish,
    SubsidySchemeVersion,
)

TRACKED = (Dish, SetMeal, SetMealDish, Menu, MenuItem, Canteen, CanteenSlot, SubsidySchemeVersion)
TRACKED_TABLES = frozenset(m.__tablename__ for m in TRACKED)  # type: ignore[attr-defined]
ORDERING_COLUMNS = frozenset({"sold_count"})


def current(session: SQLModelSession) -> str:
    """The stamp of the catalogue as this transaction sees it ("" before anything was ever written)."""
    return session.exec(select(CatalogueRevision.stamp).where(CatalogueRevision.id == 1)).first() or ""


# What is built from the catalogue, by stamp: built menus, detached catalogue rows, scheme texts. Each request
# reads and writes only the stamp its own transaction saw, so a request still on the old stamp can never file
# old menus under the new one.
_BUILT: dict[str, dict[Any, Any]] = {}
_STAMP_KEY = "catalogue_stamp"
# The stamp as a column of another query: placing an order reads it with the senior's row lock.
STAMP_COLUMN = select(CatalogueRevision.stamp).where(CatalogueRevision.id == 1).scalar_subquery()


def stamp_read(session: SQLModelSession, stamp: str | None) -> None:
    """This transaction's stamp, read as `STAMP_COLUMN` by another query, so `shelf` needs no query of its own."""
    memo(session, _STAMP_KEY, lambda: stamp or "")


def stamp_known(session: SQLModelSession) -> bool:
    """This transaction has read the stamp already (with another query, or on its own)."""
    return memo_has(session, _STAMP_KEY)


def shelf(session: SQLModelSession) -> dict[Any, Any] | None:
    """This process's cache for the stamp this transaction sees; None before the catalogue was ever written, and
    for a transaction that has changed the catalogue itself (it must read its own changes, not the cache)."""
    return None if _changed_here(session) else _stamp_shelf(session)


def kept(session: SQLModelSession, key: tuple[object, ...], load: Callable[[], Any]) -> Any:
    """`load()` once per process and stamp (once per request when there is no stamp yet). What it returns is
    shared by concurrent requests: it must be immutable or a copy no session owns."""
    if _changed_here(session):
        return load()
    found = _stamp_shelf(session)
    if found is None:
        return memo(session, key, load)
    if key not in found:
        found[key] = load()
    return found[key]


def _stamp_shelf(session: SQLModelSession) -> dict[Any, Any] | None:
    stamp = memo(session, _STAMP_KEY, lambda: current(session))
    if not stamp:
        return None
    found = _BUILT.get(stamp)
    if found is None:
        for old in list(_BUILT)[:-1]:  # keep the newest other stamp for requests still on it
            _BUILT.pop(old, None)
        found = _BUILT.setdefault(stamp, {})
    return found


def _changed_here(session: Session) -> bool:
    """This transaction changed the catalogue (flushed, or new rows still pending): it must see its own writes.
    Called for every kept read, so it looks only at the flag and at pending new rows (`session.dirty` walks
    the whole identity map); an edit to a row already loaded counts once it is flushed."""
    return bool(session.info.get("catalogue_changed")) or any(isinstance(o, TRACKED) for o in session.new)


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
