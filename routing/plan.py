"""What the planner returns: routes of visits, and the stops it could not serve, with the reason in words."""

from __future__ import annotations

import enum
from dataclasses import dataclass


@dataclass(frozen=True)
class Visit:
    """One stop on a route. Times in whole seconds from the plan's start; `trip` is 1-based;
    `load` is the meals still on board when arriving; `ride_s` is from leaving the kitchen to the handover."""

    stop_key: str
    trip: int
    arrival_s: int
    start_s: int
    departure_s: int
    load: int
    ride_s: int


@dataclass(frozen=True)
class Trip:
    """One departure from the kitchen and the return to it."""

    number: int
    depart_s: int
    return_s: int


@dataclass(frozen=True)
class Route:
    """A vehicle's day: its visits in order across all trips, with travel totals (to and from the kitchen)."""

    vehicle_key: str
    visits: tuple[Visit, ...]
    trips: tuple[Trip, ...]
    travel_s: int
    distance_m: int


class UnassignedReason(enum.StrEnum):
    WINDOW_UNREACHABLE = "window_unreachable"
    RIDE_LIMIT = "ride_limit"
    BEYOND_SHIFTS = "beyond_shifts"
    TOO_MANY_MEALS = "too_many_meals"
    NO_CAPACITY_LEFT = "no_capacity_left"
    NO_TIME_LEFT = "no_time_left"
    LOCK_CONFLICT = "lock_conflict"


REASON_TEXT: dict[UnassignedReason, str] = {
    UnassignedReason.WINDOW_UNREACHABLE: "送餐时间窗从厨房出发无法赶到",
    UnassignedReason.RIDE_LIMIT: "从厨房到门口超过餐食安全时限，任何车辆都无法按时送达",
    UnassignedReason.BEYOND_SHIFTS: "超出所有送餐员的班次时间",
    UnassignedReason.TOO_MANY_MEALS: "份数超过任何车辆的保温箱容量",
    UnassignedReason.NO_CAPACITY_LEFT: "车辆保温箱容量和趟数已用完",
    UnassignedReason.NO_TIME_LEFT: "其他站点已排满送餐员的时间，无法在时间窗内插入",
    UnassignedReason.LOCK_CONFLICT: "锁定的路线无法在约束内完成",
}


@dataclass(frozen=True)
class Unassigned:
    stop_key: str
    reason: UnassignedReason
    message: str


@dataclass(frozen=True)
class RoutePlan:
    """Routes (only vehicles that leave the kitchen) and unassigned stops; `travel_s` is the objective's
    first term."""

    routes: tuple[Route, ...]
    unassigned: tuple[Unassigned, ...]

    @property
    def travel_s(self) -> int:
        return sum(route.travel_s for route in self.routes)

    @property
    def distance_m(self) -> int:
        return sum(route.distance_m for route in self.routes)

    @property
    def vehicles_used(self) -> int:
        return len(self.routes)


@dataclass(frozen=True)
class SolveProgress:
    """Reported while solving; `best_cost` is the best objective so far (None before a first plan)."""

    stage: str
    elapsed_s: float
    best_cost: int | None


class NoFeasibleRoute(Exception):
    """Raised when locked routes cannot be kept within the constraints."""
