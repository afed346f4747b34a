"""Database builders for the kitchen's service and page tests: a lunch menu, orders, a published plan."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlmodel import Session

from app.models import (
    Canteen,
    DeliveryPlan,
    DeliveryRoute,
    DeliveryStop,
    Dish,
    Driver,
    Menu,
    MenuItem,
    Order,
    OrderLine,
    Senior,
    SetMeal,
    SetMealDish,
    Vehicle,
    now,
)
from tests.factories import make_user

_seq = itertools.count(1)


@dataclass
class Lunch:
    menu: Menu
    set_item: MenuItem
    dish_item: MenuItem
    set_dishes: list[Dish]
    dish: Dish


def make_lunch(session: Session, canteen: Canteen, day: date, slot: str = "lunch") -> Lunch:
    """套餐 of 红烧肉 + 香菇青菜 + 米饭, and 番茄蛋汤 (contains 鸡蛋) à la carte."""
    n = next(_seq)
    dishes = [
        _dish(session, canteen, f"红烧肉{n}", "荤", diet_tags=""),
        _dish(session, canteen, f"香菇青菜{n}", "素", diet_tags="低盐,低糖"),
        _dish(session, canteen, f"米饭{n}", "主食", diet_tags=""),
    ]
    soup = _dish(session, canteen, f"番茄蛋汤{n}", "汤", diet_tags="低盐", allergens="鸡蛋")
    meal = SetMeal(canteen_id=canteen.id or 0, name=f"一荤一素{n}", price_fen=1500)
    menu = Menu(
        canteen_id=canteen.id or 0, service_date=day, slot=slot, status="published", published_at=now()
    )
    session.add_all([meal, menu])
    session.flush()
    session.add_all(SetMealDish(set_meal_id=meal.id or 0, dish_id=d.id or 0) for d in dishes)
    set_item = MenuItem(menu_id=menu.id or 0, kind="set", set_meal_id=meal.id, name=meal.name, price_fen=1500)
    dish_item = MenuItem(menu_id=menu.id or 0, kind="dish", dish_id=soup.id, name=soup.name, price_fen=200)
    session.add_all([set_item, dish_item])
    session.commit()
    return Lunch(menu, set_item, dish_item, dishes, soup)


def _dish(session: Session, canteen: Canteen, name: str, category: str, **kw: Any) -> Dish:
    dish = Dish(
        canteen_id=canteen.id or 0,
        name=name,
        category=category,
        price_fen=500,
        textures="普通,软食,碎食,糊状",
        **kw,
    )
    session.add(dish)
    session.flush()
    return dish


def make_order(
    session: Session,
    senior: Senior,
    lunch: Lunch,
    *,
    canteen: Canteen | None = None,
    fulfilment: str = "dine_in",
    status: str = "placed",
    lines: list[tuple[MenuItem, str, str, int]] | None = None,
) -> Order:
    """An order of the lunch; `lines` are (item, texture, portion, quantity), default one 套餐 普通 标准."""
    n = next(_seq)
    menu = lunch.menu
    order = Order(
        public_no=f"K{n:08d}",
        senior_id=senior.id or 0,
        canteen_id=menu.canteen_id,
        menu_id=menu.id or 0,
        service_date=menu.service_date,
        slot=menu.slot,
        fulfilment=fulfilment,
        status=status,
        placed_by_id=make_user(session, "counter").id or 0,
        placed_via="counter",
        idempotency_key=f"kitchen-{n}",
        changeable_until=now(),
        list_fen=1500,
        payable_fen=1500,
    )
    session.add(order)
    session.flush()
    for item, texture, portion, quantity in lines or [(lunch.set_item, "普通", "标准", 1)]:
        session.add(
            OrderLine(
                order_id=order.id or 0,
                menu_id=menu.id or 0,
                menu_item_id=item.id or 0,
                name=item.name,
                quantity=quantity,
                texture=texture,
                portion=portion,
                unit_price_fen=item.price_fen,
            )
        )
    session.commit()
    return order


def publish_plan(
    session: Session,
    canteen: Canteen,
    day: date,
    routes: list[tuple[str, list[Order]]],
    *,
    slot: str = "lunch",
    status: str = "published",
) -> DeliveryPlan:
    """A delivery plan whose routes (driver name, orders in stop order) the dispatcher has published."""
    plan = DeliveryPlan(
        canteen_id=canteen.id or 0,
        service_date=day,
        slot=slot,
        status=status,
        published_at=now() if status == "published" else None,
    )
    session.add(plan)
    session.flush()
    for position, (driver_name, orders) in enumerate(routes):
        driver = Driver(canteen_id=canteen.id or 0, name=driver_name, phone="13900001111")
        vehicle = Vehicle(canteen_id=canteen.id or 0, name=f"{driver_name[0]}师傅的电动车")
        session.add_all([driver, vehicle])
        session.flush()
        route = DeliveryRoute(
            plan_id=plan.id or 0, driver_id=driver.id or 0, vehicle_id=vehicle.id or 0, position=position
        )
        session.add(route)
        session.flush()
        session.add_all(
            DeliveryStop(route_id=route.id or 0, order_id=order.id or 0, seq=seq)
            for seq, order in enumerate(orders, start=1)
        )
    session.commit()
    return plan
