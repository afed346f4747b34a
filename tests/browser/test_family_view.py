"""A daughter follows her mother's dine-in lunch on her phone (issue 17): 已订 → 已就餐, or 未到 once serving has ended;
never 送餐途中 or 已送达 for a meal eaten at the canteen. Every state passes check_page."""

from __future__ import annotations

from datetime import datetime, time
from typing import Any

import pytest
from sqlmodel import Session

from app.core.settings import TZ
from app.family import pages as family_pages
from app.models import Order
from app.ordering import service as ordering
from app.ordering.views import find_menu
from tests.browser.agefriendly import check_page
from tests.browser.test_ordering_stories import _staff_signs_in, clock, district  # noqa: F401  (fixtures)
from tests.conftest import screenshot
from tests.factories import link_helper, make_user, principal_of

pytestmark = pytest.mark.browser


@pytest.fixture
def family(session: Session, district: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:  # noqa: F811
    """刘女儿 linked to 李建国, who has a dine-in lunch today; the family page's clock at 10:00."""
    daughter = make_user(session, "helper", phone="13700000005", name="刘女儿")
    link_helper(session, daughter, district["li"], relation="女儿")
    menu = find_menu(session, district["canteen"].id, district["today"], "lunch")
    assert menu is not None
    item = next(i for i in ordering.rules.menu_items(session, menu.id or 0) if i.name == "一荤两素一汤")
    actor = ordering.actor_for(session, principal_of(session, daughter), district["li"].id)
    order = ordering.place_order(session, actor, ordering.OrderRequest(
        district["li"].id, menu.id or 0, "dine_in", (ordering.Choice(item.id),), "family-0001"))
    state = {"at": datetime.combine(district["today"], time(10, 0), TZ)}
    monkeypatch.setattr(family_pages, "now", lambda: state["at"])
    return dict(district, order=order, clock=state)


def _steps(page: Any) -> list[tuple[str, str]]:
    return [(li.get_attribute("data-step") or "", li.get_attribute("data-state") or "")
            for li in page.locator("[data-meal] .pstep").all()]


def test_a_dine_in_lunch_shows_ordered_then_eaten_and_no_delivery_steps(
        phone_page: Any, session: Session, family: dict[str, Any]) -> None:
    page = phone_page
    _staff_signs_in(page, "13700000005")
    url = f"/helper/senior/{family['li'].id}/today"

    page.goto(url)
    before = _steps(page), page.locator("[data-stage-name]").inner_text()
    text = page.locator("[data-meal]").inner_text()
    problems = check_page(page)
    screenshot(page, "family-dine-in-ordered")

    order: Order = family["order"]
    order.status = "served"  # checked in at the counter
    session.add(order)
    session.commit()
    page.goto(url)
    after = _steps(page), page.locator("[data-stage-name]").inner_text()

    assert before == ([("ordered", "current"), ("served", "todo")], "现在：已订")
    assert "送餐途中" not in text and "已送达" not in text
    assert "午餐 · 堂食" in text
    assert after == ([("ordered", "done"), ("served", "done")], "现在：已就餐")
    assert problems == []
    assert check_page(page) == []


def test_a_dine_in_lunch_not_checked_in_by_the_end_of_serving_says_not_come(
        phone_page: Any, family: dict[str, Any]) -> None:
    page = phone_page
    _staff_signs_in(page, "13700000005")
    family["clock"]["at"] = datetime.combine(family["today"], time(13, 30), TZ)  # lunch is served until 13:00

    page.goto(f"/helper/senior/{family['li'].id}/today")

    assert _steps(page) == [("ordered", "done"), ("served", "current")]
    assert "未到" in page.locator("[data-step=served]").inner_text()
    assert page.locator("[data-stage-name]").inner_text() == "现在：未到。用餐时间已过，没有到食堂就餐的记录。"
    screenshot(page, "family-dine-in-missed")
    assert check_page(page) == []
