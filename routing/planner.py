"""solve(): screen stops, search a portfolio of OR-Tools configurations on both cores, improve, explain."""

from __future__ import annotations

import multiprocessing
import random
import time
from collections.abc import Callable

from routing.compiled import Compiled, compile_problem
from routing.construct import homogeneous, savings, split_trips
from routing.diagnose import left_out_reason, screen_stops, unassigned
from routing.improve import improve, neighbours
from routing.model import RoutingProblem
from routing.plan import NoFeasibleRoute, Route, RoutePlan, SolveProgress, Unassigned
from routing.recreate import Routes, farthest_first, is_chained, is_plain, recreate
from routing.schedule import schedule_vehicle
from routing.solver import Model, SearchConfig, SearchResult, run_search, vet

Progress = Callable[[SolveProgress], None]

# First plans: a construction heuristic and a greedy descent; the time after goes to ruin and recreate.
PORTFOLIO: tuple[SearchConfig, ...] = (
    SearchConfig("SAVINGS", "GREEDY_DESCENT"),
    SearchConfig("PARALLEL_CHEAPEST_INSERTION", "GREEDY_DESCENT"),
    SearchConfig("LOCAL_CHEAPEST_INSERTION", "GREEDY_DESCENT"),
    SearchConfig("PATH_CHEAPEST_ARC", "GREEDY_DESCENT"),
)
DETERMINISTIC = SearchConfig("PARALLEL_CHEAPEST_INSERTION", "GREEDY_DESCENT")
FALLBACK = SearchConfig("ALL_UNPERFORMED", "GREEDY_DESCENT")
FIRST_SHARE = 0.3  # at most, of the budget for the first plan (greedy descent stops earlier by itself)
CHAINED = True  # large multi-trip problems: search the real problem (False: the split-trip restriction)
LARGE = 200  # stops from which a plain problem starts from our savings, not an OR-Tools construction


def solve(
    problem: RoutingProblem,
    *,
    time_limit_s: float,
    seed: int = 0,
    deterministic: bool = False,
    progress: Progress | None = None,
) -> RoutePlan:
    """Plan routes within about `time_limit_s` seconds of wall time. Stops that cannot be served are in
    `plan.unassigned` with a reason. `deterministic=True` runs one process to a local optimum (same input,
    same output). Raises ValueError for a bad time limit and NoFeasibleRoute when locks cannot be kept."""
    if not time_limit_s > 0:
        raise ValueError(f"time_limit_s must be > 0, got {time_limit_s!r}")
    clock = _Clock(progress)
    clock.report("started", None)
    servable, rejected = screen_stops(problem)
    c = compile_problem(problem, servable)
    clock.report("screened", None)
    if c.nodes == 1:
        return RoutePlan(routes=(), unassigned=tuple(rejected))
    result = _portfolio(c, time_limit_s - clock.elapsed(), seed, deterministic, clock)
    if result is None:
        raise NoFeasibleRoute("锁定的路线无法在约束内完成")
    plan = _plan(problem, c, result, rejected)
    clock.report("done", plan.travel_s)
    return plan


class _Clock:
    def __init__(self, progress: Progress | None) -> None:
        self.started = time.monotonic()
        self.progress = progress

    def elapsed(self) -> float:
        return time.monotonic() - self.started

    def report(self, stage: str, best: int | None) -> None:
        if self.progress is not None:
            self.progress(SolveProgress(stage=stage, elapsed_s=round(self.elapsed(), 3), best_cost=best))


def _portfolio(
    c: Compiled, budget_s: float, seed: int, deterministic: bool, clock: _Clock
) -> SearchResult | None:
    """Two diverse runs, one per core: each builds a first plan with its own strategy, runs guided local
    search briefly, then ruin-and-recreate with its own random stream; the better plan wins."""
    # time kept back for what follows the search: the last vet, the worker's reply, timing every route
    budget_s = max(budget_s - 0.1 - 0.0004 * c.nodes, 0.05)
    if deterministic:
        return _search_with_fallback(c, DETERMINISTIC, budget_s, clock)
    mine, theirs = PORTFOLIO[seed % 2], PORTFOLIO[2 + seed % 2] if seed % 4 >= 2 else PORTFOLIO[1 - seed % 2]
    near = neighbours(c)  # before the fork: both processes use them
    child = _start_child(c, theirs, budget_s, seed * 2 + 1, near)
    best = _run(c, mine, budget_s, seed * 2, clock, near)
    other = _join_child(child, budget_s)
    candidates = [r for r in (best, other) if r is not None]
    return min(candidates, key=lambda r: r.objective) if candidates else None


def _run(
    c: Compiled, config: SearchConfig, budget_s: float, seed: int, clock: _Clock, near: list[list[int]]
) -> SearchResult | None:
    deadline = time.monotonic() + budget_s
    if c.nodes - 1 >= LARGE and CHAINED and is_chained(c):
        found = _run_chained(c, deadline, seed, clock, near)
        if found is not None:
            return found
    split = split_trips(c) if c.nodes - 1 >= LARGE else None
    if split is not None:
        found = _run_split(c, split, deadline, seed, clock, near)
        if found is not None:
            return found
    model = Model(c)
    first = _first_plan(c, model, config, budget_s, seed, clock, near)
    if first is None:
        return None

    def on_better(result: SearchResult) -> None:
        clock.report("improving", result.objective)

    return improve(c, first, deadline, seed, on_better, near=near, model=model)


def _run_chained(
    c: Compiled, deadline: float, seed: int, clock: _Clock, near: list[list[int]]
) -> SearchResult | None:
    """A large multi-trip problem searched in Python on the real problem, each trip in the time its
    vehicle's other trips leave it (`recreate.Routes`); OR-Tools vets the first plan and each kept best on
    the real, chained model (None if it refuses the first: the caller falls back to the split-trip
    restriction)."""
    model = Model(c)
    routes = Routes(c, tuple(() for _ in c.slots))
    farthest_first(routes, near, random.Random(seed))
    first = vet(model, routes.frozen())
    if first is None:
        return None
    clock.report("improving", first.objective)

    def on_better(result: SearchResult) -> None:
        clock.report("improving", result.objective)

    return improve(c, first, deadline, seed, on_better, near=near, model=model, chained=True)


def _run_split(
    c: Compiled, split: Compiled, deadline: float, seed: int, clock: _Clock, near: list[list[int]]
) -> SearchResult | None:
    """A large multi-trip problem: construct and search on its split-trip restriction in Python, then let
    OR-Tools vet the best plan on the real model (None if it refuses: the caller falls back)."""
    real, model = Model(c), Model(split)  # the real one now: building it at the end would overrun
    routes = Routes(split, tuple(() for _ in split.slots))
    recreate(routes, near, random.Random(seed))
    first = vet(model, routes.frozen())
    if first is None:
        return None
    clock.report("improving", first.objective)

    def on_better(result: SearchResult) -> None:
        clock.report("improving", result.objective)

    best = improve(split, first, deadline - 0.3, seed, on_better, near=near, model=model)
    return vet(real, best.routes)


def _first_plan(
    c: Compiled,
    model: Model,
    config: SearchConfig,
    budget_s: float,
    seed: int,
    clock: _Clock,
    near: list[list[int]],
) -> SearchResult | None:
    """Large plain problems start from our savings (vetted by OR-Tools), the rest from OR-Tools' own
    construction and greedy descent."""
    if c.nodes - 1 >= LARGE and is_plain(c) and homogeneous(c):
        routes = Routes(c, savings(c, near))
        recreate(routes, near, random.Random(seed))
        first = vet(model, routes.frozen())
        if first is not None:
            clock.report("improving", first.objective)
            return first
    return _search_with_fallback(c, config, budget_s * FIRST_SHARE, clock)


def _search_with_fallback(
    c: Compiled, config: SearchConfig, budget_s: float, clock: _Clock
) -> SearchResult | None:
    started = time.monotonic()
    model = Model(c)

    def on_solution(cost: int) -> None:
        clock.report("improving", cost)

    result = run_search(model, config, budget_s, on_solution=on_solution)
    if result is None:
        remaining = budget_s - (time.monotonic() - started)
        result = run_search(Model(c), FALLBACK, max(remaining, 0.2))
    return result


def _child_main(
    conn: object, c: Compiled, config: SearchConfig, budget_s: float, seed: int, near: list[list[int]]
) -> None:
    result = _run(c, config, budget_s, seed, _Clock(None), near)
    conn.send(result)  # type: ignore[attr-defined]
    conn.close()  # type: ignore[attr-defined]


def _start_child(
    c: Compiled, config: SearchConfig, budget_s: float, seed: int, near: list[list[int]]
) -> tuple[object, object] | None:
    if "fork" not in multiprocessing.get_all_start_methods():
        return None
    context = multiprocessing.get_context("fork")
    receive, send = context.Pipe(duplex=False)
    process = context.Process(target=_child_main, args=(send, c, config, budget_s, seed, near), daemon=True)
    process.start()
    send.close()
    return process, receive


def _join_child(child: tuple[object, object] | None, budget_s: float) -> SearchResult | None:
    if child is None:
        return None
    process, receive = child
    result = None
    try:
        if receive.poll(budget_s + 5.0):  # type: ignore[attr-defined]
            result = receive.recv()  # type: ignore[attr-defined]
    except EOFError:
        result = None
    finally:
        process.join(timeout=5.0)  # type: ignore[attr-defined]
        if process.is_alive():  # type: ignore[attr-defined]
            process.kill()  # type: ignore[attr-defined]
            process.join()  # type: ignore[attr-defined]
    return result


def _plan(
    problem: RoutingProblem, c: Compiled, result: SearchResult, rejected: list[Unassigned]
) -> RoutePlan:
    routes: list[Route] = []
    for vehicle_index, vehicle in enumerate(problem.vehicles):
        trips = [
            list(nodes)
            for slot, nodes in zip(c.slots, result.routes, strict=True)
            if slot.vehicle == vehicle_index and nodes
        ]
        if not trips:
            continue
        route = schedule_vehicle(c, vehicle_index, trips)
        if route is None:
            raise RuntimeError(f"solver returned an untimeable route for {vehicle.key}")
        routes.append(Route(vehicle.key, route.visits, route.trips, route.travel_s, route.distance_m))
    served = {visit.stop_key for route in routes for visit in route.visits}
    left_out = [
        unassigned(key, left_out_reason(problem, problem.stop(key), routes))
        for key in c.stop_keys[1:]
        if key not in served
    ]
    order = {stop.key: i for i, stop in enumerate(problem.stops)}
    everything = sorted([*rejected, *left_out], key=lambda u: order[u.stop_key])
    return RoutePlan(routes=tuple(routes), unassigned=tuple(everything))
