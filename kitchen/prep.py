"""The production sheet (生产单): what to cook, in which texture and portion, and where it goes."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from kitchen.bags import StopOrder, check_stop_order, natural_key
from kitchen.line import CANCELLED, DELIVERY, DINE_IN, FULFILMENTS, PICKUP, PORTIONS, TEXTURES, KitchenLine

# 留样: a sample of at least 125 g of every dish, refrigerated for at least 48 hours.
SAMPLE_MIN_G = 125
SAMPLE_KEEP = timedelta(hours=48)

RowKey = tuple[str, str, str]


@dataclass(frozen=True, slots=True)
class PrepRow:
    """One thing to cook: a dish in one texture and portion.

    `diets` counts the boxes of the row cooked to a diet need, per tag ((低盐, 3), (糖尿病, 1)); a box with two
    needs counts under both. `by_route` holds (route_key, quantity) in the sheet's route order; None is
    delivery not yet on a route.
    """

    dish_key: str
    dish_name: str
    category: str
    texture: str
    portion: str
    diets: tuple[tuple[str, int], ...]
    quantity: int
    dine_in: int
    pickup: int
    delivery: int
    by_route: tuple[tuple[str | None, int], ...]
    by_point: tuple[tuple[str, int], ...]

    def route_quantity(self, route_key: str | None) -> int:
        return dict(self.by_route).get(route_key, 0)

    def point_quantity(self, point_key: str) -> int:
        return dict(self.by_point).get(point_key, 0)


@dataclass(frozen=True, slots=True)
class DishTotal:
    """All textures and portions of one dish together: one 留样 sample each."""

    dish_key: str
    dish_name: str
    category: str
    quantity: int


@dataclass(frozen=True, slots=True)
class SampleRow:
    """One 留样 checklist row; the time taken and the signature are written by hand on the sheet."""

    dish_key: str
    dish_name: str
    min_grams: int
    keep_until: datetime


@dataclass(frozen=True, slots=True)
class PrepSheet:
    """Totals of the active lines of one slot. `provisional` (预估) means orders may still change."""

    provisional: bool
    rows: tuple[PrepRow, ...]
    dishes: tuple[DishTotal, ...]
    points: tuple[tuple[str, str], ...]
    routes: tuple[str | None, ...]
    total: int
    dine_in: int
    pickup: int
    delivery: int
    order_count: int
    senior_count: int

    def point_total(self, point_key: str) -> int:
        """Boxes the kitchen cooks for one point: the column total of the point on the sheet."""
        return sum(row.point_quantity(point_key) for row in self.rows)


class _Tally:
    __slots__ = ("first", "fulfilment", "routes", "points", "diets")

    def __init__(self, first: KitchenLine) -> None:
        self.first = first
        self.fulfilment = [0, 0, 0]
        self.routes: dict[str | None, int] = {}
        self.points: dict[str, int] = {}
        self.diets: dict[str, int] = {}


_FULFILMENT_INDEX = {name: index for index, name in enumerate(FULFILMENTS)}


def build_prep_sheet(
    lines: Iterable[KitchenLine], *, provisional: bool, stop_order: StopOrder | None = None
) -> PrepSheet:
    """Aggregate order lines into totals per dish × texture × portion, with diet counts; never cancelled lines.

    With `stop_order` (a published plan) delivery splits by its routes, else by the lines' own routes.
    Invariant: quantity = dine_in + pickup + delivery = sum of by_point; delivery = sum of by_route.
    """
    if stop_order is not None:
        check_stop_order(stop_order)
    tallies, points, orders, seniors = _tally(lines, stop_order)
    rows = tuple(sorted((_row(t) for t in tallies.values()), key=_row_order))
    routes = sorted({key for row in rows for key, _ in row.by_route}, key=_route_order)
    return PrepSheet(
        provisional=provisional,
        rows=rows,
        dishes=_dish_totals(rows),
        points=tuple(sorted(points.items(), key=lambda item: natural_key(item[1]))),
        routes=tuple(routes),
        total=sum(row.quantity for row in rows),
        dine_in=sum(row.dine_in for row in rows),
        pickup=sum(row.pickup for row in rows),
        delivery=sum(row.delivery for row in rows),
        order_count=len(orders),
        senior_count=len(seniors),
    )


def _tally(
    lines: Iterable[KitchenLine], stop_order: StopOrder | None
) -> tuple[dict[RowKey, _Tally], dict[str, str], set[str], set[str]]:
    # One pass, plain dicts: this runs over a whole city's lunch (200,000 lines) in well under a second.
    tallies: dict[RowKey, _Tally] = {}
    points: dict[str, str] = {}
    orders: set[str] = set()
    seniors: set[str] = set()
    stops = stop_order or {}
    for line in lines:
        if line.status == CANCELLED:
            continue
        key = (line.dish_key, line.texture, line.portion)
        tally = tallies.get(key)
        if tally is None:
            tally = tallies[key] = _Tally(line)
        quantity = line.quantity
        tally.fulfilment[_FULFILMENT_INDEX[line.fulfilment]] += quantity
        tally.points[line.point_key] = tally.points.get(line.point_key, 0) + quantity
        if line.fulfilment == DELIVERY:
            route = stops.get(line.order_key, (None,))[0] if stop_order is not None else line.route_key
            tally.routes[route] = tally.routes.get(route, 0) + quantity
        for tag in line.diet_tags:
            tally.diets[tag] = tally.diets.get(tag, 0) + quantity
        points[line.point_key] = line.point_name
        orders.add(line.order_key)
        seniors.add(line.senior_key)
    return tallies, points, orders, seniors


def _row(tally: _Tally) -> PrepRow:
    first = tally.first
    dine_in, pickup, delivery = (
        tally.fulfilment[_FULFILMENT_INDEX[name]] for name in (DINE_IN, PICKUP, DELIVERY)
    )
    return PrepRow(
        first.dish_key,
        first.dish_name,
        first.category,
        first.texture,
        first.portion,
        tuple(sorted(tally.diets.items())),
        dine_in + pickup + delivery,
        dine_in,
        pickup,
        delivery,
        tuple(sorted(tally.routes.items(), key=lambda item: _route_order(item[0]))),
        tuple(sorted(tally.points.items(), key=lambda item: natural_key(item[0]))),
    )


def _row_order(row: PrepRow) -> tuple[object, ...]:
    return (
        row.category,
        row.dish_name,
        row.dish_key,
        TEXTURES.index(row.texture),
        PORTIONS.index(row.portion),
    )


def _route_order(route_key: str | None) -> tuple[int, tuple[tuple[int, int | str], ...]]:
    return (1, ()) if route_key is None else (0, natural_key(route_key))


def _dish_totals(rows: tuple[PrepRow, ...]) -> tuple[DishTotal, ...]:
    totals: dict[str, DishTotal] = {}
    for row in rows:
        known = totals.get(row.dish_key)
        quantity = row.quantity + (known.quantity if known else 0)
        totals[row.dish_key] = DishTotal(row.dish_key, row.dish_name, row.category, quantity)
    return tuple(totals.values())


def sample_checklist(sheet: PrepSheet, cooked_at: datetime) -> tuple[SampleRow, ...]:
    """One 留样 row per dish, kept until `cooked_at` + 48 h. Raises ValueError for a naive datetime."""
    if cooked_at.tzinfo is None or cooked_at.utcoffset() is None:
        raise ValueError(f"cooked_at must be timezone-aware, got {cooked_at!r}")
    keep_until = cooked_at + SAMPLE_KEEP
    return tuple(SampleRow(dish.dish_key, dish.dish_name, SAMPLE_MIN_G, keep_until) for dish in sheet.dishes)
