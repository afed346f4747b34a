"""Fast recreate for plain problems (one trip per vehicle, no locks, no balance or continuity weight), and
for large multi-trip ones without locks or weights (`is_chained`: a vehicle's trips bound each other's
times): cheapest feasible insertion with random blinks, checked in O(1) per position with earliest / latest
start times (plus an O(route) ride-limit check for improving positions when a limit could bind). OR-Tools still
judges every plan we keep (ReadAssignmentFromRoutes) and polishes each new best with its local search; this
only makes the ruin-and-recreate loop ~20x faster than letting OR-Tools repair each ruined plan.
"""

from __future__ import annotations

import random

from routing.compiled import Compiled
from routing.schedule import latest_departure, no_wait_departure

BLINK = 0.01
GRANULAR = 20  # near neighbours whose routes are tried first


def is_plain(c: Compiled) -> bool:
    one_trip = all(slot.trip == 0 for slot in c.slots)
    weights = c.balance == 0 and (c.continuity_s == 0 or all(p is None for p in c.preferred))
    return one_trip and not c.locks and not c.keep_order and weights


def is_chained(c: Compiled) -> bool:
    """Several trips per vehicle and nothing else (no locks, no balance or continuity weight): `Routes` then
    keeps each trip inside the time its vehicle's other trips leave it, so the fast recreate applies."""
    weights = c.balance == 0 and (c.continuity_s == 0 or all(p is None for p in c.preferred))
    return any(slot.trip > 0 for slot in c.slots) and not c.locks and not c.keep_order and weights


def rides_bind(c: Compiled) -> bool:
    """Whether some ride limit could be exceeded at all (a start is at most its latest start minus the
    earliest departure)."""
    earliest = min(c.shift_start)
    return any(limit is not None and c.latest[n] - earliest > limit for n, limit in enumerate(c.ride_limit))


def rides_ok(c: Compiled, k: int, path: list[int], ready: int | None = None, end_by: int | None = None) -> bool:
    """Every meal of slot k's trip `path` within its ride limit, timed as schedule.py times it: leaving
    when the vehicle is `ready` at the earliest and early enough to be back by `end_by` (the shift's
    bounds unless given: a later trip's departure, an earlier trip's return)."""
    slot = c.slots[k]
    m = c.seconds[slot.travel_class]
    ready = c.shift_start[slot.vehicle] if ready is None else ready
    end_by = c.shift_end[slot.vehicle] if end_by is None else end_by
    depart = min(latest_departure(c, m, path, end_by), max(ready, no_wait_departure(c, m, path)))
    clock, prev = depart, 0
    for node in path:
        start = max(clock + m[prev][node], c.earliest[node])
        limit = c.ride_limit[node]
        if limit is not None and start - depart > limit:
            return False
        clock, prev = start + c.service[node], node
    return True


class Routes:
    """Mutable routes (nodes per slot) with loads, travel and earliest / latest service starts, kept up to
    date route by route. Changes since the last `commit()` can be undone with `rollback()`, so one ruin and
    recreate costs time in the routes it touches, not in the size of the plan.

    With several trips per vehicle (`is_chained`), a trip's part of the shift is what its vehicle's other
    trips leave it, exactly as the OR-Tools model chains them: it may leave once the trip before is back
    (at the earliest) plus the reload time, and must be back by the next trip's latest departure minus the
    reload time (an empty trip passes its bounds on, a reload each). A change to one trip re-times its
    vehicle's other trips, and an insertion that makes a trip leave earlier checks the rides of the trips
    before it."""

    def __init__(self, c: Compiled, routes: tuple[tuple[int, ...], ...]) -> None:
        self.c = c
        self.check_rides = rides_bind(c)
        # slots of one vehicle are consecutive, in trip order (compiled._slots)
        self.chained = any(slot.trip > 0 for slot in c.slots)
        self.fresh: list[set[int]] = [set() for _ in c.seconds]  # chained: first slots of unused vehicles
        self.paths = [list(r) for r in routes]
        self.load = [sum(c.demand[n] for n in r) for r in routes]
        self.where = {n: k for k, r in enumerate(routes) for n in r}
        self.unserved = set(range(1, c.nodes)) - set(self.where)
        self.early: list[list[int]] = [[] for _ in routes]
        self.late: list[list[int]] = [[] for _ in routes]
        self.travel = [0] * len(routes)
        self.empty: list[set[int]] = [set() for _ in c.seconds]  # per travel class
        self.travel_total = 0
        self.saved: dict[int, tuple[list[int], int, list[int], list[int], int]] = {}
        self.moved: set[int] = set()
        self.open_new = True  # False while the fleet is being cut: an empty slot is not offered to a stop
        for k in reversed(range(len(routes))):  # a trip's latest times depend on the trips after it
            self._backward(k)
        for k in range(len(routes)):  # its earliest times on the trips before it
            self._forward(k)

    def refresh(self, k: int) -> None:
        """Recompute route k's times: early[i] is the earliest start of the stop before position i (early[0]
        the departure), late[i] the latest start of the stop at position i (late[-1] the return)."""
        self._forward(k)
        self._backward(k)

    def _ready(self, k: int) -> int:
        """When slot k may leave: its shift's start, or (a later trip) the trip before back plus reload."""
        c = self.c
        slot = c.slots[k]
        if not self.chained or slot.trip == 0:
            return c.shift_start[slot.vehicle]
        path, early = self.paths[k - 1], self.early[k - 1]
        if not path:
            return early[0] + c.reload_s
        m = c.seconds[slot.travel_class]
        return early[-1] + c.service[path[-1]] + m[path[-1]][0] + c.reload_s

    def _end_by(self, k: int) -> int:
        """When slot k must be back: its shift's end, or the next trip's latest departure minus reload."""
        c = self.c
        slot = c.slots[k]
        nxt = k + 1
        if not self.chained or nxt == len(c.slots) or c.slots[nxt].vehicle != slot.vehicle:
            return c.shift_end[slot.vehicle]
        path, late = self.paths[nxt], self.late[nxt]
        if not path:
            return late[-1] - c.reload_s
        return late[0] - c.seconds[slot.travel_class][0][path[0]] - c.reload_s

    def _forward(self, k: int) -> None:
        c, path = self.c, self.paths[k]
        m = c.seconds[c.slots[k].travel_class]
        early = [self._ready(k)]
        prev, travel = 0, 0
        for node in path:
            travel += m[prev][node]
            early.append(max(c.earliest[node], early[-1] + c.service[prev] + m[prev][node]))
            prev = node
        travel += m[prev][0]
        self.early[k] = early
        self._set_travel(k, travel if path else 0)

    def _backward(self, k: int) -> None:
        c, path = self.c, self.paths[k]
        m = c.seconds[c.slots[k].travel_class]
        late = [self._end_by(k)]
        nxt = 0
        for node in reversed(path):
            late.append(min(c.latest[node], late[-1] - c.service[node] - m[node][nxt]))
            nxt = node
        late.reverse()
        self.late[k] = late

    def _ripple(self, k: int) -> None:
        """After slot k changed: re-time the vehicle's later trips (they may leave at another time) and its
        earlier ones (they may have to be back at another time)."""
        if not self.chained:
            return
        slots = self.c.slots
        vehicle = slots[k].vehicle
        j = k + 1
        while j < len(slots) and slots[j].vehicle == vehicle:
            self._save(j)
            self._forward(j)
            j += 1
        j = k - 1
        while j >= 0 and slots[j].vehicle == vehicle:
            self._save(j)
            self._backward(j)
            j -= 1

    def _set_travel(self, k: int, travel: int) -> None:
        self.travel_total += travel - self.travel[k]
        self.travel[k] = travel
        empty = self.empty[self.c.slots[k].travel_class]
        if self.paths[k]:
            empty.discard(k)
        else:
            empty.add(k)
        if self.chained:
            slots = self.c.slots
            first = k - slots[k].trip
            fresh = self.fresh[slots[k].travel_class]
            j, unused = first, True
            while j < len(slots) and slots[j].vehicle == slots[first].vehicle:
                unused = unused and not self.paths[j]
                j += 1
            if unused:
                fresh.add(first)
            else:
                fresh.discard(first)

    def cost(self, penalty: int) -> int:
        """The OR-Tools objective for plain problems (as `cost()` below)."""
        used = len(self.paths) - sum(len(empty) for empty in self.empty)
        return self.travel_total + self.c.vehicle_s * used + penalty * len(self.unserved)

    def _save(self, k: int) -> None:
        if k not in self.saved:
            self.saved[k] = (list(self.paths[k]), self.load[k], self.early[k], self.late[k], self.travel[k])

    def commit(self) -> None:
        self.saved.clear()
        self.moved.clear()

    def rollback(self) -> None:
        """Undo every change since the last commit."""
        for node in self.moved:
            self.where.pop(node, None)
        for k, (path, load, early, late, travel) in self.saved.items():
            self.paths[k], self.load[k], self.early[k], self.late[k] = path, load, early, late
            self._set_travel(k, travel)
            for node in path:
                self.where[node] = k
        for node in self.moved:
            if node in self.where:
                self.unserved.discard(node)
            else:
                self.unserved.add(node)
        self.commit()

    def remove(self, nodes: set[int]) -> None:
        touched = {self.where[n] for n in nodes if n in self.where}
        for k in touched:
            self._save(k)
            self.paths[k] = [n for n in self.paths[k] if n not in nodes]
            self.load[k] = sum(self.c.demand[n] for n in self.paths[k])
            self.refresh(k)
            self._ripple(k)
        for node in nodes:
            if self.where.pop(node, None) is not None:
                self.unserved.add(node)
                self.moved.add(node)

    def candidates(self, near: list[int]) -> list[int]:
        """Routes holding one of the node's near neighbours, plus one empty route per travel class."""
        routes = {self.where[n] for n in near if n in self.where}
        if self.chained:  # the other, empty trips of those vehicles
            slots = self.c.slots
            for k in list(routes):
                first = k - slots[k].trip
                j = first
                while j < len(slots) and slots[j].vehicle == slots[first].vehicle:
                    if not self.paths[j]:
                        routes.add(j)
                    j += 1
        if self.open_new:
            routes |= {min(empty) for empty in (self.fresh if self.chained else self.empty) if empty}
        return sorted(routes)

    def best_insertion(self, node: int, near: list[int], rng: random.Random) -> tuple[int, int, int] | None:
        """(extra travel, slot, position) of the cheapest feasible insertion into a route near `node`,
        skipping positions at random (SISR's blinks); every route is tried if no near one has room."""
        found = self._best_in(node, self.candidates(near), rng)
        return found if found is not None else self._best_in(node, list(range(len(self.paths))), rng)

    def _best_in(self, node: int, routes: list[int], rng: random.Random) -> tuple[int, int, int] | None:
        c = self.c
        best: tuple[int, int, int] | None = None
        best_delta = None
        tried_empty: set[int] = set()
        opens, closes, service = c.earliest[node], c.latest[node], c.service[node]
        for k in routes:
            path, slot = self.paths[k], c.slots[k]
            if self.load[k] + c.demand[node] > c.capacity[slot.vehicle]:
                continue
            if not path:
                if not self.open_new:
                    continue
                if not self.chained or k in self.fresh[slot.travel_class]:  # these are interchangeable
                    if slot.travel_class in tried_empty:
                        continue
                    tried_empty.add(slot.travel_class)
            m = c.seconds[slot.travel_class]
            out_of, early, late = m[node], self.early[k], self.late[k]
            if self.chained and early[0] + m[0][node] > closes:
                continue  # a later trip that leaves after this stop's window closes (no need to try each place)
            fixed = c.vehicle_s if not path else 0
            # with a ride limit: the trip leaves by its latest departure at the latest, so a stop that starts
            # more than the limit after it is refused without timing the trip
            limit = c.ride_limit[node] if self.check_rides and path else None
            ride_cap = None if limit is None else limit + late[0] - m[0][path[0]]
            prev = 0
            for pos, nxt in enumerate([*path, 0]):
                row = m[prev]
                delta = row[node] + out_of[nxt] - row[nxt] + fixed
                # cheap test first; feasibility only for improving positions; blinks only where it matters
                if best_delta is None or delta < best_delta:
                    arrive = early[pos] + c.service[prev] + row[node]
                    arrive = opens if arrive < opens else arrive
                    if (
                        arrive <= closes
                        and arrive + service + out_of[nxt] <= late[pos]
                        and (ride_cap is None or pos == 0 or arrive <= ride_cap)
                        and (best_delta is None or rng.random() >= BLINK)
                        and (not self.check_rides or self._rides_ok(k, [*path[:pos], node, *path[pos:]]))
                    ):
                        best, best_delta = (delta, k, pos), delta
                prev = nxt
        return best

    def _rides_ok(self, k: int, path: list[int]) -> bool:
        """Slot k's trip as `path` keeps every ride limit, and so do its vehicle's earlier trips, which may
        now have to leave earlier to be back by its (earlier) latest departure."""
        c = self.c
        if not rides_ok(c, k, path, self.early[k][0], self.late[k][-1]):
            return False
        if not self.chained or c.slots[k].trip == 0:
            return True
        m = c.seconds[c.slots[k].travel_class]
        end_by = latest_departure(c, m, path, self.late[k][-1]) - c.reload_s
        j = k - 1
        while j >= 0 and c.slots[j].vehicle == c.slots[k].vehicle:
            before = self.paths[j]
            if before:
                if not rides_ok(c, j, before, self.early[j][0], end_by):
                    return False
                end_by = latest_departure(c, m, before, end_by)
            end_by -= c.reload_s
            j -= 1
        return True

    def insert(self, node: int, k: int, pos: int) -> None:
        self._save(k)
        path = self.paths[k]
        before, after = (path[pos - 1] if pos else 0), (path[pos] if pos < len(path) else 0)
        m = self.c.seconds[self.c.slots[k].travel_class]
        was_empty = not path
        path.insert(pos, node)
        self.where[node] = k
        self.unserved.discard(node)
        self.moved.add(node)
        self.load[k] += self.c.demand[node]
        if was_empty:
            self.refresh(k)
        else:
            self._retime(k, pos)
            self._set_travel(k, self.travel[k] + m[before][node] + m[node][after] - m[before][after])
        self._ripple(k)

    def _retime(self, k: int, pos: int) -> None:
        """After inserting at `pos`: earliest starts change only from `pos` on, latest starts only up to it;
        a forward (backward) pass stops as soon as a time comes out as before."""
        c, path = self.c, self.paths[k]
        m = c.seconds[c.slots[k].travel_class]
        old_early, old_late = self.early[k], self.late[k]
        early = old_early[: pos + 1]
        prev = path[pos - 1] if pos else 0
        for i in range(pos, len(path)):
            node = path[i]
            value = max(c.earliest[node], early[-1] + c.service[prev] + m[prev][node])
            if i > pos and value == old_early[i]:  # old_early[i] is this node's earliest start before
                early.extend(old_early[i:])
                break
            early.append(value)
            prev = node
        late = old_late[pos:]  # old latest starts of path[pos + 1:] and the return
        nxt = path[pos + 1] if pos + 1 < len(path) else 0
        head: list[int] = []
        for i in range(pos, -1, -1):
            node = path[i]
            value = min(c.latest[node], late[0] - c.service[node] - m[node][nxt])
            if i < pos and value == old_late[i]:
                head = old_late[: i + 1]
                break
            late.insert(0, value)
            nxt = node
        self.early[k], self.late[k] = early, head + late

    def frozen(self) -> tuple[tuple[int, ...], ...]:
        return tuple(tuple(p) for p in self.paths)


def cost(c: Compiled, routes: tuple[tuple[int, ...], ...], penalty: int) -> int:
    """Travel + fixed cost per used slot + penalty per stop left out: the OR-Tools objective for plain
    problems."""
    total, served = 0, 0
    for slot, path in zip(c.slots, routes, strict=True):
        if not path:
            continue
        m = c.seconds[slot.travel_class]
        total += m[0][path[0]] + m[path[-1]][0] + sum(m[a][b] for a, b in zip(path, path[1:], strict=False))
        total += c.vehicle_s
        served += len(path)
    return total + penalty * (c.nodes - 1 - served)


def recreate(routes: Routes, near: list[list[int]], rng: random.Random,
             absences: list[int] | None = None) -> None:
    """Insert every unserved stop, in one of SISR's orders (or, while the fleet is cut, half the time the
    stops left out most often first); stops with no room stay out."""
    missing = sorted(routes.unserved)
    if absences is not None and rng.random() < 0.5:
        rng.shuffle(missing)
        missing.sort(key=lambda n: -absences[n])
    else:
        _order(routes.c, missing, rng)
    for node in missing:
        found = routes.best_insertion(node, near[node][:GRANULAR], rng)
        if found is not None:
            routes.insert(node, found[1], found[2])


def farthest_first(routes: Routes, near: list[list[int]], rng: random.Random) -> None:
    """A first plan by cheapest insertion, the doors farthest from the kitchen first. With several trips and
    a ride limit a far door fits few trips (an early one, with few stops before it); inserted in random
    order they found those trips taken (meal-1500-mt-s2: 28 doors out, 344,480 s; far first: all in,
    327,138 s, in 0.2 s)."""
    m = routes.c.seconds[0]
    for node in sorted(routes.unserved, key=lambda n: -m[0][n]):
        found = routes.best_insertion(node, near[node][:GRANULAR], rng)
        if found is not None:
            routes.insert(node, found[1], found[2])


def _order(c: Compiled, nodes: list[int], rng: random.Random) -> None:
    m = c.seconds[0]
    choice = rng.random()
    if choice < 0.4:
        rng.shuffle(nodes)
    elif choice < 0.6:
        nodes.sort(key=lambda n: -c.demand[n])
    elif choice < 0.8:
        nodes.sort(key=lambda n: -m[0][n])
    elif choice < 0.9:
        nodes.sort(key=lambda n: m[0][n])
    else:
        nodes.sort(key=lambda n: c.latest[n] - c.earliest[n])
