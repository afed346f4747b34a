"""Packing lists (装箱单): every driver leaves with the right bags, in the order of the stops."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace

from kitchen.bags import Bag, StopOrder, bags_from_lines, check_stop_order, natural_key
from kitchen.line import DELIVERY, DINE_IN, PICKUP, PORTIONS, TEXTURES, KitchenLine

ROUTE = "route"  # delivery, on a published plan's route, in stop order
AREA = "area"  # delivery before routes are published, grouped by receiving point and area
UNROUTED = "unrouted"  # delivery after publication that the plan does not hold
KINDS: tuple[str, ...] = (ROUTE, AREA, UNROUTED, PICKUP, DINE_IN)


@dataclass(frozen=True, slots=True)
class RouteInfo:
    """What the packing sheet prints about a route; plain strings from the caller's plan."""

    name: str
    driver: str = ""
    vehicle: str = ""


@dataclass(frozen=True, slots=True)
class LoadLine:
    """Totals to load onto one route (or hand over at one counter); `diets` as in PrepRow."""

    dish_name: str
    texture: str
    portion: str
    diets: tuple[tuple[str, int], ...]
    quantity: int


@dataclass(frozen=True, slots=True)
class PackingList:
    """One group of bags in packing order. Route fields are empty unless `kind` is ROUTE."""

    kind: str
    point_key: str
    point_name: str
    area: str
    route_key: str | None
    route_name: str
    driver: str
    vehicle: str
    bags: tuple[Bag, ...]
    load: tuple[LoadLine, ...]

    @property
    def bag_count(self) -> int:
        return len(self.bags)

    @property
    def meal_count(self) -> int:
        return sum(line.quantity for line in self.load)


@dataclass(frozen=True, slots=True)
class PackingPlan:
    """`deliveries` are routes in plan order (then unrouted) once `published`, else areas."""

    published: bool
    deliveries: tuple[PackingList, ...]
    pickup: tuple[PackingList, ...]
    dine_in: tuple[PackingList, ...]

    @property
    def lists(self) -> tuple[PackingList, ...]:
        return self.deliveries + self.pickup + self.dine_in

    @property
    def bags(self) -> tuple[Bag, ...]:
        return tuple(bag for packing in self.lists for bag in packing.bags)


def build_packing(
    lines: Iterable[KitchenLine],
    *,
    stop_order: StopOrder | None = None,
    routes: Mapping[str, RouteInfo] | None = None,
) -> PackingPlan:
    """Bags per route in stop order once a plan is published (`stop_order` given), else per point and area.

    Routes are listed in the order of `routes` (the plan's order), then any other route key in natural order.
    Cancelled lines never reach a bag. Raises ValueError for malformed stop orders or inconsistent orders.
    """
    if stop_order is not None:
        check_stop_order(stop_order)
    route_info = dict(routes or {})
    bags = bags_from_lines(lines, stop_order)
    delivery = [bag for bag in bags if bag.fulfilment == DELIVERY]
    deliveries = _by_route(delivery, route_info) if stop_order is not None else _by_area(delivery)
    return PackingPlan(
        published=stop_order is not None,
        deliveries=deliveries,
        pickup=_by_point([bag for bag in bags if bag.fulfilment == PICKUP], PICKUP),
        dine_in=_by_point([bag for bag in bags if bag.fulfilment == DINE_IN], DINE_IN),
    )


def _by_route(bags: list[Bag], routes: dict[str, RouteInfo]) -> tuple[PackingList, ...]:
    grouped: dict[str | None, list[Bag]] = {}
    for bag in bags:
        grouped.setdefault(bag.route_key, []).append(bag)
    order = {key: index for index, key in enumerate(routes)}
    keys = sorted(
        (key for key in grouped if key is not None),
        key=lambda key: (order.get(key, len(order)), natural_key(key)),
    )
    lists = [_route_list(key, routes.get(key), grouped[key]) for key in keys]
    if None in grouped:
        lists.append(_list(UNROUTED, sorted(grouped[None], key=_address_order)))
    return tuple(lists)


def _route_list(route_key: str, info: RouteInfo | None, bags: list[Bag]) -> PackingList:
    ordered = sorted(bags, key=lambda bag: (bag.stop_no or 0, natural_key(bag.order_key)))
    info = info or RouteInfo(name=route_key)
    return replace(
        _list(ROUTE, ordered),
        route_key=route_key,
        route_name=info.name,
        driver=info.driver,
        vehicle=info.vehicle,
    )


def _by_area(bags: list[Bag]) -> tuple[PackingList, ...]:
    grouped: dict[tuple[str, str], list[Bag]] = {}
    for bag in bags:
        grouped.setdefault((bag.point_key, bag.area), []).append(bag)
    lists = (
        _list(AREA, sorted(group, key=_address_order), area=area) for (_, area), group in grouped.items()
    )
    return tuple(
        sorted(lists, key=lambda packing: (natural_key(packing.point_name), natural_key(packing.area)))
    )


def _by_point(bags: list[Bag], kind: str) -> tuple[PackingList, ...]:
    grouped: dict[str, list[Bag]] = {}
    for bag in bags:
        grouped.setdefault(bag.point_key, []).append(bag)
    lists = (_list(kind, sorted(group, key=_address_order)) for group in grouped.values())
    return tuple(sorted(lists, key=lambda packing: natural_key(packing.point_name)))


def _list(kind: str, bags: list[Bag], *, area: str = "") -> PackingList:
    """A list's point is its bags' point when they share one (a route may serve several: then empty)."""
    points = {(bag.point_key, bag.point_name) for bag in bags}
    point_key, point_name = next(iter(points)) if len(points) == 1 else ("", "")
    return PackingList(kind, point_key, point_name, area, None, "", "", "", tuple(bags), _load(bags))


def _load(bags: list[Bag]) -> tuple[LoadLine, ...]:
    totals: dict[tuple[str, str, str], int] = {}
    diets: dict[tuple[str, str, str], dict[str, int]] = {}
    for bag in bags:
        for item in bag.items:
            key = (item.dish_name, item.texture, item.portion)
            totals[key] = totals.get(key, 0) + item.quantity
            for tag in item.diet_tags:
                counts = diets.setdefault(key, {})
                counts[tag] = counts.get(tag, 0) + item.quantity
    lines = (
        LoadLine(*key, tuple(sorted(diets.get(key, {}).items())), quantity)
        for key, quantity in totals.items()
    )
    return tuple(
        sorted(
            lines,
            key=lambda line: (line.dish_name, TEXTURES.index(line.texture), PORTIONS.index(line.portion)),
        )
    )


def _address_order(bag: Bag) -> tuple[object, ...]:
    return (
        natural_key(bag.area),
        natural_key(bag.building),
        natural_key(bag.floor),
        natural_key(bag.room),
        bag.senior_name,
        bag.order_key,
    )
