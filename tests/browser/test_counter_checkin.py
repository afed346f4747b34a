"""A USB barcode scanner at the counter is a keyboard: it types the card number and presses Enter."""

from __future__ import annotations

from datetime import datetime, time
from typing import Any

import pytest
from sqlmodel import Session

from app.core.settings import TZ
from app.models import Order, now
from app.ordering import rules as ordering_rules
from tests.conftest import screenshot
from tests.factories import PASSWORD, make_canteen, make_priced_order, make_senior, make_user, seed_schemes

pytestmark = pytest.mark.browser


def test_a_scanned_card_and_enter_checks_the_meal_in(page: Any, session: Session,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    lunchtime = datetime.combine(now().date(), time(11, 30), TZ)  # the counter serves lunch, whatever the hour
    monkeypatch.setattr(ordering_rules, "current_time", lambda: lunchtime)
    seed_schemes(session)
    canteen = make_canteen(session, name="长寿路长者食堂", district="普陀", street="长寿路街道")
    make_user(session, ("counter", canteen.id), phone="13900008841", name="窗口小李")
    today = now().date()
    order = make_priced_order(session, make_senior(session, name="王秀英", age=85, card_no="88010001"), canteen, today)
    make_priced_order(session, make_senior(session, name="陈阿婆", age=90, card_no="88010005"), canteen, today)
    page.goto("/login?mode=staff")
    page.fill("#f-phone", "13900008841")
    page.fill("#f-password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url("**/")
    page.goto("/counter")
    page.click("[data-checkin-link]")
    page.wait_for_url("**/counter/checkin**")
    page.wait_for_selector("input:focus")  # the scanner types into whatever has the focus once the page is up

    page.keyboard.type("88010001")  # the card field has the focus: the scanner types into it
    page.keyboard.press("Enter")
    page.wait_for_selector("[data-notice]")

    screenshot(page, "counter-checkin")
    assert page.inner_text("[data-notice]") == f"已核销：王秀英，订单 {order.public_no}，已就餐。"
    assert page.inner_text("h2") == "午餐：已核销 1 人，未到 1 人"
    session.expire_all()
    assert session.get(Order, order.id).status == "served"
