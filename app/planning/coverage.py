"""The 15-minute circle (15分钟养老服务圈), computed without a session or a framework.

Walking distance is the routing library's offline estimate: great-circle metres × circuity, at the foot speed of
`routing.DEFAULT_SPEED_KMH["foot"]`. A spatial grid keeps 30,000 homes × 200 sites to a few cells per home, and
the search is exact: a ring of cells is opened until no unopened cell can hold a nearer site.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import routing

FOOT_SPEED_KMH = routing.DEFAULT_SPEED_KMH["foot"]
CIRCUITY = routing.HaversineTravel().circuity
WALK_LIMIT_S = 15 * 60
RADII_M = (1000, 500)  # today's 1,000 m target, and the 500 m of 家门口服务站
CELL_M = 400.0
METRES_PER_DEGREE = math.pi * routing.geo.EARTH_RADIUS_M / 180


@dataclass(frozen=True)
class Place:
    """A home or a site, in WGS-84 degrees."""

    key: str
    lat: float
    lng: float

    def __post_init__(self) -> None:
        routing.LatLng(self.lat, self.lng)  # raises ValueError on a malformed point


@dataclass(frozen=True)
class Reach:
    """How far a home is from its nearest site on foot; `site_key` is None when there is no site at all."""

    home_key: str
    site_key: str | None
    walk_m: int
    walk_s: int

    def within(self, *, limit_s: int = WALK_LIMIT_S, radius_m: int | None = None) -> bool:
        if self.site_key is None:
            return False
        return self.walk_m <= radius_m if radius_m is not None else self.walk_s <= limit_s


def walk_m(a: Place, b: Place, circuity: float = CIRCUITY) -> int:
    return round(routing.haversine_m(a.lat, a.lng, b.lat, b.lng) * circuity)


def walk_s(metres: int, speed_kmh: float = FOOT_SPEED_KMH) -> int:
    return round(metres / (speed_kmh / 3.6))


class _Grid:
    """Places bucketed in square cells of `cell_m` on a local flat projection (only used to choose cells)."""

    def __init__(self, places: Iterable[Place], origin_lat: float, cell_m: float = CELL_M) -> None:
        self.cell_m = cell_m
        self.lng_scale = math.cos(math.radians(origin_lat))
        self.cells: dict[tuple[int, int], list[Place]] = defaultdict(list)
        for p in places:
            self.cells[self.cell_of(p)].append(p)

    def cell_of(self, p: Place) -> tuple[int, int]:
        x = p.lng * METRES_PER_DEGREE * self.lng_scale
        y = p.lat * METRES_PER_DEGREE
        return math.floor(x / self.cell_m), math.floor(y / self.cell_m)

    def ring(self, centre: tuple[int, int], r: int) -> Iterable[Place]:
        cx, cy = centre
        for dx in range(-r, r + 1):
            for dy in (range(-r, r + 1) if abs(dx) == r else (-r, r)) if r else (0,):
                yield from self.cells.get((cx + dx, cy + dy), ())

    def around(self, centre: Place, metres: float) -> Iterable[Place]:
        """Every place whose cell may lie within `metres` of `centre` (a superset; callers measure)."""
        cell, reach = self.cell_of(centre), math.ceil(metres / self.cell_m) + 1
        for r in range(reach + 1):
            yield from self.ring(cell, r)


def _origin(places: Sequence[Place]) -> float:
    return sum(p.lat for p in places) / len(places) if places else 0.0


def nearest_sites(homes: Sequence[Place], sites: Sequence[Place], *, circuity: float = CIRCUITY,
                  speed_kmh: float = FOOT_SPEED_KMH) -> list[Reach]:
    """For each home (in order), its nearest site by walking distance, ties to the first site given."""
    if not sites:
        return [Reach(h.key, None, 0, 0) for h in homes]
    grid = _Grid(sites, _origin(sites))
    rank = {s.key: i for i, s in enumerate(sites)}
    out = []
    for home in homes:
        best, best_m = _search(grid, home, rank)
        metres = round(best_m * circuity)
        out.append(Reach(home.key, best.key, metres, walk_s(metres, speed_kmh)))
    return out


def _search(grid: _Grid, home: Place, rank: dict[str, int]) -> tuple[Place, float]:
    centre = grid.cell_of(home)
    cx, cy = centre
    # A home far outside the sites' box starts its rings where the sites are.
    start = max(0, min(abs(cx - x) for x, _ in grid.cells) - 1, min(abs(cy - y) for _, y in grid.cells) - 1) \
        if centre not in grid.cells else 0
    best: Place | None = None
    best_m = math.inf
    r = start
    # Any place in ring r is at least (r - 1) cells away; 2 % slack covers the flat projection's error.
    while best is None or (r - 1) * grid.cell_m * 0.98 <= best_m:
        for site in grid.ring(centre, r):
            metres = routing.haversine_m(home.lat, home.lng, site.lat, site.lng)
            if metres < best_m or (metres == best_m and best is not None and rank[site.key] < rank[best.key]):
                best, best_m = site, metres
        r += 1
    assert best is not None
    return best, best_m


@dataclass(frozen=True)
class Pick:
    """One site chosen by the greedy: the homes it newly covers (`gain`) and the running total."""

    site_key: str
    gain: int
    covered_keys: tuple[str, ...]
    total: int


@dataclass(frozen=True)
class Opening:
    """The greedy's picks, and an upper bound on what any `k` candidates could cover.

    Coverage is submodular, so after any step OPT ≤ covered so far + the k largest remaining gains; the
    smallest such bound is reported, and greedy is never below (1 − 1/e) ≈ 63 % of it in theory."""

    picks: tuple[Pick, ...]
    upper_bound: int

    @property
    def covered(self) -> int:
        return self.picks[-1].total if self.picks else 0

    @property
    def quality_percent(self) -> int:
        """Greedy's share of the upper bound, rounded down (100 when nothing can be covered)."""
        return 100 if self.upper_bound == 0 else self.covered * 100 // self.upper_bound


def reachable(candidates: Sequence[Place], homes: Sequence[Place], *, radius_m: int,
              circuity: float = CIRCUITY) -> dict[str, frozenset[str]]:
    """For each candidate site, the homes within `radius_m` walking metres of it."""
    if not homes:
        return {c.key: frozenset() for c in candidates}
    grid = _Grid(homes, _origin(homes))
    return {c.key: frozenset(h.key for h in grid.around(c, radius_m / circuity)
                             if walk_m(c, h, circuity) <= radius_m) for c in candidates}


def greedy_openings(reach: dict[str, frozenset[str]], k: int) -> Opening:
    """Pick up to `k` candidates, each time the one covering the most homes not yet covered (ties: the first
    in `reach`'s order); stops early when no candidate adds anyone."""
    if k < 0:
        raise ValueError(f"k must be >= 0, got {k}")
    covered: set[str] = set()
    picks: list[Pick] = []
    bound = sum(sorted((len(v) for v in reach.values()), reverse=True)[:k])
    remaining = dict(reach)
    for _ in range(k):
        gains = {key: len(homes - covered) for key, homes in remaining.items()}
        bound = min(bound, len(covered) + sum(sorted(gains.values(), reverse=True)[:k]))
        best = max(gains, key=lambda key: gains[key], default=None)
        if best is None or gains[best] == 0:
            break
        new = remaining.pop(best) - covered
        covered |= new
        picks.append(Pick(best, len(new), tuple(sorted(new)), len(covered)))
    return Opening(tuple(picks), max(bound, len(covered)))
