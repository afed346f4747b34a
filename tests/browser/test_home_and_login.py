"""The front door: the home page and sign-in meet the age-friendly rules in a real Chromium."""

from __future__ import annotations

from typing import Any

import pytest
from sqlmodel import Session

from tests.browser.agefriendly import check_page, settled
from tests.conftest import screenshot
from tests.factories import PASSWORD, make_user

pytestmark = pytest.mark.browser


def test_the_home_page_lists_every_role_and_meets_the_age_friendly_rules(page: Any) -> None:
    page.goto("/")

    entries = page.locator("[data-role]").all_inner_texts()
    problems = check_page(page)
    screenshot(page, "home")

    assert len(entries) == 7
    assert problems == []


def test_a_staff_member_signs_in_and_a_mistake_is_shown_next_to_the_field(page: Any, session: Session) -> None:
    make_user(session, "operator", phone="13900001111", name="陈运营")
    page.goto("/login?mode=staff")

    page.fill("#f-phone", "13900001111")
    page.fill("#f-password", "wrong-password")
    page.click("button[type=submit]")
    error_shown = page.locator("#f-password-err").inner_text()
    kept = page.input_value("#f-phone")
    problems = check_page(page)
    screenshot(page, "login-error")
    page.fill("#f-password", PASSWORD)
    page.click("button[type=submit]")

    assert "手机号或密码不对" in error_shown
    assert kept == "13900001111"
    assert problems == []
    assert "陈运营" in page.locator(".who").inner_text()


def test_the_extra_large_text_setting_makes_body_text_at_least_30px(page: Any) -> None:
    page.goto("/login")

    page.click("text=字号：标准")
    page.click("text=字号：大")
    settled(page)
    size = page.evaluate("() => parseFloat(getComputedStyle(document.querySelector('main p, main label')).fontSize)")

    assert size >= 30
