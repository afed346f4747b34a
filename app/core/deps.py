"""Request dependencies: the database session, the signed-in principal, and per-route role guards.

Every route declares who may use it with `allow(...)` (or `PUBLIC`); tests walk the router table and fail on
any route without a guard, so a new page cannot be forgotten.
"""

from __future__ import annotations

import re
from typing import Annotated, Any

from fastapi import Depends, Request
from sqlmodel import Session

from app.core import messages as msg
from app.core.cookies import SESSION_COOKIE as SESSION_COOKIE
from app.core.cookies import session_cookie
from app.core.db import get_session, read_autocommit, release
from app.core.errors import Forbidden, LoginRequired
from app.core.principal import Principal, principal_for_token

SessionDep = Annotated[Session, Depends(get_session)]


def get_principal(request: Request, session: SessionDep) -> Principal | None:
    # A reading request commits the idle-deadline push at once; a writing one (holding SQLite's write lock)
    # commits it with its own change. On PostgreSQL the lookup runs outside a transaction (no BEGIN/ROLLBACK).
    read_autocommit(session)
    principal = principal_for_token(session, request.cookies.get(session_cookie(request.scope)),
                                    commit=request.method in ("GET", "HEAD", "OPTIONS"))
    request.state.principal = principal
    # Hand the connection back before the handler's own thread hop: a request holds at most one connection,
    # and never one while it waits for a thread (issue 21: the stall at ~55 requests in flight).
    release(session)
    return principal


class Allow:
    """A route guard: which roles may use the route, checked on the server before the handler runs."""

    def __init__(self, *roles: str, public: bool = False) -> None:
        self.roles = frozenset(roles)
        self.public = public

    async def __call__(self, principal: Annotated[Principal | None, Depends(get_principal)]) -> Principal | None:
        # async: it only compares roles, so it runs on the event loop, not as one more thread hop per request
        if self.public:
            return principal
        if principal is None:
            raise LoginRequired(msg.LOGIN_REQUIRED)
        if self.roles and not self.roles & principal.roles.keys():
            raise Forbidden(msg.FORBIDDEN)
        return principal


class AllowDistrict(Allow):
    """Operators of the whole district only (their operator scope holds None): pages that show every senior of
    the district, such as the planning picture, are not for an operator of some canteens."""

    async def __call__(self, principal: Annotated[Principal | None, Depends(get_principal)]) -> Principal | None:
        found = await super().__call__(principal)
        if found is not None and None not in found.canteens_for("operator"):
            raise Forbidden(msg.DISTRICT_ONLY)
        return found


def allow_district_operator() -> Any:
    return Depends(AllowDistrict("operator"))


def allow(*roles: str) -> Any:
    """`principal: Principal = allow("kitchen", "operator")`; with no roles, any signed-in user."""
    return Depends(Allow(*roles))


PUBLIC: Any = Depends(Allow(public=True))


def client_address(request: Request) -> str:
    """The client's address: the socket's peer, or what a configured proxy (CANTEEN_TRUSTED_PROXIES) said in
    X-Forwarded-For; `SecurityMiddleware` has already put that in `request.client`, and a header from anyone
    else was ignored, so a guesser cannot pose as a new address per try."""
    return request.client.host if request.client else ""


_ID_TEXT = re.compile(r"[0-9]{1,9}")


def int_or_none(text: str | None) -> int | None:
    """A form or query value as a non-negative int, or None. Use instead of `int(x) if x.isdigit()`:
    str.isdigit() accepts "²" (int() then raises) and 5,000-digit strings (int() refuses those too)."""
    text = (text or "").strip()
    return int(text) if _ID_TEXT.fullmatch(text) else None
