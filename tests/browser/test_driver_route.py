"""A driver works through a published lunch route on a phone (390 × 844): one delivery, one no-answer with its
steps, one wellness concern, one report made offline and replayed; then the operator sees the alerts and the
helper sees the outcome."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from app.models import Alert, DeliveryRoute, DeliveryStop, Driver, Order, Senior, StopEvent
from tests.browser.agefriendly import check_page
from tests.browser.dispatch_world import lunch, planned_and_published, sign_in
from tests.conftest import screenshot
from tests.factories import link_helper, make_user

pytestmark = pytest.mark.browser


def my_stops(session: Session, phone: str) -> list[DeliveryStop]:
    driver = session.exec(select(Driver).where(Driver.phone == phone)).one()
    route = session.exec(select(DeliveryRoute).where(DeliveryRoute.driver_id == driver.id)).one()
    return list(session.exec(select(DeliveryStop).where(DeliveryStop.route_id == route.id)
                             .order_by(col(DeliveryStop.seq))).all())


def lives_alone(session: Session, stop: DeliveryStop) -> bool:
    return session.get(Senior, session.get(Order, stop.order_id).senior_id).lives_alone


def card(page: Any, stop: DeliveryStop) -> Any:
    return page.locator(f"[data-stop-card='{stop.id}']")


def sent(page: Any) -> None:
    page.wait_for_function("() => window.driverQueue && window.driverQueue.load().length === 0")


def test_a_driver_works_through_the_route_and_the_office_and_family_see_the_outcome(
        phone_page: Any, browser: Any, live_server: str, session: Session, engine: Engine) -> None:
    world = lunch(session)
    plan_id = planned_and_published(session, engine, world)
    phone_no = next(p for p in ("13900000011", "13900000012") if any(lives_alone(session, s)
                                                                       for s in my_stops(session, p)))
    stops = my_stops(session, phone_no)
    alone = [s for s in stops if lives_alone(session, s)]
    others = [s for s in stops if s not in alone]
    page = phone_page
    sign_in(page, phone_no)
    page.goto("/driver")
    first_problems = check_page(page)
    screenshot(page, "driver-route")
    first_room = session.get(Senior, session.get(Order, stops[0].order_id).senior_id).room
    room_shown = card(page, stops[0]).locator("[data-room]").inner_text()
    amap_href = card(page, stops[0]).locator("[data-amap]").get_attribute("href")

    card(page, others[0]).locator("[data-choice='delivered']").click()
    sent(page)
    card(page, others[1]).locator("[data-choice='no_answer']").click()
    steps_shown = card(page, others[1]).locator("[data-steps]").is_visible()
    card(page, others[1]).locator("[data-step='knock_again']").click()
    card(page, others[1]).locator("[data-step='tell_office']").click()
    sent(page)
    no_answer_problems = check_page(page)
    screenshot(page, "driver-no-answer")
    concern = alone[0]
    card(page, concern).locator("[data-choice='delivered:unwell']").click()
    sent(page)
    page.context.set_offline(True)
    last = [s for s in stops if s not in (others[0], others[1], concern)][0]
    card(page, last).locator("[data-choice^='delivered']").first.click()
    banner = page.locator("[data-offline]").inner_text()
    screenshot(page, "driver-offline")
    page.context.set_offline(False)
    sent(page)
    page.reload()
    after_reload = card(page, last).get_attribute("data-status")

    session.expire_all()
    assert first_problems == [] and no_answer_problems == []
    assert room_shown == first_room and first_room.endswith("室")
    assert amap_href.startswith("amapuri://route/plan/?sourceApplication=canteen.delivery&dlat=") and "&dev=0&t=3" in amap_href
    assert steps_shown
    assert "联网后会自动发送" in banner
    assert after_reload == "delivered"
    assert session.get(Order, others[0].order_id).status == "delivered"
    assert session.get(Order, others[1].order_id).status == "no_answer"
    kinds = [e.kind for e in session.exec(select(StopEvent).where(StopEvent.stop_id == others[1].id)
                                          .order_by(col(StopEvent.id))).all()]
    assert kinds == ["no_answer", "step:knock_again", "step:tell_office"]
    assert len(session.exec(select(StopEvent).where(StopEvent.stop_id == last.id)).all()) == 1
    assert sorted(a.kind for a in session.exec(select(Alert)).all()) == ["no_answer", "wellness"]

    office = browser.new_context(base_url=live_server, locale="zh-CN", viewport={"width": 1280, "height": 900})
    desk = office.new_page()
    sign_in(desk, "13900000001")
    desk.goto(f"/dispatch/plan/{plan_id}/board")
    alert_kinds = [desk.locator("[data-alert]").nth(i).get_attribute("data-alert-kind")
                   for i in range(desk.locator("[data-alert]").count())]
    steps_on_board = desk.locator(f"[data-board-stop='{others[1].id}'] [data-steps-done]").inner_text()
    screenshot(desk, "dispatch-board-alerts")
    office.close()
    assert sorted(alert_kinds) == ["no_answer", "wellness"]
    assert steps_on_board == "已做：再次敲门、告知办公室"

    senior = session.get(Senior, session.get(Order, concern.order_id).senior_id)
    link_helper(session, make_user(session, "helper", phone="13900000005", name="刘女儿"), senior)
    family = browser.new_context(base_url=live_server, locale="zh-CN", viewport={"width": 390, "height": 844},
                                 is_mobile=True, has_touch=True)
    phone = family.new_page()
    sign_in(phone, "13900000005")
    phone.goto(f"/helper/senior/{senior.id}/today")
    family_problems = check_page(phone)
    stage = phone.locator("[data-meal]").first.get_attribute("data-stage")
    wellness = phone.locator("[data-wellness]").first.inner_text()
    screenshot(phone, "family-status")
    family.close()
    assert family_problems == []
    assert stage == "delivered"
    assert "看起来不太好" in wellness
