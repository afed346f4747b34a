"""Security headers, request-size limit, proxy headers from trusted proxies only, and CSRF for every request.

CSRF: a signed-in request must carry its session's own token (bound to the session, new at every sign-in); a
request before sign-in carries the double-submit token of the CSRF cookie.
"""

from __future__ import annotations

import hmac
import json
import secrets
from typing import Annotated, Any
from urllib.parse import urlsplit

from fastapi import Depends, Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from app.core import messages as msg
from app.core.cookies import (
    CSRF_COOKIE,
    SESSION_COOKIE,
    csrf_cookie,
    secure_cookies,
    session_cookie,
    set_cookie_header,
)
from app.core.deps import get_principal
from app.core.errors import AppError
from app.core.principal import Principal
from app.core.settings import get_settings

__all__ = ["CSRF_COOKIE", "SESSION_COOKIE", "SecurityMiddleware", "csrf_protect"]
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}

# No inline script or style anywhere: all JS and CSS come from /static.
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
       "connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'; object-src 'none'")
HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=(self)"),
    (b"cross-origin-opener-policy", b"same-origin"),
]


class CsrfFailed(AppError):
    status_code = 403


class BodyTooLarge(AppError):
    status_code = 413


class SecurityMiddleware:
    """Adds headers, issues the CSRF cookie, and refuses bodies over the configured size before reading them."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        trusted = get_settings().trusted_proxies.strip()
        # X-Forwarded-For / -Proto rewrite the client and scheme only when the socket's peer is a configured
        # proxy (uvicorn's own rule, applied here too so every server behaves alike and nothing is trusted by
        # default): a guesser sending a new X-Forwarded-For per try stays one address.
        self.proxied = ProxyHeadersMiddleware(self._inner, trusted) if trusted else None  # type: ignore[arg-type]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if self.proxied is not None:
            await self.proxied(scope, receive, send)  # type: ignore[arg-type]
            return
        await self._inner(scope, receive, send)

    async def _inner(self, scope: Scope, receive: Receive, send: Send) -> None:
        limit = get_settings().max_body_bytes
        headers = dict(scope.get("headers") or [])
        length = headers.get(b"content-length", b"0").strip() or b"0"
        if not length.isdigit():
            # A malformed length would otherwise surface as a 500 from int() below.
            await _refuse(send, 400, msg.BAD_REQUEST)
            return
        if int(length) > limit:
            await _refuse(send, 413, msg.BODY_TOO_LARGE.format(limit_mb=limit // (1024 * 1024)))
            return
        if _has_nul(scope):
            # PostgreSQL text cannot hold NUL: "?q=%00" would otherwise fail deep in a query as a 500.
            await _refuse(send, 400, msg.CONTROL_CHARACTERS)
            return
        token = _cookie(headers, csrf_cookie(scope)) or secrets.token_urlsafe(24)
        scope.setdefault("state", {})["csrf_token"] = token
        received = 0

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            received += len(message.get("body", b""))
            if received > limit:
                raise BodyTooLarge(msg.BODY_TOO_LARGE.format(limit_mb=limit // (1024 * 1024)))
            return message

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = _with_headers(list(message.get("headers", [])), scope, headers, token)
            await send(message)

        await self.app(scope, counting_receive, send_with_headers)


def _has_nul(scope: Scope) -> bool:
    query = bytes(scope.get("query_string") or b"").lower()
    return b"%00" in query or b"\x00" in query or "\x00" in str(scope.get("path", ""))


def _with_headers(out: list[tuple[bytes, bytes]], scope: Scope, request_headers: dict[bytes, bytes],
                  token: str) -> list[tuple[bytes, bytes]]:
    """The security headers, the CSRF cookie when the browser lacks it, and two privacy rules:

    - pages seen while signed in are never stored by the browser (`no-store`): counter and kitchen computers are
      shared, and the back button after signing out must not bring a senior's details back;
    - behind HTTPS (secure cookies on), browsers are told to stay on HTTPS (HSTS).
    """
    out.extend(_with_tile_source(HEADERS, get_settings().map_tile_url))
    secure = secure_cookies(scope)
    name = csrf_cookie(scope)
    if _cookie(request_headers, name) != token and not _sets(out, name):
        out.append((b"set-cookie", set_cookie_header(name, token, secure=secure)))
    signed_in = _cookie(request_headers, session_cookie(scope)) is not None
    if signed_in and not str(scope.get("path", "")).startswith("/static/") \
            and not any(k.lower() == b"cache-control" for k, _ in out):
        out.append((b"cache-control", b"no-store"))
    if secure:
        out.append((b"strict-transport-security", b"max-age=31536000"))
    return out


def _sets(headers: list[tuple[bytes, bytes]], name: str) -> bool:
    """The handler already sets this cookie (a sign-in rotates the CSRF token)."""
    prefix = name.encode() + b"="
    return any(k.lower() == b"set-cookie" and v.startswith(prefix) for k, v in headers)


def _with_tile_source(headers: list[tuple[bytes, bytes]], tile_url: str) -> list[tuple[bytes, bytes]]:
    """The dispatch map's configured tile server may serve images; nothing else from outside."""
    parts = urlsplit(tile_url)
    if not (parts.scheme in ("http", "https") and parts.netloc):
        return headers
    origin = f"{parts.scheme}://{parts.netloc.replace('{s}', '*')}"
    csp = CSP.replace("img-src 'self' data:", f"img-src 'self' data: {origin}")
    return [(b"content-security-policy", csp.encode()) if k == b"content-security-policy" else (k, v)
            for k, v in headers]


def _cookie(headers: dict[bytes, bytes], name: str) -> str | None:
    for part in headers.get(b"cookie", b"").decode("latin-1").split(";"):
        key, _, value = part.strip().partition("=")
        if key == name and value:
            return value
    return None


async def _refuse(send: Send, status: int, message: str) -> None:
    body = json.dumps({"detail": message}, ensure_ascii=False).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json; charset=utf-8"), *HEADERS]})
    await send({"type": "http.response.body", "body": body})


async def csrf_protect(request: Request,
                       principal: Annotated[Principal | None, Depends(get_principal)]) -> None:
    """Every state-changing request carries its token, as a form field or a header: the signed-in session's own
    token (a token stolen before sign-in, or from another session, is worth nothing), else the CSRF cookie's."""
    if principal is not None:
        request.state.csrf_token = principal.csrf_token  # pages render the session's token
    if request.method not in UNSAFE:
        return
    expected = principal.csrf_token if principal is not None else request.cookies.get(csrf_cookie(request.scope), "")
    given = request.headers.get(CSRF_HEADER, "")
    if not given and request.headers.get("content-type", "").startswith(
            ("application/x-www-form-urlencoded", "multipart/form-data")):
        form: Any = await request.form()
        given = str(form.get(CSRF_FIELD, ""))
    if not expected or not hmac.compare_digest(expected, given):
        raise CsrfFailed(msg.CSRF_FAILED)
