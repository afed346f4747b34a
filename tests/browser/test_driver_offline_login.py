"""A report made offline survives the sign-in expiring: kept on the phone, sent once after signing in again."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from app.models import DeliveryStop, Order, StopEvent, UserSession, now
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
