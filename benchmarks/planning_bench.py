"""Planning benchmark: the 15-minute circle for 30,000 seniors and 200 sites, and the greedy choice of 10 new
sites among 500 candidates.

Run with `.venv/bin/python benchmarks/planning_bench.py`; prints seconds and peak memory per step.
Target on the 2-core machine: coverage under 10 s.
"""

from __future__ import annotations

import random
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app.planning import coverage as cov  # noqa: E402

SENIORS, SITES, CANDIDATES, PICKS = 30_000, 200, 500, 10
# A city district of about 20 km × 25 km around 上海 普陀 / 静安.
LAT0, LNG0, DLAT, DLNG = 31.18, 121.30, 0.18, 0.26


def _places(prefix: str, n: int, rng: random.Random) -> list[cov.Place]:
    return [cov.Place(f"{prefix}{i}", LAT0 + rng.random() * DLAT, LNG0 + rng.random() * DLNG) for i in range(n)]


def _timed(label: str, fn):  # type: ignore[no-untyped-def]
    # tracemalloc would slow the loop several times over: memory is the process's peak RSS after the step.
    start = time.perf_counter()
    result = fn()
    seconds = time.perf_counter() - start
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{label:<52} {seconds:8.2f} s   max RSS {rss:5.0f} MiB")
    return result


def main() -> None:
    rng = random.Random(20)
    homes, sites, candidates = _places("h", SENIORS, rng), _places("s", SITES, rng), _places("c", CANDIDATES, rng)
    reaches = _timed(f"coverage: {SENIORS:,} seniors × {SITES} sites", lambda: cov.nearest_sites(homes, sites))
    beyond = [h for h, r in zip(homes, reaches, strict=True) if not r.within(radius_m=500)]
    print(f"  beyond 15 min: {sum(not r.within() for r in reaches):,}   beyond 500 m: {len(beyond):,}")
    reach = _timed(f"reachable: {CANDIDATES} candidates × {len(beyond):,} uncovered",
                   lambda: cov.reachable(candidates, beyond, radius_m=500))
    opening = _timed(f"greedy: {PICKS} picks", lambda: cov.greedy_openings(reach, PICKS))
    print(f"  {PICKS} new sites cover {opening.covered:,}; bound {opening.upper_bound:,} "
          f"({opening.quality_percent} % of the bound)")


if __name__ == "__main__":
    main()
