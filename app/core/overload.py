"""Shedding load instead of stalling: at most `max_in_flight` requests are worked on at once in one process;
the next one is answered at once with a Chinese 503 and `Retry-After`, never queued until it times out.

Why a limit at all: each sync request takes a thread from the pool (anyio's, sized here to the limit plus a
margin) and one database connection from the engine's pool (sized to the limit too). With more requests in
flight than threads or connections, requests that hold a connection wait for a thread while requests that hold
a thread wait for a connection, and a one-worker site stops answering for 30 s (issue 21). Below the limit
neither pool can run dry.
"""

from __future__ import annotations

import json

import anyio.to_thread
from starlette.types import ASGIApp, Receive, Scope, Send

from app.core import messages as msg

RETRY_AFTER_S = 2


class OverloadShedder:
    def __init__(self, app: ASGIApp, max_in_flight: int) -> None:
        self.app = app
        self.max_in_flight = max_in_flight
        self.in_flight = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(scope, receive, send)
            return
        if scope["type"] != "http" or str(scope.get("path", "")).startswith("/static/"):
            await self.app(scope, receive, send)
            return
        if self.in_flight >= self.max_in_flight:
            await _busy(scope, send)
            return
        self.in_flight += 1
        try:
            await self.app(scope, receive, send)
        finally:
            self.in_flight -= 1

    async def _lifespan(self, scope: Scope, receive: Receive, send: Send) -> None:
        # The thread pool must outnumber the requests let in: each holds at most one thread at a time.
        anyio.to_thread.current_default_thread_limiter().total_tokens = self.max_in_flight + 8
        await self.app(scope, receive, send)


async def _busy(scope: Scope, send: Send) -> None:
    api = str(scope.get("path", "")).startswith("/api/")
    if api:
        body = json.dumps({"detail": msg.BUSY}, ensure_ascii=False).encode()
        kind = b"application/json"
    else:
        body = (f'<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>{msg.BUSY_TITLE}</title>'
                f'</head><body><main><h1>{msg.BUSY_TITLE}</h1><p>{msg.BUSY}</p></main></body></html>').encode()
        kind = b"text/html; charset=utf-8"
    await send({"type": "http.response.start", "status": 503, "headers": [
        (b"content-type", kind), (b"retry-after", str(RETRY_AFTER_S).encode()),
        (b"content-length", str(len(body)).encode()), (b"cache-control", b"no-store")]})
    await send({"type": "http.response.body", "body": body})
