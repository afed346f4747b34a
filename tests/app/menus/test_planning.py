"""An operator plans a canteen's week: dishes and set meals with their allergens, the week by day and slot,
copied from last week or from a rotation, published before it starts, and never changed under a placed order."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlmodel import Session, select

from app.core.errors import Conflict, InvalidInput
from app.menus import catalogue as cat
from app.menus import planning as mp
from app.menus import rotation as rot
from app.models import AuditEvent, Menu, MenuItem
from tests.factories import make_canteen, make_priced_order, make_senior, seed_schemes

TODAY = date(2026, 11, 18)  # a Wednesday
NEXT_MONDAY = date(2026, 11, 23)


def _catalogue(session: Session, canteen_id: int) -> dict[str, int]:
    ids = {}
    for name, price, allergens in (
        ("红烧肉", "9", ""),
        ("虾仁豆腐", "8.5", "虾,大豆"),
        ("番茄蛋汤", "2", "鸡蛋"),
    ):
        dish = cat.save_dish(
            session,
            canteen_id,
            {"name": name, "category": "荤", "price": price, "allergens": allergens},
            ["普通", "软食"],
            user_id=None,
        )
        ids[name] = dish.id or 0
    meal = cat.save_set_meal(
        session,
        canteen_id,
        {"name": "一荤一素一汤", "price": "15"},
        [ids["红烧肉"], ids["虾仁豆腐"], ids["番茄蛋汤"]],
        user_id=None,
    )
    ids["套餐"] = meal.id or 0
    return ids


def test_a_set_meal_is_labelled_with_every_allergen_of_its_dishes(session: Session) -> None:
    canteen = make_canteen(session)
    assert canteen.id is not None
    _catalogue(session, canteen.id)

    shown = cat.catalogue(session, canteen.id)

    meal = shown.set_meals[0]
    # saved through the catalogue, allergens are the district list's names (issue 14): 虾 is 甲壳类
    assert (meal.name, meal.price_fen, meal.allergens) == ("一荤一素一汤", 1500, ["甲壳类", "大豆", "鸡蛋"])
    assert [(d.name, d.price_fen) for d in shown.dishes if d.name == "虾仁豆腐"] == [("虾仁豆腐", 850)]


def test_a_dish_form_with_mistakes_is_refused_field_by_field_and_nothing_is_saved(session: Session) -> None:
    canteen = make_canteen(session)
    assert canteen.id is not None

    with pytest.raises(InvalidInput) as refused:
        cat.save_dish(
            session, canteen.id, {"name": "", "category": "甜品", "price": "12.345"}, [], user_id=None
        )

    assert set(refused.value.errors) == {"name", "category", "price", "textures"}
    assert cat.catalogue(session, canteen.id).dishes == []


def test_next_weeks_menu_is_a_draft_until_published_before_the_week_starts(session: Session) -> None:
    canteen = make_canteen(session)
    assert canteen.id is not None
    ids = _catalogue(session, canteen.id)
    for offset in range(7):
        mp.add_item(
            session,
            canteen.id,
            NEXT_MONDAY + timedelta(days=offset),
            "lunch",
            f"set:{ids['套餐']}",
            "40",
            user_id=None,
        )
    draft = mp.week_plan(session, canteen.id, NEXT_MONDAY, TODAY)

    published = mp.publish_week(session, canteen.id, NEXT_MONDAY, today=TODAY, user_id=None)

    plan = mp.week_plan(session, canteen.id, NEXT_MONDAY, TODAY)
    cell = plan.cells[(NEXT_MONDAY, "lunch")]
    assert (draft.drafts, draft.published, published, plan.published) == (7, 0, 7, 7)
    assert (cell.status, cell.items[0].quantity_limit, cell.items[0].allergens) == (
        "published",
        40,
        ["甲壳类", "大豆", "鸡蛋"],  # the allergen list's names (issue 14)
    )
    assert (
        session.exec(select(AuditEvent).where(AuditEvent.action == "menu.publish_week")).one().detail
        == "2026-11-23 起一周，7 餐"
    )


def test_a_week_that_has_started_cannot_be_published_and_nothing_changes(session: Session) -> None:
    canteen = make_canteen(session)
    assert canteen.id is not None
    ids = _catalogue(session, canteen.id)
    this_monday = mp.monday_of(TODAY)
    mp.add_item(
        session, canteen.id, TODAY + timedelta(days=1), "lunch", f"dish:{ids['红烧肉']}", "", user_id=None
    )

    with pytest.raises(Conflict) as refused:
        mp.publish_week(session, canteen.id, this_monday, today=TODAY, user_id=None)

    assert refused.value.message == "11月16日起的这一周已经开始，菜单要在一周开始前发布。"
    assert session.exec(select(Menu.status)).all() == ["draft"]


def test_copying_last_week_fills_only_empty_cells_at_todays_prices(session: Session) -> None:
    canteen = make_canteen(session)
    assert canteen.id is not None
    ids = _catalogue(session, canteen.id)
    last = NEXT_MONDAY - timedelta(days=7)
    mp.add_item(session, canteen.id, last, "lunch", f"dish:{ids['红烧肉']}", "30", user_id=None)
    mp.add_item(session, canteen.id, last, "dinner", f"dish:{ids['红烧肉']}", "", user_id=None)
    mp.add_item(session, canteen.id, NEXT_MONDAY, "dinner", f"dish:{ids['番茄蛋汤']}", "", user_id=None)
    cat.save_dish(
        session,
        canteen.id,
        {"name": "红烧肉", "category": "荤", "price": "10"},
        ["普通"],
        user_id=None,
        dish_id=ids["红烧肉"],
    )

    filled, kept = rot.copy_week(session, canteen.id, last, NEXT_MONDAY, user_id=None)

    plan = mp.week_plan(session, canteen.id, NEXT_MONDAY, TODAY)
    lunch, dinner = plan.cells[(NEXT_MONDAY, "lunch")], plan.cells[(NEXT_MONDAY, "dinner")]
    assert (filled, kept) == (1, 1)
    assert [(i.name, i.price_fen, i.quantity_limit) for i in lunch.items] == [("红烧肉", 1000, 30)]
    assert [i.name for i in dinner.items] == ["番茄蛋汤"]


def test_a_four_week_rotation_stores_a_week_and_fills_a_later_one_from_it(session: Session) -> None:
    canteen = make_canteen(session)
    assert canteen.id is not None
    ids = _catalogue(session, canteen.id)
    mp.add_item(
        session, canteen.id, NEXT_MONDAY + timedelta(days=2), "lunch", f"set:{ids['套餐']}", "", user_id=None
    )
    template = rot.save_as_template(session, canteen.id, NEXT_MONDAY, "四周轮换", 4, 2, user_id=None)
    later = NEXT_MONDAY + timedelta(days=28)

    filled, _kept = rot.apply_template(session, canteen.id, template.id or 0, 2, later, user_id=None)

    plan = mp.week_plan(session, canteen.id, later, TODAY)
    assert filled == 1
    assert [i.name for i in plan.cells[(later + timedelta(days=2), "lunch")].items] == ["一荤一素一汤"]
    with pytest.raises(InvalidInput) as empty_week:
        rot.apply_template(session, canteen.id, template.id or 0, 3, later, user_id=None)
    assert empty_week.value.errors == {"week_no": "模板“四周轮换”的第 3 周还没有内容。"}


def _published_with_an_order(session: Session) -> tuple[int, MenuItem, MenuItem]:
    seed_schemes(session)
    canteen = make_canteen(session)
    assert canteen.id is not None
    ids = _catalogue(session, canteen.id)
    ordered = mp.add_item(session, canteen.id, NEXT_MONDAY, "lunch", f"set:{ids['套餐']}", "40", user_id=None)
    spare = mp.add_item(session, canteen.id, NEXT_MONDAY, "lunch", f"dish:{ids['红烧肉']}", "", user_id=None)
    mp.publish_week(session, canteen.id, NEXT_MONDAY, today=TODAY, user_id=None)
    senior = make_senior(session, name="王秀英", phone="13912345678")
    make_priced_order(session, senior, canteen, NEXT_MONDAY, "lunch", price_fen=1500)
    ordered.sold_count = 1
    session.add(ordered)
    session.commit()
    return canteen.id, ordered, spare


def test_an_ordered_item_cannot_be_removed_from_a_published_menu_and_the_seniors_to_tell_are_named(
    session: Session,
) -> None:
    canteen_id, ordered, spare = _published_with_an_order(session)

    with pytest.raises(mp.MenuChangeRefused) as refused:
        mp.remove_item(session, canteen_id, ordered.id or 0, user_id=None)
    mp.remove_item(session, canteen_id, spare.id or 0, user_id=None)

    affected = refused.value.affected
    assert refused.value.message.startswith("“一荤一素一汤”已有 1 笔订单，不能从已发布的菜单上撤下")
    assert [(a.senior_name, a.phone, a.service_date) for a in affected] == [
        ("王*英", "13912345678", NEXT_MONDAY)
    ]
    assert session.exec(select(MenuItem.name)).all() == ["一荤一素一汤"]


def test_an_ordered_items_price_is_locked_and_its_limit_never_drops_below_what_is_sold(
    session: Session,
) -> None:
    canteen_id, ordered, _spare = _published_with_an_order(session)

    with pytest.raises(mp.MenuChangeRefused):
        mp.update_item(session, canteen_id, ordered.id or 0, price_text="16", limit_text="40", user_id=None)
    with pytest.raises(InvalidInput) as too_low:
        mp.update_item(session, canteen_id, ordered.id or 0, price_text="15", limit_text="0", user_id=None)
    raised = mp.update_item(
        session, canteen_id, ordered.id or 0, price_text="15", limit_text="60", user_id=None
    )

    assert too_low.value.errors == {"limit": "已经订出 1 份，限量不能少于 1。"}
    assert (raised.price_fen, raised.quantity_limit) == (1500, 60)


def test_publishing_refuses_a_draft_without_dishes(session: Session) -> None:
    canteen = make_canteen(session)
    assert canteen.id is not None
    session.add(Menu(canteen_id=canteen.id, service_date=NEXT_MONDAY, slot="dinner"))
    session.commit()

    with pytest.raises(Conflict) as refused:
        mp.publish_week(session, canteen.id, NEXT_MONDAY, today=TODAY, user_id=None)

    assert "11月23日晚餐" in refused.value.message
