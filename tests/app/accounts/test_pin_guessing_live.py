"""Finding 2 of the security review, against a live server with real threads on SQLite and PostgreSQL alike:
twenty wrong PINs sent at once for one card are not all checked; only the first five free tries are."""

from __future__ import annotations

import threading
from typing import Any

import httpx
from sqlmodel import Session, select

from app.models import LoginAttempt
from tests.factories import make_senior, make_user


def test_twenty_wrong_pins_at_once_get_five_checks_and_fifteen_waits(live_server: str, session: Session) -> None:
    make_user(session, "senior", senior=make_senior(session, card_no="88009990"), password="739185")
    barrier = threading.Barrier(20)
    codes: list[Any] = [None] * 20

    def guess(i: int) -> None:
        with httpx.Client(base_url=live_server, timeout=60) as c:
            c.get("/login")
            data = {"card_no": "88009990", "pin": f"{1000 + i}", "csrf_token": c.cookies.get("canteen_csrf") or ""}
            barrier.wait()
            codes[i] = c.post("/login/senior", data=data, headers={"X-Forwarded-For": f"203.0.113.{i}"}).status_code

    threads = [threading.Thread(target=guess, args=(i,)) for i in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=90)

    session.expire_all()
    checked = session.exec(select(LoginAttempt).where(LoginAttempt.account_key == "c:88009990")).all()
    assert codes.count(429) == 15
    assert len(checked) == 5 and not any(a.success for a in checked)
