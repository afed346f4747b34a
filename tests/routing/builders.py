"""Tiny hand-checkable problems: points on a line, travel time = |x_i - x_j| seconds (and metres)."""

from __future__ import annotations

from routing import Depot, LatLng, RoutingProblem, Stop, TimeWindow, Vehicle
from routing.travel import MatrixTravel

DATA = __import__("pathlib").Path(__file__).parent / "data"


def line_travel(positions: dict[str, int]) -> MatrixTravel:
    keys = tuple(positions)
    seconds = tuple(tuple(abs(positions[a] - positions[b]) for b in keys) for a in keys)
    return MatrixTravel(keys, seconds)


def stop(
    key: str, *, meals: int = 1, window: tuple[int, int] = (0, 10_000), service_s: int = 0, **extra: object
) -> Stop:
    return Stop(
        key=key,
        location=LatLng(31.3, 121.45),
        meals=meals,
        window=TimeWindow(*window),
        service_s=service_s,
        **extra,
    )  # type: ignore[arg-type]


def bike(
    key: str = "bike", *, capacity: int = 16, shift: tuple[int, int] = (0, 10_000), trips: int = 1
) -> Vehicle:
    return Vehicle(key=key, kind="ebike", capacity_meals=capacity, shift=TimeWindow(*shift), max_trips=trips)


def line_problem(
    positions: dict[str, int],
    stops: list[Stop],
    vehicles: list[Vehicle],
    *,
    ride_limit_s: int | None = None,
    reload_s: int = 0,
    **extra: object,
) -> RoutingProblem:
    """`positions` must name the kitchen "K" and every stop."""
    depot = Depot(location=LatLng(31.3, 121.45), key="K", ready_s=0, close_s=10_000, reload_s=reload_s)
    return RoutingProblem(
        depot=depot,
        stops=tuple(stops),
        vehicles=tuple(vehicles),
        travel=line_travel(positions),
        ride_limit_s=ride_limit_s,
        **extra,
    )  # type: ignore[arg-type]


def sequence(plan: object) -> dict[str, list[tuple[int, str]]]:
    """vehicle key -> [(trip, stop key), ...] in visiting order."""
    return {r.vehicle_key: [(v.trip, v.stop_key) for v in r.visits] for r in plan.routes}  # type: ignore[attr-defined]
