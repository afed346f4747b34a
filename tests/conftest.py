"""Fixtures: a fresh, migrated database per test (SQLite by default, PostgreSQL when TEST_DATABASE_URL is set),
a TestClient, signed-in clients per role, a live server and a real Chromium for browser tests."""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine, make_url
from sqlmodel import Session, SQLModel

import app.models  # noqa: F401
from app.core import db as app_db
from app.core.settings import ROOT, get_settings

PG_URL = os.environ.get("TEST_DATABASE_URL", "")
ARTIFACTS = ROOT / "test-artifacts"


def _worker() -> str:
    return os.environ.get("PYTEST_XDIST_WORKER", "gw0")


def _migrate(url: str) -> None:
    from alembic.config import Config

    from alembic import command

    cfg = Config(str(ROOT / "alembic.ini"))
    cfg.set_main_option("sqlalchemy.url", url)
    cfg.attributes["configure_logger"] = False
    command.upgrade(cfg, "head")


def _pg_worker_url() -> str:
    """Each xdist worker gets its own database, created on first use."""
    import psycopg

    url = make_url(PG_URL)
    name = f"{url.database}_{_worker()}"
    admin = url.set(drivername="postgresql", database="postgres").render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return url.set(database=name).render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def database_template(tmp_path_factory: pytest.TempPathFactory) -> str:
    """Migrate once per worker (the schema tests run against is the migrated one, not create_all)."""
    if PG_URL:
        url = _pg_worker_url()
        _migrate(url)
        return url
    path = tmp_path_factory.mktemp("db") / "template.db"
    _migrate(f"sqlite:///{path}")
    return str(path)


def _truncate(engine: Engine) -> None:
    # procrastinate's job tables too (issue 16): a job left by one test must not reach the next one's workers.
    engine_tables = ["procrastinate_jobs", "procrastinate_events", "procrastinate_periodic_defers",
                     "procrastinate_workers"]
    tables = ", ".join([f'"{t.name}"' for t in SQLModel.metadata.sorted_tables] + engine_tables)
    with engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))


@pytest.fixture
def engine(database_template: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Engine]:
    if PG_URL:
        url = database_template
    else:
        db_file = tmp_path / "test.db"
        shutil.copy(database_template, db_file)
        url = f"sqlite:///{db_file}"
    monkeypatch.setenv("DATABASE_URL", url)
    get_settings.cache_clear()
    app_db.get_engine.cache_clear()
    eng = app_db.get_engine()
    yield eng
    if PG_URL:
        _truncate(eng)
    eng.dispose()
    app_db.get_engine.cache_clear()
    get_settings.cache_clear()


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    with Session(engine) as s:
        yield s


@pytest.fixture
def client(engine: Engine) -> Iterator[object]:
    from fastapi.testclient import TestClient

    from app.main import create_app

    with TestClient(create_app()) as c:
        c.get("/login")  # receive the CSRF cookie, as a browser would on its first page
        yield c


def csrf(client: object) -> str:
    return client.cookies.get("canteen_csrf") or ""  # type: ignore[attr-defined]


@pytest.fixture
def login(client: object) -> Callable[..., object]:
    """login(phone, password) or login(card_no=..., pin=...) signs the test client in."""

    def _login(phone: str = "", password: str = "secret-pass", *, card_no: str = "", pin: str = "") -> object:
        if card_no:
            r = client.post("/login/senior", data={"card_no": card_no, "pin": pin,  # type: ignore[attr-defined]
                                                   "csrf_token": csrf(client)}, follow_redirects=False)
        else:
            r = client.post("/login/staff", data={"phone": phone, "password": password,  # type: ignore[attr-defined]
                                                  "csrf_token": csrf(client)}, follow_redirects=False)
        assert r.status_code == 303, r.text[-500:]
        return client

    return _login


# ------------------------------------------------------------------ browser tests

def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def live_server(engine: Engine) -> Iterator[str]:
    import uvicorn

    from app.main import create_app

    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.time() + 20
    while not server.started:
        if time.time() > deadline:
            raise RuntimeError("live server did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage"]


def _clicks_wait_for_their_page() -> None:
    """Make every click and key press return only once the document it led to has loaded, as a person waits.

    Playwright's click returns once a navigation it started has *committed*: the next document may not have parsed
    yet, and a read that does not wait for an element (all_inner_texts, all, count, evaluate) then sees an empty page.
    Two CI runs failed that way. A click that navigates nowhere finds its document loaded and returns at once."""
    from playwright.sync_api import Locator, Page

    if getattr(Page.click, "_waits_for_page", False):
        return

    def settle(page: Page) -> None:
        page.wait_for_load_state("load")

    def wrap(method: Callable[..., None], page_of: Callable[[object], Page]) -> Callable[..., None]:
        def acted(self: object, *args: object, **kwargs: object) -> None:
            method(self, *args, **kwargs)
            if not kwargs.get("no_wait_after"):
                settle(page_of(self))
        acted._waits_for_page = True  # type: ignore[attr-defined]
        return acted

    Page.click = wrap(Page.click, lambda pg: pg)  # type: ignore[method-assign]
    Page.press = wrap(Page.press, lambda pg: pg)  # type: ignore[method-assign]
    Locator.click = wrap(Locator.click, lambda loc: loc.page)  # type: ignore[attr-defined,method-assign]
    Locator.press = wrap(Locator.press, lambda loc: loc.page)  # type: ignore[attr-defined,method-assign]


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    if not Path(CHROMIUM).exists():
        # CI installs Debian's chromium; a developer without it sees why, instead of a silent skip.
        pytest.fail(f"browser tests need Chromium at {CHROMIUM} (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    _clicks_wait_for_their_page()
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser: object, live_server: str) -> Iterator[object]:
    context = browser.new_context(base_url=live_server, locale="zh-CN",  # type: ignore[attr-defined]
                                  viewport={"width": 1280, "height": 900})
    pg = context.new_page()
    yield pg
    context.close()


@pytest.fixture
def phone_page(browser: object, live_server: str) -> Iterator[object]:
    context = browser.new_context(base_url=live_server, locale="zh-CN",  # type: ignore[attr-defined]
                                  viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    pg = context.new_page()
    yield pg
    context.close()


def screenshot(page: object, name: str) -> Path:
    """Save a screenshot under test-artifacts/ for people to look at."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)  # type: ignore[attr-defined]
    return path
