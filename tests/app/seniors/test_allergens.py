"""Allergens are one fixed list with the words people use for them: a senior "对花生米过敏" cannot order the dish
made with 花生酱, "海鲜" blocks a shrimp dish, and what the operator or the register wrote is stored as the list's
own names."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from alembic.config import Config
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from alembic import command
from app.core import allergens
from app.core.settings import ROOT, TZ
from app.models import Dish, MenuItem, Senior
from app.ordering import service as ordering
from app.ordering.service import AllergyBlocked, Choice, OrderRequest
from app.seniors import service as seniors_admin
from tests.factories import (
    make_canteen,
    make_dish,
    make_dish_menu,
    make_senior,
    make_user,
    principal_of,
    seed_schemes,
)

DAY = date(2030, 3, 4)


@pytest.mark.parametrize("written, stored", [
    ("花生米、花生酱", "花生"),
    ("海鲜", "鱼,甲壳类,贝类"),
    ("对牛奶过敏，蛋", "乳制品,鸡蛋"),
    ("虾；蟹 芝麻油", "甲壳类,芝麻"),
    ("麸质/黄豆/核桃", "坚果,大豆,小麦"),
    ("香菜", "香菜"),
])
def test_what_people_write_is_stored_as_the_lists_allergens(written: str, stored: str) -> None:
    assert allergens.normalise(written)[0] == stored


def test_dish_and_senior_meet_by_allergen_not_by_text() -> None:
    assert allergens.conflicts(["虾", "大豆"], ["海鲜"]) == ("甲壳类",)
    assert allergens.conflicts(["虾", "大豆"], ["虾"]) == ("虾",)
    assert allergens.conflicts(["花生酱", "花生油"], ["花生米"]) == ("花生",)
    assert allergens.conflicts(["甲壳类"], ["鱼"]) == ()
    assert allergens.conflicts(["香菜"], ["香菜"]) == ("香菜",)


def _order(session: Session, senior: Senior, dish: dict[str, object]) -> None:
    canteen = make_canteen(session, district="普陀", street="长风新村")
    menu = make_dish_menu(session, canteen, DAY, "lunch", dishes=[dish])
    user = make_user(session, "senior", senior=senior, name=senior.name)
    actor = ordering.actor_for(session, principal_of(session, user), senior.id)
    item = session.exec(select(MenuItem).where(MenuItem.menu_id == menu.id)).one()
    request = OrderRequest(senior.id or 0, menu.id or 0, "dine_in", (Choice(item.id or 0),), "key-00000014")
    ordering.place_order(session, actor, request, at=datetime(2030, 3, 4, 8, 0, tzinfo=TZ))


@pytest.mark.parametrize("senior_wrote, dish_allergens", [("花生米", "花生酱"), ("海鲜", "虾,大豆"), ("花生", "花生")])
def test_the_allergic_senior_cannot_order_the_dish_with_their_allergen(
        session: Session, senior_wrote: str, dish_allergens: str) -> None:
    seed_schemes(session)
    senior = make_senior(session, name="王秀英", age=85, today=DAY, allergies=senior_wrote)

    with pytest.raises(AllergyBlocked) as refused:
        _order(session, senior, dict(name="宫保鸡丁", price_fen=1200, allergens=dish_allergens))

    assert refused.value.message.startswith("“宫保鸡丁”含有")


def test_the_senior_form_stores_allergies_by_the_list(session: Session) -> None:
    senior = make_senior(session, name="王秀英")
    form = seniors_admin.form_of(senior) | {"allergies": "花生米、对牛奶过敏、香菜"}

    seniors_admin.update_senior(session, senior.id or 0, form, user_id=None)

    session.refresh(senior)
    assert senior.allergies == "花生,乳制品,香菜"


def test_the_migration_rewrites_free_text_allergies_and_dish_allergens_by_the_list(
        session: Session, engine: Engine) -> None:
    senior = make_senior(session, name="王秀英", allergies="海鲜、花生米,香菜")
    dish = make_dish(session, make_canteen(session), name="花生酱拌面", allergens="花生酱")
    senior_id, dish_id = senior.id, dish.id
    cfg = Config(str(ROOT / "alembic.ini"))
    cfg.set_main_option("sqlalchemy.url", engine.url.render_as_string(hide_password=False))
    cfg.attributes["configure_logger"] = False
    session.close()

    command.downgrade(cfg, "17a")
    command.upgrade(cfg, "head")

    with Session(engine) as fresh:
        assert fresh.get(Senior, senior_id).allergies == "花生,鱼,甲壳类,贝类,香菜"  # type: ignore[union-attr]
        assert fresh.get(Dish, dish_id).allergens == "花生"  # type: ignore[union-attr]
