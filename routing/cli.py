"""`python -m routing solve FILE --time-limit S [--json]` and `python -m routing bench [...]`."""

from __future__ import annotations

import argparse
import json
import runpy
import sys
from pathlib import Path

from routing.jsonio import read_json
from routing.model import RoutingProblem
from routing.plan import RoutePlan
from routing.planner import solve
from routing.readers import read_solomon, read_vrplib
from routing.validate import ValidationReport, validate

BENCH_SCRIPT = Path("benchmarks") / "routing_bench.py"


def load_problem(path: Path) -> RoutingProblem:
    """By extension: .json (project format), .vrp (VRPLIB), .txt (Solomon)."""
    if path.suffix == ".json":
        return read_json(path)
    if path.suffix == ".vrp":
        return read_vrplib(path)
    return read_solomon(path)


def plan_to_dict(plan: RoutePlan, report: ValidationReport) -> dict[str, object]:
    return {
        "travel_s": plan.travel_s,
        "distance_m": plan.distance_m,
        "routes": [
            {
                "vehicle_key": r.vehicle_key,
                "travel_s": r.travel_s,
                "distance_m": r.distance_m,
                "trips": [vars(t) for t in r.trips],
                "visits": [vars(v) for v in r.visits],
            }
            for r in plan.routes
        ],
        "unassigned": [
            {"stop_key": u.stop_key, "reason": u.reason.value, "message": u.message} for u in plan.unassigned
        ],
        "validation": {"ok": report.ok, "violations": list(report.violations), "cost": report.cost},
    }


def _print_text(plan: RoutePlan, report: ValidationReport) -> None:
    for route in plan.routes:
        stops = " ".join(f"{v.stop_key}@{v.start_s}" for v in route.visits)
        print(
            f"{route.vehicle_key}: {len(route.trips)} 趟, {route.travel_s} s, {route.distance_m} m | {stops}"
        )
    for item in plan.unassigned:
        print(f"未安排 {item.stop_key}: {item.message}")
    print(
        f"合计 {plan.travel_s} s, {plan.distance_m} m, {len(plan.routes)} 辆车; "
        f"校验 {'通过' if report.ok else '未通过'}"
    )
    for violation in report.violations:
        print(f"  - {violation}")


def _solve(args: argparse.Namespace) -> int:
    problem = load_problem(Path(args.file))
    plan = solve(problem, time_limit_s=args.time_limit, seed=args.seed, deterministic=args.deterministic)
    report = validate(problem, plan)
    if args.json:
        print(json.dumps(plan_to_dict(plan, report), ensure_ascii=False, indent=1))
    else:
        _print_text(plan, report)
    return 0 if report.ok else 1


def _bench(rest: list[str]) -> int:
    """Runs benchmarks/routing_bench.py (it alone imports PyVRP and VROOM, which routing/ never does)."""
    if not BENCH_SCRIPT.exists():
        print(f"{BENCH_SCRIPT} not found: run from the repository root", file=sys.stderr)
        return 2
    sys.argv = [str(BENCH_SCRIPT), *rest]
    runpy.run_path(str(BENCH_SCRIPT), run_name="__main__")
    return 0


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["bench"]:
        return _bench(argv[1:])
    parser = argparse.ArgumentParser(prog="python -m routing")
    commands = parser.add_subparsers(dest="command", required=True)
    solve_cmd = commands.add_parser("solve", help="plan one problem file and validate the plan")
    solve_cmd.add_argument("file")
    solve_cmd.add_argument("--time-limit", type=float, default=10.0)
    solve_cmd.add_argument("--seed", type=int, default=0)
    solve_cmd.add_argument("--deterministic", action="store_true")
    solve_cmd.add_argument("--json", action="store_true")
    commands.add_parser("bench", help="benchmark against PyVRP and VROOM (see benchmarks/routing_bench.py)")
    args = parser.parse_args(argv)
    try:
        return _solve(args)
    except ValueError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
