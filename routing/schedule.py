"""Times for a fixed sequence: every trip leaves the kitchen as late as it can, which shortens every meal's
ride and every wait at once (a ride is the handover time minus the departure, never longer for leaving later)."""

from __future__ import annotations

from routing.compiled import Compiled
from routing.plan import Route, Trip, Visit


def _latest_departure(c: Compiled, matrix: tuple[tuple[int, ...], ...], nodes: list[int], end_by: int) -> int:
    bound, nxt = end_by, 0
    for node in reversed(nodes):
        bound = min(c.latest[node], bound - c.service[node] - matrix[node][nxt])
        nxt = node
    return bound - matrix[0][nodes[0]]


def schedule_vehicle(c: Compiled, vehicle: int, trips: list[list[int]]) -> Route | None:
    """The route of `vehicle` for its non-empty trips in order; None when the sequence cannot be timed."""
    matrix = c.seconds[c.slots[_first_slot(c, vehicle)].travel_class]
    meters = c.meters[c.slots[_first_slot(c, vehicle)].travel_class]
    departures: list[int] = []
    end_by = c.shift_end[vehicle]
    for nodes in reversed(trips):
        departures.append(_latest_departure(c, matrix, nodes, end_by))
        end_by = departures[-1] - c.reload_s
    departures.reverse()
    visits: list[Visit] = []
    trip_rows: list[Trip] = []
    ready = c.shift_start[vehicle]
    travel = distance = 0
    for number, (nodes, depart) in enumerate(zip(trips, departures, strict=True), start=1):
        if depart < ready:
            return None
        clock, prev, load = depart, 0, sum(c.demand[n] for n in nodes)
        for node in nodes:
            arrival = clock + matrix[prev][node]
            start = max(arrival, c.earliest[node])
            clock = start + c.service[node]
            visits.append(Visit(c.stop_keys[node], number, arrival, start, clock, load, start - depart))
            load -= c.demand[node]
            travel += matrix[prev][node]
            distance += meters[prev][node]
            prev = node
        back = clock + matrix[prev][0]
        travel += matrix[prev][0]
        distance += meters[prev][0]
        trip_rows.append(Trip(number, depart, back))
        ready = back + c.reload_s
    return Route("", tuple(visits), tuple(trip_rows), travel, distance)


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
