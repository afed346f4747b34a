"""Travel-time providers: offline haversine (the default) and explicit matrices (benchmarks, JSON).

This module does not import `routing.model` (which imports it for the default provider): points and
vehicles are read through the two small protocols below, so the two modules form no import cycle.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from routing.geo import haversine_m

DEFAULT_CIRCUITY = 1.35


class _Point(Protocol):
    @property
    def lat(self) -> float: ...

    @property
    def lng(self) -> float: ...


class _Moving(Protocol):
    @property
    def effective_speed_kmh(self) -> float: ...


@dataclass(frozen=True)
class TravelMatrix:
    """Square matrices in the order of the points asked for."""

    seconds: tuple[tuple[int, ...], ...]
    meters: tuple[tuple[int, ...], ...]


@dataclass(frozen=True)
class HaversineTravel:
    """Straight-line distance x circuity, at the vehicle's speed. Offline and deterministic."""

    circuity: float = DEFAULT_CIRCUITY

    def __post_init__(self) -> None:
        if not self.circuity >= 1.0:
            raise ValueError(f"circuity must be >= 1.0, got {self.circuity!r}")

    def matrix(self, points: tuple[_Point, ...], keys: tuple[str, ...], vehicle: _Moving) -> TravelMatrix:
        metres_per_s = vehicle.effective_speed_kmh / 3.6
        meters = [
            [round(haversine_m(a.lat, a.lng, b.lat, b.lng) * self.circuity) for b in points] for a in points
        ]
        seconds = tuple(tuple(round(m / metres_per_s) for m in row) for row in meters)
        return TravelMatrix(seconds=seconds, meters=tuple(tuple(row) for row in meters))


@dataclass(frozen=True)
class MatrixTravel:
    """Fixed matrices keyed by node key (the depot's and the stops'), the same for every vehicle kind.
    `meters` defaults to `seconds` (benchmarks where travel time equals distance)."""

    keys: tuple[str, ...]
    seconds: tuple[tuple[int, ...], ...]
    meters: tuple[tuple[int, ...], ...] | None = None

    def __post_init__(self) -> None:
        n = len(self.keys)
        if len(set(self.keys)) != n:
            raise ValueError("matrix keys must be unique")
        for label, rows in (("seconds", self.seconds), ("meters", self.meters)):
            if rows is None:
                continue
            if len(rows) != n or any(len(row) != n for row in rows):
                raise ValueError(f"{label} matrix must be {n} x {n} to match its keys")
            if any(isinstance(x, bool) or not isinstance(x, int) or x < 0 for row in rows for x in row):
                raise ValueError(f"{label} matrix entries must be non-negative integers")

    def matrix(self, points: tuple[_Point, ...], keys: tuple[str, ...], vehicle: _Moving) -> TravelMatrix:
        if (
            tuple(keys) == self.keys
        ):  # the whole matrix in its own order: share it, no copy (2.25 M entries at 1,500 stops)
            return TravelMatrix(self.seconds, self.meters if self.meters is not None else self.seconds)
        index = {key: i for i, key in enumerate(self.keys)}
        missing = [key for key in keys if key not in index]
        if missing:
            raise ValueError(f"travel matrix has no row for {', '.join(missing[:5])}")
        rows = [index[key] for key in keys]
        seconds = tuple(tuple(self.seconds[i][j] for j in rows) for i in rows)
        meters_src = self.meters if self.meters is not None else self.seconds
        meters = tuple(tuple(meters_src[i][j] for j in rows) for i in rows)
        return TravelMatrix(seconds=seconds, meters=meters)
