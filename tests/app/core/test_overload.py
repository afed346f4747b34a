"""A morning rush on one web process: more requests in flight than threads and database connections, and every
one is answered — a meal list, or a Chinese 503 with Retry-After — instead of the site stalling for 30 s."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import date

import httpx
import pytest
import uvicorn
from sqlalchemy.engine import Engine
from sqlmodel import Session

from app.accounts.auth import issue_session
from app.core import db as app_db
from app.core import messages as msg
from app.core.settings import get_settings
from tests.conftest import _free_port
from tests.factories import PIN, days_ahead, make_canteen, make_menu, make_senior, make_user, seed_schemes

IN_FLIGHT = 4
CLIENTS = 48  # more than the thread pool (IN_FLIGHT + 8) and the connection pool (IN_FLIGHT + 4) together


@pytest.fixture
def busy_server(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[str, str, int]]:
    with Session(engine) as session:
        seed_schemes(session)
        canteen = make_canteen(session, district="普陀")
        day: date = days_ahead(2)
        senior = make_senior(session, age=80, today=day, default_canteen_id=canteen.id, card_no="88000009")
        user = make_user(session, "senior", senior=senior, password=PIN)
        for n in range(6):
            make_menu(session, canteen, days_ahead(n + 1), "lunch", items=[("一荤两素一汤", 2000), ("小份菜", 800)])
        token, senior_id = issue_session(session, user), senior.id or 0
    monkeypatch.setenv("CANTEEN_MAX_IN_FLIGHT", str(IN_FLIGHT))
    get_settings.cache_clear()
    app_db.get_engine.cache_clear()
    from app.main import create_app

    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}", token, senior_id
    server.should_exit = True
    thread.join(timeout=10)
    app_db.get_engine().dispose()
    app_db.get_engine.cache_clear()
    get_settings.cache_clear()


def test_more_requests_than_threads_and_connections_are_all_answered(busy_server: tuple[str, str, int]) -> None:
    base, token, senior_id = busy_server

    def ask(_n: int) -> httpx.Response:
        return httpx.get(f"{base}/api/v1/menus?senior_id={senior_id}", cookies={"canteen_session": token},
                         timeout=25)

    with ThreadPoolExecutor(CLIENTS) as pool:  # a stalled server would raise httpx's timeout here
        responses = list(pool.map(ask, range(CLIENTS * 2)))

    statuses = {r.status_code for r in responses}
    assert statuses <= {200, 503}
    assert 200 in statuses
    shed = [r for r in responses if r.status_code == 503]
    assert all(r.headers["retry-after"] == "2" and r.json() == {"detail": msg.BUSY} for r in shed)


def test_a_shed_page_request_gets_a_chinese_page_saying_to_try_again(busy_server: tuple[str, str, int]) -> None:
    base, token, _senior_id = busy_server

    def ask(_n: int) -> httpx.Response:
        return httpx.get(f"{base}/order", cookies={"canteen_session": token}, timeout=25)

    with ThreadPoolExecutor(CLIENTS) as pool:
        responses = list(pool.map(ask, range(CLIENTS)))

    shed = [r for r in responses if r.status_code == 503]
    assert {r.status_code for r in responses} <= {200, 503}
    assert shed, "with 48 clients and room for 4, some must be shed"
    assert msg.BUSY in shed[0].text and 'lang="zh-CN"' in shed[0].text
