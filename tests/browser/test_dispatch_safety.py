"""A dispatcher's hand move sends a meal past the 60-minute ride limit: publishing waits for a written reason,
and the driver sees it on the phone."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session

from app import jobs
from app.dispatch import service as dispatch
from tests.browser.dispatch_world import TODAY, run_jobs, sign_in
from tests.conftest import screenshot
from tests.factories import make_canteen, make_delivery_orders, make_driver, make_user

pytestmark = pytest.mark.browser


def far_apart(session: Session) -> Any:
    """Two doors 4 km north and 4 km south: each near enough alone, never both on one e-bike trip in an hour."""
    canteen = make_canteen(session, name="彭浦新村长者食堂")
    make_driver(session, canteen, TODAY, name="孙师傅", phone="13900000011", capacity=6)
    make_driver(session, canteen, TODAY, name="钱师傅", phone="13900000012", capacity=6)
    make_delivery_orders(session, canteen, TODAY, [(0.036, 0.0), (-0.036, 0.0)])
    make_user(session, ("dispatcher", canteen.id), phone="13900000003", name="王调度")
    plan = dispatch.plan_for(session, canteen.id or 0, TODAY, "lunch")
    return canteen, plan


def test_a_move_past_the_ride_limit_blocks_publishing_until_a_reason_is_given(
        page: Any, session: Session, engine: Engine) -> None:
    canteen, plan = far_apart(session)
    jobs.enqueue(session, plan.id or 0)
    run_jobs(engine)
    sign_in(page, "13900000003")
    page.goto(f"/dispatch?canteen={canteen.id}&day={TODAY}&slot=lunch")
    routes = page.locator("[data-route]")
    before = (routes.count(), page.locator("[data-breach]").count(), page.locator("[data-publish]").count())

    target = routes.nth(1).get_attribute("data-route")
    form = routes.nth(0).locator("[data-move-form]").nth(0)
    form.locator("select").select_option(target)
    form.locator("input[name=position]").fill("2")
    form.locator("button").click()
    page.wait_for_load_state()
    warnings = page.locator("[data-warnings]").inner_text()
    breach = page.locator("[data-breach]").first.inner_text()
    screenshot(page, "dispatch-safety-blocked")
    page.click("[data-publish]")
    page.wait_for_load_state()
    refused = page.locator(".field-error").inner_text()
    status_after_refusal = page.locator("[data-plan-status]").get_attribute("data-plan-status")
    page.fill("#f-reason", "雨天人手不足已电话告知家属")
    page.click("[data-publish]")
    page.wait_for_load_state()
    screenshot(page, "dispatch-safety-published")

    assert before == (2, 0, 1)
    assert "离开厨房" in breach and "分钟才送达，超过60分钟的餐食安全时限" in breach and "*" in breach
    assert breach in warnings and "秒" not in warnings
    assert "写明为什么仍要发布" in refused and status_after_refusal == "draft"
    assert page.locator("[data-plan-status]").get_attribute("data-plan-status") == "published"
    assert page.locator("[data-safety-reason]").inner_text() == "发布理由：雨天人手不足已电话告知家属"
