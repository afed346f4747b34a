"""The weekly menu editor works in place: adding and reordering items redraws one cell, the week never reloads."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlmodel import Session, col, select

from app.menus import catalogue as cat
from app.menus import planning as mp
from app.models import MenuItem, now
from tests.browser.agefriendly import check_page
from tests.browser.test_admin_import import sign_in_as_operator
from tests.conftest import screenshot
from tests.factories import make_canteen

pytestmark = pytest.mark.browser


def test_items_are_added_and_reordered_in_place_without_reloading_the_week(page: Any, session: Session) -> None:
    canteen = make_canteen(session, name="彭浦新村长者食堂")
    assert canteen.id is not None
    for name in ("红烧肉", "香菇青菜", "番茄蛋汤"):
        cat.save_dish(session, canteen.id, {"name": name, "category": "荤", "price": "8"}, ["普通"], user_id=None)
    friday = mp.monday_of(now().date()) + timedelta(days=11)
    key = f"{friday.isoformat()}:lunch"
    sign_in_as_operator(page, session)
    page.goto("/admin/menus")
    page.evaluate("() => { window.__samePage = true; }")
    cell = f'[data-cell="{key}"]'
    page.locator(cell).scroll_into_view_if_needed()

    for name in ("红烧肉", "香菇青菜", "番茄蛋汤"):
        page.click(f'{cell} [data-add-open="{key}"]')
        page.select_option(f'[id="r-{key}"]', label=name)
        page.click(f'[data-add="{key}"] button[type=submit]')
        page.wait_for_selector(f'{cell} [data-item="{name}"]')
    page.click(f'{cell} [data-item="番茄蛋汤"] [data-move="up"]')
    page.wait_for_function(f"""() => [...document.querySelectorAll('{cell} [data-item]')]
        .map(li => li.dataset.item).join() === '红烧肉,番茄蛋汤,香菇青菜'""")
    focused = page.evaluate("() => document.activeElement.dataset.move || ''")
    drafts = page.locator('[data-week-status] [data-count="draft"]').inner_text()
    same_page = page.evaluate("() => window.__samePage === true")
    # Never back at the top of a 7-day week: the cell being edited stays on screen.
    in_view = page.evaluate(f"""() => {{ const r = document.querySelector('{cell}').getBoundingClientRect();
        return window.scrollY > 0 && r.bottom > 0 && r.top < window.innerHeight; }}""")
    problems = check_page(page)
    screenshot(page, "admin-menu-editor-in-place")

    names = session.exec(select(MenuItem.name).order_by(col(MenuItem.position))).all()
    assert same_page
    assert in_view
    assert focused == "up"
    assert drafts == "1"
    assert names == ["红烧肉", "番茄蛋汤", "香菇青菜"]
    assert problems == []
