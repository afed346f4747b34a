"""The special-diet list (特殊膳食单): one line per senior with every need the cook checks by hand.

A senior's needs (texture, allergies, restrictions) belong to the senior, not to a dish: listing each senior under
every dish they ordered repeated the same person on page after page. Each line names the senior once, their needs
once, and the boxes to cook apart (a texture, a diet variant, a dish holding something they react to).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace

from kitchen.bags import StopOrder, check_stop_order, natural_key, route_of
from kitchen.line import FULFILMENTS, REGULAR_TEXTURE, TEXTURES, KitchenLine


@dataclass(frozen=True, slots=True)
class SpecialDietItem:
    """One dish in the senior's boxes. `allergy_conflicts`: the dish's allergens the senior reacts to."""

    dish_key: str
    dish_name: str
    texture: str
    portion: str
    quantity: int
    diet_tags: tuple[str, ...]
    allergy_conflicts: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Destination:
    """Where one of the senior's orders goes: 堂食 / 自取 at a point, or a delivery route and stop."""

    order_key: str
    point_name: str
    fulfilment: str
    route_key: str | None
    stop_no: int | None


@dataclass(frozen=True, slots=True)
class SpecialDietEntry:
    """One senior's line: their needs once, their dishes, where the boxes go."""

    senior_key: str
    senior_name: str
    textures: tuple[str, ...]
    allergies: tuple[str, ...]
    restrictions: tuple[str, ...]
    items: tuple[SpecialDietItem, ...]
    destinations: tuple[Destination, ...]

    @property
    def allergy_conflicts(self) -> tuple[str, ...]:
        return tuple(sorted({allergen for item in self.items for allergen in item.allergy_conflicts}))

    @property
    def quantity(self) -> int:
        return sum(item.quantity for item in self.items)

    @property
    def by_diet(self) -> tuple[tuple[str, tuple[str, ...]], ...]:
        """Each diet variant with the dishes cooked to it: (低盐, (红烧肉, 米饭)), so a tag is printed once."""
        return _names_by(self.items, lambda item: item.diet_tags)

    @property
    def by_texture(self) -> tuple[tuple[str, tuple[str, ...]], ...]:
        """Dishes per texture, only when the senior's boxes are not all one texture (else 质地 says it all)."""
        grouped = _names_by(self.items, lambda item: (item.texture,))
        return grouped if len(grouped) > 1 else ()


@dataclass(frozen=True, slots=True)
class SpecialDietList:
    entries: tuple[SpecialDietEntry, ...]

    @property
    def senior_count(self) -> int:
        return len(self.entries)

    @property
    def conflict_count(self) -> int:
        """Boxes holding a dish the senior reacts to (each must be swapped or checked)."""
        return sum(1 for entry in self.entries for item in entry.items if item.allergy_conflicts)


def is_special(line: KitchenLine) -> bool:
    """A texture other than 普通, or a senior with recorded allergies or restrictions."""
    return line.texture != REGULAR_TEXTURE or bool(line.senior_allergies) or bool(line.senior_restrictions)


def build_special_diet_list(
    lines: Iterable[KitchenLine], *, stop_order: StopOrder | None = None
) -> SpecialDietList:
    """One entry per senior needing special care: by point; allergy conflicts first, then by route, stop, name.

    Cancelled lines never count. A senior's needs are taken from their lines (the same on every line).
    """
    if stop_order is not None:
        check_stop_order(stop_order)
    by_senior: dict[str, list[KitchenLine]] = {}
    for line in lines:
        if not line.cancelled:
            by_senior.setdefault(line.senior_key, []).append(line)
    # All of a listed senior's boxes are on their line: 碎食 for the meat alone must say which dish.
    listed = (found for found in by_senior.values() if any(is_special(line) for line in found))
    entries = (_entry(senior_lines, stop_order) for senior_lines in listed)
    return SpecialDietList(tuple(sorted(entries, key=_entry_order)))


def _entry(lines: list[KitchenLine], stop_order: StopOrder | None) -> SpecialDietEntry:
    first = lines[0]
    items = sorted((_item(line) for line in lines), key=lambda i: (natural_key(i.dish_name), i.dish_key))
    textures = {line.texture for line in lines if line.texture != REGULAR_TEXTURE}
    destinations = {line.order_key: _destination(line, stop_order) for line in lines}
    return SpecialDietEntry(
        senior_key=first.senior_key,
        senior_name=first.senior_name,
        textures=tuple(sorted(textures, key=TEXTURES.index)),
        allergies=first.senior_allergies,
        restrictions=first.senior_restrictions,
        items=_merged(items),
        destinations=tuple(destinations.values()),
    )


def _item(line: KitchenLine) -> SpecialDietItem:
    conflicts = tuple(sorted(set(line.allergens) & set(line.senior_allergies)))
    return SpecialDietItem(
        line.dish_key, line.dish_name, line.texture, line.portion, line.quantity, line.diet_tags, conflicts
    )


def _merged(items: list[SpecialDietItem]) -> tuple[SpecialDietItem, ...]:
    """The same dish cooked the same way twice (two orders, or a 套餐 and à la carte) is one item ×2."""
    merged: dict[tuple[object, ...], SpecialDietItem] = {}
    for item in items:
        key = (item.dish_key, item.texture, item.portion, item.diet_tags)
        known = merged.get(key)
        merged[key] = item if known is None else replace(known, quantity=known.quantity + item.quantity)
    return tuple(merged.values())


def _names_by(
    items: Iterable[SpecialDietItem], keys: Callable[[SpecialDietItem], Iterable[str]]
) -> tuple[tuple[str, tuple[str, ...]], ...]:
    grouped: dict[str, dict[str, None]] = {}
    for item in items:
        for key in keys(item):
            grouped.setdefault(key, {})[item.dish_name] = None
    return tuple((key, tuple(names)) for key, names in sorted(grouped.items(), key=_tag_order))


def _tag_order(item: tuple[str, object]) -> tuple[int, str]:
    return (TEXTURES.index(item[0]) if item[0] in TEXTURES else len(TEXTURES), item[0])


def _destination(line: KitchenLine, stop_order: StopOrder | None) -> Destination:
    route_key, stop_no = route_of(line, stop_order)
    return Destination(line.order_key, line.point_name, line.fulfilment, route_key, stop_no)


def _entry_order(entry: SpecialDietEntry) -> tuple[object, ...]:
    where = entry.destinations[0]
    route = (1, ()) if where.route_key is None else (0, natural_key(where.route_key))
    return (
        natural_key(where.point_name),
        not entry.allergy_conflicts,
        FULFILMENTS.index(where.fulfilment),
        route,
        where.stop_no or 0,
        entry.senior_name,
        entry.senior_key,
    )
