"""The routing problem: frozen, validated inputs. Seconds count from the plan's start (the dispatch time)."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Literal, Protocol

from routing.travel import HaversineTravel, TravelMatrix

VehicleKind = Literal["ebike", "car", "foot"]
VEHICLE_KINDS: tuple[str, ...] = ("ebike", "car", "foot")

# Street speeds in town, km/h: an e-bike with insulated boxes, a car in traffic, a walking helper.
DEFAULT_SPEED_KMH: dict[str, float] = {"ebike": 15.0, "car": 20.0, "foot": 4.5}


def _check_int(owner: str, name: str, value: object, *, minimum: int = 0) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"{owner}: {name} must be an integer, got {value!r}")
    if value < minimum:
        raise ValueError(f"{owner}: {name} must be >= {minimum}, got {value}")


@dataclass(frozen=True)
class LatLng:
    """A WGS-84 point in degrees."""

    lat: float
    lng: float

    def __post_init__(self) -> None:
        for name, value, bound in (("lat", self.lat, 90.0), ("lng", self.lng, 180.0)):
            if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
                raise ValueError(f"{name} must be a finite number, got {value!r}")
            if not -bound <= value <= bound:
                raise ValueError(f"{name} must be within [-{bound:g}, {bound:g}], got {value}")


@dataclass(frozen=True)
class TimeWindow:
    """Service must start within [start_s, end_s] (inclusive), in seconds from the plan's start."""

    start_s: int
    end_s: int

    def __post_init__(self) -> None:
        _check_int("time window", "start_s", self.start_s)
        _check_int("time window", "end_s", self.end_s)
        if self.end_s < self.start_s:
            raise ValueError(f"time window ends ({self.end_s}) before it starts ({self.start_s})")


@dataclass(frozen=True)
class Depot:
    """The kitchen. Vehicles leave at or after `ready_s` and are back by `close_s`; a reload takes
    `reload_s`."""

    location: LatLng
    key: str = "depot"
    ready_s: int = 0
    close_s: int = 24 * 3600
    reload_s: int = 300

    def __post_init__(self) -> None:
        if not isinstance(self.location, LatLng):
            raise ValueError(f"depot {self.key}: location must be a LatLng, got {self.location!r}")
        if not isinstance(self.key, str) or not self.key:
            raise ValueError("depot: key must be a non-empty string")
        for name in ("ready_s", "close_s", "reload_s"):
            _check_int(f"depot {self.key}", name, getattr(self, name))
        if self.close_s < self.ready_s:
            raise ValueError(f"depot {self.key}: close_s ({self.close_s}) is before ready_s ({self.ready_s})")


@dataclass(frozen=True)
class Stop:
    """One doorstep delivery. `ride_limit_s` overrides the problem's food-safety limit for this stop;
    `eat_by_s` (cooking finish + 2 h) is a second latest start; `preferred_vehicle` asks for continuity."""

    key: str
    location: LatLng
    meals: int
    window: TimeWindow
    service_s: int
    ride_limit_s: int | None = None
    eat_by_s: int | None = None
    preferred_vehicle: str | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.key, str) or not self.key:
            raise ValueError(f"stop: key must be a non-empty string, got {self.key!r}")
        if not isinstance(self.location, LatLng):
            raise ValueError(f"stop {self.key}: location must be a LatLng, got {self.location!r}")
        if not isinstance(self.window, TimeWindow):
            raise ValueError(f"stop {self.key}: window must be a TimeWindow, got {self.window!r}")
        _check_int(f"stop {self.key}", "meals", self.meals, minimum=1)
        _check_int(f"stop {self.key}", "service_s", self.service_s)
        if self.ride_limit_s is not None:
            _check_int(f"stop {self.key}", "ride_limit_s", self.ride_limit_s, minimum=1)
        if self.eat_by_s is not None:
            _check_int(f"stop {self.key}", "eat_by_s", self.eat_by_s)

    @property
    def latest_start_s(self) -> int:
        """The window's end, tightened by the eat-by bound."""
        return self.window.end_s if self.eat_by_s is None else min(self.window.end_s, self.eat_by_s)


@dataclass(frozen=True)
class Vehicle:
    """A driver and carrier. `max_trips` counts departures from the kitchen (reloads + 1)."""

    key: str
    kind: VehicleKind
    capacity_meals: int
    shift: TimeWindow
    max_trips: int = 1
    speed_kmh: float | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.key, str) or not self.key:
            raise ValueError(f"vehicle: key must be a non-empty string, got {self.key!r}")
        if self.kind not in VEHICLE_KINDS:
            raise ValueError(
                f"vehicle {self.key}: kind must be one of {', '.join(VEHICLE_KINDS)}, got {self.kind!r}"
            )
        _check_int(f"vehicle {self.key}", "capacity_meals", self.capacity_meals, minimum=1)
        _check_int(f"vehicle {self.key}", "max_trips", self.max_trips, minimum=1)
        if not isinstance(self.shift, TimeWindow):
            raise ValueError(f"vehicle {self.key}: shift must be a TimeWindow, got {self.shift!r}")
        if self.speed_kmh is not None and not (
            isinstance(self.speed_kmh, int | float) and self.speed_kmh > 0
        ):
            raise ValueError(f"vehicle {self.key}: speed_kmh must be > 0, got {self.speed_kmh!r}")

    @property
    def effective_speed_kmh(self) -> float:
        return float(self.speed_kmh) if self.speed_kmh is not None else DEFAULT_SPEED_KMH[self.kind]


@dataclass(frozen=True)
class Weights:
    """Secondary objectives, in seconds of travel they are worth: per vehicle used, per second of the longest
    working day (balance), and per stop not served by its preferred vehicle (continuity)."""

    vehicle_s: int = 0
    balance: int = 0
    continuity_s: int = 0

    def __post_init__(self) -> None:
        for name in ("vehicle_s", "balance", "continuity_s"):
            _check_int("weights", name, getattr(self, name))


@dataclass(frozen=True)
class Lock:
    """Keep `stop_keys` in this order as the start of `vehicle_key`'s trip `trip` (1-based);
    `closed=True` locks the whole trip (nothing may be added after)."""

    vehicle_key: str
    stop_keys: tuple[str, ...]
    trip: int = 1
    closed: bool = False

    def __post_init__(self) -> None:
        if not isinstance(self.stop_keys, tuple) or not self.stop_keys:
            raise ValueError(f"lock on {self.vehicle_key}: stop_keys must be a non-empty tuple")
        if len(set(self.stop_keys)) != len(self.stop_keys):
            raise ValueError(f"lock on {self.vehicle_key}: a stop appears twice")
        _check_int(f"lock on {self.vehicle_key}", "trip", self.trip, minimum=1)


class TravelProvider(Protocol):
    """Gives whole-second travel times and whole-metre distances between points, per vehicle kind."""

    def matrix(self, points: tuple[LatLng, ...], keys: tuple[str, ...], vehicle: Vehicle) -> TravelMatrix: ...


def _default_travel() -> TravelProvider:
    return HaversineTravel()


@dataclass(frozen=True)
class RoutingProblem:
    """Everything the planner needs. `ride_limit_s` is the food-safety limit from leaving the kitchen to the
    door (None: no limit)."""

    depot: Depot
    stops: tuple[Stop, ...]
    vehicles: tuple[Vehicle, ...]
    travel: TravelProvider = field(default_factory=_default_travel)
    ride_limit_s: int | None = 3600
    weights: Weights = field(default_factory=Weights)
    locks: tuple[Lock, ...] = ()
    name: str = ""

    def __post_init__(self) -> None:
        if not isinstance(self.depot, Depot):
            raise ValueError(f"depot must be a Depot, got {self.depot!r}")
        for label, items, cls in (("stops", self.stops, Stop), ("vehicles", self.vehicles, Vehicle)):
            if not isinstance(items, tuple) or any(not isinstance(item, cls) for item in items):
                raise ValueError(f"{label} must be a tuple of {cls.__name__}")
        if not self.vehicles:
            raise ValueError("a problem needs at least one vehicle")
        _check_unique("stop", [s.key for s in self.stops] + [self.depot.key])
        _check_unique("vehicle", [v.key for v in self.vehicles])
        if self.ride_limit_s is not None:
            _check_int("problem", "ride_limit_s", self.ride_limit_s, minimum=1)
        _check_locks(self)

    def stop(self, key: str) -> Stop:
        for stop in self.stops:
            if stop.key == key:
                return stop
        raise KeyError(key)

    def vehicle(self, key: str) -> Vehicle:
        for vehicle in self.vehicles:
            if vehicle.key == key:
                return vehicle
        raise KeyError(key)

    def ride_limit_for(self, stop: Stop) -> int | None:
        return stop.ride_limit_s if stop.ride_limit_s is not None else self.ride_limit_s


def _check_unique(what: str, keys: list[str]) -> None:
    seen: set[str] = set()
    for key in keys:
        if key in seen:
            raise ValueError(f"{what} key {key!r} appears more than once")
        seen.add(key)


def _check_locks(problem: RoutingProblem) -> None:
    stop_keys = {s.key for s in problem.stops}
    vehicles = {v.key: v for v in problem.vehicles}
    locked: set[str] = set()
    slots: set[tuple[str, int]] = set()
    for lock in problem.locks:
        if lock.vehicle_key not in vehicles:
            raise ValueError(f"lock names unknown vehicle {lock.vehicle_key!r}")
        if lock.trip > vehicles[lock.vehicle_key].max_trips:
            raise ValueError(f"lock on {lock.vehicle_key}: trip {lock.trip} exceeds max_trips")
        if (lock.vehicle_key, lock.trip) in slots:
            raise ValueError(f"two locks on {lock.vehicle_key} trip {lock.trip}")
        slots.add((lock.vehicle_key, lock.trip))
        for key in lock.stop_keys:
            if key not in stop_keys:
                raise ValueError(f"lock on {lock.vehicle_key} names unknown stop {key!r}")
            if key in locked:
                raise ValueError(f"stop {key!r} is locked twice")
            locked.add(key)


@dataclass(frozen=True)
class ServiceRules:
    """How long a handover takes: base, per floor climbed without a lift, and a wellness check (探访关爱)."""

    base_s: int = 60
    per_floor_s: int = 25
    wellness_check_s: int = 120

    def __post_init__(self) -> None:
        for name in ("base_s", "per_floor_s", "wellness_check_s"):
            _check_int("service rules", name, getattr(self, name))


def service_time_s(
    *, floor: int, has_lift: bool, lives_alone: bool, rules: ServiceRules = ServiceRules()
) -> int:
    """Seconds at the door: base + per floor above the first when there is no lift + a wellness check for a
    senior living alone. Raises ValueError for a floor below 1 (ground floor is 1, as in China)."""
    _check_int("service time", "floor", floor, minimum=1)
    climb = 0 if has_lift else (floor - 1) * rules.per_floor_s
    return rules.base_s + climb + (rules.wellness_check_s if lives_alone else 0)
