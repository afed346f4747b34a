"""Security headers, request-size limit and CSRF (double-submit token) for every request."""

from __future__ import annotations

import hmac
import json
import secrets
from typing import Any
from urllib.parse import urlsplit

from fastapi import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.core import messages as msg
from app.core.errors import AppError
from app.core.settings import get_settings

CSRF_COOKIE = "canteen_csrf"
SESSION_COOKIE = "canteen_session"
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

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
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
        token = _cookie(headers, CSRF_COOKIE) or secrets.token_urlsafe(24)
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
    secure = get_settings().cookie_secure
    if _cookie(request_headers, CSRF_COOKIE) != token:
        flag = "; Secure" if secure else ""
        out.append((b"set-cookie", f"{CSRF_COOKIE}={token}; Path=/; HttpOnly; SameSite=Lax{flag}".encode()))
    signed_in = _cookie(request_headers, SESSION_COOKIE) is not None
    if signed_in and not str(scope.get("path", "")).startswith("/static/") \
            and not any(k.lower() == b"cache-control" for k, _ in out):
        out.append((b"cache-control", b"no-store"))
    if secure:
        out.append((b"strict-transport-security", b"max-age=31536000"))
    return out


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


async def csrf_protect(request: Request) -> None:
    """Every state-changing request carries the token from the cookie, as a form field or a header."""
    if request.method not in UNSAFE:
        return
    expected = request.cookies.get(CSRF_COOKIE, "")
    given = request.headers.get(CSRF_HEADER, "")
    if not given and request.headers.get("content-type", "").startswith(
            ("application/x-www-form-urlencoded", "multipart/form-data")):
        form: Any = await request.form()
        given = str(form.get(CSRF_FIELD, ""))
    if not expected or not hmac.compare_digest(expected, given):
        raise CsrfFailed(msg.CSRF_FAILED)
