"""Times for a fixed sequence. A trip leaves the kitchen as soon as it can without anyone waiting at a door,
but never later than its latest feasible departure: that gives the shortest ride for every meal (a ride is the
handover time minus the departure, which only shrinks while leaving later removes waiting) and no idle
wait."""

from __future__ import annotations

from routing.compiled import Compiled
from routing.plan import Route, Trip, Visit


def latest_departure(c: Compiled, matrix: tuple[tuple[int, ...], ...], nodes: list[int], end_by: int) -> int:
    bound, nxt = end_by, 0
    for node in reversed(nodes):
        bound = min(c.latest[node], bound - c.service[node] - matrix[node][nxt])
        nxt = node
    return bound - matrix[0][nodes[0]]


def no_wait_departure(c: Compiled, matrix: tuple[tuple[int, ...], ...], nodes: list[int]) -> int:
    """The earliest departure after which nobody waits at a door: leaving later only delays the meals."""
    offset, prev, best = 0, 0, None
    for node in nodes:
        offset += c.service[prev] + matrix[prev][node]
        best = c.earliest[node] - offset if best is None else max(best, c.earliest[node] - offset)
        prev = node
    return best if best is not None else 0


def schedule_vehicle(c: Compiled, vehicle: int, trips: list[list[int]]) -> Route | None:
    """The route of `vehicle` for its non-empty trips in order; None when the sequence cannot be timed."""
    return time_trips(c, vehicle, trips, strict=True)


def time_trips(c: Compiled, vehicle: int, trips: list[list[int]], *, strict: bool = False) -> Route | None:
    """Time `trips` (non-empty node lists) of `vehicle`. Each trip leaves at its no-wait departure, never
    later than its latest feasible one, never before the vehicle is ready. `strict`: None when a trip would
    have to leave before the vehicle is ready (the sequence breaks a window or the shift); otherwise it
    leaves when ready and the times show the lateness."""
    slot = c.slots[_first_slot(c, vehicle)]
    matrix, meters = c.seconds[slot.travel_class], c.meters[slot.travel_class]
    latest: list[int] = []
    end_by = c.shift_end[vehicle]
    for nodes in reversed(trips):
        latest.append(latest_departure(c, matrix, nodes, end_by))
        end_by = latest[-1] - c.reload_s
    latest.reverse()
    visits: list[Visit] = []
    trip_rows: list[Trip] = []
    ready, travel, distance = c.shift_start[vehicle], 0, 0
    for number, (nodes, last_depart) in enumerate(zip(trips, latest, strict=True), start=1):
        depart = min(last_depart, max(ready, no_wait_departure(c, matrix, nodes)))
        if depart < ready:
            if strict:
                return None
            depart = ready
        back = _walk(c, matrix, number, depart, nodes, visits)
        path = [0, *nodes, 0]
        travel += sum(matrix[a][b] for a, b in zip(path, path[1:], strict=False))
        distance += sum(meters[a][b] for a, b in zip(path, path[1:], strict=False))
        trip_rows.append(Trip(number, depart, back))
        ready = back + c.reload_s
    return Route("", tuple(visits), tuple(trip_rows), travel, distance)


def _walk(
    c: Compiled,
    matrix: tuple[tuple[int, ...], ...],
    number: int,
    depart: int,
    nodes: list[int],
    visits: list[Visit],
) -> int:
    """Append the trip's visits; returns the time back at the kitchen."""
    clock, prev, load = depart, 0, sum(c.demand[n] for n in nodes)
    for node in nodes:
        arrival = clock + matrix[prev][node]
        start = max(arrival, c.earliest[node])
        clock = start + c.service[node]
        visits.append(Visit(c.stop_keys[node], number, arrival, start, clock, load, start - depart))
        load -= c.demand[node]
        prev = node
    return clock + matrix[prev][0]


def _first_slot(c: Compiled, vehicle: int) -> int:
    for k, slot in enumerate(c.slots):
        if slot.vehicle == vehicle:
            return k
    raise ValueError(f"vehicle {vehicle} has no slot")


def routes_cost(c: Compiled, slot_routes: list[list[int]]) -> int:
    """Total travel seconds of the slots' routes (each out of and back to the kitchen)."""
    total = 0
    for slot, nodes in zip(c.slots, slot_routes, strict=True):
        if not nodes:
            continue
        matrix = c.seconds[slot.travel_class]
        path = [0, *nodes, 0]
        total += sum(matrix[a][b] for a, b in zip(path, path[1:], strict=False))
    return total
