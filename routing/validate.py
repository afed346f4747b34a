"""An independent check of a plan against its problem. Shares no code with the solver: it asks the problem's
travel provider for its own matrices and re-walks every route from the kitchen."""

from __future__ import annotations

from dataclasses import dataclass

from routing.model import RoutingProblem, TravelMatrix, Vehicle
from routing.plan import Route, RoutePlan, Visit


@dataclass(frozen=True)
class ValidationReport:
    """`violations` are sentences naming the stop or vehicle; `cost` = travel_s + vehicle_s per trip +
    continuity_s per stop away from its preferred vehicle (the balance term is not included)."""

    ok: bool
    violations: tuple[str, ...]
    travel_s: int
    distance_m: int
    cost: int


def validate(problem: RoutingProblem, plan: RoutePlan) -> ValidationReport:
    """Check every stop once, capacity, windows, eat-by, shifts, ride limits, trips, locks and totals."""
    found: list[str] = []
    _check_coverage(problem, plan, found)
    travel = distance = trips = misses = 0
    vehicles = {v.key: v for v in problem.vehicles}
    for route in plan.routes:
        vehicle = vehicles.get(route.vehicle_key)
        if vehicle is None:
            found.append(f"路线使用了不存在的车辆 {route.vehicle_key}")
            continue
        t, d = _check_route(problem, vehicle, route, found)
        travel, distance, trips = travel + t, distance + d, trips + len(route.trips)
        misses += sum(1 for v in route.visits if _prefers_other(problem, v.stop_key, vehicle.key))
    _check_locks(problem, plan, found)
    weights = problem.weights
    cost = travel + weights.vehicle_s * trips + weights.continuity_s * misses
    return ValidationReport(not found, tuple(found), travel, distance, cost)


def _prefers_other(problem: RoutingProblem, key: str, vehicle_key: str) -> bool:
    stops = {s.key: s for s in problem.stops}
    preferred = stops[key].preferred_vehicle if key in stops else None
    return preferred is not None and preferred != vehicle_key


def _check_coverage(problem: RoutingProblem, plan: RoutePlan, found: list[str]) -> None:
    seen: dict[str, int] = {}
    for key in [v.stop_key for r in plan.routes for v in r.visits] + [u.stop_key for u in plan.unassigned]:
        seen[key] = seen.get(key, 0) + 1
    for stop in problem.stops:
        count = seen.pop(stop.key, 0)
        if count != 1:
            found.append(f"站点 {stop.key} 出现 {count} 次（应恰好一次：送达或列为未安排）")
    for key in seen:
        found.append(f"计划中有不存在的站点 {key}")
    keys = [r.vehicle_key for r in plan.routes]
    for key in {k for k in keys if keys.count(k) > 1}:
        found.append(f"车辆 {key} 有多条路线")


def _matrix_for(
    problem: RoutingProblem, vehicle: Vehicle, route: Route
) -> tuple[TravelMatrix, dict[str, int]]:
    stops = {s.key: s for s in problem.stops}
    keys = [problem.depot.key, *(v.stop_key for v in route.visits if v.stop_key in stops)]
    points = tuple([problem.depot.location, *(stops[k].location for k in keys[1:])])
    matrix = problem.travel.matrix(points, tuple(keys), vehicle)
    return matrix, {k: i for i, k in enumerate(keys)}


def _check_route(
    problem: RoutingProblem, vehicle: Vehicle, route: Route, found: list[str]
) -> tuple[int, int]:
    stops = {s.key: s for s in problem.stops}
    if any(v.stop_key not in stops for v in route.visits):
        return 0, 0
    matrix, at = _matrix_for(problem, vehicle, route)
    numbers = sorted({v.trip for v in route.visits})
    if numbers != list(range(1, len(numbers) + 1)) or [t.number for t in route.trips] != numbers:
        found.append(f"车辆 {vehicle.key} 的趟次编号不连续或与行程不符")
        return 0, 0
    if len(numbers) > vehicle.max_trips:
        found.append(f"车辆 {vehicle.key} 跑了 {len(numbers)} 趟，超过上限 {vehicle.max_trips}")
    if [v.trip for v in route.visits] != sorted(v.trip for v in route.visits):
        found.append(f"车辆 {vehicle.key} 的站点未按趟次排列")
    travel = distance = 0
    ready = max(vehicle.shift.start_s, problem.depot.ready_s)
    for trip in route.trips:
        visits = [v for v in route.visits if v.trip == trip.number]
        if trip.depart_s < ready:
            found.append(
                f"车辆 {vehicle.key} 第{trip.number}趟在 {trip.depart_s} 出发，早于可出发时间 {ready}"
            )
        t, d = _check_trip(
            problem, vehicle, trip.number, trip.depart_s, trip.return_s, visits, matrix, at, found
        )
        travel, distance = travel + t, distance + d
        ready = trip.return_s + problem.depot.reload_s
    if (travel, distance) != (route.travel_s, route.distance_m):
        found.append(
            f"车辆 {vehicle.key} 的行驶合计不符：计划 {route.travel_s} 秒/{route.distance_m} 米，"
            f"复算 {travel} 秒/{distance} 米"
        )
    return travel, distance


def _check_trip(
    problem: RoutingProblem,
    vehicle: Vehicle,
    number: int,
    depart: int,
    back: int,
    visits: list[Visit],
    matrix: TravelMatrix,
    at: dict[str, int],
    found: list[str],
) -> tuple[int, int]:
    stops = {s.key: s for s in problem.stops}
    where = f"车辆 {vehicle.key} 第{number}趟"
    load = sum(stops[v.stop_key].meals for v in visits)
    if load > vehicle.capacity_meals:
        found.append(f"{where}装载 {load} 份，超过容量 {vehicle.capacity_meals} 份")
    clock, prev, travel, distance = depart, 0, 0, 0
    for visit in visits:
        stop, here = stops[visit.stop_key], at[visit.stop_key]
        leg = matrix.seconds[prev][here]
        travel, distance = travel + leg, distance + matrix.meters[prev][here]
        _check_visit(problem, where, visit, clock + leg, depart, load, found)
        load -= stop.meals
        clock, prev = visit.departure_s, here
    travel, distance = travel + matrix.seconds[prev][0], distance + matrix.meters[prev][0]
    if back != clock + matrix.seconds[prev][0]:
        found.append(f"{where}回到厨房的时间应为 {clock + matrix.seconds[prev][0]}，计划写 {back}")
    end = min(vehicle.shift.end_s, problem.depot.close_s)
    if clock + matrix.seconds[prev][0] > end:
        found.append(f"{where}回到厨房晚于班次结束 {end}")
    return travel, distance


def _check_visit(
    problem: RoutingProblem, where: str, visit: Visit, arrival: int, depart: int, load: int, found: list[str]
) -> None:
    stop = problem.stop(visit.stop_key)
    name = f"{where}站点 {stop.key}"
    if visit.arrival_s != arrival:
        found.append(f"{name}到达时间应为 {arrival}，计划写 {visit.arrival_s}")
    if visit.start_s < max(arrival, stop.window.start_s):
        found.append(f"{name}在到达或时间窗开始之前就开始送餐")
    if visit.start_s > stop.window.end_s:
        found.append(f"{name}开始送餐 {visit.start_s} 晚于时间窗结束 {stop.window.end_s}")
    if stop.eat_by_s is not None and visit.start_s > stop.eat_by_s:
        found.append(f"{name}送达 {visit.start_s} 晚于食用时限 {stop.eat_by_s}")
    if visit.departure_s != visit.start_s + stop.service_s:
        found.append(f"{name}离开时间应为开始时间加服务时间 {stop.service_s} 秒")
    if visit.load != load:
        found.append(f"{name}到达时车上应有 {load} 份，计划写 {visit.load}")
    ride = visit.start_s - depart
    if visit.ride_s != ride:
        found.append(f"{name}在途时间应为 {ride} 秒，计划写 {visit.ride_s}")
    limit = problem.ride_limit_for(stop)
    if limit is not None and ride > limit:
        found.append(f"{name}离开厨房 {ride} 秒才送达，超过餐食安全时限 {limit} 秒")


def _check_locks(problem: RoutingProblem, plan: RoutePlan, found: list[str]) -> None:
    routes = {r.vehicle_key: r for r in plan.routes}
    for lock in problem.locks:
        route = routes.get(lock.vehicle_key)
        keys = [v.stop_key for v in route.visits if v.trip == lock.trip] if route else []
        prefix_ok = tuple(keys[: len(lock.stop_keys)]) == lock.stop_keys
        if not prefix_ok or (lock.closed and len(keys) != len(lock.stop_keys)):
            found.append(f"车辆 {lock.vehicle_key} 第{lock.trip}趟没有保持锁定的站点顺序")
