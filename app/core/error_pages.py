"""One place turns errors into responses: a Chinese page for people, JSON for /api, never a raw 500."""

from __future__ import annotations

import logging
from urllib.parse import quote, urlsplit

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.routing import iter_route_contexts
from sqlalchemy.exc import DataError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import compile_path

from app.core import audit
from app.core import messages as msg
from app.core.cookies import session_cookie
from app.core.errors import AppError, InvalidInput, LoginRequired, TooManyAttempts
from app.core.templating import render

log = logging.getLogger("app.http")


def _is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def _respond(request: Request, status: int, message: str, errors: dict[str, str] | None = None,
             headers: dict[str, str] | None = None) -> Response:
    if _is_api(request):
        body: dict[str, object] = {"detail": message}
        if errors:
            body["errors"] = errors
        return JSONResponse(body, status_code=status, headers=headers)
    return render(request, "error.html", {"message": message, "status": status}, status_code=status,
                  headers=headers)


async def app_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, AppError)
    if isinstance(exc, LoginRequired) and not _is_api(request):
        target = _back_after_sign_in(request)
        had_session = request.cookies.get(session_cookie(request.scope))  # a session that has ended
        expired = "&expired=1" if had_session else ""
        return RedirectResponse(f"/login?next={quote(target, safe='/')}{expired}", status_code=303)
    if exc.status_code == 403:
        await run_in_threadpool(_audit_refusal, request)
    headers = {"Retry-After": str(exc.retry_after_s)} if isinstance(exc, TooManyAttempts) else None
    errors = exc.errors if isinstance(exc, InvalidInput) else {exc.field: exc.message} if exc.field else None
    return _respond(request, exc.status_code, exc.message, errors, headers)


def _back_after_sign_in(request: Request) -> str:
    """Where signing in again returns: the page asked for, or, when a form was sent after the session ended
    (a senior taps 确认下单 an hour later), the page the form was on, which still holds every choice in its
    address (issue 17). Only a path on this site, never another origin."""
    if request.method == "GET":
        return request.url.path + (f"?{request.url.query}" if request.url.query else "")
    referer = urlsplit(request.headers.get("referer", ""))
    if referer.netloc != request.url.netloc or not referer.path.startswith("/") or referer.path.startswith("//"):
        return "/"
    return referer.path + (f"?{referer.query}" if referer.query else "")


def _audit_refusal(request: Request) -> None:
    """Every 403 (a role without the right, an object of another canteen, a failed CSRF check) is audited
    (issue 13, finding 13)."""
    principal = getattr(request.state, "principal", None)
    route = getattr(request.scope.get("route"), "path", "") or "(unknown)"
    audit.record_refusal(user_id=getattr(principal, "user_id", None), method=request.method, route=route,
                         address=request.client.host if request.client else "")


async def validation_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    errors: dict[str, str] = {}
    for e in exc.errors():
        loc = ".".join(str(p) for p in e.get("loc", ()) if p not in ("body", "query", "path"))
        if e.get("type") == "json_invalid":
            return _respond(request, 400, msg.MALFORMED_JSON)
        errors[loc or "body"] = _field_message(e)
    return _respond(request, 422, msg.VALIDATION_FAILED.format(detail="；".join(
        f"{k}：{v}" for k, v in errors.items())), errors)


def _field_message(e: dict) -> str:  # type: ignore[type-arg]
    kind = str(e.get("type", ""))
    if kind == "missing":
        return "必填"
    if kind.startswith(("int", "float", "decimal")):
        return "应为数字"
    if kind.startswith(("date", "datetime", "time")):
        return "日期或时间格式不对"
    if kind.startswith("string_too_long"):
        return "太长了"
    if kind.startswith(("greater", "less")):
        return "超出允许范围"
    return "格式不对"


async def http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    message = {404: msg.NOT_FOUND, 405: msg.METHOD_NOT_ALLOWED}.get(exc.status_code, msg.BAD_REQUEST)
    headers = dict(exc.headers or {})
    if exc.status_code == 405:
        headers["Allow"] = _allowed(request)
    return _respond(request, exc.status_code, message, headers=headers or None)


def _allowed(request: Request) -> str:
    """Every method of every route at this path (Starlette names only the first route's: GET /api/v1/orders and
    POST /api/v1/orders are two routes)."""
    methods: set[str] = set()
    for ctx in iter_route_contexts(request.app.routes):
        if ctx.methods and compile_path(str(ctx.path))[0].match(request.url.path):
            methods |= set(ctx.methods)
    return ", ".join(sorted(methods))


async def unknown_id(request: Request, exc: Exception) -> Response:
    """An id too large for the database (/order/done/99999999999999999999) names no record: a 404, not a 500.

    SQLite refuses to bind integers beyond 64 bits with OverflowError before any query runs, so every route with
    an int path or query parameter would otherwise crash on such an id.
    """
    log.info("id out of range on %s: %s", request.url.path, exc)
    return _respond(request, 404, msg.NOT_FOUND)


async def out_of_range(request: Request, exc: Exception) -> Response:
    """PostgreSQL's twin of the SQLite OverflowError: an id beyond the column's integer range (SQLSTATE 22003)
    names no record; a NUL character in a form or JSON field cannot be stored. Any other data error is a
    missing validation, so it stays a logged 500."""
    orig = getattr(exc, "orig", None)
    if getattr(orig, "sqlstate", None) == "22003":
        return await unknown_id(request, exc)
    if "NUL (0x00)" in str(orig):  # psycopg refuses NUL in text before sending; nothing was written
        log.info("NUL byte in input on %s", request.url.path)
        return _respond(request, 400, msg.CONTROL_CHARACTERS)
    log.error("unhandled error on %s", request.url.path, exc_info=exc)
    return await unexpected_error(request, exc)


async def unexpected_error(request: Request, exc: Exception) -> Response:
    """Logged already, with its request id, by app.core.log_config.RequestLogMiddleware, which the error passed
    through on its way out (this handler runs outside every middleware, where the id is gone)."""
    return _respond(request, 500, msg.SERVER_ERROR)


async def pool_exhausted(request: Request, exc: Exception) -> Response:
    """No database connection came free in time: shed with a 503 the client may retry, never a 500."""
    log.warning("database pool exhausted on %s", request.url.path)
    return _respond(request, 503, msg.DB_BUSY, headers={"Retry-After": "2"})


def install(app: FastAPI) -> None:
    app.add_exception_handler(AppError, app_error)
    app.add_exception_handler(RequestValidationError, validation_error)
    app.add_exception_handler(StarletteHTTPException, http_error)
    app.add_exception_handler(OverflowError, unknown_id)
    app.add_exception_handler(DataError, out_of_range)
    app.add_exception_handler(PoolTimeout, pool_exhausted)
    app.add_exception_handler(Exception, unexpected_error)
