"""Issue 5's six stories in a real Chromium: every page state passes axe (wcag22aa), the size rules and the
320 px reflow; screenshots of the main pages at phone and desktop widths go to test-artifacts/."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

import pytest
from sqlmodel import Session, col, select

from app.core.settings import TZ
from app.models import CanteenSlot, Order, now
from app.ordering import rules as ordering_rules
from app.ordering import service as ordering
from app.ordering.views import find_menu
from tests.browser.agefriendly import check_page, settled
from tests.conftest import screenshot
from tests.factories import (
    PASSWORD,
    PIN,
    link_helper,
    make_canteen,
    make_full_menu,
    make_senior,
    make_user,
    principal_of,
    seed_schemes,
)

pytestmark = pytest.mark.browser


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> dict[str, datetime]:
    """Ordering's clock at 08:00 today (Shanghai), so lunch is still open whenever the suite runs."""
    state = {"at": datetime.combine(now().date(), time(8, 0), TZ)}
    monkeypatch.setattr(ordering_rules, "current_time", lambda: state["at"])
    return state


@pytest.fixture
def district(session: Session, clock: dict[str, datetime]) -> dict[str, Any]:
    """A 普陀 canteen whose lunch delivery closes at 9:00 the same day, menus for a week, three seniors."""
    seed_schemes(session)
    canteen = make_canteen(session, name="长风新村长者食堂", district="普陀", street="长风新村街道")
    for slot in session.exec(select(CanteenSlot).where(CanteenSlot.canteen_id == canteen.id)):
        slot.delivery_cutoff_days_before, slot.delivery_cutoff = 0, time(9, 0)
        session.add(slot)
    today = clock["at"].date()
    for offset in range(7):
        for slot_name in ("lunch", "dinner"):
            make_full_menu(session, canteen, today + timedelta(days=offset), slot_name,
                           limits={"爱心实惠套餐": 1} if offset == 0 and slot_name == "lunch" else None)
    wang = make_senior(session, name="王秀英", age=85, today=today, default_canteen_id=canteen.id, texture="软食",
                       card_no="88000001", preferred_fulfilment="delivery", allergies="虾",
                       address="上海市普陀区长风新村12号302室")
    li = make_senior(session, name="李建国", age=78, today=today, default_canteen_id=canteen.id,
                     card_no="88000002", preferred_fulfilment="dine_in", phone="13912345678")
    far = make_senior(session, name="赵阿娣", age=90, today=today, default_canteen_id=canteen.id, card_no="88000003",
                      lat=canteen.lat + 0.05, preferred_fulfilment="delivery")
    make_user(session, "senior", senior=wang, name="王秀英", password=PIN)
    return dict(canteen=canteen, wang=wang, li=li, far=far, today=today)


def _ok(page: Any, name: str | None = None) -> None:
    """The page meets every measured rule; a named state is also saved as a screenshot."""
    problems = check_page(page)
    if name:
        screenshot(page, name)
    assert problems == []


def _senior_signs_in(page: Any) -> None:
    page.goto("/login")
    page.fill("#f-card_no", "88000001")
    page.fill("#f-pin", PIN)
    page.click("form button[type=submit]")


def _staff_signs_in(page: Any, phone: str) -> None:
    page.goto("/login?mode=staff")
    page.fill("#f-phone", phone)
    page.fill("#f-password", PASSWORD)
    page.click("form button[type=submit]")


def test_story_1_a_senior_orders_todays_lunch_for_delivery_in_three_taps(
        phone_page: Any, session: Session, district: dict[str, Any]) -> None:
    page = phone_page
    _senior_signs_in(page)
    assert page.locator("h1").inner_text() == "今天午餐"
    assert page.locator("[data-speak]").is_visible()
    _ok(page, "order-1-menu-phone")

    page.click("[data-item='一荤两素一汤'] a.btn-primary")
    assert page.locator(".texture-fixed").inner_text() == "做法：软食（按您的需要）"
    assert page.locator("[data-way-address]").inner_text() == "送到：上海市普陀区长风新村12号302室"
    _ok(page, "order-2-choose-phone")

    page.click("[data-way=delivery]")
    prices = page.locator(".price-table").inner_text()
    assert "原价" in prices and "补贴" in prices and "自付" in prices
    assert "仅限堂食" in page.locator(".reason").inner_text()
    # on a phone the button breaks after 确认下单，, never between the amount and 元
    for width in (390, 320):
        page.set_viewport_size({"width": width, "height": 844})
        assert page.locator(".confirm-pay").evaluate("el => el.getClientRects().length") == 1, width
    page.set_viewport_size({"width": 390, "height": 844})
    _ok(page, "order-3-confirm-phone")

    page.click(".btn-confirm")
    assert page.locator("h1").inner_text() == "已订好"
    assert page.locator(".done-when").inner_text() == "今天上午11:00到中午12:30之间送到家"
    _ok(page, "order-4-done-phone")
    order = session.exec(select(Order)).one()
    assert (order.fulfilment, order.placed_via, order.address_snapshot) == (
        "delivery", "self", "上海市普陀区长风新村12号302室")


def test_story_1_at_desktop_width_the_same_pages_stay_calm(page: Any, district: dict[str, Any]) -> None:
    _senior_signs_in(page)
    _ok(page, "order-1-menu-desktop")
    page.click("[data-item='鱼片软食套餐'] a.btn-primary")
    _ok(page, "order-2-choose-desktop")
    page.click("[data-way=dine_in]")
    _ok(page, "order-3-confirm-desktop")
    page.click(".btn-confirm")
    _ok(page, "order-4-done-desktop")

    assert page.locator("h1").inner_text() == "已订好"


def test_story_2_and_3_repeat_last_time_then_order_and_cancel_in_the_week(
        phone_page: Any, session: Session, district: dict[str, Any]) -> None:
    page = phone_page
    _senior_signs_in(page)
    page.click("[data-item='一荤两素一汤'] a.btn-primary")
    page.click("[data-way=dine_in]")
    page.click(".btn-confirm")
    page.goto("/order")
    assert page.locator(".repeat").count() == 0  # today's dinner: she has never had dinner here
    page.click("nav.other-meals >> text=明天午餐")

    assert page.locator(".repeat button").inner_text() == "和上次一样，订明天午餐"
    _ok(page, "order-5-repeat-phone")
    page.click(".repeat button")
    assert page.locator("h1").inner_text() == "已订好"

    page.goto("/order/week")
    rows = page.locator("[data-day]")
    assert rows.count() == 7
    assert "已订" in rows.nth(1).inner_text()
    _ok(page, "order-6-week-phone")
    rows.nth(1).locator("[data-slot=lunch] a.btn-danger").click()
    _ok(page, "order-7-cancel-ask-phone")
    page.click(".btn-cancel")
    assert "已取消明天午餐的订单" in page.locator("[data-cancelled]").inner_text()
    assert [o.status for o in session.exec(select(Order).order_by(col(Order.id)))] == ["placed", "cancelled"]


def test_story_4_a_helper_orders_for_two_seniors_and_cannot_reach_a_third(
        page: Any, session: Session, district: dict[str, Any]) -> None:
    helper = make_user(session, "helper", phone="13700000005", name="刘女儿")
    link_helper(session, helper, district["wang"], relation="女儿")
    link_helper(session, helper, district["li"], relation="邻居")
    _staff_signs_in(page, "13700000005")
    page.goto("/helper")
    assert page.locator("[data-senior]").all_inner_texts()[0].startswith("王秀英")
    _ok(page, "helper-1-list-desktop")

    for name in ("王秀英", "李建国"):
        page.goto("/helper")
        page.locator(f"[data-senior='{name}'] a.btn-primary").click()
        assert page.locator("[data-whom]").get_attribute("data-whom") == name
        page.locator("[data-item='一荤两素一汤'] a.btn-primary").click()
        page.locator("[data-way=dine_in]").click()
        page.click(".btn-confirm")
        assert page.locator("h1").inner_text() == "已订好"
    _ok(page, "helper-2-done-desktop")
    page.click("text=为下一位老人点餐")
    assert page.locator("[data-senior] .booked-list").count() == 2
    _ok(page, "helper-3-list-with-orders-desktop")
    refused = page.goto(f"/order?senior={district['far'].id}")

    assert refused is not None and refused.status == 403
    assert "没有为这位老人代订的授权" in page.locator("[role=alert]").inner_text()


def test_story_5_the_counter_finds_a_walk_in_by_phone_and_orders_dine_in(
        phone_page: Any, session: Session, district: dict[str, Any]) -> None:
    make_user(session, ("counter", district["canteen"].id), phone="13700000004", name="赵窗口")
    page = phone_page
    _staff_signs_in(page, "13700000004")
    page.goto("/counter")
    page.fill("#f-q", "5678")
    page.click(".search-form button")
    assert page.locator("[data-senior]").all_inner_texts()[0].startswith("李建国")
    _ok(page, "counter-1-found-phone")

    page.click("[data-senior='李建国'] a.btn-primary")
    page.click("[data-item='爱心实惠套餐'] a.btn-primary")
    page.click("[data-way=dine_in]")
    _ok(page, "counter-2-confirm-phone")
    page.click(".btn-confirm")

    assert page.locator("h1").inner_text() == "已订好"
    assert session.exec(select(Order)).one().placed_via == "counter"


def test_story_6_allergy_and_sold_out_are_said_on_the_dish_and_a_retry_makes_one_order(
        phone_page: Any, session: Session, district: dict[str, Any]) -> None:
    page = phone_page
    counter = principal_of(session, make_user(session, ("counter", district["canteen"].id)))
    _senior_signs_in(page)
    page.click("[data-blocked-fold] > summary")  # dishes she cannot order are folded below the others
    allergy = page.locator("[data-item='虾仁豆腐']")
    assert "不能订：含有虾，王秀英对虾过敏" in allergy.inner_text()
    assert allergy.locator("a.btn-alt").count() == 1
    _ok(page, "error-1-allergy-phone")

    # The last 爱心实惠套餐 goes to a neighbour at the counter while 王秀英 is choosing.
    page.click("[data-item='爱心实惠套餐'] a.btn-primary")
    menu = find_menu(session, district["canteen"].id, district["today"], "lunch")
    assert menu is not None
    item_id = int(page.locator("input[name=item]").get_attribute("value") or 0)
    ordering.place_order(session, ordering.actor_for(session, counter, district["li"].id),
                         ordering.OrderRequest(district["li"].id, menu.id or 0, "dine_in",
                                               (ordering.Choice(item_id),), "neighbour-0001"))
    page.click("[data-way=dine_in]")
    assert "“爱心实惠套餐”已经订完了" in page.locator("#item-summary").inner_text()
    _ok(page, "error-2-sold-out-phone")

    # The network drops after 确认 and the same confirmation is sent again: one order.
    page.locator("[data-item='爱心实惠套餐'] a.btn-primary").click()
    page.click("[data-way=dine_in]")
    settled(page)
    page.wait_for_selector(".confirm-form")
    kinds = page.evaluate("""async () => {
        const form = document.querySelector('.confirm-form');
        const send = () => fetch(form.action, {method: 'POST', body: new URLSearchParams(new FormData(form)),
                                                redirect: 'manual'});
        const a = await send(); const b = await send(); return [a.type, b.type];
    }""")
    assert kinds == ["opaqueredirect", "opaqueredirect"]
    assert len(session.exec(select(Order).where(Order.senior_id == district["wang"].id)).all()) == 1


def test_story_6_a_cutoff_passing_on_the_confirmation_is_said_on_the_meal_with_the_next_one(
        phone_page: Any, district: dict[str, Any], clock: dict[str, datetime]) -> None:
    page = phone_page
    _senior_signs_in(page)
    page.click("[data-item='一荤两素一汤'] a.btn-primary")
    page.click("[data-way=dine_in]")

    clock["at"] = clock["at"].replace(hour=9, minute=45)
    page.click(".btn-confirm")

    assert page.locator("#slot-err").inner_text() == "⚠ 今天午餐已截止，可以订今天晚餐的。"
    assert page.locator(".ways-cutoff").count() == 0
    _ok(page, "error-3-cutoff-phone")
    page.click(".closed-meal a.btn-primary")
    assert page.locator("h1").inner_text() == "今天晚餐"


def test_story_6_delivery_out_of_range_is_said_on_the_way_and_dine_in_stays_open(
        phone_page: Any, session: Session, district: dict[str, Any]) -> None:
    make_user(session, ("counter", district["canteen"].id), phone="13700000004")
    page = phone_page
    _staff_signs_in(page, "13700000004")
    page.goto(f"/order?senior={district['far'].id}")
    page.click("[data-item='一荤两素一汤'] a.btn-primary")

    assert "送不到" in page.locator("[data-way-closed=delivery]").inner_text()
    assert page.locator("[data-way=dine_in]").is_visible()
    _ok(page, "error-4-out-of-range-phone")


def _tab_to(page: Any, selector: str, limit: int = 60) -> None:
    """Press Tab until the element matching `selector` has the focus (keyboard-only use)."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(f"() => document.activeElement?.matches({selector!r}) ?? false"):
            return
    raise AssertionError(f"Tab never reached {selector}")


def test_story_1_by_keyboard_alone_with_a_visible_focus_ring(page: Any, session: Session,
                                                             district: dict[str, Any]) -> None:
    _senior_signs_in(page)

    _tab_to(page, "[data-item='一荤两素一汤'] a.btn-primary")
    ring = page.evaluate("() => getComputedStyle(document.activeElement).outlineStyle")
    for target in ("[data-way=pickup]", ".btn-confirm", None):
        with page.expect_navigation():
            page.keyboard.press("Enter")
        if target:
            _tab_to(page, target)

    assert ring == "solid"
    assert session.exec(select(Order)).one().fulfilment == "pickup"


def test_the_read_aloud_button_speaks_the_menu_in_chinese(page: Any, district: dict[str, Any]) -> None:
    page.add_init_script("""
        window.__spoken = [];
        window.speechSynthesis.getVoices = () => [{lang: 'zh-CN', name: '婷婷'}];
        window.speechSynthesis.speak = (u) => { window.__spoken.push([u.lang, u.text]); };
    """)
    _senior_signs_in(page)

    page.click("[data-speak]")
    spoken = page.evaluate("() => window.__spoken")

    assert len(spoken) == 1 and spoken[0][0] == "zh-CN"
    text = "".join(spoken[0][1].split())
    assert text.startswith("今天午餐可以订六样。第一样，一荤两素一汤，15元。")
    assert "选这个" not in text


def test_extra_large_text_keeps_the_menu_and_confirmation_readable_at_320px(
        phone_page: Any, district: dict[str, Any]) -> None:
    page = phone_page
    _senior_signs_in(page)
    page.click("text=字号：标准")
    page.click("text=字号：大")
    settled(page)
    body = page.evaluate("() => parseFloat(getComputedStyle(document.querySelector('.item-members')).fontSize)")
    _ok(page, "order-8-menu-extra-large-phone")
    page.click("[data-item='一荤两素一汤'] a.btn-primary")
    page.click("[data-way=dine_in]")
    _ok(page, "order-9-confirm-extra-large-phone")

    assert body >= 30


def test_tapping_the_text_size_in_the_middle_of_an_order_keeps_the_dish_and_the_way(
        phone_page: Any, session: Session, district: dict[str, Any]) -> None:
    page = phone_page
    _senior_signs_in(page)
    page.click("[data-item='一荤两素一汤'] a.btn-primary")
    page.click("[data-way=dine_in]")
    confirm_url = page.url

    page.click("header button[name=size]")

    assert page.url == confirm_url
    assert page.locator("html").get_attribute("class") == "fs-large care"
    assert "一荤两素一汤" in page.locator("main").inner_text()
    assert "提交的内容有误" not in page.locator("main").inner_text()
    _ok(page, "order-font-xl-confirm-phone")
    page.click(".btn-confirm")
    assert page.locator("h1").inner_text() == "已订好"
    assert page.locator("[data-order-no]").inner_text() == "0001"
    assert session.exec(select(Order)).one().short_no == 1


def test_a_senior_with_an_allergy_sees_what_she_can_order_first_and_the_rest_folded_in_one_line(
        phone_page: Any, district: dict[str, Any]) -> None:
    page = phone_page
    _senior_signs_in(page)

    first_list = page.locator("#menu-list > li").evaluate_all("els => els.map(e => e.dataset.item)")
    fold = page.locator("[data-blocked-fold] > summary")
    assert "虾仁豆腐" not in first_list and first_list[0] == "一荤两素一汤"
    assert fold.inner_text() == "另有 1 道不适合您的菜"
    assert not page.locator("[data-item='虾仁豆腐']").is_visible()
    _ok(page, "order-menu-folded-phone")

    fold.click()
    assert page.locator("[data-item='虾仁豆腐'] .blocked-text").inner_text() == "✕ 不能订：含有虾，王秀英对虾过敏"
    _ok(page)
