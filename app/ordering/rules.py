"""The rules behind an order that need no writing: cutoffs in words, what a menu item is made of, texture safety,
allergies with a safe alternative, and the delivery radius. `ordering` (writes) and `ordering_views` (pages)
both read them, so the page shows exactly what the service will later enforce."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any, Protocol

from sqlalchemy import bindparam
from sqlmodel import Session, col, select

from app.core import allergens, revision
from app.core.settings import TZ
from app.models import (
    Canteen,
    CanteenSlot,
    Dish,
    Menu,
    MenuItem,
    Senior,
    SetMealDish,
    now,
    split_tags,
)
from routing.geo import haversine_m

# IDDSI levels: a senior may always get a softer texture than they need, never a firmer one.
TEXTURE_LEVEL = {"普通": 7, "软食": 6, "碎食": 5, "糊状": 4}
CATEGORY_MARK = {"荤": "荤", "素": "素", "主食": "饭", "汤": "汤", "点心": "点", "set": "套"}


def current_time() -> datetime:
    """The one clock of ordering (tests and the demo move it; nothing else in ordering calls now())."""
    return now()


# ------------------------------------------------------------------ words for times and days


def clock_words(t: datetime | time) -> str:
    """上午9:30 / 中午12:00 / 下午5:00: a clock time as seniors say it."""
    if isinstance(t, datetime):
        t = t.astimezone(TZ).time()
    h = t.hour
    part = "凌晨" if h < 6 else "上午" if h < 12 else "中午" if h < 13 else "下午" if h < 18 else "晚上"
    return f"{part}{h if h <= 12 else h - 12}:{t.minute:02d}"


def day_words(day: date, today: date) -> str:
    """今天 / 明天 / 后天 / 昨天, else 11月24日."""
    named = {0: "今天", 1: "明天", 2: "后天", -1: "昨天"}
    return named.get((day - today).days, f"{day.month}月{day.day}日")


def moment_words(at: datetime, today: date) -> str:
    """今天上午9:30 / 昨天下午5:00."""
    local = at.astimezone(TZ)
    return day_words(local.date(), today) + clock_words(local)


# ------------------------------------------------------------------ cutoffs


def cutoff_for(slot: CanteenSlot, day: date, fulfilment: str, relation: str = "self") -> datetime:
    """Delivery closes N days before at a set time (routes are planned the day before); dine-in and pickup close
    the same day. At the counter a walk-in can still be served while the meal is being served (the portion
    limits keep guarding what is left)."""
    if fulfilment == "delivery":
        return datetime.combine(day - timedelta(days=slot.delivery_cutoff_days_before), slot.delivery_cutoff, TZ)
    if relation == "counter":
        return datetime.combine(day, slot.serve_end, TZ)
    return datetime.combine(day, slot.dine_in_cutoff, TZ)


def fulfilments_for(slot: CanteenSlot) -> tuple[str, ...]:
    return ("dine_in", "pickup", "delivery") if slot.delivers else ("dine_in", "pickup")


def slot_row(session: Session, canteen_id: int, slot: str) -> CanteenSlot | None:
    """A canteen's meal slot, read-only (kept per process under the catalogue stamp, like built menus)."""
    return _kept(session, ("slot", canteen_id, slot), lambda: session.exec(
        select(CanteenSlot).where(CanteenSlot.canteen_id == canteen_id, CanteenSlot.slot == slot)).first())


def canteen_row(session: Session, canteen_id: int) -> Canteen | None:
    """A canteen, read-only, kept like `slot_row`: ordering reads its name, place and scheme, never writes it."""
    return _kept(session, ("canteen", canteen_id), lambda: session.get(Canteen, canteen_id))


def menu_row(session: Session, menu_id: int) -> Menu | None:
    """A menu, read-only, kept like `slot_row` (publishing or withdrawing a menu moves the catalogue stamp)."""
    return _kept(session, ("menu", menu_id), lambda: session.get(Menu, menu_id))


def _kept(session: Session, key: tuple[object, ...], load: Callable[[], Any]) -> Any:
    """A detached copy of a catalogue row, shared by the requests of this process while the stamp holds."""
    def copy() -> Any:
        row = load()
        return None if row is None else type(row).model_validate(row)  # a copy no session owns
    return revision.kept(session, key, copy)


def arrival_words(slot: CanteenSlot, day: date, fulfilment: str, today: date) -> str:
    """When the meal arrives, or when to come for it, in words."""
    d = day_words(day, today)
    if fulfilment == "delivery":
        return f"{d}{clock_words(slot.delivery_start)}到{clock_words(slot.delivery_end)}之间送到家"
    if fulfilment == "pickup":
        return f"{d}{clock_words(slot.serve_start)}到{clock_words(slot.serve_end)}之间到食堂窗口取餐"
    return f"{d}{clock_words(slot.serve_start)}到{clock_words(slot.serve_end)}之间到食堂吃饭"


# ------------------------------------------------------------------ what a menu item is


@dataclass(frozen=True)
class ItemFacts:
    """A menu item as ordering sees it; a set meal carries what all its dishes together are."""

    id: int
    menu_id: int
    kind: str
    ref_id: int
    name: str
    mark: str
    price_fen: int
    small_price_fen: int | None
    members: tuple[str, ...]
    diet_tags: tuple[str, ...]
    allergens: tuple[str, ...]
    textures: tuple[str, ...]
    quantity_limit: int | None
    sold_count: int

    @property
    def left(self) -> int | None:
        return None if self.quantity_limit is None else max(0, self.quantity_limit - self.sold_count)

    @property
    def sold_out(self) -> bool:
        return self.left == 0

    def counted(self, sold_count: int) -> ItemFacts:
        """This item with today's sold count: itself when the count is the same, else a copy of its fields. Not
        `dataclasses.replace`, which runs `__init__` again (~6 us an item where this takes ~1 us): a week of
        menus has a hundred limited items and more, counted on every menu request (issue 21)."""
        if sold_count == self.sold_count:
            return self
        twin = object.__new__(ItemFacts)
        twin.__dict__.update(self.__dict__, sold_count=sold_count)
        return twin


_KNOWN_ITEMS = "canteen_menu_items"  # this request's menus with today's sold counts (forgotten at commit)


def menu_items(session: Session, menu_id: int, *, sold_counts: bool = True) -> list[ItemFacts]:
    """Every item of a menu in menu order (read once per request, see `load_menu_items`). Without
    `sold_counts` the portions left are as they were when the menu was built, for a caller whose conditional
    UPDATE decides them anyway (placing an order) and who reads them afresh before it refuses anything."""
    if not sold_counts:
        known = session.info.get(_KNOWN_ITEMS, {})
        return known[menu_id] if menu_id in known else _built(session, [menu_id])[menu_id]
    return load_menu_items(session, [menu_id])[menu_id]


def load_menu_items(session: Session, menu_ids: Sequence[int]) -> dict[int, list[ItemFacts]]:
    """The items of several menus, with their dishes and set-meal members. What a menu is built from changes
    rarely: built menus are kept per process under the catalogue revision (app.core.revision), so a request
    reads the revision and, for items with a portion limit, today's sold counts; three queries build whatever
    menus a process has not seen since the last edit. Within a request each menu is built once."""
    known: dict[int, list[ItemFacts]] = session.info.setdefault(_KNOWN_ITEMS, {})
    missing = [m for m in dict.fromkeys(menu_ids) if m not in known]
    if missing:
        built = _built(session, missing)
        known.update(_with_sold_counts(session, built))
    return {m: known[m] for m in menu_ids}


def forget_menu_items(session: Session) -> None:
    """After this request changed sold counts itself, read them again."""
    session.info.pop(_KNOWN_ITEMS, None)


def _built(session: Session, menu_ids: list[int]) -> dict[int, list[ItemFacts]]:
    shelf = revision.shelf(session)
    if shelf is None:
        return _read_menu_items(session, menu_ids)
    todo = [m for m in menu_ids if m not in shelf]
    if todo:
        shelf.update(_read_menu_items(session, todo))
    return {m: shelf[m] for m in menu_ids}


def _with_sold_counts(session: Session, built: dict[int, list[ItemFacts]]) -> dict[int, list[ItemFacts]]:
    limited = [m for m, items in built.items() if any(i.quantity_limit is not None for i in items)]
    if not limited:
        return built
    sold = dict(session.execute(_SOLD_COUNTS, {"menu_ids": limited}).all())
    return {m: [i.counted(sold[i.id]) if i.id in sold else i for i in items] for m, items in built.items()}


# Read on every menu request: built once, so only its compiled form is looked up (issue 21).
# By menu, not by item: a week is some 16 menus but a hundred and more limited items, and each bound value costs
# the statement's preparation and conversion (issue 21).
_SOLD_COUNTS = (select(MenuItem.id, MenuItem.sold_count)
                .where(col(MenuItem.menu_id).in_(bindparam("menu_ids", expanding=True)),
                       col(MenuItem.quantity_limit).is_not(None)))


def _read_menu_items(session: Session, menu_ids: list[int]) -> dict[int, list[ItemFacts]]:
    items = session.exec(select(MenuItem).where(col(MenuItem.menu_id).in_(menu_ids))
                         .order_by(col(MenuItem.menu_id), col(MenuItem.position))).all()
    set_ids = {i.set_meal_id for i in items if i.set_meal_id is not None}
    members = session.exec(select(SetMealDish).where(col(SetMealDish.set_meal_id).in_(set_ids))).all() if set_ids else []
    dish_ids = {i.dish_id for i in items if i.dish_id is not None} | {m.dish_id for m in members}
    dishes = {d.id: d for d in session.exec(select(Dish).where(col(Dish.id).in_(dish_ids))).all()} if dish_ids else {}
    by_set: dict[int, list[Dish]] = {}
    for m in members:
        by_set.setdefault(m.set_meal_id, []).append(dishes[m.dish_id])
    out: dict[int, list[ItemFacts]] = {m: [] for m in menu_ids}
    for i in items:
        out[i.menu_id].append(_facts(i, [dishes[i.dish_id]] if i.dish_id is not None
                                     else by_set.get(i.set_meal_id or 0, [])))
    return out


def _facts(item: MenuItem, dishes: Sequence[Dish]) -> ItemFacts:
    is_set = item.kind == "set"
    dishes = sorted(dishes, key=lambda d: ("荤素主食汤点心".find(d.category), d.name))
    tag_sets = [split_tags(d.diet_tags) for d in dishes]
    texture_sets = [split_tags(d.textures) for d in dishes]
    return ItemFacts(
        id=item.id or 0, menu_id=item.menu_id, kind=item.kind,
        ref_id=(item.set_meal_id if is_set else item.dish_id) or 0, name=item.name,
        mark=CATEGORY_MARK["set"] if is_set else CATEGORY_MARK.get(dishes[0].category, "菜") if dishes else "菜",
        price_fen=item.price_fen, small_price_fen=item.small_price_fen,
        members=tuple(d.name for d in dishes) if is_set else (),
        diet_tags=_common(tag_sets), allergens=tuple(sorted({a for d in dishes for a in split_tags(d.allergens)})),
        textures=tuple(t for t in TEXTURE_LEVEL if texture_sets and all(t in s for s in texture_sets)),
        quantity_limit=item.quantity_limit, sold_count=item.sold_count,
    )


def _common(tag_sets: list[list[str]]) -> tuple[str, ...]:
    """Tags every dish of the item carries: a set meal is 低盐 only when each of its dishes is."""
    if not tag_sets:
        return ()
    return tuple(t for t in tag_sets[0] if all(t in s for s in tag_sets[1:]))


# ------------------------------------------------------------------ safety: texture and allergies


def safe_textures(item: ItemFacts, need: str) -> tuple[str, ...]:
    """The textures of the item a senior who needs `need` may eat, closest to their need first."""
    level = TEXTURE_LEVEL.get(need, 7)
    safe = [t for t in item.textures if TEXTURE_LEVEL[t] <= level]
    return tuple(sorted(safe, key=lambda t: -TEXTURE_LEVEL[t]))


def allergy_conflict(item: ItemFacts, allergies: Iterable[str]) -> tuple[str, ...]:
    """By allergen, not text (issue 14): a senior allergic to 海鲜 may not have the dish marked 虾."""
    return allergens.conflicts(item.allergens, allergies)


class Eater(Protocol):
    """What the safety rules read of a senior: a `Senior` row, or a `Diet` copied from one."""

    @property
    def allergy_list(self) -> list[str]: ...

    @property
    def texture(self) -> str: ...


@dataclass(frozen=True)
class Diet:
    """A senior's texture and allergies as a hashable value: menu views computed for one diet are kept
    (views.item_views) and are right for anyone with the same diet."""

    texture: str
    allergies: tuple[str, ...]

    @classmethod
    def of(cls, senior: Senior) -> Diet:
        return cls(senior.texture, tuple(senior.allergy_list))

    @property
    def allergy_list(self) -> list[str]:
        return list(self.allergies)


def suitable(item: ItemFacts, senior: Eater) -> bool:
    return (not item.sold_out and not allergy_conflict(item, senior.allergy_list)
            and bool(safe_textures(item, senior.texture)))


def alternative_for(item: ItemFacts, items: Sequence[ItemFacts], senior: Eater) -> ItemFacts | None:
    """A safe swap on the same menu: same kind first, then the closest price."""
    others = [o for o in items if o.id != item.id and suitable(o, senior)]
    others.sort(key=lambda o: (o.kind != item.kind, abs(o.price_fen - item.price_fen), o.id))
    return others[0] if others else None


# ------------------------------------------------------------------ delivery radius


def distance_m(canteen: Canteen, senior: Senior) -> float | None:
    """Straight-line metres from the canteen to the senior's door; None when the address has no coordinates."""
    if senior.lat is None or senior.lng is None:
        return None
    return haversine_m(canteen.lat, canteen.lng, senior.lat, senior.lng)
