"""A report made offline survives the sign-in expiring: kept on the phone, sent once after signing in again."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from app.models import DeliveryStop, Order, StopEvent, UserSession, now
from tests.browser.agefriendly import check_page
from tests.browser.dispatch_world import lunch, planned_and_published, sign_in
from tests.browser.test_driver_route import card, lives_alone, my_stops, sent
from tests.conftest import screenshot
from tests.factories import PASSWORD

pytestmark = pytest.mark.browser


def expire_sign_ins(session: Session) -> None:
    for row in session.exec(select(UserSession)).all():
        row.expires_at = now() - timedelta(minutes=1)
        session.add(row)
    session.commit()


def test_an_offline_report_is_kept_through_an_expired_sign_in_and_sent_once_after_signing_in(
        phone_page: Any, session: Session, engine: Engine) -> None:
    world = lunch(session)
    planned_and_published(session, engine, world)
    stop = next(s for s in my_stops(session, "13900000011") if not lives_alone(session, s))
    page = phone_page
    sign_in(page, "13900000011")
    page.goto("/driver")

    page.context.set_offline(True)
    card(page, stop).locator("[data-choice='delivered']").click()
    expire_sign_ins(session)
    page.context.set_offline(False)
    page.evaluate("() => window.driverQueue.flush()")
    page.wait_for_selector("[data-login-again]:not([hidden])")
    kept = page.evaluate("() => window.driverQueue.load().map(x => x.stop_id)")
    banner = page.locator("[data-offline]").inner_text()
    screenshot(page, "driver-login-expired-report-kept")
    session.expire_all()
    events_while_signed_out = len(session.exec(select(StopEvent).where(StopEvent.stop_id == stop.id)).all())
    page.click("[data-login-again] a")
    page.fill("#f-phone", "13900000011")
    page.fill("#f-password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/driver**")
    sent(page)
    page.reload()
    sent(page)

    session.expire_all()
    assert kept == [stop.id]
    assert "登录已过期" in banner and "没有丢" in banner
    assert events_while_signed_out == 0
    assert [e.kind for e in session.exec(select(StopEvent).where(StopEvent.stop_id == stop.id)).all()] == ["delivered"]
    assert session.get(DeliveryStop, stop.id).status == "delivered"
    assert session.get(Order, stop.order_id).status == "delivered"


def test_the_driver_sees_tomorrows_published_route_under_the_tomorrow_tab(
        phone_page: Any, session: Session, engine: Engine) -> None:
    from app.models import Driver
    from tests.app.dispatch.test_driver import published_route
    from tests.factories import make_delivery_orders

    world = lunch(session)
    planned_and_published(session, engine, world)
    tomorrow = now().date() + timedelta(days=1)
    driver = session.exec(select(Driver).where(Driver.phone == "13900000011")).one()
    ahead = make_delivery_orders(session, world["canteen"], tomorrow, [(0.003, 0.002), (0.001, -0.003)],
                                 room="402室", floor=4)
    stops = published_route(session, world["canteen"], driver, ahead, day=tomorrow)
    page = phone_page
    sign_in(page, "13900000011")
    page.goto("/driver")

    page.click("[data-tomorrow-tab]")
    shown = [int(x) for x in page.locator("[data-tomorrow-stop]").evaluate_all(
        "els => els.map(e => e.dataset.tomorrowStop)")]
    rooms = page.locator("[data-tomorrow] [data-room]").all_inner_texts()
    tab = page.locator("[data-tomorrow-tab]").inner_text()
    problems = check_page(page)
    screenshot(page, "driver-tomorrow")

    assert shown == [s.id for s in stops]
    assert rooms == ["402室", "402室"]
    assert tab == "明天（2 户）"
    assert problems == []
