"""An operator builds next week's lunch from the catalogue and publishes it before the week starts."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlmodel import Session, select

from app.menus import catalogue as cat
from app.menus import planning as mp
from app.models import Menu, now
from tests.browser.agefriendly import check_page
from tests.browser.test_admin_import import sign_in_as_operator
from tests.conftest import screenshot
from tests.factories import make_canteen

pytestmark = pytest.mark.browser


def test_an_operator_publishes_next_weeks_menu(page: Any, session: Session) -> None:
    canteen = make_canteen(session, name="彭浦新村长者食堂")
    assert canteen.id is not None
    for name, price, allergens in (("红烧肉", "9", ""), ("虾仁豆腐", "8", "虾,大豆"), ("番茄蛋汤", "2", "鸡蛋")):
        cat.save_dish(session, canteen.id, {"name": name, "category": "荤", "price": price, "allergens": allergens},
                      ["普通", "软食"], user_id=None)
    dishes = {d.name: d.id for d in cat.catalogue(session, canteen.id).dishes}
    cat.save_set_meal(session, canteen.id, {"name": "一荤一素一汤", "price": "15", "low_cost": "1"},
                      [dishes["红烧肉"], dishes["虾仁豆腐"], dishes["番茄蛋汤"]], user_id=None)
    monday = mp.monday_of(now().date()) + timedelta(days=7)
    sign_in_as_operator(page, session)

    page.goto("/admin/menus")
    for offset in range(5):
        key = f"{(monday + timedelta(days=offset)).isoformat()}:lunch"
        page.click(f'[data-add-open="{key}"]')
        page.select_option(f'[id="r-{key}"]', label="一荤一素一汤")
        page.fill(f'[id="q-{key}"]', "40")
        page.click(f'[data-add="{key}"] button[type=submit]')
        page.wait_for_selector(f'[data-cell="{key}"][data-status="draft"]')
    draft_problems = check_page(page)
    screenshot(page, "admin-menu-draft")
    page.click("[data-publish]")
    notice = page.locator(".notice-ok").inner_text()
    published_cell = page.locator(f'[data-cell="{monday.isoformat()}:lunch"]').inner_text()
    published_problems = check_page(page)
    screenshot(page, "admin-menu-published")

    assert "本周菜单已发布" in notice
    assert "已发布" in published_cell and "含 甲壳类、大豆、鸡蛋" in published_cell
    assert session.exec(select(Menu.status).where(Menu.canteen_id == canteen.id)).all() == ["published"] * 5
    assert draft_problems == []
    assert published_problems == []
