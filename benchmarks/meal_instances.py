"""Generate larger doorstep-delivery instances with the conventions of ../shared/benchmarks/meal/README.md.

    python benchmarks/meal_instances.py [--out benchmarks/data/meal]

The shared set (60 / 150 / 300 stops) is read-only; this writes the district-scale set (400 / 800 / 1,500
stops) into the project's own benchmark folder. Same conventions, exactly:

- node 1 is the depot (the canteen near 彭浦镇, 121.448 E 31.3005 N); NODE_COORD_SECTION is lng, lat (WGS-84);
- EDGE_WEIGHT_SECTION is a full matrix of whole seconds: haversine x 1.35 circuity / 15 km/h, rounded;
- times are seconds after the depot opens at 10:30: most windows 10:45-12:15 ([900, 6300]), some must eat by
  11:30 ([900, 3600]), some have 30-minute appointments; the depot closes at 12:45 (8100);
- service = 60 s + 25 s per floor above the first without a lift (about 60 % of buildings) + 120 s wellness
  check for a senior living alone; demand 1 meal, sometimes 2; CAPACITY 16 insulated boxes per e-bike;
- seniors live in residential compounds (about 10 doors each, within ~150 m) a few km from the kitchen.

Measured on the shared files (and reproduced here): about 14 % of stops take 2 meals, 76 / 15 / 9 % of
windows are all-lunch / eat-by-11:30 / appointments, and VEHICLES = ceil(1.3 x meals / 16). A district
kitchen serves a wider area, so compounds spread over a radius growing with the fourth root of the size
(3.8 km at 300 stops, 5.7 km at 1,500).

Multi-trip instances (`-mt-`) add three specification lines our reader understands (other VRPLIB readers
ignore them): `MAX_TRIPS : 2` (departures per e-bike), `RELOAD_TIME : 300` (seconds at the kitchen between
trips) and `RIDE_LIMIT : 3600` (the food-safety limit from leaving the kitchen to the door); the fleet is
smaller (ceil(0.8 x meals / 16) e-bikes with twice the trips: 1.23 x the boxes of the single-trip fleet).
PyVRP and VROOM are not run on them in the benchmark (our adapters model one trip, no ride limit).
"""

from __future__ import annotations

import argparse
import math
import random
from dataclasses import dataclass
from pathlib import Path

DEPOT = (121.448, 31.3005)  # lng, lat
EARTH_RADIUS_M = 6_371_008.8
CIRCUITY, SPEED_MS = 1.35, 15 / 3.6
OPEN_S, CLOSE_S = 0, 8100
LUNCH, EAT_BY = (900, 6300), (900, 3600)
APPOINTMENT_STARTS, APPOINTMENT_S = (1800, 2700, 3600), 1800
CAPACITY = 16

# (stops, seed, multi-trip): the committed set
SET: tuple[tuple[int, int, bool], ...] = (
    (400, 1, False),
    (400, 2, False),
    (400, 3, True),
    (800, 1, False),
    (800, 2, False),
    (800, 3, True),
    (1500, 1, False),
    (1500, 2, True),
)


@dataclass(frozen=True)
class Door:
    lng: float
    lat: float
    meals: int
    window: tuple[int, int]
    service_s: int


def name_of(stops: int, seed: int, multi_trip: bool) -> str:
    return f"meal-{stops}-{'mt-' if multi_trip else ''}s{seed}"


def _offset(lng: float, lat: float, metres: float, bearing: float) -> tuple[float, float]:
    dlat = metres * math.cos(bearing) / EARTH_RADIUS_M
    dlng = metres * math.sin(bearing) / (EARTH_RADIUS_M * math.cos(math.radians(lat)))
    return lng + math.degrees(dlng), lat + math.degrees(dlat)


def _service_s(rng: random.Random) -> int:
    floor, has_lift, alone = rng.randint(1, 6), rng.random() < 0.4, rng.random() < 0.4
    return 60 + (0 if has_lift else 25 * (floor - 1)) + (120 if alone else 0)


def _window(rng: random.Random) -> tuple[int, int]:
    draw = rng.random()
    if draw < 0.76:
        return LUNCH
    if draw < 0.91:
        return EAT_BY
    start = rng.choice(APPOINTMENT_STARTS)
    return (start, start + APPOINTMENT_S)


def doors(stops: int, seed: int) -> list[Door]:
    rng = random.Random(f"meal-{stops}-{seed}")
    radius_m = 3800 * (stops / 300) ** 0.25
    out: list[Door] = []
    while len(out) < stops:
        centre = _offset(*DEPOT, rng.uniform(400, radius_m), rng.uniform(0, 2 * math.pi))
        for _ in range(min(rng.randint(4, 18), stops - len(out))):
            lng, lat = _offset(*centre, 150 * math.sqrt(rng.random()), rng.uniform(0, 2 * math.pi))
            meals = 2 if rng.random() < 0.14 else 1
            out.append(Door(round(lng, 6), round(lat, 6), meals, _window(rng), _service_s(rng)))
    return out


def _haversine_m(a: tuple[float, float], b: tuple[float, float]) -> float:
    p1, p2 = math.radians(a[1]), math.radians(b[1])
    dp, dl = p2 - p1, math.radians(b[0] - a[0])
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(h)))


def vrplib_text(stops: int, seed: int, multi_trip: bool) -> str:
    found = doors(stops, seed)
    points = [DEPOT, *((d.lng, d.lat) for d in found)]
    meals = sum(d.meals for d in found)
    fleet = math.ceil((1.0 if multi_trip else 1.3) * meals / CAPACITY)
    head = [
        f"NAME : {name_of(stops, seed, multi_trip)}",
        "TYPE : VRPTW",
        f"DIMENSION : {len(points)}",
        f"VEHICLES : {fleet}",
        f"CAPACITY : {CAPACITY}",
    ]
    if multi_trip:
        head += ["MAX_TRIPS : 2", "RELOAD_TIME : 300", "RIDE_LIMIT : 3600"]
    lines = [*head, "EDGE_WEIGHT_TYPE : EXPLICIT", "EDGE_WEIGHT_FORMAT : FULL_MATRIX", "NODE_COORD_SECTION"]
    lines += [f"{i} {lng:.6f} {lat:.6f}" for i, (lng, lat) in enumerate(points, start=1)]
    lines.append("EDGE_WEIGHT_SECTION")
    for a in points:
        lines.append(" ".join(str(round(_haversine_m(a, b) * CIRCUITY / SPEED_MS)) for b in points))
    lines.append("DEMAND_SECTION")
    lines += ["1 0", *(f"{i} {d.meals}" for i, d in enumerate(found, start=2))]
    lines.append("TIME_WINDOW_SECTION")
    lines += [f"1 {OPEN_S} {CLOSE_S}", *(f"{i} {d.window[0]} {d.window[1]}" for i, d in enumerate(found, 2))]
    lines.append("SERVICE_TIME_SECTION")
    lines += ["1 0", *(f"{i} {d.service_s}" for i, d in enumerate(found, start=2))]
    lines += ["DEPOT_SECTION", "1", "-1", "EOF", ""]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(Path(__file__).resolve().parent / "data" / "meal"))
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    for stops, seed, multi_trip in SET:
        path = out / f"{name_of(stops, seed, multi_trip)}.vrp"
        path.write_text(vrplib_text(stops, seed, multi_trip))
        print(path, path.stat().st_size // 1024, "KiB")


if __name__ == "__main__":
    main()
