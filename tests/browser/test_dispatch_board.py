"""The dispatcher's live board on a real lunch: an overdue stop is flagged, and an alert is closed with what was
done, which the senior's alert history keeps."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from app.models import Alert, DeliveryStop, Order, now
from tests.browser.dispatch_world import lunch, planned_and_published, sign_in
from tests.conftest import screenshot

pytestmark = pytest.mark.browser


def test_an_overdue_stop_is_flagged_and_an_alert_is_closed_with_what_was_done(
        page: Any, session: Session, engine: Engine) -> None:
    world = lunch(session)
    plan_id = planned_and_published(session, engine, world)
    stops = session.exec(select(DeliveryStop).order_by(col(DeliveryStop.id))).all()
    late, answered = stops[0], stops[1]
    for stop in stops:  # the lunch is under way: the others are due in a few minutes
        stop.eta = now() + timedelta(minutes=10)
        session.add(stop)
    late.eta = now() - timedelta(minutes=47)
    senior_id = session.get(Order, answered.order_id).senior_id
    alert = Alert(kind="no_answer", senior_id=senior_id, canteen_id=world["canteen"].id, stop_id=answered.id,
                  message="送餐无人应答，餐食已带回。")
    session.add(alert)
    session.commit()
    sign_in(page, "13900000003")

    page.goto(f"/dispatch/plan/{plan_id}/board")
    flag = page.locator(f"[data-board-stop='{late.id}']").inner_text()
    summary = page.locator("[data-overdue-count]").inner_text()
    screenshot(page, "dispatch-board-overdue")
    card = page.locator(f"[data-close-form='{alert.id}']")
    card.locator("[data-close]").click()
    error = page.locator(f"#f-outcome-{alert.id}-err").inner_text()
    card = page.locator(f"[data-close-form='{alert.id}']")
    card.locator("[data-outcome='called_contact']").check()
    card.locator("textarea").fill("女儿说老人去医院复查了，下午回家")
    card.locator("[data-close]").click()
    notice = page.locator(".notice-ok").inner_text()
    alerts_left = page.locator("[data-alert]").count()
    page.goto(f"/dispatch/senior/{senior_id}/alerts")
    history = page.locator(f"[data-history-alert='{alert.id}']").inner_text()
    screenshot(page, "dispatch-alert-history")

    session.expire_all()
    assert "超时：已超过预计送达 47 分钟，还没有登记" in flag or "超时：已超过预计送达 48 分钟" in flag
    assert "有 1 户已超过预计送达 30 分钟" in summary
    assert "请选择做了什么" in error
    assert "提醒已处理完毕" in notice and alerts_left == 0
    assert "已联系紧急联系人" in history and "女儿说老人去医院复查了" in history
    assert session.get(Alert, alert.id).outcome == "called_contact"
