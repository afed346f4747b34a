"""The menu planner through the pages: add to next week, publish, a mistake kept in its cell, and a refusal that
names the seniors to ring."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from bs4 import BeautifulSoup
from sqlmodel import Session, select

from app.menus import planning as mp
from app.models import Menu, MenuItem, now
from tests.conftest import csrf
from tests.factories import make_canteen, make_dish, make_priced_order, make_senior, make_user, seed_schemes


def _setup(session: Session, login: Callable[..., object]) -> tuple[Any, Any]:
    canteen = make_canteen(session, name="彭浦食堂")
    make_user(session, "operator", phone="13900001111")
    login("13900001111")
    return canteen, make_dish(session, canteen, name="虾仁豆腐", allergens="虾,大豆", price_fen=850)


def test_an_operator_adds_a_dish_to_next_week_and_publishes_it(session: Session, client: Any,
                                                                login: Callable[..., object]) -> None:
    canteen, dish = _setup(session, login)
    monday = mp.monday_of(now().date()) + timedelta(days=7)
    base = {"csrf_token": csrf(client), "canteen": str(canteen.id), "week": monday.isoformat()}

    client.post("/admin/menus/items", data=base | {"day": monday.isoformat(), "slot": "lunch",
                                                    "ref": f"dish:{dish.id}", "limit": "30"})
    page = client.post("/admin/menus/week", data=base | {"action": "publish"})

    soup = BeautifulSoup(page.text, "html.parser")
    cell = soup.select_one(f'[data-cell="{monday.isoformat()}:lunch"]')
    assert "本周菜单已发布" in soup.select_one(".notice-ok").get_text()
    assert cell["data-status"] == "published"
    assert "含 虾、大豆" in cell.get_text()
    assert "限量 30 份" in cell.get_text()
    assert session.exec(select(Menu.status)).all() == ["published"]


def test_a_bad_limit_is_shown_in_its_own_cell_with_the_choice_kept(session: Session, client: Any,
                                                                    login: Callable[..., object]) -> None:
    canteen, dish = _setup(session, login)
    monday = mp.monday_of(now().date()) + timedelta(days=7)
    day = (monday + timedelta(days=2)).isoformat()

    page = client.post("/admin/menus/items", data={"csrf_token": csrf(client), "canteen": str(canteen.id),
                                                   "week": monday.isoformat(), "day": day, "slot": "dinner",
                                                   "ref": f"dish:{dish.id}", "limit": "很多"})

    soup = BeautifulSoup(page.text, "html.parser")
    assert page.status_code == 422
    assert "限量应为不小于 0 的整数" in soup.select_one(f'[id="q-{day}:dinner-err"]').get_text()
    assert soup.select_one(f'[id="r-{day}:dinner"] option[selected]')["value"] == f"dish:{dish.id}"
    assert session.exec(select(MenuItem)).all() == []


def test_removing_an_ordered_item_is_refused_with_the_seniors_to_ring(session: Session, client: Any,
                                                                       login: Callable[..., object]) -> None:
    seed_schemes(session)
    canteen, _dish = _setup(session, login)
    day = now().date() + timedelta(days=1)
    order = make_priced_order(session, make_senior(session, name="王秀英", phone="13912345678"), canteen, day)
    item = session.exec(select(MenuItem)).first()
    assert item is not None

    page = client.post(f"/admin/menus/items/{item.id}/remove",
                       data={"csrf_token": csrf(client), "canteen": str(canteen.id), "week": day.isoformat()})

    row = BeautifulSoup(page.text, "html.parser").select_one(f'[data-affected="{order.public_no}"]')
    assert page.status_code == 409
    assert row.get_text(" ", strip=True).startswith(f"{order.public_no} 王*英 139****5678")
    assert row.select_one("a[href='tel:13912345678']") is not None
    assert session.get(MenuItem, item.id) is not None


def test_a_set_meal_form_shows_the_allergens_it_will_carry(session: Session, client: Any,
                                                            login: Callable[..., object]) -> None:
    canteen, dish = _setup(session, login)

    client.post(f"/admin/menus/sets?canteen={canteen.id}",
                data={"csrf_token": csrf(client), "name": "虾仁套餐", "price": "15", "dishes": [str(dish.id)]})
    page = client.get(f"/admin/menus/catalogue?canteen={canteen.id}")

    row = BeautifulSoup(page.text, "html.parser").select_one("[data-set-meal=虾仁套餐]")
    assert [t.get_text() for t in row.select("[data-allergens] .tag")] == ["虾", "大豆"]


def test_a_retired_dish_leaves_the_planners_choices(session: Session, client: Any,
                                                    login: Callable[..., object]) -> None:
    canteen, dish = _setup(session, login)

    client.post(f"/admin/menus/dishes?canteen={canteen.id}&dish={dish.id}",
                data={"csrf_token": csrf(client), "name": "虾仁豆腐", "category": "荤", "price": "8.5",
                      "textures": ["普通"], "active": "0"})
    planner = client.get(f"/admin/menus?canteen={canteen.id}")

    session.refresh(dish)
    assert dish.active is False
    assert f'value="dish:{dish.id}"' not in planner.text


FRAGMENT = {"X-Menu-Fragment": "1"}


def test_the_editor_adds_an_item_and_gets_back_only_its_cell(session: Session, client: Any,
                                                              login: Callable[..., object]) -> None:
    canteen, dish = _setup(session, login)
    monday = mp.monday_of(now().date()) + timedelta(days=7)
    key = f"{monday.isoformat()}:lunch"

    r = client.post("/admin/menus/items", headers=FRAGMENT, data={
        "csrf_token": csrf(client), "canteen": str(canteen.id), "week": monday.isoformat(),
        "day": monday.isoformat(), "slot": "lunch", "ref": f"dish:{dish.id}", "limit": ""})

    soup = BeautifulSoup(r.text, "html.parser")
    assert r.status_code == 200
    assert [str(td["data-cell"]) for td in soup.select("[data-cell]")] == [key]
    assert soup.select("html, body, table, [data-cell-done]") == soup.select("[data-cell-done]")
    assert soup.select_one("[data-cell-done]").get_text(strip=True) == "已添加。"
    assert [str(li["data-item"]) for li in soup.select("[data-item]")] == ["虾仁豆腐"]


def test_a_mistake_comes_back_in_the_cell_fragment_next_to_its_field(session: Session, client: Any,
                                                                      login: Callable[..., object]) -> None:
    canteen, dish = _setup(session, login)
    monday = mp.monday_of(now().date()) + timedelta(days=7)
    key = f"{monday.isoformat()}:dinner"

    r = client.post("/admin/menus/items", headers=FRAGMENT, data={
        "csrf_token": csrf(client), "canteen": str(canteen.id), "week": monday.isoformat(),
        "day": monday.isoformat(), "slot": "dinner", "ref": "", "limit": "5"})

    soup = BeautifulSoup(r.text, "html.parser")
    assert r.status_code == 422
    assert soup.select_one(f'[id="r-{key}-err"]').get_text(strip=True) == "⚠ 请选择一个套餐或菜品。"
    assert soup.select_one(f'[id="q-{key}"]')["value"] == "5"
    assert session.exec(select(MenuItem)).all() == []


def test_a_day_that_is_not_a_date_is_refused_in_words_by_the_typed_form(session: Session, client: Any,
                                                                         login: Callable[..., object]) -> None:
    canteen, dish = _setup(session, login)
    monday = mp.monday_of(now().date()) + timedelta(days=7)

    r = client.post("/admin/menus/items", data={
        "csrf_token": csrf(client), "canteen": str(canteen.id), "week": monday.isoformat(),
        "day": "下周一", "slot": "lunch", "ref": f"dish:{dish.id}", "limit": ""})

    assert r.status_code == 422
    assert "日期" in BeautifulSoup(r.text, "html.parser").select_one(".notice-error").get_text()
    assert session.exec(select(MenuItem)).all() == []


def test_items_are_reordered_in_place_one_step_at_a_time(session: Session, client: Any,
                                                          login: Callable[..., object]) -> None:
    canteen, dish = _setup(session, login)
    soup_dish = make_dish(session, canteen, name="番茄蛋汤", price_fen=200)
    rice = make_dish(session, canteen, name="米饭", price_fen=100)
    monday = mp.monday_of(now().date()) + timedelta(days=7)
    base = {"csrf_token": csrf(client), "canteen": str(canteen.id), "week": monday.isoformat()}
    for d in (dish, soup_dish, rice):
        client.post("/admin/menus/items", data=base | {"day": monday.isoformat(), "slot": "lunch",
                                                        "ref": f"dish:{d.id}", "limit": ""})
    last = session.exec(select(MenuItem).where(MenuItem.name == "米饭")).one()

    up = client.post(f"/admin/menus/items/{last.id}/move", headers=FRAGMENT, data=base | {"direction": "up"})
    client.post(f"/admin/menus/items/{last.id}/move", headers=FRAGMENT, data=base | {"direction": "up"})
    top = client.post(f"/admin/menus/items/{last.id}/move", headers=FRAGMENT, data=base | {"direction": "up"})

    order = [str(li["data-item"]) for li in BeautifulSoup(up.text, "html.parser").select("[data-item]")]
    final = BeautifulSoup(top.text, "html.parser")
    assert order == ["虾仁豆腐", "米饭", "番茄蛋汤"]
    assert [str(li["data-item"]) for li in final.select("[data-item]")] == ["米饭", "虾仁豆腐", "番茄蛋汤"]
    assert final.select(f'[data-item-id="{last.id}"] [data-move="up"]') == []
    menu_page = BeautifulSoup(client.get(f"/admin/menus?canteen={canteen.id}&week={monday}").text, "html.parser")
    cell = menu_page.select_one(f'[data-cell="{monday.isoformat()}:lunch"]')
    assert [str(li["data-item"]) for li in cell.select("[data-item]")] == ["米饭", "虾仁豆腐", "番茄蛋汤"]


def test_the_dish_form_is_typed_a_too_long_name_is_refused_next_to_it(session: Session, client: Any,
                                                                       login: Callable[..., object]) -> None:
    canteen, _dish = _setup(session, login)
    from app.models import Dish

    r = client.post(f"/admin/menus/dishes?canteen={canteen.id}", data={
        "csrf_token": csrf(client), "name": "红" * 41, "category": "荤", "price": "9", "textures": "普通",
        "active": "1"})

    soup = BeautifulSoup(r.text, "html.parser")
    assert r.status_code == 422
    assert soup.select_one("#f-name-err").get_text(strip=True) == "⚠菜名最多 40 个字。"
    assert soup.select_one("#f-name")["value"] == "红" * 41
    assert [d.name for d in session.exec(select(Dish)).all()] == ["虾仁豆腐"]
