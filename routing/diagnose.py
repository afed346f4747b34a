"""Why a stop is not served, in words. Checked per stop against every vehicle before solving (a stop no
vehicle could serve alone never reaches the solver) and, for stops the solver left out, against what
is left."""

from __future__ import annotations

from routing.compiled import travel_classes
from routing.model import RoutingProblem, Stop
from routing.plan import REASON_TEXT, Route, Unassigned, UnassignedReason


def unassigned(key: str, reason: UnassignedReason) -> Unassigned:
    return Unassigned(stop_key=key, reason=reason, message=REASON_TEXT[reason])


def _alone_failure(problem: RoutingProblem, stop: Stop, vehicle_index: int, out_s: int, back_s: int) -> str:
    """'' when `stop` fits a trip of its own on this vehicle, else which check fails first."""
    vehicle, depot = problem.vehicles[vehicle_index], problem.depot
    depart = max(vehicle.shift.start_s, depot.ready_s)
    start = max(depart + out_s, stop.window.start_s)
    if depart + out_s > stop.latest_start_s:
        return "window"
    limit = problem.ride_limit_for(stop)
    if limit is not None and out_s > limit:
        return "ride"
    if start + stop.service_s + back_s > min(vehicle.shift.end_s, depot.close_s):
        return "shift"
    return ""


def screen_stops(problem: RoutingProblem) -> tuple[list[Stop], list[Unassigned]]:
    """Split stops into those some vehicle could serve on a trip of its own, and the rest with a reason."""
    per_vehicle, representatives = travel_classes(problem)
    points = (problem.depot.location, *(s.location for s in problem.stops))
    keys = (problem.depot.key, *(s.key for s in problem.stops))
    matrices = [problem.travel.matrix(points, keys, v).seconds for v in representatives]
    max_capacity = max(v.capacity_meals for v in problem.vehicles)
    servable: list[Stop] = []
    rejected: list[Unassigned] = []
    for node, stop in enumerate(problem.stops, start=1):
        if stop.meals > max_capacity:
            rejected.append(unassigned(stop.key, UnassignedReason.TOO_MANY_MEALS))
            continue
        failures = [
            _alone_failure(problem, stop, i, matrices[cls][0][node], matrices[cls][node][0])
            for i, cls in enumerate(per_vehicle)
        ]
        if "" in failures:
            servable.append(stop)
        else:
            rejected.append(unassigned(stop.key, _reason(failures)))
    return servable, rejected


def _reason(failures: list[str]) -> UnassignedReason:
    if all(f == "window" for f in failures):
        return UnassignedReason.WINDOW_UNREACHABLE
    if all(f in ("window", "ride") for f in failures):
        return UnassignedReason.RIDE_LIMIT
    return UnassignedReason.BEYOND_SHIFTS


def left_out_reason(problem: RoutingProblem, stop: Stop, routes: list[Route]) -> UnassignedReason:
    """A stop the solver could not fit: capacity when no trip has room for its meals, otherwise time."""
    used = {r.vehicle_key: r for r in routes}
    for vehicle in problem.vehicles:
        route = used.get(vehicle.key)
        trips = len(route.trips) if route else 0
        if trips < vehicle.max_trips:
            return UnassignedReason.NO_TIME_LEFT
        assert route is not None
        for trip in range(1, trips + 1):
            load = sum(problem.stop(v.stop_key).meals for v in route.visits if v.trip == trip)
            if load + stop.meals <= vehicle.capacity_meals:
                return UnassignedReason.NO_TIME_LEFT
    return UnassignedReason.NO_CAPACITY_LEFT
