"""A canteen's dishes and set meals (套餐): the catalogue the weekly menu planner picks from.

A set meal's allergens are never typed in: they are the union of its dishes' allergens, so a label can never
forget the shrimp in the soup.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TypeVar

from sqlmodel import Session, col, select

from app.core import allergens, audit
from app.core import messages as msg
from app.core.errors import InvalidInput, NotFound
from app.models import DISH_CATEGORIES, TEXTURES, Dish, SetMeal, SetMealDish, split_tags

MONEY_RE = re.compile(r"^\d{1,4}(\.\d{1,2})?$")
Row = TypeVar("Row", Dish, SetMeal)


@dataclass(frozen=True)
class DishView:
    id: int
    name: str
    category: str
    price_fen: int
    small_price_fen: int | None
    textures: list[str]
    diet_tags: list[str]
    allergens: list[str]
    active: bool


@dataclass(frozen=True)
class SetMealView:
    id: int
    name: str
    price_fen: int
    low_cost: bool
    dish_names: list[str]
    dish_ids: list[int]
    allergens: list[str]
    active: bool


@dataclass(frozen=True)
class Catalogue:
    dishes: list[DishView]
    set_meals: list[SetMealView]


def dish_view(d: Dish) -> DishView:
    return DishView(d.id or 0, d.name, d.category, d.price_fen, d.small_price_fen, split_tags(d.textures),
                    split_tags(d.diet_tags), split_tags(d.allergens), d.active)


def catalogue(session: Session, canteen_id: int) -> Catalogue:
    dishes = session.exec(select(Dish).where(Dish.canteen_id == canteen_id).order_by(col(Dish.category),
                                                                                     col(Dish.name))).all()
    by_id = {d.id: d for d in dishes}
    sets = session.exec(select(SetMeal).where(SetMeal.canteen_id == canteen_id).order_by(col(SetMeal.name))).all()
    members: dict[int, list[Dish]] = {}
    for link in session.exec(select(SetMealDish).where(col(SetMealDish.set_meal_id).in_([s.id for s in sets]))):
        members.setdefault(link.set_meal_id, []).append(by_id[link.dish_id])
    return Catalogue([dish_view(d) for d in dishes], [_set_view(s, members.get(s.id or 0, [])) for s in sets])


def _set_view(s: SetMeal, dishes: list[Dish]) -> SetMealView:
    return SetMealView(s.id or 0, s.name, s.price_fen, s.low_cost, [d.name for d in dishes],
                       [d.id or 0 for d in dishes], derived_allergens(dishes), s.active)


def derived_allergens(dishes: list[Dish]) -> list[str]:
    """The union of the dishes' allergens, in first-seen order."""
    seen: list[str] = []
    for d in dishes:
        seen += [a for a in split_tags(d.allergens) if a not in seen]
    return seen


def parse_fen(text: str, field: str, errors: dict[str, str], *, required: bool = True) -> int | None:
    """"12.5" 元 -> 1250 fen, exactly (no floats)."""
    text = text.strip().removesuffix("元")
    if not text:
        if required:
            errors[field] = msg.MENU_PRICE_REQUIRED
        return None
    if not MONEY_RE.match(text):
        errors[field] = msg.MENU_PRICE_INVALID
        return None
    whole, _, cents = text.partition(".")
    return int(whole) * 100 + int((cents + "00")[:2])


def save_dish(session: Session, canteen_id: int, form: dict[str, str], textures: list[str], *,
              user_id: int | None, dish_id: int | None = None) -> Dish:
    errors: dict[str, str] = {}
    name = form.get("name", "").strip()
    if not 1 <= len(name) <= 40:
        errors["name"] = msg.MENU_NAME_REQUIRED
    elif _taken(session, Dish, canteen_id, name, dish_id):
        errors["name"] = msg.MENU_NAME_TAKEN.format(name=name)
    if form.get("category") not in DISH_CATEGORIES:
        errors["category"] = msg.MENU_CATEGORY_INVALID
    price = parse_fen(form.get("price", ""), "price", errors)
    small = parse_fen(form.get("small_price", ""), "small_price", errors, required=False)
    if not textures or any(t not in TEXTURES for t in textures):
        errors["textures"] = msg.MENU_TEXTURES_REQUIRED
    if errors:
        raise InvalidInput(errors)
    dish = _get(session, Dish, canteen_id, dish_id) if dish_id else Dish(canteen_id=canteen_id, name=name,
                                                                         category="荤", price_fen=0)
    dish.name, dish.category, dish.price_fen, dish.small_price_fen = name, form["category"], price or 0, small
    dish.textures = ",".join(t for t in TEXTURES if t in textures)
    dish.active = form.get("active", "1") != "0"  # a retired dish leaves the planner's lists, not old menus
    dish.diet_tags = ",".join(split_tags(form.get("diet_tags", "")))[:100]
    dish.allergens = ",".join(allergens.canonical(split_tags(form.get("allergens", ""))))[:100]  # issue 14
    session.add(dish)
    session.flush()
    audit.record(session, user_id=user_id, action="dish.save", object_type="dish", object_id=dish.id,
                 detail=f"{name} {dish.price_fen} 分 过敏原：{dish.allergens or '无'}")
    session.commit()
    return dish


def save_set_meal(session: Session, canteen_id: int, form: dict[str, str], dish_ids: list[int], *,
                  user_id: int | None, set_id: int | None = None) -> SetMeal:
    errors: dict[str, str] = {}
    name = form.get("name", "").strip()
    if not 1 <= len(name) <= 40:
        errors["name"] = msg.MENU_NAME_REQUIRED
    elif _taken(session, SetMeal, canteen_id, name, set_id):
        errors["name"] = msg.MENU_NAME_TAKEN.format(name=name)
    price = parse_fen(form.get("price", ""), "price", errors)
    dishes = session.exec(select(Dish).where(col(Dish.id).in_(dish_ids), Dish.canteen_id == canteen_id)).all()
    if not dishes or len(dishes) != len(set(dish_ids)):
        errors["dishes"] = msg.MENU_SET_DISHES_REQUIRED
    if errors:
        raise InvalidInput(errors)
    meal = _get(session, SetMeal, canteen_id, set_id) if set_id else SetMeal(canteen_id=canteen_id, name=name,
                                                                             price_fen=0)
    meal.name, meal.price_fen, meal.low_cost = name, price or 0, form.get("low_cost") == "1"
    meal.active = form.get("active", "1") != "0"
    session.add(meal)
    session.flush()
    for old in session.exec(select(SetMealDish).where(SetMealDish.set_meal_id == meal.id)).all():
        session.delete(old)
    session.flush()
    session.add_all(SetMealDish(set_meal_id=meal.id or 0, dish_id=d.id or 0) for d in dishes)
    audit.record(session, user_id=user_id, action="set_meal.save", object_type="set_meal", object_id=meal.id,
                 detail=f"{name}：{'、'.join(d.name for d in dishes)}")
    session.commit()
    return meal


def _taken(session: Session, table: type[Row], canteen_id: int, name: str, own_id: int | None) -> bool:
    row = session.exec(select(table).where(table.canteen_id == canteen_id, table.name == name)).first()
    return row is not None and row.id != own_id


def _get(session: Session, table: type[Row], canteen_id: int, row_id: int) -> Row:
    row = session.get(table, row_id)
    if row is None or row.canteen_id != canteen_id:
        raise NotFound(msg.NOT_FOUND)
    return row
