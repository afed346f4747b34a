"""Benchmark: our planner vs PyVRP and VROOM, same budget, same machine, every plan checked by our validator.

    python -m routing bench [--time-limit 10] [--instances R101 C201 meal-60-s1 ...] [--csv OUT]
                            [--solvers ours,pyvrp,vroom]

Solomon gaps are to the best-known distance-only solutions (benchmarks/vrptw/SOURCES.md); meal gaps are to the
best of the three solvers. PyVRP and VROOM are benchmark-only extras and are imported here only.
"""

from __future__ import annotations

import argparse
import csv
import multiprocessing
import os
import sys
import time
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from routing import RoutePlan, RoutingProblem, read_solomon, read_vrplib, solve, validate
from routing.plan import Route, Trip, Visit

SHARED = Path(__file__).resolve().parents[2] / "shared" / "benchmarks"
if not SHARED.exists():
    SHARED = Path("/work/shared/benchmarks")
SOLOMON = SHARED / "vrptw" / "solomon"
MEAL = SHARED / "meal"
LARGE_MEAL = Path(__file__).resolve().parent / "data" / "meal"  # written by benchmarks/meal_instances.py


@dataclass
class Row:
    instance: str
    solver: str
    cost: float | None
    vehicles: int | None
    seconds: float
    feasible: bool
    gap_pct: float | None = None
    unassigned: int = 0
    memory_mb: float | None = None  # peak resident set of the solving process (and its worker)


def instances(names: list[str] | None) -> list[tuple[str, Path]]:
    found = (
        [(p.stem, p) for p in sorted(SOLOMON.glob("*.txt"))]
        + [(p.stem, p) for p in sorted(MEAL.glob("*.vrp"))]
        + [(p.stem, p) for p in sorted(LARGE_MEAL.glob("*.vrp"), key=_size_then_name)]
    )
    if not names:
        return found
    wanted = set(names)
    chosen = [
        (n, p)
        for n, p in found
        if n in wanted or any(n.startswith(w.rstrip("*")) for w in wanted if w.endswith("*"))
    ]
    if not chosen:
        raise SystemExit(f"no instance matches {names}")
    return chosen


def _size_then_name(path: Path) -> tuple[int, str]:
    return _stops(path.stem), path.stem


def load(path: Path) -> RoutingProblem:
    return read_solomon(path) if path.suffix == ".txt" else read_vrplib(path)


def best_known() -> dict[str, float]:
    with (SHARED / "vrptw" / "bks_solomon.csv").open() as handle:
        return {row["instance"]: float(row["bks_distance"]) for row in csv.DictReader(handle)}


def matrix_of(problem: RoutingProblem) -> tuple[list[str], list[list[int]]]:
    keys = [problem.depot.key, *(s.key for s in problem.stops)]
    points = tuple([problem.depot.location, *(s.location for s in problem.stops)])
    m = problem.travel.matrix(points, tuple(keys), problem.vehicles[0])
    return keys, [list(row) for row in m.seconds]


def plan_from_sequences(problem: RoutingProblem, sequences: list[list[str]]) -> RoutePlan:
    """Time external solvers' routes (earliest start, waiting allowed) so our validator can judge them."""
    keys, matrix = matrix_of(problem)
    at = {k: i for i, k in enumerate(keys)}
    stops = {s.key: s for s in problem.stops}
    routes = []
    for vehicle, seq in zip(problem.vehicles, sequences, strict=False):
        depart = max(vehicle.shift.start_s, problem.depot.ready_s)
        clock, prev, load, visits, travel = depart, 0, sum(stops[k].meals for k in seq), [], 0
        for key in seq:
            arrival = clock + matrix[prev][at[key]]
            start = max(arrival, stops[key].window.start_s)
            travel += matrix[prev][at[key]]
            clock = start + stops[key].service_s
            visits.append(Visit(key, 1, arrival, start, clock, load, start - depart))
            load -= stops[key].meals
            prev = at[key]
        travel += matrix[prev][0]
        routes.append(
            Route(vehicle.key, tuple(visits), (Trip(1, depart, clock + matrix[prev][0]),), travel, travel)
        )
    served = {k for seq in sequences for k in seq}
    from routing.diagnose import unassigned
    from routing.plan import UnassignedReason

    missing = tuple(
        unassigned(s.key, UnassignedReason.NO_TIME_LEFT) for s in problem.stops if s.key not in served
    )
    return RoutePlan(tuple(routes), missing)


def run_ours(problem: RoutingProblem, limit: float, seed: int) -> RoutePlan:
    return solve(problem, time_limit_s=limit, seed=seed)


def run_pyvrp(problem: RoutingProblem, limit: float, seed: int) -> RoutePlan:
    import pyvrp
    from pyvrp.stop import MaxRuntime

    keys, matrix = matrix_of(problem)
    model = pyvrp.Model()
    locations = [
        model.add_location(round(p.lng * 1e6), round(p.lat * 1e6))
        for p in [problem.depot.location, *(s.location for s in problem.stops)]
    ]
    depot = problem.depot
    model.add_depot(locations[0], tw_early=depot.ready_s, tw_late=depot.close_s)
    vehicle = problem.vehicles[0]
    model.add_vehicle_type(
        num_available=len(problem.vehicles),
        capacity=vehicle.capacity_meals,
        tw_early=vehicle.shift.start_s,
        tw_late=vehicle.shift.end_s,
    )
    for i, stop in enumerate(problem.stops, start=1):
        model.add_client(
            locations[i],
            delivery=stop.meals,
            service_duration=stop.service_s,
            tw_early=stop.window.start_s,
            tw_late=stop.window.end_s,
        )
    for i, a in enumerate(locations):
        for j, b in enumerate(locations):
            model.add_edge(a, b, distance=matrix[i][j], duration=matrix[i][j])
    result = model.solve(stop=MaxRuntime(limit), seed=seed, display=False)
    # a client activity's idx counts clients from 0; location 0 is the depot
    sequences = [[keys[a.idx + 1] for a in route if a.is_client()] for route in result.best.routes()]
    return plan_from_sequences(problem, sequences)


def run_vroom(problem: RoutingProblem, limit: float, seed: int) -> RoutePlan:
    import vroom

    keys, matrix = matrix_of(problem)
    data = vroom.Input()
    data.set_durations_matrix(profile="car", matrix_input=matrix)
    for i, vehicle in enumerate(problem.vehicles):
        data.add_vehicle(
            vroom.Vehicle(
                i,
                start=0,
                end=0,
                capacity=[vehicle.capacity_meals],
                time_window=vroom.TimeWindow(vehicle.shift.start_s, vehicle.shift.end_s),
            )
        )
    for i, stop in enumerate(problem.stops, start=1):
        data.add_job(
            vroom.Job(
                i,
                location=i,
                default_service=stop.service_s,
                delivery=[stop.meals],
                time_windows=[vroom.TimeWindow(stop.window.start_s, stop.window.end_s)],
            )
        )
    solution = data.solve(exploration_level=5, nb_threads=2, timeout=timedelta(seconds=limit))
    frame = solution.routes
    sequences: list[list[str]] = [[] for _ in problem.vehicles]
    for row in frame.itertuples():
        if row.type == "job":
            sequences[int(row.vehicle_id)].append(keys[int(row.location_index)])
    return plan_from_sequences(problem, [s for s in sequences if s])


RUNNERS = {"ours": run_ours, "pyvrp": run_pyvrp, "vroom": run_vroom}


def single_trip(problem: RoutingProblem) -> bool:
    """The adapters for PyVRP and VROOM model one trip per vehicle and no ride limit."""
    return problem.ride_limit_s is None and all(v.max_trips == 1 for v in problem.vehicles)


def measure(name: str, problem: RoutingProblem, solver: str, limit: float, seed: int) -> Row:
    """Solve in a forked child so that its peak memory is its own (os.wait4 reports it)."""
    receive, send = multiprocessing.get_context("fork").Pipe(duplex=False)
    pid = os.fork()
    if pid == 0:  # the child: solve, validate, send the row, leave without cleanup
        try:
            send.send(_measure_here(name, problem, solver, limit, seed))
        finally:
            os._exit(0)
    send.close()
    row = receive.recv() if receive.poll(limit * 3 + 120) else Row(name, solver, None, None, 0.0, False)
    _, _, usage = os.wait4(pid, 0)
    row.memory_mb = usage.ru_maxrss / 1024
    return row


def _measure_here(name: str, problem: RoutingProblem, solver: str, limit: float, seed: int) -> Row:
    started = time.monotonic()
    try:
        plan = RUNNERS[solver](problem, limit, seed)
    except Exception as error:  # a competitor crashing must not stop the table
        print(f"  {solver} failed on {name}: {error}", file=sys.stderr)
        return Row(name, solver, None, None, time.monotonic() - started, False)
    elapsed = time.monotonic() - started
    report = validate(problem, plan)
    feasible = report.ok and not plan.unassigned
    scale = 10 if name[0] in "CR" else 1
    cost = report.travel_s / scale
    return Row(name, solver, cost, len(plan.routes), elapsed, feasible, unassigned=len(plan.unassigned))


def add_gaps(rows: list[Row], bks: dict[str, float]) -> None:
    for name in {r.instance for r in rows}:
        mine = [r for r in rows if r.instance == name]
        feasible = [r.cost for r in mine if r.feasible and r.cost is not None]
        # a meal instance only one solver ran (multi-trip) has no reference: a gap of 0 % would mean nothing
        reference = bks.get(name, min(feasible) if feasible and len(mine) > 1 else None)
        for row in mine:
            if row.feasible and row.cost is not None and reference:
                row.gap_pct = 100.0 * (row.cost - reference) / reference


def summary(rows: list[Row], solvers: list[str]) -> None:
    groups = (
        ("solomon", lambda n: n[0] in "CR"),
        ("meal", lambda n: n.startswith("meal") and _stops(n) < 400),
        ("meal 400+", lambda n: n.startswith("meal") and _stops(n) >= 400),
    )
    for group, test in groups:
        for solver in solvers:
            mine = [r for r in rows if r.solver == solver and test(r.instance)]
            if not mine:
                continue
            gaps = [r.gap_pct for r in mine if r.gap_pct is not None]
            mean = sum(gaps) / len(gaps) if gaps else float("nan")
            seconds = sum(r.seconds for r in mine) / len(mine)
            memory = max((r.memory_mb or 0.0) for r in mine)
            print(
                f"{group:9} {solver:6} feasible {sum(r.feasible for r in mine):3}/{len(mine):<3} "
                f"mean gap {mean:6.2f} % ({len(gaps)} with a reference)  mean time {seconds:5.1f} s  "
                f"peak memory {memory:.0f} MB"
            )


def _stops(name: str) -> int:
    return int(name.split("-")[1])


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m routing bench")
    parser.add_argument("--time-limit", type=float, default=10.0)
    parser.add_argument("--instances", nargs="*", default=None)
    parser.add_argument("--solvers", default="ours,pyvrp,vroom")
    parser.add_argument("--csv", default=None)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    solvers = args.solvers.split(",")
    rows: list[Row] = []
    for name, path in instances(args.instances):
        problem = load(path)
        for solver in solvers:
            if solver != "ours" and not single_trip(problem):
                continue
            row = measure(name, problem, solver, args.time_limit, args.seed)
            rows.append(row)
            print(
                f"{name:12} {solver:6} cost {row.cost!s:>10} veh {row.vehicles!s:>3} "
                f"{row.seconds:5.1f} s feasible {row.feasible} unassigned {row.unassigned} "
                f"memory {row.memory_mb:.0f} MB",
                flush=True,
            )
    add_gaps(rows, best_known())
    summary(rows, solvers)
    if args.csv:
        with open(args.csv, "w", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(
                [
                    "instance",
                    "solver",
                    "cost",
                    "vehicles",
                    "gap_pct",
                    "seconds",
                    "feasible",
                    "time_limit_s",
                    "unassigned",
                    "memory_mb",
                ]
            )
            for r in rows:
                gap = "" if r.gap_pct is None else f"{r.gap_pct:.3f}"
                writer.writerow(
                    [
                        r.instance,
                        r.solver,
                        r.cost,
                        r.vehicles,
                        gap,
                        f"{r.seconds:.2f}",
                        r.feasible,
                        args.time_limit,
                        r.unassigned,
                        f"{r.memory_mb:.0f}" if r.memory_mb is not None else "",
                    ]
                )


if __name__ == "__main__":
    main()
