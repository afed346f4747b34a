"""Signing in with the card on a small phone (320×640): every refusal is said at the top in an error summary that
takes the focus and links to its field, the title starts with 错误：, and the card number stays typed."""

from __future__ import annotations

from typing import Any

import pytest
from sqlmodel import Session

from tests.browser.agefriendly import check_page, settled
from tests.conftest import screenshot
from tests.factories import PIN, make_senior, make_user

pytestmark = pytest.mark.browser


def _small_phone(page: Any) -> Any:
    page.set_viewport_size({"width": 320, "height": 640})
    page.goto("/login")
    return page


def _sign_in(page: Any, card: str, pin: str) -> None:
    page.fill("#f-card_no", card)
    page.fill("#f-pin", pin)
    page.click("form button[type=submit]")


def _summary_on_first_screen(page: Any) -> bool:
    return bool(page.evaluate(
        "() => { const r = document.querySelector('[data-error-summary]').getBoundingClientRect();"
        " return r.top >= 0 && r.bottom <= window.innerHeight; }"))


def test_a_wrong_pin_is_said_at_the_top_of_a_small_phone_with_the_focus_on_it(
        phone_page: Any, session: Session) -> None:
    senior = make_senior(session, name="王秀英", card_no="88000001")
    make_user(session, "senior", senior=senior, name="王秀英", password=PIN)
    page = _small_phone(phone_page)

    _sign_in(page, "88000001", "999999")

    assert page.title() == "错误：登录 · 社区助餐"
    assert page.locator("[data-error-summary] li").all_inner_texts() == [
        "卡号或密码不对，请再试一次，也可以请工作人员或家属帮您点餐。"]
    settled(page)
    assert page.evaluate("() => document.activeElement.hasAttribute('data-error-summary')")
    assert _summary_on_first_screen(page)
    assert page.input_value("#f-card_no") == "88000001"
    screenshot(page, "login-wrong-pin-320")
    problems = check_page(page)
    page.set_viewport_size({"width": 320, "height": 640})
    page.click("[data-error-summary] a")
    assert page.evaluate("() => document.activeElement.id") == "f-pin"
    assert problems == []


def test_a_deactivated_card_is_told_so_next_to_the_card_number(phone_page: Any, session: Session) -> None:
    senior = make_senior(session, name="李建国", card_no="88000002")
    user = make_user(session, "senior", senior=senior, name="李建国", password=PIN)
    user.active = False
    session.add(user)
    session.commit()
    page = _small_phone(phone_page)

    _sign_in(page, "88000002", PIN)

    assert page.locator("[data-error-summary] li").all_inner_texts() == ["这个账号已停用，请联系运营管理员。"]
    assert page.locator("#f-card_no-err").inner_text() == "⚠ 这个账号已停用，请联系运营管理员。"
    assert page.title().startswith("错误：")
    assert check_page(page) == []


def test_after_five_wrong_pins_the_wait_is_said_on_the_form_and_the_card_number_is_kept(
        phone_page: Any, session: Session) -> None:
    senior = make_senior(session, name="赵阿娣", card_no="88000003")
    make_user(session, "senior", senior=senior, name="赵阿娣", password=PIN)
    page = _small_phone(phone_page)
    for _ in range(5):
        _sign_in(page, "88000003", "999999")

    _sign_in(page, "88000003", PIN)

    (said,) = page.locator("[data-error-summary] li").all_inner_texts()
    assert said.startswith("尝试次数较多，为了安全，请 ") and said.endswith(" 秒后再试。")
    assert page.input_value("#f-card_no") == "88000003"
    assert page.locator("form button[type=submit]").inner_text() == "登录"
    screenshot(page, "login-throttled-320")
    assert check_page(page) == []


def test_a_card_number_typed_with_spaces_signs_in(phone_page: Any, session: Session) -> None:
    senior = make_senior(session, name="王秀英", card_no="88000004")
    make_user(session, "senior", senior=senior, name="王秀英", password=PIN)
    page = _small_phone(phone_page)

    _sign_in(page, "8800 0004", PIN)

    assert page.locator(".who").inner_text() == "王秀英"
