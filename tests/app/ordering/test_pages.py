"""The ordering pages as HTML: each step says what it needs in words, errors sit next to their cause, and
helpers and the counter order only for whom they may."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import pytest
from bs4 import BeautifulSoup
from sqlmodel import Session, col, select

from app.core.settings import TZ
from app.models import AuditEvent, MenuItem, Order, User
from app.ordering import rules as ordering_rules
from app.ordering import service as ordering_service
from tests.conftest import csrf
from tests.factories import (
    PASSWORD,
    PIN,
    link_helper,
    make_canteen,
    make_dish_menu,
    make_menu,
    make_senior,
    make_user,
    principal_of,
    seed_schemes,
)

DAY = date(2030, 3, 4)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Any:
    """Ordering's clock at 08:00 on DAY, movable by the test."""
    state = {"at": datetime(2030, 3, 4, 8, 0, tzinfo=TZ)}
    monkeypatch.setattr(ordering_rules, "current_time", lambda: state["at"])
    return state


@pytest.fixture
def world(session: Session, clock: Any) -> dict[str, Any]:
    seed_schemes(session)
    canteen = make_canteen(session, name="长风长者食堂", district="普陀")
    senior = make_senior(session, name="王秀英", age=85, today=DAY, default_canteen_id=canteen.id, texture="软食",
                         card_no="88000001", preferred_fulfilment="dine_in")
    make_user(session, "senior", senior=senior, name="王秀英", password=PIN)
    menu = make_menu(session, canteen, DAY, "lunch", items=[("一荤两素一汤", 2000), ("爱心实惠套餐", 800)])
    return dict(canteen=canteen, senior=senior, menu=menu)


def _soup(response: Any) -> Any:
    """Parsed page; typed Any so selectors read plainly (a missing node fails the assertion anyway)."""
    return BeautifulSoup(response.text, "html.parser")


def _item_ids(session: Session, menu_id: int) -> list[int]:
    return [i.id or 0 for i in session.exec(select(MenuItem).where(MenuItem.menu_id == menu_id)
                                            .order_by(col(MenuItem.position)))]


def test_the_senior_sees_todays_lunch_with_prices_and_when_to_order_by(
        client: Any, login: Any, world: dict[str, Any]) -> None:
    login(card_no="88000001", pin=PIN)

    soup = _soup(client.get("/order"))

    assert soup.h1.get_text(strip=True) == "今天午餐"
    assert [li["data-item"] for li in soup.select("[data-item]")] == ["一荤两素一汤", "爱心实惠套餐"]
    assert "堂食：今天上午9:30前可订" in soup.select_one(".ways-cutoff").get_text()
    assert "已于昨天下午5:00截止" in soup.select_one(".ways-cutoff").get_text()
    assert soup.select_one("[data-item='一荤两素一汤'] .money").get_text(strip=True) == "20.00元"
    assert soup.select_one("[data-item='一荤两素一汤'] a.btn-primary")["href"].split("testserver")[-1].startswith("/order/choose?")


def test_choosing_shows_the_texture_they_need_and_the_ways_still_open(
        client: Any, login: Any, session: Session, world: dict[str, Any]) -> None:
    login(card_no="88000001", pin=PIN)
    item = _item_ids(session, world["menu"].id)[0]

    soup = _soup(client.get(f"/order/choose?menu={world['menu'].id}&item={item}"))

    assert soup.select_one(".texture-fixed").get_text(strip=True) == "做法：软食（按您的需要）"
    assert [b["value"] for b in soup.select("button[name=fulfilment]")] == ["dine_in", "pickup"]
    assert "送餐上门已于昨天下午5:00截止" in soup.select_one("[data-way-closed=delivery]").get_text()


def test_the_confirmation_shows_list_discount_subsidy_and_payable_with_the_reason(
        client: Any, login: Any, session: Session, world: dict[str, Any]) -> None:
    login(card_no="88000001", pin=PIN)
    item = _item_ids(session, world["menu"].id)[0]

    soup = _soup(client.get(f"/order/confirm?menu={world['menu'].id}&item={item}&fulfilment=dine_in&texture=软食"))

    rows = {tr.th.get_text(strip=True)[:2]: tr.td.get_text(strip=True) for tr in soup.select(".price-table tr")}
    assert rows == {"原价": "20.00元", "折扣": "减3.00元", "补贴": "减3.00元", "自付": "14.00元"}
    assert "八五折" in soup.select_one(".reason").get_text()
    assert len(soup.select_one("input[name=key]")["value"]) == 32
    assert "今天上午9:30前还可以取消" in soup.select_one(".hint-line").get_text()


def test_placing_twice_with_the_same_key_lands_on_one_done_page(
        client: Any, login: Any, session: Session, world: dict[str, Any]) -> None:
    login(card_no="88000001", pin=PIN)
    item = _item_ids(session, world["menu"].id)[0]
    form = {"menu": world["menu"].id, "item": item, "fulfilment": "dine_in", "texture": "软食",
            "key": "a" * 32, "csrf_token": csrf(client)}

    first = client.post("/order/place", data=form, follow_redirects=False)
    second = client.post("/order/place", data=form, follow_redirects=False)
    done = _soup(client.get(first.headers["location"]))

    assert first.status_code == second.status_code == 303
    assert first.headers["location"] == second.headers["location"]
    assert len(session.exec(select(Order)).all()) == 1
    assert done.h1.get_text(strip=True) == "已订好"
    assert done.select_one(".done-when").get_text(strip=True) == "今天上午11:00到下午1:00之间到食堂吃饭"


def test_after_the_cutoff_the_error_is_next_to_the_meal_and_names_tomorrow(
        client: Any, login: Any, session: Session, world: dict[str, Any], clock: Any) -> None:
    login(card_no="88000001", pin=PIN)
    make_menu(session, world["canteen"], date(2030, 3, 5), "lunch")
    item = _item_ids(session, world["menu"].id)[0]
    clock["at"] = datetime(2030, 3, 4, 9, 40, tzinfo=TZ)
    form = {"menu": world["menu"].id, "item": item, "fulfilment": "dine_in", "texture": "软食",
            "key": "b" * 32, "csrf_token": csrf(client)}

    response = client.post("/order/place", data=form)

    assert response.status_code == 409
    assert _soup(response).select_one("#slot-err").get_text(strip=True) == "⚠今天午餐已截止，可以订明天的。"


def test_a_sold_out_dish_is_refused_next_to_the_dish_with_a_button_for_the_alternative(
        client: Any, login: Any, session: Session, world: dict[str, Any]) -> None:
    login(card_no="88000001", pin=PIN)
    first, second = _item_ids(session, world["menu"].id)
    row = session.get(MenuItem, first)
    assert row is not None
    row.quantity_limit, row.sold_count = 3, 3
    session.add(row)
    session.commit()

    response = client.get(f"/order/choose?menu={world['menu'].id}&item={first}")

    card = _soup(response).select_one("[data-item='一荤两素一汤']")
    assert response.status_code == 409
    assert "“一荤两素一汤”已经订完了。可以改订：爱心实惠套餐。" in card.select_one(".error-text").get_text()
    assert "看这道菜" in _soup(response).select_one("#item-summary").get_text()
    assert card.select_one("a.btn-primary")["href"].endswith(f"item={second}")


def test_an_allergen_is_marked_on_the_menu_before_anyone_taps_it(
        client: Any, login: Any, session: Session, world: dict[str, Any]) -> None:
    world["senior"].allergies = "虾"
    session.add(world["senior"])
    session.commit()
    menu = make_dish_menu(session, world["canteen"], DAY, "dinner", dishes=[
        dict(name="虾仁豆腐", allergens="虾,大豆"), dict(name="南瓜泥", textures="软食,碎食,糊状")])
    login(card_no="88000001", pin=PIN)

    card = _soup(client.get(f"/order?menu={menu.id}")).select_one("[data-item='虾仁豆腐']")

    assert "不能订：含有虾，王秀英对虾过敏" in card.select_one(".blocked-text").get_text()
    assert card.select_one("a.btn-alt").get_text(strip=True) == "可以改订：南瓜泥"


def test_delivery_out_of_range_is_said_next_to_the_way_of_eating(
        client: Any, login: Any, session: Session, world: dict[str, Any]) -> None:
    world["senior"].lat = world["canteen"].lat + 0.05
    session.add(world["senior"])
    session.commit()
    tomorrow = make_menu(session, world["canteen"], date(2030, 3, 5), "lunch")
    login(card_no="88000001", pin=PIN)
    item = _item_ids(session, tomorrow.id or 0)[0]

    response = client.get(f"/order/confirm?menu={tomorrow.id}&item={item}&fulfilment=delivery")

    soup = _soup(response)
    assert response.status_code == 409  # well formed, but the address is out of reach: a conflict, not bad input
    assert "送不到" in soup.select_one("#fulfilment-err").get_text()
    assert soup.select_one("input[name=item]")["value"] == str(item)


def test_the_week_page_has_one_row_per_day_and_a_cancel_for_a_standing_order(
        client: Any, login: Any, session: Session, world: dict[str, Any]) -> None:
    login(card_no="88000001", pin=PIN)
    make_menu(session, world["canteen"], date(2030, 3, 5), "lunch")
    item = _item_ids(session, world["menu"].id)[0]
    client.post("/order/place", data={"menu": world["menu"].id, "item": item, "fulfilment": "pickup",
                                      "key": "c" * 32, "csrf_token": csrf(client)})

    soup = _soup(client.get("/order/week"))

    assert [r["data-day"] for r in soup.select("[data-day]")] == ["2030-03-04", "2030-03-05"]
    today = soup.select_one("[data-day='2030-03-04']")
    assert "已订：一荤两素一汤（软食），自取" in today.get_text()
    assert today.select_one("a.btn-danger")["href"].endswith("/cancel")


def test_cancelling_asks_first_then_releases_the_order(
        client: Any, login: Any, session: Session, world: dict[str, Any]) -> None:
    login(card_no="88000001", pin=PIN)
    item = _item_ids(session, world["menu"].id)[0]
    done = client.post("/order/place", data={"menu": world["menu"].id, "item": item, "fulfilment": "dine_in",
                                             "key": "d" * 32, "csrf_token": csrf(client)}, follow_redirects=False)
    order_id = int(done.headers["location"].rsplit("/", 1)[1])

    ask = _soup(client.get(f"/order/{order_id}/cancel"))
    result = _soup(client.post(f"/order/{order_id}/cancel", data={"csrf_token": csrf(client)}))

    assert ask.h1.get_text(strip=True) == "取消今天午餐？"
    assert "已取消今天午餐的订单" in result.select_one("[data-cancelled]").get_text()
    assert session.get(Order, order_id).status == "cancelled"  # type: ignore[union-attr]


def test_repeat_last_time_is_one_button_that_orders_the_same_meal_tomorrow(
        client: Any, login: Any, session: Session, world: dict[str, Any]) -> None:
    login(card_no="88000001", pin=PIN)
    item = session.get(MenuItem, _item_ids(session, world["menu"].id)[1])
    assert item is not None
    client.post("/order/place", data={"menu": world["menu"].id, "item": item.id, "fulfilment": "pickup",
                                      "key": "e" * 32, "csrf_token": csrf(client)})
    tomorrow = make_dish_menu(session, world["canteen"], date(2030, 3, 5), "lunch", dishes=[dict(name="米饭")])
    session.add(MenuItem(menu_id=tomorrow.id or 0, kind="set", set_meal_id=item.set_meal_id, name=item.name,
                         price_fen=item.price_fen, position=1))
    session.commit()

    form = _soup(client.get("/order")).select_one(".repeat form")
    fields = {i["name"]: i.get("value") for i in form.select("input")}
    placed = client.post(form["action"], data=fields | {"csrf_token": csrf(client)}, follow_redirects=False)

    assert form.button.get_text(strip=True) == "和上次一样，订明天午餐"
    assert placed.status_code == 303
    orders = session.exec(select(Order).order_by(col(Order.id))).all()
    assert [(o.service_date, o.fulfilment) for o in orders] == [(DAY, "pickup"), (date(2030, 3, 5), "pickup")]


def test_a_helper_sees_only_linked_seniors_and_cannot_open_anyone_elses_menu(
        client: Any, login: Any, session: Session, world: dict[str, Any]) -> None:
    helper = make_user(session, "helper", phone="13700000001", name="刘女儿")
    link_helper(session, helper, world["senior"])
    stranger = make_senior(session, name="李建国", today=DAY, default_canteen_id=world["canteen"].id)
    login("13700000001", PASSWORD)

    home = _soup(client.get("/helper"))
    refused = client.get(f"/order?senior={stranger.id}")
    allowed = _soup(client.get(f"/order?senior={world['senior'].id}"))

    assert [li["data-senior"] for li in home.select("[data-senior]")] == ["王秀英"]
    assert refused.status_code == 403
    assert "没有为这位老人代订的授权" in refused.text
    assert allowed.select_one("[data-whom]")["data-whom"] == "王秀英"


def test_counter_staff_find_a_walk_in_by_the_last_digits_of_the_card(
        client: Any, login: Any, session: Session, world: dict[str, Any]) -> None:
    make_user(session, ("counter", world["canteen"].id), phone="13700000002")
    login("13700000002", PASSWORD)

    found = _soup(client.get("/counter?q=0001"))
    nobody = _soup(client.get("/counter?q=张无忌"))

    assert [li["data-senior"] for li in found.select("[data-senior]")] == ["王秀英"]
    assert "没有找到“张无忌”" in nobody.select_one("#f-q-err").get_text()
    assert nobody.select_one("#f-q")["value"] == "张无忌"
    searches = session.exec(select(AuditEvent).where(AuditEvent.action == "senior.counter_search")).all()
    assert [e.detail for e in searches] == ["窗口查找“0001”，找到 1 位", "窗口查找“张**”，找到 0 位"]


def test_a_counter_clerk_finds_only_their_own_canteens_seniors_and_a_card_in_hand(
        client: Any, login: Any, session: Session, world: dict[str, Any]) -> None:
    other = make_canteen(session, name="曹杨食堂")
    make_senior(session, name="王建国", today=DAY, default_canteen_id=other.id, card_no="88000002",
                phone="13911112222")
    make_user(session, ("counter", world["canteen"].id), phone="13700000002")
    login("13700000002", PASSWORD)

    one_digit = _soup(client.get("/counter?q=1"))
    by_name = _soup(client.get("/counter?q=王"))
    by_phone = _soup(client.get("/counter?q=2222"))
    by_card = _soup(client.get("/counter?q=88000002"))

    assert one_digit.select("[data-senior]") == []
    assert one_digit.select_one("#f-q-err").get_text(strip=True) == "⚠按手机号或卡号查找，请至少输入后4位数字。"
    assert [li["data-senior"] for li in by_name.select("[data-senior]")] == ["王秀英"]
    assert by_phone.select("[data-senior]") == []
    assert [li["data-senior"] for li in by_card.select("[data-senior]")] == ["王建国"]
    searches = session.exec(select(AuditEvent).where(AuditEvent.action == "senior.counter_search")).all()
    assert [e.detail for e in searches] == ["窗口查找“王”，找到 1 位", "窗口查找“2222”，找到 0 位",
                                            "窗口查找“****0002”，找到 1 位"]


def test_a_counter_clerk_sees_a_seniors_orders_only_at_their_own_canteen(
        client: Any, login: Any, session: Session, world: dict[str, Any]) -> None:
    other = make_canteen(session, name="曹杨食堂", district="普陀")
    elsewhere = make_menu(session, other, DAY, "dinner", items=[("晚餐套餐", 1500)])
    senior = world["senior"]
    senior_user = session.exec(select(User).where(User.senior_id == senior.id)).one()
    self_actor = ordering_service.actor_for(session, principal_of(session, senior_user), senior.id or 0)
    placed = ordering_service.place_order(session, self_actor, ordering_service.OrderRequest(
        senior.id or 0, elsewhere.id or 0, "dine_in", (ordering_service.Choice(_item_ids(session, elsewhere.id)[0]),),
        "elsewhere-0001"))
    make_user(session, ("counter", world["canteen"].id), phone="13700000002")
    make_user(session, ("counter", other.id), phone="13700000003")

    login("13700000002", PASSWORD)
    ours = _soup(client.get(f"/order?senior={senior.id}"))
    login("13700000003", PASSWORD)
    theirs = _soup(client.get(f"/order?senior={senior.id}"))

    assert ours.select("[data-order]") == []
    assert [li["data-order"] for li in theirs.select("[data-order]")] == [placed.public_no]


def test_counter_staff_cannot_order_on_another_canteens_menu(
        client: Any, login: Any, session: Session, world: dict[str, Any]) -> None:
    other = make_canteen(session)
    make_user(session, ("counter", other.id), phone="13700000003")
    login("13700000003", PASSWORD)
    item = _item_ids(session, world["menu"].id)[0]

    response = client.get(f"/order/confirm?senior={world['senior'].id}&menu={world['menu'].id}&item={item}"
                          "&fulfilment=dine_in")

    assert response.status_code == 403
    assert "只能在本食堂窗口点餐" in response.text


def test_a_form_without_its_idempotency_key_is_refused_in_words_at_the_top_of_the_meal(
    client: Any, login: Any, session: Session, world: dict[str, Any]
) -> None:
    login(card_no="88000001", pin=PIN)
    item = _item_ids(session, world["menu"].id)[0]

    response = client.post("/order/place", data={"menu": world["menu"].id, "item": item, "fulfilment": "dine_in",
                                                 "key": "", "csrf_token": csrf(client)})

    assert response.status_code == 422
    assert _soup(response).select_one("#slot-err").get_text(strip=True) == "⚠缺少防重复提交编号，请刷新页面后再试。"
    assert session.exec(select(Order)).all() == []
