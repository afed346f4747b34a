"""Readers for the Solomon text format and VRPLIB (benchmarks). The project's JSON format is in jsonio.py.

Solomon: distance-only convention of benchmarks/vrptw/SOURCES.md. Arc length is the Euclidean distance
truncated to one decimal, and travel time equals it, so the problem works in tenths: one "second" of the
problem is 0.1 time unit and one "metre" is 0.1 distance unit. Planar coordinates are stored as
LatLng(y / 1000, x / 1000) for display only; travel always comes from the matrix.
"""

from __future__ import annotations

import math
from pathlib import Path

from routing.model import Depot, LatLng, RoutingProblem, Stop, TimeWindow, Vehicle, VehicleKind
from routing.travel import MatrixTravel

SOLOMON_SCALE = 10


def _solomon_rows(path: Path) -> tuple[int, int, list[list[int]]]:
    lines = [line.split() for line in path.read_text().splitlines()]
    try:
        header = next(i for i, parts in enumerate(lines) if parts[:2] == ["NUMBER", "CAPACITY"])
        vehicles, capacity = (int(x) for x in lines[header + 1][:2])
        rows = [
            [int(float(x)) for x in parts]
            for parts in lines[header + 2 :]
            if len(parts) == 7 and parts[0].isdigit()
        ]
    except (StopIteration, ValueError, IndexError) as error:
        raise ValueError(f"{path}: not a Solomon instance ({error})") from error
    if not rows or rows[0][0] != 0:
        raise ValueError(f"{path}: no depot row (customer 0)")
    return vehicles, capacity, rows


def read_solomon(path: str | Path) -> RoutingProblem:
    """A Solomon VRPTW instance in tenths of the file's units (see the module docstring)."""
    path = Path(path)
    vehicle_count, capacity, rows = _solomon_rows(path)
    s = SOLOMON_SCALE
    keys = tuple(str(row[0]) for row in rows)
    matrix = tuple(
        tuple(math.isqrt(s * s * ((a[1] - b[1]) ** 2 + (a[2] - b[2]) ** 2)) for b in rows) for a in rows
    )
    depot_row = rows[0]
    depot = Depot(
        location=_planar(depot_row[1], depot_row[2]),
        key="0",
        ready_s=depot_row[4] * s,
        close_s=depot_row[5] * s,
        reload_s=0,
    )
    stops = tuple(
        Stop(
            key=str(r[0]),
            location=_planar(r[1], r[2]),
            meals=max(r[3], 1),
            window=TimeWindow(r[4] * s, r[5] * s),
            service_s=r[6] * s,
        )
        for r in rows[1:]
    )
    shift = TimeWindow(depot.ready_s, depot.close_s)
    vehicles = tuple(Vehicle(f"v{i + 1}", "car", capacity, shift) for i in range(vehicle_count))
    return RoutingProblem(
        depot=depot,
        stops=stops,
        vehicles=vehicles,
        travel=MatrixTravel(keys, matrix),
        ride_limit_s=None,
        name=path.stem,
    )


def _planar(x: float, y: float) -> LatLng:
    return LatLng(lat=y / 1000, lng=x / 1000)


def read_vrplib(path: str | Path) -> RoutingProblem:
    """A VRPLIB (C)VRPTW instance. An explicit matrix is used as whole seconds (and metres); otherwise the
    Euclidean distance truncated to one decimal, in tenths, as for Solomon. NODE_COORD is (lng, lat) when
    the matrix is explicit (the meal instances), planar otherwise."""
    import vrplib

    path = Path(path)
    try:
        data = vrplib.read_instance(str(path), compute_edge_weights=False)
    except Exception as error:  # vrplib raises many types for malformed files
        raise ValueError(f"{path}: not a VRPLIB instance ({error})") from error
    coords = data.get("node_coord")
    explicit = "edge_weight" in data
    if explicit:
        matrix = tuple(tuple(int(round(float(x))) for x in row) for row in data["edge_weight"])
        scale = 1
    else:
        if coords is None:
            raise ValueError(f"{path}: neither EDGE_WEIGHT_SECTION nor NODE_COORD_SECTION")
        scale = SOLOMON_SCALE
        matrix = tuple(
            tuple(math.isqrt(int(round(100 * ((a[0] - b[0]) ** 2 + (a[1] - b[1]) ** 2)))) for b in coords)
            for a in coords
        )
    return _vrplib_problem(path, data, matrix, scale, explicit)


def _vrplib_problem(path: Path, data: dict, matrix: tuple, scale: int, explicit: bool) -> RoutingProblem:
    n = len(matrix)
    depot_index = int(data.get("depot", [0])[0])
    coords = data.get("node_coord")
    windows = data.get("time_window")
    service = data.get("service_time")
    demand = data.get("demand")

    def location(i: int) -> LatLng:
        if coords is None:
            return LatLng(0.0, 0.0)
        x, y = float(coords[i][0]), float(coords[i][1])
        return LatLng(lat=y, lng=x) if explicit else _planar(x, y)

    def window(i: int) -> TimeWindow:
        if windows is None:
            return TimeWindow(0, 10**9)
        return TimeWindow(int(round(windows[i][0] * scale)), int(round(windows[i][1] * scale)))

    keys = tuple(str(i + 1) for i in range(n))
    depot_window = window(depot_index)
    depot = Depot(
        location(depot_index),
        key=keys[depot_index],
        ready_s=depot_window.start_s,
        close_s=depot_window.end_s,
        reload_s=int(data.get("reload_time", 0)),
    )
    stops = tuple(
        Stop(
            keys[i],
            location(i),
            max(int(demand[i]) if demand is not None else 1, 1),
            window(i),
            int(round(float(service[i]) * scale)) if service is not None else 0,
        )
        for i in range(n)
        if i != depot_index
    )
    capacity = int(data.get("capacity", 10**6))
    fleet = int(data.get("vehicles", n - 1))
    shift = TimeWindow(depot.ready_s, depot.close_s)
    kind: VehicleKind = "ebike" if explicit else "car"
    trips = int(data.get("max_trips", 1))
    vehicles = tuple(Vehicle(f"v{i + 1}", kind, capacity, shift, max_trips=trips) for i in range(fleet))
    ride_limit = data.get("ride_limit")
    return RoutingProblem(
        depot=depot,
        stops=stops,
        vehicles=vehicles,
        travel=MatrixTravel(keys, matrix),
        ride_limit_s=None if ride_limit is None else int(ride_limit),
        name=str(data.get("name", path.stem)),
    )
