"""Requests as each role: path parameters come from the world, the session cookie from the world's tokens, and
every unsafe request carries the CSRF header, so a refusal is the guard's doing and never the CSRF check's."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from app.core.deps import SESSION_COOKIE
from app.core.principal import csrf_for_session
from app.core.security import CSRF_COOKIE
from tests.security.routes import AppRoute
from tests.security.world import ANONYMOUS, World

UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}


@dataclass(frozen=True)
class Case:
    """Who may use a route, and what to send so an allowed request reaches the handler's real work."""

    roles: frozenset[str]
    query: dict[str, str] = field(default_factory=dict)
    form: dict[str, str] = field(default_factory=dict)
    json: Any = None
    params: dict[str, str] = field(default_factory=dict)
    # the object is a short-lived file the world cannot hold (an upload's preview): "not found" still shows
    # the guard let the allowed role through
    missing_ok: bool = False
    # outsiders (tests/security/world.py) that may use the route on the world's objects by design
    outsiders_allowed: frozenset[str] = frozenset()
    # a hole found in someone else's route and reported to the lead: the outsider test expects it until fixed
    reported: dict[str, str] = field(default_factory=dict)


def path_of(route: AppRoute, world: World, overrides: dict[str, str] | None = None) -> str:
    values = world.params | (overrides or {})
    missing = [p for p in route.params if p not in values]
    assert not missing, f"{route.name}: add {missing} to World.params in tests/security/world.py"
    path = route.path
    for name in route.params:
        path = path.replace("{" + name + "}", values[name]).replace("{" + name + ":path}", values[name])
    return path


def sign_as(client: Any, world: World, who: str) -> None:
    """As a browser after signing in: the session cookie and the CSRF token bound to that session."""
    client.cookies.delete(SESSION_COOKIE)
    if who != ANONYMOUS:
        client.cookies.set(SESSION_COOKIE, world.tokens[who])
        client.cookies.delete(CSRF_COOKIE)
        client.cookies.set(CSRF_COOKIE, csrf_for_session(world.tokens[who]))


def call(client: Any, world: World, who: str, route: AppRoute, case: Case, method: str | None = None) -> Any:
    sign_as(client, world, who)
    method = method or route.methods[0]
    url = path_of(route, world, case.params)
    headers = {"X-CSRF-Token": client.cookies.get(CSRF_COOKIE) or ""} if method in UNSAFE else {}
    if method in UNSAFE and case.json is not None:
        return client.request(method, url, params=case.query, json=case.json, headers=headers,
                              follow_redirects=False)
    data = case.form if method in UNSAFE else None
    return client.request(method, url, params=case.query, data=data, headers=headers, follow_redirects=False)


def refused(response: Any) -> bool:
    """401/403 (or 404 hiding that the object exists), or a redirect to the sign-in page."""
    if response.status_code in (401, 403, 404):
        return True
    return response.status_code in (302, 303, 307) and response.headers.get("location", "").startswith("/login")


def reached(response: Any, missing_ok: bool = False) -> bool:
    """The guard and the per-object checks let the request through, and the handler answered without crashing."""
    if response.status_code == 404 and missing_ok:
        return True
    if response.status_code in (401, 403, 404) or response.status_code >= 500:
        return False
    return not (response.status_code in (302, 303, 307)
                and response.headers.get("location", "").startswith("/login"))
