"""City-morning benchmark: N canteen slots queued at once on procrastinate, drained by 1 and by 2 workers.

    python benchmarks/city_morning_bench.py [--canteens 8] [--time-limit 5] [--workers 1,2]
                                            [--csv bench-results/city-morning.csv]

Each canteen gets the doors of the shared meal instance ../shared/benchmarks/meal/meal-60-s1.vrp (60 delivery
orders around the kitchen, 7 e-bikes of 16 boxes), built through the app's own services on a throwaway PostgreSQL
(scripts/pg-test-server, or CITY_DATABASE_URL). For each worker count, every plan is queued in one go (the cutoff
moment), real `python -m app worker --once` processes drain the queue, and the benchmark prints plans per minute,
the time until the last plan is ready, the mean job time, how long the workers took to start (imports) and the
rate once they ran; then it checks each plan was stored once.
Bounded: canteens × time limit ÷ workers seconds per round, plus start-up (a few minutes with the defaults).
"""

from __future__ import annotations

import argparse
import csv
import os
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
INSTANCE = ROOT.parent / "shared" / "benchmarks" / "meal" / "meal-60-s1.vrp"
if not INSTANCE.exists():
    INSTANCE = Path("/work/shared/benchmarks/meal/meal-60-s1.vrp")


PG_DATA = os.environ.get("PGTEST_DATA", "/tmp/canteen-pgcity")


def database_url() -> str:
    given = os.environ.get("CITY_DATABASE_URL")
    if given:
        return given
    env = {**os.environ, "PGTEST_PORT": os.environ.get("PGTEST_PORT", "54397"), "PGTEST_DATA": PG_DATA}
    base = subprocess.run([str(ROOT / "scripts" / "pg-test-server")], env=env, check=True, capture_output=True,
                          text=True).stdout.strip()
    import psycopg

    with psycopg.connect(base.replace("postgresql+psycopg://", "postgresql://"), autocommit=True) as conn:
        conn.execute("DROP DATABASE IF EXISTS canteen_city WITH (FORCE)")
        conn.execute("CREATE DATABASE canteen_city")
    return base.rsplit("/", 1)[0] + "/canteen_city"


def stop_server() -> None:
    """Stop the throwaway server this benchmark started (none when CITY_DATABASE_URL was given)."""
    if os.environ.get("CITY_DATABASE_URL"):
        return
    pg_ctl = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"))[-1]
    runas = ["runuser", "-u", "postgres", "--"] if os.getuid() == 0 else []
    subprocess.run([*runas, str(pg_ctl), "-D", PG_DATA, "stop", "-m", "fast"], check=False,
                   stdout=subprocess.DEVNULL)


def doors() -> tuple[list[tuple[float, float]], int]:
    """The instance's doors as (dlat, dlng) from its depot, and its fleet size."""
    lines = INSTANCE.read_text().splitlines()
    vehicles = int(next(line.split(":")[1] for line in lines if line.startswith("VEHICLES")))
    start = lines.index("NODE_COORD_SECTION") + 1
    coords = []
    for line in lines[start:]:
        parts = line.split()
        if len(parts) != 3 or not parts[0].isdigit():
            break
        coords.append((float(parts[2]), float(parts[1])))
    depot = coords[0]
    return [(lat - depot[0], lng - depot[1]) for lat, lng in coords[1:]], vehicles


def seed(url: str, canteens: int) -> list[int]:
    os.environ["DATABASE_URL"] = url
    subprocess.run([sys.executable, "-m", "app", "migrate"], env=os.environ, cwd=ROOT, check=True)
    from sqlmodel import Session

    from app.core.db import get_engine
    from app.dispatch import service as dispatch
    from app.models import now
    from tests.factories import make_canteen, make_delivery_orders, make_driver, seed_schemes

    spots, vehicles = doors()
    day = now().date() + timedelta(days=1)
    plan_ids = []
    with Session(get_engine()) as session:
        seed_schemes(session)
        for n in range(canteens):
            canteen = make_canteen(session, name=f"城区第{n + 1}长者食堂")
            for v in range(vehicles):
                make_driver(session, canteen, day, name=f"{n + 1}号店师傅{v + 1}", capacity=16)
            make_delivery_orders(session, canteen, day, spots, age=66 + n)  # ages keep ID numbers apart
            plan_ids.append(dispatch.plan_for(session, canteen.id or 0, day, "lunch").id or 0)
    return plan_ids


def run_round(plan_ids: list[int], workers: int, time_limit: float) -> dict[str, float]:
    from sqlmodel import Session, col, func, select

    from app import jobs
    from app.core.db import get_engine
    from app.models import DeliveryPlan, DeliveryRoute

    engine = get_engine()
    with Session(engine) as session:
        queued_at = time.time()
        assert all(jobs.enqueue(session, p) for p in plan_ids)
    cmd = [sys.executable, "-m", "app", "worker", "--once", "--time-limit", str(time_limit), "--poll", "0.5"]
    procs = [subprocess.Popen(cmd, cwd=ROOT, env=os.environ, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
             for _ in range(workers)]
    for p in procs:
        p.wait(timeout=60 + 3 * len(plan_ids) * time_limit)
    with Session(engine) as session:
        rows = session.exec(select(DeliveryPlan).where(col(DeliveryPlan.id).in_(plan_ids))).all()
        states = sorted({r.job_state for r in rows})
        stored = session.exec(select(func.count(func.distinct(DeliveryRoute.plan_id)))
                              .where(col(DeliveryRoute.plan_id).in_(plan_ids))).one()
        last = max(r.job_finished_at.timestamp() for r in rows if r.job_finished_at)
        solve = [(r.job_finished_at - r.job_started_at).total_seconds() for r in rows
                 if r.job_finished_at and r.job_started_at]
        first = min(r.job_started_at.timestamp() for r in rows if r.job_started_at)
    if states != ["done"] or stored != len(plan_ids):
        raise SystemExit(f"round with {workers} worker(s): states {states}, plans stored {stored}")
    until_last = last - queued_at
    return {"workers": workers, "plans": len(plan_ids), "time_limit_s": time_limit,
            "last_plan_ready_s": round(until_last, 1), "plans_per_min": round(60 * len(plan_ids) / until_last, 2),
            "mean_job_s": round(sum(solve) / len(solve), 2), "worker_start_s": round(first - queued_at, 1),
            "drain_plans_per_min": round(60 * len(plan_ids) / max(last - first, 0.001), 2)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--canteens", type=int, default=8)
    parser.add_argument("--time-limit", type=float, default=5.0)
    parser.add_argument("--workers", default="1,2")
    parser.add_argument("--csv", default="")
    args = parser.parse_args()
    url = database_url()
    try:
        results = _rounds(url, args)
    finally:
        stop_server()
    if args.csv:
        Path(args.csv).parent.mkdir(parents=True, exist_ok=True)
        with open(args.csv, "w", newline="") as f:
            writer = csv.DictWriter(f, fieldnames=list(results[0]))
            writer.writeheader()
            writer.writerows(results)


def _rounds(url: str, args: argparse.Namespace) -> list[dict[str, float]]:
    plan_ids = seed(url, args.canteens)
    print(f"city morning: {args.canteens} canteen slots of {INSTANCE.name} (60 doors, 7 e-bikes each), "
          f"time limit {args.time_limit:g} s, {os.cpu_count()} cores")
    results = []
    for workers in [int(w) for w in args.workers.split(",")]:
        r = run_round(plan_ids, workers, args.time_limit)
        results.append(r)
        print(f"  {workers} worker(s): {r['plans_per_min']:6.2f} plans/min, last plan ready after "
              f"{r['last_plan_ready_s']:6.1f} s, mean job {r['mean_job_s']:.2f} s; first job started after "
              f"{r['worker_start_s']:.1f} s, then {r['drain_plans_per_min']:.2f} plans/min", flush=True)
    return results


if __name__ == "__main__":
    main()
