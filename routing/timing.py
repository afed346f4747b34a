"""Timing a fixed sequence: for screens where a dispatcher moves stops by hand and wants to see the times.

The times are the planner's own (`schedule.py`): each trip leaves the kitchen as soon as it can without
anyone waiting at a door, never later than its latest feasible departure and never before the vehicle is
ready (shift start, or the previous return plus the kitchen's reload time). A sequence that breaks a
constraint is still timed (leaving when ready) and the breaches are listed, never raised.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass

from routing.compiled import compile_problem
from routing.model import RoutingProblem, Stop, Vehicle
from routing.plan import Route
from routing.schedule import time_trips

VIOLATION_TEXT: dict[str, str] = {
    "window": "开始送餐时间晚于时间窗",
    "eat_by": "送达时间晚于最晚用餐时间",
    "ride_limit": "从厨房到门口超过餐食安全时限",
    "capacity": "份数超过保温箱容量",
    "shift": "回到厨房的时间超出班次或厨房关门时间",
    "trips": "趟数超过该车辆的最多趟数",
}


@dataclass(frozen=True)
class Violation:
    """One broken rule. `kind` is a key of VIOLATION_TEXT; `stop_key` is None for a trip-wide breach;
    `excess` is by how much (seconds, or meals for `capacity`, or trips for `trips`)."""

    kind: str
    trip: int
    stop_key: str | None
    excess: int
    message: str


@dataclass(frozen=True)
class TimedRoute:
    """The route as `solve` would time it, and what it breaks (empty when it is feasible)."""

    route: Route
    violations: tuple[Violation, ...]

    @property
    def ok(self) -> bool:
        return not self.violations


def time_route(problem: RoutingProblem, vehicle_key: str, trips: Sequence[Sequence[str]]) -> TimedRoute:
    """Time `trips` (stop keys per trip, in order; trip 1 first) for the vehicle `vehicle_key` of `problem`:
    arrival, start, departure, load and ride time per visit (whole seconds from the plan's start), the trips'
    departures and returns, travel totals, and the windows, eat-by times, ride limits, capacity, shift end
    and trip count it breaks. Only the travel times between the kitchen and these stops are asked of the
    problem's provider. Raises ValueError for an unknown vehicle or stop, a stop given twice, or an empty
    trip."""
    vehicle, stops = _checked(problem, vehicle_key, trips)
    alone = dataclasses.replace(problem, vehicles=(vehicle,), locks=())
    ordered = [stops[key] for trip in trips for key in trip]
    c = compile_problem(alone, ordered)
    node = {key: i for i, key in enumerate(c.stop_keys)}
    timed = time_trips(c, 0, [[node[key] for key in trip] for trip in trips])
    assert timed is not None  # not strict: a sequence is always timed
    route = dataclasses.replace(timed, vehicle_key=vehicle.key)
    return TimedRoute(route, tuple(_violations(problem, vehicle, stops, route)))


def _checked(
    problem: RoutingProblem, vehicle_key: str, trips: Sequence[Sequence[str]]
) -> tuple[Vehicle, dict[str, Stop]]:
    vehicles = {v.key: v for v in problem.vehicles}
    if vehicle_key not in vehicles:
        raise ValueError(f"unknown vehicle {vehicle_key!r}")
    known = {s.key: s for s in problem.stops}
    seen: set[str] = set()
    for number, trip in enumerate(trips, start=1):
        if isinstance(trip, str) or not trip:
            raise ValueError(f"trip {number} must be a non-empty sequence of stop keys")
        for key in trip:
            if key not in known:
                raise ValueError(f"unknown stop {key!r} in trip {number}")
            if key in seen:
                raise ValueError(f"stop {key!r} appears more than once")
            seen.add(key)
    return vehicles[vehicle_key], {key: known[key] for key in seen}


def _violation(kind: str, trip: int, stop_key: str | None, excess: int) -> Violation:
    return Violation(kind, trip, stop_key, excess, VIOLATION_TEXT[kind])


def _violations(
    problem: RoutingProblem, vehicle: Vehicle, stops: dict[str, Stop], route: Route
) -> list[Violation]:
    found: list[Violation] = []
    for visit in route.visits:
        stop = stops[visit.stop_key]
        if visit.start_s > stop.window.end_s:
            found.append(_violation("window", visit.trip, stop.key, visit.start_s - stop.window.end_s))
        if stop.eat_by_s is not None and visit.start_s > stop.eat_by_s:
            found.append(_violation("eat_by", visit.trip, stop.key, visit.start_s - stop.eat_by_s))
        limit = problem.ride_limit_for(stop)
        if limit is not None and visit.ride_s > limit:
            found.append(_violation("ride_limit", visit.trip, stop.key, visit.ride_s - limit))
    closes = min(vehicle.shift.end_s, problem.depot.close_s)
    for trip in route.trips:
        load = sum(stops[v.stop_key].meals for v in route.visits if v.trip == trip.number)
        if load > vehicle.capacity_meals:
            found.append(_violation("capacity", trip.number, None, load - vehicle.capacity_meals))
        if trip.return_s > closes:
            found.append(_violation("shift", trip.number, None, trip.return_s - closes))
    if len(route.trips) > vehicle.max_trips:
        found.append(_violation("trips", len(route.trips), None, len(route.trips) - vehicle.max_trips))
    return found
