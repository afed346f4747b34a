"""The family view follows how the meal is taken: a dine-in meal is 已订 → 已就餐 (or 未到 after serving), a pickup
ends at 已取餐, and only a delivery shows 送餐途中 and 已送达."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from sqlmodel import Session

from app.core.settings import TZ
from app.family import service as family
from tests.factories import (
    link_helper,
    make_canteen,
    make_priced_order,
    make_senior,
    make_user,
    principal_of,
    seed_schemes,
)

DAY = date(2030, 3, 4)


def at(hour: int, minute: int = 0) -> datetime:
    return datetime(DAY.year, DAY.month, DAY.day, hour, minute, tzinfo=TZ)


def _family_sees(session: Session, channel: str, when: datetime, status: str = "placed") -> family.MealStatus:
    seed_schemes(session)
    canteen = make_canteen(session, district="普陀")
    senior = make_senior(session, age=85, today=DAY, default_canteen_id=canteen.id)
    daughter = make_user(session, "helper")
    link_helper(session, daughter, senior)
    make_priced_order(session, senior, canteen, DAY, "lunch", channel=channel, status=status)
    session.commit()
    view = family.family_status(session, principal_of(session, daughter), senior.id or 0, when)
    (meal,) = view.meals
    return meal


def _steps(meal: family.MealStatus) -> list[tuple[str, str]]:
    return [(s.name, s.state) for s in meal.steps]


def test_a_dine_in_lunch_in_the_evening_says_not_come_not_still_cooking(session: Session) -> None:
    meal = _family_sees(session, "dine_in", at(19))

    assert _steps(meal) == [("已订", "done"), ("未到", "current")]
    assert (meal.stage_name, meal.missed_words) == ("未到", "用餐时间已过，没有到食堂就餐的记录。")


def test_a_dine_in_lunch_checked_in_at_the_counter_shows_eaten(session: Session) -> None:
    meal = _family_sees(session, "dine_in", at(12), status="served")

    assert _steps(meal) == [("已订", "done"), ("已就餐", "done")]
    assert meal.stage_name == "已就餐"


@pytest.mark.parametrize(("hour", "expected"), [
    (8, [("已订", "current"), ("已就餐", "todo")]),
    (12, [("已订", "current"), ("已就餐", "todo")]),
])
def test_a_dine_in_lunch_before_and_during_serving_is_ordered(session: Session, hour: int,
                                                               expected: list[tuple[str, str]]) -> None:
    assert _steps(_family_sees(session, "dine_in", at(hour))) == expected


def test_a_pickup_lunch_ends_at_picked_up(session: Session) -> None:
    cooking = _family_sees(session, "pickup", at(10))
    assert _steps(cooking) == [("已订", "done"), ("制作中", "current"), ("已取餐", "todo")]


def test_a_picked_up_lunch_says_picked_up(session: Session) -> None:
    meal = _family_sees(session, "pickup", at(12), status="served")
    assert _steps(meal) == [("已订", "done"), ("制作中", "done"), ("已取餐", "done")]
    assert meal.stage_name == "已取餐"


def test_only_a_delivery_shows_the_way_to_the_door(session: Session) -> None:
    meal = _family_sees(session, "delivery", at(8))
    assert [s.name for s in meal.steps] == ["已订餐", "制作中", "送餐途中", "已送达"]
