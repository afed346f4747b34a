"""Label data (餐盒标签): what is printed on every bag, in the same order as the packing lists."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from kitchen.bags import Bag, BagItem
from kitchen.line import DINE_IN
from kitchen.packing import PackingList, PackingPlan

# Food between 8 ℃ and 60 ℃ is eaten within 2 h of cooking; hot-held at ≥ 60 ℃, within 4 h.
EAT_WITHIN = timedelta(hours=2)
HOT_HELD_EAT_WITHIN = timedelta(hours=4)


@dataclass(frozen=True, slots=True)
class Label:
    """One bag's label. `sequence` counts bags within its packing list from 1, so a driver can count them."""

    order_key: str
    kind: str
    route_key: str | None
    route_name: str
    stop_no: int | None
    sequence: int
    list_size: int
    point_name: str
    area: str
    senior_name: str
    building: str
    floor: str
    room: str
    items: tuple[BagItem, ...]
    flags: tuple[str, ...]
    allergens: tuple[str, ...]
    allergy_conflicts: tuple[str, ...]
    cooked_at: datetime
    eat_by: datetime
    hot_held: bool


def eat_by(cooked_at: datetime, *, hot_held: bool) -> datetime:
    """食用时限: cooking finish + 2 h, or + 4 h when hot-holding at ≥ 60 ℃ is recorded.

    Raises ValueError for a naive datetime: a label's clock time must be unambiguous.
    """
    if cooked_at.tzinfo is None or cooked_at.utcoffset() is None:
        raise ValueError(f"cooked_at must be timezone-aware, got {cooked_at!r}")
    return cooked_at + (HOT_HELD_EAT_WITHIN if hot_held else EAT_WITHIN)


def build_labels(
    plan: PackingPlan, *, cooked_at: datetime, hot_held: bool = False, include_dine_in: bool = False
) -> tuple[Label, ...]:
    """One label per bag, in packing order (routes in stop order, then pickup; dine-in only when asked)."""
    limit = eat_by(cooked_at, hot_held=hot_held)
    lists = plan.lists if include_dine_in else tuple(p for p in plan.lists if p.kind != DINE_IN)
    return tuple(
        _label(packing, bag, index, cooked_at, limit, hot_held)
        for packing in lists
        for index, bag in enumerate(packing.bags, start=1)
    )


def _label(
    packing: PackingList, bag: Bag, sequence: int, cooked_at: datetime, limit: datetime, hot_held: bool
) -> Label:
    return Label(
        order_key=bag.order_key,
        kind=packing.kind,
        route_key=bag.route_key,
        route_name=packing.route_name,
        stop_no=bag.stop_no,
        sequence=sequence,
        list_size=packing.bag_count,
        point_name=bag.point_name,
        area=bag.area,
        senior_name=bag.senior_name,
        building=bag.building,
        floor=bag.floor,
        room=bag.room,
        items=bag.items,
        flags=bag.flags,
        allergens=bag.allergens,
        allergy_conflicts=bag.allergy_conflicts,
        cooked_at=cooked_at,
        eat_by=limit,
        hot_held=hot_held,
    )
