"""The dispatcher cancels a solve from the page, and sees the cutoff notice the periodic checks raised."""

from __future__ import annotations

from datetime import datetime, time
from typing import Any

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, func, select

from app import jobs
from app.core.settings import TZ
from app.dispatch import service as dispatch
from app.models import DeliveryRoute
from tests.browser.dispatch_world import TODAY, lunch, sign_in
from tests.conftest import screenshot

pytestmark = pytest.mark.browser


def test_the_dispatcher_cancels_a_queued_solve_and_the_plan_stays_as_it_was(page: Any, session: Session,
                                                                           engine: Engine) -> None:
    world = lunch(session)
    jobs.run_checks(session, datetime.combine(TODAY, time(10), TZ))  # today's lunch: cutoff was yesterday 17:00
    sign_in(page, "13900000003")
    page.goto(f"/dispatch?canteen={world['canteen'].id}&day={TODAY}&slot=lunch")
    notice = page.locator("[data-cutoff-notice]").inner_text()

    page.click("[data-solve]")
    page.wait_for_selector("[data-cancel-job]")
    screenshot(page, "dispatch-job-queued-with-cancel")
    page.click("[data-cancel-job]")
    page.wait_for_load_state()
    screenshot(page, "dispatch-job-cancelled")
    ran = jobs.drain(engine, time_limit_s=1.0, deterministic=True, in_child=False)

    plan = dispatch.plan_for(session, world["canteen"].id, TODAY, "lunch")
    session.refresh(plan)
    assert "截单提醒" in notice and "请调度员规划送餐路线" in notice
    assert "已取消这次规划，路线没有改动。" in page.locator(".notice").first.inner_text()
    assert "规划已取消" in page.locator("[data-job-status]").inner_text()
    assert page.locator("[data-cancel-job]").count() == 0
    assert not page.locator("[data-solve]").is_disabled()
    assert (ran, plan.job_state) == (0, "cancelled")
    assert session.exec(select(func.count()).select_from(DeliveryRoute)
                        .where(DeliveryRoute.plan_id == plan.id)).one() == 0


def test_the_operators_board_lists_what_the_checks_raised(page: Any, session: Session) -> None:
    lunch(session)
    jobs.run_checks(session, datetime.combine(TODAY, time(10), TZ))
    sign_in(page, "13900000001")
    page.goto("/admin")
    screenshot(page, "admin-board-with-check-alerts")

    text = page.locator("main").inner_text()
    assert f"截单提醒（待处理）：{TODAY.month}月{TODAY.day}日午餐送餐已截单" in text  # no empty senior name
    assert "请调度员规划送餐路线" in text
