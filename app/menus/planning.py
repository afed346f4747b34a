"""The weekly menu planner: a canteen's week by day × slot, filled by hand, copied from last week or from a
rotation template, and published before the week starts. Seniors see only published menus.

Once published, a menu may grow (add an item, raise a limit) but must not break an order already placed: an
ordered item cannot be removed, repriced or limited below what is sold. The refusal names the seniors affected,
so the operator can ring them instead.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlmodel import Session, col, func, select

from app.core import audit
from app.core import messages as msg
from app.core.errors import Conflict, InvalidInput, NotFound
from app.core.forms import small_int
from app.core.privacy import mask_name
from app.menus.catalogue import parse_fen
from app.models import (
    CanteenSlot,
    Dish,
    Menu,
    MenuItem,
    Order,
    OrderLine,
    Senior,
    SetMeal,
    SetMealDish,
    now,
    split_tags,
)
from app.models.orders import STANDING_STATUSES as STANDING


@dataclass(frozen=True)
class ItemView:
    id: int
    kind: str
    name: str
    price_fen: int
    quantity_limit: int | None
    sold_count: int
    allergens: list[str]


@dataclass(frozen=True)
class Cell:
    day: date
    slot: str
    menu_id: int | None
    status: str  # "none", "draft" or "published"
    items: list[ItemView]


@dataclass(frozen=True)
class WeekPlan:
    canteen_id: int
    monday: date
    days: list[date]
    slots: list[str]
    cells: dict[tuple[date, str], Cell]
    publishable: bool  # the week has not started yet

    @property
    def drafts(self) -> int:
        return sum(1 for c in self.cells.values() if c.status == "draft")

    @property
    def published(self) -> int:
        return sum(1 for c in self.cells.values() if c.status == "published")


@dataclass(frozen=True)
class AffectedOrder:
    order_no: str
    senior_name: str  # masked
    phone: str  # operators ring to tell them
    service_date: date
    slot: str


class MenuChangeRefused(Conflict):
    """The change would break orders already placed; `affected` lists who to tell instead."""

    def __init__(self, message: str, affected: list[AffectedOrder]) -> None:
        super().__init__(message)
        self.affected = affected


def monday_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


def canteen_slots(session: Session, canteen_id: int) -> list[str]:
    order = {"breakfast": 0, "lunch": 1, "dinner": 2}
    rows = session.exec(select(CanteenSlot.slot).where(CanteenSlot.canteen_id == canteen_id)).all()
    return sorted(rows, key=lambda s: order.get(s, 9))


def week_plan(session: Session, canteen_id: int, monday: date, today: date) -> WeekPlan:
    days = [monday + timedelta(days=i) for i in range(7)]
    slots = canteen_slots(session, canteen_id)
    menus = session.exec(select(Menu).where(Menu.canteen_id == canteen_id, col(Menu.service_date) >= days[0],
                                            col(Menu.service_date) <= days[-1])).all()
    items = _items_by_menu(session, [m.id or 0 for m in menus])
    cells = {(d, s): Cell(d, s, None, "none", []) for d in days for s in slots}
    for m in menus:
        cells[(m.service_date, m.slot)] = Cell(m.service_date, m.slot, m.id, m.status, items.get(m.id or 0, []))
    return WeekPlan(canteen_id, monday, days, slots, cells, publishable=monday > today)


def cell_of(session: Session, canteen_id: int, day: date, slot: str) -> Cell:
    """One day × slot of the week, for the editor to redraw just that cell after a change."""
    menu = session.exec(select(Menu).where(Menu.canteen_id == canteen_id, Menu.service_date == day,
                                           Menu.slot == slot)).first()
    if menu is None:
        return Cell(day, slot, None, "none", [])
    return Cell(day, slot, menu.id, menu.status, _items_by_menu(session, [menu.id or 0]).get(menu.id or 0, []))


def _items_by_menu(session: Session, menu_ids: list[int]) -> dict[int, list[ItemView]]:
    rows = session.exec(select(MenuItem).where(col(MenuItem.menu_id).in_(menu_ids))
                        .order_by(col(MenuItem.position), col(MenuItem.id))).all()
    allergens = _allergens(session, list(rows))
    out: dict[int, list[ItemView]] = {}
    for r in rows:
        out.setdefault(r.menu_id, []).append(ItemView(r.id or 0, r.kind, r.name, r.price_fen, r.quantity_limit,
                                                      r.sold_count, allergens.get(r.id or 0, [])))
    return out


def _allergens(session: Session, items: list[MenuItem]) -> dict[int, list[str]]:
    """Per menu item: the dish's allergens, or for a set meal the union over its dishes."""
    dish_ids = {i.dish_id for i in items if i.dish_id}
    set_ids = {i.set_meal_id for i in items if i.set_meal_id}
    links = session.exec(select(SetMealDish).where(col(SetMealDish.set_meal_id).in_(set_ids))).all()
    dish_ids |= {link.dish_id for link in links}
    tags = {d.id: split_tags(d.allergens) for d in session.exec(select(Dish).where(col(Dish.id).in_(dish_ids)))}
    per_set: dict[int, list[str]] = {}
    for link in links:
        have = per_set.setdefault(link.set_meal_id, [])
        have += [a for a in tags.get(link.dish_id, []) if a not in have]
    return {i.id or 0: (per_set.get(i.set_meal_id or 0, []) if i.kind == "set" else tags.get(i.dish_id, []))
            for i in items}


# ---------------------------------------------------------------- filling a week


def menu_for(session: Session, canteen_id: int, day: date, slot: str) -> Menu:
    if slot not in canteen_slots(session, canteen_id):
        raise InvalidInput({"slot": msg.MENU_SLOT_NOT_SERVED.format(slot=msg.SLOT_NAMES.get(slot, slot))})
    menu = session.exec(select(Menu).where(Menu.canteen_id == canteen_id, Menu.service_date == day,
                                           Menu.slot == slot)).first()
    if menu is None:
        menu = Menu(canteen_id=canteen_id, service_date=day, slot=slot, status="draft")
        session.add(menu)
        session.flush()
    return menu


def add_item(session: Session, canteen_id: int, day: date, slot: str, ref: str, limit_text: str, *,
             user_id: int | None) -> MenuItem:
    """`ref` is "set:ID" or "dish:ID". Adding to a published menu is allowed: it breaks no order."""
    errors: dict[str, str] = {}
    limit = parse_limit(limit_text, errors)
    source = _source(session, canteen_id, ref, errors)
    if errors or source is None:
        raise InvalidInput(errors)
    menu = menu_for(session, canteen_id, day, slot)
    existing = session.exec(select(MenuItem).where(MenuItem.menu_id == menu.id)).all()
    item = new_item(menu.id or 0, len(existing), source, limit)
    if any((i.kind, i.set_meal_id, i.dish_id) == (item.kind, item.set_meal_id, item.dish_id) for i in existing):
        raise InvalidInput({"ref": msg.MENU_ITEM_TWICE.format(name=source.name)})
    session.add(item)
    audit.record(session, user_id=user_id, action="menu.add_item", object_type="menu", object_id=menu.id,
                 detail=f"{day} {slot} {source.name}")
    session.commit()
    return item


def parse_limit(text: str, errors: dict[str, str]) -> int | None:
    text = text.strip()
    if not text:
        return None
    number = small_int(text)
    if number is None or not 0 <= number <= 100000:
        errors["limit"] = msg.MENU_LIMIT_INVALID
        return None
    return number


def new_item(menu_id: int, position: int, source: Dish | SetMeal, limit: int | None) -> MenuItem:
    """A menu item priced from today's catalogue row."""
    item = MenuItem(menu_id=menu_id, kind="dish", name=source.name, price_fen=source.price_fen,
                    quantity_limit=limit, position=position)
    if isinstance(source, Dish):
        item.dish_id, item.small_price_fen = source.id, source.small_price_fen
    else:
        item.kind, item.set_meal_id = "set", source.id
    return item


def catalogue_row(session: Session, kind: str, row_id: int) -> Dish | SetMeal | None:
    if kind == "set":
        return session.get(SetMeal, row_id)
    return session.get(Dish, row_id) if kind == "dish" else None


def _source(session: Session, canteen_id: int, ref: str, errors: dict[str, str]) -> Dish | SetMeal | None:
    kind, _, raw_id = ref.partition(":")
    row_id = small_int(raw_id)
    row = catalogue_row(session, kind, row_id) if row_id is not None else None
    if row is None or row.canteen_id != canteen_id or not row.active:
        errors["ref"] = msg.MENU_PICK_ITEM
        return None
    return row


def update_item(session: Session, canteen_id: int, item_id: int, *, price_text: str, limit_text: str,
                user_id: int | None) -> MenuItem:
    """Change a price or a limit. On a published menu an ordered item keeps its price, and a limit never drops
    below what is already sold."""
    item, menu = _item(session, canteen_id, item_id)
    errors: dict[str, str] = {}
    price = parse_fen(price_text, "price", errors)
    limit = parse_limit(limit_text, errors)
    if limit is not None and limit < item.sold_count:
        errors["limit"] = msg.MENU_LIMIT_BELOW_SOLD.format(sold=item.sold_count)
    if errors:
        raise InvalidInput(errors)
    if price != item.price_fen and menu.status == "published":
        affected = affected_orders(session, item.id or 0)
        if affected:
            raise MenuChangeRefused(msg.MENU_PRICE_LOCKED.format(name=item.name, count=len(affected)), affected)
    item.price_fen, item.quantity_limit = price or 0, limit
    session.add(item)
    audit.record(session, user_id=user_id, action="menu.update_item", object_type="menu_item", object_id=item.id,
                 detail=f"{item.name} 价格 {item.price_fen} 分 限量 {limit if limit is not None else '不限'}")
    session.commit()
    return item


def move_item(session: Session, canteen_id: int, item_id: int, direction: str, *, user_id: int | None) -> Menu:
    """Move an item one place up or down in its menu (the order seniors see it in); at either end nothing moves.
    Positions are renumbered 0..n-1, so older menus with equal positions sort cleanly afterwards."""
    item, menu = _item(session, canteen_id, item_id)
    items = list(session.exec(select(MenuItem).where(MenuItem.menu_id == menu.id)
                              .order_by(col(MenuItem.position), col(MenuItem.id))).all())
    at = next(i for i, row in enumerate(items) if row.id == item.id)
    to = at - 1 if direction == "up" else at + 1
    if 0 <= to < len(items):
        items[at], items[to] = items[to], items[at]
    for position, row in enumerate(items):
        row.position = position
        session.add(row)
    audit.record(session, user_id=user_id, action="menu.move_item", object_type="menu", object_id=menu.id,
                 detail=f"{menu.service_date} {menu.slot} {item.name} 第 {items.index(item) + 1} 位")
    session.commit()
    return menu


def item_place(session: Session, canteen_id: int, item_id: int) -> tuple[date, str]:
    """The day and slot an item is served in (read before a change that may delete its menu)."""
    _, menu = _item(session, canteen_id, item_id)
    return menu.service_date, menu.slot


def remove_item(session: Session, canteen_id: int, item_id: int, *, user_id: int | None) -> None:
    item, menu = _item(session, canteen_id, item_id)
    ordered = affected_orders(session, item_id)
    if ordered or _has_lines(session, item_id):
        raise MenuChangeRefused(msg.MENU_ITEM_ORDERED.format(name=item.name, count=len(ordered)), ordered)
    audit.record(session, user_id=user_id, action="menu.remove_item", object_type="menu", object_id=menu.id,
                 detail=f"{menu.service_date} {menu.slot} {item.name}")
    session.delete(item)
    session.flush()
    left = session.exec(select(func.count()).select_from(MenuItem).where(MenuItem.menu_id == menu.id)).one()
    if not left and menu.status == "draft":
        session.delete(menu)  # an emptied draft is no menu at all
    session.commit()


def _has_lines(session: Session, item_id: int) -> bool:
    """Even a cancelled order's line points at the item (the ledger keeps it), so such an item stays."""
    return session.exec(select(OrderLine.id).where(OrderLine.menu_item_id == item_id)).first() is not None


def _item(session: Session, canteen_id: int, item_id: int) -> tuple[MenuItem, Menu]:
    item = session.get(MenuItem, item_id)
    menu = session.get(Menu, item.menu_id) if item else None
    if item is None or menu is None or menu.canteen_id != canteen_id:
        raise NotFound(msg.NOT_FOUND)
    return item, menu


def affected_orders(session: Session, item_id: int) -> list[AffectedOrder]:
    """Standing orders that include the item: whom to tell if it must change."""
    rows = session.exec(select(Order, Senior).join(OrderLine, col(OrderLine.order_id) == Order.id)
                        .join(Senior, col(Senior.id) == Order.senior_id)
                        .where(OrderLine.menu_item_id == item_id, col(Order.status).in_(STANDING))
                        .order_by(col(Order.id))).all()
    return [AffectedOrder(o.public_no, mask_name(s.name), s.phone, o.service_date, o.slot) for o, s in rows]


# ---------------------------------------------------------------- publishing


def publish_week(session: Session, canteen_id: int, monday: date, *, today: date, user_id: int | None) -> int:
    """Publish every draft of the week, before it starts (DOMAIN.md: menus are published ahead).
    An empty draft is refused in words; nothing is published unless all drafts can be."""
    if monday <= today:
        raise Conflict(msg.MENU_WEEK_STARTED.format(day=f"{monday.month}月{monday.day}日"))
    plan = week_plan(session, canteen_id, monday, today)
    drafts = [c for c in plan.cells.values() if c.status == "draft"]
    if not drafts:
        raise Conflict(msg.MENU_NOTHING_TO_PUBLISH)
    empty = [c for c in drafts if not c.items]
    if empty:
        names = "、".join(f"{c.day.month}月{c.day.day}日{msg.SLOT_NAMES[c.slot]}" for c in empty)
        raise Conflict(msg.MENU_EMPTY_DRAFT.format(cells=names))
    at = now()
    for cell in drafts:
        menu = session.get(Menu, cell.menu_id)
        assert menu is not None
        menu.status, menu.published_at = "published", at
        session.add(menu)
    audit.record(session, user_id=user_id, action="menu.publish_week", object_type="canteen", object_id=canteen_id,
                 detail=f"{monday} 起一周，{len(drafts)} 餐")
    session.commit()
    return len(drafts)
