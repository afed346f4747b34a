"""Dishes, set meals, and the menus a canteen publishes per date and slot."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, UniqueConstraint
from sqlmodel import Field, SQLModel

from app.models.base import ts_field

DISH_CATEGORIES = ("荤", "素", "主食", "汤", "点心")


class Dish(SQLModel, table=True):
    __tablename__ = "dish"
    __table_args__ = (
        CheckConstraint("price_fen >= 0", name="price_nonneg"),
        CheckConstraint("small_price_fen IS NULL OR small_price_fen >= 0", name="small_price_nonneg"),
        CheckConstraint("category IN (" + ", ".join(repr(c) for c in DISH_CATEGORIES) + ")", name="category"),
        UniqueConstraint("canteen_id", "name", name="uq_dish_canteen_name"),
    )

    id: int | None = Field(default=None, primary_key=True)
    canteen_id: int = Field(foreign_key="canteen.id", index=True)
    name: str = Field(max_length=40)
    category: str = Field(max_length=4)
    price_fen: int
    small_price_fen: int | None = None
    diet_tags: str = Field(default="", max_length=100)
    textures: str = Field(default="普通", max_length=40)
    allergens: str = Field(default="", max_length=100)
    icon: str = Field(default="🍲", max_length=4)
    active: bool = True


class SetMeal(SQLModel, table=True):
    """A 套餐 such as 一荤两素一汤: a named bundle of dishes at one price."""

    __tablename__ = "set_meal"
    __table_args__ = (
        CheckConstraint("price_fen >= 0", name="price_nonneg"),
        UniqueConstraint("canteen_id", "name", name="uq_set_meal_canteen_name"),
    )

    id: int | None = Field(default=None, primary_key=True)
    canteen_id: int = Field(foreign_key="canteen.id", index=True)
    name: str = Field(max_length=40)
    price_fen: int
    low_cost: bool = False
    active: bool = True


class SetMealDish(SQLModel, table=True):
    __tablename__ = "set_meal_dish"

    set_meal_id: int = Field(foreign_key="set_meal.id", primary_key=True, ondelete="CASCADE")
    dish_id: int = Field(foreign_key="dish.id", primary_key=True)


class Menu(SQLModel, table=True):
    """What one canteen serves at one meal on one date; seniors see it only once published."""

    __tablename__ = "menu"
    __table_args__ = (
        UniqueConstraint("canteen_id", "service_date", "slot", name="uq_menu_canteen_date_slot"),
        UniqueConstraint("id", "canteen_id", "service_date", "slot", name="uq_menu_identity"),
        CheckConstraint("status IN ('draft', 'published')", name="status"),
        CheckConstraint("slot IN ('breakfast', 'lunch', 'dinner')", name="slot"),
    )

    id: int | None = Field(default=None, primary_key=True)
    canteen_id: int = Field(foreign_key="canteen.id", index=True)
    service_date: date = Field(index=True)
    slot: str = Field(max_length=12)
    status: str = Field(default="draft", max_length=10)
    published_at: datetime | None = ts_field(nullable=True)


class MenuItem(SQLModel, table=True):
    """A set meal or a single dish on a menu, with its price and an optional portion limit."""

    __tablename__ = "menu_item"
    __table_args__ = (
        UniqueConstraint("id", "menu_id", name="uq_menu_item_identity"),
        CheckConstraint("kind IN ('set', 'dish')", name="kind"),
        CheckConstraint("price_fen >= 0", name="price_nonneg"),
        CheckConstraint("small_price_fen IS NULL OR small_price_fen >= 0", name="small_price_nonneg"),
        CheckConstraint("quantity_limit IS NULL OR quantity_limit >= 0", name="limit_nonneg"),
        CheckConstraint("sold_count >= 0", name="sold_nonneg"),
        CheckConstraint("quantity_limit IS NULL OR sold_count <= quantity_limit", name="not_oversold"),
        CheckConstraint(
            "(kind = 'set' AND set_meal_id IS NOT NULL AND dish_id IS NULL)"
            " OR (kind = 'dish' AND dish_id IS NOT NULL AND set_meal_id IS NULL)",
            name="kind_matches_ref",
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    menu_id: int = Field(foreign_key="menu.id", index=True, ondelete="CASCADE")
    kind: str = Field(max_length=4)
    dish_id: int | None = Field(default=None, foreign_key="dish.id")
    set_meal_id: int | None = Field(default=None, foreign_key="set_meal.id")
    name: str = Field(max_length=60)
    price_fen: int
    small_price_fen: int | None = None
    quantity_limit: int | None = None
    sold_count: int = 0
    position: int = 0


class MenuTemplate(SQLModel, table=True):
    """A named rotation (e.g. 4-week cycle) operators copy into future weeks."""

    __tablename__ = "menu_template"

    id: int | None = Field(default=None, primary_key=True)
    canteen_id: int = Field(foreign_key="canteen.id", index=True)
    name: str = Field(max_length=40)
    weeks: int = 4
    body: str = Field(default="{}")



class CatalogueRevision(SQLModel, table=True):
    """One counter that moves whenever a dish, set meal, menu, menu item, canteen or meal slot changes (bumped
    in the same transaction by app.core.revision). Every web process keeps the menus it has built keyed by it,
    so a menu edited through one process is never served stale by another."""

    __tablename__ = "catalogue_revision"

    id: int = Field(default=1, primary_key=True)
    n: int = 0
    # A fresh random stamp with every change: caches key on it, so two databases (or a database restored from a
    # copy) that happen to count to the same n never share a cached menu.
    stamp: str = Field(default="", max_length=32)
