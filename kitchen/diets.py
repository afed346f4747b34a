"""The special-diet list (特殊膳食单): every box the cook must check by hand, grouped by dish."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from kitchen.bags import StopOrder, check_stop_order, natural_key, route_of
from kitchen.line import REGULAR_TEXTURE, TEXTURES, KitchenLine


@dataclass(frozen=True, slots=True)
class SpecialDietEntry:
    """One senior's special box of one dish. `allergy_conflicts`: dish allergens they react to."""

    order_key: str
    senior_key: str
    senior_name: str
    point_name: str
    fulfilment: str
    route_key: str | None
    stop_no: int | None
    texture: str
    portion: str
    quantity: int
    diet_tags: tuple[str, ...]
    allergies: tuple[str, ...]
    restrictions: tuple[str, ...]
    allergy_conflicts: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class SpecialDietGroup:
    dish_key: str
    dish_name: str
    allergens: tuple[str, ...]
    entries: tuple[SpecialDietEntry, ...]


@dataclass(frozen=True, slots=True)
class SpecialDietList:
    groups: tuple[SpecialDietGroup, ...]

    @property
    def senior_count(self) -> int:
        return len({entry.senior_key for group in self.groups for entry in group.entries})

    @property
    def conflict_count(self) -> int:
        return sum(1 for group in self.groups for entry in group.entries if entry.allergy_conflicts)


def is_special(line: KitchenLine) -> bool:
    """A texture other than 普通, or a senior with recorded allergies or restrictions."""
    return line.texture != REGULAR_TEXTURE or bool(line.senior_allergies) or bool(line.senior_restrictions)


def build_special_diet_list(
    lines: Iterable[KitchenLine], *, stop_order: StopOrder | None = None
) -> SpecialDietList:
    """Seniors needing special care, grouped by dish; allergy conflicts first within a dish, then by name."""
    if stop_order is not None:
        check_stop_order(stop_order)
    by_dish: dict[str, list[KitchenLine]] = {}
    for line in lines:
        if not line.cancelled and is_special(line):
            by_dish.setdefault(line.dish_key, []).append(line)
    groups = (_group(dish_lines, stop_order) for dish_lines in by_dish.values())
    return SpecialDietList(
        tuple(sorted(groups, key=lambda group: (natural_key(group.dish_name), group.dish_key)))
    )


def _group(lines: list[KitchenLine], stop_order: StopOrder | None) -> SpecialDietGroup:
    entries = sorted((_entry(line, stop_order) for line in lines), key=_entry_order)
    allergens = tuple(sorted({allergen for line in lines for allergen in line.allergens}))
    return SpecialDietGroup(lines[0].dish_key, lines[0].dish_name, allergens, tuple(entries))


def _entry(line: KitchenLine, stop_order: StopOrder | None) -> SpecialDietEntry:
    route_key, stop_no = route_of(line, stop_order)
    conflicts = tuple(sorted(set(line.allergens) & set(line.senior_allergies)))
    return SpecialDietEntry(
        line.order_key,
        line.senior_key,
        line.senior_name,
        line.point_name,
        line.fulfilment,
        route_key,
        stop_no,
        line.texture,
        line.portion,
        line.quantity,
        line.diet_tags,
        line.senior_allergies,
        line.senior_restrictions,
        conflicts,
    )


def _entry_order(entry: SpecialDietEntry) -> tuple[object, ...]:
    return not entry.allergy_conflicts, TEXTURES.index(entry.texture), entry.senior_name, entry.order_key
