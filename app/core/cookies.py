"""The session and CSRF cookies, and when they are `Secure` cookies under the `__Host-` prefix.

A `__Host-` cookie is only accepted by browsers when it is Secure, has `Path=/` and no `Domain`, so a sibling
subdomain or a plain-http page cannot plant or overwrite it (issue 13, finding 10). Plain http (development and
tests on 127.0.0.1) cannot hold Secure cookies, so there the plain names are used.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from app.core.settings import get_settings

SESSION_COOKIE = "canteen_session"
CSRF_COOKIE = "canteen_csrf"
HOST_PREFIX = "__Host-"


def secure_cookies(scope: Mapping[str, Any]) -> bool:
    """Secure unless configured off: on outside development, and on whenever the request came over HTTPS."""
    settings = get_settings()
    if settings.cookie_secure is not None:
        return settings.cookie_secure
    return scope.get("scheme") == "https" or settings.environment != "development"


def session_cookie(scope: Mapping[str, Any]) -> str:
    return HOST_PREFIX + SESSION_COOKIE if secure_cookies(scope) else SESSION_COOKIE


def csrf_cookie(scope: Mapping[str, Any]) -> str:
    return HOST_PREFIX + CSRF_COOKIE if secure_cookies(scope) else CSRF_COOKIE


def set_cookie_header(name: str, value: str, *, secure: bool, max_age: int | None = None) -> bytes:
    """A Set-Cookie value: HttpOnly, SameSite=Lax, Path=/ and no Domain, as `__Host-` requires."""
    parts = [f"{name}={value}", "Path=/", "HttpOnly", "SameSite=Lax"]
    if max_age is not None:
        parts.append(f"Max-Age={max_age}")
    if secure:
        parts.append("Secure")
    return "; ".join(parts).encode()
