"""Re-planning a published plan: late stops are slotted in with the least change.

Trips that have already left the kitchen by `now_s` are kept exactly (their meals are on the road); every
other stop keeps its vehicle, trip and order, and the late stops are inserted between them where they cost
least.
"""

from __future__ import annotations

import dataclasses

from routing.compiled import Compiled, compile_problem
from routing.diagnose import screen_stops
from routing.model import Lock, RoutingProblem, Stop
from routing.plan import Route, RoutePlan
from routing.planner import _plan
from routing.solver import Model, SearchConfig, SearchResult, run_search

LATE_INSERTION = SearchConfig("PARALLEL_CHEAPEST_INSERTION", "GUIDED_LOCAL_SEARCH")


def insert_late_stops(
    problem: RoutingProblem,
    plan: RoutePlan,
    new_stops: tuple[Stop, ...] | list[Stop],
    *,
    time_limit_s: float = 2.0,
    now_s: int = 0,
) -> RoutePlan:
    """A plan for `problem` plus `new_stops`. Stops that cannot be fitted are in `unassigned` with a reason;
    nothing already planned is dropped. Raises ValueError if a new stop's key is already used."""
    if not time_limit_s > 0:
        raise ValueError(f"time_limit_s must be > 0, got {time_limit_s!r}")
    merged = dataclasses.replace(
        problem, stops=problem.stops + tuple(new_stops), locks=_departed(problem, plan, now_s)
    )
    servable, rejected = screen_stops(merged)
    c = compile_problem(merged, servable)
    c = dataclasses.replace(c, keep_order=_kept(merged, plan, c))
    initial = _initial_routes(merged, plan, c)
    result = run_search(Model(c), LATE_INSERTION, time_limit_s, initial=initial)
    if result is None:  # keep the published plan; every late stop is then reported as unassigned
        result = SearchResult(routes=initial, objective=0)
    return _plan(merged, c, result, rejected)


def _known_routes(problem: RoutingProblem, plan: RoutePlan) -> list[Route]:
    """The plan's routes on vehicles still in the problem, cut to the trips they may still make (a driver
    off shift frees his stops, which are then planned like late ones)."""
    vehicles = {v.key: v for v in problem.vehicles}
    return [
        dataclasses.replace(
            route,
            visits=tuple(v for v in route.visits if v.trip <= vehicles[route.vehicle_key].max_trips),
            trips=tuple(t for t in route.trips if t.number <= vehicles[route.vehicle_key].max_trips),
        )
        for route in plan.routes
        if route.vehicle_key in vehicles
    ]


def _departed(problem: RoutingProblem, plan: RoutePlan, now_s: int) -> tuple[Lock, ...]:
    known = {s.key for s in problem.stops}
    locks = []
    for route in _known_routes(problem, plan):
        for trip in route.trips:
            keys = tuple(v.stop_key for v in route.visits if v.trip == trip.number and v.stop_key in known)
            if trip.depart_s < now_s and keys:
                locks.append(Lock(route.vehicle_key, keys, trip.number, closed=True))
    return tuple(locks)


def _slot(c: Compiled, merged: RoutingProblem, vehicle_key: str, trip: int) -> int:
    vehicle = [v.key for v in merged.vehicles].index(vehicle_key)
    return next(k for k, s in enumerate(c.slots) if s.vehicle == vehicle and s.trip == trip - 1)


def _kept(merged: RoutingProblem, plan: RoutePlan, c: Compiled) -> tuple[tuple[int, tuple[int, ...]], ...]:
    node = {key: i for i, key in enumerate(c.stop_keys)}
    locked = {(lk.vehicle_key, lk.trip) for lk in merged.locks}
    return tuple(
        (
            _slot(c, merged, route.vehicle_key, trip.number),
            tuple(node[v.stop_key] for v in route.visits if v.trip == trip.number and v.stop_key in node),
        )
        for route in _known_routes(merged, plan)
        for trip in route.trips
        if (route.vehicle_key, trip.number) not in locked
    )


def _initial_routes(merged: RoutingProblem, plan: RoutePlan, c: Compiled) -> tuple[tuple[int, ...], ...]:
    node = {key: i for i, key in enumerate(c.stop_keys)}
    routes: list[tuple[int, ...]] = [() for _ in c.slots]
    for route in _known_routes(merged, plan):
        for trip in route.trips:
            nodes = tuple(
                node[v.stop_key] for v in route.visits if v.trip == trip.number and v.stop_key in node
            )
            routes[_slot(c, merged, route.vehicle_key, trip.number)] = nodes
    return tuple(routes)
