"""Logging, configured once for every process (web, worker, command line).

One line per event on stderr, readable by an operator: time (Asia/Shanghai), level, the request id, the logger and
the message. Every request gets an id (the caller's `X-Request-ID` when it is a sane token, else a new one); the id
is sent back in the response header and stamped on every line logged while the request is served, so an operator
can follow one complaint from the access line to the traceback.

Nothing personal reaches the log: the access line carries the path without its query string (searches and
invitation tokens travel there), and a filter on the handler masks anything that looks like an ID number or a
mobile phone in any message, whoever logged it.
"""

from __future__ import annotations

import contextvars
import logging
import logging.config
import re
import sys
import time
import uuid
from datetime import datetime
from typing import IO, Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.core.privacy import mask_personal
from app.models.base import TZ

_request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")
_SANE_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")

ACCESS_LOGGER = "app.access"


def current_request_id() -> str:
    return _request_id.get()


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = _request_id.get()
        return True


class PersonalDataFilter(logging.Filter):
    """Masks the formatted message (arguments included) and any traceback text before the handler writes it."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = mask_personal(message)
        if masked != message:
            record.msg, record.args = masked, None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask_personal(record.exc_text)
        return True


class ShanghaiFormatter(logging.Formatter):
    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:  # noqa: N802 (stdlib API)
        return datetime.fromtimestamp(record.created, TZ).strftime("%Y-%m-%d %H:%M:%S")


class StderrHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to whatever `sys.stderr` is when a line is logged, not to the one there when logging was set up: a
    process that swaps its stderr (a test runner capturing output, a daemon redirecting it) never gets "I/O
    operation on closed file" from a stream it has since closed."""

    def __init__(self) -> None:
        super().__init__(sys.stderr)

    @property  # type: ignore[override]
    def stream(self) -> IO[str]:
        return sys.stderr

    @stream.setter
    def stream(self, _value: IO[str]) -> None:
        pass


def logging_config(level: str = "INFO", stream: IO[str] | None = None) -> dict[str, Any]:
    """The dictConfig for every process; uvicorn takes it as its `log_config` so its own loggers share the format."""
    handler: dict[str, Any] = {"formatter": "line", "filters": ["request_id", "personal_data"]}
    if stream is None:
        handler["()"] = StderrHandler
    else:
        handler.update({"class": "logging.StreamHandler", "stream": stream})
    quiet = {"handlers": ["stderr"], "level": "WARNING", "propagate": False}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"request_id": {"()": RequestIdFilter}, "personal_data": {"()": PersonalDataFilter}},
        "formatters": {"line": {"()": ShanghaiFormatter,
                                "format": "%(asctime)s %(levelname)-7s [%(request_id)s] %(name)s: %(message)s"}},
        "handlers": {"stderr": handler},
        "root": {"handlers": ["stderr"], "level": level},
        "loggers": {
            "uvicorn": {"handlers": ["stderr"], "level": level, "propagate": False},
            "uvicorn.error": {"handlers": ["stderr"], "level": level, "propagate": False},
            # Replaced by app.access, which leaves out the query string and carries the request id.
            "uvicorn.access": {"handlers": [], "level": "WARNING", "propagate": False},
            "sqlalchemy.engine": quiet,
            # Their INFO lines carry full URLs: a geocoder's query is a senior's address.
            "httpx": quiet,
            "httpcore": quiet,
            "weasyprint": quiet,
            "fontTools": quiet,
            "alembic.runtime.plugins": quiet,
        },
    }


def configure_logging(level: str = "INFO", stream: IO[str] | None = None) -> None:
    logging.config.dictConfig(logging_config(level, stream))
    logging.captureWarnings(True)


class RequestLogMiddleware:
    """Gives the request its id and writes one access line when the response starts."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.log = logging.getLogger(ACCESS_LOGGER)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        token = _request_id.set(_incoming_id(scope) or uuid.uuid4().hex[:12])
        started = time.perf_counter()
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message.setdefault("headers", [])
                message["headers"] = [*message["headers"], (b"x-request-id", _request_id.get().encode())]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        except Exception:
            logging.getLogger("app.http").exception("unhandled error on %s", scope.get("path", "-"))
            raise
        finally:
            if not str(scope.get("path", "")).startswith("/static/") or status >= 400:
                self.log.info("%s %s %d %.0fms", scope.get("method", "-"), scope.get("path", "-"), status,
                              (time.perf_counter() - started) * 1000)
            _request_id.reset(token)


def _incoming_id(scope: Scope) -> str | None:
    for name, value in scope.get("headers") or []:
        if name == b"x-request-id":
            text = value.decode("latin-1")
            return text if _SANE_ID.fullmatch(text) else None
    return None

