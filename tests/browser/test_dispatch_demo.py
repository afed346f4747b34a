"""The demo district's lunch (静安区彭浦镇, `python -m app demo`): the dispatcher plans and publishes it."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session

from app.demo.build import build_demo
from tests.browser.dispatch_world import run_jobs
from tests.conftest import screenshot
from tests.factories import now

pytestmark = pytest.mark.browser


def test_the_demo_dispatcher_plans_and_publishes_todays_lunch(page: Any, session: Session, engine: Engine) -> None:
    build_demo(session, seniors=90)
    page.goto("/login?mode=staff")
    page.fill("#f-phone", "13900000003")
    page.fill("#f-password", "demo1234")
    page.click("button[type=submit]")
    page.wait_for_load_state()
    page.goto(f"/dispatch?day={now().date()}&slot=lunch")
    orders = int(page.locator("[data-orders]").inner_text())

    page.click("[data-solve]")
    run_jobs(engine)
    page.wait_for_selector("[data-route]", timeout=15000)
    planned = page.locator("tr[data-stop]").count()
    unassigned = page.locator("[data-unassigned-name]").count()
    screenshot(page, "dispatch-demo-planned")
    page.click("[data-publish]")
    page.wait_for_load_state()
    screenshot(page, "dispatch-demo-published")

    assert orders > 0
    assert planned + unassigned == orders
    assert page.locator("[data-plan-status]").get_attribute("data-plan-status") == "published"
    assert page.locator("[data-board-link]").count() == 1
