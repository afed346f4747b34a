"""Bags: one per order, the unit that is packed, labelled and handed over at a stop."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from operator import attrgetter

from kitchen.line import DELIVERY, PORTIONS, TEXTURES, KitchenLine, _check_stop

StopOrder = Mapping[str, tuple[str, int]]
"""order_key -> (route_key, stop_no), taken from a published delivery plan."""

# Label flags for texture-modified food (软食 / 碎食 / 糊状); 普通 carries no flag.
TEXTURE_FLAGS: dict[str, str] = {"软食": "软", "碎食": "碎", "糊状": "糊"}

# Fields every line of one order must agree on: they describe the order, not the dish.
_ORDER_FIELDS = (
    "senior_key",
    "senior_name",
    "point_key",
    "point_name",
    "fulfilment",
    "area",
    "building",
    "floor",
    "room",
    "senior_allergies",
    "senior_restrictions",
    "route_key",
    "stop_no",
)
_order_fields = attrgetter(*_ORDER_FIELDS)


@dataclass(frozen=True, slots=True)
class BagItem:
    """Dishes of one kind inside a bag; lines repeating the same dish and needs are merged."""

    dish_key: str
    dish_name: str
    texture: str
    portion: str
    diet_tags: tuple[str, ...]
    allergens: tuple[str, ...]
    quantity: int

    @property
    def flags(self) -> tuple[str, ...]:
        """软 / 碎 / 糊 first, then diet tags (低盐, 糖尿病): what the label prints next to the dish."""
        texture_flag = TEXTURE_FLAGS.get(self.texture)
        return ((texture_flag,) if texture_flag else ()) + self.diet_tags


@dataclass(frozen=True, slots=True)
class Bag:
    """One order as it is packed. `stop_no` and `route_key` are set only when a published plan routes it."""

    order_key: str
    senior_key: str
    senior_name: str
    point_key: str
    point_name: str
    fulfilment: str
    route_key: str | None
    stop_no: int | None
    area: str
    building: str
    floor: str
    room: str
    senior_allergies: tuple[str, ...]
    senior_restrictions: tuple[str, ...]
    items: tuple[BagItem, ...]

    @property
    def meals(self) -> int:
        return sum(item.quantity for item in self.items)

    @property
    def allergens(self) -> tuple[str, ...]:
        return tuple(sorted({allergen for item in self.items for allergen in item.allergens}))

    @property
    def allergy_conflicts(self) -> tuple[str, ...]:
        """Allergens in the bag that the senior is allergic to: the cook must check these by hand."""
        return tuple(sorted(set(self.allergens) & set(self.senior_allergies)))

    @property
    def flags(self) -> tuple[str, ...]:
        seen: dict[str, None] = {}
        for item in self.items:
            seen.update(dict.fromkeys(item.flags))
        return tuple(seen)


def check_stop_order(stop_order: StopOrder) -> None:
    """Raise ValueError for a malformed stop order: it is the caller's translation, not an outcome."""
    if not isinstance(stop_order, Mapping):
        raise ValueError(
            f"stop_order must be a mapping order_key -> (route_key, stop_no), got {type(stop_order)}"
        )
    for order_key, value in stop_order.items():
        if not isinstance(order_key, str) or not order_key.strip():
            raise ValueError(f"stop_order: order keys must be non-empty strings, got {order_key!r}")
        if not isinstance(value, tuple) or len(value) != 2:
            raise ValueError(f"stop_order[{order_key!r}] must be a (route_key, stop_no) pair, got {value!r}")
        _check_stop(order_key, *value)


def route_of(line: KitchenLine, stop_order: StopOrder | None) -> tuple[str | None, int | None]:
    """Where a line travels: a published plan wins over the line's own route; only deliveries travel."""
    if line.fulfilment != DELIVERY:
        return None, None
    if stop_order is None:
        return line.route_key, line.stop_no
    return stop_order.get(line.order_key, (None, None))


def bags_from_lines(lines: Iterable[KitchenLine], stop_order: StopOrder | None = None) -> list[Bag]:
    """Group the active lines into one bag per order; cancelled lines are dropped.

    Raises ValueError when the lines of one order disagree on an order-level field (senior, address...).
    """
    by_order: dict[str, list[KitchenLine]] = {}
    for line in lines:
        if not line.cancelled:
            by_order.setdefault(line.order_key, []).append(line)
    return [_bag(order_lines, stop_order) for order_lines in by_order.values()]


def _bag(lines: list[KitchenLine], stop_order: StopOrder | None) -> Bag:
    first = lines[0]
    expected = _order_fields(first)
    for line in lines[1:]:
        if _order_fields(line) != expected:
            _raise_disagreement(first, line)
    route_key, stop_no = route_of(first, stop_order)
    return Bag(
        first.order_key,
        first.senior_key,
        first.senior_name,
        first.point_key,
        first.point_name,
        first.fulfilment,
        route_key,
        stop_no,
        first.area,
        first.building,
        first.floor,
        first.room,
        first.senior_allergies,
        first.senior_restrictions,
        _items(lines),
    )


def _raise_disagreement(first: KitchenLine, line: KitchenLine) -> None:
    name = next(name for name in _ORDER_FIELDS if getattr(line, name) != getattr(first, name))
    raise ValueError(
        f"order {first.order_key!r}: lines disagree on {name} "
        f"({getattr(first, name)!r} vs {getattr(line, name)!r})"
    )


def _items(lines: list[KitchenLine]) -> tuple[BagItem, ...]:
    merged: dict[tuple[str, str, str, tuple[str, ...]], BagItem] = {}
    for line in lines:
        key = (line.dish_key, line.texture, line.portion, line.diet_tags)
        known = merged.get(key)
        quantity = line.quantity + (known.quantity if known else 0)
        merged[key] = BagItem(
            line.dish_key,
            line.dish_name,
            line.texture,
            line.portion,
            line.diet_tags,
            line.allergens,
            quantity,
        )
    return tuple(sorted(merged.values(), key=_item_order))


def _item_order(item: BagItem) -> tuple[str, int, int, tuple[str, ...]]:
    return item.dish_name, TEXTURES.index(item.texture), PORTIONS.index(item.portion), item.diet_tags


@lru_cache(maxsize=65_536)  # the same building and point names recur thousands of times in a city's lunch
def natural_key(text: str) -> tuple[tuple[int, int | str], ...]:
    """Sort "2号楼" before "10号楼" and "3层" before "12层": digits compare as numbers."""
    return tuple((0, int(part)) if part.isdigit() else (1, part) for part in re.split(r"(\d+)", text) if part)
