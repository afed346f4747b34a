"""The dispatcher's story on a desktop: plan in the background, adjust by hand, publish."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session

from tests.browser.dispatch_world import TODAY, lunch, run_jobs, sign_in
from tests.conftest import screenshot

pytestmark = pytest.mark.browser


def test_the_dispatcher_plans_adjusts_and_publishes_the_lunch_routes(page: Any, session: Session,
                                                                     engine: Engine) -> None:
    world = lunch(session)
    sign_in(page, "13900000003")
    page.goto(f"/dispatch?canteen={world['canteen'].id}&day={TODAY}&slot=lunch")
    screenshot(page, "dispatch-before")

    page.click("[data-solve]")
    waiting = page.locator("[data-job-status]").inner_text()
    second_click_disabled = page.locator("[data-solve]").is_disabled()
    run_jobs(engine)
    page.wait_for_selector("[data-route]", timeout=15000)
    screenshot(page, "dispatch-planned")
    routes_before = page.locator("[data-route]").count()
    stops_on_map = page.locator("svg[data-map] circle").count()

    first_route = page.locator("[data-route]").nth(0)
    moving = first_route.locator("tr[data-stop]").nth(0).get_attribute("data-name")
    target = page.locator("[data-route]").nth(1).get_attribute("data-route")
    form = first_route.locator("[data-move-form]").nth(0)
    form.locator("select").select_option(target)
    form.locator("input[name=position]").fill("1")
    form.locator("button").click()
    page.wait_for_load_state()
    moved_to_top = page.locator(f"[data-route='{target}'] tr[data-stop]").nth(0).get_attribute("data-name")
    page.locator(f"[data-route='{target}'] [data-lock-stop]").nth(0).click()
    page.wait_for_load_state()
    locked_tag = page.locator(f"[data-route='{target}'] tr[data-stop]").nth(0).inner_text()
    page.click("[data-publish]")
    page.wait_for_load_state()
    screenshot(page, "dispatch-published")

    assert "排队等待规划" in waiting
    assert second_click_disabled
    assert routes_before == 2 and stops_on_map == 8
    assert moved_to_top == moving
    assert "已锁定" in locked_tag
    assert page.locator("[data-plan-status]").get_attribute("data-plan-status") == "published"
    assert "第 1 版" in page.locator(".notice").first.inner_text()
