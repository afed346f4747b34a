"""Finding 6: reading an uploaded register never holds up anyone else. While one upload is being parsed (held
inside the parser here, however long that takes), another request is answered; the parse runs in a worker
thread, not on the event loop that serves everyone."""

from __future__ import annotations

import threading
from typing import Any

import httpx
import pytest
from sqlmodel import Session

from app.core.errors import InvalidInput
from app.seniors import pages as seniors_pages
from tests.factories import PASSWORD, make_user


def test_a_register_being_parsed_does_not_stop_other_requests(live_server: str, session: Session,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    make_user(session, "operator", phone="13900008001")
    parsing, release = threading.Event(), threading.Event()

    def slow_parse(data: bytes, filename: str) -> Any:
        parsing.set()
        release.wait(timeout=60)
        raise InvalidInput({"file": "测试：解析结束"})

    monkeypatch.setattr(seniors_pages.senior_import, "read_table", slow_parse)
    upload: dict[str, Any] = {}

    def post_upload() -> None:
        with httpx.Client(base_url=live_server, timeout=90) as c:
            c.get("/login")
            c.post("/login/staff", data={"phone": "13900008001", "password": PASSWORD,
                                         "csrf_token": c.cookies.get("canteen_csrf") or ""})
            upload["r"] = c.post("/admin/seniors/import", files={"file": ("名册.xlsx", b"PK\x03\x04 big register")},
                                 data={"csrf_token": c.cookies.get("canteen_csrf") or ""})

    thread = threading.Thread(target=post_upload)
    thread.start()
    try:
        assert parsing.wait(timeout=60)
        other = httpx.get(f"{live_server}/login", timeout=30)
        still_parsing = not release.is_set() and "r" not in upload
    finally:
        release.set()
        thread.join(timeout=90)

    assert other.status_code == 200 and still_parsing
    assert upload["r"].status_code == 422 and "解析结束" in upload["r"].text
