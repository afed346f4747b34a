"""Issue 17 in a real Chromium on a 390×844 phone: the taps of ordering counted as a senior makes them, the three
text sizes, the fixed 电话求助 bar, 和上次一样 per slot, the week with every slot, past meals leaving the list,
why there is no subsidy, 朗读's short summary and its no-voice message, and an ended session in the middle of an
order. Every state passes check_page (axe, sizes at the current step, main action on the first screen)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlmodel import Session, col, select

from app.models import Order, UserSession
from app.ordering import service as ordering
from app.ordering.views import find_menu
from tests.browser.agefriendly import check_page, settled
from tests.browser.test_ordering_stories import _senior_signs_in, clock, district  # noqa: F401  (fixtures)
from tests.conftest import screenshot
from tests.factories import PIN, make_full_menu, make_slot_row, principal_of

pytestmark = pytest.mark.browser

# Counts every real (trusted) click and whether the page had been scrolled when it came; kept across navigations.
TAP_COUNTER = """
    document.addEventListener('click', (e) => {
      if (!e.isTrusted) return;
      sessionStorage.taps = String(Number(sessionStorage.taps || 0) + 1);
      if (window.scrollY > 0) sessionStorage.scrolled = String(Number(sessionStorage.scrolled || 0) + 1);
    }, true);
"""


def _ok(page: Any, name: str | None = None) -> None:
    problems = check_page(page)
    if name:
        screenshot(page, name)
    assert problems == []


def _taps(page: Any) -> tuple[int, int]:
    """(taps, taps made on a scrolled page) since the counter was reset."""
    settled(page)
    got = page.evaluate("() => [Number(sessionStorage.taps || 0), Number(sessionStorage.scrolled || 0)]")
    return int(got[0]), int(got[1])


def _reset_taps(page: Any) -> None:
    page.evaluate("() => { sessionStorage.taps = '0'; sessionStorage.scrolled = '0'; }")


def _place_for(session: Session, district: dict[str, Any], day_offset: int, slot: str, dish: str,  # noqa: F811
               fulfilment: str, at: datetime) -> Order:
    """An order placed the way the counter would, at `at` (yesterday's meals are placed yesterday)."""
    senior = district["wang"]
    menu = find_menu(session, district["canteen"].id, district["today"] + timedelta(days=day_offset), slot)
    assert menu is not None
    item = next(i for i in ordering.rules.menu_items(session, menu.id or 0) if i.name == dish)
    actor = ordering.actor_for(session, principal_of(session, district["wang_user"]), senior.id)
    return ordering.place_order(session, actor, ordering.OrderRequest(
        senior.id, menu.id or 0, fulfilment, (ordering.Choice(item.id, 1, "软食"),), f"k-{day_offset}-{slot}"), at=at)


@pytest.fixture
def yesterday(session: Session, district: dict[str, Any]) -> dict[str, Any]:  # noqa: F811
    """Yesterday's menus, and the user row of 王秀英 so orders can be placed as her."""
    from app.models import User

    day = district["today"] - timedelta(days=1)
    for slot in ("lunch", "dinner"):
        make_full_menu(session, district["canteen"], day, slot)
    district["wang_user"] = session.exec(select(User).where(User.senior_id == district["wang"].id)).one()
    return district


# ------------------------------------------------------------------ measured taps


def test_a_new_order_takes_three_taps_none_of_them_after_a_scroll(
        phone_page: Any, session: Session, district: dict[str, Any]) -> None:  # noqa: F811
    page = phone_page
    page.add_init_script(TAP_COUNTER)
    _senior_signs_in(page)
    _reset_taps(page)

    _ok(page, "taps-1-menu")
    page.click("[data-main-action]")  # 选这个 on the first dish
    _ok(page, "taps-2-choose")
    page.click("[data-main-action]")  # 送餐上门 (her usual way) first
    _ok(page, "taps-3-confirm")
    page.click("[data-main-action]")  # 确认下单

    assert page.locator("h1").inner_text() == "已订好"
    assert _taps(page) == (3, 0)
    order = session.exec(select(Order)).one()
    assert (order.fulfilment, order.status) == ("delivery", "placed")
    _ok(page, "taps-4-done")


def test_the_same_as_last_time_is_one_tap_from_the_landing_page(
        phone_page: Any, session: Session, yesterday: dict[str, Any], clock: dict[str, datetime]) -> None:  # noqa: F811
    _place_for(session, yesterday, -1, "lunch", "鱼片软食套餐", "dine_in", clock["at"] - timedelta(days=1))
    page = phone_page
    page.add_init_script(TAP_COUNTER)
    _senior_signs_in(page)
    _reset_taps(page)
    assert page.locator(".repeat button").inner_text() == "和上次一样，订今天午餐"
    _ok(page, "taps-repeat-landing")

    page.click("[data-main-action]")

    assert page.locator("h1").inner_text() == "已订好"
    assert _taps(page) == (1, 0)
    today = session.exec(select(Order).where(Order.service_date == yesterday["today"])).one()
    assert (today.slot, today.fulfilment) == ("lunch", "dine_in")


def test_cancelling_a_meal_takes_two_taps_from_the_landing_page(
        phone_page: Any, session: Session, yesterday: dict[str, Any], clock: dict[str, datetime]) -> None:  # noqa: F811
    order = _place_for(session, yesterday, 1, "lunch", "一荤两素一汤", "dine_in", clock["at"])
    page = phone_page
    page.add_init_script(TAP_COUNTER)
    _senior_signs_in(page)
    _reset_taps(page)

    page.click(f"[data-order='{order.public_no}'] a.btn-danger")  # 取消这一餐
    _ok(page, "taps-cancel-ask")
    page.click("[data-main-action]")  # 确定取消这一餐

    assert page.locator("h1").inner_text() == "已取消"
    assert _taps(page)[0] == 2
    session.refresh(order)
    assert order.status == "cancelled"
    _ok(page, "taps-cancelled")


# ------------------------------------------------------------------ three text sizes


def test_three_text_sizes_in_the_middle_of_an_order_each_keep_the_page_and_pass_at_their_floor(
        phone_page: Any, district: dict[str, Any]) -> None:  # noqa: F811
    page = phone_page
    _senior_signs_in(page)
    page.click("[data-main-action]")
    page.click("[data-way=dine_in]")
    confirm_url = page.url
    body = "() => parseFloat(getComputedStyle(document.querySelector('.confirm-meal')).fontSize)"
    seen = []

    for expected in ("标准", "大", "特大"):
        assert page.locator("header [data-font-size]").get_attribute("data-font-size") == expected
        assert page.url == confirm_url and page.locator(".item-name").inner_text() == "一荤两素一汤"
        seen.append(page.evaluate(body))
        _ok(page, f"font-{expected}-confirm")
        page.click("header button[name=size]")

    assert seen == [24, 28, 32]
    assert page.locator("header [data-font-size]").get_attribute("data-font-size") == "标准"
    assert page.url == confirm_url


def test_a_texture_picked_before_changing_the_text_size_is_still_picked_after(
        phone_page: Any, session: Session, district: dict[str, Any]) -> None:  # noqa: F811
    page = phone_page
    _senior_signs_in(page)
    page.click("[data-item='番茄炒蛋'] a.btn-primary")
    page.check("input[name=texture][value=碎食]")

    page.click("header button[name=size]")

    assert page.locator("header [data-font-size]").get_attribute("data-font-size") == "大"
    assert page.is_checked("input[name=texture][value=碎食]")
    _ok(page, "font-keeps-texture")
    page.click("[data-way=dine_in]")
    assert page.locator("#confirm-summary").inner_text().count("（碎食）") == 1


def test_a_card_number_typed_before_changing_the_text_size_is_still_there_after(phone_page: Any) -> None:
    page = phone_page
    page.goto("/login")
    page.fill("#f-card_no", "88000001")
    page.fill("#f-pin", "1234")

    page.click("header button[name=size]")

    assert page.locator("header [data-font-size]").get_attribute("data-font-size") == "大"
    assert page.input_value("#f-card_no") == "88000001"
    assert page.input_value("#f-pin") == ""  # a PIN is never kept
    _ok(page)


@pytest.mark.parametrize("taps_on_size", [1, 2])
def test_every_step_of_an_order_and_its_cancelling_passes_at_the_large_and_extra_large_steps(
        phone_page: Any, district: dict[str, Any], taps_on_size: int) -> None:  # noqa: F811
    page = phone_page
    _senior_signs_in(page)
    for _ in range(taps_on_size):
        page.click("header button[name=size]")
    step = page.locator("header [data-font-size]").get_attribute("data-font-size")

    for state in ("menu", "choose", "confirm", "done", "cancel-ask"):
        _ok(page, f"font-{step}-{state}")
        page.click("[data-main-action]" if state != "done" else "a.btn-danger")

    assert page.locator("h1").inner_text() == "已取消"
    _ok(page, f"font-{step}-cancelled")
    assert page.locator("html").get_attribute("class") == ("fs-large care" if taps_on_size == 1 else "fs-xl care")


# ------------------------------------------------------------------ 电话求助


def test_the_help_bar_stays_on_screen_with_the_number_in_digits_and_words(
        phone_page: Any, district: dict[str, Any]) -> None:  # noqa: F811
    page = phone_page
    _senior_signs_in(page)

    page.mouse.wheel(0, 2000)
    page.wait_for_function("() => window.scrollY > 0")
    bar = page.locator("[data-help-bar]").bounding_box()

    assert bar is not None and bar["y"] >= 0 and bar["y"] + bar["height"] <= 844
    assert page.locator("[data-help-digits]").inner_text() == "021-12345678"
    assert page.locator("[data-help-words]").inner_text() == "零二一 一二三四 五六七八"
    assert page.locator("[data-help-call]").get_attribute("href") == "tel:02112345678"


def test_the_sign_in_hint_points_to_the_help_bar_where_the_phone_shows_it(phone_page: Any) -> None:
    page = phone_page
    page.goto("/login")

    hint = page.locator("main > p.hint").inner_text()
    bar = page.locator("[data-help-bar]").bounding_box()

    assert "屏幕下方的“电话求助”" in hint
    assert bar is not None and bar["y"] > 844 / 2
    _ok(page, "login-help-bar")


# ------------------------------------------------------------------ 和上次一样 per slot, the week, past meals


def test_lunch_and_dinner_each_offer_their_own_last_meal_on_the_menu_they_sit_above(
        phone_page: Any, session: Session, yesterday: dict[str, Any], clock: dict[str, datetime]) -> None:  # noqa: F811
    at = clock["at"] - timedelta(days=1)
    _place_for(session, yesterday, -1, "lunch", "鱼片软食套餐", "dine_in", at)
    _place_for(session, yesterday, -1, "dinner", "南瓜泥", "pickup", at)
    page = phone_page
    _senior_signs_in(page)

    lunch = page.locator("[data-repeat=lunch]").inner_text()
    lunch_menu = page.locator("#menu-list > li").evaluate_all("els => els.map(e => e.dataset.item)")
    _ok(page)
    page.click("nav.other-meals >> text=今天晚餐")
    dinner = page.locator("[data-repeat=dinner]").inner_text()
    _ok(page, "repeat-dinner")

    assert "鱼片软食套餐" in lunch and "堂食" in lunch and "鱼片软食套餐" in lunch_menu
    assert "南瓜泥" in dinner and "自取" in dinner
    assert page.locator(".repeat button").inner_text() == "和上次一样，订今天晚餐"


def test_the_week_shows_breakfast_lunch_and_dinner_where_they_are_served(
        phone_page: Any, session: Session, district: dict[str, Any]) -> None:  # noqa: F811
    session.add(make_slot_row(district["canteen"].id, "breakfast"))
    session.commit()
    for offset in range(7):
        make_full_menu(session, district["canteen"], district["today"] + timedelta(days=offset), "breakfast")
    page = phone_page
    _senior_signs_in(page)

    page.goto("/order/week")

    tomorrow = page.locator("[data-day]").nth(1)
    assert tomorrow.locator("[data-slot]").evaluate_all("els => els.map(e => e.dataset.slot)") == [
        "breakfast", "lunch", "dinner"]
    assert tomorrow.locator("[data-slot=breakfast] a.btn-primary").inner_text().startswith("订早餐")
    _ok(page, "week-three-slots")


def test_a_meal_already_ordered_says_so_and_offers_the_next_open_meal_on_the_first_screen(
        phone_page: Any, session: Session, yesterday: dict[str, Any], clock: dict[str, datetime]) -> None:  # noqa: F811
    order = _place_for(session, yesterday, 0, "lunch", "一荤两素一汤", "dine_in", clock["at"])
    page = phone_page
    _senior_signs_in(page)

    page.goto(f"/order?menu={order.menu_id}")

    assert page.locator("[data-ordered] p").inner_text() == "今天午餐已经订好了：一荤两素一汤（软食），堂食。"
    assert page.locator("[data-main-action]").inner_text() == "订今天晚餐"
    _ok(page, "meal-already-ordered")


def test_a_meal_whose_serving_has_ended_leaves_the_upcoming_list(
        phone_page: Any, session: Session, yesterday: dict[str, Any], clock: dict[str, datetime]) -> None:  # noqa: F811
    eaten = _place_for(session, yesterday, 0, "lunch", "一荤两素一汤", "dine_in", clock["at"])
    later = _place_for(session, yesterday, 1, "lunch", "一荤两素一汤", "dine_in", clock["at"])
    page = phone_page
    _senior_signs_in(page)
    assert page.locator(f"[data-order='{eaten.public_no}']").count() == 1

    clock["at"] = clock["at"].replace(hour=13, minute=30)  # lunch is served 11:00-13:00
    page.goto("/order")

    listed = page.locator("[data-order]").evaluate_all("els => els.map(e => e.dataset.order)")
    assert listed == [later.public_no]
    assert "今天午餐" not in page.locator("nav.other-meals").inner_text()
    _ok(page, "past-meal-gone")


# ------------------------------------------------------------------ why no subsidy


def test_a_delivery_without_subsidy_says_why_in_plain_words(phone_page: Any, district: dict[str, Any]) -> None:  # noqa: F811
    page = phone_page
    _senior_signs_in(page)
    page.click("[data-main-action]")
    page.click("[data-way=delivery]")

    said = page.locator("[data-no-subsidy]").inner_text()
    subsidy_row = page.locator(".price-table tr", has_text="补贴").inner_text()

    assert "0.00" in subsidy_row
    assert said.startswith("为什么没有补贴：") and said.endswith("这一餐没有补贴。")
    assert "仅限" in said
    _ok(page, "no-subsidy-confirm")


# ------------------------------------------------------------------ 朗读


SPEECH_STUB = """
    window.__spoken = [];
    speechSynthesis.getVoices = () => window.__voices;
    speechSynthesis.speak = (u) => { window.__spoken.push([u.lang, u.text]); u.onstart && u.onstart(); };
"""


def test_read_aloud_says_a_short_summary_of_the_menu_first(phone_page: Any, district: dict[str, Any]) -> None:  # noqa: F811
    page = phone_page
    page.add_init_script("window.__voices = [{lang: 'zh-CN', name: '婷婷'}];" + SPEECH_STUB)
    _senior_signs_in(page)

    page.click("[data-speak]")
    spoken = page.evaluate("() => window.__spoken")

    assert len(spoken) == 1 and spoken[0][0] == "zh-CN"
    text = spoken[0][1]
    assert text.startswith("今天午餐可以订六样。第一样，一荤两素一汤，15元。第二样，鱼片软食套餐，")
    assert text.endswith("另有一道不适合您的菜。")
    assert len(text) < 160
    assert page.locator("[data-speak-note]").inner_text() == "正在朗读，再点一次停止。"
    _ok(page)


def test_read_aloud_without_a_chinese_voice_says_so_and_does_not_pretend_to_read(
        phone_page: Any, district: dict[str, Any]) -> None:  # noqa: F811
    page = phone_page
    page.add_init_script("window.__voices = [{lang: 'en-US', name: 'Samantha'}];" + SPEECH_STUB)
    _senior_signs_in(page)

    page.click("[data-speak]")

    note = page.locator("[data-speak-note]")
    assert note.inner_text().startswith("这台手机没有中文朗读的声音，不能朗读。")
    assert page.locator("[data-speak]").get_attribute("aria-pressed") == "false"
    assert page.evaluate("() => window.__spoken") == []
    _ok(page, "speak-no-voice")


def test_read_aloud_that_never_starts_goes_back_to_its_button_with_a_message(
        phone_page: Any, district: dict[str, Any]) -> None:  # noqa: F811
    page = phone_page
    page.clock.install()
    page.add_init_script("window.__voices = [{lang: 'zh-CN', name: '婷婷'}];"
                         "speechSynthesis.getVoices = () => window.__voices; speechSynthesis.speak = () => {};")
    _senior_signs_in(page)

    page.click("[data-speak]")
    pressed = page.locator("[data-speak]").get_attribute("aria-pressed")
    page.clock.run_for(3500)

    assert pressed == "true"
    assert page.locator("[data-speak]").get_attribute("aria-pressed") == "false"
    assert page.locator("[data-speak-note]").inner_text().startswith("朗读没有开始")


# ------------------------------------------------------------------ a session that ends mid-order


def test_a_session_that_ended_before_confirming_returns_to_the_same_confirmation_after_signing_in(
        phone_page: Any, session: Session, district: dict[str, Any]) -> None:  # noqa: F811
    page = phone_page
    _senior_signs_in(page)
    page.click("[data-main-action]")
    page.click("[data-way=pickup]")
    confirm_url = page.url
    for row in session.exec(select(UserSession)).all():  # the session runs out while she reads the price
        session.delete(row)
    session.commit()

    page.click("[data-main-action]")

    assert page.locator("h1").inner_text() == "登录"
    assert "您选好的菜还在" in page.locator("[data-expired]").inner_text()
    assert "错误" not in page.title()
    _ok(page, "expired-sign-in")
    page.fill("#f-card_no", "88000001")
    page.fill("#f-pin", PIN)
    page.click("form button[type=submit]")
    assert page.url == confirm_url
    assert page.locator(".item-name").inner_text() == "一荤两素一汤"
    assert "自取" in page.locator(".confirm-way").inner_text()
    page.click("[data-main-action]")
    assert page.locator("h1").inner_text() == "已订好"
    assert [o.fulfilment for o in session.exec(select(Order).order_by(col(Order.id)))] == ["pickup"]


def test_a_session_that_ended_on_the_menu_comes_back_to_the_dish_tapped(
        phone_page: Any, session: Session, district: dict[str, Any]) -> None:  # noqa: F811
    page = phone_page
    _senior_signs_in(page)
    for row in session.exec(select(UserSession)).all():
        session.delete(row)
    session.commit()

    page.click("[data-main-action]")
    assert "您选好的菜还在" in page.locator("[data-expired]").inner_text()
    page.fill("#f-card_no", "88000001")
    page.fill("#f-pin", PIN)
    page.click("form button[type=submit]")

    assert page.locator("[data-chosen]").get_attribute("data-chosen") == "一荤两素一汤"
    _ok(page)



# ------------------------------------------------------------------ a helper at 特大


def test_a_helper_at_extra_large_text_orders_with_every_main_action_on_the_first_screen(
        phone_page: Any, session: Session, district: dict[str, Any]) -> None:  # noqa: F811
    from tests.browser.test_ordering_stories import _staff_signs_in
    from tests.factories import link_helper, make_user

    helper = make_user(session, "helper", phone="13700000005", name="刘女儿")
    link_helper(session, helper, district["wang"], relation="女儿")
    page = phone_page
    _staff_signs_in(page, "13700000005")
    page.goto("/helper")
    page.click("header button[name=size]")
    page.click("header button[name=size]")

    for state in ("list", "menu", "choose", "confirm"):
        _ok(page, f"helper-特大-{state}")
        page.click("[data-main-action]")

    assert page.locator("h1").inner_text() == "已订好"
    assert page.locator("[data-whom]").get_attribute("data-whom") == "王秀英"
    _ok(page, "helper-特大-done")
