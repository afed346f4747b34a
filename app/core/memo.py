"""The request memo: what one session (one request) has read, kept until it commits or rolls back."""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Any, TypeVar, cast

from sqlalchemy import event
from sqlmodel import Session

T = TypeVar("T")


def memo(session: Session, key: Hashable, load: Callable[[], T]) -> T:
    """Read something once per session (one request): the same slot row, senior or menu is asked for many times
    while one page is built, and SQLAlchemy's identity map holds rows only weakly, so each `session.get` of a
    row nobody still references goes back to the database. Forgotten when the session commits or rolls back,
    so nothing read before a write is reused after it."""
    cache: dict[Hashable, Any] = session.info.setdefault(_MEMO, {})
    if key not in cache:
        cache[key] = load()
    return cast(T, cache[key])


def memo_has(session: Session, key: Hashable) -> bool:
    """Whether this session (request) has read `key` already."""
    return key in session.info.get(_MEMO, {})


_MEMO = "canteen_memo"  # every per-request cache keeps its session.info key under the "canteen_" prefix


def _forget(session: Session, *_args: Any) -> None:
    for key in [k for k in session.info if str(k).startswith("canteen_")]:
        del session.info[key]


event.listen(Session, "after_commit", _forget)
event.listen(Session, "after_rollback", _forget)
