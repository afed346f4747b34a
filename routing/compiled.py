"""The problem flattened into plain lists and matrices, picklable for worker processes.

Node 0 is the kitchen, nodes 1..n the stops the solver is asked to serve. Each vehicle becomes
`max_trips` virtual vehicles ("slots"), one per departure, chained in time by the solver.
"""

from __future__ import annotations

from dataclasses import dataclass

from routing.model import RoutingProblem, Stop, Vehicle


@dataclass(frozen=True)
class Slot:
    vehicle: int  # index into problem.vehicles
    trip: int  # 0-based
    travel_class: int


@dataclass(frozen=True)
class Compiled:
    stop_keys: tuple[str, ...]  # per node; "" for the kitchen
    demand: tuple[int, ...]
    service: tuple[int, ...]
    earliest: tuple[int, ...]
    latest: tuple[int, ...]
    ride_limit: tuple[int | None, ...]
    seconds: tuple[tuple[tuple[int, ...], ...], ...]  # per travel class
    meters: tuple[tuple[tuple[int, ...], ...], ...]
    slots: tuple[Slot, ...]
    capacity: tuple[int, ...]  # per vehicle
    shift_start: tuple[int, ...]  # per vehicle, merged with the kitchen's hours
    shift_end: tuple[int, ...]
    reload_s: int
    vehicle_s: int
    balance: int
    continuity_s: int
    preferred: tuple[int | None, ...]  # per node: preferred vehicle index
    locks: tuple[tuple[int, tuple[int, ...], bool], ...]  # (slot, nodes, closed)
    keep_order: tuple[tuple[int, tuple[int, ...]], ...] = ()  # (slot, nodes): stay on slot, in this order

    @property
    def nodes(self) -> int:
        return len(self.stop_keys)

    def horizon(self) -> int:
        return max(self.shift_end) if self.shift_end else 0


def travel_classes(problem: RoutingProblem) -> tuple[list[int], list[Vehicle]]:
    """Vehicles sharing a kind and speed share one matrix (asked for once from the provider)."""
    seen: dict[tuple[str, float], int] = {}
    per_vehicle: list[int] = []
    representatives: list[Vehicle] = []
    for vehicle in problem.vehicles:
        key = (vehicle.kind, vehicle.effective_speed_kmh)
        if key not in seen:
            seen[key] = len(representatives)
            representatives.append(vehicle)
        per_vehicle.append(seen[key])
    return per_vehicle, representatives


def _slots(problem: RoutingProblem, per_vehicle: list[int]) -> tuple[Slot, ...]:
    return tuple(
        Slot(vehicle=i, trip=t, travel_class=per_vehicle[i])
        for i, v in enumerate(problem.vehicles)
        for t in range(v.max_trips)
    )


LockRows = tuple[tuple[int, tuple[int, ...], bool], ...]


def _locks(problem: RoutingProblem, slots: tuple[Slot, ...], stops: list[Stop]) -> LockRows:
    vehicle_index = {v.key: i for i, v in enumerate(problem.vehicles)}
    node_of = {s.key: i + 1 for i, s in enumerate(stops)}
    slot_of = {(s.vehicle, s.trip): k for k, s in enumerate(slots)}
    return tuple(
        (
            slot_of[(vehicle_index[lock.vehicle_key], lock.trip - 1)],
            tuple(node_of[k] for k in lock.stop_keys if k in node_of),
            lock.closed,
        )
        for lock in problem.locks
    )


def compile_problem(problem: RoutingProblem, stops: list[Stop]) -> Compiled:
    """Flatten `problem` restricted to `stops` (the ones worth giving to the solver)."""
    per_vehicle, representatives = travel_classes(problem)
    points = (problem.depot.location, *(s.location for s in stops))
    keys = (problem.depot.key, *(s.key for s in stops))
    matrices = [problem.travel.matrix(points, keys, v) for v in representatives]
    vehicle_index = {v.key: i for i, v in enumerate(problem.vehicles)}
    slots = _slots(problem, per_vehicle)
    depot = problem.depot
    return Compiled(
        stop_keys=("", *(s.key for s in stops)),
        demand=(0, *(s.meals for s in stops)),
        service=(0, *(s.service_s for s in stops)),
        earliest=(depot.ready_s, *(s.window.start_s for s in stops)),
        latest=(depot.close_s, *(s.latest_start_s for s in stops)),
        ride_limit=(None, *(problem.ride_limit_for(s) for s in stops)),
        seconds=tuple(m.seconds for m in matrices),
        meters=tuple(m.meters for m in matrices),
        slots=slots,
        capacity=tuple(v.capacity_meals for v in problem.vehicles),
        shift_start=tuple(max(v.shift.start_s, depot.ready_s) for v in problem.vehicles),
        shift_end=tuple(min(v.shift.end_s, depot.close_s) for v in problem.vehicles),
        reload_s=depot.reload_s,
        vehicle_s=problem.weights.vehicle_s,
        balance=problem.weights.balance,
        continuity_s=problem.weights.continuity_s,
        preferred=(None, *(vehicle_index.get(s.preferred_vehicle or "") for s in stops)),
        locks=_locks(problem, slots, stops),
    )
