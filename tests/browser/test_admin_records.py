"""The operators' record pages meet the age-friendly rules too, including their error states: a senior's record,
the catalogue and a dish form, canteens and slots, drivers and shifts."""

from __future__ import annotations

from typing import Any

import pytest
from sqlmodel import Session

from app.models import Driver, EmergencyContact, Vehicle
from tests.browser.agefriendly import check_page
from tests.browser.test_admin_import import sign_in_as_operator
from tests.conftest import screenshot
from tests.factories import make_canteen, make_dish, make_senior

pytestmark = pytest.mark.browser


def test_a_seniors_record_shows_a_mistake_next_to_its_field_and_pauses_for_a_hospital_stay(
        page: Any, session: Session) -> None:
    senior = make_senior(session, name="王秀英", lives_alone=True, economic_status="低保",
                         economic_source="区民政局社会救助平台")
    session.add(EmergencyContact(senior_id=senior.id or 0, name="王海燕", relation="女儿", phone="13800001234"))
    session.commit()
    sign_in_as_operator(page, session)

    page.goto(f"/admin/seniors/{senior.id}")
    page.fill("#f-economic_valid_to", "")
    page.click("form[data-form=senior] button[type=submit]")
    error = page.locator("#f-economic_valid_to-err").inner_text()
    error_problems = check_page(page)
    screenshot(page, "admin-senior-error")
    page.fill("form[data-form=pause] #f-resume", "2099-01-10")
    page.click("form[data-form=pause] button[type=submit]")
    status = page.locator("[data-status]").inner_text()
    paused_problems = check_page(page)

    assert "认定有效期止" in error
    assert status == "暂停送餐"
    assert senior.id_number not in page.content()
    assert error_problems == []
    assert paused_problems == []


def test_catalogue_canteens_and_fleet_pages_pass_in_their_normal_and_error_states(page: Any, session: Session) -> None:
    canteen = make_canteen(session, name="彭浦新村长者食堂")
    make_dish(session, canteen, name="虾仁豆腐", allergens="虾,大豆")
    session.add_all([Driver(canteen_id=canteen.id or 0, name="孙师傅", phone="13900000011"),
                     Vehicle(canteen_id=canteen.id or 0, name="孙师傅的电动车")])
    session.commit()
    sign_in_as_operator(page, session)
    problems: dict[str, list[str]] = {}

    for name, path in (("catalogue", f"/admin/menus/catalogue?canteen={canteen.id}"),
                       ("canteens", "/admin/canteens"), ("fleet", "/admin/fleet"),
                       ("seniors", "/admin/seniors")):
        page.goto(path)
        problems[name] = check_page(page)
        screenshot(page, f"admin-{name}")
    page.goto(f"/admin/menus/dishes?canteen={canteen.id}")
    page.fill("#f-price", "十二元")
    page.click("form[data-form=dish] button[type=submit]")
    problems["dish-error"] = check_page(page)
    page.goto(f"/admin/canteens/{canteen.id}/slot")
    page.fill("#f-serve_end", "10:00")
    page.click("form[data-form=canteens] button[type=submit]")
    problems["slot-error"] = check_page(page)
    screenshot(page, "admin-slot-error")
    page.goto("/admin/fleet")
    page.click("form[data-form=shift] button[type=submit]")
    problems["shift-error"] = check_page(page)

    assert {k: v for k, v in problems.items() if v} == {}
